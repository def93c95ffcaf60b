"""Issue 12 wiring: real outcomes on cards, the catalogue detail and the printable sheets.

Runs on the shipped demo catalogue (no search index needed)."""

from __future__ import annotations

import io
import re
from functools import lru_cache

import pytest
from pypdf import PdfReader

from catalog.model import OfferKind
from catalog.outcomes import offer_outcomes, offer_real_outcome


@lru_cache(maxsize=1)
def demo():
    from catalog.store import load_demo

    return load_demo()


def real_offer():
    """An apprenticeship offer whose certification has InserJeunes figures with a 12-month rate."""
    return next(o for o in demo().by_kind(OfferKind.APPRENTISSAGE)
                if (r := offer_real_outcome(o)) is not None and r.rate_12 is not None)


def demo_outcome_offer():
    return next(o for o in demo() if o.outcomes and offer_real_outcome(o) is None)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_card_leads_to_shows_real_inserjeunes_figures_with_cohort_and_leavers():
    from app_pages._shared import leads_to

    offer = real_offer()
    real = offer_real_outcome(offer)
    text = leads_to(offer)
    assert "source : InserJeunes" in text and f"{real.leavers} sortants" in text
    assert f"cohorte {real.cohort_label}" in text or f"cohortes {real.cohort_label}" in text
    assert "en emploi 12 mois après la sortie" in text
    assert "certifiés" not in text, "a 12-month employment rate is not a certification rate"
    assert "démonstration" not in text, "real figures replace the demo ones entirely"


def test_card_leads_to_keeps_demo_figures_labelled():
    from app_pages._shared import leads_to

    offer = demo_outcome_offer()
    text = leads_to(offer)
    assert "Données de démonstration" in text
    assert "InserJeunes" not in text


def test_offers_summary_pdf_carries_the_real_source():
    from app_pages._shared import leads_to
    from assistant import sheet

    offer = real_offer()
    cards = [{"title": offer.title, "kind": offer.kind.value, "provider": "CFA", "commune": "Limoges",
              "distance_km": 3, "start": "2027-02-01", "end": "2027-07-01", "places_left": 4,
              "accessibility": "non précisée", "leads_to": leads_to(offer)}]
    data = sheet.offers_summary_pdf("cuisinier", "Limoges", cards, demo=True)
    text = flat("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))
    assert "InserJeunes" in text and "sortants" in text, text[:2000]
    assert "certifiés" not in text


@pytest.fixture
def app_env(tmp_path, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("ITINERAIRE_DATA_DIR", str(tmp_path))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


def test_catalogue_detail_shows_real_outcomes_with_source(app_env):
    from streamlit.testing.v1 import AppTest

    offer = real_offer()
    at = AppTest.from_file("../app_pages/catalogue.py", default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.multiselect(key="cat_kinds").set_value([OfferKind.APPRENTISSAGE]).run()
    at.text_input(key="cat_text").input(offer.title).run()
    at.selectbox(key="cat_detail").set_value(offer.id).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [m.value.replace("\\", "") for m in at.markdown]  # md_escape'd text, read back
    results = [m for m in shown if m.startswith("Résultat :")]
    assert len(results) == len(offer_outcomes(offer)) >= 2
    assert results and all("InserJeunes" in m and "sortants" in m for m in results), results
    assert not any("certifiés" in m or "taux de certification" in m for m in shown)


# --------------------------------------------------------------------------- plan(): territory block

TODAY = __import__("datetime").date(2026, 11, 29)
MASON = {"age": 45, "commune": "Pau", "wish": "cuisinier", "wish_romes": ["G1602"], "experience": [{"rome": "F1703", "months": 120}],
         "constraints": ["sante"]}


@lru_cache(maxsize=4)
def planned(key: str):
    from assistant.api import plan

    profiles = {"mason": MASON, "no_experience": {"age": 30, "commune": "Pau", "wish": "cuisinier", "wish_romes": ["G1602"]}}
    return plan(profiles[key], today=TODAY, catalogue=demo())


def test_plan_territory_gives_target_market_with_sources_and_years():
    from catalog.territory import local_market

    out = planned("mason")
    terr = out["territory"]
    assert terr["target_rome"] == out["jobs"][0]["rome"] == "G1602"
    market = terr["target_market"]
    assert market["tension"] == local_market("G1602", "64445")["tension"]
    assert market["tension"]["year"] == 2021 and "2021" in market["tension"]["text"]
    assert market["tension"]["factor_words"] and market["tension"]["factor_words"][0] in market["tension"]["text"]
    assert market["needs"]["projects"] > 0 and "BMO" in market["needs"]["source"] and market["needs"]["year"] == 2024


def test_plan_close_jobs_for_a_career_changer_labelled_metier_proche():
    terr = planned("mason")["territory"]
    jobs = terr["close_jobs"]
    assert jobs and all(j["job_relation"] == "metier_proche" for j in jobs)
    assert all(j["from_rome"] == "F1703" and j["rome"] != "F1703" for j in jobs)
    assert all("ROME" in j["source"] and (j["year"] is None or j["year"] in (2021, 2024)) for j in jobs)
    assert any(j["year"] for j in jobs)
    assert terr["exclude_same_family_suggested"] is True  # health constraint: suggested, not applied
    # not applied silently: the plan keeps the same-domain jobs the adviser's exclusion would drop
    from assistant.career import career_options

    excluded = career_options(MASON, demo(), TODAY, exclude_same_family=True)["close_jobs"]
    assert any(j["rome"][:3] == "F17" for j in jobs)
    assert not any(j["rome"][:3] == "F17" for j in excluded)


def test_plan_without_experience_nor_health_constraint_has_no_close_jobs():
    terr = planned("no_experience")["territory"]
    assert terr["close_jobs"] == [] and terr["target_market"] is not None


def test_adviser_annex_pdf_shows_market_and_close_jobs():
    from assistant import sheet

    out = planned("mason")
    data = sheet.adviser_annex_pdf(out, 0, today=TODAY)
    text = flat("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))
    assert sheet.MARKET_HEADING in text and sheet.CLOSE_JOBS_HEADING in text
    assert "indicateurs de tension par bassin d'emploi, 2021" in text and "(BMO) 2024" in text
    assert flat(out["territory"]["close_jobs"][0]["label"]) in text


# --------------------------------------------------------------------------- alternance only where the RNCP allows it

def _one_offer_catalogue(rncp: str):
    import dataclasses

    from catalog.store import Catalogue

    # a CFA offer of Pau (recruiting) re-pointed at the target job (N1303) and at another certification: RNCP17989 (TSMEL) is open to
    # the contrat pro and VAE but not to apprenticeship; RNCP99999 is unknown to the 2021 access-route table
    offer = demo().get("DEMO-APP-00722")
    return Catalogue([dataclasses.replace(offer, rome_codes=["N1303"],
                                          certification=dataclasses.replace(offer.certification, rncp=rncp))])


LOGISTICS = {"age": 22, "commune": "Pau", "wish": "logistique", "wish_romes": ["N1303"], "project_validated": True,
             "level_validated": 4}


def test_apprenticeship_route_only_for_certifications_open_to_it():
    from assistant.api import plan
    from catalog.referentials import access_routes

    routes = access_routes("RNCP17989")
    assert routes is not None and "CONTRATA" not in routes and "CONTRATP" in routes
    out = plan(LOGISTICS, today=TODAY, catalogue=_one_offer_catalogue("RNCP17989"))
    assert "apprentissage" not in [p["key"] for p in out["pathways"]]
    assert "contrat_pro" in [p["key"] for p in out["pathways"]], "the contrat pro stays open (CONTRATP)"
    reason = next(n["reason"] for n in out["not_proposed"] if n["route"] == "apprentissage")
    assert "n'est pas ouverte à l'apprentissage" in reason and "RNCP17989" in reason, reason


def test_unknown_rncp_fiche_is_not_concluded_closed_to_apprenticeship():
    from assistant.api import plan
    from catalog.referentials import access_routes

    assert access_routes("RNCP99999") is None
    out = plan(LOGISTICS, today=TODAY, catalogue=_one_offer_catalogue("RNCP99999"))
    assert "apprentissage" in [p["key"] for p in out["pathways"]], out["not_proposed"]


@pytest.mark.parametrize("held", [["RNCP26650BC01"], ["RNCP26650BC01", "RNCP26650BC02", "RNCP26650BC03",
                                                     "RNCP26650BC04", "RNCP26650BC05"]])
def test_shortened_pathways_keep_the_planner_invariants(held):
    """A step cut to its missing blocs keeps its session start, ends within the session, and the job follows."""
    from assistant.api import plan
    from assistant.planner.invariants import check_plan
    from assistant.profile import parse_profile

    data = {"age": 30, "commune": "Pau", "wish": "cuisinier", "wish_romes": ["G1602"], "project_validated": True,
            "blocs_held": held}
    out = plan(data, today=TODAY, catalogue=demo())
    assert any(a.get("shortened") for p in out["pathways"] for s in p["steps"] for a in s["add_ons"])
    assert check_plan(parse_profile(data, TODAY), out, demo(), TODAY) == []
    # the check is real: stretching a shortened step past its session end is caught
    step = next(s for p in out["pathways"] for s in p["steps"] if any(a.get("shortened") for a in s["add_ons"]))
    session = next(x for x in demo().get(step["offer_id"]).sessions if x.id == step["session_id"])
    step["end"] = session.end.isoformat()
    assert any(n == 4 for n, _ in check_plan(parse_profile(data, TODAY), out, demo(), TODAY))


def test_pathway_sheets_show_the_outcomes_with_their_source():
    """The person's sheet and the adviser annex carry the pathway's outcome figures: InserJeunes with cohort and
    leavers when real, the demo label otherwise; a 12-month rate is never called a certification rate."""
    from assistant import sheet

    out = planned("no_experience")
    idx, pathway = next((i, p) for i, p in enumerate(out["pathways"]) if p["outcomes"])
    for data in (sheet.pathway_pdf(out, idx), sheet.adviser_annex_pdf(out, idx, today=TODAY)):
        text = flat("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))
        assert sheet.OUTCOMES_HEADING.split(" :")[0] in text
        for o in pathway["outcomes"]:
            assert ("InserJeunes" if o["real"] else "démonstration") in text
        assert "certifiés" not in text or any(o["kind"] == "certification" for o in pathway["outcomes"])
    assert any(o["real"] for p in out["pathways"] for o in p["outcomes"]), "a cook pathway has real figures"


def test_same_family_exclusion_is_offered_not_applied():
    """Health constraint: the plan keeps every close job and adds the list without the same family, which
    the adviser may choose on the page; the annex prints the full list."""
    from assistant import sheet
    from assistant.career import career_options

    terr = planned("mason")["territory"]
    other = terr["close_jobs_other_family"]
    expected = career_options(MASON, demo(), TODAY, exclude_same_family=True)["close_jobs"]
    assert [j["rome"] for j in other] == [j["rome"] for j in expected]
    assert all(j["job_relation"] == "metier_proche" and "ROME" in j["source"] for j in other)
    assert len(sheet.close_job_lines(planned("mason"), other_family=True)) == len(other)
    assert "close_jobs_other_family" not in planned("no_experience")["territory"]

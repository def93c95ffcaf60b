"""Issue 8, section 1: the target job is resolved before eligibility, and never swapped silently.

The job search is replaced by small resolvers returning what the search returns
(a hit list, or the JobSearchResult of the search-understanding branch), so no
language model loads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest

from assistant import plan
from catalog.model import OfferKind
from catalog.store import Catalogue
from tests.test_pathways import D, offer, profile

TODAY = date(2026, 11, 26)


@dataclass
class FakeUnderstanding:  # the shape of indexes.jobs.JobSearchResult (contract point 1)
    query: str
    understood: bool
    reason: str | None
    ambiguous: bool
    results: list = field(default_factory=list)


def hits(*triples):
    return [{"rome": r, "label": lab, "score": s, "why": "test"} for r, lab, s in triples]


CAT = Catalogue([offer(OfferKind.QUALIFIANT, [("Lescar", D(2027, 1, 11), D(2027, 7, 1))], rome="F1602"),
                 offer(OfferKind.QUALIFIANT, [("Lescar", D(2027, 1, 11), D(2027, 7, 1))], rome="I1309")])


def test_a_nonsense_wish_gets_a_question_not_a_pathway():
    low = lambda text, k: hits(("M1805", "Études et développement informatique", 0.21), ("F1602", "Électricité bâtiment", 0.18))  # noqa: E731
    result = plan(profile(wish_romes=[], wish="blorf zzz"), TODAY, catalogue=CAT, job_resolver=low)
    assert result["status"] == "a_preciser" and result["pathways"] == []
    assert [c["rome"] for c in result["candidate_jobs"]] == ["M1805", "F1602"]
    assert result["questions"] and "préciser" in result["questions"][0]
    assert result["jobs"] == []  # no job is assumed


@pytest.mark.parametrize("answer, status", [
    (FakeUnderstanding("x", False, "souhait trop vague", False, hits(("F1602", "Électricité", 0.9))), "a_preciser"),
    (FakeUnderstanding("x", True, "plusieurs métiers possibles", True,
                       hits(("F1602", "Électricité", 0.8), ("I1309", "Maintenance électrique", 0.79))), "a_preciser"),
    (FakeUnderstanding("x", True, None, False, hits(("F1602", "Électricité", 0.8))), "ok"),
])
def test_the_search_understanding_contract_is_used_when_present(answer, status):
    result = plan(profile(wish_romes=[], wish="électricité"), TODAY, catalogue=CAT, job_resolver=lambda t, k: answer)
    assert result["status"] == status
    if status == "ok":
        assert [j["rome"] for j in result["jobs"]] == ["F1602"] and result["pathways"]
    else:
        assert result["pathways"] == [] and result["candidate_jobs"] and result["reason"] == answer.reason


def test_only_the_understood_job_is_the_target_other_hits_are_not_used():
    """The 2nd and 3rd hits used to become targets: 'building maintenance' became 'Maintenance informatique'."""
    res = lambda text, k: hits(("F1602", "Électricité bâtiment", 0.9), ("I1309", "Maintenance électrique", 0.85))  # noqa: E731
    result = plan(profile(wish_romes=[], wish="électricien"), TODAY, catalogue=CAT, job_resolver=res)
    assert [j["rome"] for j in result["jobs"]] == ["F1602"]
    romes = {s["rome"] for p in result["pathways"] for s in p["steps"] if s.get("rome")}
    assert romes == {"F1602"}
    assert all(s["job_relation"] == "cible" for p in result["pathways"] for s in p["steps"] if s.get("rome"))


def test_confirmed_rome_skips_the_text_resolution():
    def boom(text, k):
        raise AssertionError("the search must not run")

    result = plan(profile(wish_romes=[], wish="n'importe quoi", confirmed_rome="F1602"), TODAY, catalogue=CAT,
                  job_resolver=boom)
    assert result["status"] == "ok" and result["jobs"][0]["rome"] == "F1602" and result["pathways"]


def test_vae_is_decided_on_the_resolved_target_not_on_the_text():
    """A text wish used to leave eligibility without a target: VAE was 'possible' with 0 months in the job."""
    res = lambda text, k: hits(("F1602", "Électricité bâtiment", 0.9)) if "électri" in text else []  # noqa: E731
    painter = [{"job": "peintre", "rome": "F1606", "months": 120, "last_year": 2026}]
    result = plan(profile(wish_romes=[], wish="électricien", experience=painter), TODAY, catalogue=CAT, job_resolver=res)
    vae = next(e for e in result["eligibility"] if e["scheme"] == "VAE")
    assert vae["status"] == "not_eligible" and not any(p["key"] == "vae" for p in result["pathways"])
    electrician = [{"job": "électricien", "rome": "F1602", "months": 36, "last_year": 2026}]
    result = plan(profile(wish_romes=[], wish="électricien", experience=electrician), TODAY, catalogue=CAT,
                  job_resolver=res)
    assert next(e for e in result["eligibility"] if e["scheme"] == "VAE")["status"] == "eligible"


def test_a_free_text_experience_is_linked_to_its_job_when_understood():
    res = lambda text, k: hits(("F1602", "Électricité bâtiment", 0.9)) if "électri" in text else hits(("K2204", "Nettoyage", 0.2))  # noqa: E731
    exp = [{"job": "électricien chez un artisan", "months": 30, "last_year": 2026}, {"job": "trucs divers", "months": 6}]
    result = plan(profile(wish_romes=[], wish="électricien", experience=exp), TODAY, catalogue=CAT, job_resolver=res)
    assert next(e for e in result["eligibility"] if e["scheme"] == "VAE")["status"] == "eligible"
    assert any("trucs divers" in w and "non rattachée" in w for w in result["warnings"])


def test_ptp_is_never_toward_the_current_job():
    contract = {"kind": "cdi", "company_months": 48, "employee_months": 120, "rome": "F1602"}
    result = plan(profile(status="salarie", employment_contract=contract, registration_months=0), TODAY, catalogue=CAT)
    ptp = next(e for e in result["eligibility"] if e["scheme"] == "PTP")
    assert ptp["status"] == "not_eligible" and "différent du métier actuel" in ptp["reasons"][0]["text"]
    other = plan(profile(status="salarie", employment_contract={**contract, "rome": "K2204"}, registration_months=0),
                 TODAY, catalogue=CAT)
    assert next(e for e in other["eligibility"] if e["scheme"] == "PTP")["status"] == "eligible"


def test_r18m_is_decided_on_the_known_domain():
    recent = dict(last_region_training_end="2026-03-31", last_region_training_rome="F1602", level_validated=2,
                  diplomas=[], experience=[])
    same = plan(profile(**recent), TODAY, catalogue=CAT)
    hsp = next(e for e in same["eligibility"] if e["scheme"] == "HSP_1NQ")
    assert hsp["status"] == "eligible"  # same domain: no derogation on that ground
    other = plan(profile(**{**recent, "last_region_training_rome": "K2204"}), TODAY, catalogue=CAT)
    hsp = next(e for e in other["eligibility"] if e["scheme"] == "HSP_1NQ")
    assert hsp["status"] == "derogation" and not any("si le domaine est différent" in r["text"] for r in hsp["reasons"])


def test_a_close_job_alternative_is_labelled_and_ranked_below():
    """No session for the target: a route toward a ROME 'proche' job is built, and says so."""
    from catalog.referentials import mobility_links

    close = mobility_links("G1602", ("proche",))[0].target
    cat = Catalogue([offer(OfferKind.QUALIFIANT, [("Lescar", D(2027, 1, 11), D(2027, 7, 1))], rome=close)])
    result = plan(profile(wish_romes=["G1602"], wish="cuisinier", experience=[], diplomas=[], level_validated=3),
                  TODAY, catalogue=cat)
    p = next(p for p in result["pathways"] if p["key"] == "qualifiant")
    main = next(s for s in p["steps"] if s["kind"] == "QUALIFIANT")
    assert main["job_relation"] == "metier_proche" and "métier proche" in main["job_relation_label"]
    assert any("métier proche" in w for w in p["warnings"]) and "métier proche" in p["title"]


def test_obsolescence_is_found_from_the_diploma_title_through_the_search():
    """R-OBS used to be missed unless the adviser typed the diploma's ROME codes."""
    res = lambda text, k: (hits(("G1602", "Personnel de cuisine", 0.9)) if "cuisine" in text.lower()  # noqa: E731
                           else hits(("F1602", "Électricité bâtiment", 0.9)))
    old_bac = [{"title": "Bac pro cuisine", "level": 4, "year": 2010}]
    result = plan(profile(wish_romes=[], wish="électricien", level_validated=4, diplomas=old_bac, experience=[]),
                  TODAY, catalogue=CAT, job_resolver=res)
    hsp = next(e for e in result["eligibility"] if e["scheme"] == "HSP_1NQ")
    assert hsp["status"] == "eligible" and any(r["rule"] == "R-OBS" for r in hsp["reasons"])


def test_rules_fired_are_exactly_the_rules_of_the_reasons_given():
    result = plan(profile(), TODAY, catalogue=CAT)
    given = set(result["referent"]["rules"])
    given |= {r["rule"] for e in result["eligibility"] if e["status"] != "not_eligible" for r in e["reasons"]}
    for p in result["pathways"]:
        given |= {w["rule"] for s in p["steps"] for w in s["why"]}
        given |= {x["rule"] for s in p["steps"] for x in s["add_ons"] + s["support"] if x.get("rule")}
        given |= set((p["income"] or {}).get("rules") or [])
        given |= {x["rule"] for x in p.get("income_timeline", []) if x.get("rule")}
    assert set(result["rules_fired"]) == given
    assert "R-VAE" not in result["rules_fired"]  # VAE closed (3 months): its rule was not a reason given

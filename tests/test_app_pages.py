"""Every page of the app through streamlit.testing.v1.AppTest (in-process, no browser).

The pages run against a throw-away working folder (ITINERAIRE_DATA_DIR) so the
real working catalogue is never touched, and against the default indexes built
once per test session (conftest's `default_indexes`), injected as the search
engine so that no test re-embeds anything.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest


pytestmark = pytest.mark.slow
TIMEOUT = 180


@pytest.fixture(scope="module")
def app_env(tmp_path_factory, default_indexes):
    """A tmp working folder holding copies of the session's built indexes, and the engine preloaded."""
    import streamlit as st

    import indexes.search as search

    from tests.e2e.appdata import seed_data_dir, session_builds

    folder = seed_data_dir(tmp_path_factory.mktemp("app-var"), session_builds(tmp_path_factory))
    previous = os.environ.get("ITINERAIRE_DATA_DIR")
    os.environ["ITINERAIRE_DATA_DIR"] = str(folder)
    engine = search.SearchEngine(default_indexes)

    def reset():
        st.cache_resource.clear()
        st.cache_data.clear()
        search._engine = engine

    reset()
    yield {"folder": folder, "reset": reset}
    st.cache_resource.clear()
    st.cache_data.clear()
    search.reset_search_engine()
    if previous is None:
        os.environ.pop("ITINERAIRE_DATA_DIR", None)
    else:
        os.environ["ITINERAIRE_DATA_DIR"] = previous


def page(name: str, admin: bool = False) -> AppTest:
    at = AppTest.from_file(f"../app_pages/{name}.py", default_timeout=TIMEOUT)
    if admin:  # the Importer needs the administrator secret (given once per session)
        at.session_state["admin_ok"] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown] + [c.value for c in at.caption]


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def test_navigation_lists_every_page(app_env):
    at = AppTest.from_file("../streamlit_app.py", default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Rendez-vous conseiller"
    for target, title in (("app_pages/catalogue.py", "Catalogue des formations"),
                          ("app_pages/recherche.py", "Je cherche une formation")):
        at.switch_page(target).run()
        assert not at.exception and at.title[0].value == title


def fill_p02(at: AppTest) -> AppTest:
    """Persona P02: 34, RSA, no diploma, Ussel, reading/writing gaps, wish ADVF."""
    from assistant.schemes import BasicSkillGap, IncomeSupport

    at.text_input(key="adv_age").input("34")
    at.selectbox(key="adv_income").set_value(IncomeSupport.RSA)
    at.selectbox(key="adv_level").set_value(0)
    at.selectbox(key="adv_level_reached").set_value(0)
    at.multiselect(key="adv_gaps").set_value([BasicSkillGap.LECTURE_ECRITURE])
    at.checkbox(key="adv_zrr").check()
    at.checkbox(key="adv_transport").uncheck()
    at.text_input(key="adv_place_text").input("Ussel")
    at.text_input(key="adv_job_wish").input("assistante de vie aux familles")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    confirm_job(at, "assistante de vie aux familles")
    return at


def confirm_job(at: AppTest, wish: str) -> str:
    """The adviser confirms the first job proposed for the wish (nothing is preselected for them)."""
    import zlib

    radio = at.radio(key=f"adv_rome_{zlib.crc32(wish.encode())}")
    assert radio.value is None, "the matched job is never preselected"
    rome = re.search(r"\(([A-N]\d{4})\)$", radio.options[0]).group(1)
    radio.set_value(rome).run()
    assert not at.exception, [e.value for e in at.exception]
    return rome


def test_adviser_p02_gets_socle_before_first_qualification(app_env):
    at = fill_p02(page("conseiller"))
    assert any("Ussel" in unescape(c.value) for c in at.caption)
    at.button(key="adv_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [h.value for h in at.header][-1] == "Parcours proposés"
    steps = [unescape(m.value) for m in at.markdown if m.value.startswith("**Étape ")]
    assert steps, "the chosen pathway's steps are shown"
    socle = [i for i, s in enumerate(steps) if "HSP Socle" in s]
    first_level = [i for i, s in enumerate(steps) if "HSP 1er niveau" in s]
    assert socle and first_level and socle[0] < first_level[0], steps
    assert any(m.value.startswith("- Pourquoi (R") for m in at.markdown), "each step says its rule"
    labels = [d.label for d in at.get("download_button")]
    assert "Fiche pour la personne (PDF)" in labels and "Dates du parcours (CSV)" in labels
    assert "Annexe conseiller : règles et sources (PDF)" in labels
    opened, closed = [t.value for t in at.table if "Statut" in t.value.columns][:2]
    assert {"Dispositif", "Statut"} <= set(opened.columns)
    assert opened["Statut"].str.match(r"^(✓ Éligible|⚠ Sur dérogation)$").all(), opened["Statut"]
    assert (closed["Statut"] == "✗ Non éligible").all(), closed["Statut"]
    assert "Contrat d'apprentissage" in {unescape(d) for d in closed["Dispositif"]}, "at 34, apprenticeship is not open to P02"
    assert any({"Qui paie", "Reste à charge"} <= set(t.value.columns) for t in at.table), "who pays each step is shown"
    assert any("Montant mensuel" in t.value.columns for t in at.table), "the income periods are shown"


def test_adviser_choosing_another_pathway_changes_the_detail(app_env):
    at = fill_p02(page("conseiller"))
    at.button(key="adv_submit").click().run()
    radio = at.radio(key="adv_choice")
    assert len(radio.options) >= 2, "P02 gets 2 to 3 pathways (README): nothing to choose between"
    first = [m.value for m in at.markdown if m.value.startswith("**Étape ")]
    radio.set_value(1).run()
    assert not at.exception
    assert any(s.value.startswith("Parcours 2 en détail") for s in at.subheader)
    assert [m.value for m in at.markdown if m.value.startswith("**Étape ")] != first or len(first) == 0


def test_adviser_incomplete_profile_gets_french_field_messages(app_env):
    at = page("conseiller")
    at.button(key="adv_submit").click().run()
    assert not at.exception
    found = [unescape(e.value) for e in at.error]
    assert any("Commune de résidence : à renseigner" in e for e in found), found
    assert any(e.startswith("Les parcours ne sont pas calculés") for e in found), found
    assert "Parcours proposés" not in [h.value for h in at.header]


def test_self_service_search_shows_cards_and_printable_summary(app_env):
    at = page("recherche")
    at.text_input(key="self_wish").input("cuisinier en restaurant")
    at.text_input(key="self_place_text").input("Limoges")
    at.run()
    at.button(key="self_search").click().run()
    assert not at.exception, [e.value for e in at.exception]
    if at.radio:  # "Vous cherchez : … ?" — the person picks the job (the first one proposed)
        from app_pages._shared import understand_wish

        at.radio[0].set_value(understand_wish("cuisinier en restaurant", k=3)["candidates"][0][0]).run()
    assert "Formations trouvées" in [h.value for h in at.header]
    assert any(m.value.startswith("Débouché") for m in at.markdown)
    assert any(m.value.startswith("Accessibilité") for m in at.markdown)
    assert any("](tel:" in m.value for m in at.markdown), "phone numbers are callable links"
    funding = [unescape(m.value) for m in at.markdown if m.value.startswith("Financement :")]
    assert funding and any("gratuite pour vous" in f for f in funding), "each session says who pays (issue 9)"
    assert at.get("download_button")[0].label == "Télécharger ma recherche (PDF)"


def test_self_service_never_pads_with_unrelated_offers_and_says_when_nothing_is_near(app_env):
    """"cariste" around Ussel: no cariste training within 30 km; the page says so and shows the nearest ones,
    all for that job (no florist, no ambulance driver to fill the page)."""
    at = page("recherche")
    at.text_input(key="self_wish").input("cariste")
    at.text_input(key="self_place_text").input("Ussel")
    at.run()
    at.button(key="self_search").click().run()
    assert not at.exception, [e.value for e in at.exception]
    info = [unescape(i.value) for i in at.info]
    assert any("Aucune formation « Cariste » ouverte à moins de 30 km de Ussel" in i for i in info), info
    titles = [unescape(m.value) for m in at.markdown if m.value.startswith("**") and "Cariste" not in m.value
              and not m.value.startswith("**À garder")]
    assert all(re.search(r"(?i)carist|logisti|magasin|entrep", t) for t in titles), titles
    distances = [float(d) for m in at.markdown for d in re.findall(r"\((\d+) km", unescape(m.value))]
    assert distances and min(distances) > 30


def test_self_service_unknown_commune_is_asked_not_searched(app_env):
    at = page("recherche")
    at.text_input(key="self_wish").input("cuisinier")
    at.text_input(key="self_place_text").input("Zzyzx-sur-Mer")
    at.run()
    at.button(key="self_search").click().run()
    assert any("Indiquez votre commune" in w.value for w in at.warning)
    assert "Formations trouvées" not in [h.value for h in at.header]


def test_self_service_asks_for_a_wish_first(app_env):
    at = page("recherche")
    at.button(key="self_search").click().run()
    assert at.warning and "métier" in at.warning[0].value
    assert "Formations trouvées" not in [h.value for h in at.header]


def test_rqth_page_filters_on_declared_accessibility(app_env):
    at = page("handicap")
    at.text_input(key="rqth_place_text").input("Bordeaux")
    at.run()
    at.button(key="rqth_search").click().run()
    assert not at.exception, [e.value for e in at.exception]
    count = next(s.value for s in at.subheader if "formation(s) correspondent" in s.value)
    assert int(count.split()[0]) >= 0
    referents = [unescape(m.value) for m in at.markdown if m.value.startswith("**Référent handicap**")]
    assert referents and all("non déclaré" not in r for r in referents), "each card leads with the named referent"
    assert any("](tel:" in r for r in referents)
    labels = [d.label for d in at.get("download_button")]
    assert labels == ["Exporter la sélection (PDF)", "Exporter la sélection (CSV)"]


def test_rqth_page_filters_offers_the_person_cannot_enter(app_env):
    at = page("handicap")
    at.text_input(key="rqth_place_text").input("Bordeaux")
    at.text_input(key="rqth_age").input("45")
    at.selectbox(key="rqth_level").set_value(3)
    at.run()
    at.button(key="rqth_search").click().run()
    assert not at.exception, [e.value for e in at.exception]
    closed = [e.label for e in at.expander if "écartée(s)" in e.label]
    assert closed, "offers closed to this profile are set aside and counted"
    assert any("projet professionnel doit d'abord être validé" in unescape(m.value) for m in at.markdown)


def test_catalogue_filters_narrow_the_list(app_env):
    from catalog.model import OfferKind

    at = page("catalogue")
    total_line = next(s.value for s in at.header if "offre(s) sur" in s.value)
    total = int(total_line.split()[-1])
    at.multiselect(key="cat_kinds").set_value([OfferKind.HSP_SOCLE]).run()
    assert not at.exception
    shown_line = next(s.value for s in at.header if "offre(s) sur" in s.value)
    shown = int(shown_line.split()[0])
    assert 0 < shown < total
    assert set(at.dataframe[0].value["Type"]) == {OfferKind.HSP_SOCLE.label}
    at.multiselect(key="cat_depts").set_value(["19"]).run()
    narrowed = int(next(s.value for s in at.header if "offre(s) sur" in s.value).split()[0])
    assert narrowed <= shown
    assert "Sources des données" in [t.label for t in at.tabs]


def _working_catalogue(folder: Path) -> bytes | None:
    from catalog.store import working_path

    path = working_path()
    assert folder in path.parents
    return path.read_bytes() if path.exists() else None


def test_import_broken_file_changes_nothing(app_env, monkeypatch):
    monkeypatch.setenv("ITINERAIRE_ADMIN_PASSWORD", "test-admin")
    before = _working_catalogue(app_env["folder"])
    at = page("importer", admin=True)
    at.file_uploader(key="imp_file").upload("offres.xml", b"<lheo><offres><formation>", "text/xml").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.error and "pas été modifié" in at.error[0].value
    assert not [b for b in at.button if b.key == "imp_confirm"], "nothing to confirm"
    assert _working_catalogue(app_env["folder"]) == before


def test_import_lheo_sample_then_confirm(app_env, monkeypatch):
    monkeypatch.setenv("ITINERAIRE_ADMIN_PASSWORD", "test-admin")
    sample = Path(__file__).parent / "fixtures" / "samples" / "lheo22_offres.xml"
    before = _working_catalogue(app_env["folder"])
    at = page("importer", admin=True)
    at.file_uploader(key="imp_file").upload(sample.name, sample.read_bytes(), "text/xml").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.metric[0].label == "Offres valides" and int(at.metric[0].value) >= 1
    assert _working_catalogue(app_env["folder"]) == before, "validation alone writes nothing"
    at.button(key="imp_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.success and "Import terminé" in at.success[-1].value
    after = _working_catalogue(app_env["folder"])
    assert after is not None and after != before
    app_env["reset"]()


def test_adviser_shows_local_market_and_close_jobs_and_picks_one_as_target(app_env):
    """Issue 12: the target job in the person's employment area, and for a health constraint the close
    jobs to study, each with source and year; "Étudier ce métier" makes one the job to confirm."""
    import zlib

    from assistant import sheet
    from assistant.schemes import Constraint

    at = fill_p02(page("conseiller"))
    at.multiselect(key="adv_constraints").set_value([Constraint.SANTE])
    at.text_input(key="adv_exp_job").input("maçon")
    at.text_input(key="adv_exp_months").input("120")
    at.button(key="adv_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    subheaders = [s.value for s in at.subheader]
    assert sheet.MARKET_HEADING in subheaders, subheaders
    lines = [unescape(m.value).replace("\\", "") for m in at.markdown]
    assert any("indicateurs de tension par bassin d'emploi, 2021" in m for m in lines)
    assert sheet.CLOSE_JOBS_HEADING in subheaders, subheaders
    result = at.session_state["adv_run"]["result"]
    with_outcomes = next(i for i, p in enumerate(result["pathways"]) if sheet.outcome_lines(p))
    at.radio(key="adv_choice").set_value(with_outcomes).run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [unescape(m.value).replace("\\", "") for m in at.markdown]
    assert f"**{sheet.OUTCOMES_HEADING}**" in shown
    for line in sheet.outcome_lines(result["pathways"][with_outcomes]):  # each figure, with its source
        assert f"- {line}" in shown, (line, shown)
        assert "sortants" in line or "démonstration" in line
    assert any("fiches mobilité" in m for m in lines)
    close_all = len([b for b in at.button if b.key and b.key.startswith("adv_close_")])
    at.checkbox(key="adv_close_other_family").check().run()  # the adviser's choice (health constraint)
    assert not at.exception, [e.value for e in at.exception]
    other = result["territory"]["close_jobs_other_family"]
    assert len([b for b in at.button if b.key and b.key.startswith("adv_close_")]) == len(other) < close_all
    at.button(key="adv_close_0").click().run()
    assert not at.exception, [e.value for e in at.exception]
    wish = at.text_input(key="adv_job_wish").value
    assert wish != "assistante de vie aux familles"
    radio = at.radio(key=f"adv_rome_{zlib.crc32(wish.lower().encode())}")
    assert radio.value is not None and len(radio.options) == 2  # the close job, and "none: I rephrase"

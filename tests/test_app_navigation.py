"""Navigation rules seen through AppTest: state kept across pages, administration separated, mobile entry."""

from __future__ import annotations

import zlib

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_app_forms import stand_ins  # noqa: F401  (fixture: no engine, no warm-up, planner recorded)

TIMEOUT = 120


def app() -> AppTest:
    at = AppTest.from_file("../streamlit_app.py", default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_page_switch_keeps_the_profile_and_its_results(stand_ins):  # noqa: F811
    at = app()
    assert at.title[0].value == "Rendez-vous conseiller"
    at.text_input(key="adv_age").input("34")
    at.text_input(key="adv_place_text").input("Ussel")
    at.checkbox(key="adv_moped").check()
    at.text_input(key="adv_job_wish").input("aide-soignante")
    at.run()
    at.radio(key=f"adv_rome_{zlib.crc32(b'aide-soignante')}").set_value("J1501").run()
    at.button(key="adv_submit").click().run()
    assert "Parcours proposés" in [h.value for h in at.header]
    at.switch_page("app_pages/catalogue.py").run()
    assert at.title[0].value == "Catalogue des formations"
    at.switch_page("app_pages/conseiller.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.text_input(key="adv_age").value == "34"
    assert at.text_input(key="adv_place_text").value == "Ussel"
    assert at.checkbox(key="adv_moped").value is True
    assert "Parcours proposés" in [h.value for h in at.header], "the results come back with their profile"
    assert len(stand_ins) == 1, "nothing is recomputed by coming back"


def test_no_importer_page_without_the_admin_secret(stand_ins, monkeypatch):  # noqa: F811
    monkeypatch.delenv("ITINERAIRE_ADMIN_PASSWORD", raising=False)
    at = app()
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # not registered at all
        at.switch_page("app_pages/importer.py")
    page = AppTest.from_file("../app_pages/importer.py", default_timeout=TIMEOUT)
    page.run()
    assert page.error and "aucun secret administrateur" in page.error[0].value
    assert not page.get("file_uploader"), "nothing that writes the catalogue is drawn"


def test_with_the_secret_the_importer_exists_but_stays_out_of_the_menu(stand_ins, monkeypatch):  # noqa: F811
    monkeypatch.setenv("ITINERAIRE_ADMIN_PASSWORD", "s3cret-admin")
    at = app()
    at.switch_page("app_pages/importer.py").run()
    assert at.title[0].value == "Administration" and not at.get("file_uploader")


def test_importer_asks_for_the_admin_secret(stand_ins, monkeypatch):  # noqa: F811
    monkeypatch.setenv("ITINERAIRE_ADMIN_PASSWORD", "s3cret-admin")
    page = AppTest.from_file("../app_pages/importer.py", default_timeout=TIMEOUT)
    page.run()
    assert not page.get("file_uploader")
    page.text_input(key="admin_password").input("wrong").run()
    assert page.error and "incorrect" in page.error[0].value and not page.get("file_uploader")
    page.text_input(key="admin_password").input("s3cret-admin").run()
    assert not page.exception, [e.value for e in page.exception]
    assert page.title[0].value == "Importer des offres de formation" and page.get("file_uploader")


def test_query_parameter_opens_the_jobseeker_page(stand_ins):  # noqa: F811
    at = AppTest.from_file("../streamlit_app.py", default_timeout=TIMEOUT)
    at.query_params["page"] = "recherche"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Je cherche une formation"

"""Importer page under concurrent writers, damaged catalogue and failed index builds (AppTest, no real index).

The index build is replaced by a stub: these tests are about the catalogue file,
not the language model, so they stay fast and run in CI with the rest.
"""

from __future__ import annotations

import errno

import pytest
from streamlit.testing.v1 import AppTest

from catalog import store
from catalog.store import Catalogue, load_catalogue, save_catalogue
from tests.test_store import make_offer

TIMEOUT = 60
CSV = ("id_offre;intitule;type_offre;id_session;date_debut;commune_insee\n"
       "APP-1;Formation importée 1;QUALIFIANT;S1;2027-01-04;64445\n"
       "APP-2;Formation importée 2;QUALIFIANT;S1;2027-02-01;33063\n")


@pytest.fixture
def env(data_dir, monkeypatch):
    import streamlit as st

    import indexes.store as index_store

    monkeypatch.setattr(store, "DEMO_PATH", data_dir / "absent-demo.jsonl.gz")
    monkeypatch.setenv("ITINERAIRE_ADMIN_PASSWORD", "test-admin")  # the Importer is an administrator page
    save_catalogue(Catalogue([make_offer(1), make_offer(2)], {"demo": True}))
    builds = []

    def fake_build(progress=None, **kw):
        builds.append(kw)
        if progress:
            progress(1, 1, "offres")
        return index_store.BuildReport(["offers"], ["jobs"], 2, {"offers": 2}, 0.01, "stub")

    monkeypatch.setattr(index_store, "build_default", fake_build)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield {"builds": builds, "index_store": index_store, "monkeypatch": monkeypatch}
    st.cache_resource.clear()


def importer() -> AppTest:
    at = AppTest.from_file("../app_pages/importer.py", default_timeout=TIMEOUT)
    at.session_state["admin_ok"] = True  # signed in as administrator (the secret check has its own tests)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def upload(at: AppTest) -> AppTest:
    at.file_uploader(key="imp_file").upload("offres.csv", CSV.encode(), "text/csv").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_confirm_merges_into_the_file_on_disk_not_the_cached_copy(env):
    at = upload(importer())  # the page has loaded (and cached) the 2-offer catalogue
    store.import_offers([make_offer(7, demo=False)])  # meanwhile, the CLI imports another offer
    at.button(key="imp_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.success and "Import terminé" in at.success[-1].value
    ids = {o.id for o in load_catalogue()}
    assert {"OF-001", "OF-002", "OF-007", "tableur:APP-1", "tableur:APP-2"} <= ids  # nothing lost
    assert env["builds"], "indexes updated after the write"


def test_damaged_catalogue_is_reported_and_restored_from_the_page(env):
    store.import_offers([make_offer(5, demo=False)])
    store.working_path().write_bytes(b"")
    at = importer()
    assert any("endommagé" in e.value or "vide" in e.value for e in at.error)
    assert any("Restaurer" in e.value for e in at.error)
    assert at.selectbox(key="imp_version").options
    at.button(key="imp_restore").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.success and "restaurée" in at.success[-1].value
    assert {o.id for o in load_catalogue()} == {"OF-001", "OF-002", "OF-005"}


def test_import_refused_on_a_damaged_catalogue_with_the_fix(env):
    at = upload(importer())
    store.working_path().write_bytes(b"\x1f\x8b garbage")
    at.button(key="imp_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    message = " ".join(e.value for e in at.error)
    assert "pas été modifié" in message and "restore" in message
    assert store.working_path().read_bytes() == b"\x1f\x8b garbage"


def test_full_disk_during_the_save_is_not_called_unreadable(env):
    at = upload(importer())

    def no_space(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    env["monkeypatch"].setattr(store.os, "fsync", no_space)
    at.button(key="imp_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    message = " ".join(e.value for e in at.error)
    assert "disque plein" in message and "illisible" not in message and "No space" not in message
    env["monkeypatch"].undo()


def test_failed_index_rebuild_keeps_the_import_and_says_so(env):
    index_store = env["index_store"]

    def failing_build(progress=None, **kw):
        raise index_store.IndexBuildError("Construction de l'index des offres impossible (disque plein) : "
                                          "l'index précédent reste en service.")

    env["monkeypatch"].setattr(index_store, "build_default", failing_build)
    at = upload(importer())
    at.button(key="imp_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("anciens index" in e.value for e in at.error)
    assert "tableur:APP-1" in {o.id for o in load_catalogue()}


def test_search_page_on_a_damaged_catalogue_advises_the_restore_not_an_index_build(env):
    import indexes.search as search

    store.working_path().write_bytes(b"")
    search.reset_search_engine()
    try:
        at = AppTest.from_file("../app_pages/recherche.py", default_timeout=TIMEOUT)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        message = " ".join(e.value for e in at.error)
        assert "endommagé" in message and "restore" in message and "indexes build" not in message
        assert all("/" + part not in message for part in ("tmp", "work", "srv"))
    finally:
        search.reset_search_engine()


def test_a_cli_write_gives_the_pages_a_fresh_search_engine(env):
    """Issue 13: after an import by the CLI (another process), the pages must not plan on the engine loaded
    for the previous catalogue: the engine is keyed by the catalogue version on disk."""
    import indexes.search as search
    from app_pages import _shared

    made = []
    env["monkeypatch"].setattr(search, "get_search_engine", lambda progress=None: made.append(1) or object())
    resets = []
    env["monkeypatch"].setattr(search, "reset_search_engine", lambda: resets.append(1))
    env["monkeypatch"].setattr(_shared, "_engine_versions", [])  # a fresh server process
    _shared._search_engine_at.clear()
    first = _shared.search_engine()
    assert _shared.search_engine() is first and resets == [], "same catalogue: the same engine"
    store.import_offers([make_offer(3)])  # what `python -m catalog import` does
    second = _shared.search_engine()
    assert second is not first and resets == [1], "a new catalogue version: a fresh engine"

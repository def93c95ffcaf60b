"""Adviser form behaviour that needs no search index (fast AppTest runs)."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

TIMEOUT = 120


def adviser() -> AppTest:
    at = AppTest.from_file("../app_pages/conseiller.py", default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_homonym_communes_are_offered_to_choose(monkeypatch, tmp_path):
    monkeypatch.setenv("ITINERAIRE_DATA_DIR", str(tmp_path))
    at = adviser()
    at.text_input(key="adv_place_text").input("Saint-Sulpice").run()
    choice = at.selectbox(key="adv_place_choice")
    assert len(choice.options) > 1
    depts = {re.search(r"\((\d\d\d\d\d)", o).group(1)[:2] for o in choice.options}
    assert len(depts) > 1, choice.options


def test_unknown_commune_says_so_in_french(monkeypatch, tmp_path):
    monkeypatch.setenv("ITINERAIRE_DATA_DIR", str(tmp_path))
    at = adviser()
    at.text_input(key="adv_place_text").input("Zzyzx-sur-Mer").run()
    assert at.warning and "Zzyzx" in re.sub(r"\\(.)", r"\1", at.warning[0].value)


def test_invalid_profile_is_reported_per_field_without_loading_the_engine(monkeypatch, tmp_path):
    import indexes.search as search

    monkeypatch.setenv("ITINERAIRE_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(search, "get_search_engine", lambda *a, **k: (_ for _ in ()).throw(AssertionError("loaded")))
    at = adviser()
    at.button(key="adv_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "incomplet" in at.error[0].value
    messages = [m.value for m in at.markdown if m.value.startswith("- ")]
    assert any("commune" in m for m in messages) and any("métier" in m for m in messages), messages
    assert "adv_result" not in at.session_state

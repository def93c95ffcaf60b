"""Jobseeker page questions that need no search index: not understood, "Vous cherchez : … ?", unknown commune."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from tests.test_app_forms import stand_ins  # noqa: F401  (fixture: no engine, no warm-up)


def search_page(wish: str, commune: str) -> AppTest:
    at = AppTest.from_file("../app_pages/recherche.py", default_timeout=120)
    at.run()
    at.text_input(key="self_wish").input(wish)
    at.text_input(key="self_place_text").input(commune)
    at.run()
    at.button(key="self_search").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def plain(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def test_not_understood_wish_asks_for_a_job_name(stand_ins, monkeypatch):  # noqa: F811
    import app_pages._shared as shared

    monkeypatch.setattr(shared, "understand_wish", lambda text, k=5: {"status": "not_understood", "candidates": [],
                                                                      "reason": "mots inconnus"})
    at = search_page("truc", "Limoges")
    assert any("Nous n'avons pas compris « truc » : essayez un métier, par exemple" in plain(w.value)
               for w in at.warning)
    assert "Formations trouvées" not in [h.value for h in at.header]


def test_vague_wish_asks_which_job_with_three_choices(stand_ins, monkeypatch):  # noqa: F811
    import app_pages._shared as shared

    cands = [("K1303", "Garde d'enfant à domicile", 1.0), ("K1202", "Éducateur de jeunes enfants", 0.99),
             ("J1304", "Auxiliaire de puériculture", 0.98), ("K2104", "Surveillant", 0.5)]
    monkeypatch.setattr(shared, "understand_wish", lambda text, k=5: {"status": "ambiguous", "candidates": cands,
                                                                      "reason": "plusieurs métiers possibles"})
    at = search_page("travailler avec des enfants", "Limoges")
    radio = at.radio[0]
    assert plain(radio.label) == "Vous cherchez : Garde d'enfant à domicile ?"
    assert radio.value is None and len(radio.options) == 4 and radio.options[-1] == "Aucun de ces métiers"
    assert "Formations trouvées" not in [h.value for h in at.header], "nothing is searched before the choice"


def test_unknown_commune_is_asked_again(stand_ins):  # noqa: F811
    at = search_page("cuisinier", "Zzyzx-sur-Mer")
    assert any("Indiquez votre commune" in w.value for w in at.warning)
    assert not at.radio and "Formations trouvées" not in [h.value for h in at.header]

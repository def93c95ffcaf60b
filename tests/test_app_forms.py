"""Adviser form behaviour that needs no search index (fast AppTest runs).

The job understanding and the planner are replaced by stand-ins that record their
calls, so these tests check the FORM: what it refuses, what it sends, what it keeps.
"""

from __future__ import annotations

import json
import re
import zlib
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

TIMEOUT = 120


@pytest.fixture
def stand_ins(monkeypatch, tmp_path):
    """understand_wish → two candidate jobs; assistant.plan → records the profile; no engine, no warm-up."""
    import assistant
    import app_pages._shared as shared
    import indexes.search as search

    monkeypatch.setenv("ITINERAIRE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ITINERAIRE_ADMIN_PASSWORD", raising=False)
    monkeypatch.setattr(search, "get_search_engine", lambda *a, **k: (_ for _ in ()).throw(AssertionError("loaded")))
    calls: list[dict] = []
    monkeypatch.setattr(shared, "understand_wish", lambda text, k=5: {
        "status": "ok", "reason": None,
        "candidates": [("J1501", "Soins d'hygiène, de confort du patient", 0.9), ("K1302", "Assistance auprès "
                                                                                        "d'adultes", 0.6)]})
    monkeypatch.setattr(shared, "engine_or_stop", lambda: SimpleNamespace(catalogue=None))
    monkeypatch.setattr(shared, "warm_up", lambda: None)

    def fake_plan(profile, catalogue=None, **kw):
        calls.append(profile)
        return {"pathways": [], "warnings": ["Aucun parcours (plan de test)."], "eligibility": [], "referent": {}}

    monkeypatch.setattr(assistant, "plan", fake_plan)
    return calls


def adviser() -> AppTest:
    at = AppTest.from_file("../app_pages/conseiller.py", default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def errors(at: AppTest) -> list[str]:
    return [re.sub(r"\\(.)", r"\1", e.value) for e in at.error]


def fill_valid(at: AppTest, age: str = "34") -> AppTest:
    at.text_input(key="adv_age").input(age)
    at.text_input(key="adv_place_text").input("Ussel")
    at.text_input(key="adv_job_wish").input("aide-soignante")
    at.run()
    rome_key = f"adv_rome_{zlib.crc32('aide-soignante'.encode())}"
    at.radio(key=rome_key).set_value("J1501").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_homonym_communes_are_offered_to_choose(stand_ins):
    at = adviser()
    at.text_input(key="adv_place_text").input("Saint-Sulpice").run()
    choice = at.selectbox(key="adv_place_choice")
    assert len(choice.options) > 1 and choice.value is None, "nothing is chosen for the adviser"
    depts = {re.search(r"\((\d\d\d\d\d)", o).group(1)[:2] for o in choice.options}
    assert len(depts) > 1, choice.options


def test_unknown_commune_says_so_in_french(stand_ins):
    at = adviser()
    at.text_input(key="adv_place_text").input("Zzyzx-sur-Mer").run()
    assert at.warning and "Zzyzx" in re.sub(r"\\(.)", r"\1", at.warning[0].value)


def test_empty_form_is_refused_field_by_field_without_loading_the_engine(stand_ins):
    at = adviser()
    at.button(key="adv_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    found = errors(at)
    for field in ("Âge : à renseigner", "Commune de résidence : à renseigner", "Métier souhaité : à renseigner"):
        assert any(field in e for e in found), (field, found)
    assert any(e.startswith("Les parcours ne sont pas calculés") for e in found), found
    assert stand_ins == [] and "adv_run" not in at.session_state


@pytest.mark.parametrize("typed, message", [("130", "130 ans est hors des valeurs possibles (de 15 à 99 ans)"),
                                            ("5", "5 ans est hors des valeurs possibles"),
                                            ("trente", "« trente » n'est pas un nombre entier")])
def test_invalid_age_blocks_the_plan_and_is_never_replaced(stand_ins, typed, message):
    at = fill_valid(adviser(), age=typed)
    at.button(key="adv_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(message in e for e in errors(at)), errors(at)
    assert stand_ins == [], "no plan is computed for an invalid age"
    assert "Parcours proposés" not in [h.value for h in at.header]
    # fixed: the plan is computed with exactly the typed age and the confirmed job
    at.text_input(key="adv_age").input("34").run()
    at.button(key="adv_submit").click().run()
    assert len(stand_ins) == 1 and stand_ins[0]["age"] == 34
    assert stand_ins[0]["wish_romes"] == ["J1501"] and stand_ins[0]["wish"] == "aide-soignante"
    assert "Parcours proposés" in [h.value for h in at.header]


def test_job_must_be_confirmed_before_planning(stand_ins):
    at = adviser()
    at.text_input(key="adv_age").input("34")
    at.text_input(key="adv_place_text").input("Ussel")
    at.text_input(key="adv_job_wish").input("aide-soignante")
    at.run()
    radio = at.radio(key=f"adv_rome_{zlib.crc32(b'aide-soignante')}")
    assert radio.value is None
    assert any("(J1501)" in o for o in radio.options) and any("(K1302)" in o for o in radio.options)
    at.button(key="adv_submit").click().run()
    assert stand_ins == [] and any("Métier retenu : à renseigner" in e for e in errors(at)), errors(at)


def test_new_appointment_fields_reach_the_profile(stand_ins):
    from assistant.schemes import ContractKind, IncomeSupport, Organisation

    at = fill_valid(adviser())
    at.selectbox(key="adv_followed").set_value(Organisation.MISSION_LOCALE)
    at.selectbox(key="adv_income").set_value(IncomeSupport.ARE)  # an ARE end date needs ARE (profile check)
    at.text_input(key="adv_birth").input("03/1992")
    at.text_input(key="adv_are_end").input("31/05/2027")
    at.text_input(key="adv_cpf").input("1 250,50")
    at.selectbox(key="adv_contract_kind").set_value(ContractKind.CDD)
    at.text_input(key="adv_contract_end").input("30/09/2026")
    at.checkbox(key="adv_moped").check()
    at.run()
    at.button(key="adv_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    sent = stand_ins[-1]
    assert sent["followed_by"] == "Mission Locale" and sent["mobility"]["moped"] is True
    # fields of newer contracts are sent when the assistant knows them, else named on the page
    shown = " ".join(c.value for c in at.caption)
    for key, words in (("birth_date", "mois de naissance"), ("cpf_balance_eur", "solde CPF"),
                       ("income_support_end", "fin de l'ARE"), ("last_contract", "dernier contrat")):
        assert key in sent or words in shown.replace("\\", ""), (key, shown)
    if "cpf_balance_eur" in sent:
        assert sent["cpf_balance_eur"] == 1250.5 and sent["last_contract"] == {"kind": "cdd", "end": "2026-09-30"}


def test_age_contradicting_the_birth_month_is_refused(stand_ins):
    at = fill_valid(adviser(), age="20")
    at.text_input(key="adv_birth").input("03/1992").run()
    at.button(key="adv_submit").click().run()
    assert stand_ins == [] and any("ne correspond pas au mois de naissance" in e for e in errors(at)), errors(at)


def test_results_are_hidden_when_the_profile_changes(stand_ins):
    at = fill_valid(adviser())
    at.button(key="adv_submit").click().run()
    assert "Parcours proposés" in [h.value for h in at.header]
    at.text_input(key="adv_age").input("35").run()
    assert "Parcours proposés" not in [h.value for h in at.header]
    assert any("Le profil a changé" in i.value for i in at.info)


def test_a_saved_profile_file_is_resumed(stand_ins):
    at = adviser()
    saved = {"format": "itineraire-profil", "version": 1,
             "form": {"adv_age": "41", "adv_place_text": "Tulle", "adv_moped": True, "adv_income": "RSA"}}
    at.file_uploader(key="adv_resume").upload("profil-itineraire.json", json.dumps(saved).encode(),
                                              "application/json").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.text_input(key="adv_age").value == "41" and at.text_input(key="adv_place_text").value == "Tulle"
    assert at.checkbox(key="adv_moped").value is True and at.selectbox(key="adv_income").value.value == "RSA"
    assert at.success and "Profil repris" in at.success[0].value


def test_a_resumed_file_with_its_confirmed_job_plans_without_retyping(stand_ins):
    rome_key = f"adv_rome_{zlib.crc32(b'aide-soignante')}"
    saved = {"format": "itineraire-profil", "version": 1,
             "form": {"adv_age": "34", "adv_place_text": "Ussel", "adv_job_wish": "aide-soignante", rome_key: "J1501",
                      "adv_moped": True, "adv_gaps": ["lecture_ecriture", "inconnu"]}}
    at = adviser()
    at.file_uploader(key="adv_resume").upload("profil-itineraire.json", json.dumps(saved).encode(),
                                              "application/json").run()
    at.button(key="adv_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    sent = stand_ins[-1]
    assert sent["age"] == 34 and sent["wish_romes"] == ["J1501"] and sent["mobility"]["moped"] is True
    assert sent["basic_skills_gaps"] == ["lecture_ecriture"], "unknown values in a file are left out"


def test_a_foreign_file_is_refused_in_french(stand_ins):
    at = adviser()
    at.file_uploader(key="adv_resume").upload("autre.json", b'{"a": 1}', "application/json").run()
    assert any("Fichier non repris" in e for e in errors(at)), errors(at)


@pytest.mark.parametrize("scores, status", [((1.0, 0.35), "ok"), ((1.0, 0.98), "ambiguous"), ((0.44, 0.41), "weak"),
                                            ((0.2, 0.2), "not_understood"), ((), "not_understood")])
def test_wish_understanding_fallback_rule(monkeypatch, scores, status):
    """Without the search branch's understand_jobs, the job scores decide: clear, several, a guess, nothing."""
    import app_pages._shared as shared
    import indexes.search as search

    monkeypatch.delattr(search, "understand_jobs", raising=False)
    hits = [SimpleNamespace(rome=f"K130{i}", label=f"Métier {i}", score=s) for i, s in enumerate(scores)]
    monkeypatch.setattr(shared, "search_engine", lambda: SimpleNamespace(search_jobs=lambda text, k=5: hits))
    assert shared._understand_wish("souhait", 5)["status"] == status


def test_wish_understanding_uses_the_search_contract_when_present(monkeypatch):
    import app_pages._shared as shared
    import indexes.search as search

    hit = SimpleNamespace(rome="J1501", label="Aide-soignant", score=0.9)
    found = SimpleNamespace(query="q", understood=True, reason="plusieurs métiers possibles", ambiguous=True,
                            results=[hit])
    monkeypatch.setattr(search, "understand_jobs", lambda text, k=5: found, raising=False)
    out = shared._understand_wish("aide soignante", 5)
    assert out["status"] == "ambiguous" and out["candidates"][0][0] == "J1501"
    found.understood, found.ambiguous = False, False
    assert shared._understand_wish("truc", 5)["status"] == "not_understood"


def test_no_plan_when_the_job_search_is_unavailable(stand_ins, monkeypatch):
    import app_pages._shared as shared

    monkeypatch.setattr(shared, "understand_wish", lambda text, k=5: (_ for _ in ()).throw(RuntimeError("index")))
    at = adviser()
    at.text_input(key="adv_age").input("34")
    at.text_input(key="adv_place_text").input("Ussel")
    at.text_input(key="adv_job_wish").input("aide-soignante")
    at.run()
    at.button(key="adv_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert stand_ins == [] and any("Métier souhaité" in e for e in errors(at)), errors(at)


def test_unknown_newer_fields_are_named_not_silently_dropped():
    from app_pages._shared import drop_unknown_fields

    base = {"age": 34, "commune": "Ussel", "wish": "cariste", "wish_romes": ["N1101"]}
    sent, dropped = drop_unknown_fields({**base, "futur_champ": 1}, {"futur_champ"})
    assert "futur_champ" not in sent and dropped == ["futur_champ"]
    sent, dropped = drop_unknown_fields({**base, "age": 130, "futur_champ": 1}, {"futur_champ"})
    assert dropped == ["futur_champ"] and sent["age"] == 130, "other problems are left for the parser to report"
    sent, dropped = drop_unknown_fields(dict(base), {"futur_champ"})
    assert sent == base and dropped == []

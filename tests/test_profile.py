"""Profile validation (French messages naming each field, all problems at once), round trip,
derived facts, and dated parameters."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant.parameters import ParameterError, load_parameters, param, param_source, parameters
from assistant.profile import Profile, ProfileError, parse_profile
from assistant.schemes import BasicSkillGap, IncomeSupport, Status

MIN = {"age": 42, "commune": "Pau", "wish": "secrétaire assistante"}

FULL = {
    "age": 42, "status": "demandeur_emploi", "registered_france_travail": True, "registration_months": 8,
    "income_support": "ARE", "level_validated": 3, "level_reached": 4,
    "diplomas": [{"title": "CAP cuisine", "level": 3, "year": 2003}],
    "foreign_diploma_unrecognised": False,
    "experience": [{"job": "cuisinier", "rome": "G1602", "months": 180, "last_year": 2025}],
    "rqth": True, "qpv": False, "zrr": False, "commune": "Pau",
    "mobility": {"max_km": 30, "driving_licence": True, "car": True, "public_transport": False},
    "availability": {"part_time_only": False, "earliest_start": "2026-12-01"},
    "basic_skills_gaps": ["lecture_ecriture", "calcul", "numerique", "francais_langue_etrangere"],
    "french_level": "B2", "project_validated": True, "wish": "secrétaire assistante",
    "last_region_training_end": None, "last_region_training_rome": None,
    "hiring_offer": False, "single_parent": False, "constraints": ["garde_enfants", "logement", "sante"],
    "wish_romes": ["M1607"], "followed_by": "Cap Emploi",
    "employment_contract": None, "wants_alternance": None,
}


def problems(data) -> dict[str, str]:
    with pytest.raises(ProfileError) as err:
        parse_profile(data)
    return dict(err.value.problems)


def test_contract_example_parses_and_round_trips():
    p = parse_profile(FULL)
    assert p.income_support == IncomeSupport.ARE and p.basic_skills_gaps[3] == BasicSkillGap.FLE
    assert p.availability.earliest_start == date(2026, 12, 1)
    assert parse_profile(p.to_dict()) == p


def test_minimal_profile_gets_defaults():
    p = parse_profile(MIN)
    assert p.status == Status.DEMANDEUR_EMPLOI and p.registered_france_travail is True
    assert p.level_validated == 0 and p.level_reached == 0 and p.diplomas == []
    assert p.mobility.max_km is None
    today = date(2026, 11, 26)
    assert p.search_radius_km(today) == param("mobility.search_radius_km", today)
    assert parse_profile(p.to_dict()) == p


def test_registration_default_follows_status():
    assert parse_profile({**MIN, "status": "salarie"}).registered_france_travail is False
    assert parse_profile({**MIN, "status": "csp"}).registered_france_travail is True


@pytest.mark.parametrize("field, value, fragment", [
    ("age", 14, "entier entre 15 et 99"),
    ("age", "42", "entier"),
    ("age", True, "entier"),
    ("commune", "  ", "texte non vide"),
    ("wish", 3, "texte"),
    ("status", "chomeur", "valeurs possibles"),
    ("income_support", "APL", "valeurs possibles"),
    ("level_validated", 9, "entre 0 et 8"),
    ("level_reached", -1, "entre 0 et 8"),
    ("rqth", "oui", "vrai ou faux"),
    ("registration_months", -2, "entier"),
    ("basic_skills_gaps", ["lecture"], "valeurs possibles"),
    ("basic_skills_gaps", "calcul", "liste"),
    ("constraints", ["argent"], "valeurs possibles"),
    ("french_level", "B3", "valeurs possibles"),
    ("wish_romes", ["G16"], "code ROME"),
    ("last_region_training_end", "12/03/2025", "date AAAA-MM-JJ"),
    ("last_region_training_rome", "cuisine", "code ROME"),
    ("followed_by", "Pôle emploi", "valeurs possibles"),
    ("mobility", "voiture", "objet JSON"),
    ("unknown_field", 1, "champ inconnu"),
])
def test_each_invalid_field_gets_a_french_message_naming_it(field, value, fragment):
    found = problems({**MIN, field: value})
    assert len(found) == 1
    (name, message), = found.items()
    assert name == field or name.startswith(f"{field}[")
    assert fragment in message


def test_age_message_uses_the_french_field_name():
    with pytest.raises(ProfileError) as err:
        parse_profile({**MIN, "age": 120})
    assert err.value.messages == ["âge : doit être un entier entre 15 et 99"]


def test_nested_fields_are_named_with_their_path():
    found = problems({**MIN, "diplomas": [{"title": "CAP", "level": 3}, {"level": 12}],
                      "experience": [{"job": "x", "months": "beaucoup"}],
                      "mobility": {"max_km": -5, "vélo": True},
                      "availability": {"earliest_start": "demain"},
                      "employment_contract": {"kind": "freelance"}})
    assert set(found) == {"diplomas[1].level", "diplomas[1].title", "experience[0].months", "mobility.max_km",
                          "mobility.vélo", "availability.earliest_start", "employment_contract.kind"}


def test_all_problems_reported_at_once_and_nothing_required_is_silently_dropped():
    found = problems({"age": 200, "status": "x", "level_validated": 2, "level_reached": 1})
    assert {"age", "status", "commune", "wish", "level_reached"} <= set(found)


def test_cross_field_checks():
    assert "level_validated" in problems({**MIN, "level_validated": 3, "diplomas": [{"title": "BTS", "level": 5}]})
    assert "income_support" in problems({**MIN, "status": "sans_activite", "income_support": "ARE"})
    assert "worked_months_last_24" in problems({**MIN, "worked_months_last_12": 8, "worked_months_last_24": 4})


def test_not_a_dict():
    with pytest.raises(ProfileError):
        parse_profile(["age", 3])


def test_bac_general_is_not_a_vocational_qualification():
    p = parse_profile({**MIN, "level_validated": 4, "diplomas": [{"title": "Baccalauréat général", "level": 4, "year": 2016}]})
    assert not p.diplomas[0].is_vocational
    assert p.is_level_obsolete(date(2026, 1, 1)) is None
    q = parse_profile({**MIN, "level_validated": 4, "diplomas": [{"title": "Bac pro commerce", "level": 4, "year": 2016}]})
    assert q.diplomas[0].is_vocational


def test_obsolescence_unknown_without_a_field():
    p = parse_profile({**MIN, "level_validated": 3, "diplomas": [{"title": "CAP ABC", "level": 3, "year": 2000}]})
    assert p.is_level_obsolete(date(2026, 1, 1)) is None


def test_obsolescence_from_diploma_field_without_any_experience():
    p = parse_profile({**MIN, "level_validated": 4, "diplomas": [{"title": "Bac pro", "level": 4, "year": 2023, "month": 6, "romes": ["G1602"]}]})
    assert p.is_level_obsolete(date(2025, 5, 31)) is False
    assert p.is_level_obsolete(date(2025, 6, 1)) is True


# --------------------------------------------------------------------------- parameters


def test_a_parameter_changes_on_its_start_date():
    assert param("smic.monthly_gross", date(2025, 12, 31)) != param("smic.monthly_gross", date(2026, 1, 1))
    assert param("prepa_app.national_programme_active", date(2024, 12, 31)) is True
    assert param("prepa_app.national_programme_active", date(2025, 1, 1)) is False
    assert param("cej.ft_registration_required", date(2025, 1, 1)) is True


def test_no_value_before_the_first_start():
    with pytest.raises(ParameterError):
        param("rps.monthly.26_plus", date(2018, 12, 31))
    assert param("rps.monthly.26_plus", date(2021, 4, 30)) == 401.09  # scale before decree 2021-522
    assert param("rps.monthly.26_plus", date(2021, 5, 1)) == 685


def test_unknown_parameter():
    with pytest.raises(ParameterError):
        param("rps.monthly.nope", date(2026, 1, 1))


def test_every_parameter_is_documented_and_sourced():
    for name, p in parameters().items():
        assert p.description and p.unit and p.reference, name
        assert all(v.source for v in p.values), name


def test_source_line_names_the_date():
    assert "01/05/2021" in param_source("rps.monthly.26_plus", date(2026, 1, 1))


@pytest.mark.parametrize("body, message", [
    ('[a]\nvalues = [{ start = 2024-01-01, value = 1 }]\n', "source"),
    ('[a]\nvalues = [{ start = 2024-01-01, value = 1, source = "s" }, { start = 2023-01-01, value = 2, source = "s" }]\n', "increasing"),
    ('[a]\nvalues = []\n', "non-empty"),
    ('a = 3\n', "parameter table"),
])
def test_malformed_parameter_files_are_rejected(tmp_path: Path, body, message):
    path = tmp_path / "p.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ParameterError, match=message):
        load_parameters(path)


def test_profile_is_plain_data():
    assert Profile(age=30, commune="Pau", wish="x").to_dict()["age"] == 30


# --------------------------------------------------------------------------- robustness

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from assistant.eligibility import evaluate, rules_fired  # noqa: E402

_json = st.recursive(st.none() | st.booleans() | st.integers(-5, 300) | st.text(max_size=8),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
                     max_leaves=6)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(sorted(FULL) + ["experience", "diplomas"]), _json, max_size=6))
def test_any_json_gives_a_profile_or_a_profile_error(overrides):
    """Bad input never crashes with a Python error: it is a ProfileError naming fields."""
    try:
        parse_profile({**MIN, **overrides})
    except ProfileError as err:
        assert err.problems and all(name and msg for name, msg in err.problems)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(age=st.integers(15, 99), level=st.integers(0, 8), status=st.sampled_from([s.value for s in Status]),
       rqth=st.booleans(), support=st.sampled_from(["ARE", "RSA", "ASS", "AAH", "aucun"]), months=st.integers(0, 40),
       project=st.booleans(), gaps=st.lists(st.sampled_from([g.value for g in BasicSkillGap]), max_size=2, unique=True))
def test_every_valid_profile_gets_a_reasoned_status_for_every_scheme(age, level, status, rqth, support, months, project, gaps):
    registered = status in ("demandeur_emploi", "csp")
    months = min(months, (age - param("profile.min_working_age", date(2026, 11, 26))) * 12)  # a possible profile
    if support in ("ARE", "ASS") and not registered:
        support = "aucun"
    p = parse_profile({**MIN, "age": age, "level_validated": level, "status": status, "rqth": rqth, "income_support": support,
                       "registration_months": months if registered else 0, "project_validated": project, "basic_skills_gaps": gaps})
    today = date(2026, 11, 26)
    for e in evaluate(p, today):
        assert e.reasons, e.scheme
        assert (e.derogation is not None) == (e.status.value == "derogation")
    fired = rules_fired(p, today)
    assert "R-DIAG" in fired and ("R-RQTH" in fired) == rqth


def test_validated_level_defaults_to_the_highest_diploma():
    p = parse_profile({**MIN, "diplomas": [{"title": "CAP cuisine", "level": 3}, {"title": "BP cuisine", "level": 4}]})
    assert p.level_validated == 4 and p.level_reached == 4

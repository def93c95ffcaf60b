"""Issue 8, section 3: every invariant checked on every pathway of generated profiles.

Hypothesis builds valid random profiles (all statuses, ages 15-67 or a birth month,
levels 0-8, RQTH, part time / school hours, the 12 departments, licence / car /
public transport / moped, basic-skills gaps, FLE levels, experiences, past Region
training, hiring offers...) and plans them on the demo catalogue. The target job is
given by ROME code (`wish_romes` or `confirmed_rome`), so no language model loads.

Profile count: `ITINERAIRE_PROPERTY_PROFILES` (default 300, about 20 s on
2 shared cores; `ITINERAIRE_PROPERTY_PROFILES=5000` for the thorough run recorded in
docs/benchmarks.md). The checker itself is `assistant.planner.invariants`.
"""

from __future__ import annotations

import os
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant import plan
from assistant.planner.invariants import check_plan
from assistant.profile import ProfileError, parse_profile
from assistant.schemes import BasicSkillGap, Constraint, FrenchLevel, Status
from tests.test_personas import demo  # noqa: F401 - session fixture

TODAY = date(2026, 11, 26)
PROFILES = int(os.environ.get("ITINERAIRE_PROPERTY_PROFILES", "300"))
# one commune per department (INSEE codes), plus rural ones
COMMUNES = ["16015", "17300", "19272", "23096", "24322", "33063", "40192", "47001", "64445", "79191", "86194",
            "87085", "Aubusson", "Lacanau", "Oloron-Sainte-Marie", "Bergerac"]
# target jobs with sessions in the demo catalogue, and some without
ROMES = ["J1501", "K1302", "G1602", "G1603", "F1602", "F1703", "N1103", "N1101", "M1607", "D1214", "D1505",
         "K2204", "A1416", "I1304", "H2913", "M1203", "K2111", "J1301", "N4101", "G1204", "M1805", "F1603"]


@st.composite
def profiles(draw) -> dict:
    status = draw(st.sampled_from([s.value for s in Status]))
    age = draw(st.integers(15, 67))
    working_months = max(0, age - 14) * 12
    level = draw(st.integers(0, 8))
    registered = status in ("demandeur_emploi", "csp")
    data: dict = {"age": age, "commune": draw(st.sampled_from(COMMUNES)), "wish": "métier visé", "status": status,
                  "level_validated": level}
    if draw(st.booleans()):
        data["birth_date"] = f"{TODAY.year - age - (1 if draw(st.booleans()) else 0)}-{draw(st.integers(1, 12)):02d}"
        data.pop("age")
        data["age"] = _age_from(data["birth_date"])
        if not 15 <= data["age"] <= 99:
            data.pop("birth_date")
            data["age"] = age
    rome = draw(st.sampled_from(ROMES))
    if draw(st.booleans()):
        data["confirmed_rome"] = rome
    else:
        data["wish_romes"] = [rome]
    if level >= 3 and draw(st.integers(0, 4)):
        data["diplomas"] = [{"title": draw(st.sampled_from(["CAP cuisine", "Bac pro commerce", "BTS MUC",
                                                            "Titre professionnel agent de propreté", "Licence"])),
                             "level": level, "year": draw(st.integers(min(TODAY.year - age + 16, TODAY.year), TODAY.year))}]
    elif level >= 3:
        data["foreign_diploma_unrecognised"] = True
    if draw(st.booleans()) and working_months:
        exp = []
        for _ in range(draw(st.integers(1, 2))):
            months = draw(st.integers(0, max(0, min(working_months // 2, 240))))
            exp.append({"job": "expérience", "rome": draw(st.sampled_from(ROMES)), "months": months,
                        "last_year": draw(st.integers(max(1990, TODAY.year - age + 14), TODAY.year))})
        data["experience"] = exp
    if registered:
        data["registration_months"] = draw(st.integers(0, min(48, working_months)))
        data["income_support"] = draw(st.sampled_from(["ARE", "RSA", "ASS", "AAH", "aucun"]))
    else:
        data["income_support"] = draw(st.sampled_from(["RSA", "AAH", "aucun"]))
    data["rqth"] = draw(st.booleans())
    mob = {"driving_licence": data["age"] >= 17 and draw(st.booleans()), "public_transport": draw(st.booleans()),
           "moped": draw(st.booleans())}
    mob["car"] = mob["driving_licence"] and draw(st.booleans())
    if draw(st.booleans()):
        mob["max_km"] = draw(st.integers(5, 80))
    data["mobility"] = mob
    data["availability"] = {"part_time_only": draw(st.booleans())}
    data["basic_skills_gaps"] = draw(st.lists(st.sampled_from([g.value for g in BasicSkillGap]), max_size=3, unique=True))
    data["french_level"] = draw(st.sampled_from([None] + [f.value for f in FrenchLevel]))
    data["project_validated"] = draw(st.booleans())
    data["constraints"] = draw(st.lists(st.sampled_from([c.value for c in Constraint]), max_size=2, unique=True))
    data["hiring_offer"] = draw(st.booleans()) and draw(st.booleans())
    data["single_parent"] = draw(st.booleans())
    data["qpv"], data["zrr"] = draw(st.booleans()), draw(st.booleans())
    data["wants_alternance"] = draw(st.sampled_from([None, True, False]))
    if draw(st.integers(0, 5)) == 0:
        data["last_region_training_end"] = draw(st.sampled_from(["2025-09-30", "2026-03-15", "2024-01-31"]))
        data["last_region_training_rome"] = draw(st.sampled_from(ROMES))
    if status in ("salarie", "salarie_iae") and draw(st.booleans()):
        data["employment_contract"] = {"kind": "cdi", "company_months": min(36, working_months),
                                       "employee_months": min(60, working_months), "rome": draw(st.sampled_from(ROMES))}
    return data


def _age_from(birth: str) -> int:
    y, m = (int(x) for x in birth.split("-"))
    born = date(y, m, 1)
    return TODAY.year - born.year - ((TODAY.month, TODAY.day) < (born.month, born.day))


@settings(max_examples=PROFILES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(data=profiles())
def test_every_pathway_of_every_generated_profile_keeps_the_invariants(demo, data):  # noqa: F811
    try:
        prof = parse_profile(data, TODAY)
    except ProfileError:  # the generator made an inconsistent profile: the checks refuse it, as they must
        return
    result = plan(data, TODAY, catalogue=demo)
    assert result["status"] in ("ok", "hors_region")
    violations = check_plan(prof, result, demo, TODAY)
    assert not violations, (data, violations)


@settings(max_examples=max(10, PROFILES // 10), deadline=None, database=None)
@given(commune=st.sampled_from(["Toulouse", "Paris", "Lyon", "31000", "75011", "Nantes (44)", "Zzyzx"]),
       age=st.integers(16, 60))
def test_outside_the_region_no_region_offer_and_a_french_message(demo, commune, age):  # noqa: F811
    result = plan({"age": age, "commune": commune, "wish": "x", "wish_romes": ["J1501"]}, TODAY, catalogue=demo)
    assert result["status"] == "hors_region" and result["pathways"] == []
    assert "Nouvelle-Aquitaine" in result["message"]
    elig = {e["scheme"]: e for e in result["eligibility"]}
    for scheme in ("QUALIFIANT", "HSP_1NQ", "HSP_SOCLE", "AMORCE"):  # the Region's schemes are closed (R-RES)
        assert elig[scheme]["status"] == "not_eligible" and elig[scheme]["reasons"][0]["rule"] == "R-RES"


@pytest.mark.parametrize("data", [
    {"age": 16, "experience": [{"job": "x", "months": 240}]},
    {"age": 16, "mobility": {"driving_licence": True}},
    {"age": 30, "diplomas": [{"title": "CAP", "level": 3, "year": 2027}]},
    {"age": 30, "last_region_training_end": "2027-01-01"},
    {"age": 30, "birth_date": "1970-05"},
    {"age": 20, "registration_months": 120},
])
def test_contradictions_are_errors_naming_the_fields(data):
    """Invariant 14: contradictions are never silently accepted."""
    with pytest.raises(ProfileError) as err:
        parse_profile({"commune": "Pau", "wish": "x", **data}, TODAY)
    named = {name.split("[")[0].split(".")[0] for name, _ in err.value.problems}
    assert named & set(data), err.value.problems


def test_level_without_any_diploma_is_a_warning_naming_the_field(demo):  # noqa: F811
    result = plan({"age": 30, "commune": "Pau", "wish": "x", "wish_romes": ["J1501"], "level_validated": 5},
                  TODAY, catalogue=demo)
    assert any(w.startswith("level_validated") for w in result["warnings"])


# --------------------------------------------------------------------------- the checker itself can fail


def _base(demo):  # noqa: F811
    data = {"age": 30, "commune": "Pau", "wish": "x", "wish_romes": ["J1501"], "status": "demandeur_emploi",
            "registration_months": 6, "level_validated": 3, "project_validated": True,
            "diplomas": [{"title": "CAP vente", "level": 3, "year": 2015}],
            "mobility": {"driving_licence": True, "car": True, "public_transport": True}}
    result = plan(data, TODAY, catalogue=demo)
    assert result["pathways"] and not check_plan(parse_profile(data, TODAY), result, demo, TODAY)
    return data, result


def _numbers(demo, data, result):  # noqa: F811
    return {n for n, _ in check_plan(parse_profile(data, TODAY), result, demo, TODAY)}


def test_the_checker_catches_broken_plans(demo):  # noqa: F811
    import copy

    data, good = _base(demo)
    steps = lambda r: r["pathways"][0]["steps"]  # noqa: E731

    bad = copy.deepcopy(good)  # a VAE without any experience
    steps(bad).insert(1, {**steps(bad)[0], "kind": "VAE", "next_actions": [], "rome": None})
    assert 1 in _numbers(demo, data, bad)

    bad = copy.deepcopy(good)  # a step starting before the previous one ends
    steps(bad)[1]["start"] = steps(bad)[0]["start"]
    assert 4 in _numbers(demo, data, bad)

    bad = copy.deepcopy(good)  # a deadline on a Sunday
    steps(bad)[1]["next_actions"] = [{"action": "x", "deadline": "2027-01-03"}]
    assert 5 in _numbers(demo, data, bad)

    bad = copy.deepcopy(good)  # a Region training beyond the radius
    main = next(s for s in steps(bad) if s["offer_id"])
    main["distance_km"] = 80.0
    assert 6 in _numbers(demo, data, bad)

    gap = {**data, "basic_skills_gaps": ["calcul"]}  # a gap with no socle step before the qualifying step
    assert 8 in _numbers(demo, gap, good)

    novice = {**data, "project_validated": False}  # a project not validated, no discovery step
    assert 9 in _numbers(demo, novice, good)

    bad = copy.deepcopy(good)  # discovery in another sector (hotel trades before a nursing-assistant title)
    amorce = next(o for o in demo.offers.values() if o.kind.name == "AMORCE" and "J1501" not in o.rome_codes
                  and "restauration" in o.title)
    steps(bad).insert(1, {**steps(bad)[0], "kind": "AMORCE", "offer_id": amorce.id, "next_actions": []})
    found = check_plan(parse_profile(novice, TODAY), bad, demo, TODAY)
    assert any(n == 9 and "Amorce outside the target job" in m for n, m in found), found

    bad = copy.deepcopy(good)  # a route neither proposed nor explained
    bad["not_proposed"] = [r for r in bad["not_proposed"] if r["route"] != "vae"]
    bad["pathways"] = [p for p in bad["pathways"] if p["key"] != "vae"]
    assert 16 in _numbers(demo, data, bad)

    bad = copy.deepcopy(good)  # a step toward another job, unannounced
    main = next(s for s in steps(bad) if s.get("rome"))
    main["rome"] = "M1805"
    assert 0 in _numbers(demo, data, bad)


def test_the_checker_catches_one_pathway_while_the_catalogue_holds_a_second_option(demo):  # noqa: F811
    """Invariant 16 is about the count, not only about accounting: a plan reduced to one pathway while
    the catalogue holds a session of another open route (target job, within 12 months and reach) fails."""
    import copy

    data, good = _base(demo)
    assert len(good["pathways"]) >= 2  # the base profile has a second option in the demo catalogue
    caught = 0
    for keep in range(len(good["pathways"])):
        bad = copy.deepcopy(good)
        dropped = [p for i, p in enumerate(bad["pathways"]) if i != keep]
        bad["pathways"] = [bad["pathways"][keep]]
        bad["not_proposed"] += [{"route": p["key"], "label": p["title"], "reason": "pas de session"} for p in dropped]
        found = [m for n, m in check_plan(parse_profile(data, TODAY), bad, demo, TODAY) if n == 16]
        caught += bool(found)
        assert all("option" in m for m in found)
    assert caught == len(good["pathways"]), "every dropped catalogue route of the base plan has a session to find"


def test_the_checker_catches_the_same_route_twice(demo):  # noqa: F811
    import copy

    data, good = _base(demo)
    bad = copy.deepcopy(good)
    bad["pathways"] = [bad["pathways"][0], copy.deepcopy(bad["pathways"][0])]
    assert 16 in _numbers(demo, data, bad)


def test_one_pathway_is_fine_when_the_catalogue_holds_no_other_option(demo):  # noqa: F811
    """The count rule can pass: far from every session of the target job, one pathway is all there is."""
    data = {"age": 45, "commune": "Lacanau", "wish": "x", "wish_romes": ["F1703"], "status": "salarie",
            "level_validated": 5, "diplomas": [{"title": "BTS MUC", "level": 5, "year": 2005}],
            "mobility": {"driving_licence": True, "car": True, "max_km": 5}}
    result = plan(data, TODAY, catalogue=demo)
    assert len(result["pathways"]) < 2
    assert 16 not in _numbers(demo, data, result)


def test_the_amorce_opens_onto_the_target_job_never_another_sector(demo):  # noqa: F811
    """Adviser reading (RQTH jobseeker, level 4, wanting accounting, project not validated): the
    discovery step was an "Amorce – découverte des métiers du bâtiment". The Amorce is taken for the
    target job (or a labelled close job), else the discovery is an immersion in the target job."""
    data = {"age": 40, "commune": "Pau", "wish": "comptabilité", "confirmed_rome": "M1203", "status": "demandeur_emploi",
            "income_support": "ARE", "registration_months": 10, "rqth": True, "level_validated": 4,
            "diplomas": [{"title": "Bac STMG", "level": 4, "year": 2004}],
            "experience": [{"job": "employé logistique", "rome": "N1103", "months": 180, "last_year": 2026}],
            "mobility": {"driving_licence": True, "car": True}, "availability": {"part_time_only": True}}
    result = plan(data, TODAY, catalogue=demo)
    amorces = [s for p in result["pathways"] for s in p["steps"] if s["kind"] == "AMORCE"]
    discoveries = [s for p in result["pathways"] for s in p["steps"] if s["kind"] in ("AMORCE", "IMMERSION")]
    assert discoveries
    assert all("bâtiment" not in s["title"] for s in amorces)
    assert all(s["job_relation"] in ("cible", "metier_proche") for s in discoveries)
    assert not check_plan(parse_profile(data, TODAY), result, demo, TODAY)
    import copy  # the checker catches an Amorce of another sector

    bad = copy.deepcopy(result)
    step = next(s for p in bad["pathways"] for s in p["steps"] if s["kind"] in ("AMORCE", "IMMERSION"))
    step.update(kind="AMORCE", rome=None, job_relation=None, title="Amorce de parcours – découverte des métiers du bâtiment")
    assert 9 in _numbers(demo, data, bad)


def _late_preamble_profile(age: int) -> dict:
    """An employee with three basic-skills gaps (three CléA modules first, 9 months) wanting care work:
    the only CFA cycle in reach (Angoulême, September 2027) starts before those steps end."""
    return {"age": age, "commune": "16015", "wish": "x", "wish_romes": ["J1501"], "status": "salarie",
            "level_validated": 0, "income_support": "RSA", "french_level": "A1",
            "basic_skills_gaps": ["lecture_ecriture", "numerique"], "project_validated": False,
            "mobility": {"driving_licence": False, "public_transport": False, "car": False}}


def test_a_route_whose_sessions_start_before_the_first_steps_end_is_kept_to_find(demo):  # noqa: F811
    """Invariant 16 found by the property test: the route was given up ("pas de session") and the plan had
    one pathway although the catalogue holds the route within reach; it is kept, its session to find."""
    data = _late_preamble_profile(16)
    result = plan(data, TODAY, catalogue=demo)
    assert len(result["pathways"]) >= 2
    app = next(p for p in result["pathways"] if p["key"] == "apprentissage")
    main = next(s for s in app["steps"] if s["kind"] == "APPRENTISSAGE")
    assert main["a_trouver"] and "avant la fin des étapes préalables" in main["a_trouver_raison"]
    assert not check_plan(parse_profile(data, TODAY), result, demo, TODAY)


def test_no_apprenticeship_to_find_after_the_age_limit(demo):  # noqa: F811
    """The kept route must still be open on the next programming: at 29 the next yearly cycle falls after
    the 30th birthday (R-ALT), so the apprenticeship is not kept to find."""
    result = plan(_late_preamble_profile(29), TODAY, catalogue=demo)
    assert "apprentissage" not in {p["key"] for p in result["pathways"]}
    assert "apprentissage" in {r["route"] for r in result["not_proposed"]}


def test_a_contrat_pro_shorter_than_its_cfa_session_says_what_to_check(demo):  # noqa: F811
    """Adviser reading (P04, 27, web developer): a 12-month contrat pro on a 2-year BTS session was given
    without a word. The contract keeps its legal length (invariant 2) and the plan says the training must
    be shortened or the contract lengthened by the branch agreement."""
    import json
    from pathlib import Path

    data = json.loads((Path(__file__).parent / "cases" / "personas" / "P04.json").read_text(encoding="utf-8"))
    result = plan(data, TODAY, catalogue=demo)
    for p in result["pathways"]:
        for s in p["steps"]:
            if s["kind"] != "CONTRAT_PRO" or s.get("a_trouver") or not s["offer_id"]:
                continue
            offer = demo.get(s["offer_id"]) if hasattr(demo, "get") else None
            nominal = offer.duration.months if offer is not None else None
            months = (date.fromisoformat(s["end"]) - date.fromisoformat(s["start"])).days / 30.44
            if nominal and nominal > months + 1:
                assert any("L6325-12" in w for w in p["warnings"]), p["warnings"]
                assert any("L6325-12" in w["text"] for w in s["why"])
                return
    pytest.fail("P04 has no contrat pro on a longer CFA session any more: pick another case")


def test_a_young_contrat_pro_on_a_longer_cfa_session_cites_the_extended_length(demo):  # noqa: F811
    """P09 (17, no qualification): the law lets the contract last beyond 12 months for this public, so the
    plan says so (L6325-11) rather than asking to shorten the training (the L6325-12 branch case)."""
    import json
    from pathlib import Path

    data = json.loads((Path(__file__).parent / "cases" / "personas" / "P09.json").read_text(encoding="utf-8"))
    result = plan(data, TODAY, catalogue=demo)
    cpro = next(p for p in result["pathways"] if p["key"] == "contrat_pro")
    assert any("L6325-11" in w for w in cpro["warnings"]), cpro["warnings"]
    assert not any("L6325-12" in w for w in cpro["warnings"])


def test_a_vae_for_someone_learning_french_says_the_files_and_jury_are_in_french(demo):  # noqa: F811
    """Adviser reading: a refugee cook (French A1, 5 years of cooking abroad) got a VAE ranked first, right
    after a four-week FLE socle, without a word on the language the VAE is done in."""
    data = {"age": 32, "commune": "Bordeaux", "wish": "cuisinier", "confirmed_rome": "G1602",
            "status": "demandeur_emploi", "income_support": "RSA", "registration_months": 4, "level_validated": 0,
            "french_level": "A1", "foreign_diploma_unrecognised": True,
            "experience": [{"job": "cuisinier", "rome": "G1602", "months": 60, "last_year": 2022}],
            "mobility": {"driving_licence": False, "car": False, "public_transport": True}}
    result = plan(data, TODAY, catalogue=demo)
    vae = next(p for p in result["pathways"] if p["key"] == "vae")
    assert any("jury" in w and "français" in w for w in vae["warnings"])
    kinds = [s["kind"] for s in vae["steps"]]
    assert kinds.index("HSP_SOCLE") < kinds.index("VAE")
    fluent = plan({**data, "french_level": "B2"}, TODAY, catalogue=demo)
    assert "vae" in {p["key"] for p in fluent["pathways"]}
    assert not any("jury" in w for p in fluent["pathways"] for w in p["warnings"])

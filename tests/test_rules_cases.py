"""Rule test cases as data (tests/cases/eligibility/*.json), plus registry consistency checks.

Each case: a profile, a frozen `today`, and the expected status per scheme, the
exact rule ids behind a scheme's status, rules that must / must not fire,
text that an unlock must mention, the referent, and derogation windows.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from assistant.eligibility import Derogation, evaluate_map, rules_fired
from assistant.parameters import param, parameters
from assistant.profile import parse_profile
from assistant.referent import choose_referent
from assistant.rules import rules
from assistant.schemes import Scheme

CASES_DIR = Path(__file__).parent / "cases" / "eligibility"
ASSISTANT_DIR = Path(__file__).resolve().parents[1] / "assistant"
RULE_MODULES = ("profile", "parameters", "rules", "eligibility", "referent", "income", "schemes", "funding")


def _cases() -> list:
    return list(_iter_cases())


def _iter_cases():
    for path in sorted(CASES_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            yield pytest.param(case, id=f"{path.stem}: {case['name']}")


@pytest.mark.parametrize("case", _cases())
def test_case(case):
    today = date.fromisoformat(case["today"])
    profile = parse_profile(case["profile"])
    elig = evaluate_map(profile, today, case.get("target_levels"))
    assert set(elig) == set(Scheme)
    for scheme, status in case.get("expect", {}).items():
        got = elig[Scheme(scheme)]
        assert got.status.value == status, f"{scheme}: {got.to_dict()}"
        assert got.reasons, f"{scheme}: a status needs at least one reason"
    for scheme, rule_ids in case.get("expect_rules", {}).items():
        assert elig[Scheme(scheme)].rules == rule_ids, elig[Scheme(scheme)].to_dict()
    for scheme, text in case.get("expect_unlock_contains", {}).items():
        unlock = elig[Scheme(scheme)].unlock
        assert any(text in u for u in unlock), f"{scheme}: {text!r} not in {unlock}"
    for scheme, (ask_from, ask_until) in case.get("expect_derogation_days", {}).items():
        derog = elig[Scheme(scheme)].derogation
        assert derog is not None and (derog.ask_from_days, derog.ask_until_days) == (ask_from, ask_until)
    fired = rules_fired(profile, today)
    assert set(case.get("expect_fired", [])) <= set(fired), fired
    assert not set(case.get("expect_not_fired", [])) & set(fired), fired
    if "expect_referent" in case:
        assert choose_referent(profile, today).organisation.value == case["expect_referent"]


def test_every_case_file_names_a_registered_rule():
    files = list(CASES_DIR.glob("*.json"))
    assert len(files) >= 15
    for path in files:
        assert json.loads(path.read_text(encoding="utf-8"))["rule"] in rules(), path.name


def test_registry_covers_the_rule_book_ids():
    required = {"R-DIAG", "R-SOCLE", "R-PROJ", "R-1NQ", "R-OBS", "R-18M", "R-DEROG", "R-MQ", "R-HIGH", "R-ALT",
                "R-ALT-PREP", "R-JOB", "R-SAL", "R-CSP", "R-VAE", "R-RQTH", "R-RQTH-PREF", "R-YOUTH-NEET", "R-RSA",
                "R-INCOME", "R-MOB", "R-MOB-SEARCH", "R-PERMIS", "R-BLOC", "R-FLE-OFII"}
    assert required <= set(rules())
    for r in rules().values():
        assert r.text and r.source and r.title


def test_code_cites_only_registered_rules_and_parameters():
    """A typo in a rule id or a parameter name in code must fail here, not at run time in a rare branch."""
    source = "".join((ASSISTANT_DIR / f"{m}.py").read_text(encoding="utf-8") for m in RULE_MODULES)
    # the planner package too (issue 8: pathways.toml folded into the one parameter tree)
    source += "".join(p.read_text(encoding="utf-8") for p in sorted((ASSISTANT_DIR / "planner").glob("*.py")))
    cited_rules = set(re.findall(r'"(R-[A-Z0-9-]+)"', source))
    assert cited_rules and cited_rules <= set(rules()), cited_rules - set(rules())
    cited_params = set(re.findall(r'(?:param|param_source|parameter|\.p)\(\s*f?["\']([a-z0-9_.{}]+)["\']', source))
    assert len(cited_params) > 40
    known = set(parameters())
    for name in cited_params:
        if "{" in name:  # f-string family, e.g. apprentissage.salary_pct.{name}
            prefix = name.split("{")[0]
            assert any(k.startswith(prefix) for k in known), name
        else:
            assert name in known, name


def test_every_parameter_is_read_by_a_rule():
    """No orphan threshold: each parameter is declared by a rule (or is a profile input bound)."""
    listed = {p for r in rules().values() for p in r.parameters} | {"age.min_profile", "age.max_profile"}
    assert set(parameters()) <= listed, set(parameters()) - listed


def test_derogation_window_is_dated_from_the_session_start():
    d = Derogation("R-DEROG", "…", ask_from_days=28, ask_until_days=21)
    assert d.window(date(2027, 3, 1)) == (date(2027, 2, 1), date(2027, 2, 8))


def test_to_dict_contract():
    profile = parse_profile({"age": 30, "commune": "Pau", "wish": "cuisinier", "level_validated": 5})
    out = evaluate_map(profile, date(2026, 11, 26))[Scheme.HSP_1NQ].to_dict()
    assert out["scheme"] == "HSP_1NQ" and out["status"] == "derogation"
    assert set(out["reasons"][0]) == {"rule", "text", "source"}
    assert out["derogation"]["ask_from_days"] == 28
    json.dumps(out)


def test_region_permis_aid_through_a_region_training_with_mission_locale():
    from assistant.eligibility import aide_permis_region

    data = {"age": 19, "commune": "Pau", "wish": "x", "mobility": {"public_transport": False}}
    today = date(2026, 11, 26)
    followed = parse_profile({**data, "followed_by": "Mission Locale"})
    assert aide_permis_region(followed, today).status.value == "not_eligible"
    assert aide_permis_region(followed, today, region_training=True).status.value == "eligible"
    assert aide_permis_region(parse_profile(data), today, region_training=True).status.value == "not_eligible"


def test_describe_rules_gives_values_in_force_on_the_day():
    from assistant.rules import describe_rules

    def value(day, rule_id, name):
        rule_entry = next(r for r in describe_rules(day) if r["id"] == rule_id)
        return next(p["value"] for p in rule_entry["parameter_values"] if p["name"] == name)

    assert value(date(2024, 12, 31), "R-ALT-PREP", "prepa_app.national_programme_active") is True
    assert value(date(2025, 1, 1), "R-ALT-PREP", "prepa_app.national_programme_active") is False
    json.dumps(describe_rules(date(2026, 11, 26)), ensure_ascii=False)


# --------------------------------------------------------------------------- planner rule cases (R-BLOC, issue 12)

PLANNER_CASES_DIR = Path(__file__).parent / "cases" / "planner"


def _planner_cases():
    for path in sorted(PLANNER_CASES_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["rule"] in rules(), path.name
        for case in data["cases"]:
            yield pytest.param(case, id=f"{path.stem}: {case['name']}")


@pytest.fixture(scope="module")
def demo_catalogue():
    from catalog.store import load_demo

    return load_demo()


@pytest.mark.parametrize("case", list(_planner_cases()))
def test_planner_case(case, demo_catalogue):
    """A planner rule applied on the demo catalogue: rules fired, and what the certifying step says."""
    from assistant.api import plan

    today = date.fromisoformat(case["today"])
    out = plan(case["profile"], today=today, catalogue=demo_catalogue)
    assert out["status"] == "ok" and out["pathways"], out.get("message")
    assert set(case.get("expect_fired", [])) <= set(out["rules_fired"]), out["rules_fired"]
    assert not set(case.get("expect_not_fired", [])) & set(out["rules_fired"]), out["rules_fired"]
    if "expect_blocs" in case:
        exp = case["expect_blocs"]
        found = [(p, s, a) for p in out["pathways"] for s in p["steps"] for a in s["add_ons"] if a.get("kind") == "blocs"]
        assert found, "R-BLOC fired but no step says which blocs remain"
        for _, step, add_on in found:
            assert add_on["rncp"] == exp["rncp"] and len(add_on["missing"]) == exp["missing"]
            assert all(m["code"] in add_on["text"] for m in add_on["missing"])
            assert add_on["shortened"] == exp["shortened"] and add_on["blocs_share"] == exp["blocs_share"]
            assert bool(add_on.get("vae_possible")) == exp["vae_possible"] and ("VAE" in add_on["text"]) == exp["vae_possible"]
            assert any(w["rule"] == "R-BLOC" for w in step["why"])
            days = (date.fromisoformat(step["end"]) - date.fromisoformat(step["start"])).days
            expected = max(1, round(add_on["full_days"] * exp["blocs_share"]))
            contract = {"APPRENTISSAGE": "apprentissage.min_months", "CONTRAT_PRO": "contrat_pro.min_months"}.get(step["kind"])
            if contract:  # never below the contract's legal minimum
                expected = min(add_on["full_days"], max(expected, round(param(contract, today) * 30.44)))
            assert days == add_on["days"] == expected
            assert add_on["duration_share"] == round(days / add_on["full_days"], 3)
        full = plan({k: v for k, v in case["profile"].items() if k != "blocs_held"}, today=today,
                    catalogue=demo_catalogue)
        assert min(p["total_months"] for p in out["pathways"]) < min(p["total_months"] for p in full["pathways"])
    if "expect_warning_contains" in case:
        texts = [w for p in out["pathways"] for w in p.get("warnings") or []] + out["warnings"]
        assert any(case["expect_warning_contains"] in w for w in texts), texts

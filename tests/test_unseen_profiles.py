"""Adviser review on profiles the assistant was never tuned on (tests/cases/unseen/).

The personas (tests/test_personas.py) were known while the rules were written;
these 15 profiles were written afterwards, one per public of rules.md section 7
and per edge case (age boundaries, derogation windows, no session nearby,
part time only...). Each carries the checks an experienced adviser makes on
the plan (expectations.json); besides, every plan must pass the rule book's
general promises: no step of a scheme the rules close, no aid the person
cannot get, no session whose entry level the person lacks, every step explained.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from assistant.pathways import pparam
from assistant.profile import parse_profile
from assistant.steps import TRAINING_KINDS, StepKind
from tests.test_personas import FORBIDDEN, demo, first_substantive, named_aids, status, steps_of  # noqa: F401

CASES = Path(__file__).parent / "cases" / "unseen"
EXPECT = json.loads((CASES / "expectations.json").read_text(encoding="utf-8"))
TODAY = date.fromisoformat(EXPECT["today"])
IDS = sorted(EXPECT["profiles"])
# Step kinds whose scheme the rules decide: a step of one is allowed only when that scheme is not closed.
SCHEME_STEPS = ("APPRENTISSAGE", "PREPA_APPRENTISSAGE", "QUALIFIANT", "HSP_1NQ", "HSP_SOCLE", "CONTRAT_PRO",
                "POEI", "PTP", "VAE", "CEJ", "AMORCE")
QUALIFYING = {"APPRENTISSAGE", "QUALIFIANT", "HSP_1NQ", "CONTRAT_PRO", "POEI", "PTP", "VAE"}
REGION_KINDS = {"QUALIFIANT", "HSP_1NQ", "HSP_SOCLE", "AMORCE"}


def _raw(uid: str) -> dict:
    return json.loads((CASES / f"{uid}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def unseen_plans(demo):  # noqa: F811 - the demo fixture imported above
    from assistant import plan

    return {uid: plan(_raw(uid), TODAY, catalogue=demo) for uid in IDS}


def _training_steps(result: dict, demo):  # noqa: F811
    for p in result["pathways"]:
        for s in p["steps"]:
            if s["offer_id"]:
                yield p, s, demo.get(s["offer_id"])


def _part_time_honoured(result: dict, demo) -> bool:  # noqa: F811
    """Part time only: each training step is part time (apprenticeship: only with RQTH) or warned about."""
    for p, s, offer in _training_steps(result, demo):
        part = offer.rhythm.value == "PART_TIME" or offer.accessibility.part_time_possible
        if s["kind"] == "APPRENTISSAGE" or not part:
            if not any(offer.title in w and "temps p" in w for w in p["warnings"]):
                return False
    return True


def _derogation_dated(result: dict, demo) -> bool:  # noqa: F811
    """Each derogation step says when to ask: a window ending 3 weeks before entry, not already closed."""
    derog = next(e for e in result["eligibility"] if e["scheme"] == "HSP_1NQ")["derogation"]
    for s in steps_of(result, "HSP_1NQ"):
        start = date.fromisoformat(s["start"])
        acts = [a for a in s["next_actions"] if a["action"].startswith("Dérogation")]
        if not acts or acts[0]["deadline"] != (start - timedelta(days=derog["ask_until_days"])).isoformat():
            return False
        if date.fromisoformat(acts[0]["deadline"]) < TODAY + timedelta(days=pparam("chain.derogation_min_notice_days", TODAY)):
            return False
    return True


UNSEEN_CHECKS = {
    "no_iae": lambda r, d: all(p["key"] != "iae" for p in r["pathways"]),
    "no_cej": lambda r, d: not steps_of(r, "CEJ"),
    "socle_before_qualifying": lambda r, d: all(
        [s["kind"] for s in p["steps"]].index("HSP_SOCLE")
        < min(i for i, s in enumerate(p["steps"]) if s["kind"] in QUALIFYING)
        for p in r["pathways"] if "HSP_SOCLE" in [s["kind"] for s in p["steps"]]) and all(
        any(s["kind"] == "HSP_SOCLE" for s in p["steps"]) for p in r["pathways"] if p["key"] != "iae"),
    "part_time_honoured": _part_time_honoured,
    "referent_handicap_named": lambda r, d: all(
        any(x.get("rule") == "R-RQTH" and x["name"].startswith("Référent handicap") for x in s["support"])
        for _, s, _ in _training_steps(r, d)),
    "derogation_dated": _derogation_dated,
}


def check(name: str):
    if name in UNSEEN_CHECKS:
        return UNSEEN_CHECKS[name]
    return lambda r, d: FORBIDDEN[name](r)


# --------------------------------------------------------------------------- per-profile adviser checks


@pytest.mark.parametrize("uid", IDS)
def test_referent_and_best_first_step(unseen_plans, uid):
    exp, result = EXPECT["profiles"][uid], unseen_plans[uid]
    assert result["referent"]["organisation"] == exp["referent"]
    assert len(result["pathways"]) >= exp.get("min_pathways", 2), result["not_proposed"]
    best = result["pathways"][0]
    assert best["steps"][0]["kind"] == "DIAGNOSTIC"
    assert first_substantive(best) in exp["first"], [first_substantive(p) for p in result["pathways"]]
    keys = [p["key"] for p in result["pathways"]]
    assert set(exp.get("keys_include", [])) <= set(keys)
    assert not set(exp.get("keys_exclude", [])) & set(keys)


@pytest.mark.parametrize("uid", IDS)
def test_adviser_checks(unseen_plans, demo, uid):  # noqa: F811
    exp, result = EXPECT["profiles"][uid], unseen_plans[uid]
    for name in exp.get("forbidden", []):
        assert check(name)(result, demo), f"{uid}: check {name} failed"
    fired = set(result["rules_fired"])
    assert set(exp.get("fired", [])) <= fired
    assert not set(exp.get("not_fired", [])) & fired
    elig = {e["scheme"]: e for e in result["eligibility"]}
    for scheme, st in exp.get("eligibility", {}).items():
        assert elig[scheme]["status"] == st, elig[scheme]["reasons"]
    for scheme, rules in exp.get("eligibility_rules", {}).items():
        assert set(rules) <= {r["rule"] for r in elig[scheme]["reasons"]}
    for scheme, text in exp.get("unlock_contains", {}).items():
        assert any(text in u for u in elig[scheme]["unlock"]), elig[scheme]["unlock"]
    by_key = {p["key"]: p for p in result["pathways"]}
    for key, text in exp.get("income_contains", {}).items():
        assert text in by_key[key]["income"]["basis"]
    for key, text in exp.get("income_lacks", {}).items():
        assert text not in by_key[key]["income"]["basis"]
    warnings = [w for p in result["pathways"] for w in p["warnings"]]
    for text in exp.get("warnings_contain", []):
        assert any(text in w for w in warnings), warnings
    for kind in exp.get("steps_absent", []):
        assert not steps_of(result, kind)
    for kind, rule_id in exp.get("why_rules", {}).items():
        found = steps_of(result, kind)
        assert found and all(rule_id in {w["rule"] for w in s["why"]} for s in found)


# --------------------------------------------------------------------------- rule book promises, every profile


@pytest.mark.parametrize("uid", IDS)
def test_nothing_the_rule_book_forbids(unseen_plans, demo, uid):  # noqa: F811
    result = unseen_plans[uid]
    profile = parse_profile(_raw(uid))
    for kind in SCHEME_STEPS:  # no step of a scheme the rules close
        if steps_of(result, kind):
            assert status(result, kind) != "not_eligible", kind
    for s in steps_of(result, "HSP_1NQ"):  # a derogation route says so on its step
        if status(result, "HSP_1NQ") == "derogation":
            assert any(a["action"].startswith("Dérogation") for a in s["next_actions"])
    for aid in named_aids(result) - {"AIDE_MOBILITE"}:  # no aid the person cannot get
        assert status(result, aid) == "eligible", aid
    level = profile.eligibility_level(TODAY)
    for _p, s, offer in _training_steps(result, demo):
        need = offer.prerequisites
        assert (need.min_level or 0) <= level or (
            need.experience_months and profile.field_experience_months([s["rome"]]) >= need.experience_months), \
            (offer.title, need.min_level, level)
        if s["kind"] in REGION_KINDS:  # Region training: the FT mobility aid does not apply (R-MOB)
            for x in s["support"]:
                assert x.get("rule") != "R-MOB" or "Fonds social" in x["text"]


@pytest.mark.parametrize("uid", IDS)
def test_every_step_dated_and_explained(unseen_plans, uid):
    result = unseen_plans[uid]
    for p in result["pathways"]:
        prev_end = None
        for s in p["steps"]:
            start, end = date.fromisoformat(s["start"]), date.fromisoformat(s["end"])
            assert TODAY <= start <= end
            assert prev_end is None or start > prev_end
            prev_end = end
            assert s["why"] and all(w["rule"] and w["text"] for w in s["why"])
            if StepKind(s["kind"]) in TRAINING_KINDS and s["offer_id"]:
                assert s["distance_km"] is not None
        assert p["key"] == "iae" or p["income"] is not None, p["key"]


def test_french_articles(unseen_plans):
    """'du RSA', never "de l'RSA" (elision only before a vowel sound); 'avec la Mission Locale', 'au CEP'."""
    text = json.dumps(unseen_plans, ensure_ascii=False)
    assert not re.search(r"\b[dD]e l'[BCDFGHJKLMNPQRSTVWXZ][A-Z]", text)
    assert not re.search(r"\b(avec|par|à) (Mission Locale|CEP)|\bà le ", text)
    assert "avec la Mission Locale" in text and "avec le CEP" in text

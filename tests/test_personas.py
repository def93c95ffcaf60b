"""Acceptance tests: the 8 shared personas (rules.md section 10) on the shipped demo catalogue.

Each persona is a profile file in tests/cases/personas/ and its expectations
(expected first step, acceptable alternatives, forbidden proposals, rules that
must fire) are in expectations.json, translated from the rule book's
personas.json. Besides the expectations, every plan must hold the structural
promises: real sessions, chained dates, radius or a named mobility aid, a
reason on every step.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from assistant.pathways import pparam
from assistant.steps import QUALIFYING_KINDS, TRAINING_KINDS, StepKind

CASES = Path(__file__).parent / "cases" / "personas"
EXPECT = json.loads((CASES / "expectations.json").read_text(encoding="utf-8"))
TODAY = date.fromisoformat(EXPECT["today"])
PERSONAS = sorted(EXPECT["personas"])
SUBSTANTIVE_SKIP = {"DIAGNOSTIC", "LEVEE_DE_FREINS"}


@pytest.fixture(scope="session")
def demo():
    from catalog.store import load_demo

    return load_demo()  # the demo catalogue ships with the repo: its absence is a failure


@pytest.fixture(scope="session")
def plans(demo):
    from assistant import plan

    return {pid: plan(json.loads((CASES / f"{pid}.json").read_text(encoding="utf-8")), TODAY, catalogue=demo)
            for pid in PERSONAS}


def first_substantive(pathway: dict) -> str | None:
    return next((s["kind"] for s in pathway["steps"] if s["kind"] not in SUBSTANTIVE_SKIP), None)


def named_aids(result: dict) -> set[str]:
    """Every scheme named as an aid anywhere in the plan (add-ons and supports)."""
    found = set()
    for p in result["pathways"]:
        for s in p["steps"]:
            for item in s["add_ons"] + s["support"]:
                aid = item.get("aid") or {}
                if aid.get("scheme"):
                    found.add(aid["scheme"])
                if item.get("rule") == "R-MOB":
                    found.add("AIDE_MOBILITE")
    return found


def status(result: dict, scheme: str) -> str:
    return next(e["status"] for e in result["eligibility"] if e["scheme"] == scheme)


def steps_of(result: dict, kind: str) -> list[dict]:
    return [s for p in result["pathways"] for s in p["steps"] if s["kind"] == kind]


# Each forbidden proposal of personas.json, as a check on the plan.
FORBIDDEN = {
    "qualifiant_first": lambda r: all(first_substantive(p) != "QUALIFIANT" for p in r["pathways"]),
    "socle_without_gap": lambda r: not steps_of(r, "HSP_SOCLE"),
    "no_apprentissage": lambda r: not steps_of(r, "APPRENTISSAGE"),
    "no_region_permis_aid": lambda r: "AIDE_PERMIS_REGION" not in named_aids(r),
    "hsp_1nq_only_with_derogation": lambda r: all(
        any("Dérogation" in a["action"] for a in s["next_actions"]) for s in steps_of(r, "HSP_1NQ")),
    "no_label_sans_qualification": lambda r: "sans qualification" not in json.dumps(r, ensure_ascii=False).lower(),
    "no_hsp_1nq": lambda r: not steps_of(r, "HSP_1NQ"),
    "no_hsp_socle": lambda r: not steps_of(r, "HSP_SOCLE"),
    "apprentissage_offered": lambda r: status(r, "APPRENTISSAGE") == "eligible"
    and any(p["key"] == "apprentissage" for p in r["pathways"]),
    "no_region_jobseeker_offer": lambda r: not any(
        steps_of(r, k) for k in ("QUALIFIANT", "HSP_1NQ", "HSP_SOCLE", "AMORCE")),
    "no_ft_mobility_aid": lambda r: "AIDE_MOBILITE" not in named_aids(r),
    "no_ft_permis_aid": lambda r: "AIDE_PERMIS_FT" not in named_aids(r),
    "qualifiant_not_best": lambda r: r["pathways"][0]["key"] != "qualifiant",
    "ft_permis_aid_not_before_region": lambda r: "AIDE_PERMIS_FT" not in named_aids(r)
    or status(r, "AIDE_PERMIS_REGION") != "eligible",
}


@pytest.mark.parametrize("pid", PERSONAS)
def test_first_step_matches_the_rule_book(plans, pid):
    exp, result = EXPECT["personas"][pid], plans[pid]
    assert len(result["pathways"]) >= 2, result["not_proposed"]
    best = result["pathways"][0]
    assert best["steps"][0]["kind"] == "DIAGNOSTIC"
    assert first_substantive(best) == exp["expected_first"], [first_substantive(p) for p in result["pathways"]]
    keys = [p["key"] for p in result["pathways"]]
    assert len(set(keys)) == len(keys) <= 3  # genuinely different routes


@pytest.mark.parametrize("pid", PERSONAS)
def test_forbidden_proposals_are_absent(plans, pid):
    for name in EXPECT["personas"][pid]["forbidden"]:
        assert FORBIDDEN[name](plans[pid]), f"{pid}: forbidden check {name} failed"


@pytest.mark.parametrize("pid", PERSONAS)
def test_rules_fired(plans, pid):
    missing = set(EXPECT["personas"][pid]["rules_fired"]) - set(plans[pid]["rules_fired"])
    assert not missing


@pytest.mark.parametrize("pid", PERSONAS)
def test_structural_promises(plans, demo, pid):
    result = plans[pid]
    max_gap = pparam("chain.max_gap_days", TODAY)
    first_wait = pparam("chain.first_entry_max_wait_days", TODAY)
    has_prepa = bool(demo.by_kind("PREPA_APPRENTISSAGE"))
    radius = result["commune"]["max_km"]
    assert result["demo_data"] is True
    for p in result["pathways"]:
        assert 0.0 <= p["score"] <= 1.0
        prev_end, prev_kind = None, None
        for s in p["steps"]:
            start, end = date.fromisoformat(s["start"]), date.fromisoformat(s["end"])
            assert TODAY <= start <= end
            assert s["why"] and all(w["rule"] and w["text"] for w in s["why"])
            if prev_end is not None:  # chained: after the previous step, idle time bounded by a parameter
                idle = (start - prev_end).days - 1
                allowed = first_wait if prev_kind in SUBSTANTIVE_SKIP else max_gap
                if idle > allowed and StepKind(s["kind"]) in QUALIFYING_KINDS:  # next cycle / session, said so
                    allowed = max(pparam("chain.alternance_next_cycle_wait_days", TODAY),
                                  pparam("chain.next_session_wait_days", TODAY))
                    assert any(w.startswith(("Prochain cycle en CFA", "Prochaine session")) for w in p["warnings"])
                assert 0 <= idle <= allowed, (s["kind"], idle)
            prev_end, prev_kind = end, s["kind"]
            if StepKind(s["kind"]) in TRAINING_KINDS:
                if s["session_id"] is None:  # out of catalogue: a prépa, or a step "à trouver" saying why
                    assert (s["kind"] == "PREPA_APPRENTISSAGE" and not has_prepa) or (s.get("a_trouver") and s["a_trouver_raison"])
                    continue
                offer = demo.get(s["offer_id"])
                assert offer is not None and s["session_id"] in {x.id for x in offer.sessions}
                session = next(x for x in offer.sessions if x.id == s["session_id"])
                # open entry: entry inside the session, then the offer's nominal duration (issue 8, invariant 4)
                assert session.start <= start and (end <= session.end or session.entry_mode.value == "PERMANENT")
                if s["distance_km"] > radius:
                    assert any(w for w in p["warnings"] if "aide à la mobilité" in w)
        assert p["income"] is None or p["income"]["monthly_eur"] is None or p["income"]["monthly_eur"] > 0

"""Issue 8, section 4: behaviours no test pinned, so that these mutations of the code now fail a test:

- preferring (or no longer preferring) a session with a named référent handicap for an RQTH holder;
- "experience replaces the entry level" everywhere, or nowhere;
- the business-creation lift of the apprenticeship's upper age;
- the HSP Socle FLE threshold (A2, a dated parameter, never a literal).
"""

from __future__ import annotations

from datetime import date

from assistant.eligibility import evaluate_map, skills_gaps
from assistant.parameters import param
from assistant.profile import parse_profile
from assistant.schemes import BasicSkillGap, FrenchLevel, Scheme
from catalog.model import Accessibility, Contact, OfferKind, Prerequisites, Publics
from tests.test_pathways import D, offer, pathway, run, step

TODAY = date(2026, 11, 26)


def _pair_with_one_named_referent(first_named: bool):
    ref = Accessibility(referent_handicap=Contact(name="Jeanne Durand", email="j.durand@example.org"))
    named = offer(OfferKind.QUALIFIANT, [("Lescar", D(2027, 1, 11), D(2027, 7, 1))], title="avec référent", accessibility=ref)
    plain = offer(OfferKind.QUALIFIANT, [("Lescar", D(2027, 1, 11), D(2027, 7, 1))], title="sans référent")
    return [named, plain] if first_named else [plain, named]


def test_rqth_prefers_the_session_with_a_named_disability_referent_whatever_the_order():
    for first_named in (True, False):
        main = step(pathway(run(_pair_with_one_named_referent(first_named), rqth=True), "qualifiant"), "QUALIFIANT")
        assert main["title"] == "avec référent"


def test_without_rqth_the_named_referent_is_not_a_criterion():
    titles = {step(pathway(run(_pair_with_one_named_referent(f)), "qualifiant"), "QUALIFIANT")["title"] for f in (True, False)}
    assert titles == {"avec référent", "sans référent"}  # equal cost: catalogue order decides, not the referent


def test_experience_replaces_the_entry_level_only_where_the_offer_says_so():
    bp_exp = offer(OfferKind.QUALIFIANT, [("Lescar", D(2027, 1, 11), D(2027, 12, 1))], title="BP, ou 24 mois de métier",
                   prerequisites=Prerequisites(min_level=4, experience_months=24))
    bp_strict = offer(OfferKind.QUALIFIANT, [("Lescar", D(2027, 1, 11), D(2027, 12, 1))], title="BP strict",
                      prerequisites=Prerequisites(min_level=4))
    seasoned = [{"job": "électricien", "rome": "F1602", "months": 36, "last_year": 2026}]
    novice = [{"job": "électricien", "rome": "F1602", "months": 6, "last_year": 2026}]
    assert step(pathway(run([bp_exp], experience=seasoned), "qualifiant"), "QUALIFIANT")["title"] == "BP, ou 24 mois de métier"
    assert not any(p["key"] == "qualifiant" for p in run([bp_exp], experience=novice)["pathways"])
    assert not any(p["key"] == "qualifiant" for p in run([bp_strict], experience=seasoned)["pathways"])


def test_business_creation_lifts_the_apprenticeship_age_limit():
    app = offer(OfferKind.APPRENTISSAGE, [("Lescar", D(2027, 1, 11), D(2028, 12, 1))], publics=Publics(min_age=16, max_age=29))
    base = dict(age=35, level_validated=3, wants_alternance=True)
    assert "apprentissage" in {p["key"] for p in run([app], business_creation=True, **base)["pathways"]}
    assert "apprentissage" not in {p["key"] for p in run([app], **base)["pathways"]}
    today = TODAY
    creator = parse_profile({"age": 35, "commune": "Pau", "wish": "x", "business_creation": True}, today)
    assert evaluate_map(creator, today)[Scheme.APPRENTISSAGE].status.value == "eligible"


def test_the_socle_fle_threshold_is_the_dated_parameter():
    threshold = FrenchLevel(param("socle.fle_below", TODAY))
    assert threshold == FrenchLevel.A2  # the rule book's value on this day
    for level in FrenchLevel:
        p = parse_profile({"age": 30, "commune": "Pau", "wish": "x", "french_level": level.value}, TODAY)
        assert (BasicSkillGap.FLE in skills_gaps(p, TODAY)) == (level.rank < threshold.rank), level
    socle = offer(OfferKind.HSP_SOCLE, [("Pau", D(2026, 12, 14), D(2027, 2, 26))],
                  title="HSP Socle de compétences – Français langue étrangère (FLE)", rome="")
    main = offer(OfferKind.QUALIFIANT, [("Lescar", D(2027, 3, 8), D(2027, 12, 1))])
    below = [s["kind"] for s in pathway(run([socle, main], french_level="A1"), "qualifiant")["steps"]]
    at = [s["kind"] for s in pathway(run([socle, main], french_level="A2"), "qualifiant")["steps"]]
    assert "HSP_SOCLE" in below and below.index("HSP_SOCLE") < below.index("QUALIFIANT")
    assert "HSP_SOCLE" not in at


def test_no_literal_french_level_threshold_in_the_planner():
    """The threshold lives in parameters.toml: the builder reads it (a literal FrenchLevel.A2 was a mutation target)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "assistant"
    for path in [root / "pathways.py", *sorted((root / "planner").glob("*.py"))]:
        assert "FrenchLevel.A2" not in path.read_text(encoding="utf-8"), path

"""Unit tests of the pathway builder on small hand-built catalogues around Pau (64).

Distances from Pau: Lescar ≈ 7 km, Oloron-Sainte-Marie ≈ 29 km, Orthez ≈ 40 km,
Mont-de-Marsan ≈ 67 km, Bordeaux ≈ 170 km. Today is frozen at 2026-11-26.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from assistant import plan
from assistant.catview import view_for
from assistant.eligibility import evaluate_map
from assistant.pathways import pparam
from assistant.profile import parse_profile
from catalog.model import (
    Accessibility, Certification, Contact, Duration, EntryMode, ModuleTheme, Offer, OfferKind, Outcome,
    Prerequisites, Provenance, Publics, Rhythm, Sector, Session,
)
from catalog.store import Catalogue

TODAY = date(2026, 11, 26)
PLACES = {
    "Pau": (43.294562, -0.370821), "Lescar": (43.32534, -0.4151), "Oloron": (43.19439, -0.605171),
    "Orthez": (43.488067, -0.774022), "Mont-de-Marsan": (43.893485, -0.499782), "Bordeaux": (44.83802, -0.579635),
}
_counter = iter(range(1, 10_000))


def offer(kind: OfferKind, sessions: list[tuple], rome: str = "F1602", **kw) -> Offer:
    """An offer with sessions given as (place, start, end[, places_left[, entry_mode]])."""
    oid = f"T-{kind.value}-{next(_counter)}"
    o = Offer(id=oid, kind=kind, title=kw.pop("title", f"{kind.label} {oid}"), rome_codes=[rome],
              provenance=Provenance(source="test"), **kw)
    for i, spec in enumerate(sessions):
        place, start, end = spec[:3]
        places = spec[3] if len(spec) > 3 else 5
        mode = spec[4] if len(spec) > 4 else EntryMode.FIXED_DATES
        lat, lon = PLACES[place]
        o.sessions.append(Session(id=f"{oid}-S{i}", offer_id=oid, start=start, end=end, commune_name=place,
                                  lat=lat, lon=lon, places_left=places, entry_mode=mode))
    return o


def profile(**kw) -> dict:
    base = {"age": 30, "commune": "Pau", "wish": "électricien", "wish_romes": ["F1602"], "status": "demandeur_emploi",
            "registration_months": 12, "level_validated": 3, "project_validated": True,
            "diplomas": [{"title": "CAP électricien", "level": 3, "year": 2018, "romes": ["F1602"]}],
            "experience": [{"job": "électricien", "rome": "F1602", "months": 3, "last_year": 2025}],
            "mobility": {"driving_licence": True, "car": True, "public_transport": True}}
    base.update(kw)
    return base


def run(offers: list[Offer], **kw) -> dict:
    return plan(profile(**kw), TODAY, catalogue=Catalogue(offers))


def pathway(result: dict, key: str) -> dict:
    return next(p for p in result["pathways"] if p["key"] == key)


def step(p: dict, kind: str) -> dict:
    return next(s for s in p["steps"] if s["kind"] == kind)


D = date


# --------------------------------------------------------------------------- chaining


def test_socle_then_qualifying_step_are_chained_within_the_gap():
    gap = pparam("chain.max_gap_days", TODAY)
    socle = offer(OfferKind.HSP_SOCLE, [("Lescar", D(2027, 1, 4), D(2027, 3, 26))])
    too_early = D(2027, 3, 1)  # starts before the socle ends
    ok = D(2027, 4, 12)
    too_late = D(2027, 3, 27) + timedelta(days=gap + 10)
    hsp = offer(OfferKind.HSP_1NQ, [("Lescar", too_early, D(2027, 12, 1)), ("Lescar", ok, D(2027, 12, 10)),
                                    ("Lescar", too_late, D(2028, 6, 1))])
    result = run([socle, hsp], level_validated=0, diplomas=[], basic_skills_gaps=["lecture_ecriture"])
    p = pathway(result, "hsp_1nq")
    kinds = [s["kind"] for s in p["steps"]]
    assert kinds.index("HSP_SOCLE") < kinds.index("HSP_1NQ")
    main = step(p, "HSP_1NQ")
    assert main["session_id"] == hsp.sessions[1].id
    assert main["start"] == ok.isoformat()
    assert step(p, "HSP_SOCLE")["end"] < main["start"]


def test_nothing_starts_before_the_person_is_available():
    early = offer(OfferKind.QUALIFIANT, [("Lescar", D(2027, 1, 4), D(2027, 9, 1))])
    later = offer(OfferKind.QUALIFIANT, [("Lescar", D(2027, 5, 3), D(2027, 12, 1))])
    result = run([early, later], availability={"earliest_start": "2027-03-01"})
    main = step(pathway(result, "qualifiant"), "QUALIFIANT")
    assert main["session_id"] == later.sessions[0].id


def test_permanent_entry_starts_when_needed_and_lasts_the_offer_length():
    perm = offer(OfferKind.QUALIFIANT, [("Lescar", D(2026, 10, 1), D(2027, 11, 30), 4, EntryMode.PERMANENT)],
                 duration=Duration(months=6, hours_per_week=35))
    result = run([perm])
    main = step(pathway(result, "qualifiant"), "QUALIFIANT")
    diag = pathway(result, "qualifiant")["steps"][0]
    start = date.fromisoformat(main["start"])
    assert start == date.fromisoformat(diag["end"]) + timedelta(days=1)
    assert 175 <= (date.fromisoformat(main["end"]) - start).days <= 190


def test_no_session_in_reach_rejects_the_route_with_a_reason():
    far = offer(OfferKind.QUALIFIANT, [("Bordeaux", D(2027, 1, 4), D(2027, 9, 1))])
    result = run([far])
    assert not any(p["key"] == "qualifiant" for p in result["pathways"])
    assert any(r["route"] == "qualifiant" and r["label"].startswith("Formation qualifiante") and r["reason"]
               for r in result["not_proposed"])


# --------------------------------------------------------------------------- distance, places, rhythm


def test_beyond_the_radius_only_with_a_concrete_aid_the_person_can_get():
    """Invariant 6 (issue 8): the Region's social fund is for unforeseen hardship, not a structural answer
    to distance: a far Region training is not proposed; a far POEI (not Region-funded) is, for a registered,
    non-indemnised jobseeker with a car, with France Travail's mobility aid and the extra distance named."""
    mdm = offer(OfferKind.QUALIFIANT, [("Mont-de-Marsan", D(2027, 1, 4), D(2027, 9, 1))])
    result = run([mdm], mobility={"driving_licence": True, "car": True, "max_km": 30})
    assert not any(p["key"] == "qualifiant" for p in result["pathways"])
    assert any(r["route"] == "qualifiant" and "rayon" in r["reason"] for r in result["not_proposed"])
    poei = offer(OfferKind.POEI, [("Mont-de-Marsan", D(2027, 1, 4), D(2027, 3, 1))])
    car = {"driving_licence": True, "car": True, "public_transport": False, "max_km": 30}
    p = pathway(run([poei], mobility=car, hiring_offer=True, income_support="aucun"), "poei")
    main = step(p, "POEI")
    assert main["distance_km"] > 60 and main["session_id"]
    assert any("au-delà du rayon" in w and "France Travail" in w for w in p["warnings"])
    assert any(s.get("rule") == "R-MOB" and "France Travail" in s["text"] for s in main["support"])
    stuck = {"driving_licence": False, "car": False, "public_transport": False, "max_km": 30}
    p = pathway(run([poei], mobility=stuck, hiring_offer=True, income_support="aucun"), "poei")
    assert step(p, "POEI")["session_id"] is None  # no far session for someone who cannot travel


def test_nearest_open_session_with_places_is_preferred_and_a_full_one_warns():
    full_near = offer(OfferKind.QUALIFIANT, [("Lescar", D(2027, 1, 4), D(2027, 9, 1), 0)])
    free_far = offer(OfferKind.QUALIFIANT, [("Oloron", D(2027, 1, 11), D(2027, 9, 1), 3)])
    p = pathway(run([full_near, free_far]), "qualifiant")
    assert step(p, "QUALIFIANT")["session_id"] == free_far.sessions[0].id
    p = pathway(run([full_near]), "qualifiant")
    assert step(p, "QUALIFIANT")["session_id"] == full_near.sessions[0].id
    assert any("complète" in w for w in p["warnings"])


def test_part_time_only_prefers_a_part_time_session():
    full_time = offer(OfferKind.QUALIFIANT, [("Lescar", D(2027, 1, 4), D(2027, 9, 1))])
    part_time = offer(OfferKind.QUALIFIANT, [("Oloron", D(2027, 1, 11), D(2027, 12, 1))], rhythm=Rhythm.PART_TIME)
    p = pathway(run([full_time, part_time], availability={"part_time_only": True}), "qualifiant")
    assert step(p, "QUALIFIANT")["session_id"] == part_time.sessions[0].id


# --------------------------------------------------------------------------- add-ons and supports


def test_add_ons_attached_where_they_fit():
    main = offer(OfferKind.QUALIFIANT, [("Lescar", D(2027, 3, 1), D(2027, 11, 1))], sector=Sector.BATIMENT,
                 add_ons=[ModuleTheme.TRANSITION_ECOLOGIQUE])
    fle = offer(OfferKind.MODULE, [("Pau", D(2027, 1, 11), D(2027, 2, 5))], module_theme=ModuleTheme.FLE)
    result = run([main, fle], french_level="A2")  # A2: no Socle FLE, but a FLE module before a qualifying title
    p = pathway(result, "qualifiant")
    add_ons = {a["theme"]: a for a in step(p, "QUALIFIANT")["add_ons"]}
    assert add_ons["FLE"]["session_id"] == fle.sessions[0].id and add_ons["FLE"]["placement"] == "before"
    assert add_ons["FLE"]["end"] < step(p, "QUALIFIANT")["start"]  # invariant 15: never over a full-time step
    assert add_ons["TRANSITION_ECOLOGIQUE"]["text"] == "inclus dans la formation"
    assert "PERMIS" not in add_ons  # has a licence
    assert "NUMERIQUE" not in add_ons
    # a module that only runs during the full-time training is "à placer", not stacked on it
    late = offer(OfferKind.MODULE, [("Pau", D(2027, 4, 5), D(2027, 4, 30))], module_theme=ModuleTheme.FLE)
    add_ons = {a["theme"]: a for a in step(pathway(run([main, late], french_level="A2"), "qualifiant"), "QUALIFIANT")["add_ons"]}
    assert add_ons["FLE"].get("a_placer") and "session_id" not in add_ons["FLE"]


def test_a_digital_gap_puts_a_numerique_socle_step_before_the_qualifying_step():
    """Invariant 8 (issue 8): a digital gap is an HSP Socle step with the matching objective, not an add-on."""
    main = offer(OfferKind.QUALIFIANT, [("Lescar", D(2027, 4, 5), D(2027, 11, 1))])
    ecla = offer(OfferKind.HSP_SOCLE, [("Pau", D(2026, 12, 14), D(2027, 3, 12))],
                 title="HSP Socle de compétences – Écrire, compter, lire, apprendre (ECLA)")
    num = offer(OfferKind.HSP_SOCLE, [("Pau", D(2026, 12, 14), D(2027, 3, 12))], title="HSP Socle de compétences – Numérique")
    p = pathway(run([main, ecla, num], basic_skills_gaps=["numerique"]), "qualifiant")
    kinds = [s["kind"] for s in p["steps"]]
    assert kinds.index("HSP_SOCLE") < kinds.index("QUALIFIANT")
    assert step(p, "HSP_SOCLE")["offer_id"] == num.id  # the objective matches the gap (not ECLA)


def test_permis_add_on_names_the_open_licence_aid():
    main = offer(OfferKind.QUALIFIANT, [("Lescar", D(2027, 3, 1), D(2027, 11, 1))], rome="K1302")
    result = run([main], wish_romes=["K1302"], income_support="RSA",
                 mobility={"driving_licence": False, "car": False, "public_transport": True})
    permis = next(a for a in step(pathway(result, "qualifiant"), "QUALIFIANT")["add_ons"] if a["theme"] == "PERMIS")
    assert permis["aid"]["scheme"] == "AIDE_PERMIS_FT"  # 30 years old: the Region aid is closed
    assert "pas de module proche" in permis["text"]


def test_rqth_names_the_providers_disability_referent_and_agefiph():
    ref = Contact(name="Jeanne Durand", phone="05 00 00 00 00", email="j.durand@example.org")
    main = offer(OfferKind.QUALIFIANT, [("Lescar", D(2027, 3, 1), D(2027, 11, 1))],
                 accessibility=Accessibility(referent_handicap=ref, part_time_possible=True))
    support = step(pathway(run([main], rqth=True), "qualifiant"), "QUALIFIANT")["support"]
    names = " | ".join(s["name"] for s in support)
    assert "Jeanne Durand" in names and "Agefiph" in names
    assert any(s.get("contact") and "j.durand@example.org" in s["contact"] for s in support)


# --------------------------------------------------------------------------- derogation


def test_derogation_window_is_dated_from_the_session_start():
    start = D(2027, 1, 11)
    hsp = offer(OfferKind.HSP_1NQ, [("Lescar", start, D(2027, 12, 1))])
    result = run([hsp], age=30, level_validated=4,
                 diplomas=[{"title": "Bac pro électrotechnique", "level": 4, "year": 2024, "romes": ["F1602"]}])
    elig = evaluate_map(parse_profile(profile(level_validated=4, diplomas=[
        {"title": "Bac pro électrotechnique", "level": 4, "year": 2024, "romes": ["F1602"]}])), TODAY)
    a, b = elig[next(s for s in elig if s.value == "HSP_1NQ")].derogation.window(start)
    p = pathway(result, "hsp_1nq")
    expected = f"à demander entre le {a.strftime('%d/%m/%Y')} et le {b.strftime('%d/%m/%Y')}"
    assert expected == "à demander entre le 14/12/2026 et le 21/12/2026"
    assert any(expected in w for w in p["warnings"])
    assert any(x.get("deadline") == b.isoformat() for x in step(p, "HSP_1NQ")["next_actions"])


def test_derogation_route_only_when_the_open_offer_is_thin():
    hsp = offer(OfferKind.HSP_1NQ, [("Lescar", D(2027, 1, 11), D(2027, 12, 1))])
    mq = offer(OfferKind.QUALIFIANT, [("Lescar", D(2027, 1, 11), D(2027, 12, 1))])
    app = offer(OfferKind.APPRENTISSAGE, [("Lescar", D(2027, 1, 11), D(2028, 12, 1))])
    result = run([hsp, mq, app], age=24, level_validated=4,
                 diplomas=[{"title": "Bac pro électrotechnique", "level": 4, "year": 2024}])
    keys = [p["key"] for p in result["pathways"]]
    assert "hsp_1nq" not in keys and {"qualifiant", "apprentissage"} <= set(keys)


# --------------------------------------------------------------------------- ranking, view, jobs


def test_ranking_is_bounded_and_prefers_nearer_shorter_pathways():
    near = offer(OfferKind.QUALIFIANT, [("Lescar", D(2027, 1, 11), D(2027, 7, 1))])
    far = offer(OfferKind.QUALIFIANT, [("Oloron", D(2027, 1, 11), D(2027, 12, 1))])
    r_near, r_far = run([near]), run([far])
    p_near, p_far = pathway(r_near, "qualifiant"), pathway(r_far, "qualifiant")
    assert 0 < p_far["score"] < p_near["score"] <= 1
    assert p_near["score_detail"]["distance"] > p_far["score_detail"]["distance"]
    assert p_near["score_detail"]["duration"] > p_far["score_detail"]["duration"]
    scores = [p["score"] for p in r_near["pathways"]]
    assert scores == sorted(scores, reverse=True)


def test_outcomes_with_large_samples_weigh_more_than_the_prior():
    good = offer(OfferKind.QUALIFIANT, [("Lescar", D(2027, 1, 11), D(2027, 7, 1))],
                 outcomes=[Outcome("emploi_6_mois", 0.9, 400, 2025)])
    small = offer(OfferKind.QUALIFIANT, [("Lescar", D(2027, 1, 11), D(2027, 7, 1))],
                  outcomes=[Outcome("emploi_6_mois", 0.9, 4, 2025)])
    big = pathway(run([good]), "qualifiant")["score_detail"]["outcomes"]
    tiny = pathway(run([small]), "qualifiant")["score_detail"]["outcomes"]
    prior = pparam("ranking.outcome_prior", TODAY)["rate"]
    assert big > tiny > prior
    assert pathway(run([good]), "qualifiant")["outcomes"][0]["sample_size"] == 400


def test_view_is_built_once_per_catalogue():
    cat = Catalogue([offer(OfferKind.QUALIFIANT, [("Lescar", D(2027, 1, 11), D(2027, 7, 1))])])
    assert view_for(cat) is view_for(cat)
    other = Catalogue([offer(OfferKind.QUALIFIANT, [("Pau", D(2027, 1, 11), D(2027, 7, 1))])])
    assert view_for(other) is not view_for(cat)


def test_every_route_has_a_builder_and_its_scheme_where_one_is_needed():
    """The main routes are opened by their scheme's eligibility, and a catalogue step is dated and explained
    by it (derogation window, reasons): only individual funding, a fallback dated without the catalogue,
    has no scheme, and asking it for one is an error rather than a silent "not eligible"."""
    from assistant.planner.routes import FALLBACK_ROUTES, REGISTRY, ROUTES

    assert all(r.build is not None for r in REGISTRY.values())
    needing = ROUTES + [r for r in FALLBACK_ROUTES if r.kinds]
    assert len(needing) >= 7 and all(r.eligibility_scheme == r.scheme for r in needing)
    without = [r for r in REGISTRY.values() if r.scheme is None]
    assert [r.key for r in without] == ["individuel"] and not without[0].kinds and without[0] in FALLBACK_ROUTES
    with pytest.raises(ValueError, match="individuel"):
        _ = without[0].eligibility_scheme


def test_injected_job_resolver_is_used_and_a_failing_one_only_warns():
    mq = offer(OfferKind.QUALIFIANT, [("Lescar", D(2027, 1, 11), D(2027, 7, 1))])
    cat = Catalogue([mq])
    calls = []

    def resolver(text, k):
        calls.append(text)
        return [{"rome": "F1602", "label": "Électricien", "score": 0.8}]

    result = plan(profile(wish_romes=[], wish="électricien du bâtiment"), TODAY, catalogue=cat, job_resolver=resolver)
    assert calls == ["électricien du bâtiment"] and result["jobs"][0]["rome"] == "F1602"
    assert result["pathways"]

    def broken(text, k):
        raise RuntimeError("index missing")

    result = plan(profile(wish_romes=[]), TODAY, catalogue=cat, job_resolver=broken)
    assert result["pathways"] == [] and any("code ROME" in w for w in result["warnings"])


def test_invalid_profile_raises_the_french_messages():
    from assistant.profile import ProfileError

    with pytest.raises(ProfileError) as exc:
        plan({"age": "trente", "commune": "Pau"}, TODAY, catalogue=Catalogue([]))
    assert any("âge" in m for m in exc.value.messages)


def test_flexible_cej_and_prepa_stretch_until_the_apprenticeship_starts():
    start = D(2027, 9, 6)  # far beyond the max gap after the CEJ's first phase
    app = offer(OfferKind.APPRENTISSAGE, [("Lescar", start, D(2029, 7, 1))])
    result = run([app], age=20, level_validated=0, diplomas=[], experience=[], followed_by="Mission Locale",
                 mobility={"driving_licence": False, "car": False, "public_transport": True})
    p = pathway(result, "apprentissage")
    kinds = [s["kind"] for s in p["steps"]]
    assert kinds[:2] == ["DIAGNOSTIC", "CEJ"] and "APPRENTISSAGE" in kinds
    before = p["steps"][kinds.index("APPRENTISSAGE") - 1]
    assert before["end"] == (start - timedelta(days=1)).isoformat()
    assert step(p, "APPRENTISSAGE")["start"] == start.isoformat()
    assert p["score_detail"]["duration"] > 0.5  # the apprenticeship contract is a job: months to employment are few


def test_remise_a_niveau_before_a_selective_entry_to_a_higher_level():
    main = offer(OfferKind.QUALIFIANT, [("Lescar", D(2027, 4, 5), D(2027, 12, 1))],
                 certification=Certification(level=5, title="BTS électrotechnique"),
                 prerequisites=Prerequisites(tests=True))
    before = offer(OfferKind.MODULE, [("Pau", D(2027, 2, 1), D(2027, 3, 12))], module_theme=ModuleTheme.REMISE_A_NIVEAU)
    during = offer(OfferKind.MODULE, [("Pau", D(2027, 4, 12), D(2027, 5, 7))], module_theme=ModuleTheme.REMISE_A_NIVEAU)
    add_ons = step(pathway(run([main, before, during]), "qualifiant"), "QUALIFIANT")["add_ons"]
    ran = next(a for a in add_ons if a["theme"] == "REMISE_A_NIVEAU")
    assert ran["session_id"] == before.sessions[0].id  # it prepares the entry tests, so it ends before
    same_level = offer(OfferKind.QUALIFIANT, [("Lescar", D(2027, 4, 5), D(2027, 12, 1))],
                       certification=Certification(level=3), prerequisites=Prerequisites(tests=True))
    add_ons = step(pathway(run([same_level, before]), "qualifiant"), "QUALIFIANT")["add_ons"]
    assert all(a["theme"] != "REMISE_A_NIVEAU" for a in add_ons)


def test_hiring_offer_opens_a_poei_pathway_dated_from_parameters():
    result = run([], hiring_offer=True)
    p = pathway(result, "poei")
    poei = step(p, "POEI")
    days = (date.fromisoformat(poei["end"]) - date.fromisoformat(poei["start"])).days
    hours = pparam("dates.poei_max_hours", TODAY)
    assert abs(days - hours / pparam("dates.poei_hours_per_week", TODAY) * 7) <= 1
    assert poei["session_id"] is None and poei["why"][0]["rule"] == "R-JOB"
    assert p["steps"][-1]["kind"] == "EMPLOI"
    assert not any(x["key"] == "poei" for x in run([]).get("pathways", []))


# --------------------------------------------------------------------------- adviser review (unseen profiles)


def test_a_session_needing_a_higher_entry_level_is_never_proposed():
    bp = offer(OfferKind.QUALIFIANT, [("Lescar", D(2027, 1, 11), D(2027, 12, 1))], title="BP (niveau 3 requis)",
               prerequisites=Prerequisites(min_level=4))
    cap = offer(OfferKind.QUALIFIANT, [("Oloron", D(2027, 1, 11), D(2027, 12, 1))], title="CAP ouvert")
    result = run([bp, cap])
    assert step(pathway(result, "qualifiant"), "QUALIFIANT")["title"] == "CAP ouvert"
    result = run([bp])
    assert not any(p["key"] == "qualifiant" for p in result["pathways"])


def test_cfa_age_limit_binds_neither_a_contrat_pro_nor_an_rqth_apprentice():
    app = offer(OfferKind.APPRENTISSAGE, [("Lescar", D(2027, 1, 11), D(2028, 12, 1))],
                publics=Publics(min_age=16, max_age=29))
    bac = dict(level_validated=4, diplomas=[{"title": "Bac pro électrotechnique", "level": 4, "year": 2014}])
    keys = lambda **kw: {p["key"] for p in run([app], **bac, **kw)["pathways"]}  # noqa: E731
    assert "contrat_pro" in keys(age=31) and "apprentissage" not in keys(age=31)
    assert {"apprentissage", "contrat_pro"} <= keys(age=31, rqth=True)


def test_no_prepa_at_the_apprenticeship_last_age_and_the_birthday_is_warned():
    app = offer(OfferKind.APPRENTISSAGE, [("Lescar", D(2027, 1, 11), D(2028, 12, 1)),
                                          ("Lescar", D(2027, 9, 13), D(2029, 7, 1))])
    result = run([app], age=29, level_validated=0, diplomas=[], wants_alternance=True)
    appr = pathway(result, "apprentissage")
    assert "PREPA_APPRENTISSAGE" not in [s["kind"] for s in appr["steps"]]
    assert any("avant vos 30 ans" in w for w in appr["warnings"])
    younger = pathway(run([app], age=28, level_validated=0, diplomas=[], wants_alternance=True), "apprentissage")
    assert "PREPA_APPRENTISSAGE" in [s["kind"] for s in younger["steps"]]


def test_iae_is_proposed_only_when_its_criteria_are_met():
    keys = lambda **kw: {p["key"] for p in run([], **kw)["pathways"]}  # noqa: E731
    assert "iae" not in keys(income_support="ARE")  # one level-2 criterion (level 3) only
    assert "iae" in keys(income_support="RSA")  # a level-1 criterion


def test_individual_funding_route_states_the_income_for_the_status():
    high = dict(level_validated=5, diplomas=[{"title": "BTS", "level": 5, "year": 2015}])
    are = pathway(run([], income_support="ARE", **high), "individuel")
    assert "AREF" in are["income"]["basis"]
    csp = pathway(run([], status="csp", income_support="ARE"), "individuel")
    assert "R-CSP" in {w["rule"] for w in step(csp, "AIDE")["why"]}


def test_a_certification_already_held_is_not_proposed_again():
    same = offer(OfferKind.QUALIFIANT, [("Lescar", D(2027, 1, 11), D(2027, 12, 1))],
                 certification=Certification(title="CAP Électricien", level=3))
    other = offer(OfferKind.QUALIFIANT, [("Oloron", D(2027, 1, 11), D(2027, 12, 1))],
                  certification=Certification(title="BP Électricien", level=4))
    result = run([same, other])  # the profile holds a "CAP électricien"
    assert step(pathway(result, "qualifiant"), "QUALIFIANT")["certification"] == "BP Électricien"


def test_alternance_waits_for_the_next_cfa_cycle_and_says_so():
    app = offer(OfferKind.APPRENTISSAGE, [("Lescar", D(2027, 9, 6), D(2029, 7, 1))])
    bac = dict(level_validated=4, diplomas=[{"title": "Bac pro électrotechnique", "level": 4, "year": 2024}])
    appr = pathway(run([app], age=22, **bac), "apprentissage")
    assert step(appr, "APPRENTISSAGE")["start"] == "2027-09-06"
    assert any(w.startswith("Prochain cycle en CFA le 06/09/2027") for w in appr["warnings"])


def test_training_steps_carry_the_session_commune_code():
    """The INSEE code travels with the step so the sheet can flag a doubtful commune position."""
    qualif = offer(OfferKind.QUALIFIANT, [("Lescar", D(2027, 1, 11), D(2027, 9, 30))])
    qualif.sessions[0].commune_insee = "64335"
    p = pathway(run([qualif]), "qualifiant")
    main = step(p, "QUALIFIANT")
    assert (main["commune"], main["commune_insee"]) == ("Lescar", "64335")
    assert step(p, "DIAGNOSTIC")["commune_insee"] is None

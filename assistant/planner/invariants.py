"""The promises every plan keeps (issue 8, section 3), as one checker over a plan's JSON.

Why a checker in the package rather than only in tests: the same function runs in
the property tests over thousands of generated profiles, in the adviser cases, and
can be run on any saved plan (`check_plan(profile, plan, catalogue)`), so a
promise is written once. Each violation is `(invariant number, French-free
English message)`: they are for developers, never shown to a person.

Numbers follow the issue: 1 VAE experience, 2 contrat pro, 3 ages at each step,
4 durations / no overlap / job after training, 5 working-day deadlines after the
diagnostic, 6 reach, 7 part time, 8 basic skills first, 9 discovery first,
10 partial routes, 11 derogation routes, 12 current status, 13 residency,
15 add-ons, 16 every route accounted for and 2-3 distinct pathways whenever the
catalogue holds options within 12 months and reach; plus 0: every step's job is the target
or an explicitly labelled "métier proche".
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from assistant.parameters import param
from assistant.planner.calendar import is_working_day
from assistant.profile import Profile
from assistant.schemes import IncomeSupport, Status

DAYS_PER_MONTH = 30.44
QUALIFYING = {"HSP_1NQ", "QUALIFIANT", "APPRENTISSAGE", "CONTRAT_PRO", "POEI", "PTP", "VAE", "AIDE"}
TRAINING = {"AMORCE", "HSP_SOCLE", "PREPA_APPRENTISSAGE", "HSP_1NQ", "QUALIFIANT", "APPRENTISSAGE", "CONTRAT_PRO",
            "POEI", "MODULE"}
DISCOVERY = {"AMORCE", "IMMERSION", "PREPA_APPRENTISSAGE"}
REGION_KINDS = {"QUALIFIANT", "HSP_1NQ", "HSP_SOCLE", "AMORCE"}
# Step kinds whose scheme the rules decide: never a step of a scheme the rules close (invariant 12).
SCHEME_OF_STEP = {"APPRENTISSAGE": "APPRENTISSAGE", "PREPA_APPRENTISSAGE": "PREPA_APPRENTISSAGE",
                  "QUALIFIANT": "QUALIFIANT", "HSP_1NQ": "HSP_1NQ", "HSP_SOCLE": "HSP_SOCLE",
                  "CONTRAT_PRO": "CONTRAT_PRO", "POEI": "POEI", "PTP": "PTP", "VAE": "VAE", "CEJ": "CEJ",
                  "AMORCE": "AMORCE"}
ALL_ROUTES = {"apprentissage", "qualifiant", "hsp_1nq", "contrat_pro", "poei", "ptp", "vae", "iae", "individuel"}


def _d(text: str) -> date:
    return date.fromisoformat(text)


def _months(a: date, b: date) -> float:
    return (b - a).days / DAYS_PER_MONTH


def check_plan(profile: Profile, plan: dict[str, Any], catalogue: Any, today: date) -> list[tuple[int, str]]:
    """Every broken promise of `plan` (the JSON of `assistant.api.plan`) for `profile` (parsed)."""
    out: list[tuple[int, str]] = []
    if plan.get("status") == "hors_region":
        if plan["pathways"]:
            out.append((13, "pathways proposed outside the region"))
        return out
    if plan.get("status") != "ok":
        if plan["pathways"]:
            out.append((0, f"pathways built on status {plan.get('status')}"))
        return out
    elig = {e["scheme"]: e for e in plan["eligibility"]}
    targets = {j["rome"] for j in plan["jobs"]}
    from catalog.referentials import rome_codes

    codes = rome_codes()
    targets |= {codes[t].parent for t in list(targets) if t in codes}
    by_id = {o.id: o for o in getattr(catalogue, "offers", [])} if not hasattr(catalogue, "get") else None
    get_offer = (lambda oid: catalogue.get(oid)) if by_id is None else by_id.get
    for p in plan["pathways"]:
        out += [(n, f"{p['key']}: {m}") for n, m in _check_pathway(profile, p, plan, elig, targets, get_offer, today)]
    considered = {p["key"] for p in plan["pathways"]} | {r["route"] for r in plan["not_proposed"]}
    if not ALL_ROUTES <= considered:
        out.append((16, f"routes neither proposed nor explained: {sorted(ALL_ROUTES - considered)}"))
    if any(not r.get("reason") for r in plan["not_proposed"]):
        out.append((16, "a route not proposed without its reason"))
    out += _check_pathway_count(profile, plan, elig, targets, catalogue, today)
    if elig.get("HSP_1NQ", {}).get("status") == "derogation" and "hsp_1nq" not in considered:
        out.append((11, "derogation route neither built nor explained"))
    return out


# Catalogue routes and the offer kinds an independent look at the catalogue searches for them (invariant 16).
# The contrat pro is searched on contrat pro offers, and on CFA sessions whose certification the RNCP table
# positively opens to it (access route CONTRATP).
ROUTE_KINDS = {"apprentissage": ("APPRENTISSAGE",), "qualifiant": ("QUALIFIANT",), "hsp_1nq": ("HSP_1NQ",),
               "contrat_pro": ("CONTRAT_PRO", "APPRENTISSAGE")}
ROUTE_SCHEME = {"apprentissage": "APPRENTISSAGE", "qualifiant": "QUALIFIANT", "hsp_1nq": "HSP_1NQ",
                "contrat_pro": "CONTRAT_PRO"}


def _check_pathway_count(prof: Profile, plan: dict, elig: dict, targets: set[str], catalogue: Any,
                         today: date) -> list[tuple[int, str]]:
    """Invariant 16, the count: distinct routes (never the same route twice), at most `ranking.max_pathways`,
    and at least two whenever the catalogue holds an option for an open route not proposed: a session of
    the target job, recruiting, starting within 12 months (after the diagnostic), within the person's
    radius, whose entry level and ages the person meets. The look is deliberately independent of the
    planner (and conservative), so a builder that gives a route up too early is caught."""
    out: list[tuple[int, str]] = []
    keys = [p["key"] for p in plan["pathways"]]
    if len(set(keys)) != len(keys):
        out.append((16, f"the same route proposed twice: {keys}"))
    if len(keys) > param("ranking.max_pathways", today):
        out.append((16, f"{len(keys)} pathways, more than ranking.max_pathways"))
    if len(set(keys)) >= 2:
        return out
    option = next(((key, found) for key, found in
                   ((k, _catalogue_option(prof, plan, k, targets, catalogue, today)) for k in ROUTE_KINDS
                    if k not in keys and elig.get(ROUTE_SCHEME[k], {}).get("status") in ("eligible", "derogation"))
                   if found), None)
    if option is not None:
        out.append((16, f"{len(keys)} pathway(s) while the catalogue holds an option for {option[0]}: {option[1]}"))
    return out


def _catalogue_option(prof: Profile, plan: dict, route: str, targets: set[str], catalogue: Any,
                      today: date) -> str | None:
    """'offer/session' of a session the person could enter on `route`, or None."""
    import math

    from assistant.api import locate
    from assistant.catview import NO_DATE, title_key, view_for
    from catalog.model import OfferKind
    from catalog.referentials import access_routes

    commune = plan.get("commune") or {}
    max_km = commune.get("max_km")
    lat, lon, _, _ = locate(prof.commune)
    if lat is None or lon is None or max_km is None:
        return None
    view = view_for(catalogue)
    diag = next((s for p in plan["pathways"] for s in p["steps"] if s["kind"] == "DIAGNOSTIC"), None)
    # no pathway to read the diagnostic from: it ends at the earliest after its usual delay and length
    lo = _d(diag["end"]) if diag else today + timedelta(
        days=param("dates.diagnostic_delay_days", today) + param("dates.diagnostic_days", today))
    if route == "contrat_pro":  # the employer is found before the contract starts
        lo = max(lo, today + timedelta(days=param("chain.contrat_pro_employer_search_days", today)))
    status = next((e["status"] for e in plan["eligibility"] if e["scheme"] == ROUTE_SCHEME[route]), None)
    if status == "derogation":  # the request is filed after the diagnostic, weeks before the entry
        lo = max(lo, today + timedelta(days=param("chain.derogation_min_notice_days", today)))
        lo += timedelta(days=param("hsp.derogation_ask_from_days", today) + 7)
    hi = today + timedelta(days=365)
    level = prof.eligibility_level(today)
    held = {title_key(d.title) for d in prof.diplomas}
    age_at_end = prof.age + 1  # the cautious age: any start within 12 months
    for kind in ROUTE_KINDS[route]:
        rows = view.rows(OfferKind(kind), sorted(targets))
        if not len(rows):
            continue
        dist = view.distances_km(rows, lat, lon)
        for r, km in zip(rows, dist):
            r = int(r)
            start, end = int(view.start[r]), int(view.end[r])
            if start == NO_DATE or end == NO_DATE or not view.open[r] or math.isnan(km) or km > max_km:
                continue
            if view.permanent[r]:
                start = max(start, lo.toordinal())
                if end - start < param("chain.min_remaining_days_permanent", today):
                    continue
            if not lo.toordinal() < start <= hi.toordinal():
                continue
            offer = view.offer_of(r)
            cfa_cpro = route == "contrat_pro" and kind == "APPRENTISSAGE"
            if cfa_cpro and "CONTRATP" not in (access_routes(offer.certification.rncp or "") or ()):
                continue
            if view.min_level[r] > level or title_key(offer.certification.title or "") in held:
                continue
            # a CFA session's upper age is the apprenticeship's: it does not bind a contrat pro (R-CPRO)
            if not (view.min_age[r] <= prof.age and (cfa_cpro or age_at_end <= view.max_age[r])):
                continue
            if route == "apprentissage" and age_at_end > param("apprentissage.age_max", today) \
                    and not (prof.rqth or prof.business_creation):
                continue
            return f"{offer.id}/{view.sessions[r].id} at {km:.0f} km on {date.fromordinal(start)}"
    return None


def _check_pathway(prof: Profile, p: dict, plan: dict, elig: dict, targets: set[str], get_offer: Any,
                   today: date) -> list[tuple[int, str]]:
    from assistant.eligibility import skills_gaps, vae_experience
    from catalog.referentials import are_close_jobs

    out: list[tuple[int, str]] = []
    steps = p["steps"]
    warnings = " ".join(p["warnings"])
    diag = next((s for s in steps if s["kind"] == "DIAGNOSTIC"), None)
    diag_end = _d(diag["end"]) if diag else today
    max_km = plan["commune"]["max_km"]
    kinds = [s["kind"] for s in steps]
    first_q = next((i for i, k in enumerate(kinds) if k in QUALIFYING), None)

    # 0. the job of every step: the target, or a labelled "métier proche"
    for s in steps:
        if s.get("rome"):
            rel = s.get("job_relation")
            if rel == "cible" and s["rome"] not in targets:
                out.append((0, f"step {s['kind']} labelled target but job {s['rome']} is not"))
            elif rel == "metier_proche" and not (any(are_close_jobs(s["rome"], t) for t in targets)
                                                 and s.get("job_relation_label")):
                out.append((0, f"step {s['kind']} 'métier proche' {s['rome']} not ROME-linked or not labelled"))
            elif rel not in ("cible", "metier_proche"):
                out.append((0, f"step {s['kind']} job {s['rome']} without a relation to the target"))
        if not s["why"] or not all(w["rule"] and w["text"] for w in s["why"]):
            out.append((0, f"step {s['kind']} without a reason"))

    # 1. VAE
    if "VAE" in kinds:
        direct, close = vae_experience(prof, sorted(targets))
        if direct + close < param("vae.practice_min_months", today):
            out.append((1, f"VAE with {direct}+{close} months linked to the target"))

    # 2. contrat pro
    for s in (x for x in steps if x["kind"] == "CONTRAT_PRO" and not x.get("a_trouver")):
        m = _months(_d(s["start"]), _d(s["end"]))
        extended = (prof.age <= param("contrat_pro.age_max_youth", today)
                    and prof.level_validated < param("contrat_pro.first_pro_level", today)) or \
            prof.income_support in (IncomeSupport.RSA, IncomeSupport.ASS, IncomeSupport.AAH)
        hi = param("contrat_pro.max_months_extended" if extended else "contrat_pro.max_months", today)
        if not param("contrat_pro.min_months", today) - 0.2 <= m <= hi + 0.2:
            out.append((2, f"contrat pro of {m:.1f} months"))
        offer = get_offer(s["offer_id"]) if s["offer_id"] else None
        if offer is not None and offer.kind.value not in ("CONTRAT_PRO", "APPRENTISSAGE"):
            out.append((2, f"contrat pro built on a {offer.kind.value} offer"))
        any_age = prof.registered_france_travail or prof.income_support in (
            IncomeSupport.RSA, IncomeSupport.ASS, IncomeSupport.AAH)
        if not any_age and prof.birth_date and prof.age_on(_d(s["start"]), today) > param("contrat_pro.age_max_youth", today):
            out.append((2, "contrat pro starting after the youth age limit"))

    # 3. ages at each step's start
    for s in steps:
        if s["kind"] != "APPRENTISSAGE" or s.get("a_trouver") or prof.rqth or prof.business_creation:
            continue
        limit = param("apprentissage.age_max", today)
        start = _d(s["start"])
        if prof.birth_date:
            if prof.age_on(start, today) > limit:
                out.append((3, f"apprenticeship starting at {prof.age_on(start, today)}"))
        elif prof.age_on(start, today) > limit and f"avant vos {limit + 1} ans" not in warnings:
            out.append((3, "apprenticeship near the age limit without a warning"))

    # 4. durations, no overlap, job after training
    prev = None
    for s in steps:
        start, end = _d(s["start"]), _d(s["end"])
        if start < today or end < start:
            out.append((4, f"step {s['kind']} dated {start}..{end}"))
        if prev is not None and start <= _d(prev["end"]):
            out.append((4, f"step {s['kind']} starts {start} before {prev['kind']} ends {prev['end']}"))
        prev = s
        if s["offer_id"] and s["kind"] in TRAINING and s["kind"] != "CONTRAT_PRO":
            offer = get_offer(s["offer_id"])
            session = next((x for x in offer.sessions if x.id == s["session_id"]), None) if offer else None
            # R-BLOC: a step shortened to the missing blocs keeps its start and lasts its share of the offer
            blocs = next((a for a in s.get("add_ons") or [] if a.get("kind") == "blocs" and a.get("shortened")), None)
            share = blocs["duration_share"] if blocs else 1.0
            if session is None:
                out.append((4, f"step {s['kind']} on an unknown session"))
            elif session.entry_mode.value == "PERMANENT" and offer.duration.months:
                if abs(_months(start, end) - offer.duration.months * share) > 0.2:
                    out.append((4, f"open-entry step lasts {_months(start, end):.1f} months, offer "
                                   f"{offer.duration.months} × {share}"))
            elif blocs and session.start and session.end and (start != session.start or end >= session.end):
                out.append((4, f"shortened step {start}..{end} not within the session's {session.start}..{session.end}"))
            elif not blocs and session.start and session.end and (start != session.start or end != session.end):
                out.append((4, f"fixed-date step {start}..{end} not the session's {session.start}..{session.end}"))
    job = next((s for s in steps if s["kind"] == "EMPLOI" and s is steps[-1]), None)
    if job is not None:
        last_training = max((_d(s["end"]) for s in steps if s is not job), default=today)
        if _d(job["start"]) <= last_training:
            out.append((4, "job step before the end of training"))

    # 5. deadlines
    for s in steps:
        floor = today if s["kind"] == "DIAGNOSTIC" else max(today, diag_end)
        for a in s["next_actions"]:
            for key in ("when", "deadline"):
                if a.get(key):
                    d = _d(a[key])
                    if not is_working_day(d) or d < floor:
                        out.append((5, f"{key} {d} of '{a['action'][:40]}' (floor {floor}, working day {is_working_day(d)})"))
            if a["action"].startswith("Dérogation"):
                entry = _d(s["start"])
                lo = entry - timedelta(days=param("hsp.derogation_ask_from_days", today))
                hi = entry - timedelta(days=param("hsp.derogation_ask_until_days", today))
                for key in ("when", "deadline"):
                    if a.get(key) and not (lo <= _d(a[key]) <= hi and _d(a[key]) > diag_end):
                        out.append((5, f"derogation {key} {a[key]} outside {lo}..{hi} or before the diagnostic end"))

    # 6. reach
    mob = prof.mobility
    for s in steps:
        dist = s.get("distance_km")
        if dist is None or dist <= max_km + 0.05 or s["kind"] == "MODULE":
            continue
        offer = get_offer(s["offer_id"]) if s["offer_id"] else None
        if not ((mob.driving_licence and mob.car) or mob.public_transport):
            out.append((6, f"{s['kind']} at {dist} km for someone who cannot travel"))
        if offer is not None and offer.kind.value in REGION_KINDS:
            out.append((6, f"Region training at {dist} km beyond the radius (social fund is not structural)"))
        if not prof.registered_france_travail:
            out.append((6, f"{s['kind']} beyond the radius for someone not registered (no FT aid)"))
        if not any(x.get("rule") == "R-MOB" and "France Travail" in x.get("text", "") for x in s["support"]):
            out.append((6, f"{s['kind']} beyond the radius without the FT aid named"))
        if "au-delà du rayon" not in warnings:
            out.append((6, "extra distance not said"))
    if mob.moped and not (mob.driving_licence and mob.car) and not mob.public_transport:
        if max_km > param("mobility.moped_km", today):
            out.append((6, f"moped-only radius {max_km} km"))

    # 7. part time
    if prof.time_constrained:
        for s in steps:
            if s["kind"] not in TRAINING or not s["offer_id"] or s["kind"] == "MODULE":
                continue
            offer = get_offer(s["offer_id"])
            part = offer.rhythm.value == "PART_TIME" or offer.accessibility.part_time_possible
            if (s["kind"] == "APPRENTISSAGE" or not part) and not any(
                    offer.title in w and ("aménagement" in w or "temps partiel" in w) for w in p["warnings"]):
                out.append((7, f"full-time {s['kind']} without the adjustment to ask"))

    # 8. basic skills first, with the matching objective
    gaps = skills_gaps(prof, today)
    if gaps and first_q is not None:
        socle = [s for s in steps[:first_q] if s["kind"] == "HSP_SOCLE"
                 or (s["kind"] == "MODULE" and s["title"].startswith("Compétences de base"))]
        if not socle:
            out.append((8, f"gaps {[g.value for g in gaps]} without an HSP Socle step before {kinds[first_q]}"))
        from assistant.pathways import SOCLE_OBJECTIVES
        from assistant.profile import fold_accents

        titles = " ".join(fold_accents(s["title"]) for s in socle)
        for _, covers, words in SOCLE_OBJECTIVES:
            if set(gaps) & covers and socle and not any(w in titles for w in words):
                out.append((8, f"no socle step with the objective for {[g.value for g in set(gaps) & covers]}"))

    # 9. discovery first when the project is not validated
    tried = prof.field_experience_months(sorted(targets)) > 0
    if not prof.project_validated and not prof.hiring_offer and not tried and first_q is not None:
        if not any(k in DISCOVERY for k in kinds[:first_q]):
            out.append((9, f"project not validated and no discovery step before {kinds[first_q]}"))
        for s in steps[:first_q]:
            if s["kind"] == "IMMERSION" and s.get("rome") not in targets:
                out.append((9, "immersion outside the target job"))
            if s["kind"] == "AMORCE" and s.get("job_relation") not in ("cible", "metier_proche"):
                out.append((9, f"Amorce de parcours not opening onto the target job: {s['title'][:60]}"))
            offer = get_offer(s["offer_id"]) if s["kind"] == "AMORCE" and s.get("offer_id") else None
            if offer is not None and not set(offer.rome_codes) & targets:
                out.append((9, f"Amorce outside the target job: {offer.title}"))

    # 10. partial routes: a step to find says why
    for s in steps:
        if s.get("a_trouver") and not s.get("a_trouver_raison"):
            out.append((10, f"step {s['kind']} to find without a reason"))

    # 12. current status
    if prof.status == Status.SALARIE_IAE and p["key"] == "iae":
        out.append((12, "a new IAE contract for an IAE employee"))
    for s in steps:
        scheme = SCHEME_OF_STEP.get(s["kind"])
        if scheme and elig.get(scheme, {}).get("status") == "not_eligible":
            out.append((12, f"step {s['kind']} of a scheme the rules close"))

    # 15. add-ons
    for i, s in enumerate(steps):
        for a in s["add_ons"]:
            if not a.get("start"):
                continue
            a_start, a_end = _d(a["start"]), _d(a["end"])
            if a.get("placement") == "alongside":
                offer = get_offer(s["offer_id"]) if s["offer_id"] else None
                part = offer is not None and (offer.rhythm.value == "PART_TIME" or (
                    (s.get("hours_per_week") or 99) < param("rps.full_time_hours_week", today)))
                if not part or "hours_added_per_week" not in a:
                    out.append((15, f"module alongside a full-time step {s['kind']}"))
            else:
                before = _d(steps[i - 1]["end"]) if i else today
                if not (a_end < _d(s["start"]) and a_start > before):
                    out.append((15, f"module {a_start}..{a_end} overlaps a step around {s['kind']} {s['start']}"))
    return out

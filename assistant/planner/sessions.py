"""Choosing sessions on the catalogue view: start window, ages at entry, prerequisites, reach and aids,
the cost that ranks candidate sessions (vectorised with numpy: a plan stays fast at 100k offers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from assistant.catview import NO_DATE, CatalogueView, title_key
from assistant.planner.context import (
    ALTERNANCE_KINDS,
    DAYS_PER_MONTH,
    NO_AGE_LIMIT,
    PREAMBLE_KINDS,
    REGION_FUNDED,
    Context,
    _next_day,
    view_memo,
)
from assistant.profile import Profile, _add_years
from assistant.schemes import EligibilityStatus, Scheme
from assistant.steps import Step
from catalog.model import Offer, OfferKind


@dataclass
class Choice:
    row: int
    offer: Offer
    start: date
    end: date
    distance_km: float | None
    beyond_radius: bool
    full: bool
    part_time_ok: bool
    age_doubt: bool = False  # with the age alone, an age limit may be passed on the entry day


def _candidates(view: CatalogueView, kinds: list[OfferKind],
                romes: list[str] | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidate session rows, the rank of the ROME each was found by (0 = best job), and whether
    its offer is Region-funded (which decides the mobility aid that applies, R-MOB)."""
    rows, ranks, region = [], [], []
    for kind in kinds:
        for i, rome in enumerate(romes if romes is not None else [None]):
            part = view.rows(kind) if rome is None else view.rows(kind, [rome])
            rows.append(part)
            ranks.append(np.full(len(part), float(i)))
            region.append(np.full(len(part), kind in REGION_FUNDED))
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0, dtype=bool)
    return np.concatenate(rows), np.concatenate(ranks), np.concatenate(region)


def search_window(ctx: Context, cursor: date | Step) -> tuple[date, date]:
    """First and last start day for the next step: after `cursor` (a day or the previous step), not
    before the person is available, within the max gap; a flexible previous step stretches the window
    to its longest length, and the first entry after the diagnostic may wait longer (prescription, tests)."""
    prev, after = (cursor, _next_day(cursor)) if isinstance(cursor, Step) else (None, cursor)
    first = max(after, ctx.available_from)
    last = first + timedelta(days=ctx.p("chain.max_gap_days"))
    if prev is not None and prev.flex_until is not None:
        last = max(last, prev.flex_until + timedelta(days=1))
    if prev is not None and prev.kind in PREAMBLE_KINDS:
        last = max(last, first + timedelta(days=ctx.p("chain.first_entry_max_wait_days")))
    return first, last


def _age_limits(ctx: Context, kinds: list[OfferKind], min_age: np.ndarray, max_age: np.ndarray,
                eff_start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(allowed, uncertain) per candidate row: ages are checked on the entry day (invariant 3).

    With the birth month the check is exact (the birthday taken as the 1st of the month: the cautious
    reading of an upper limit). With the age alone, a row is excluded only when the limit is certainly
    passed on entry, and flagged `uncertain` when it may be (the step then carries a warning)."""
    prof, today = ctx.profile, ctx.today
    max_age = max_age.copy()
    lifted = _alternance_age_lifted(ctx, kinds)
    if lifted:
        max_age[:] = NO_AGE_LIMIT
    elif OfferKind.APPRENTISSAGE in kinds:  # the legal upper age binds even when the offer omits it
        max_age = np.minimum(max_age, ctx.p("apprentissage.age_max"))
    if OfferKind.CONTRAT_PRO in kinds and not _cpro_any_age(prof):  # R-CPRO: age checked at the contract start
        max_age = np.minimum(max_age, ctx.p("contrat_pro.age_max_youth"))
    allowed = np.ones(len(eff_start), dtype=bool)
    uncertain = np.zeros(len(eff_start), dtype=bool)
    for m in np.unique(max_age):
        if m >= NO_AGE_LIMIT:
            continue
        sel = max_age == m
        earliest, exact = prof.birthday(int(m) + 1, today)
        latest = earliest if exact else _latest_birthday(prof, int(m) + 1, today)
        allowed[sel] &= eff_start[sel] < latest.toordinal()
        uncertain[sel] |= eff_start[sel] >= earliest.toordinal()
    for m in np.unique(min_age):
        if m <= 0:
            continue
        sel = min_age == m
        allowed[sel] &= eff_start[sel] >= _latest_birthday(prof, int(m), today).toordinal()
    return allowed, uncertain & allowed


def _cpro_any_age(prof: Profile) -> bool:
    """R-CPRO: registered jobseekers and RSA / ASS / AAH recipients have no upper age for a contrat pro."""
    from assistant.schemes import IncomeSupport

    return bool(prof.registered_france_travail) or prof.income_support in (
        IncomeSupport.RSA, IncomeSupport.ASS, IncomeSupport.AAH)


def _cpro_rows(ctx: Context) -> np.ndarray:
    """Sessions a contrat de professionnalisation can be built on (invariant 2): contrat pro offers, and
    CFA certifying offers whose certification is open to the contrat pro (RNCP access route CONTRATP, or
    an RNCP fiche the 2021 table does not know: never concluded closed)."""
    memo = view_memo(ctx.view)
    if "cpro_rows" not in memo:
        from catalog.referentials import access_routes

        rows = np.concatenate([ctx.view.rows(OfferKind.CONTRAT_PRO), ctx.view.rows(OfferKind.APPRENTISSAGE)])
        keep = []
        for r in rows:
            o = ctx.view.offer_of(int(r))
            routes = access_routes(o.certification.rncp or "")
            if o.kind == OfferKind.CONTRAT_PRO or routes is None or "CONTRATP" in routes:
                keep.append(int(r))
        memo["cpro_rows"] = np.asarray(keep, dtype=np.int64)
    return memo["cpro_rows"]


def _apprenticeship_rows(ctx: Context) -> np.ndarray:
    """Sessions an apprenticeship contract can be built on (issue 12): CFA offers whose certification is
    open to apprenticeship (RNCP access route CONTRATA), or whose fiche the 2021 table does not know (None:
    never concluded closed). A CFA record citing a certification closed to apprenticeship is a data
    error or a contrat pro offer: proposing it as an apprenticeship would mislead."""
    memo = view_memo(ctx.view)
    if "appr_rows" not in memo:
        from catalog.referentials import access_routes

        keep: list[int] = []
        closed: list[int] = []
        for r in ctx.view.rows(OfferKind.APPRENTISSAGE):
            routes = access_routes(ctx.view.offer_of(int(r)).certification.rncp or "")
            (keep if routes is None or "CONTRATA" in routes else closed).append(int(r))
        memo["appr_rows"] = np.asarray(keep, dtype=np.int64)
        memo["appr_closed"] = np.asarray(closed, dtype=np.int64)
    return memo["appr_rows"]


def closed_route_text(ctx: Context, route_key: str, romes: list[str]) -> str:
    """Why a CFA offer of the target job was left out of an alternance route: its certification is not open
    to that contract (RNCP access routes); "" when none was."""
    if route_key == "apprentissage":
        _apprenticeship_rows(ctx)
        closed, word = view_memo(ctx.view)["appr_closed"], "l'apprentissage"
    elif route_key == "contrat_pro":
        kept = set(_cpro_rows(ctx).tolist())
        closed = [int(r) for r in ctx.view.rows(OfferKind.APPRENTISSAGE) if int(r) not in kept]
        word = "le contrat de professionnalisation"
    else:
        return ""
    job_rows = ctx.view.rows(OfferKind.APPRENTISSAGE, romes)  # the job's CFA sessions, as the route searched them
    certs = sorted({f"{o.certification.title} ({o.certification.rncp})" for o in (
        ctx.view.offer_of(int(r)) for r in job_rows[np.isin(job_rows, np.asarray(closed, dtype=np.int64))])})
    if not certs:
        return ""
    return (f" ; formations écartées car leur certification n'est pas ouverte à {word} "
            f"(voies d'accès de la fiche RNCP) : {', '.join(certs[:3])}")


def _latest_birthday(prof: Profile, age: int, today: date) -> date:
    """Latest day the person can turn `age` (the lower age limits are checked against it)."""
    born = prof.birth_month
    if born is not None:
        nxt = date(born.year + (born.month == 12), born.month % 12 + 1, 1)
        last_day = nxt - timedelta(days=1)
        return prof.birthday(age, today)[0] + (last_day - born)
    return _add_years(today, age - prof.age)


def pick_session(ctx: Context, kinds: list[OfferKind], romes: list[str] | None, cursor: date | Step,
                 min_start: date | None = None, allow_beyond: bool = True,
                 wait_days: int | None = None, only_rows: np.ndarray | None = None) -> Choice | None:
    """Best session of `kinds` (for `romes` when given) starting in [cursor, cursor + max gap].

    `cursor` is a date or the previous step: after a flexible step (CEJ, prépa
    apprentissage), the window extends to the last day that step may stretch to.
    Hard filters: recruitment open, dates known, start window (a permanent-entry
    session is entered at `cursor` if enough of it remains), age limits of the
    offer, distance (radius, or up to `chain.max_km_with_aid` when a mobility
    aid is open). Among the rest the cheapest wins: distance, waiting time, ROME
    rank, full session, beyond-radius, part-time and accessibility mismatches.
    """
    view = ctx.view
    rows, rank, region = _candidates(view, kinds, romes)
    if only_rows is not None:  # e.g. the HSP Socle sessions of one objective
        keep = np.isin(rows, only_rows)
        rows, rank, region = rows[keep], rank[keep], region[keep]
    if not len(rows):
        return None
    prev = cursor if isinstance(cursor, Step) else None
    first, last = search_window(ctx, cursor)
    if wait_days is not None:  # a longer wait the caller accepts (the next CFA cycle)
        last = max(last, first + timedelta(days=wait_days))
    lo, hi = max(first, min_start or first).toordinal(), last.toordinal()
    min_left = ctx.p("chain.min_remaining_days_permanent")
    start, end, perm = view.start[rows], view.end[rows], view.permanent[rows]
    eff_start = np.where(perm, np.maximum(start, lo), start)
    age_ok, age_doubt = _age_limits(ctx, kinds, view.min_age[rows], view.max_age[rows], eff_start)
    ok = (view.open[rows] & (start != NO_DATE) & (end != NO_DATE)
          & (eff_start >= lo) & (eff_start <= hi) & (end - eff_start >= np.where(perm, min_left, 0))
          & age_ok & _prerequisites_met(ctx, rows))
    if ctx.position is not None:
        dist = view.distances_km(rows, *ctx.position)
        far = max(ctx.p("chain.max_km_with_aid"), ctx.max_km)
        limit = np.full(len(rows), ctx.max_km)
        if allow_beyond and _can_travel_far(ctx):
            # invariant 6: beyond the radius only with a concrete aid the person is eligible for: France
            # Travail's mobility aid, for trainings the Region does not fund (the Region's social fund is
            # for unforeseen hardship, never a structural answer to distance)
            limit[~region & _aid_open(ctx, False)] = far
        ok &= ~np.isnan(dist) & (dist <= limit)
        # beyond the radius the aid must really apply at that distance (its round-trip minimum)
        ok &= ~((dist > ctx.max_km) & (2 * dist <= ctx.p("mobility.aid_min_round_trip_km")))
    else:
        dist = np.zeros(len(rows))
    if not ok.any():
        return None
    rows, eff_start, end, dist, rank = rows[ok], eff_start[ok], end[ok], dist[ok], rank[ok]
    perm_ok, age_doubt = perm[ok], age_doubt[ok]
    w = ctx.p("chain.choice_weights")
    places = view.places[rows]
    full = places == 0
    beyond = dist > ctx.max_km
    part_ok = view.part_time[rows]
    cost = (w["distance"] * dist / max(ctx.max_km, 1.0)
            + w["wait"] * (eff_start - lo) / max(hi - lo, 1)
            + w["rome_rank"] * rank
            + w["full"] * full + w["beyond_radius"] * beyond)
    if ctx.needs_part_time:
        cost += w["part_time_required"] * ~part_ok
    elif ctx.prefers_adapted:
        cost += w["adapted_preferred"] * ~(part_ok | view.extended[rows])
    if ctx.profile.rqth_or_pending:
        cost += w["referent_handicap"] * ~view.ref_handicap[rows]
    best = int(np.argmin(cost))
    row = int(rows[best])
    offer = view.offer_of(row)
    start_d, end_d = date.fromordinal(int(eff_start[best])), date.fromordinal(int(end[best]))
    if perm_ok[best] and offer.duration.months:
        # invariant 4: open entry lasts the offer's nominal duration from the entry day, never cut at the
        # session's end date (an 18-month title entered late still lasts 18 months)
        end_d = start_d + timedelta(days=round(offer.duration.months * DAYS_PER_MONTH))
    if prev is not None and prev.flex_until is not None:  # stretch the flexible step up to the entry
        prev.end = max(prev.end, min(start_d - timedelta(days=1), prev.flex_until))
    return Choice(
        row=row, offer=offer, start=start_d, end=end_d,
        distance_km=float(dist[best]) if ctx.position is not None else None,
        beyond_radius=bool(beyond[best]), full=bool(full[best]), part_time_ok=bool(part_ok[best]),
        age_doubt=bool(age_doubt[best]),
    )


def _can_travel_far(ctx: Context) -> bool:
    """Someone can really go beyond their radius with a licence and a car, or with public transport."""
    mob = ctx.profile.mobility
    return (mob.driving_licence and mob.car) or mob.public_transport


def _prerequisites_met(ctx: Context, rows: np.ndarray) -> np.ndarray:
    """The offer's entry level (e.g. a BP needs a CAP): met by the validated level, or by field experience
    where the offer says experience can replace it. Never propose a session the person cannot enter, nor
    one leading to a certification the person already holds (a bac pro cuisine holder is not sent back to it)."""
    key = "prereq"
    if key not in ctx.cache:
        held = [ctx.view.cert_ids.get(title_key(d.title)) for d in ctx.profile.diplomas]
        ctx.cache[key] = (ctx.profile.eligibility_level(ctx.today), ctx.profile.field_experience_months(ctx.romes),
                          np.array([h for h in held if h is not None], dtype=np.int64))
    level, months, held = ctx.cache[key]
    need, exp = ctx.view.min_level[rows], ctx.view.prereq_months[rows]
    return ((need <= level) | ((exp > 0) & (months >= exp))) & ~np.isin(ctx.view.cert[rows], held)


def _alternance_age_lifted(ctx: Context, kinds: list[OfferKind]) -> bool:
    """A CFA session's upper age is the apprenticeship's legal one (29): it does not bind a contrat pro (no
    upper age for jobseekers, R-CPRO) nor a person the rules exempt (RQTH, business creation, R-ALT/R-RQTH)."""
    if not kinds or not set(kinds) <= ALTERNANCE_KINDS:
        return False
    prof = ctx.profile
    return OfferKind.CONTRAT_PRO in kinds or prof.rqth or prof.business_creation


def _mobility_aid(ctx: Context) -> bool:
    return ctx.status(Scheme.AIDE_MOBILITE) in (EligibilityStatus.ELIGIBLE, EligibilityStatus.DEROGATION)


def _aid_open(ctx: Context, region_funded: bool) -> bool:
    """Is a mobility aid open for a far session of this funder (FT aid, or the Region's social fund)?"""
    key = ("aid", region_funded)
    if key not in ctx.cache:
        from assistant.eligibility import mobility_aid_for_step

        far = 2 * max(ctx.p("chain.max_km_with_aid"), ctx.max_km)
        e = mobility_aid_for_step(ctx.profile, ctx.today, far, region_funded)
        ctx.cache[key] = _mobility_aid(ctx) and e.status != EligibilityStatus.NOT_ELIGIBLE
    return ctx.cache[key]


def _pick_rows(ctx: Context, rows: np.ndarray | None, lo_d: date, hi_d: date,
               end_before: date | None = None) -> Choice | None:
    """Nearest open session in `rows` starting in [lo_d, hi_d] (and ending before `end_before`), within the
    person's radius."""
    if rows is None or not len(rows) or hi_d < lo_d:
        return None
    v = ctx.view
    lo, hi = lo_d.toordinal(), hi_d.toordinal()
    start = np.where(v.permanent[rows], np.maximum(v.start[rows], lo), v.start[rows])
    ok = v.open[rows] & (v.start[rows] != NO_DATE) & (start >= lo) & (start <= hi) & (v.end[rows] >= start) \
        & (v.places[rows] != 0)
    if end_before is not None:
        ok &= v.end[rows] < end_before.toordinal()
    if ctx.position is not None:
        dist = v.distances_km(rows, *ctx.position)
        ok &= ~np.isnan(dist) & (dist <= ctx.max_km)
    else:
        dist = np.zeros(len(rows))
    if not ok.any():
        return None
    idx = np.flatnonzero(ok)
    best = idx[np.lexsort((start[idx], dist[idx]))[0]]
    row = int(rows[best])
    return Choice(row, v.offer_of(row), date.fromordinal(int(start[best])), date.fromordinal(int(v.end[row])),
                  float(dist[best]) if ctx.position is not None else None, False, False, bool(v.part_time[row]))

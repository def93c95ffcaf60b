"""Build 2-3 dated, step-by-step pathways from a profile, its eligibility and the catalogue.

How it works. Each *route* (apprenticeship, marché qualifiant, HSP 1er niveau,
contrat pro, PTP, VAE, individual funding) is proposed only when the rules engine
says its main scheme is open to the person (a derogation route only when fewer
than two routes are open, R-DEROG: "prefer MQ/AIF/CPF"). A route is a fixed
preamble (diagnostic, CEJ, barrier removal, basic skills, discovery) followed by
its main step and the job. Catalogue steps are chained on real sessions: each
starts after the previous step ends, within `chain.max_gap_days`, not before the
person is available, within their radius (or beyond it only when a mobility aid
is open to them, named on the step). A route whose steps cannot be chained on
the catalogue is not proposed, and the reason is reported.

Eligibility, referent and income come from the rules modules; this module never
re-decides who is eligible, it only orders and dates what is open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np

from assistant.catview import NO_DATE, CatalogueView, title_key
from assistant.parameters import param
from assistant.planner.calendar import deadline_day, next_working_day, previous_working_day
from assistant.profile import Profile, _add_years
from assistant.rules import rule
from assistant.schemes import BasicSkillGap, Constraint, EligibilityStatus, FrenchLevel, Organisation, Scheme, Status
from assistant.steps import Pathway, Step, StepKind, Why
from catalog.model import ModuleTheme, Offer, OfferKind

# Offer kinds bought or authorised by the Region (their mobility help is the Region's social fund, R-MOB).
REGION_FUNDED = frozenset({OfferKind.QUALIFIANT, OfferKind.HSP_1NQ, OfferKind.HSP_SOCLE, OfferKind.AMORCE})
DAYS_PER_MONTH = 30.44
NO_AGE_LIMIT = 999  # catview's "no upper age" marker
# Steps before any substantive step: the first entry may wait longer than the gap between two steps.
PREAMBLE_KINDS = frozenset({StepKind.DIAGNOSTIC, StepKind.LEVEE_DE_FREINS})
DEMO_WARNING = "Données de démonstration : sessions, lieux et contacts fictifs, à vérifier avant toute démarche."


# --------------------------------------------------------------------------- parameters


def pparam(name: str, on: date) -> Any:
    """Value of a pathway/ranking parameter in force on `on` (kept name: the builder's parameters now live
    in the one parameter tree, assistant/data/parameters.toml)."""
    return param(name, on)


def why(rule_id: str, text: str | None = None) -> Why:
    """A reason citing a rule of the registry (its source comes with it). An unknown rule id raises
    RuleError: a reason never cites a rule the adviser cannot look up (docs/rules.md)."""
    r = rule(rule_id)
    return Why(rule=r.id, text=text or r.text, source=r.citation)


def fr(d: date) -> str:
    return d.strftime("%d/%m/%Y")


# --------------------------------------------------------------------------- context


@dataclass
class Job:
    rome: str
    label: str
    tension: int | None = None
    score: float = 1.0  # fit to the wish, 0..1
    why: str = ""
    codes: list[str] = field(default_factory=list)  # codes searched in the catalogue (the ROME 4.0 parent too)

    def __post_init__(self) -> None:
        if self.rome not in self.codes:
            self.codes.insert(0, self.rome)

    def to_dict(self) -> dict[str, Any]:
        return {"rome": self.rome, "label": self.label, "tension": self.tension,
                "score": round(self.score, 3), "why": self.why}


@dataclass
class Context:
    """Everything a route builder needs, computed once per plan."""

    profile: Profile
    today: date
    view: CatalogueView
    eligibility: dict[Scheme, Any]  # Scheme -> SchemeEligibility
    jobs: list[Job]
    lat: float | None
    lon: float | None
    dept: str | None
    referent: str
    max_km: float
    rejected: list[dict[str, str]] = field(default_factory=list)  # routes not proposed: {route, label, reason}
    cache: dict[Any, Any] = field(default_factory=dict)  # per-plan memo (aid checks)
    allow_close: bool = False  # second pass: routes toward a ROME "proche" job (labelled) are allowed

    @property
    def romes(self) -> list[str]:
        """Every ROME code to search the catalogue with, best job first."""
        return list(dict.fromkeys(c for j in self.jobs for c in j.codes))

    def job_for(self, rome: str | None) -> Job | None:
        return next((j for j in self.jobs if rome in j.codes), None)

    @property
    def diagnostic_start(self) -> date:
        return next_working_day(self.today + timedelta(days=self.p("dates.diagnostic_delay_days")))

    @property
    def diagnostic_end(self) -> date:
        return self.diagnostic_start + timedelta(days=self.p("dates.diagnostic_days"))

    @property
    def close_romes(self) -> list[str]:
        """ROME "proche" jobs of the targets (mobility links), not targets themselves: the only jobs a
        step may aim at besides the target, and then labelled "métier proche" (never a silent swap)."""
        if "close" not in self.cache:
            from catalog.referentials import mobility_links

            targets = set(self.romes)
            self.cache["close"] = list(dict.fromkeys(
                link.target for j in self.jobs for link in mobility_links(j.rome, ("proche",))
                if link.target not in targets))
        return self.cache["close"]

    def relation(self, rome: str | None) -> str | None:
        """"cible" (a target job), "metier_proche" (a ROME-linked job), None (no job: transversal step)."""
        if rome is None:
            return None
        return "cible" if rome in self.romes else "metier_proche"

    def status(self, scheme: Scheme) -> EligibilityStatus:
        e = self.eligibility.get(scheme)
        return e.status if e is not None else EligibilityStatus.NOT_ELIGIBLE

    def open(self, scheme: Scheme) -> bool:
        return self.status(scheme) == EligibilityStatus.ELIGIBLE

    def reasons(self, scheme: Scheme) -> list[Why]:
        e = self.eligibility.get(scheme)
        return [Why(r.rule, r.text, getattr(r, "source", "")) for r in (e.reasons if e else [])]

    def p(self, name: str) -> Any:
        return pparam(name, self.today)

    @property
    def referent_name(self) -> str:
        """The referent as it reads after 'avec' or 'par' (French article)."""
        return Organisation(self.referent).with_article

    @property
    def to_referent(self) -> str:
        """'à la Mission Locale', 'au CEP', 'à France Travail'."""
        name = self.referent_name
        return f"au {name[3:]}" if name.startswith("le ") else f"à {name}"

    @property
    def available_from(self) -> date:
        earliest = self.profile.availability.earliest_start
        return max(self.today, earliest) if earliest else self.today

    @property
    def project_validated(self) -> bool:
        """R-PROJ: the project counts as validated when declared so or when the target job was tried."""
        return (self.profile.project_validated or self.profile.hiring_offer
                or self.profile.field_experience_months(self.romes) > 0)

    @property
    def needs_part_time(self) -> bool:
        return self.profile.time_constrained

    @property
    def prefers_adapted(self) -> bool:
        """RQTH or single parent: sessions with part-time / extended options are preferred."""
        return self.profile.rqth_or_pending or self.profile.single_parent


# --------------------------------------------------------------------------- choosing sessions


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
    prev = cursor if isinstance(cursor, Step) else None
    first = max(_next_day(prev) if prev else cursor, ctx.available_from)
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
    if "cpro_rows" not in ctx.cache:
        from catalog.referentials import access_routes

        rows = np.concatenate([ctx.view.rows(OfferKind.CONTRAT_PRO), ctx.view.rows(OfferKind.APPRENTISSAGE)])
        keep = []
        for r in rows:
            o = ctx.view.offer_of(int(r))
            routes = access_routes(o.certification.rncp or "")
            if o.kind == OfferKind.CONTRAT_PRO or routes is None or "CONTRATP" in routes:
                keep.append(int(r))
        ctx.cache["cpro_rows"] = np.asarray(keep, dtype=np.int64)
    return ctx.cache["cpro_rows"]


def cpro_months(ctx: Context, offer: Offer) -> tuple[int, str]:
    """Contract length of a contrat pro (R-CPRO, L6325-11 C. trav.): 6 to 12 months, up to the extended
    maximum only for the publics the law lists (young people without a level-4 vocational qualification,
    RSA / ASS / AAH recipients). Never the 2-3 years of an apprenticeship session."""
    from assistant.schemes import IncomeSupport

    prof = ctx.profile
    extended = ((prof.age <= ctx.p("contrat_pro.age_max_youth") and prof.level_validated < ctx.p("contrat_pro.first_pro_level"))
                or prof.income_support in (IncomeSupport.RSA, IncomeSupport.ASS, IncomeSupport.AAH))
    lo, hi = ctx.p("contrat_pro.min_months"), ctx.p("contrat_pro.max_months_extended" if extended else "contrat_pro.max_months")
    nominal = offer.duration.months if offer.kind == OfferKind.CONTRAT_PRO and offer.duration.months else ctx.p("dates.cpro_default_months")
    months = int(min(max(round(nominal), lo), hi))
    why_text = (f"Contrat de professionnalisation de {months} mois (de {lo} à {ctx.p('contrat_pro.max_months')} mois"
                + (f", jusqu'à {hi} mois pour votre situation" if extended else "") + ") : la durée de la session "
                "d'apprentissage ne s'applique pas.")
    return months, why_text


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
    if ctx.lat is not None:
        dist = view.distances_km(rows, ctx.lat, ctx.lon)
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
        distance_km=float(dist[best]) if ctx.lat is not None else None,
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


ALTERNANCE_KINDS = frozenset({OfferKind.APPRENTISSAGE, OfferKind.PREPA_APPRENTISSAGE, OfferKind.CONTRAT_PRO})


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


# --------------------------------------------------------------------------- steps


def _fixed(kind: StepKind, title: str, start: date, days: int, whys: list[Why], **kw: Any) -> Step:
    return Step(kind=kind, title=title, start=start, end=start + timedelta(days=max(days, 0)), why=whys, **kw)


def _next_day(step: Step) -> date:
    return step.end + timedelta(days=1)


def _action(text: str, when: date | None = None, deadline: date | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"action": text}
    if when:
        out["when"] = when.isoformat()
    if deadline:
        out["deadline"] = deadline.isoformat()
    return out


def catalogue_step(ctx: Context, kind: StepKind, choice: Choice, whys: list[Why], warnings: list[str]) -> Step:
    """A training step on a real session, with its practical facts and the next actions."""
    offer, session = choice.offer, ctx.view.sessions[choice.row]
    # the step's job: a target job of the offer; else a "proche" job (labelled); a transversal offer (socle,
    # amorce, prépa, module) found without a job filter names no job rather than another one
    rome = next((r for r in ctx.romes if r in offer.rome_codes), None) or next(
        (r for r in ctx.close_romes if r in offer.rome_codes), None)
    contact = None
    if offer.contact and (offer.contact.email or offer.contact.phone):
        contact = " — ".join(x for x in (offer.contact.name, offer.contact.phone, offer.contact.email) if x)
    step = Step(
        kind=kind, title=offer.title, start=choice.start, end=choice.end, why=list(whys),
        offer_id=offer.id, session_id=session.id, provider=offer.provider.name or None,
        commune=session.commune_name, commune_insee=session.commune_insee, distance_km=choice.distance_km,
        hours_per_week=offer.duration.hours_per_week, places_left=session.places_left,
        info_session=session.info_session, contact=contact, rome=rome,
        certification=offer.certification.title or None,
    )
    _relate(ctx, step)
    info = session.info_session if session.info_session and session.info_session >= ctx.today else None
    if info:
        step.next_actions.append(_action(f"Réunion d'information de l'organisme le {fr(info)}", when=info))
    if kind == StepKind.APPRENTISSAGE:
        grace = ctx.p("chain.cfa_without_employer_days")
        step.next_actions.append(_action(
            "Trouver un employeur (avec l'appui du CFA et du référent) et signer le contrat d'apprentissage ; "
            f"le CFA peut vous accueillir jusqu'à {grace // 30} mois sans contrat après le début de la formation",
            deadline=choice.start + timedelta(days=grace)))
    elif kind == StepKind.CONTRAT_PRO:
        step.next_actions.append(_action(
            "Trouver un employeur (avec l'appui du CFA et du référent) et signer le contrat avant l'entrée",
            deadline=choice.start))
    else:
        step.next_actions.append(_action(
            f"Prescription par {ctx.referent_name} dans Ouiform (ou positionnement direct auprès de l'organisme)",
            deadline=info or choice.start))
    if offer.provenance.demo:
        warnings.append(DEMO_WARNING)
    if choice.age_doubt and kind != StepKind.APPRENTISSAGE:
        warnings.append(f"« {offer.title} » a une limite d'âge que vous atteignez peut-être avant l'entrée du "
                        f"{fr(choice.start)} : indiquez le mois de naissance pour le vérifier.")
    if choice.full:
        warnings.append(f"« {offer.title} » ({session.commune_name}) est complète à ce jour : "
                        "inscription en liste d'attente, à confirmer avec l'organisme.")
    if choice.beyond_radius and choice.distance_km is not None:
        extra = choice.distance_km - ctx.max_km
        warnings.append(f"« {offer.title} » est à {choice.distance_km:.0f} km, soit {extra:.0f} km au-delà du rayon "
                        f"de {ctx.max_km:.0f} km : possible avec l'aide à la mobilité de France Travail "
                        f"({ctx.p('mobility.aid_eur_per_km'):.2f} €/km, repas, hébergement), à demander "
                        f"{ctx.to_referent} dans le mois qui suit l'entrée.")
    if ctx.needs_part_time and kind == StepKind.APPRENTISSAGE and not ctx.profile.rqth_or_pending:
        warnings.append(f"« {offer.title} » : le contrat d'apprentissage est à temps plein (temps partiel seulement "
                        "avec une RQTH, sur proposition du médecin du travail) : à discuter avec l'employeur et le CFA.")
    elif ctx.needs_part_time and kind == StepKind.APPRENTISSAGE:
        warnings.append(f"« {offer.title} » : contrat d'apprentissage aménagé à temps partiel (RQTH) à demander au CFA "
                        "et à l'employeur, sur avis du médecin du travail.")
    elif ctx.needs_part_time and not choice.part_time_ok:  # invariant 7
        warnings.append(f"« {offer.title} » : temps plein : aménagement à demander (temps partiel, horaires) à "
                        f"l'organisme avec {ctx.referent_name}.")
    step.support.extend(supports_for(ctx, step, offer))
    return step


def _relate(ctx: Context, step: Step) -> Step:
    """Label the step's job: the target, or explicitly a "métier proche" (contract point 2)."""
    step.job_relation = ctx.relation(step.rome)
    if step.job_relation == "metier_proche":
        from catalog.referentials import rome_label

        target = ctx.jobs[0].label if ctx.jobs else "métier visé"
        step.job_relation_label = f"métier proche : {rome_label(step.rome) or step.rome} (proche de « {target} »)"
    elif step.job_relation == "cible":
        step.job_relation_label = "métier visé"
    return step


def supports_for(ctx: Context, step: Step, offer: Offer) -> list[dict[str, Any]]:
    """People and aids to involve for this step (RQTH, social referent, mobility)."""
    out: list[dict[str, Any]] = []
    if ctx.profile.rqth_or_pending:
        ref = offer.accessibility.referent_handicap
        named = ref and (ref.name or ref.email or ref.phone)
        out.append({
            "name": f"Référent handicap de l'organisme{' : ' + ref.name if ref and ref.name else ''}",
            "contact": " — ".join(x for x in ((ref.phone, ref.email) if ref else ()) if x) or None,
            "text": ("à contacter avant l'entrée pour les aménagements (rythme, examens, matériel)"
                     if named else "contact non publié dans l'offre : le demander à l'organisme"),
            "rule": "R-RQTH",
        })
        out.append({"name": "Agefiph — aide à l'adaptation des situations de formation",
                    "text": "demandée par le référent handicap de l'organisme ; montant selon le besoin de compensation",
                    "rule": "R-RQTH"})
        if ctx.referent != "Cap Emploi":
            out.append({"name": "Cap Emploi", "text": "accompagnement spécialisé possible (RQTH)", "rule": "R-RQTH"})
        if step.kind == StepKind.APPRENTISSAGE:
            out.append({"name": "Contrat d'apprentissage aménagé",
                        "text": "durée allongée, temps partiel possible sur proposition du médecin du travail ; "
                                "pas de limite d'âge avec la RQTH",
                        "rule": "R-RQTH"})
    if offer.referent_social and (offer.referent_social.name or offer.referent_social.email or offer.referent_social.phone):
        rs = offer.referent_social
        out.append({"name": f"Référent social de l'organisme{' : ' + rs.name if rs.name else ''}",
                    "contact": " — ".join(x for x in (rs.phone, rs.email) if x) or None,
                    "text": "logement, transport, garde d'enfants, difficultés pendant la formation"})
    if step.distance_km is not None and step.distance_km > min(ctx.p("chain.mobility_aid_km"), ctx.max_km) \
            and _mobility_aid(ctx):
        from assistant.eligibility import mobility_aid_for_step

        e = mobility_aid_for_step(ctx.profile, ctx.today, 2 * step.distance_km, offer.kind in REGION_FUNDED)
        if e.status != EligibilityStatus.NOT_ELIGIBLE:
            out.append({"name": Scheme.AIDE_MOBILITE.label, "text": " ; ".join(r.text for r in e.reasons),
                        "rule": "R-MOB"})
    return out


# --------------------------------------------------------------------------- add-ons


def _needed_themes(ctx: Context, step: Step, offer: Offer) -> list[tuple[ModuleTheme, str, str]]:
    """(theme, reason, rule) of the add-ons this person needs around this step."""
    prof, out = ctx.profile, []
    fle_below = FrenchLevel(ctx.p("addons.fle_below"))
    if prof.french_level is not None and prof.french_level.rank < fle_below.rank:
        out.append((ModuleTheme.FLE, f"niveau de français {prof.french_level.value}, inférieur à {fle_below.value}",
                    "R-FLE-OFII"))
    if offer.sector.value in ctx.p("addons.transition_sectors"):
        out.append((ModuleTheme.TRANSITION_ECOLOGIQUE, f"métier du secteur « {offer.sector.label} »", "R-MQ"))
    mob = prof.mobility
    if not mob.driving_licence and (step.rome in ctx.p("addons.car_romes") or prof.zrr or not mob.public_transport):
        place = "le métier demande souvent une voiture" if step.rome in ctx.p("addons.car_romes") \
            else "lieu de vie peu desservi"
        out.append((ModuleTheme.PERMIS, f"pas de permis et {place}", "R-PERMIS"))
    level = offer.certification.level
    if offer.prerequisites.tests and level is not None and prof.eligibility_level(ctx.today) < level:
        out.append((ModuleTheme.REMISE_A_NIVEAU, "entrée sélective (tests) vers un niveau supérieur", "R-SOCLE"))
    return out


ADDON_TITLES = {
    ModuleTheme.NUMERIQUE: "Module numérique",
    ModuleTheme.FLE: "Module français langue étrangère (FLE)",
    ModuleTheme.TRANSITION_ECOLOGIQUE: "Module transition écologique",
    ModuleTheme.PERMIS: "Permis de conduire B",
    ModuleTheme.REMISE_A_NIVEAU: "Remise à niveau avant les tests d'entrée",
}
# Themes that must be done before the step starts (they prepare the entry).
BEFORE_ENTRY = {ModuleTheme.REMISE_A_NIVEAU, ModuleTheme.FLE}


def attach_add_ons(ctx: Context, step: Step, offer: Offer, prev: Step | None = None) -> None:
    """Attach the modular add-ons the person needs, from MODULE sessions near them when the catalogue has one.

    Invariant 15: a module never overlaps a full-time step. It goes before the entry, in the gap after the
    previous step; alongside only a part-time step (the hours are added); otherwise it is "à placer"."""
    part_time = _is_part_time(ctx, step, offer)
    for theme, reason, rule_id in _needed_themes(ctx, step, offer):
        addon: dict[str, Any] = {"theme": theme.value, "title": ADDON_TITLES[theme], "reason": reason, "rule": rule_id}
        if theme in offer.add_ons:
            addon["text"] = "inclus dans la formation"
        else:
            gap_start = max(ctx.available_from, prev.end + timedelta(days=1) if prev else ctx.available_from)
            choice = _pick_rows(ctx, ctx.view.by_theme.get(theme), gap_start, step.start - timedelta(days=1),
                                end_before=step.start)
            placement = "avant l'entrée en formation"
            if choice is None and part_time and theme not in BEFORE_ENTRY:
                choice = _pick_rows(ctx, ctx.view.by_theme.get(theme), step.start, step.end, end_before=step.end)
                placement = "en parallèle de la formation à temps partiel"
            if choice is None:
                addon["text"] = ("à placer avec le référent : pas de module proche entre les étapes ni en parallèle "
                                 "d'une formation à temps partiel aux bonnes dates")
                addon["a_placer"] = True
            else:
                s = ctx.view.sessions[choice.row]
                addon.update({
                    "title": choice.offer.title, "offer_id": choice.offer.id, "session_id": s.id,
                    "start": choice.start.isoformat(), "end": choice.end.isoformat(), "commune": s.commune_name,
                    "distance_km": None if choice.distance_km is None else round(choice.distance_km, 1),
                    "text": placement, "placement": "alongside" if placement.startswith("en parallèle") else "before",
                })
                if addon["placement"] == "alongside":
                    addon["hours_added_per_week"] = choice.offer.duration.hours_per_week
        if theme == ModuleTheme.PERMIS:
            aid = _permis_aid(ctx)
            if aid is not None:
                addon["aid"] = aid
                step.next_actions.append(_action(f"Demander « {aid['name']} » avant l'inscription à l'auto-école",
                                                 deadline=step.start))
        step.add_ons.append(addon)


def _is_part_time(ctx: Context, step: Step, offer: Offer) -> bool:
    hours = step.hours_per_week or offer.duration.hours_per_week
    return offer.rhythm.value == "PART_TIME" or (hours is not None and hours < ctx.p("rps.full_time_hours_week"))


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
    if ctx.lat is not None:
        dist = v.distances_km(rows, ctx.lat, ctx.lon)
        ok &= ~np.isnan(dist) & (dist <= ctx.max_km)
    else:
        dist = np.zeros(len(rows))
    if not ok.any():
        return None
    idx = np.flatnonzero(ok)
    best = idx[np.lexsort((start[idx], dist[idx]))[0]]
    row = int(rows[best])
    return Choice(row, v.offer_of(row), date.fromordinal(int(start[best])), date.fromordinal(int(v.end[row])),
                  float(dist[best]) if ctx.lat is not None else None, False, False, bool(v.part_time[row]))


def _permis_aid(ctx: Context) -> dict[str, Any] | None:
    """The first open licence aid: the Region's before France Travail's (the FT aid is subsidiary)."""
    for scheme in (Scheme.AIDE_PERMIS_REGION, Scheme.AIDE_PERMIS_FT):
        if ctx.open(scheme):
            return {"name": scheme.label, "scheme": scheme.value,
                    "conditions": [r.text for r in ctx.eligibility[scheme].reasons], "rule": "R-PERMIS"}
    return None


# --------------------------------------------------------------------------- routes


@dataclass
class Route:
    """A kind of pathway: its main scheme, the steps that lead to it and how its main step is found."""

    key: str
    title: str
    scheme: Scheme
    main: StepKind
    kinds: tuple[OfferKind, ...] = ()  # catalogue kinds of the main step (empty: not a catalogue step)
    rules: tuple[str, ...] = ()


ROUTES = [
    Route("apprentissage", "Apprentissage", Scheme.APPRENTISSAGE, StepKind.APPRENTISSAGE,
          (OfferKind.APPRENTISSAGE,), ("R-ALT",)),
    Route("qualifiant", "Formation qualifiante de la Région", Scheme.QUALIFIANT, StepKind.QUALIFIANT,
          (OfferKind.QUALIFIANT,), ("R-MQ",)),
    Route("hsp_1nq", "HSP 1er niveau de qualification", Scheme.HSP_1NQ, StepKind.HSP_1NQ,
          (OfferKind.HSP_1NQ,), ("R-1NQ",)),
    Route("contrat_pro", "Contrat de professionnalisation", Scheme.CONTRAT_PRO, StepKind.CONTRAT_PRO,
          (OfferKind.CONTRAT_PRO, OfferKind.APPRENTISSAGE), ("R-CPRO",)),
    Route("poei", "POEI puis embauche", Scheme.POEI, StepKind.POEI, (OfferKind.POEI,), ("R-JOB",)),
    Route("ptp", "Projet de transition professionnelle", Scheme.PTP, StepKind.PTP, (), ("R-SAL",)),
    Route("vae", "Validation des acquis de l'expérience", Scheme.VAE, StepKind.VAE, (), ("R-VAE",)),
]
# Proposed only when fewer than two of the routes above can be built (subsidiary routes).
FALLBACK_ROUTES = [
    Route("iae", "Emploi en insertion (IAE)", Scheme.IAE, StepKind.EMPLOI, (), ("R-IAE",)),
    Route("individuel", "Financement individuel (CPF, AIF / AIR)", None, StepKind.AIDE, (), ("R-HIGH",)),
]


class RouteFailed(Exception):
    """The route cannot be chained on the catalogue; the message (French) says why."""


def _diagnostic(ctx: Context) -> Step:
    diag_start = ctx.diagnostic_start
    diag = _fixed(StepKind.DIAGNOSTIC, f"Diagnostic avec {ctx.referent_name}", diag_start,
                  ctx.p("dates.diagnostic_days"), [why("R-DIAG", f"Premier rendez-vous avec {ctx.referent_name}, "
                                                                  "organisme référent : diagnostic global et projet.")])
    diag.next_actions.append(_action(f"Prendre rendez-vous avec {ctx.referent_name}", deadline=diag_start))
    if ctx.profile.foreign_diploma_unrecognised:  # R-SOCLE / ENIC-NARIC: the diploma may count once recognised
        diag.next_actions.append(_action(
            "Demander l'attestation de comparabilité du diplôme étranger (France Éducation international, "
            "ENIC-NARIC) : le niveau reconnu peut ouvrir d'autres formations", deadline=diag.end))
    return diag


def _barriers(ctx: Context) -> tuple[str, list[Any]] | None:
    """Declared barriers to lift before training (school hours only is a rhythm, not a barrier)."""
    prof = ctx.profile
    barriers: list[Any] = [c for c in prof.constraints if c != Constraint.HORAIRES_SCOLAIRES]
    if not (prof.mobility.car or prof.mobility.public_transport or prof.mobility.moped):
        barriers.append("mobilite")
    if not barriers:
        return None
    labels = ", ".join(c.label if isinstance(c, Constraint) else "mobilité" for c in barriers)
    return labels, barriers


def build_route(ctx: Context, route: Route) -> Pathway:
    """One route: the common preamble (diagnostic, barriers, CEJ, basic skills, discovery), then the
    route's own steps, then the job. Essential first steps are kept when a later session is missing
    (invariant 10): the missing step becomes "à trouver avec le référent" with its reason."""
    prof, warnings = ctx.profile, []
    steps: list[Step] = [_diagnostic(ctx)]
    found = _barriers(ctx)
    if found is not None:
        labels, barriers = found
        steps.append(_fixed(StepKind.LEVEE_DE_FREINS, f"Levée des freins : {labels}", _next_day(steps[-1]),
                            ctx.p("dates.levee_de_freins_days"),
                            [why("R-MOB" if "mobilite" in barriers else "R-DIAG",
                                 f"Freins déclarés ({labels}) : solutions à engager avant l'entrée en formation "
                                 "(référent social, aides, garde, transport).")]))
    if route.key == "iae":  # an insertion job: training and support come inside the contract
        return _finish(ctx, route, steps + _iae_steps(ctx, steps[-1]), warnings, job_step=False)

    if route.kinds and _cej_step_needed(ctx):
        cej = _fixed(StepKind.CEJ, "Contrat d'engagement jeune (CEJ)", _next_day(steps[-1]),
                     ctx.p("dates.cej_phase_days"),
                     [why("R-YOUTH-NEET", f"Jeune de {prof.age} ans sans emploi ni formation et sans expérience du "
                                          "métier visé : le CEJ sert de cadre (15 à 20 h d'activités par semaine, "
                                          f"jusqu'à {ctx.p('dates.cej_months')} mois) pendant les étapes suivantes.")]
                     + ctx.reasons(Scheme.CEJ)[:1])
        cej.flex_until = cej.start + timedelta(days=round(ctx.p("dates.cej_months") * DAYS_PER_MONTH))
        cej.next_actions.append(_action(f"Signer le CEJ avec {ctx.referent_name}", deadline=cej.start))
        steps.append(cej)

    steps += _socle_steps(ctx, steps[-1], warnings)

    if route.key == "apprentissage" and _prepa_needed(ctx):
        steps.append(_prepa_step(ctx, steps[-1], warnings))
    elif not ctx.project_validated:
        steps.append(_discovery_step(ctx, route, steps[-1], warnings))

    if route.key == "ptp":
        return _finish(ctx, route, steps + _ptp_steps(ctx, steps[-1]), warnings)
    if route.key == "vae":
        return _finish(ctx, route, steps + _vae_steps(ctx, steps[-1]), warnings)
    if route.key == "individuel":
        return _finish(ctx, route, steps + _individual_steps(ctx, steps[-1]), warnings)
    if route.key == "poei" and not len(ctx.view.rows(OfferKind.POEI)):
        return _finish(ctx, route, steps + _poei_steps(ctx, steps[-1]), warnings)
    try:
        steps.append(_main_step(ctx, route, steps[-1], warnings))
    except RouteFailed as exc:
        if route.key == "poei":  # the employer's own training plan, dated from parameters
            return _finish(ctx, route, steps + _poei_steps(ctx, steps[-1]), warnings)
        if not any(s.kind in ESSENTIAL_FIRST for s in steps):
            raise
        steps.append(_to_find(ctx, route, steps[-1], str(exc)))
        warnings.append(f"« {route.title} » : session à trouver avec {ctx.referent_name} ({exc}) ; les premières "
                        "étapes restent utiles et sont à engager.")
    return _finish(ctx, route, steps, warnings)


# First steps that stand on their own: kept even when the later qualifying session is missing.
ESSENTIAL_FIRST = frozenset({StepKind.HSP_SOCLE, StepKind.AMORCE, StepKind.PREPA_APPRENTISSAGE})
# A basic-skills step for people the HSP Socle is not open to (employees: CléA): titled with this prefix.
BASIC_SKILLS_PREFIX = "Compétences de base"


def _to_find(ctx: Context, route: Route, prev: Step, reason: str) -> Step:
    """A step with no session yet (invariant 10): dated indicatively, its reason said."""
    months = _typical_months(ctx)
    step = _fixed(route.main, f"{route.title} : session à trouver avec le référent", _next_day(prev),
                  round(months * DAYS_PER_MONTH),
                  [why(route.rules[0], f"Aucune session trouvée ({reason}) : dates indicatives (durée usuelle "
                                       f"{months:.0f} mois), session à trouver avec {ctx.referent_name}.")]
                  + ctx.reasons(route.scheme)[:1])
    step.to_find, step.to_find_reason = True, reason
    step.rome = ctx.romes[0] if ctx.romes else None
    step.next_actions.append(_action(f"Chercher une session avec {ctx.referent_name} (catalogue régional, "
                                     "prochaines programmations)", deadline=step.start))
    return step


# HSP Socle objectives: the gaps each covers and the words its sessions are titled with (catalogue data).
SOCLE_OBJECTIVES: tuple[tuple[str, frozenset[BasicSkillGap], tuple[str, ...]], ...] = (
    ("Français langue étrangère (FLE)", frozenset({BasicSkillGap.FLE}), ("fle", "langue etrangere")),
    ("Lire, écrire, compter (ECLA)", frozenset({BasicSkillGap.LECTURE_ECRITURE, BasicSkillGap.CALCUL}),
     ("ecla", "lire", "ecrire", "compter", "calcul", "savoirs de base")),
    ("Numérique", frozenset({BasicSkillGap.NUMERIQUE}), ("numerique",)),
)


def _socle_rows(ctx: Context, words: tuple[str, ...]) -> np.ndarray:
    key = ("socle", words)
    if key not in ctx.cache:
        from assistant.profile import fold_accents

        rows = ctx.view.rows(OfferKind.HSP_SOCLE)
        keep = [int(r) for r in rows
                if any(w in fold_accents(f"{ctx.view.offer_of(int(r)).title} {ctx.view.offer_of(int(r)).objectives}")
                       for w in words)]
        ctx.cache[key] = np.asarray(keep, dtype=np.int64)
    return ctx.cache[key]


def _socle_steps(ctx: Context, prev: Step, warnings: list[str]) -> list[Step]:
    """R-SOCLE (invariant 8): every basic-skills gap (reading/writing, maths, digital, French below the
    dated threshold) puts an HSP Socle step with the matching objective before any qualifying step."""
    from assistant.eligibility import skills_gaps

    gaps = set(skills_gaps(ctx.profile, ctx.today))
    if not gaps:
        return []
    socle_open = ctx.open(Scheme.HSP_SOCLE)
    if not socle_open and ctx.profile.is_jobseeker:
        raise RouteFailed("compétences de base à consolider d'abord, mais l'HSP Socle n'est pas ouverte")
    out: list[Step] = []
    for objective, covers, words in SOCLE_OBJECTIVES:
        need = gaps & covers
        if not need:
            continue
        labels = ", ".join(sorted(g.label for g in need))
        if not socle_open:  # employees, students: the Region's HSP Socle is for jobseekers
            cursor = out[-1] if out else prev
            step = _fixed(StepKind.MODULE, f"Compétences de base – {objective} : certification CléA (CPF ou employeur)",
                          _next_day(cursor), round(ctx.p("dates.socle_default_months") * DAYS_PER_MONTH),
                          [why("R-SOCLE", f"Compétences de base à consolider ({labels}) avant toute formation "
                                          "qualifiante ; l'HSP Socle de la Région est réservée aux demandeurs d'emploi : "
                                          "CléA financée par le CPF, l'employeur ou Transitions Pro.")])
            step.to_find = True
            step.to_find_reason = "HSP Socle réservée aux demandeurs d'emploi : organisme CléA à choisir"
            step.next_actions.append(_action("Choisir un organisme CléA (Mon Compte Formation) ou en parler à "
                                             "l'employeur / au conseiller CEP", deadline=step.start))
            out.append(step)
            continue
        whys = [why("R-SOCLE", f"Compétences de base à consolider ({labels}) avant toute formation qualifiante : "
                               f"HSP Socle, objectif « {objective} ».")] + ctx.reasons(Scheme.HSP_SOCLE)[:1]
        cursor = out[-1] if out else prev
        choice = pick_session(ctx, [OfferKind.HSP_SOCLE], None, cursor, only_rows=_socle_rows(ctx, words))
        if choice is not None:
            out.append(catalogue_step(ctx, StepKind.HSP_SOCLE, choice, whys, warnings))
            continue
        step = _fixed(StepKind.HSP_SOCLE, f"HSP Socle de compétences – {objective} : session à trouver avec le référent",
                      _next_day(cursor), round(ctx.p("dates.socle_default_months") * DAYS_PER_MONTH), whys)
        step.to_find = True
        step.to_find_reason = f"pas de session HSP Socle « {objective} » proche aux bonnes dates"
        step.next_actions.append(_action(f"Chercher avec {ctx.referent_name} une session HSP Socle « {objective} » "
                                         "(ou une formation à distance)", deadline=step.start))
        out.append(step)
    return out


def _cej_step_needed(ctx: Context) -> bool:
    """R-YOUTH-NEET: CEJ as a step for an adult young NEET who has not tried the target job [I]."""
    return (ctx.open(Scheme.CEJ) and ctx.profile.age >= ctx.p("chain.cej_min_age")
            and ctx.profile.field_experience_months(ctx.romes) == 0)


def _prepa_needed(ctx: Context) -> bool:
    """R-ALT-PREP: prépa apprentissage first when the rules open it and no employer is lined up, except at
    the apprenticeship's last age (R-ALT): months of prépa would push the contract past the birthday."""
    return (ctx.open(Scheme.PREPA_APPRENTISSAGE) and not ctx.profile.hiring_offer
            and not _at_apprenticeship_age_limit(ctx))


def _at_apprenticeship_age_limit(ctx: Context) -> bool:
    prof = ctx.profile
    return prof.age == param("apprentissage.age_max", ctx.today) and not (prof.rqth or prof.business_creation)


def _prepa_step(ctx: Context, prev: Step, warnings: list[str]) -> Step:
    whys = [why("R-ALT-PREP", "Pas encore d'employeur : la prépa apprentissage prépare l'entrée en apprentissage "
                              "(découverte des métiers, immersions, recherche d'employeur).")]
    whys += ctx.reasons(Scheme.PREPA_APPRENTISSAGE)[:1]
    choice = pick_session(ctx, [OfferKind.PREPA_APPRENTISSAGE], None, prev)
    if choice is not None:
        return catalogue_step(ctx, StepKind.PREPA_APPRENTISSAGE, choice, whys, warnings)
    step = _fixed(StepKind.PREPA_APPRENTISSAGE, "Prépa apprentissage (CFA ou Mission Locale)", _next_day(prev),
                  ctx.p("dates.prepa_apprentissage_days"),
                  whys + [why("R-ALT-PREP", "Pas de session de prépa apprentissage dans le catalogue : dates "
                                            "indicatives, à organiser avec le référent et le CFA.")])
    step.flex_until = step.start + timedelta(days=ctx.p("dates.prepa_apprentissage_max_days"))
    step.next_actions.append(_action(f"Demander {ctx.to_referent} une place en prépa apprentissage", deadline=step.start))
    return step


def _discovery_step(ctx: Context, route: Route, prev: Step, warnings: list[str]) -> Step:
    """R-PROJ: confirm the project first: Amorce de parcours (catalogue) or a PMSMP immersion."""
    if route.key in ("qualifiant", "hsp_1nq") and ctx.open(Scheme.AMORCE):  # Region routes: Amorce de parcours
        choice = pick_session(ctx, [OfferKind.AMORCE], None, prev)
        if choice is not None:
            return catalogue_step(ctx, StepKind.AMORCE, choice, [
                why("R-PROJ", "Projet à confirmer : l'amorce de parcours fait découvrir le métier avant "
                              "la formation qualifiante.")] + ctx.reasons(Scheme.AMORCE)[:1], warnings)
    job = ctx.jobs[0].label if ctx.jobs else "le métier visé"
    step = _fixed(StepKind.IMMERSION, f"Immersion en entreprise (PMSMP) : {job}", _next_day(prev),
                  ctx.p("dates.immersion_days"),
                  [why("R-PROJ", f"Métier jamais essayé : une immersion de {ctx.p('dates.immersion_days')} jours "
                                 "chez un employeur confirme le projet avant d'entrer en formation.")])
    step.rome = ctx.jobs[0].rome if ctx.jobs else None  # the immersion is in the target job
    step.next_actions.append(_action(f"Trouver une entreprise d'accueil ; convention PMSMP signée par {ctx.referent_name}",
                                     deadline=step.start))
    return step


def _main_step(ctx: Context, route: Route, prev: Step, warnings: list[str]) -> Step:
    status = ctx.status(route.scheme)
    min_start = None
    if status == EligibilityStatus.DEROGATION:
        # the request is filed after the diagnostic, and its window must stay open long enough to file it
        _, last = _derogation_window(ctx, route.scheme, ctx.today)
        lead = ctx.today - last  # days between the window's end and the entry
        earliest_file = max(ctx.today + timedelta(days=ctx.p("chain.derogation_min_notice_days")),
                            ctx.diagnostic_end + timedelta(days=1))
        min_start = earliest_file + lead + timedelta(days=3)  # room for weekends and public holidays
    if route.key == "contrat_pro":  # the employer comes before the training (R-CPRO)
        search_end = ctx.available_from + timedelta(days=ctx.p("chain.contrat_pro_employer_search_days"))
        min_start = max(min_start or search_end, search_end)
    only = _cpro_rows(ctx) if route.key == "contrat_pro" else None
    choice = pick_session(ctx, list(route.kinds), ctx.romes, prev, min_start=min_start, only_rows=only)
    if choice is None and set(route.kinds) <= ALTERNANCE_KINDS and prev.kind in PREAMBLE_KINDS:
        # CFA cycles mostly start once a year: wait for the next one rather than drop the route
        choice = pick_session(ctx, list(route.kinds), ctx.romes, prev, min_start=min_start,
                              wait_days=ctx.p("chain.alternance_next_cycle_wait_days"), only_rows=only)
        if choice is not None:
            warnings.append(f"Prochain cycle en CFA le {fr(choice.start)} : d'ici là, recherche d'employeur, emploi "
                            f"(saisonnier, intérim) ou immersions, à organiser avec {ctx.referent_name}.")
    elif choice is None and route.kinds:
        # invariant 9: search up to 12 months ahead before giving the route up, and say the wait
        choice = pick_session(ctx, list(route.kinds), ctx.romes, prev, min_start=min_start,
                              wait_days=ctx.p("chain.next_session_wait_days"), only_rows=only)
        if choice is not None:
            warnings.append(f"Prochaine session le {fr(choice.start)} : d'ici là, emploi, immersion ou module "
                            f"complémentaire, à organiser avec {ctx.referent_name}.")
    if choice is None and route.kinds and ctx.allow_close and ctx.close_romes:
        # an explicitly labelled alternative: the same route toward a ROME "proche" job (R-TARGET)
        choice = pick_session(ctx, list(route.kinds), ctx.close_romes, prev, min_start=min_start,
                              wait_days=ctx.p("chain.next_session_wait_days"), only_rows=only)
        if choice is not None:
            from catalog.referentials import rome_label

            close = next((r for r in ctx.close_romes if r in choice.offer.rome_codes), None)
            warnings.append(f"Aucune session pour le métier visé : ce parcours mène à un métier proche, "
                            f"« {rome_label(close) or close} », à valider avec la personne.")
    if choice is None:
        first, last = search_window(ctx, prev)
        last = max(last, first + timedelta(days=ctx.p("chain.next_session_wait_days")))
        beyond = _nearest_beyond_reach(ctx, route, prev)
        raise RouteFailed(f"pas de session « {route.title} » pour ce métier, dans le rayon "
                          f"accessible, entre le {fr(first)} et le {fr(last)}" + beyond)
    whys = [why(r) for r in route.rules] + ctx.reasons(route.scheme)[:2]
    if route.key == "contrat_pro":
        months, text = cpro_months(ctx, choice.offer)
        choice.end = choice.start + timedelta(days=round(months * DAYS_PER_MONTH))
        whys.append(why("R-CPRO", text))
        if choice.offer.kind != OfferKind.CONTRAT_PRO:
            whys.append(why("R-CPRO", "Certification ouverte au contrat de professionnalisation (voie d'accès RNCP) : "
                                      "à confirmer avec l'organisme qu'il accueille des contrats de professionnalisation."))
    step = catalogue_step(ctx, route.main, choice, whys, warnings)
    if route.key == "apprentissage" and (choice.age_doubt or _at_apprenticeship_age_limit(ctx)):
        limit = ctx.p("apprentissage.age_max") + 1
        warnings.append(f"Vous avez {ctx.profile.age} ans : le contrat d'apprentissage doit commencer avant vos "
                        f"{limit} ans. Vérifiez que l'entrée du {fr(choice.start)} tombe avant votre "
                        "anniversaire (indiquez le mois de naissance) ; sinon, le contrat de professionnalisation "
                        "reste possible.")
    if status == EligibilityStatus.DEROGATION:
        a, b = _derogation_window(ctx, route.scheme, choice.start)
        # invariant 5: inside the window, after the diagnostic, on working days
        a = next_working_day(max(a, ctx.today, ctx.diagnostic_end + timedelta(days=1)))
        b = previous_working_day(b)
        a = min(a, b)
        when = f"dès la fin du diagnostic, au plus tard le {fr(b)}" if a > _derogation_window(ctx, route.scheme, choice.start)[0] \
            else f"entre le {fr(a)} et le {fr(b)}"
        text = (f"Dérogation nécessaire pour « {route.title} » : à demander {when} "
                f"(entrée le {fr(choice.start)}) ; accordée seulement s'il reste des places.")
        warnings.append(text)
        step.next_actions.append(_action(text, when=a, deadline=b))
        derog = getattr(ctx.eligibility.get(route.scheme), "derogation", None)
        if derog is None or "R-DEROG" in derog.kind:  # the level rule; an R-18M derogation explains itself
            step.why.append(why("R-DEROG"))
    attach_add_ons(ctx, step, choice.offer, prev)
    return step


def _nearest_beyond_reach(ctx: Context, route: Route, prev: Step) -> str:
    """Invariant 6: when the only sessions are out of reach, say where and what to study (distance
    learning, boarding), rather than sending the person there silently."""
    if not route.kinds or ctx.lat is None:
        return ""
    saved = ctx.max_km
    try:
        ctx.max_km = max(saved, ctx.p("chain.max_km_with_aid"))
        far = pick_session(ctx, list(route.kinds), ctx.romes, prev, allow_beyond=False,
                           wait_days=ctx.p("chain.next_session_wait_days"))
    finally:
        ctx.max_km = saved
    if far is None or far.distance_km is None:
        return ""
    return (f" ; la session la plus proche est à {far.distance_km:.0f} km ({ctx.view.sessions[far.row].commune_name}), "
            "hors de portée : formation à distance ou internat à étudier avec le référent")


def _derogation_window(ctx: Context, scheme: Scheme, start: date) -> tuple[date, date]:
    """Dates between which the derogation must be asked, from the session start (rules engine's delays)."""
    derog = getattr(ctx.eligibility.get(scheme), "derogation", None)
    if derog is not None:
        return derog.window(start)
    return (start - timedelta(days=ctx.p("hsp.derogation_ask_from_days")),
            start - timedelta(days=ctx.p("hsp.derogation_ask_until_days")))


def _typical_months(ctx: Context) -> float:
    """Typical length of a certifying training for the target job: median of the catalogue's offers."""
    months = []
    for kind in (OfferKind.QUALIFIANT, OfferKind.HSP_1NQ, OfferKind.APPRENTISSAGE):
        for r in ctx.view.rows(kind, ctx.romes)[:50]:
            m = ctx.view.offer_of(int(r)).duration.months
            if m:
                months.append(m)
    return float(np.median(months)) if months else float(ctx.p("dates.ptp_default_months"))


def _ptp_steps(ctx: Context, prev: Step) -> list[Step]:
    job = ctx.jobs[0].label if ctx.jobs else "le métier visé"
    file_step = _fixed(StepKind.PTP, "Dossier PTP auprès de Transitions Pro Nouvelle-Aquitaine", _next_day(prev),
                       ctx.p("dates.ptp_lead_days"),
                       [why("R-SAL", "Salarié(e) du privé visant un autre métier : le projet de transition "
                                     "professionnelle finance la formation avec maintien du salaire.")]
                       + ctx.reasons(Scheme.PTP)[:2])
    file_step.next_actions.append(_action("Faire valider le projet par un conseiller CEP puis déposer le dossier "
                                          "à Transitions Pro (commission paritaire)", deadline=file_step.start))
    months = _typical_months(ctx)
    train = _fixed(StepKind.PTP, f"Formation certifiante en PTP : {job}", _next_day(file_step),
                   round(months * DAYS_PER_MONTH), [why("R-SAL", f"Durée indicative {months:.0f} mois (formations du catalogue "
                                                         "pour ce métier) ; salaire maintenu pendant la formation.")])
    train.rome = ctx.romes[0] if ctx.romes else None
    train.next_actions.append(_action("Passer la sélection de l'organisme ou de l'institut de formation",
                                      deadline=train.start))
    return [file_step, train]


def _poei_steps(ctx: Context, prev: Step) -> list[Step]:
    """R-JOB without POEI offers in the catalogue: the employer's training plan, dated from parameters."""
    hours, per_week = ctx.p("dates.poei_max_hours"), ctx.p("dates.poei_hours_per_week")
    step = _fixed(StepKind.POEI, "Préparation opérationnelle à l'emploi (POEI) avant l'embauche", _next_day(prev),
                  round(hours / per_week * 7),
                  [why("R-JOB", f"Offre d'embauche ferme : la POEI (jusqu'à {hours} h) finance la formation qui manque "
                                "avant la signature du contrat.")] + ctx.reasons(Scheme.POEI)[:1])
    step.hours_per_week = per_week
    step.rome = ctx.romes[0] if ctx.romes else None
    step.next_actions.append(_action("L'employeur dépose la demande de POEI auprès de France Travail avec le plan de "
                                     "formation", deadline=step.start))
    return [step]


def vae_certification(ctx: Context) -> Any | None:
    """A certification of the target job a VAE can lead to: its RNCP access routes include EXP, or the
    fiche is unknown to the 2021 table (never concluded closed). None when every known one excludes VAE."""
    from catalog.referentials import access_routes, certifications_for_rome

    certs = [c for r in ctx.romes for c in certifications_for_rome(r) if c.valid_on(ctx.today)]
    ok = [c for c in certs if access_routes(c.rncp) is None or "EXP" in access_routes(c.rncp)]
    if not certs:
        return "unknown"
    if not ok:
        return None
    level = ctx.profile.eligibility_level(ctx.today)
    return min(ok, key=lambda c: (abs((c.level or level) - (level + 1)), c.rncp))


def _vae_steps(ctx: Context, prev: Step) -> list[Step]:
    from assistant.eligibility import vae_experience

    cert = vae_certification(ctx)
    if cert is None:
        raise RouteFailed("aucune certification du métier visé n'est accessible par la VAE (voies d'accès RNCP)")
    direct, close = vae_experience(ctx.profile, ctx.romes)
    detail = f"{direct} mois d'expérience dans le métier visé" + (f" et {close} mois dans un métier proche" if close else "")
    step = _fixed(StepKind.VAE, "Validation des acquis de l'expérience (France VAE)", _next_day(prev),
                  round(ctx.p("dates.vae_months") * DAYS_PER_MONTH),
                  [why("R-VAE", f"{detail} : la VAE peut valider tout ou partie de la certification, la formation "
                                "complète les blocs manquants.")]
                  + ctx.reasons(Scheme.VAE)[:1])
    step.rome = ctx.romes[0] if ctx.romes else None
    if cert != "unknown":
        step.certification = f"{cert.title} ({cert.rncp})"
        step.title = f"Validation des acquis de l'expérience (France VAE) : {cert.title}"
    step.next_actions.append(_action("Créer son dossier sur France VAE et demander un architecte accompagnateur de "
                                     "parcours", deadline=step.start))
    return [step]


def _iae_steps(ctx: Context, prev: Step) -> list[Step]:
    job = ctx.jobs[0].label if ctx.jobs else "le métier visé"
    step = _fixed(StepKind.EMPLOI, f"Contrat en insertion (IAE) : {job}", _next_day(prev),
                  round(ctx.p("dates.iae_pass_months") * DAYS_PER_MONTH),
                  [why("R-IAE", "Salarié(e) d'une structure d'insertion (PASS IAE) : un emploi payé, un accompagnement "
                                "et des formations pendant le contrat (les salariés IAE ont accès aux formations Région).")]
                  + ctx.reasons(Scheme.IAE)[:1])
    step.rome = ctx.romes[0] if ctx.romes else None
    step.next_actions.append(_action(f"Demander {ctx.to_referent} une orientation vers une structure d'insertion "
                                     "(plateforme de l'inclusion)", deadline=step.start))
    return [step]


def _individual_steps(ctx: Context, prev: Step) -> list[Step]:
    job = ctx.jobs[0].label if ctx.jobs else "le métier visé"
    months = _typical_months(ctx) if ctx.romes else ctx.p("dates.default_training_months")
    lead = ctx.p("dates.cpf_lead_days")
    status = ctx.profile.status
    if status == Status.CSP:
        rule_id, title, text = "R-CSP", "CPF (+ AIF / AIR)", (
            "Licenciement économique (CSP) : France Travail finance les formations du CSP, et l'aide individuelle "
            "régionale (AIR) vous est ouverte ; le compte personnel de formation peut compléter.")
    elif ctx.profile.is_jobseeker:
        rule_id, title, text = "R-HIGH", "CPF (+ AIF / AIR)", (
            "Hors offre collective de la Région : le compte personnel de formation (sans reste à charge pour un "
            "demandeur d'emploi), complété par l'aide individuelle de France Travail (AIF) ou de la Région (AIR), "
            "finance une formation certifiante.")
    else:
        rule_id, title, text = "R-SAL", "CPF (projet de reconversion)", (
            "Le compte personnel de formation finance une formation certifiante choisie ; pas de participation "
            "forfaitaire pour un projet de reconversion.")
    step = _fixed(StepKind.AIDE, f"Formation certifiante financée par le {title} : {job}", _next_day(prev),
                  lead + round(months * DAYS_PER_MONTH),
                  [why(rule_id, text),
                   why(rule_id, f"Dates indicatives : dossier monté en {lead} jours, formation d'environ "
                                f"{months:.0f} mois (hors catalogue Région).")])
    step.rome = ctx.romes[0] if ctx.romes else None
    step.next_actions.append(_action("Choisir une certification (RNCP) sur Mon Compte Formation et faire le devis", deadline=step.start))
    if ctx.profile.is_jobseeker:
        step.next_actions.append(_action(f"Demander l'AIF / l'AIR {ctx.to_referent} : dossier complet avant l'entrée",
                                         deadline=step.start + timedelta(days=lead)))
    return [step]


def _finish(ctx: Context, route: Route, steps: list[Step], warnings: list[str], job_step: bool = True) -> Pathway:
    """Add the job step, the demo-data warning and the route's certainty."""
    main = next((s for s in reversed(steps) if s.kind == route.main), steps[-1])
    job = ctx.job_for(main.rome) or (ctx.jobs[0] if ctx.jobs else None)
    label = job.label if job else "métier visé"
    if main.job_relation == "metier_proche":
        from catalog.referentials import rome_label, tension

        job = Job(main.rome, rome_label(main.rome) or main.rome, tension(main.rome, ctx.dept), 0.0, "métier proche")
        label = f"{job.label} (métier proche)"
    tension = f" (tension {job.tension}/5 dans le département)" if job and job.tension else ""
    emploi = None if not job_step else _fixed(StepKind.EMPLOI, f"Emploi : {label}", _next_day(steps[-1]), 0,
                    [why("R-DIAG", f"Recherche d'emploi ou embauche à l'issue du parcours{tension}.")])
    if emploi is not None:
        emploi.rome = job.rome if job else None
        emploi.next_actions.append(_action(f"Préparer la recherche d'emploi avec {ctx.referent_name} avant la fin de la "
                                           "formation", deadline=emploi.start))
        steps.append(emploi)
    for s in steps:
        if not s.why:  # every step explains itself
            s.why.append(why("R-DIAG", s.kind.label))
        if s.job_relation is None:
            _relate(ctx, s)
    status = ctx.status(route.scheme) if route.scheme else EligibilityStatus.ELIGIBLE
    certainty = ctx.p("ranking.certainty").get(status.value, 0.0)
    if any(s.to_find for s in steps):
        certainty *= ctx.p("ranking.to_find_certainty")
    _working_day_deadlines(ctx, steps)
    title = f"{route.title} — {label}"
    return Pathway(key=route.key, title=title, steps=steps, rome=main.rome, warnings=list(dict.fromkeys(warnings)),
                   certainty=certainty)


def _working_day_deadlines(ctx: Context, steps: list[Step]) -> None:
    """Invariant 5: every date given to the adviser is a working day, on or after today, and after the
    diagnostic for the steps that follow it (a prescription cannot be made before the diagnostic)."""
    diag_end = next((s.end for s in steps if s.kind == StepKind.DIAGNOSTIC), ctx.today)
    for s in steps:
        floor = ctx.today if s.kind == StepKind.DIAGNOSTIC else max(ctx.today, diag_end)
        for action in s.next_actions:
            for key in ("when", "deadline"):
                if action.get(key):
                    action[key] = deadline_day(date.fromisoformat(action[key]), floor).isoformat()
            if action.get("when") and action.get("deadline") and action["when"] > action["deadline"]:
                action["when"] = action["deadline"]


def build_pathways(ctx: Context) -> list[Pathway]:
    """Every route considered, built or reported in `ctx.rejected` with its reason (unranked).

    Derogation routes are first-class (invariant 11): built and ranked on merit, their certainty
    lowered by the ranking. Subsidiary routes (IAE, individual funding) only when fewer than two are
    built; a route toward a ROME "proche" job (labelled) only when still fewer than two.
    """
    # R-HIGH: from level 5 individual funding is a first choice, not a fallback
    preferred = [r for r in FALLBACK_ROUTES if r.scheme is None and _high_level(ctx)]
    open_routes = [r for r in ROUTES if ctx.status(r.scheme) in (EligibilityStatus.ELIGIBLE, EligibilityStatus.DEROGATION)]
    for r in ROUTES:
        if r not in open_routes:
            e = ctx.eligibility.get(r.scheme)
            reason = next((x.text for x in (e.reasons if e else [])), "non éligible")
            ctx.rejected.append({"route": r.key, "label": r.title, "reason": f"non éligible : {reason}"})
    out = _build_all(ctx, open_routes + preferred)
    fallbacks = [r for r in FALLBACK_ROUTES if r not in preferred]
    if len(out) < 2:  # subsidiary routes: IAE, individual funding
        out += _build_all(ctx, [r for r in fallbacks if _fallback_fits(ctx, r)])
        skipped = [r for r in fallbacks if not _fallback_fits(ctx, r)]
    else:
        skipped = fallbacks
    for r in skipped:
        ctx.rejected.append({"route": r.key, "label": r.title, "reason": _fallback_reason(ctx, r, len(out))})
    if len(out) < 2 and ctx.close_romes:  # an explicitly labelled alternative: a ROME "proche" job
        ctx.allow_close = True
        failed = {x["route"] for x in ctx.rejected if x["reason"].startswith("pas de session")}
        retry = [r for r in open_routes if r.key in failed]
        built = _build_all(ctx, retry, report=False)
        done = {p.key for p in built}
        ctx.rejected = [x for x in ctx.rejected if x["route"] not in done]
        out += built
    return out


def _fallback_reason(ctx: Context, route: Route, built: int) -> str:
    if built >= 2:
        return "voie subsidiaire : d'autres parcours sont possibles"
    if route.scheme == Scheme.IAE and ctx.profile.status == Status.SALARIE_IAE:
        return "déjà salarié(e) en insertion : la formation se fait pendant le contrat en cours"
    if route.scheme == Scheme.IAE:
        return "critères de l'IAE non réunis (ou IAE non ouverte)"
    return "financement individuel réservé ici aux salariés, aux CSP et aux niveaux 5 et plus (R-HIGH)"


def _high_level(ctx: Context) -> bool:
    return ctx.profile.eligibility_level(ctx.today) >= ctx.p("ranking.high_level")


def _fallback_fits(ctx: Context, route: Route) -> bool:
    """Individual funding for employees (R-SAL), R-HIGH and CSP holders (R-CSP: AIR is open to them).
    IAE only for people far from employment (its criteria met, or already in a structure): an adviser
    does not send a recently indemnised skilled worker to an insertion job just because a diagnosis could."""
    from assistant.eligibility import iae_criteria_met

    prof = ctx.profile
    if route.scheme is None:
        return prof.status in (Status.SALARIE, Status.SALARIE_IAE, Status.CSP) or _high_level(ctx)
    if route.scheme == Scheme.IAE:
        # invariant 12: an IAE employee trains during the current contract, never a new insertion contract
        return ctx.open(Scheme.IAE) and prof.status != Status.SALARIE_IAE and iae_criteria_met(prof, ctx.today)
    return ctx.open(route.scheme)


def _build_all(ctx: Context, routes: list[Route], report: bool = True) -> list[Pathway]:
    out = []
    for route in routes:
        try:
            out.append(build_route(ctx, route))
        except RouteFailed as exc:
            if report:
                ctx.rejected.append({"route": route.key, "label": route.title, "reason": str(exc)})
    return out

"""The route registry: each route is one small unit declaring its main scheme, its catalogue kinds, its
rules and the function that builds its own steps after the common preamble. Adding a route = one `Route`
entry here (plus its tests); the builder asks every route and the ranking orders them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from assistant.eligibility import fr_date
from assistant.planner.calendar import next_working_day, previous_working_day
from assistant.planner.context import (
    ALTERNANCE_KINDS,
    DAYS_PER_MONTH,
    PREAMBLE_KINDS,
    Context,
    RouteFailed,
    _action,
    _fixed,
    _next_day,
    why,
)
from assistant.planner.sessions import (
    Choice,
    _apprenticeship_rows,
    _cpro_rows,
    closed_route_text,
    pick_session,
    search_window,
)
from assistant.planner.stepkit import (
    _at_apprenticeship_age_limit,
    _typical_months,
    attach_add_ons,
    catalogue_step,
)
from assistant.schemes import EligibilityStatus, Scheme, Status
from assistant.steps import Step, StepKind
from catalog.model import Offer, OfferKind


def cpro_months(ctx: Context, offer: Offer) -> tuple[int, str]:
    """Contract length of a contrat pro (R-CPRO, L6325-11 C. trav.): 6 to 12 months, up to the extended
    maximum only for the publics the law lists (young people without a level-4 vocational qualification,
    RSA / ASS / AAH recipients). Never the 2-3 years of an apprenticeship session."""
    extended = cpro_extended(ctx)
    lo, hi = ctx.p("contrat_pro.min_months"), ctx.p("contrat_pro.max_months_extended" if extended else "contrat_pro.max_months")
    nominal = offer.duration.months if offer.kind == OfferKind.CONTRAT_PRO and offer.duration.months else ctx.p("dates.cpro_default_months")
    months = int(min(max(round(nominal), lo), hi))
    why_text = (f"Contrat de professionnalisation de {months} mois (de {lo} à {ctx.p('contrat_pro.max_months')} mois"
                + (f", jusqu'à {hi} mois pour votre situation" if extended else "") + ") : la durée de la session "
                "d'apprentissage ne s'applique pas.")
    return months, why_text


def cpro_extended(ctx: Context) -> bool:
    """The publics L6325-11 lets a contrat pro last beyond 12 months (young people without a level-4
    vocational qualification, RSA / ASS / AAH recipients)."""
    from assistant.schemes import IncomeSupport

    prof = ctx.profile
    return ((prof.age <= ctx.p("contrat_pro.age_max_youth") and prof.level_validated < ctx.p("contrat_pro.first_pro_level"))
            or prof.income_support in (IncomeSupport.RSA, IncomeSupport.ASS, IncomeSupport.AAH))


@dataclass
class Route:
    """A kind of pathway: its main scheme, the catalogue kinds of its main step, the rules it cites, and the
    unit that builds its own steps after the common preamble (`build(ctx, route, prev, warnings, essential)`
    returns the steps, or raises RouteFailed with the French reason). `preamble=False`: the route starts right
    after the diagnostic (an insertion job trains inside the contract); `job_step=False`: the route is a job."""

    key: str
    title: str
    scheme: Scheme | None
    main: StepKind
    kinds: tuple[OfferKind, ...] = ()  # catalogue kinds of the main step (empty: not a catalogue step)
    rules: tuple[str, ...] = ()
    build: Callable[..., list[Step]] | None = None
    preamble: bool = True
    job_step: bool = True
    subsidiary: bool = False  # proposed only when fewer than two other routes are built
    prepa: bool = False  # R-ALT-PREP: a prépa apprentissage first when no employer is lined up
    amorce: bool = False  # a Region route: the Amorce de parcours is its discovery step (R-PROJ)

    @property
    def eligibility_scheme(self) -> Scheme:
        """The scheme whose eligibility opens the route and dates its catalogue step (derogation window,
        reasons). Every route of `ROUTES` and every catalogue route has one; only individual funding (a
        fallback dated without the catalogue, its aids checked per step) has none, and is handled apart."""
        if self.scheme is None:
            raise ValueError(f"route {self.key!r} has no scheme of its own")
        return self.scheme


def build_catalogue_route(ctx: Context, route: Route, prev: Step, warnings: list[str],
                          essential: bool = False, **session: Any) -> list[Step]:
    """The main step on a catalogue session; when none is found after essential first steps (socle, Amorce,
    prépa), a step "à trouver avec le référent" keeps the route (invariant 10). `session` carries a route
    unit's own session rules to `_main_step` (earliest start, candidate rows, fitting of the chosen session)."""
    from assistant.planner.stepkit import _to_find

    try:
        return [_main_step(ctx, route, prev, warnings, **session)]
    except RouteFailed as exc:
        if essential:
            warnings.append(f"« {route.title} » : session à trouver avec {ctx.referent_name} ({exc}) ; les premières "
                            "étapes restent utiles et sont à engager.")
            return [_to_find(ctx, route, prev, str(exc))]
        earlier = _programmed_before(ctx, route, prev, session.get("only"))
        if earlier is None:
            raise
        # invariant 16: the catalogue holds this route within reach, but its sessions start before the first
        # steps end (CFA cycles are yearly): keep the route, the next programming to find with the referent
        where = ctx.view.sessions[earlier.row].commune_name
        reason = (f"la session du {fr_date(earlier.start)} ({where}) commence avant la fin des étapes préalables : "
                  "prochaine programmation à demander à l'organisme")
        warnings.append(f"« {route.title} » : {reason}, avec {ctx.referent_name}.")
        return [_to_find(ctx, route, prev, reason)]


def _programmed_before(ctx: Context, route: Route, prev: Step, only: Any = None) -> Choice | None:
    """A session of the route, within reach, for the target job, that starts between today and the end of
    the steps before it, when the person will still meet the route's age limit on the next programming
    (a yearly cycle later): the route is then kept with its session to find, rather than given up."""
    from assistant.planner.sessions import _cpro_any_age

    if not route.kinds or ctx.status(route.eligibility_scheme) != EligibilityStatus.ELIGIBLE:
        return None
    prof, today = ctx.profile, ctx.today
    next_cycle = _next_day(prev) + timedelta(days=ctx.p("chain.alternance_next_cycle_wait_days"))
    limits = []
    if route.scheme == Scheme.APPRENTISSAGE and not (prof.rqth or prof.business_creation):
        limits.append(ctx.p("apprentissage.age_max"))
    if route.scheme == Scheme.CONTRAT_PRO and not _cpro_any_age(prof):
        limits.append(ctx.p("contrat_pro.age_max_youth"))
    if any(prof.birthday(limit + 1, today)[0] <= next_cycle for limit in limits):
        return None
    earlier = pick_session(ctx, list(route.kinds), ctx.romes, ctx.available_from, allow_beyond=False,
                           wait_days=ctx.p("chain.next_session_wait_days"), only_rows=only)
    return earlier if earlier is not None and earlier.start <= prev.end else None


def build_poei(ctx: Context, route: Route, prev: Step, warnings: list[str], essential: bool = False) -> list[Step]:
    """A POEI session from the catalogue, else the employer's own training plan dated from parameters."""
    if len(ctx.view.rows(OfferKind.POEI)):
        try:
            return [_main_step(ctx, route, prev, warnings)]
        except RouteFailed:
            pass
    return _poei_steps(ctx, prev)


def _steps_of(fn: Callable[[Context, Step], list[Step]]) -> Callable[..., list[Step]]:
    """A route whose steps are dated from parameters (no catalogue session)."""
    def build(ctx: Context, route: Route, prev: Step, warnings: list[str], essential: bool = False) -> list[Step]:
        return fn(ctx, prev)
    return build


def build_apprentissage(ctx: Context, route: Route, prev: Step, warnings: list[str],
                        essential: bool = False) -> list[Step]:
    """The apprenticeship unit: only CFA sessions whose certification is open to apprenticeship (RNCP access
    route CONTRATA; a fiche the 2021 table does not know is not concluded closed), issue 12."""
    return build_catalogue_route(ctx, route, prev, warnings, essential, only=_apprenticeship_rows(ctx))


def build_contrat_pro(ctx: Context, route: Route, prev: Step, warnings: list[str],
                      essential: bool = False) -> list[Step]:
    """The contrat de professionnalisation unit (R-CPRO, invariant 2): the employer is found before the
    contract starts, the session is a contrat pro offer or a CFA certification open to the contrat pro,
    and the contract lasts its legal 6-12 months (extended publics up to 24-36), never the length of an
    apprenticeship session."""
    earliest = ctx.available_from + timedelta(days=ctx.p("chain.contrat_pro_employer_search_days"))
    return build_catalogue_route(ctx, route, prev, warnings, essential, earliest=earliest, only=_cpro_rows(ctx),
                                 fit=_fit_contrat_pro)


def _fit_contrat_pro(ctx: Context, choice: Choice, warnings: list[str]) -> list[Any]:
    """The contract's length replaces the session's, and the reasons say so (and what to confirm). When the
    CFA session is longer than the contract (a 2-year BTS in a 12-month contract), an adviser would not sign
    it as it stands: the plan says the training must be shortened (blocks) or the contract lengthened by the
    branch agreement when the qualification requires it (L6325-12 C. trav.)."""
    months, text = cpro_months(ctx, choice.offer)
    choice.end = choice.start + timedelta(days=round(months * DAYS_PER_MONTH))
    whys = [why("R-CPRO", text)]
    if choice.offer.kind != OfferKind.CONTRAT_PRO:
        whys.append(why("R-CPRO", "Certification ouverte au contrat de professionnalisation (voie d'accès RNCP) : "
                                  "à confirmer avec l'organisme qu'il accueille des contrats de professionnalisation."))
        nominal = choice.offer.duration.months
        if nominal and nominal > months + 1 and cpro_extended(ctx):
            text = (f"« {choice.offer.title} » dure {nominal:.0f} mois en apprentissage : pour votre situation le "
                    f"contrat de professionnalisation peut aller jusqu'à {ctx.p('contrat_pro.max_months_extended')} mois "
                    "(L6325-11 C. trav.) ; sa durée est à caler sur la formation avec l'organisme et l'employeur, "
                    f"avec {ctx.referent_name}.")
            whys.append(why("R-CPRO", text))
            warnings.append(text)
        elif nominal and nominal > months + 1:
            text = (f"« {choice.offer.title} » dure {nominal:.0f} mois en apprentissage : un contrat de "
                    f"professionnalisation de {months} mois suppose un parcours raccourci (blocs de compétences) ou "
                    "un allongement prévu par l'accord de branche quand la qualification l'exige (L6325-12 C. trav.), "
                    f"à vérifier avec l'organisme et l'OPCO avec {ctx.referent_name}.")
            whys.append(why("R-CPRO", text))
            warnings.append(text)
    return whys


def _main_step(ctx: Context, route: Route, prev: Step, warnings: list[str], earliest: date | None = None,
               only: Any = None, fit: Callable[[Context, Choice, list[str]], list[Any]] | None = None) -> Step:
    """The route's main catalogue step. A route unit may add its own session rules: `earliest` start,
    candidate rows `only`, and `fit` (adjusts the chosen session, returns extra reasons)."""
    scheme = route.eligibility_scheme
    status = ctx.status(scheme)
    min_start = None
    if status == EligibilityStatus.DEROGATION:
        # the request is filed after the diagnostic, and its window must stay open long enough to file it
        _, last = _derogation_window(ctx, scheme, ctx.today)
        lead = ctx.today - last  # days between the window's end and the entry
        earliest_file = max(ctx.today + timedelta(days=ctx.p("chain.derogation_min_notice_days")),
                            ctx.diagnostic_end + timedelta(days=1))
        min_start = earliest_file + lead + timedelta(days=3)  # room for weekends and public holidays
    if earliest is not None:
        min_start = max(min_start or earliest, earliest)
    choice = pick_session(ctx, list(route.kinds), ctx.romes, prev, min_start=min_start, only_rows=only)
    if choice is None and set(route.kinds) <= ALTERNANCE_KINDS and prev.kind in PREAMBLE_KINDS:
        # CFA cycles mostly start once a year: wait for the next one rather than drop the route
        choice = pick_session(ctx, list(route.kinds), ctx.romes, prev, min_start=min_start,
                              wait_days=ctx.p("chain.alternance_next_cycle_wait_days"), only_rows=only)
        if choice is not None:
            warnings.append(f"Prochain cycle en CFA le {fr_date(choice.start)} : d'ici là, recherche d'employeur, emploi "
                            f"(saisonnier, intérim) ou immersions, à organiser avec {ctx.referent_name}.")
    elif choice is None and route.kinds:
        # invariant 9: search up to 12 months ahead before giving the route up, and say the wait
        choice = pick_session(ctx, list(route.kinds), ctx.romes, prev, min_start=min_start,
                              wait_days=ctx.p("chain.next_session_wait_days"), only_rows=only)
        if choice is not None:
            warnings.append(f"Prochaine session le {fr_date(choice.start)} : d'ici là, emploi, immersion ou module "
                            f"complémentaire, à organiser avec {ctx.referent_name}.")
    if choice is None and route.kinds and ctx.allow_close and ctx.close_romes:
        # an explicitly labelled alternative: the same route toward a ROME "proche" job (R-TARGET)
        choice = pick_session(ctx, list(route.kinds), ctx.close_romes, prev, min_start=min_start,
                              wait_days=ctx.p("chain.next_session_wait_days"), only_rows=only)
        if choice is not None:
            from catalog.referentials import rome_label

            # the session was picked on `close_romes`: its offer carries one of them
            close = next(r for r in ctx.close_romes if r in choice.offer.rome_codes)
            warnings.append(f"Aucune session pour le métier visé : ce parcours mène à un métier proche, "
                            f"« {rome_label(close) or close} », à valider avec la personne.")
    if choice is None:
        first, last = search_window(ctx, prev)
        last = max(last, first + timedelta(days=ctx.p("chain.next_session_wait_days")))
        beyond = _nearest_beyond_reach(ctx, route, prev)
        raise RouteFailed(f"pas de session « {route.title} » pour ce métier, dans le rayon "
                          f"accessible, entre le {fr_date(first)} et le {fr_date(last)}" + beyond
                          + closed_route_text(ctx, route.key, list(ctx.romes) + list(ctx.close_romes if ctx.allow_close else [])))
    whys = [why(r) for r in route.rules] + ctx.reasons(scheme)[:2]
    if fit is not None:
        whys += fit(ctx, choice, warnings)
    step = catalogue_step(ctx, route.main, choice, whys, warnings)
    if route.key == "apprentissage" and (choice.age_doubt or _at_apprenticeship_age_limit(ctx)):
        limit = ctx.p("apprentissage.age_max") + 1
        warnings.append(f"Vous avez {ctx.profile.age} ans : le contrat d'apprentissage doit commencer avant vos "
                        f"{limit} ans. Vérifiez que l'entrée du {fr_date(choice.start)} tombe avant votre "
                        "anniversaire (indiquez le mois de naissance) ; sinon, le contrat de professionnalisation "
                        "reste possible.")
    if status == EligibilityStatus.DEROGATION:
        a, b = _derogation_window(ctx, scheme, choice.start)
        # invariant 5: inside the window, after the diagnostic, on working days
        a = next_working_day(max(a, ctx.today, ctx.diagnostic_end + timedelta(days=1)))
        b = previous_working_day(b)
        a = min(a, b)
        when = f"dès la fin du diagnostic, au plus tard le {fr_date(b)}" if a > _derogation_window(ctx, scheme, choice.start)[0] \
            else f"entre le {fr_date(a)} et le {fr_date(b)}"
        text = (f"Dérogation nécessaire pour « {route.title} » : à demander {when} "
                f"(entrée le {fr_date(choice.start)}) ; accordée seulement s'il reste des places.")
        warnings.append(text)
        step.next_actions.append(_action(text, when=a, deadline=b))
        derog = getattr(ctx.eligibility.get(scheme), "derogation", None)
        if derog is None or "R-DEROG" in derog.kind:  # the level rule; an R-18M derogation explains itself
            step.why.append(why("R-DEROG"))
    attach_add_ons(ctx, step, choice.offer, prev)
    return step


def _nearest_beyond_reach(ctx: Context, route: Route, prev: Step) -> str:
    """Invariant 6: when the only sessions are out of reach, say where and what to study (distance
    learning, boarding), rather than sending the person there silently."""
    if not route.kinds or ctx.position is None:
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
    ok = [c for c in certs if (access := access_routes(c.rncp)) is None or "EXP" in access]
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


def build_vae(ctx: Context, route: Route, prev: Step, warnings: list[str], essential: bool = False) -> list[Step]:
    """The VAE unit. Adviser reading (refugee cook, French A1, 5 years of cooking abroad): the VAE came right
    after a four-week FLE socle, ranked first, without a word on the language. The VAE's feasibility file,
    validation file and jury interview are in French: the plan says so, so the adviser starts it once the
    French course is well under way (R-SOCLE, R-VAE)."""
    from assistant.eligibility import skills_gaps
    from assistant.schemes import BasicSkillGap

    steps = _vae_steps(ctx, prev)
    if BasicSkillGap.FLE in skills_gaps(ctx.profile, ctx.today):
        level = ctx.profile.french_level.value if ctx.profile.french_level else "à évaluer"
        text = (f"Français {level} : le dossier de faisabilité, le dossier de validation et l'entretien avec le jury "
                "de la VAE se font en français ; à engager une fois le cours de français bien avancé, avec "
                f"l'accompagnement France VAE, à décider avec {ctx.referent_name}.")
        steps[0].why.append(why("R-VAE", text))
        warnings.append(text)
    return steps


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


# The registry: the builder asks every route, in this order. Adding a route = one entry (and its tests).
ROUTES = [
    Route("apprentissage", "Apprentissage", Scheme.APPRENTISSAGE, StepKind.APPRENTISSAGE,
          (OfferKind.APPRENTISSAGE,), ("R-ALT",), build_apprentissage, prepa=True),
    Route("qualifiant", "Formation qualifiante de la Région", Scheme.QUALIFIANT, StepKind.QUALIFIANT,
          (OfferKind.QUALIFIANT,), ("R-MQ",), build_catalogue_route, amorce=True),
    Route("hsp_1nq", "HSP 1er niveau de qualification", Scheme.HSP_1NQ, StepKind.HSP_1NQ,
          (OfferKind.HSP_1NQ,), ("R-1NQ",), build_catalogue_route, amorce=True),
    Route("contrat_pro", "Contrat de professionnalisation", Scheme.CONTRAT_PRO, StepKind.CONTRAT_PRO,
          (OfferKind.CONTRAT_PRO, OfferKind.APPRENTISSAGE), ("R-CPRO",), build_contrat_pro),
    Route("poei", "POEI puis embauche", Scheme.POEI, StepKind.POEI, (OfferKind.POEI,), ("R-JOB",), build_poei),
    Route("ptp", "Projet de transition professionnelle", Scheme.PTP, StepKind.PTP, (), ("R-SAL",),
          _steps_of(_ptp_steps)),
    Route("vae", "Validation des acquis de l'expérience", Scheme.VAE, StepKind.VAE, (), ("R-VAE",), build_vae),
]
# Subsidiary routes: proposed only when fewer than two routes above can be built (R-HIGH makes individual
# funding a first choice from level 5).
FALLBACK_ROUTES = [
    Route("iae", "Emploi en insertion (IAE)", Scheme.IAE, StepKind.EMPLOI, (), ("R-IAE",), _steps_of(_iae_steps),
          preamble=False, job_step=False, subsidiary=True),
    Route("individuel", "Financement individuel (CPF, AIF / AIR)", None, StepKind.AIDE, (), ("R-HIGH",),
          _steps_of(_individual_steps), subsidiary=True),
]
REGISTRY = {r.key: r for r in ROUTES + FALLBACK_ROUTES}

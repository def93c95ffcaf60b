"""The builder: asks every route of the registry, chains the common preamble and the route's steps, keeps
partial routes, dates deadlines on working days, and reports every route considered but not built."""

from __future__ import annotations

from datetime import date, timedelta

from assistant.planner.calendar import deadline_day
from assistant.planner.context import (
    DAYS_PER_MONTH,
    Context,
    Job,
    RouteFailed,
    _action,
    _fixed,
    _next_day,
    why,
)
from assistant.planner.routes import FALLBACK_ROUTES, ROUTES, Route
from assistant.planner.stepkit import (
    ESSENTIAL_FIRST,
    _barriers,
    _cej_step_needed,
    _diagnostic,
    _discovery_step,
    _prepa_needed,
    _prepa_step,
    _relate,
    _socle_steps,
)
from assistant.schemes import EligibilityStatus, Scheme, Status
from assistant.steps import Pathway, Step, StepKind


def build_route(ctx: Context, route: Route) -> Pathway:
    """One route: the common preamble (diagnostic, barriers, CEJ, basic skills, discovery), then the
    route's own steps, then the job. Essential first steps are kept when a later session is missing
    (invariant 10): the missing step becomes "à trouver avec le référent" with its reason."""
    build = route.build
    if build is None:  # every registry route has its builder (tests/test_pathways.py)
        raise ValueError(f"route {route.key!r} has no builder")
    prof = ctx.profile
    warnings: list[str] = []
    steps: list[Step] = [_diagnostic(ctx)]
    found = _barriers(ctx)
    if found is not None:
        labels, barriers = found
        steps.append(_fixed(StepKind.LEVEE_DE_FREINS, f"Levée des freins : {labels}", _next_day(steps[-1]),
                            ctx.p("dates.levee_de_freins_days"),
                            [why("R-MOB" if "mobilite" in barriers else "R-DIAG",
                                 f"Freins déclarés ({labels}) : solutions à engager avant l'entrée en formation "
                                 "(référent social, aides, garde, transport).")]))
    if not route.preamble:  # e.g. an insertion job: training and support come inside the contract
        return _finish(ctx, route, steps + build(ctx, route, steps[-1], warnings), warnings,
                       job_step=route.job_step)

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

    if route.prepa and _prepa_needed(ctx):
        steps.append(_prepa_step(ctx, steps[-1], warnings))
    elif not ctx.project_validated:
        steps.append(_discovery_step(ctx, route, steps[-1], warnings))

    essential = any(s.kind in ESSENTIAL_FIRST for s in steps)
    steps += build(ctx, route, steps[-1], warnings, essential=essential)
    return _finish(ctx, route, steps, warnings, job_step=route.job_step)


def _finish(ctx: Context, route: Route, steps: list[Step], warnings: list[str], job_step: bool = True) -> Pathway:
    """Add the job step, the demo-data warning and the route's certainty."""
    main = next((s for s in reversed(steps) if s.kind == route.main), steps[-1])
    job = ctx.job_for(main.rome) or (ctx.jobs[0] if ctx.jobs else None)
    label = job.label if job else "métier visé"
    if main.job_relation == "metier_proche" and main.rome is not None:  # a job relation needs a job (ctx.relation)
        from catalog.referentials import rome_label, tension

        job = Job(main.rome, rome_label(main.rome) or main.rome, tension(main.rome, ctx.dept), 0.0, "métier proche")
        label = f"{job.label} (métier proche)"
    in_tension = f" (tension {job.tension}/5 dans le département)" if job and job.tension else ""
    emploi = None if not job_step else _fixed(StepKind.EMPLOI, f"Emploi : {label}", _next_day(steps[-1]), 0,
                    [why("R-DIAG", f"Recherche d'emploi ou embauche à l'issue du parcours{in_tension}.")])
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
    open_routes = [r for r in ROUTES
                   if ctx.status(r.eligibility_scheme) in (EligibilityStatus.ELIGIBLE, EligibilityStatus.DEROGATION)]
    for r in ROUTES:
        if r not in open_routes:
            e = ctx.eligibility.get(r.eligibility_scheme)
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

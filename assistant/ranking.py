"""Rank pathways: a documented, parameterised score in 0..1 (see docs/ranking.md).

score = certainty x (weighted mean of the criteria), every criterion in 0..1:
fit to the wish, total duration, distance, earliest start, job tension, outcome
indicators and accessibility fit. Certainty (eligibility status of the main
scheme x priority of that scheme for this public) multiplies instead of adding
because a pathway the person cannot enter is worth little however short or near.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from assistant.pathways import DAYS_PER_MONTH, Context, pparam
from assistant.steps import Pathway, StepKind
from catalog.model import Offer


# Steps from which the person is an employee: an alternance contract is a job (paid, with an employer).
EMPLOYED_KINDS = frozenset({StepKind.APPRENTISSAGE, StepKind.CONTRAT_PRO, StepKind.EMPLOI})


def priority(ctx: Context, pathway: Pathway) -> float:
    """Priority of the main scheme for this public (Cap Emploi order, Region target public, R-HIGH)."""
    table = pparam("ranking.priority", ctx.today)
    young = ctx.profile.age <= pparam("ranking.young_max_age", ctx.today)
    high = ctx.profile.eligibility_level(ctx.today) >= pparam("ranking.high_level", ctx.today)
    key = pathway.key
    if key in ("apprentissage", "contrat_pro") and ctx.profile.wants_alternance and "alternance_wished" in table:
        return table["alternance_wished"]  # the person asked for alternance: it comes first (S:P1)
    if key == "apprentissage":
        return table["apprentissage_young" if young else "apprentissage_adult"]
    if key == "qualifiant":
        return table["qualifiant_high" if high else ("qualifiant_young" if young else "qualifiant")]
    if key == "individuel":
        return table["individual_aid_high" if high else "individual_aid"]
    if key == "vae":  # a full validation needs substantial experience; a short one makes VAE partial at best [I]
        months = ctx.profile.job_experience_months(ctx.romes)
        return table["vae"] * min(1.0, months / pparam("ranking.vae_full_experience_months", ctx.today))
    return table.get(key, 1.0)


def _fit(ctx: Context, pathway: Pathway) -> float:
    main = pathway.main_step()
    if main is not None and main.job_relation == "metier_proche":  # an alternative, said so: ranked below
        return pparam("ranking.close_job_fit", ctx.today)
    job = ctx.job_for(pathway.rome)
    if job is not None:
        return job.score
    return min((j.score for j in ctx.jobs), default=0.5)


def _outcome_rate(ctx: Context, pathway: Pathway) -> float:
    """Employment-at-6-months rate of the pathway's offers, shrunk toward the national figure by sample size.

    Real InserJeunes figures replace an offer's demo ones when known (catalog.outcomes.offer_outcomes).
    """
    from catalog.outcomes import offer_outcomes

    prior = pparam("ranking.outcome_prior", ctx.today)
    num, den = prior["rate"] * prior["weight"], float(prior["weight"])
    for step in pathway.steps:
        if not step.offer_id:
            continue
        offer = _offer(ctx, step.offer_id)
        for o in offer_outcomes(offer, ctx.today) if offer else ():
            if o.kind == "emploi_6_mois" and o.sample_size > 0:
                num += o.rate * o.sample_size
                den += o.sample_size
    return num / den


def _offer(ctx: Context, offer_id: str) -> Offer | None:
    return ctx.view.by_id.get(offer_id)


def _accessibility(ctx: Context, pathway: Pathway) -> float:
    """Share of the training steps that meet the person's needs (part time, RQTH référent/adaptations)."""
    prof = ctx.profile
    needs = prof.availability.part_time_only or prof.rqth_or_pending or prof.single_parent
    # Pathways are built from `ctx.view`, so every offer id is in it; an unknown one has nothing to check.
    training = [(s, o) for s in pathway.steps
                if s.offer_id and s.kind != StepKind.MODULE and (o := _offer(ctx, s.offer_id)) is not None]
    if not needs or not training:
        return 1.0
    good = 0.0
    for step, offer in training:
        acc = offer.accessibility
        part = offer.rhythm.value == "PART_TIME" or acc.part_time_possible
        if step.kind == StepKind.APPRENTISSAGE and not prof.rqth_or_pending:
            part = False  # an apprenticeship is full time; part time only with an RQTH (R-RQTH)
        checks = []
        if prof.availability.part_time_only or prof.single_parent:
            checks.append(part)
        if prof.rqth_or_pending:
            checks.append(acc.referent_handicap is not None)
            checks.append(part or acc.extended_duration_possible)
        good += sum(checks) / len(checks)
    return good / len(training)


def criteria(ctx: Context, pathway: Pathway) -> dict[str, float]:
    """The criteria of a pathway, each in 0..1 (1 = best)."""
    today: date = ctx.today
    max_months = pparam("ranking.max_months", today)
    max_wait = pparam("ranking.max_wait_days", today)
    far = pparam("chain.max_km_with_aid", today)
    distances = [s.distance_km for s in pathway.steps if s.distance_km is not None and s.kind != StepKind.MODULE]
    first = next((s for s in pathway.steps if s.is_training or s.kind in (StepKind.PTP, StepKind.VAE)), None)
    wait = (first.start - today).days if first else max_wait
    hired = next((s.start for s in pathway.steps if s.kind in EMPLOYED_KINDS), pathway.end)
    months_to_job = (hired - pathway.start).days / DAYS_PER_MONTH
    job = ctx.job_for(pathway.rome)
    tension = (job.tension if job and job.tension else pparam("ranking.tension_default", today))
    return {
        "fit": _fit(ctx, pathway),
        "duration": 1.0 - min(months_to_job, max_months) / max_months,
        "distance": 1.0 - min(max(distances), far) / far if distances else 0.5,
        "start": 1.0 - min(max(wait, 0), max_wait) / max_wait,
        "tension": (tension - 1) / 4,
        "outcomes": _outcome_rate(ctx, pathway),
        "accessibility": _accessibility(ctx, pathway),
    }


def score(ctx: Context, pathway: Pathway) -> float:
    weights = pparam("ranking.weights", ctx.today)
    crit = criteria(ctx, pathway)
    mean = sum(weights[k] * crit[k] for k in weights) / sum(weights.values())
    prio = priority(ctx, pathway)
    pathway.score_detail = {**crit, "certainty": pathway.certainty, "priority": prio}
    pathway.score = max(0.0, min(1.0, pathway.certainty * prio * mean))
    return pathway.score


def rank(ctx: Context, pathways: list[Pathway]) -> list[Pathway]:
    """Score, sort best first, keep one pathway per route and at most `ranking.max_pathways`."""
    for p in pathways:
        score(ctx, p)
    best: dict[str, Pathway] = {}
    for p in sorted(pathways, key=lambda p: (-p.score, p.start, p.key)):
        best.setdefault(p.key, p)
    keep = pparam("ranking.max_pathways", ctx.today)
    for p in list(best.values())[keep:]:  # invariant 16: a route built but not kept says why
        ctx.rejected.append({"route": p.key, "label": p.title,
                             "reason": f"parcours possible, classé après les {keep} premiers (score {p.score:.2f})"})
    return list(best.values())[:keep]


def explain(pathway: Pathway) -> dict[str, Any]:
    return {"score": round(pathway.score, 3), **{k: round(v, 3) for k, v in pathway.score_detail.items()}}


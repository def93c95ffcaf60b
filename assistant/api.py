"""Public API of the assistant: `plan()` and `eligibility()` return plain JSON-ready dicts.

The UI, the CLI and the exports all consume the same dict, so a plan can be
checked, saved or compared without Python objects. Nothing about the person is
written anywhere: the profile only lives in the arguments and in the result.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import date
from typing import Any, Callable, Iterable

from assistant.catview import view_for
from assistant.pathways import Context, Job, build_pathways
from assistant.profile import Profile, parse_profile
from assistant.schemes import Scheme
from assistant.steps import Pathway

log = logging.getLogger(__name__)

JobResolver = Callable[[str, int], Iterable[Any]]


# --------------------------------------------------------------------------- inputs


def _profile(profile: dict | Profile, today: date | None = None) -> Profile:
    return profile if isinstance(profile, Profile) else parse_profile(profile, today)


_DEFAULT: dict[str, Any] = {}


def default_catalogue() -> Any:
    """The working catalogue (demo + imports), loaded once per file version."""
    from catalog import store

    path = store.working_path() if store.working_path().exists() else store.DEMO_PATH
    key = (str(path), path.stat().st_mtime_ns if path.exists() else 0)
    if _DEFAULT.get("key") != key:
        _DEFAULT.update(key=key, catalogue=store.load_catalogue(path))
    return _DEFAULT["catalogue"]


def locate(commune: str) -> tuple[float | None, float | None, str | None, str | None]:
    """(lat, lon, dept, name) of the profile's commune; Nones when it cannot be placed."""
    lat, lon, dept, name, _ = locate_with_message(commune)
    return lat, lon, dept, name


def locate_with_message(commune: str) -> tuple[float | None, float | None, str | None, str | None, str]:
    """As `locate`, plus the French message of the place resolution when the commune is not found
    (with its suggestions): the communes table holds Nouvelle-Aquitaine only, so a commune it cannot
    place is outside the region or misspelt, and either way no Region offer can be proposed."""
    try:
        from indexes.places import resolve_place

        res = resolve_place(commune)
        found, message = res.best, res.message
    except ImportError:  # pragma: no cover - places module absent
        from catalog.geo import communes_by_name, normalise_place_name
        from catalog.referentials import communes

        found = communes().get(commune.strip()) or next(iter(communes_by_name().get(normalise_place_name(commune), ())), None)
        message = ""
    if found is None:
        return None, None, None, None, message
    return found.lat, found.lon, found.dept, found.name, ""


# --------------------------------------------------------------------------- outputs


def _eligibility_dicts(results: list[Any]) -> list[dict[str, Any]]:
    out = []
    for e in results:
        if hasattr(e, "to_dict"):
            d = e.to_dict()
        else:
            d = {"scheme": e.scheme.value, "status": e.status.value,
                 "reasons": [{"rule": r.rule, "text": r.text, "source": r.source} for r in e.reasons],
                 "unlock": list(e.unlock)}
        d.setdefault("label", e.scheme.label)
        out.append(d)
    return out


def _income(ctx: Context, pathway: Pathway) -> dict[str, Any] | None:
    from assistant.income import estimate_income, individual_income
    from assistant.pathways import FALLBACK_ROUTES, ROUTES

    route = next(r for r in ROUTES + FALLBACK_ROUTES if r.key == pathway.key)
    main = pathway.main_step() if route.scheme else next((s for s in pathway.steps if s.kind == route.main), None)
    if main is None:
        return None
    if route.scheme is None:  # individual funding (CPF, AIF, AIR): pay follows the person's status
        inc = individual_income(ctx.profile, main.start)
    else:
        inc = estimate_income(ctx.profile, route.scheme, main.start, hours_per_week=main.hours_per_week)
    out = inc.to_dict() if hasattr(inc, "to_dict") else {"monthly_eur": inc.monthly_eur, "basis": inc.basis,
                                                          "rules": list(inc.rules)}
    out.setdefault("scheme", route.scheme.value if route.scheme else None)
    return out


def _outcomes(ctx: Context, pathway: Pathway) -> list[dict[str, Any]]:
    """Outcomes of the pathway's offers: real InserJeunes figures when known, else the offer's own (demo)."""
    from catalog.outcomes import outcome_dicts

    out = []
    for step in pathway.steps:
        offer = ctx.view.by_id.get(step.offer_id) if step.offer_id else None
        if offer is not None:
            out.extend(outcome_dicts(offer, ctx.today))
    return out


MOBILITY_SOURCE = "source : France Travail, ROME v3.47, fiches mobilité (liens « proche » et « évolution »)"


def territory(prof: Profile, today: date, catalogue: Any, jobs: list[Job]) -> dict[str, Any]:
    """Issue 12: the target job's local labour market and, for a career changer, the close jobs.

    `target_market`: tension (with its factors in words) and BMO needs of the first target job in the
    person's employment area. `close_jobs` only when the person has known experience (a career changer)
    or a health constraint / RQTH (a job to leave): each one is an alternative the adviser may pick as
    the target (`job_relation: "metier_proche"`), never a silent change of the wish. The exclusion of
    same-family jobs stays the adviser's choice: only suggested here. Errors in these extra figures
    never break the plan: they are said in `questions`.
    """
    from assistant.career import career_options, exclusion_suggested, experience_romes, target_market

    out: dict[str, Any] = {"target_rome": jobs[0].rome if jobs else None, "target_market": None,
                           "close_jobs": [], "questions": []}
    if jobs:
        market = target_market(prof, jobs[0].rome)
        out["target_market"] = {**market, "label": jobs[0].label} if any(market.values()) else None
        if out["target_market"] is None:
            out["questions"].append(f"Pas de chiffre de tension ni de besoins de recrutement pour « {jobs[0].label} » "
                                    "dans ce bassin d'emploi.")
    if experience_romes(prof) or exclusion_suggested(prof):
        options = career_options(prof, catalogue, today)
        out["exclude_same_family_suggested"] = options["exclude_same_family_suggested"]
        out["questions"] += options["questions"]
        out["close_jobs"] = [_sourced(job) for job in options["close_jobs"]]
        if options["exclude_same_family_suggested"] and options["close_jobs"]:
            # the list the adviser gets by excluding the jobs of the same family (their choice, on the page)
            other = career_options(prof, catalogue, today, exclude_same_family=True)["close_jobs"]
            out["close_jobs_other_family"] = [_sourced(job) for job in other]
    return out


def _sourced(job: dict[str, Any]) -> dict[str, Any]:
    """A close job with the source of the link and of its figures, and the year of its latest figure."""
    figures = [f for f in (job.get("tension"), job.get("needs")) if f]
    return {**job, "year": max((f["year"] for f in figures), default=None),
            "source": " ; ".join([MOBILITY_SOURCE] + [f["source"] for f in figures])}


# --------------------------------------------------------------------------- API


def _rules_context(profile: Profile, today: date) -> tuple[list[Any], list[str], Any]:
    """Eligibility and referent. The rules fired are derived later from the reasons actually given
    (issue 8), not from a second hand-written table: the list starts empty."""
    from assistant.eligibility import evaluate
    from assistant.referent import choose_referent

    return evaluate(profile, today), [], choose_referent(profile, today)


def eligibility(profile: dict | Profile, today: date | None = None) -> dict[str, Any]:
    """Eligibility of every scheme, the referent and the rules fired (no catalogue needed)."""
    from assistant.parameters import check_rules_date

    today = today or date.today()
    check_rules_date(today)
    prof = _profile(profile, today)
    results, fired, referent = _rules_context(prof, today)
    from assistant.funding import evaluate_funding

    funding = [v.to_dict() for v in evaluate_funding(prof, today)]
    out = {"today": today.isoformat(), "referent": referent.to_dict(),
           "eligibility": _eligibility_dicts(results) + funding}
    out["rules_fired"] = _ordered(fired + referent.rules + rules_used([], results) + _funding_rules(out))
    return out


STATUS_OK = "ok"
STATUS_A_PRECISER = "a_preciser"
STATUS_HORS_REGION = "hors_region"
STATUS_PROFIL_INVALIDE = "profil_invalide"


# Schemes bought or granted by the Region: closed to someone who does not live in Nouvelle-Aquitaine (R-RES).
REGION_SCHEMES = frozenset({Scheme.AMORCE, Scheme.HSP_SOCLE, Scheme.HSP_1NQ, Scheme.QUALIFIANT,
                            Scheme.AIDE_PERMIS_REGION})


def _not_resident(e: Any) -> Any:
    from assistant.eligibility import SchemeEligibility
    from assistant.rules import rule
    from assistant.schemes import EligibilityStatus

    reason = rule("R-RES").reason("Dispositif de la Région Nouvelle-Aquitaine : réservé aux personnes qui y résident.")
    return SchemeEligibility(e.scheme, EligibilityStatus.NOT_ELIGIBLE, [reason], ["en résidant en Nouvelle-Aquitaine"])


def _search_loaded() -> bool:
    """Is the language model already in memory (no extra cost to resolve free-text experiences)?"""
    import sys

    search = sys.modules.get("indexes.search")
    return bool(search is not None and getattr(search, "_engine", None) is not None)


def _jobs_from_codes(res: Any, dept: str | None) -> list[Job]:
    from catalog import referentials as ref

    out = []
    for code, score, why, label in res.codes:
        rc = ref.rome_codes().get(code)
        codes = [code] + ([rc.parent] if rc and rc.parent != code else [])
        out.append(Job(code, ref.rome_label(code) or label or code, ref.tension(code, dept), score, why, codes))
    return out


def plan(profile: dict | Profile, today: date | None = None, catalogue: Any = None,
         job_resolver: JobResolver | None = None) -> dict[str, Any]:
    """2-3 ranked, dated pathways for a profile (raises ProfileError on an invalid profile).

    Order (issue 8): the input is checked, the commune placed (outside Nouvelle-Aquitaine: status
    "hors_region", no pathway), the target job resolved (vague or not understood: status "a_preciser",
    candidate jobs, no pathway built on a guess), and only then eligibility is decided, on the target job.
    """
    from assistant.parameters import check_rules_date
    from assistant.planner.blocs import apply_blocs
    from assistant.planner.target import STATUS_OK as TARGET_OK
    from assistant.planner.target import (
        resolve_diplomas,
        resolve_experiences,
        resolve_target,
    )
    from assistant.profile import profile_warnings
    from assistant.ranking import rank

    today = today or date.today()
    check_rules_date(today)
    prof = _profile(profile, today)
    warnings: list[str] = profile_warnings(prof, today)
    lat, lon, dept, commune_name, place_message = locate_with_message(prof.commune)
    commune = {"query": prof.commune, "name": commune_name, "dept": dept, "lat": lat, "lon": lon,
               "max_km": float(prof.reach_km(today))}
    referent = None
    if lat is None:  # R-RES: the Region's schemes need residence in Nouvelle-Aquitaine
        results, fired, referent = _rules_context(prof, today)
        results = [_not_resident(e) if e.scheme in REGION_SCHEMES else e for e in results]
        message = (f"La commune « {prof.commune} » n'est pas en Nouvelle-Aquitaine (ou est mal orthographiée) : les "
                   "formations et aides de la Région Nouvelle-Aquitaine demandent d'y résider. Aucun parcours n'est "
                   "proposé ; vérifiez la commune ou orientez la personne vers le conseil régional de sa région.")
        if place_message:
            message += f" ({place_message})"
        out = _result(STATUS_HORS_REGION, today, None, commune, referent, [], results, fired + ["R-RES"], [],
                      [], warnings + [message], [], message=message)
        return _funded(out, prof, today, {}, resident=False)

    target = resolve_target(prof, today, job_resolver, warnings)
    if target.status != TARGET_OK:
        results, fired, referent = _rules_context(prof, today)
        message = target.questions[0] if target.questions else "Le métier visé est à préciser."
        out = _result(STATUS_A_PRECISER, today, None, commune, referent, [], results, fired, [], [],
                       warnings, [], message=message,
                       candidate_jobs=[c.to_dict() for c in target.candidates], questions=target.questions,
                       reason=target.reason)
        return _funded(out, prof, today, {}, resident=True)
    jobs = _jobs_from_codes(target, dept)
    if job_resolver is not None or target.source == "wish" or _search_loaded():
        prof = resolve_experiences(prof, today, job_resolver, warnings)
        prof = resolve_diplomas(prof, today, job_resolver)
    # every job-dependent rule (VAE, PTP, R-18M, R-OBS, R-MQ experience) sees the target job
    eff = dataclasses.replace(prof, wish_romes=list(dict.fromkeys(c for j in jobs for c in j.codes)))
    catalogue = default_catalogue() if catalogue is None else catalogue
    view = view_for(catalogue)
    results, fired, referent = _rules_context(eff, today)
    ctx = Context(
        profile=eff, today=today, view=view, eligibility={e.scheme: e for e in results}, jobs=jobs,
        lat=lat, lon=lon, dept=dept, referent=referent.organisation.value, max_km=float(prof.reach_km(today)),
    )
    # R-BLOC (issue 12): the certifying step completes the missing blocs only, before ranking
    pathways = rank(ctx, apply_blocs(ctx, build_pathways(ctx))) if jobs else []
    for p in pathways:
        p.income = _income(ctx, p)
        p.outcomes = _outcomes(ctx, p)
    if jobs and not pathways:
        warnings.append("Aucun parcours n'a pu être daté sur le catalogue : voir les raisons ci-dessous et élargir "
                        "le rayon de mobilité ou les métiers visés.")
    out = _result(STATUS_OK, today, view, commune, referent, jobs, results, fired, pathways, ctx.rejected,
                  warnings, _optional_support(ctx))
    out["territory"] = territory(eff, today, catalogue, jobs)
    # issue 9: funding per step, income timeline per pathway, funding verdicts in the eligibility table
    return _funded(out, prof, today, view.by_id, resident=True)


def _funding_rules(result: dict[str, Any]) -> list[str]:
    """Rules of the funding reasons given: open funding schemes and the income periods of each pathway."""
    rules = [r["rule"] for e in result.get("eligibility", [])
             if e.get("category") == "financement" and e["status"] != "not_eligible" for r in e["reasons"]]
    rules += [x["rule"] for p in result.get("pathways", []) for x in p.get("income_timeline", []) if x.get("rule")]
    return rules


def _funded(out: dict[str, Any], prof: Profile, today: date, offers: dict[str, Any],
            resident: bool) -> dict[str, Any]:
    """Issue 9: funding per step, income timeline per pathway, funding verdicts in the eligibility table;
    their rules join `rules_fired`."""
    from assistant.funding import add_funding

    out = add_funding(out, prof, today, offers, resident=resident)
    out["rules_fired"] = _ordered(out["rules_fired"] + _funding_rules(out))
    return out


def rules_used(pathways: list[Pathway], results: list[Any] | None = None) -> list[str]:
    """Rules of the reasons actually given (issue 8): the pathways' steps, add-ons, supports and income,
    and the reasons of every scheme the person can use (eligible or by derogation)."""
    used = [w.rule for p in pathways for s in p.steps for w in s.why]
    used += [x["rule"] for p in pathways for s in p.steps for x in s.add_ons + s.support if x.get("rule")]
    used += [r for p in pathways for r in ((p.income or {}).get("rules") or []) if isinstance(r, str)]
    for e in results or []:
        if e.status.value != "not_eligible":
            used += [r.rule for r in e.reasons]
    return used


def _ordered(rule_ids: list[str]) -> list[str]:
    """Unique rule ids, in the registry's order; an unknown id is an error (never cited silently)."""
    from assistant.rules import rule, rules

    known = [r for r in dict.fromkeys(rule_ids) if rule(r)]
    order = {rid: i for i, rid in enumerate(rules())}
    return sorted(known, key=lambda r: order[r])


def _result(status: str, today: date, view: Any, commune: dict, referent: Any, jobs: list[Job], results: list[Any],
            fired: list[str], pathways: list[Pathway], rejected: list[dict], warnings: list[str],
            optional: list[dict], **extra: Any) -> dict[str, Any]:
    out = {
        "status": status,
        "today": today.isoformat(),
        "demo_data": bool(view.demo) if view is not None else False,
        "commune": commune,
        "referent": referent.to_dict(),
        "jobs": [j.to_dict() for j in jobs],
        "eligibility": _eligibility_dicts(results),
        "rules_fired": _ordered(fired + referent.rules + rules_used(pathways, results)),
        "pathways": [{**p.to_dict(), "rank": i + 1} for i, p in enumerate(pathways)],
        "not_proposed": rejected,
        "warnings": list(dict.fromkeys(warnings)),
        "optional_support": optional,
    }
    out.update(extra)
    return out


def _optional_support(ctx: Context) -> list[dict[str, Any]]:
    """Schemes open to the person that no pathway uses as a step (e.g. a CEJ left optional)."""
    out = []
    for scheme in (Scheme.CEJ, Scheme.IAE):
        e = ctx.eligibility.get(scheme)
        if e is not None and ctx.open(scheme):
            out.append({"name": scheme.label, "scheme": scheme.value,
                        "text": e.reasons[0].text if e.reasons else "", "rule": e.reasons[0].rule if e.reasons else ""})
    return out

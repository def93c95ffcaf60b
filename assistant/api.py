"""Public API of the assistant: `plan()` and `eligibility()` return plain JSON-ready dicts.

The UI, the CLI and the exports all consume the same dict, so a plan can be
checked, saved or compared without Python objects. Nothing about the person is
written anywhere: the profile only lives in the arguments and in the result.
"""

from __future__ import annotations

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
JOBS_KEPT = 3


# --------------------------------------------------------------------------- inputs


def _profile(profile: dict | Profile) -> Profile:
    return profile if isinstance(profile, Profile) else parse_profile(profile)


_DEFAULT: dict[str, Any] = {}


def default_catalogue() -> Any:
    """The working catalogue (demo + imports), loaded once per file version."""
    from catalog import store

    path = store.working_path() if store.working_path().exists() else store.DEMO_PATH
    key = (str(path), path.stat().st_mtime_ns if path.exists() else 0)
    if _DEFAULT.get("key") != key:
        _DEFAULT.update(key=key, catalogue=store.load_catalogue(path))
    return _DEFAULT["catalogue"]


def _hit(h: Any) -> tuple[str, str, float, str]:
    get = h.get if isinstance(h, dict) else lambda k, d=None: getattr(h, k, d)
    return get("rome"), get("label") or "", float(get("score") or 0.0), str(get("why") or "")


def default_job_resolver(text: str, k: int) -> list[Any]:
    """The job search of the indexes package (imported lazily: it loads the language model)."""
    from indexes.search import search_jobs

    return search_jobs(text, k)


def resolve_jobs(profile: Profile, dept: str | None, resolver: JobResolver | None,
                 warnings: list[str]) -> list[Job]:
    """The target jobs: the ROME codes given, else the wish text through the resolver."""
    from catalog import referentials as ref

    def job(code: str, score: float, why: str, label: str = "") -> Job:
        rc = ref.rome_codes().get(code)
        codes = [code] + ([rc.parent] if rc and rc.parent != code else [])
        return Job(code, ref.rome_label(code) or label or code, ref.tension(code, dept), score, why, codes)

    if profile.wish_romes:
        return [job(c, 1.0, "code ROME indiqué dans le profil") for c in profile.wish_romes[:JOBS_KEPT]]
    try:
        hits = [_hit(h) for h in (resolver or default_job_resolver)(profile.wish, JOBS_KEPT * 2)]
    except Exception as exc:  # noqa: BLE001 - the search engine is optional: say so, never crash
        log.warning("job search unavailable: %s", type(exc).__name__)
        warnings.append("La recherche de métier à partir du texte est indisponible : indiquez le code ROME "
                        "du métier visé (wish_romes) pour obtenir des parcours.")
        return []
    hits = [h for h in hits if h[0]]
    if not hits:
        warnings.append(f"Aucun métier trouvé pour « {profile.wish} » : précisez le métier ou indiquez son code ROME.")
        return []
    top = max(h[2] for h in hits) or 1.0
    seen: dict[str, Job] = {}
    for rome, label, score, why in hits:
        if rome not in seen and len(seen) < JOBS_KEPT:
            seen[rome] = job(rome, max(0.0, min(1.0, score / top)), why, label)
    return list(seen.values())


def locate(commune: str) -> tuple[float | None, float | None, str | None, str | None]:
    """(lat, lon, dept, name) of the profile's commune; Nones when it cannot be placed."""
    try:
        from indexes.places import resolve_place

        found = resolve_place(commune).best
    except ImportError:  # pragma: no cover - places module absent
        from catalog.geo import communes_by_name, normalise_place_name
        from catalog.referentials import communes

        found = communes().get(commune.strip()) or next(iter(communes_by_name().get(normalise_place_name(commune), ())), None)
    if found is None:
        return None, None, None, None
    return found.lat, found.lon, found.dept, found.name


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


# --------------------------------------------------------------------------- API


def _rules_context(profile: Profile, today: date) -> tuple[list[Any], list[str], Any]:
    from assistant.eligibility import evaluate, rules_fired
    from assistant.referent import choose_referent

    return evaluate(profile, today), list(rules_fired(profile, today)), choose_referent(profile, today)


def eligibility(profile: dict | Profile, today: date | None = None) -> dict[str, Any]:
    """Eligibility of every scheme, the referent and the rules fired (no catalogue needed)."""
    today = today or date.today()
    prof = _profile(profile)
    results, fired, referent = _rules_context(prof, today)
    return {"today": today.isoformat(), "referent": referent.to_dict(),
            "eligibility": _eligibility_dicts(results), "rules_fired": fired}


def plan(profile: dict | Profile, today: date | None = None, catalogue: Any = None,
         job_resolver: JobResolver | None = None) -> dict[str, Any]:
    """2-3 ranked, dated pathways for a profile (raises ProfileError on an invalid profile)."""
    from assistant.ranking import rank

    today = today or date.today()
    prof = _profile(profile)
    catalogue = default_catalogue() if catalogue is None else catalogue
    view = view_for(catalogue)
    results, fired, referent = _rules_context(prof, today)
    warnings: list[str] = []
    lat, lon, dept, commune_name = locate(prof.commune)
    if lat is None:
        warnings.append(f"Commune « {prof.commune} » introuvable en Nouvelle-Aquitaine : les distances ne sont pas "
                        "calculées et toutes les sessions de la région sont envisagées.")
    jobs = resolve_jobs(prof, dept, job_resolver, warnings)
    ctx = Context(
        profile=prof, today=today, view=view, eligibility={e.scheme: e for e in results}, jobs=jobs,
        lat=lat, lon=lon, dept=dept, referent=referent.organisation.value,
        max_km=float(prof.search_radius_km(today)),
    )
    pathways = rank(ctx, build_pathways(ctx)) if jobs else []
    for p in pathways:
        p.income = _income(ctx, p)
        p.outcomes = _outcomes(ctx, p)
    if jobs and not pathways:
        warnings.append("Aucun parcours n'a pu être daté sur le catalogue : voir les raisons ci-dessous et élargir "
                        "le rayon de mobilité ou les métiers visés.")
    used = [w.rule for p in pathways for s in p.steps for w in s.why]
    used += [x["rule"] for p in pathways for s in p.steps for x in s.add_ons + s.support if x.get("rule")]
    return {
        "today": today.isoformat(),
        "demo_data": view.demo,
        "commune": {"query": prof.commune, "name": commune_name, "dept": dept, "lat": lat, "lon": lon,
                    "max_km": ctx.max_km},
        "referent": referent.to_dict(),
        "jobs": [j.to_dict() for j in jobs],
        "eligibility": _eligibility_dicts(results),
        "rules_fired": list(dict.fromkeys(fired + referent.rules + used)),
        "pathways": [{**p.to_dict(), "rank": i + 1} for i, p in enumerate(pathways)],
        "not_proposed": ctx.rejected,
        "warnings": warnings,
        "optional_support": _optional_support(ctx),
    }


def _optional_support(ctx: Context) -> list[dict[str, Any]]:
    """Schemes open to the person that no pathway uses as a step (e.g. a CEJ left optional)."""
    out = []
    for scheme in (Scheme.CEJ, Scheme.IAE):
        e = ctx.eligibility.get(scheme)
        if e is not None and ctx.open(scheme):
            out.append({"name": scheme.label, "scheme": scheme.value,
                        "text": e.reasons[0].text if e.reasons else "", "rule": e.reasons[0].rule if e.reasons else ""})
    return out

"""Career change and the local labour market for one person: the assistant side of catalog.territory.

Why a separate module: the planner (assistant/pathways.py, assistant/planner/) is being rebuilt
on another branch; this module only reads a profile and the catalogue and returns JSON-ready
facts, so the merge can wire it into the plan steps (contract 2: "job_relation": "metier_proche",
contract 5: `blocs_held` and R-BLOC) without touching the ranking or the pathway builder here.
Nothing personal is kept: the commune is resolved to its INSEE code only for the area lookups.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from assistant.profile import Profile, parse_profile
from assistant.schemes import Constraint


def _profile(profile: dict | Profile) -> Profile:
    return profile if isinstance(profile, Profile) else parse_profile(profile)


def commune_insee(commune: str) -> str | None:
    """INSEE code of the profile's commune (None when it cannot be placed in Nouvelle-Aquitaine)."""
    try:
        from indexes.places import resolve_place

        found = resolve_place(commune).best
    except ImportError:  # pragma: no cover - places module absent
        from catalog.geo import communes_by_name, normalise_place_name
        from catalog.referentials import communes

        found = communes().get(commune.strip()) or next(
            iter(communes_by_name().get(normalise_place_name(commune), ())), None)
    return found.insee if found is not None else None


def experience_romes(prof: Profile) -> list[str]:
    """ROME codes of the person's experience (longest first) and current job, without duplicates."""
    romes = [e.rome for e in sorted(prof.experience, key=lambda e: -e.months) if e.rome]
    if prof.employment_contract and prof.employment_contract.rome:
        romes.append(prof.employment_contract.rome)
    return list(dict.fromkeys(romes))


def exclusion_suggested(prof: Profile) -> bool:
    """A health constraint or an RQTH (granted or pending): the adviser may exclude same-family jobs."""
    return Constraint.SANTE in prof.constraints or prof.rqth_or_pending


def career_options(profile: dict | Profile, catalogue: Any = None, today: date | None = None,
                   exclude_same_family: bool = False) -> dict[str, Any]:
    """Close jobs a career changer could aim for, with tension, needs and reachable training.

    The exclusion of same-family jobs is the adviser's explicit choice (`exclude_same_family`),
    only suggested by a health constraint or an RQTH, never applied silently.
    """
    from catalog.territory import close_jobs, index_for

    today = today or date.today()
    prof = _profile(profile)
    if catalogue is None:
        from assistant.api import default_catalogue

        catalogue = default_catalogue()
    insee = commune_insee(prof.commune)
    romes = experience_romes(prof)
    questions = []
    if not romes:
        questions.append("Quels métiers la personne a-t-elle exercés (code ROME ou intitulé) ? Sans expérience "
                         "connue, aucun métier proche ne peut être proposé.")
    if insee is None:
        questions.append(f"Commune « {prof.commune} » introuvable en Nouvelle-Aquitaine : tension et besoins locaux "
                         "non calculés.")
    jobs = close_jobs(romes, insee, index_for(catalogue), radius_km=prof.search_radius_km(today),
                      exclude_same_family=exclude_same_family, today=today) if romes else []
    return {
        "experience_romes": romes, "commune_insee": insee, "exclude_same_family": exclude_same_family,
        "exclude_same_family_suggested": exclusion_suggested(prof), "close_jobs": jobs, "questions": questions,
    }


def target_market(profile: dict | Profile, rome: str) -> dict[str, Any]:
    """Tension (with its factors in words) and BMO needs of the target job where the person lives."""
    from catalog.territory import local_market

    prof = _profile(profile)
    return local_market(rome, commune_insee(prof.commune))


def blocs_to_complete(profile: dict | Profile, rncp: str) -> dict[str, Any]:
    """R-BLOC: the blocs of `rncp` the person still has to validate, from `blocs_held`."""
    from catalog.territory import missing_blocs

    return missing_blocs(rncp, _profile(profile).blocs_held).to_dict()

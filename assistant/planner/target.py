"""Target job first: the wish (and each experience's free-text job) resolved to ROME codes before any rule.

Why first: VAE, PTP, the 18-month rule, R-OBS and the R-MQ experience all depend
on the target job. Deciding eligibility on the wish text alone proposed a VAE with
"0 mois dans le métier visé" and a PTP toward the job the person already does.

Order of trust, most trusted first:
1. `confirmed_rome`: the job the adviser confirmed (no text resolution at all);
2. `wish_romes`: ROME codes typed by the adviser;
3. the wish text, through the search. The search-understanding branch adds
   `indexes.search.understand_jobs(text, k)` returning `understood / ambiguous /
   reason / results`; until it is merged, a plain hit list is judged by the score
   rule (`jobs.min_understood_score`, docs/search.md: trusted answers score ≥ 0.5).

A wish that is not understood, too vague or ambiguous is never guessed: the plan
gets `status: "a_preciser"`, 3-5 candidate jobs and a question, and no pathway.
Only the first understood job is the target: the other hits of a search are not
silently used as targets (they were the cause of "building maintenance" becoming
"Maintenance informatique").
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from assistant.parameters import param
from assistant.profile import Experience, Profile

log = logging.getLogger(__name__)

JobResolver = Callable[[str, int], Any]

STATUS_OK = "ok"
STATUS_A_PRECISER = "a_preciser"


@dataclass
class Candidate:
    rome: str
    label: str
    score: float
    why: str

    def to_dict(self) -> dict[str, Any]:
        return {"rome": self.rome, "label": self.label, "score": round(self.score, 3), "why": self.why}


@dataclass
class Understanding:
    """What the search made of a text: hits, and whether it can be trusted as the target."""

    understood: bool
    ambiguous: bool
    reason: str | None
    hits: list[Candidate]


@dataclass
class TargetResolution:
    status: str  # STATUS_OK | STATUS_A_PRECISER
    codes: list[tuple[str, float, str, str]] = field(default_factory=list)  # (rome, score, why, label)
    candidates: list[Candidate] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    reason: str | None = None
    source: str = ""  # "confirmed_rome" | "wish_romes" | "wish"


def _hit(h: Any) -> Candidate | None:
    get = h.get if isinstance(h, dict) else (lambda k, d=None: getattr(h, k, d))
    rome = get("rome")
    if not rome:
        return None
    try:
        score = float(get("score") or 0.0)
    except (TypeError, ValueError):
        score = 0.0
    return Candidate(str(rome), str(get("label") or ""), score, str(get("why") or ""))


def default_understand(text: str, k: int) -> Any:
    """`indexes.search.understand_jobs` when the search branch provides it, else `search_jobs` (contract 1).
    Imported lazily: the first call loads the language model."""
    from indexes import search

    fn = getattr(search, "understand_jobs", None)
    return fn(text, k) if fn is not None else search.search_jobs(text, k)


def understand(text: str, k: int, resolver: JobResolver | None, today: date) -> Understanding:
    """Run the resolver and judge its answer (a JobSearchResult-like object or a plain hit list)."""
    raw = (resolver or default_understand)(text, k)
    if hasattr(raw, "results") and hasattr(raw, "understood"):
        hits = [h for h in (_hit(x) for x in raw.results) if h is not None]
        ambiguous = bool(getattr(raw, "ambiguous", False))
        understood = bool(raw.understood) and bool(hits)
        reason = getattr(raw, "reason", None) or (None if hits else "mots inconnus")
        return Understanding(understood and not ambiguous, ambiguous, reason, hits)
    hits = [h for h in (_hit(x) for x in (raw or [])) if h is not None]
    if not hits:
        return Understanding(False, False, "mots inconnus", [])
    hits.sort(key=lambda h: -h.score)
    if hits[0].score < param("jobs.min_understood_score", today):
        return Understanding(False, False, "souhait trop vague", hits)
    return Understanding(True, False, None, hits)


def resolve_target(profile: Profile, today: date, resolver: JobResolver | None,
                   warnings: list[str]) -> TargetResolution:
    """The target job(s) of the plan, or why the wish must be made precise first."""
    if profile.confirmed_rome:
        return TargetResolution(STATUS_OK, [(profile.confirmed_rome, 1.0, "métier confirmé par le conseiller", "")],
                                source="confirmed_rome")
    if profile.wish_romes:
        return TargetResolution(STATUS_OK, [(c, 1.0, "code ROME indiqué dans le profil", "") for c in profile.wish_romes],
                                source="wish_romes")
    k = param("jobs.candidates", today)
    try:
        u = understand(profile.wish, k, resolver, today)
    except Exception as exc:  # the search engine is optional: say so, never crash
        log.warning("job search unavailable: %s", type(exc).__name__)
        warnings.append("La recherche de métier à partir du texte est indisponible : indiquez le code ROME "
                        "du métier visé (wish_romes) ou confirmez le métier (confirmed_rome) pour obtenir des parcours.")
        return TargetResolution(STATUS_A_PRECISER, reason="recherche indisponible", source="wish",
                                questions=[_question(profile.wish, [])])
    if u.understood:
        top = u.hits[0]
        return TargetResolution(STATUS_OK, [(top.rome, top.score, top.why, top.label)], candidates=u.hits[:k],
                                source="wish")
    reason = u.reason or "souhait trop vague"
    if not u.hits:
        warnings.append(f"Aucun métier trouvé pour « {profile.wish} » : précisez le métier ou indiquez son code ROME.")
    return TargetResolution(STATUS_A_PRECISER, candidates=u.hits[:k], reason=reason, source="wish",
                            questions=[_question(profile.wish, u.hits[:k], reason)])


def _question(wish: str, hits: list[Candidate], reason: str | None = None) -> str:
    why = f" ({reason})" if reason else ""
    if not hits:
        return (f"Nous n'avons pas compris le métier visé « {wish} »{why} : quel métier la personne veut-elle exercer ? "
                "Indiquez un intitulé de métier ou son code ROME.")
    names = ", ".join(f"{h.label} ({h.rome})" for h in hits[:3])
    return (f"Le souhait « {wish} » est à préciser{why} : s'agit-il de l'un de ces métiers — {names} ? "
            "Confirmez le métier (confirmed_rome) pour construire les parcours.")


def resolve_experiences(profile: Profile, today: date, resolver: JobResolver | None,
                        warnings: list[str]) -> Profile:
    """Each past experience given as free text only gets the ROME code of its job when the search
    understands it (same trust rule as the wish); otherwise it stays unlinked, and the plan says so
    (an unlinked experience never counts toward VAE or R-MQ)."""
    missing = [i for i, e in enumerate(profile.experience) if not e.rome and e.job.strip()]
    if not missing:
        return profile
    out: list[Experience] = list(profile.experience)
    unlinked = []
    for i in missing:
        e = profile.experience[i]
        try:
            u = understand(e.job, 3, resolver, today)
        except Exception:  # search unavailable: the experience stays unlinked
            u = Understanding(False, False, "recherche indisponible", [])
        if u.understood and u.hits[0].score >= param("jobs.experience_min_score", today):
            out[i] = replace(e, rome=u.hits[0].rome)
        else:
            unlinked.append(e.job)
    if unlinked:
        warnings.append("Expérience non rattachée à un métier du ROME (" + ", ".join(f"« {j} »" for j in unlinked)
                        + ") : indiquez son code ROME pour qu'elle compte (VAE, formation qualifiante).")
    return replace(profile, experience=out)


def resolve_diplomas(profile: Profile, today: date, resolver: JobResolver | None) -> Profile:
    """R-OBS needs the field of the highest vocational diploma: when the adviser gave no ROME code for it,
    the diploma title goes through the same search (a CAP cuisine is understood as cook). Not understood:
    the field stays unknown and the rules never assume obsolescence."""
    best = profile.highest_diploma()
    if best is None or best.romes or not best.is_vocational:
        return profile
    try:
        u = understand(best.title, 3, resolver, today)
    except Exception:  # search unavailable: the field stays unknown
        return profile
    if not u.understood:
        return profile
    diplomas = [replace(d, romes=[u.hits[0].rome]) if d is best else d for d in profile.diplomas]
    return replace(profile, diplomas=diplomas)


def candidate_dicts(res: TargetResolution) -> list[dict[str, Any]]:
    return [c.to_dict() for c in res.candidates]


def iter_codes(res: TargetResolution) -> Iterable[str]:
    return (c for c, *_ in res.codes)

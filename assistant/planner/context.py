"""Planner context: what every route and step needs for one plan (the person, the day, the catalogue view,
eligibility, target jobs), the reasons citing the rule registry, and the step helpers without catalogue."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from assistant.catview import CatalogueView
from assistant.parameters import param
from assistant.planner.calendar import next_working_day
from assistant.profile import Profile
from assistant.rules import rule
from assistant.schemes import EligibilityStatus, Organisation, Scheme
from assistant.steps import Step, StepKind, Why
from catalog.model import OfferKind

# Offer kinds bought or authorised by the Region (their mobility help is the Region's social fund, R-MOB).
REGION_FUNDED = frozenset({OfferKind.QUALIFIANT, OfferKind.HSP_1NQ, OfferKind.HSP_SOCLE, OfferKind.AMORCE})


DAYS_PER_MONTH = 30.44


NO_AGE_LIMIT = 999  # catview's "no upper age" marker


PREAMBLE_KINDS = frozenset({StepKind.DIAGNOSTIC, StepKind.LEVEE_DE_FREINS})


DEMO_WARNING = "Données de démonstration : sessions, lieux et contacts fictifs, à vérifier avant toute démarche."


def pparam(name: str, on: date) -> Any:
    """Value of a pathway/ranking parameter in force on `on` (kept name: the builder's parameters now live
    in the one parameter tree, assistant/data/parameters.toml)."""
    return param(name, on)


def why(rule_id: str, text: str | None = None) -> Why:
    """A reason citing a rule of the registry (its source comes with it). An unknown rule id raises
    RuleError: a reason never cites a rule the adviser cannot look up (docs/rules.md)."""
    r = rule(rule_id)
    return Why(rule=r.id, text=text or r.text, source=r.citation)


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

    @property
    def position(self) -> tuple[float, float] | None:
        """(lat, lon) of the person's commune, None when it could not be placed (both come from one commune)."""
        if self.lat is None or self.lon is None:
            return None
        return self.lat, self.lon

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


ALTERNANCE_KINDS = frozenset({OfferKind.APPRENTISSAGE, OfferKind.PREPA_APPRENTISSAGE, OfferKind.CONTRAT_PRO})


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


class RouteFailed(Exception):
    """The route cannot be chained on the catalogue; the message (French) says why."""


_VIEW_MEMO: dict[int, tuple[Any, dict[Any, Any]]] = {}


def view_memo(view: Any) -> dict[Any, Any]:
    """Facts derived from the catalogue view alone (contrat-pro-ready rows, socle rows by objective), computed
    once per catalogue rather than once per plan (they cost more than a whole plan otherwise)."""
    entry = _VIEW_MEMO.get(id(view))
    if entry is None or entry[0] is not view:
        if len(_VIEW_MEMO) >= 8:
            _VIEW_MEMO.clear()
        entry = (view, {})
        _VIEW_MEMO[id(view)] = entry
    return entry[1]

"""Pathway building blocks: step kinds, steps and pathways, with their JSON form.

A pathway is an ordered list of dated steps. Training steps point at a real
catalogue session (`offer_id`, `session_id`); the other steps (diagnostic, CEJ,
immersion, aids, employment...) carry plausible dates computed from dated
parameters and say so in their explanation. Every step carries at least one
`Why` (rule id + French text) so that an adviser can check the reasoning.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from catalog.model import SCHEME_LABELS

if TYPE_CHECKING:
    from assistant.schemes import Scheme


class StepKind(str, enum.Enum):
    DIAGNOSTIC = "DIAGNOSTIC"
    CEJ = "CEJ"
    IMMERSION = "IMMERSION"  # PMSMP
    LEVEE_DE_FREINS = "LEVEE_DE_FREINS"  # childcare, housing, mobility, health
    AMORCE = "AMORCE"
    HSP_SOCLE = "HSP_SOCLE"
    PREPA_APPRENTISSAGE = "PREPA_APPRENTISSAGE"
    HSP_1NQ = "HSP_1NQ"
    QUALIFIANT = "QUALIFIANT"
    APPRENTISSAGE = "APPRENTISSAGE"
    CONTRAT_PRO = "CONTRAT_PRO"
    POEI = "POEI"
    PTP = "PTP"
    VAE = "VAE"
    MODULE = "MODULE"
    AIDE = "AIDE"
    EMPLOI = "EMPLOI"

    @property
    def label(self) -> str:
        """A scheme's name from the one table (catalog.model.SCHEME_LABELS); steps that are no scheme
        (diagnostic, immersion, job...) have their own."""
        return SCHEME_LABELS.get(self.value) or STEP_ONLY_LABELS[self]

    @property
    def scheme(self) -> "Scheme | None":
        """The scheme this step uses (None for the diagnostic, an immersion, the job...)."""
        from assistant.schemes import Scheme

        try:
            return Scheme(self.value)
        except ValueError:
            return None


STEP_ONLY_LABELS = {
    StepKind.DIAGNOSTIC: "Diagnostic avec le référent",
    StepKind.IMMERSION: "Immersion en entreprise (PMSMP)",
    StepKind.LEVEE_DE_FREINS: "Levée des freins",
    StepKind.AIDE: "Aide",
    StepKind.EMPLOI: "Emploi",
}
STEP_KIND_LABELS = {kind: kind.label for kind in StepKind}  # derived (kept for callers of the name)

# Steps that are training: they must point at a catalogue session when the catalogue has one.
TRAINING_KINDS = frozenset({
    StepKind.AMORCE, StepKind.HSP_SOCLE, StepKind.PREPA_APPRENTISSAGE, StepKind.HSP_1NQ,
    StepKind.QUALIFIANT, StepKind.APPRENTISSAGE, StepKind.CONTRAT_PRO, StepKind.POEI, StepKind.MODULE,
})
# Steps that lead to the certification / the job: the "main" step of a pathway.
QUALIFYING_KINDS = frozenset({
    StepKind.HSP_1NQ, StepKind.QUALIFIANT, StepKind.APPRENTISSAGE, StepKind.CONTRAT_PRO,
    StepKind.POEI, StepKind.PTP, StepKind.VAE,
})


@dataclass
class Why:
    rule: str
    text: str
    source: str = ""

    def to_dict(self) -> dict[str, str]:
        out = {"rule": self.rule, "text": self.text}
        if self.source:
            out["source"] = self.source
        return out


@dataclass
class Step:
    kind: StepKind
    title: str
    start: date
    end: date
    why: list[Why] = field(default_factory=list)
    offer_id: str | None = None
    session_id: str | None = None
    provider: str | None = None
    commune: str | None = None
    commune_insee: str | None = None
    distance_km: float | None = None
    hours_per_week: float | None = None
    places_left: int | None = None
    info_session: date | None = None
    contact: str | None = None
    rome: str | None = None
    certification: str | None = None
    add_ons: list[dict[str, Any]] = field(default_factory=list)
    support: list[dict[str, Any]] = field(default_factory=list)
    next_actions: list[dict[str, Any]] = field(default_factory=list)
    # Latest day a flexible step (CEJ, prépa apprentissage out of catalogue) may stretch to, so that the next
    # step can start without an idle gap; not serialised.
    flex_until: date | None = field(default=None, repr=False)
    job_relation: str | None = None  # "cible" | "metier_proche" | None (no job: diagnostic, socle...)
    job_relation_label: str | None = None
    to_find: bool = False  # no session yet: "à trouver avec le référent" (invariant 10)
    to_find_reason: str | None = None

    @property
    def is_training(self) -> bool:
        return self.kind in TRAINING_KINDS

    def to_dict(self) -> dict[str, Any]:
        out = self._dict()
        if self.job_relation:
            out["job_relation"] = self.job_relation
            out["job_relation_label"] = self.job_relation_label
        if self.to_find:
            out["a_trouver"] = True
            out["a_trouver_raison"] = self.to_find_reason
        return out

    def _dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "kind_label": self.kind.label,
            "title": self.title,
            "offer_id": self.offer_id,
            "session_id": self.session_id,
            "provider": self.provider,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "commune": self.commune,
            "commune_insee": self.commune_insee,
            "distance_km": None if self.distance_km is None else round(self.distance_km, 1),
            "hours_per_week": self.hours_per_week,
            "places_left": self.places_left,
            "info_session": self.info_session.isoformat() if self.info_session else None,
            "contact": self.contact,
            "rome": self.rome,
            "certification": self.certification,
            "why": [w.to_dict() for w in self.why],
            "add_ons": self.add_ons,
            "support": self.support,
            "next_actions": self.next_actions,
        }


@dataclass
class Pathway:
    key: str  # route template id ("apprentissage", "hsp_1nq", ...)
    title: str
    steps: list[Step]
    rome: str | None = None
    warnings: list[str] = field(default_factory=list)
    income: dict[str, Any] | None = None
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    certainty: float = 1.0  # 0..1, from the eligibility status of the schemes used
    score: float = 0.0
    score_detail: dict[str, float] = field(default_factory=dict)

    @property
    def start(self) -> date:
        return self.steps[0].start

    @property
    def end(self) -> date:
        return max(s.end for s in self.steps)

    @property
    def total_months(self) -> float:
        return round((self.end - self.start).days / 30.44, 1)

    def main_step(self) -> Step | None:
        """The step that leads to the target job (the last qualifying one)."""
        for step in reversed(self.steps):
            if step.kind in QUALIFYING_KINDS:
                return step
        return None

    def first_substantive(self) -> Step | None:
        """First step after the diagnostic (and after barrier removal, which runs alongside)."""
        for step in self.steps:
            if step.kind not in (StepKind.DIAGNOSTIC, StepKind.LEVEE_DE_FREINS):
                return step
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "score": round(self.score, 3),
            "score_detail": {k: round(v, 3) for k, v in self.score_detail.items()},
            "total_months": self.total_months,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "rome": self.rome,
            "steps": [s.to_dict() for s in self.steps],
            "income": self.income,
            "outcomes": self.outcomes,
            "warnings": self.warnings,
        }

"""Real outcome figures of an offer: InserJeunes rates for apprenticeship, demo figures only as a fallback.

Why here and not in the offer data: the InserJeunes rates belong to the certification
(every apprenticeship offer of the region preparing it), not to one provider's record,
and they must reach imported offers as well as the demo ones without touching the
catalogue (its fingerprint keys the search indexes). The assistant, the cards and the
steering page all read outcomes through `offer_outcomes`, so a real figure replaces
the fictional one wherever it exists and the fictional one keeps its "démonstration" label.

The minimum cohort size and the pooling of two cohorts are dated parameters
(catalog/data/territory.toml): InserJeunes itself publishes no rate under 20 leavers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from catalog.model import Offer, OfferKind, Outcome
from catalog.referentials import CfaOutcome, apprenticeship_outcomes, cfa_outcome

INSERJEUNES = "InserJeunes (DEPP / DARES)"
REAL_KINDS = ("emploi_6_mois", "emploi_12_mois")
# Offer kinds whose leavers InserJeunes follows: apprentices only (the "voie scolaire" rows are not
# linked to RNCP fiches, and continuing-training trainees are not in InserJeunes at all).
INSERJEUNES_KINDS = frozenset({OfferKind.APPRENTISSAGE})


@dataclass(frozen=True)
class RealOutcome:
    """InserJeunes figures of a certification: one cohort, or two consecutive ones added up."""

    rncp: str
    cohorts: tuple[str, ...]  # ("2022-2023",) or ("2021-2022", "2022-2023")
    leavers: int
    employed_6: int | None
    employed_12: int | None

    @property
    def cohort_label(self) -> str:
        return " et ".join(self.cohorts)

    @property
    def rate_6(self) -> float | None:
        return self.employed_6 / self.leavers if self.employed_6 is not None and self.leavers else None

    @property
    def rate_12(self) -> float | None:
        return self.employed_12 / self.leavers if self.employed_12 is not None and self.leavers else None

    @property
    def year(self) -> int:
        """Last year of the latest cohort (the year the leavers left)."""
        return int(self.cohorts[-1][-4:])

    @property
    def source(self) -> str:
        word = "cohortes" if len(self.cohorts) > 1 else "cohorte"
        return (f"source : {INSERJEUNES}, {word} {self.cohort_label}, {self.leavers} sortants "
                "(apprentis de Nouvelle-Aquitaine)")


def tparam(name: str, on: date | None = None) -> Any:
    """A territory parameter (see catalog/territory.py for the loader)."""
    from catalog.territory import tparam as _tparam

    return _tparam(name, on)


def real_outcome(rncp: str | None, on: date | None = None) -> RealOutcome | None:
    """The latest InserJeunes figures of a certification with enough leavers, or None.

    The latest cohort when it has at least `outcomes.min_leavers` leavers; otherwise it is added
    to the cohort(s) just before it (`outcomes.pooled_cohorts` in all); still too small: None
    (the figure is hidden, as InserJeunes itself hides it).
    """
    cohorts = apprenticeship_outcomes(rncp)
    if not cohorts:
        return None
    minimum = tparam("outcomes.min_leavers", on)
    pooled = tparam("outcomes.pooled_cohorts", on)
    taken: list = []
    for c in reversed(cohorts):
        if taken and int(taken[-1].cohort[:4]) - int(c.cohort[:4]) != 1:
            break  # only consecutive cohorts are added up
        taken.append(c)
        if sum(x.leavers for x in taken) >= minimum or len(taken) >= pooled:
            break
    leavers = sum(x.leavers for x in taken)
    if leavers < minimum:
        return None

    def total(attr: str) -> int | None:
        values = [getattr(x, attr) for x in taken]
        return None if any(v is None for v in values) else sum(values)

    return RealOutcome(taken[0].rncp, tuple(x.cohort for x in reversed(taken)), leavers,
                       total("employed_6"), total("employed_12"))


def offer_real_outcome(offer: Offer, on: date | None = None) -> RealOutcome | None:
    """InserJeunes figures for an apprenticeship offer's certification (None for other kinds)."""
    if offer.kind not in INSERJEUNES_KINDS:
        return None
    return real_outcome(offer.certification.rncp, on)


def offer_uai(offer: Offer) -> str | None:
    """The CFA's UAI when the offer's data carries one (the apprenticeship catalogue importer keeps it)."""
    return offer.provider.uai


def offer_cfa(offer: Offer) -> CfaOutcome | None:
    return cfa_outcome(offer_uai(offer)) if offer.kind in INSERJEUNES_KINDS else None


def offer_outcomes(offer: Offer, on: date | None = None) -> list[Outcome]:
    """The outcomes to show and rank with: real InserJeunes rates when known, else the offer's own ones.

    Real figures replace the offer's own (demo or provider-declared) ones entirely, so a card never
    mixes a real employment rate with a fictional certification rate.
    """
    real = offer_real_outcome(offer, on)
    if real is None:
        return list(offer.outcomes)
    out = []
    for kind, rate in (("emploi_6_mois", real.rate_6), ("emploi_12_mois", real.rate_12)):
        if rate is not None:
            out.append(Outcome(kind=kind, rate=round(rate, 3), sample_size=real.leavers, year=real.year,
                               source=real.source))
    return out or list(offer.outcomes)


OUTCOME_KIND_LABELS = {
    "emploi_6_mois": "en emploi 6 mois après la sortie",
    "emploi_12_mois": "en emploi 12 mois après la sortie",
    "certification": "certifiés",
}


def is_real(outcome: Outcome) -> bool:
    return outcome.source.startswith(f"source : {INSERJEUNES}")


def outcome_dicts(offer: Offer, on: date | None = None) -> list[dict[str, Any]]:
    """JSON form for the plan output: every outcome with its sample, year, source and a French text."""
    out = []
    for o in offer_outcomes(offer, on):
        out.append({
            "offer_id": offer.id, "title": offer.title, "kind": o.kind, "rate": o.rate,
            "sample_size": o.sample_size, "year": o.year, "source": o.source, "real": is_real(o),
            "text": outcome_text(o),
        })
    cfa = offer_cfa(offer)
    if cfa is not None and cfa.value_added is not None:
        out.append({"offer_id": offer.id, "title": offer.title, "kind": "valeur_ajoutee_cfa",
                    "rate": None, "sample_size": None, "year": 2023, "real": True,
                    "source": f"source : {INSERJEUNES}, cohorte 2022-2023, CFA {cfa.uai}",
                    "text": cfa_text(cfa)})
    return out


def outcome_text(o: Outcome) -> str:
    """"72 % en emploi 6 mois après la sortie (source : InserJeunes…, cohorte 2022-2023, 438 sortants)"."""
    kind = OUTCOME_KIND_LABELS.get(o.kind, o.kind)
    rate = f"{o.rate * 100:.0f} %"
    if is_real(o):
        return f"{rate} {kind} ({o.source})"
    return f"{rate} {kind} (sur {o.sample_size} personnes, {o.year} — {o.source})"


def cfa_text(cfa: CfaOutcome) -> str:
    """French sentence on a CFA's value added (employment at 6 months vs the rate expected for its public)."""
    if cfa.employment_6 is None or cfa.expected_6 is None or cfa.value_added is None:
        return f"{cfa.name} : taux d'emploi non diffusé (effectif trop faible)."
    sign = f"+{cfa.value_added}" if cfa.value_added > 0 else str(cfa.value_added)
    return (f"{cfa.name} : {cfa.employment_6} % en emploi à 6 mois pour {cfa.expected_6} % attendus compte tenu "
            f"de son public et de son territoire (valeur ajoutée {sign} points ; source : {INSERJEUNES}, "
            "cohorte 2022-2023).")

"""Who pays each step (R-AIF, R-AIR, R-CPF, R-AGEFIPH, R-POEC, R-POEI-COST, R-PTP-PAY, R-RFF, R-FUND-COLL).

"Qui paie ?" is the first question of an appointment, and the answer depends on
three things the adviser has at hand: the person (registered, RQTH, CPF balance,
last contract), the session (who bought it: the LHÉO funder codes; its domain:
the FORMACODEs) and the dates (a file must be complete 15 days before an AIF
entry, 120 days before a long PTP). Everything here is a pure function of
(profile, steps or session, today) reading dated parameters, so a rule change is
a data change and the same verdict is shown in the CLI, the plan, the sheet and
the app. Money amounts we cannot know (the price of a session is not in the
catalogue) are `None` with the reason, never a guess.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from assistant.eligibility import fr_date
from assistant.parameters import ParameterError, param
from assistant.profile import Profile
from assistant.rules import Reason, rule
from assistant.schemes import EligibilityStatus as St
from assistant.schemes import IncomeSupport, Status

# LHÉO dict-financeurs codes (catalog.importers.codes.FUNDERS) that buy sessions collectively.
REGION, FRANCE_TRAVAIL, AGEFIPH, OPCO = "2", "4", "7", "16"
COLLECTIVE_FUNDERS = {REGION: "Région Nouvelle-Aquitaine", FRANCE_TRAVAIL: "France Travail", OPCO: "OPCO",
                      AGEFIPH: "Agefiph", "11": "État", "19": "État", "20": "OFII"}
# Catalogue kinds bought by the Region whatever the funder codes say (procurement / HSP).
REGION_KINDS = {"QUALIFIANT", "HSP_SOCLE", "HSP_1NQ", "AMORCE", "PREPA_APPRENTISSAGE"}
# Steps no individual aid can fund (R-AIF: POEC, VAE, alternance are funded otherwise).
NOT_INDIVIDUAL_KINDS = {"APPRENTISSAGE", "CONTRAT_PRO", "POEI", "VAE"}


class FundingScheme(str, enum.Enum):
    AIF = "AIF"
    AIR = "AIR"
    CPF = "CPF"
    AGEFIPH_FORMATION = "AGEFIPH_FORMATION"
    POEC = "POEC"
    POEI_FINANCEMENT = "POEI_FINANCEMENT"
    RFF = "RFF"

    @property
    def label(self) -> str:
        return FUNDING_LABELS[self]


FUNDING_LABELS = {
    FundingScheme.AIF: "Aide individuelle à la formation (France Travail)",
    FundingScheme.AIR: "Aide individuelle régionale (Région Nouvelle-Aquitaine)",
    FundingScheme.CPF: "Compte personnel de formation (CPF)",
    FundingScheme.AGEFIPH_FORMATION: "Agefiph : cofinancement de la formation",
    FundingScheme.POEC: "POEC (préparation opérationnelle à l'emploi collective)",
    FundingScheme.POEI_FINANCEMENT: "POEI : prise en charge du coût par France Travail",
    FundingScheme.RFF: "Rémunération de fin de formation (RFF)",
}


def eur(x: float | None) -> str:
    """French money format: 1 823 € / 22,61 € (narrow spaces are not in every PDF font: a plain space)."""
    if x is None:
        return "montant inconnu"
    text = f"{x:,.2f}".replace(",", " ").replace(".", ",")
    return (text.removesuffix(",00")) + " €"


@dataclass
class FundingVerdict:
    scheme: FundingScheme
    status: St
    reasons: list[Reason] = field(default_factory=list)
    unlock: list[str] = field(default_factory=list)
    ceiling_eur: float | None = None
    deadline: date | None = None

    def to_dict(self) -> dict[str, Any]:
        """Same shape as the eligibility entries (scheme, status, reasons, unlock, label), plus the category."""
        return {"scheme": self.scheme.value, "status": self.status.value,
                "reasons": [r.to_dict() for r in self.reasons], "unlock": list(dict.fromkeys(self.unlock)),
                "label": self.scheme.label, "category": "financement",
                "ceiling_eur": self.ceiling_eur, "deadline": self.deadline.isoformat() if self.deadline else None}


class _V:
    def __init__(self, scheme: FundingScheme):
        self.scheme = scheme
        self.block_: list[Reason] = []
        self.ok: list[Reason] = []
        self.derog: list[Reason] = []
        self.unlock: list[str] = []
        self.ceiling: float | None = None
        self.deadline: date | None = None

    def block(self, rule_id: str, text: str, *unlock: str) -> None:
        self.block_.append(rule(rule_id).reason(text))
        self.unlock.extend(unlock)

    def support(self, rule_id: str, text: str | None = None) -> None:
        self.ok.append(rule(rule_id).reason(text))

    def derogate(self, rule_id: str, text: str, *unlock: str) -> None:
        self.derog.append(rule(rule_id).reason(text))
        self.unlock.extend(unlock)

    def result(self) -> FundingVerdict:
        if self.block_:
            status, reasons = St.NOT_ELIGIBLE, self.block_ + self.ok
        elif self.derog:
            status, reasons = St.DEROGATION, self.derog + self.ok
        else:
            status, reasons = St.ELIGIBLE, self.ok
        return FundingVerdict(self.scheme, status, reasons, self.unlock, self.ceiling, self.deadline)


# --------------------------------------------------------------------------- session facts


def _get(obj: Any, key: str, default: Any = None) -> Any:
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(key, default)
    return getattr(obj, key, default)


def _kind(offer: Any) -> str:
    k = _get(offer, "kind")
    return getattr(k, "value", k) or ""


def collective_funder(offer: Any) -> tuple[str, str] | None:
    """(code, name) of the public funder that bought the session, or None (individual funding needed).

    The Region's procurement kinds (qualifying, HSP, Amorce) are bought by the Region even when an
    import lost the funder codes; an OPCO code outside alternance is a POEC."""
    if offer is None:
        return None
    funders = [str(f) for f in (_get(offer, "funders") or [])]
    kind = _kind(offer)
    if REGION in funders or kind in REGION_KINDS:
        return REGION, COLLECTIVE_FUNDERS[REGION]
    for code in (FRANCE_TRAVAIL, OPCO, AGEFIPH, "11", "19", "20"):
        if code in funders:
            return code, COLLECTIVE_FUNDERS[code]
    return None


def excluded_domain(today: date, offer: Any = None, rome: str | None = None, regional: bool = False) -> str | None:
    """French reason when the training is in a domain excluded from AIF/AIR (health and social, exam
    preparation, driving licence B; + personal development for the AIR), else None.

    FORMACODEs decide when the session has them; otherwise the catalogue sector; otherwise the target ROME."""
    codes = [str(c) for c in (_get(offer, "formacodes") or [])]
    prefixes = list(param("aif.excluded_formacode_prefixes", today))
    if regional:
        prefixes += list(param("air.excluded_formacode_prefixes_extra", today))
    exact = set(param("aif.excluded_formacodes", today))
    for c in codes:
        if c in exact:
            return f"Formacode {c} (préparation aux concours ou examens, ou permis B) exclu des aides individuelles"
        if any(c.startswith(p) for p in prefixes):
            domain = "développement personnel" if c.startswith("150") else "sanitaire ou social"
            return f"Formacode {c} : domaine {domain}, exclu des aides individuelles en Nouvelle-Aquitaine"
    if not codes and offer is not None:
        sector = _get(offer, "sector")
        sector = getattr(sector, "name", sector)
        if sector in param("aif.excluded_sectors", today):
            return "formation du secteur sanitaire et social (d'après le catalogue), exclue des aides individuelles"
    if not codes and offer is None and rome and any(rome.startswith(p) for p in param("aif.excluded_rome_prefixes", today)):
        return f"métier du sanitaire ou du social (ROME {rome}), exclu des aides individuelles"
    return None


def _session_start(session: Any, fallback: date | None) -> date | None:
    start = _get(session, "start")
    if isinstance(start, str):
        start = date.fromisoformat(start[:10])
    return start or fallback


def _company_share(offer: Any) -> float | None:
    d = _get(offer, "duration")
    centre, company = _get(d, "hours_centre"), _get(d, "hours_company")
    if not centre and not company:
        return None
    return 100.0 * (company or 0) / ((centre or 0) + (company or 0))


# --------------------------------------------------------------------------- schemes


def _file_deadline(v: _V, rule: str, requirement: str, start: date | None, lead: int,
                   today: date) -> None:
    """An individual aid's file must be complete `lead` days before entry: dated, and blocked once too late."""
    if start is None:
        return
    v.deadline = start - timedelta(days=lead)
    if today > v.deadline:
        v.block(rule, f"{requirement}, soit le {fr_date(v.deadline)} : trop tard pour cette session.",
                "sur une session suivante")


def aif(p: Profile, today: date, offer: Any = None, start: date | None = None, rome: str | None = None) -> FundingVerdict:
    """R-AIF: registered jobseeker (or CSP), session open to individual funding, not an excluded domain,
    in-company share capped, file complete 15 days before the start; NA ceiling (higher with RQTH)."""
    v = _V(FundingScheme.AIF)
    ceiling = param("aif.ceiling_eur_rqth" if p.rqth else "aif.ceiling_eur", today)
    v.ceiling = float(ceiling)
    if not (p.registered_france_travail or p.status == Status.CSP):
        v.block("R-AIF", "L'AIF est réservée aux demandeurs d'emploi inscrits à France Travail (et aux adhérents du CSP).",
                "en vous inscrivant à France Travail")
    if p.status in (Status.SALARIE, Status.ETUDIANT):
        v.block("R-AIF", "Vous êtes salarié(e) ou en études : l'AIF ne vous est pas ouverte (voir le CPF ou le PTP).")
    bought = collective_funder(offer)
    if bought is not None:
        v.block("R-FUND-COLL", f"Session déjà financée par {bought[1]} : gratuite pour vous, pas d'AIF à demander.")
    if offer is not None and _kind(offer) in NOT_INDIVIDUAL_KINDS:
        v.block("R-AIF", "L'alternance, la POEI/POEC et la VAE ont leurs propres financements : pas d'AIF.")
    excluded = excluded_domain(today, offer, rome)
    if excluded:
        health = "sanitaire" in excluded
        v.block("R-AIF", excluded + (" (les formations sanitaires et sociales sont financées par la Région)." if health else "."),
                *(["places financées par la Région dans les instituts de formation sanitaire et sociale"] if health else
                  ["aide au permis (Région, France Travail) ou CPF pour le permis B"] if "permis" in excluded else []))
    share, max_share = _company_share(offer), param("aif.max_company_share_pct", today)
    if share is not None and share > max_share:
        v.block("R-AIF", f"Le stage en entreprise représente {share:.0f} % des heures (au plus {max_share} % pour l'AIF).")
    lead = param("aif.file_lead_days", today)
    _file_deadline(v, "R-AIF", f"Le dossier AIF doit être complet {lead} jours avant l'entrée", start, lead, today)
    if not v.block_:
        rqth = " (plafond relevé avec une RQTH)" if p.rqth else ""
        when = f" au plus tard le {fr_date(v.deadline)}" if v.deadline else f" {lead} jours avant l'entrée"
        v.support("R-AIF", f"AIF possible jusqu'à {eur(ceiling)}{rqth} pour le coût pédagogique, après le CPF : devis de "
                  f"l'organisme validé par le conseiller, dossier complet{when}. Elle ne complète pas l'AIR.")
    return v.result()


def air(p: Profile, today: date, offer: Any = None, start: date | None = None, rome: str | None = None,
        resident: bool | None = None, months: float | None = None, hours_per_week: float | None = None) -> FundingVerdict:
    """R-AIR: NA resident without a job (or CSP), ≤ 12 months, 20-35 h/week, exclusions as AIF plus personal
    development, ceiling; with an RQTH the Region and Agefiph share it without the ordinary ceiling."""
    v = _V(FundingScheme.AIR)
    if resident is False:
        v.block("R-AIR", "L'AIR est réservée aux personnes qui résident en Nouvelle-Aquitaine.")
    if p.status == Status.SALARIE:
        v.block("R-AIR", f"Salarié(e) : l'AIR demande d'être sans emploi (au plus {param('air.max_work_hours_prev_month', today)} h "
                "de travail le mois précédent la demande).", "si vous êtes sans emploi")
    if p.status == Status.ETUDIANT:
        v.block("R-AIR", "Les personnes déjà en formation (élèves, étudiants) n'ont pas accès à l'AIR.")
    bought = collective_funder(offer)
    if bought is not None:
        v.block("R-FUND-COLL", f"Session déjà financée par {bought[1]} : gratuite pour vous, pas d'AIR à demander.")
    if offer is not None and _kind(offer) in NOT_INDIVIDUAL_KINDS:
        v.block("R-AIR", "L'alternance, la POEI/POEC et la VAE ont leurs propres financements : pas d'AIR.")
    excluded = excluded_domain(today, offer, rome, regional=True)
    if excluded:
        v.block("R-AIR", f"{excluded}.", *(["places financées par la Région dans les instituts de formation sanitaire et sociale"]
                                           if "sanitaire" in excluded else []))
    max_months = param("air.max_months", today)
    if months is not None and months > max_months:
        v.block("R-AIR", f"Formation de {months:.0f} mois : l'AIR finance des formations de {max_months} mois au plus.")
    lo, hi = param("air.hours_week", today)
    if hours_per_week is not None and not lo <= hours_per_week <= hi:
        v.block("R-AIR", f"{hours_per_week:g} h par semaine : l'AIR demande une formation de {lo} à {hi} h par semaine.")
    lead = param("air.file_lead_days", today)
    _file_deadline(v, "R-AIR", f"Le dossier AIR doit être complet {lead // 7} semaines avant l'entrée", start, lead, today)
    if not v.block_:
        where = "" if resident else " (à condition de résider en Nouvelle-Aquitaine)"
        if p.rqth:
            v.support("R-AIR", f"Avec une RQTH, la Région et l'Agefiph partagent l'AIR sans le plafond ordinaire{where} ; "
                      "devis de l'organisme et prescription du conseiller.")
        else:
            v.ceiling = float(param("air.ceiling_eur", today))
            v.support("R-AIR", f"AIR possible jusqu'à {eur(v.ceiling)}{where}, sans mobiliser votre CPF : devis de "
                      f"l'organisme, prescription du conseiller, dossier complet {lead // 7} semaines avant l'entrée.")
        if p.status == Status.CSP:
            v.support("R-CSP")
    return v.result()


def cpf(p: Profile, today: date, offer: Any = None) -> FundingVerdict:
    """R-CPF: the CPF first (balance if known), the rest by France Travail, the Region or Agefiph;
    jobseekers pay no flat participation; the driving licence B is CPF-eligible."""
    v = _V(FundingScheme.CPF)
    if p.cpf_balance_eur is not None:
        v.ceiling = p.cpf_balance_eur
    if collective_funder(offer) is not None:
        v.block("R-FUND-COLL", "Session déjà financée par un financeur public : votre CPF n'est pas nécessaire.")
    elif p.cpf_balance_eur == 0:
        v.block("R-CPF", "Votre solde CPF est nul : France Travail (AIF), la Région (AIR) ou l'Agefiph financent sans lui.",
                "les droits CPF s'acquièrent chaque année travaillée")
    else:
        balance = f"solde déclaré : {eur(p.cpf_balance_eur)}" if p.cpf_balance_eur is not None else \
            "solde à vérifier sur Mon Compte Formation"
        fee = param("cpf.participation_forfaitaire_eur", today)
        if fee and p.is_jobseeker:
            pay = " Demandeur d'emploi : pas de participation forfaitaire."
        elif fee:
            pay = f" Participation forfaitaire de {eur(fee)} (sauf projet de reconversion ou abondement de l'employeur)."
        else:
            pay = ""
        v.support("R-CPF", f"Le CPF finance une certification ({balance}) ; France Travail, la Région ou l'Agefiph "
                  f"peuvent compléter le reste. Le permis B est aussi finançable par le CPF.{pay}")
    return v.result()


def agefiph_formation(p: Profile, today: date) -> FundingVerdict:
    """R-AGEFIPH: RQTH holders can get Agefiph co-funding of the training cost, besides compensation aids."""
    v = _V(FundingScheme.AGEFIPH_FORMATION)
    if p.rqth and param("agefiph.training_cofunding", today):
        v.support("R-AGEFIPH", "Avec votre RQTH, l'Agefiph peut cofinancer le coût de la formation (avec la Région ou "
                  "France Travail), en plus des aides de compensation ; demande par Cap Emploi ou votre conseiller.")
    elif p.rqth_pending:
        v.block("R-AGEFIPH", "La RQTH est en cours de demande : l'Agefiph intervient une fois la RQTH accordée.",
                "dès que la RQTH est accordée")
    else:
        v.block("R-AGEFIPH", "Le cofinancement de l'Agefiph est réservé aux personnes avec une RQTH (ou assimilées).",
                "avec une reconnaissance de la qualité de travailleur handicapé (RQTH)")
    return v.result()


def poec(p: Profile, today: date) -> FundingVerdict:
    """R-POEC: registered jobseekers; collective, OPCO-funded, ≤ 400 h."""
    v = _V(FundingScheme.POEC)
    hours = param("poec.max_hours", today)
    if not p.registered_france_travail:
        v.block("R-POEC", "La POEC est réservée aux demandeurs d'emploi inscrits à France Travail.", "en vous inscrivant à France Travail")
    else:
        v.support("R-POEC", f"POEC possible si une branche en organise une vers le métier visé : formation collective "
                  f"d'au plus {hours} h financée par l'OPCO, gratuite pour vous, avec l'AREF ou la rémunération de France Travail.")
    return v.result()


def poei_financement(p: Profile, today: date, hours: float | None = None, external: bool = True) -> FundingVerdict:
    """R-POEI-COST: France Travail pays the POEI cost up to a rate per hour and 400 h (the POEI itself needs
    a registered jobseeker and a firm hiring offer, R-JOB)."""
    v = _V(FundingScheme.POEI_FINANCEMENT)
    max_h = param("poei.max_hours", today)
    internal_rate, external_rate = param("poei.cost_cap_per_hour_eur", today)
    rate = external_rate if external else internal_rate
    if not p.registered_france_travail:
        v.block("R-JOB", "La POEI est réservée aux demandeurs d'emploi inscrits à France Travail.", "en vous inscrivant à France Travail")
    if not p.hiring_offer:
        v.block("R-JOB", "La POEI suppose une offre d'embauche ferme d'un employeur.", "avec une promesse d'embauche")
    if hours is not None:
        v.ceiling = round(float(min(hours, max_h) * rate), 2)
        if hours > max_h:
            v.block("R-POEI-COST", f"Formation de {hours:g} h : la POEI est limitée à {max_h} h.")
    if not v.block_:
        cap = f", soit au plus {eur(v.ceiling)}" if v.ceiling is not None else ""
        v.support("R-POEI-COST", f"France Travail prend en charge le coût jusqu'à {eur(internal_rate)} par heure en interne et "
                  f"{eur(external_rate)} par heure en organisme, {max_h} h au plus{cap} ; l'OPCO de l'employeur peut compléter. "
                  "Gratuit pour vous. Exclu : les formations que l'employeur doit assurer de toute façon (adaptation au "
                  "poste, sécurité obligatoire).")
    return v.result()


def rff(p: Profile, today: date, training_end: date | None = None, tension: int | None = None,
        ft_validated: bool = True) -> FundingVerdict:
    """R-RFF: ARE (AREF) ends before the training ends, training validated by France Travail towards a job
    that recruits (tension ≥ the parameter, standing for the official list), amount capped."""
    v = _V(FundingScheme.RFF)
    try:
        v.ceiling = float(param("rff.monthly_cap", today))
    except ParameterError:
        v.ceiling = None
    if p.income_support != IncomeSupport.ARE and p.status != Status.CSP:
        v.block("R-RFF", "La RFF prend le relais de l'allocation chômage (AREF ou ASP) : vous ne la percevez pas.")
        return v.result()
    end = p.income_support_end
    if end is None:
        v.derogate("R-RFF", "Date de fin de vos droits non indiquée (income_support_end) : si elle tombe avant la fin de la "
                   "formation, la RFF peut prendre le relais.", "en indiquant la date de fin de vos droits")
        return v.result()
    if training_end is not None and end >= training_end:
        v.block("R-RFF", f"Vos droits vont jusqu'au {fr_date(end)}, après la fin de la formation : pas besoin de RFF.")
        return v.result()
    tmin = param("rff.tension_min", today)
    if not ft_validated:
        v.block("R-RFF", "La formation doit être validée par France Travail dans votre projet (contrat d'engagement).")
    if tension is not None and tension < tmin:
        v.block("R-RFF", f"Le métier visé n'est pas assez en tension ({tension}/5, au moins {tmin}/5 retenu) pour la RFF.")
    if not v.block_:
        cap = f", dans la limite de {eur(v.ceiling)} par mois" if v.ceiling is not None else ""
        doubt = " (tension du métier à vérifier sur la liste de France Travail)" if tension is None else ""
        v.support("R-RFF", f"Vos droits s'arrêtent le {fr_date(end)} : la RFF prend le relais jusqu'à la fin de la formation, "
                  f"au montant de votre dernier AREF{cap}{doubt}. Aucune démarche : France Travail la détecte à l'inscription.")
    return v.result()


def evaluate_funding(p: Profile, today: date, resident: bool | None = None) -> list[FundingVerdict]:
    """Profile-level verdicts (no session): the entries added to `assistant eligibility`."""
    return [aif(p, today), air(p, today, resident=resident), cpf(p, today), agefiph_formation(p, today),
            poec(p, today), poei_financement(p, today), rff(p, today)]


# --------------------------------------------------------------------------- per step


def _d(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _entry(funder: str, scheme: str, covers: str, ceiling: float | None, remaining: float | None,
           demarche: str, deadline: date | None) -> dict[str, Any]:
    return {"funder": funder, "scheme": scheme, "covers": covers, "ceiling_eur": ceiling, "remaining_eur": remaining,
            "demarche": demarche, "deadline": deadline.isoformat() if deadline else None}


def _months(start: date | None, end: date | None) -> float | None:
    return None if not start or not end else (end - start).days / 30.44


def step_funding(p: Profile, step: dict[str, Any], today: date, offer: Any = None, resident: bool | None = None) -> list[dict[str, Any]]:
    """Who pays one pathway step: a list of {funder, scheme, covers, ceiling_eur, remaining_eur, demarche, deadline}.

    `remaining_eur` is 0 when the step is free for the person, None when the cost is only known from
    the training body's quote (the catalogue carries no price)."""
    from assistant.income import entry_day

    kind = step.get("kind", "")
    start, end = entry_day(step), _d(step.get("end"))
    info = _d(step.get("info_session"))
    try:
        return _step_funding(p, kind, step, start, end, info, today, offer, resident)
    except ParameterError as exc:  # a date before the first value of a parameter: say so, never crash
        return [_entry("inconnu", "PARAMETRE_MANQUANT", f"Financement non évaluable à cette date ({exc}).", None, None,
                       "Vérifier avec le conseiller.", None)]


def _step_funding(p: Profile, kind: str, step: dict, start: date | None, end: date | None, info: date | None,
                  today: date, offer: Any, resident: bool | None) -> list[dict[str, Any]]:
    free = "coût pédagogique en totalité : gratuite pour vous"
    if kind in ("DIAGNOSTIC", "EMPLOI", "LEVEE_DE_FREINS"):
        return []
    if kind == "IMMERSION":
        return [_entry("France Travail / Mission Locale / Cap Emploi", "PMSMP", "convention d'immersion : aucun coût pour vous",
                       None, 0.0, "Convention PMSMP signée avec l'entreprise d'accueil avant le début", start)]
    if kind == "CEJ":
        return [_entry("État (Mission Locale ou France Travail)", "CEJ", "accompagnement gratuit, allocation selon vos ressources",
                       None, 0.0, "Signature du contrat d'engagement jeune avec le conseiller", start)]
    if kind == "APPRENTISSAGE":
        entries = [_entry("OPCO de l'employeur (niveau de prise en charge France compétences)", "APPRENTISSAGE",
                      "coût de la formation au CFA : gratuit pour l'apprenti, qui est salarié", None, 0.0,
                      "Trouver un employeur ; le contrat est transmis à l'OPCO qui paie le CFA", start)]
        if p.rqth:
            try:
                top = param("opco.rqth_apprentice_top_up_eur", today)
            except ParameterError:  # before the arrêté of 7 December 2020
                top = None
            if top:
                entries.append(_entry("OPCO", "MAJORATION_HANDICAP", f"majoration jusqu'à {eur(top)} par an pour les adaptations "
                                  "liées au handicap (référent handicap du CFA)", float(top), 0.0,
                                  "Le référent handicap du CFA la demande à l'OPCO", start))
        return entries
    if kind == "CONTRAT_PRO":
        return [_entry("OPCO de l'employeur", "CONTRAT_PRO", "coût de la formation : gratuit pour vous, qui êtes salarié(e)",
                       None, 0.0, "L'employeur dépose le contrat auprès de son OPCO dans les jours qui suivent le début", start)]
    if kind == "POEI":
        hours = None
        hpw = step.get("hours_per_week")
        if hpw and start and end:
            hours = round(float(hpw) * max(1, (end - start).days + 1) / 7)
        v = poei_financement(p, today, hours)
        return [_entry("France Travail (+ OPCO de l'employeur)", "POEI", "coût pédagogique : gratuit pour vous",
                       v.ceiling_eur, 0.0, "L'employeur dépose la demande de POEI à France Travail avant l'entrée", start)]
    if kind == "PTP":
        lead_long, lead_short = param("ptp.request_lead_days", today)
        long_ = (_months(start, end) or 0) >= param("ptp.long_training_months", today)
        lead = lead_long if long_ else lead_short
        deadline = start - timedelta(days=lead) if start else None
        late = f" (délai de {lead} jours déjà dépassé : décaler l'entrée)" if deadline and today > deadline else ""
        lc = p.last_contract
        if p.status not in (Status.SALARIE, Status.SALARIE_IAE) and lc is not None and lc.end is not None and start:
            from assistant.eligibility import add_months

            limit = add_months(lc.end, param("ptp.cdd_start_within_months", today))
            if start > limit:
                return [_entry("Transitions Pro Nouvelle-Aquitaine", "PTP", f"PTP impossible : après un CDD, la formation doit "
                               f"commencer au plus tard le {fr_date(limit)} (entrée prévue le {fr_date(start)})", None, None,
                               "Chercher une session qui commence plus tôt, ou un autre financement (AIF, AIR, CPF)", limit)]
        return [_entry("Transitions Pro Nouvelle-Aquitaine", "PTP", "coût pédagogique et rémunération (salaire maintenu selon la règle des 2 SMIC)",
                       None, 0.0, f"Dossier à déposer à Transitions Pro (et demande d'absence à l'employeur) {lead} jours avant le début{late}",
                       deadline)]
    if kind == "VAE":
        return [_entry("CPF / France VAE / France Travail", "VAE", "accompagnement et jury : CPF en premier, France Travail ou la Région complètent",
                       p.cpf_balance_eur, None, "Dépôt sur france-vae.gouv.fr, puis accompagnateur VAE", start)]
    bought = collective_funder(offer)
    if kind in REGION_KINDS and offer is None:
        bought = (REGION, COLLECTIVE_FUNDERS[REGION])
    if bought is not None:
        code, name = bought
        scheme = {REGION: "OFFRE_REGION", FRANCE_TRAVAIL: "ACHAT_FRANCE_TRAVAIL", OPCO: "POEC"}.get(code, "ACHAT_COLLECTIF")
        deadline = info or start
        demarche = ("Candidature par votre conseiller (prescription), puis information collective et entretien chez l'organisme"
                    if code != OPCO else "Inscription par France Travail sur la POEC de la branche")
        covers = free if code != OPCO else f"{free} (POEC, {param('poec.max_hours', today)} h au plus)"
        return [_entry(name, scheme, covers, None, 0.0, demarche, deadline)]
    # individual funding: CPF first, then AIF or AIR (they do not complement each other), Agefiph with RQTH
    rome = step.get("rome")
    hpw = step.get("hours_per_week")
    out: list[dict[str, Any]] = []
    c = cpf(p, today, offer)
    if c.status == St.ELIGIBLE:
        out.append(_entry("Caisse des dépôts (Mon Compte Formation)", "CPF", "coût pédagogique à hauteur du solde",
                          p.cpf_balance_eur, None, "Choisir la session sur Mon Compte Formation et valider le devis", start))
    a_air = air(p, today, offer, start, rome, resident, _months(start, end), float(hpw) if hpw else None)
    a_aif = aif(p, today, offer, start, rome)
    chosen = a_air if a_air.status == St.ELIGIBLE and p.rqth else (a_aif if a_aif.status == St.ELIGIBLE else a_air)
    if chosen.status == St.ELIGIBLE:
        funder = "France Travail" if chosen.scheme == FundingScheme.AIF else "Région Nouvelle-Aquitaine"
        remaining = None
        out.append(_entry(funder, chosen.scheme.value, "coût pédagogique restant après le CPF (frais annexes à votre charge)",
                          chosen.ceiling_eur, remaining, "Devis de l'organisme validé par le conseiller, dossier complet",
                          chosen.deadline))
    if p.rqth:
        out.append(_entry("Agefiph", FundingScheme.AGEFIPH_FORMATION.value, "cofinancement du coût restant (RQTH)",
                          None, None, "Demande par Cap Emploi ou votre conseiller avec le plan de financement", start))
    if not out or all(e["scheme"] == "CPF" for e in out):
        reasons = " ; ".join(r.text.rstrip(".") for r in (a_aif.reasons[:1] + a_air.reasons[:1]))
        out.append(_entry("vous-même", "RESTE_A_CHARGE", f"aucune aide individuelle ne couvre le reste : {reasons}",
                          None, None, "Demander le coût à l'organisme (devis) et chercher une session financée par la Région", start))
    return out


def pathway_funding(p: Profile, pathway: dict[str, Any], today: date, offers: dict[str, Any] | None = None,
                    resident: bool | None = None) -> list[list[dict[str, Any]]]:
    """The funding list of every step of a plan pathway (dict form), in step order."""
    offers = offers or {}
    return [step_funding(p, s, today, offers.get(s.get("offer_id") or ""), resident) for s in pathway.get("steps", [])]


def payer_of(entries: Iterable[dict[str, Any]]) -> str | None:
    """Who pays the trainee when not indemnised: 'region' (RPS) or 'france_travail' (RFFT), from a step's funding."""
    for e in entries:
        if e["scheme"] in ("OFFRE_REGION", "AIR"):
            return "region"
        if e["scheme"] in ("ACHAT_FRANCE_TRAVAIL", "AIF", "POEC", "POEI"):
            return "france_travail"
    return None


def add_funding(result: dict[str, Any], prof: Profile, today: date, offers: dict[str, Any],
                resident: bool | None = None) -> dict[str, Any]:
    """The hook at the end of `assistant.api.plan()`: each step gains `funding` (who pays), each pathway
    `income_timeline` (what the person lives on until the job), and the funding verdicts join
    `eligibility` (category "financement"). Works on the plan's JSON dict, so it does not depend on how
    the pathways were built."""
    from assistant.income import income_timeline
    from catalog.referentials import tension

    dept = (result.get("commune") or {}).get("dept")
    for pw in result.get("pathways", []):
        fundings = pathway_funding(prof, pw, today, offers, resident)
        for step, entries in zip(pw.get("steps", []), fundings):
            step["funding"] = entries
        rome = pw.get("rome")
        pw["income_timeline"] = income_timeline(prof, pw.get("steps", []), today, payers=[payer_of(f) for f in fundings],
                                                tension=tension(rome, dept) if rome else None, pathway_key=pw.get("key"))
    result.setdefault("eligibility", []).extend(v.to_dict() for v in evaluate_funding(prof, today, resident))
    return result


# --------------------------------------------------------------------------- jobseeker-side phrase


def session_funding_note(offer: Any, session: Any, profile: Profile | None, today: date) -> str:
    """One French sentence for the jobseeker page: free (and who pays), or what remains and how to fund it."""
    try:
        return _note(offer, session, profile, today)
    except ParameterError:
        return "Financement à vérifier avec votre conseiller."


def _note(offer: Any, session: Any, profile: Profile | None, today: date) -> str:
    kind = _kind(offer)
    if kind in ("APPRENTISSAGE", "CONTRAT_PRO"):
        return "Formation payée par l'OPCO de l'employeur : gratuite pour vous, et vous êtes salarié(e) pendant le contrat."
    if kind == "POEI":
        return "Financée par France Travail avec l'employeur qui vous embauche : gratuite pour vous."
    bought = collective_funder(offer)
    if bought is not None:
        code, name = bought
        if code == REGION:
            return "Financée par la Région : gratuite pour vous."
        if code == OPCO:
            return "Financée par une OPCO (préparation opérationnelle à l'emploi collective) : gratuite pour vous."
        return f"Financée par {name} : gratuite pour vous."
    start = _session_start(session, None)
    if profile is None:
        return ("Non financée par la Région : coût à demander à l'organisme (devis). Financement possible par votre CPF, "
                "puis l'aide de France Travail (AIF) ou de la Région (AIR) : parlez-en à votre conseiller.")
    parts = ["Non financée par la Région : coût à demander à l'organisme (devis)."]
    c = cpf(profile, today, offer)
    if c.status == St.ELIGIBLE:
        parts.append(f"Votre CPF ({eur(profile.cpf_balance_eur)} déclarés)" if profile.cpf_balance_eur is not None
                     else "Votre CPF (solde sur Mon Compte Formation)")
        parts[-1] += " paie en premier"
    a = aif(profile, today, offer, start)
    r = air(profile, today, offer, start)
    helpers = [v for v in (a, r) if v.status == St.ELIGIBLE]
    if helpers:
        h = helpers[0]
        who = "l'AIF de France Travail" if h.scheme == FundingScheme.AIF else "l'AIR de la Région"
        until = f", dossier complet au plus tard le {fr_date(h.deadline)}" if h.deadline else ""
        limit = f" (jusqu'à {eur(h.ceiling_eur)})" if h.ceiling_eur else ""
        parts.append(("puis " if len(parts) > 1 else "") + f"{who}{limit} peut compléter{until}.")
    else:
        why = (a.reasons[0].text if a.reasons else "")
        parts.append(("; " if len(parts) > 1 else "") + f"pas d'aide individuelle : {why}")
    if profile.rqth:
        parts.append("Avec votre RQTH, l'Agefiph peut cofinancer le reste.")
    return " ".join(parts).replace("premier puis", "premier, puis")


# --------------------------------------------------------------------------- display (app pages, PDF)


def money(x: Any, gross_or_net: str = "") -> str:
    """'1 823 € brut' (whole euros, French thousands separator); '' for None."""
    if not isinstance(x, (int, float)) or isinstance(x, bool):
        return ""
    text = f"{round(x):,}".replace(",", " ") + " €"
    return f"{text} {gross_or_net}".strip()


def funding_line(entry: dict[str, Any]) -> str:
    """One funding entry in plain French: who pays what, what remains, what to do by when."""
    who = entry.get("funder") or "financeur à trouver"
    covers = entry.get("covers") or ""
    parts = [f"{who} : {covers}" if covers else who]
    if isinstance(entry.get("ceiling_eur"), (int, float)):
        parts.append(f"jusqu'à {money(entry['ceiling_eur'])}")
    remaining = entry.get("remaining_eur")
    if remaining == 0 and "gratuit" not in covers:
        parts.append("rien à payer")
    elif remaining == 0:
        pass
    elif isinstance(remaining, (int, float)):
        parts.append(f"reste à votre charge : {money(remaining)}")
    elif entry.get("scheme") not in ("CPF",):
        parts.append("reste à charge selon le devis")
    line = " — ".join(parts)
    demarche, deadline = entry.get("demarche"), _d(entry.get("deadline"))
    if demarche:
        line += f". À faire : {demarche}" + (f" (avant le {fr_date(deadline)})" if deadline else "")
    return line + ("" if line.endswith(".") else ".")


def funding_rows(pathway: dict[str, Any]) -> list[dict[str, str]]:
    """The funding plan of a pathway as display rows (plain dicts of French strings, no pandas):
    Étape, Qui paie, Ce qui est couvert, Reste à charge, Démarche, Avant le."""
    rows = []
    for n, step in enumerate(pathway.get("steps") or [], 1):
        for e in step.get("funding") or []:
            remaining = e.get("remaining_eur")
            rows.append({
                "Étape": f"{n}. {step.get('kind_label') or step.get('kind') or ''}",
                "Qui paie": str(e.get("funder") or ""),
                "Ce qui est couvert": str(e.get("covers") or "") + (f" (jusqu'à {money(e['ceiling_eur'])})"
                                                                     if isinstance(e.get("ceiling_eur"), (int, float)) else ""),
                "Reste à charge": "rien" if remaining == 0 else (money(remaining) if remaining is not None else "selon devis"),
                "Démarche": str(e.get("demarche") or ""),
                "Avant le": fr_date(day) if (day := _d(e.get("deadline"))) else "",
            })
    return rows


def display_tables(pathway: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    """The tables of a plan pathway for the adviser page: {"financement", "revenus" (periods), "mois" (month by month)}."""
    from assistant.income import income_by_month, income_rows

    timeline = pathway.get("income_timeline") or []
    return {"financement": funding_rows(pathway), "revenus": income_rows(timeline), "mois": income_by_month(timeline)}

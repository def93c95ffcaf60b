"""Eligibility of a profile to each scheme, with the rules that decided and what would unlock it.

One small function per scheme, each citing the rules of the rule book it
applies (`rules.toml`) and reading every threshold from the dated parameters,
so an adviser can check each status against its source and a decree change is
a data change. A status is never given without at least one reason.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Callable

from assistant.parameters import param, parameter
from assistant.profile import Profile
from assistant.rules import Reason, rule
from assistant.schemes import (
    BasicSkillGap,
    EligibilityStatus as St,
    FrenchLevel,
    IncomeSupport,
    Organisation,
    Scheme,
    Status,
)


@dataclass
class Derogation:
    """A derogation to request; the pathway builder dates it from a session start."""

    kind: str
    text: str
    ask_from_days: int  # earliest: this many days before entry
    ask_until_days: int  # latest: this many days before entry

    def window(self, session_start: date) -> tuple[date, date]:
        return session_start - timedelta(days=self.ask_from_days), session_start - timedelta(days=self.ask_until_days)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "text": self.text, "ask_from_days": self.ask_from_days, "ask_until_days": self.ask_until_days}


@dataclass
class SchemeEligibility:
    scheme: Scheme
    status: St
    reasons: list[Reason] = field(default_factory=list)
    unlock: list[str] = field(default_factory=list)
    derogation: Derogation | None = None

    @property
    def rules(self) -> list[str]:
        return list(dict.fromkeys(r.rule for r in self.reasons))

    def to_dict(self) -> dict:
        out: dict[str, Any] = {
            "scheme": self.scheme.value,
            "status": self.status.value,
            "reasons": [r.to_dict() for r in self.reasons],
            "unlock": list(self.unlock),
        }
        if self.derogation is not None:
            out["derogation"] = self.derogation.to_dict()
        return out


# --------------------------------------------------------------------------- helpers


def add_months(day: date, months: int) -> date:
    """Same day `months` later (clamped to the month's last day)."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def fr_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _r(rule_id: str, text: str | None = None) -> Reason:
    return rule(rule_id).reason(text)


class _Verdict:
    """Accumulates blocking reasons, supporting reasons, unlocks and derogations for one scheme."""

    def __init__(self, scheme: Scheme):
        self.scheme = scheme
        self.blocking: list[Reason] = []
        self.supporting: list[Reason] = []
        self.derogations: list[Reason] = []
        self.unlock: list[str] = []

    def block(self, rule_id: str, text: str, *unlock: str) -> None:
        self.blocking.append(_r(rule_id, text))
        self.unlock.extend(unlock)

    def support(self, rule_id: str, text: str | None = None) -> None:
        self.supporting.append(_r(rule_id, text))

    def derogate(self, rule_id: str, text: str, *unlock: str) -> None:
        self.derogations.append(_r(rule_id, text))
        self.unlock.extend(unlock)

    def result(self, today: date) -> SchemeEligibility:
        unlock = list(dict.fromkeys(self.unlock))
        if self.blocking:
            return SchemeEligibility(self.scheme, St.NOT_ELIGIBLE, self.blocking + self.supporting, unlock)
        if self.derogations:
            derogation = Derogation(
                kind=" + ".join(r.rule for r in self.derogations),
                text=" ".join(r.text for r in self.derogations),
                ask_from_days=param("hsp.derogation_ask_from_days", today),
                ask_until_days=param("hsp.derogation_ask_until_days", today),
            )
            return SchemeEligibility(self.scheme, St.DEROGATION, self.derogations + self.supporting, unlock, derogation)
        return SchemeEligibility(self.scheme, St.ELIGIBLE, self.supporting, unlock)


def _ask_window(today: date) -> str:
    """'4 à 3 semaines' from the derogation parameters."""
    return f"{param('hsp.derogation_ask_from_days', today) // 7} à {param('hsp.derogation_ask_until_days', today) // 7} semaines"


def _article_de(support: IncomeSupport) -> str:
    """'du RSA', 'de l'ASS', 'de l'AAH': French elision follows the pronunciation of the acronym."""
    return f"de l'{support.value}" if support.value[0] in "AEIOU" else f"du {support.value}"


def _before_birthday(age_max: int) -> str:
    return f"avant vos {age_max + 1} ans"


def _age_ok(v: _Verdict, p: Profile, today: date, rule_id: str, lo: int | None, hi: int | None, what: str) -> bool:
    """Age check on whole years: at the upper bound, warn that the birthday date matters."""
    if lo is not None and p.age < lo:
        v.block(rule_id, f"{what} : à partir de {lo} ans (vous avez {p.age} ans).", f"à partir de vos {lo} ans")
        return False
    if hi is not None and p.age > hi:
        v.block(rule_id, f"{what} : jusqu'à {hi} ans révolus (vous avez {p.age} ans).")
        return False
    if hi is not None and p.age == hi:
        v.support(rule_id, f"{what} : vous avez {hi} ans, l'entrée doit se faire {_before_birthday(hi)}.")
    return True


def _region_public(v: _Verdict, p: Profile, rule_id: str) -> bool:
    """The Region's training offer is for jobseekers (and IAE employees), not for people in a job or in school."""
    if p.is_jobseeker or p.status == Status.SALARIE_IAE:
        return True
    if p.status == Status.SALARIE:
        v.block("R-SAL", "Vous êtes salarié(e) : l'offre de formation de la Région pour les demandeurs d'emploi ne vous est pas ouverte ; voyez le projet de transition professionnelle (PTP) ou le CPF.",
                "si vous devenez demandeur d'emploi")
    else:
        v.block(rule_id, "Cette formation de la Région s'adresse aux demandeurs d'emploi : les élèves et étudiants n'y ont pas accès.",
                "après la fin de vos études, inscrit(e) comme demandeur d'emploi")
    return False


def _recent_region_training(p: Profile, today: date) -> date | None:
    """R-18M: end of the 18-month period after a Region qualifying training, if today is inside it."""
    if p.last_region_training_end is None:
        return None
    until = add_months(p.last_region_training_end, param("hsp.recent_training_months", today))
    return until if today < until else None


def _same_domain_as_last_training(p: Profile) -> bool | None:
    if not p.last_region_training_rome or not p.wish_romes:
        return None
    return p.last_region_training_rome[:3] in {r[:3] for r in p.wish_romes}


def skills_gaps(p: Profile, today: date) -> list[BasicSkillGap]:
    """Declared gaps, plus FLE when the French level is below the R-SOCLE threshold."""
    gaps = list(p.basic_skills_gaps)
    threshold = FrenchLevel(param("socle.fle_below", today))
    if p.french_level is not None and p.french_level.rank < threshold.rank and BasicSkillGap.FLE not in gaps:
        gaps.append(BasicSkillGap.FLE)
    return gaps


# --------------------------------------------------------------------------- Region schemes


def hsp_socle(p: Profile, today: date, target_levels: dict[str, int] | None = None) -> SchemeEligibility:
    """R-SOCLE: HSP Socle is for 16+ jobseekers with at least one basic-skills gap.

    Proposing it without a gap wastes months of a pathway, so no gap means not eligible
    (a positioning test can reveal one).
    """
    v = _Verdict(Scheme.HSP_SOCLE)
    if _age_ok(v, p, today, "R-SOCLE", param("age.min_training", today), None, "HSP Socle") and _region_public(v, p, "R-SOCLE"):
        gaps = skills_gaps(p, today)
        if not gaps:
            v.block("R-SOCLE", "Aucun besoin en compétences de base (lecture, écriture, calcul, numérique, français) n'est indiqué.",
                    "si un positionnement (par exemple CléA) révèle un besoin en compétences de base")
        else:
            labels = ", ".join(g.label for g in gaps)
            v.support("R-SOCLE", f"Besoin identifié ({labels}) : l'HSP Socle de compétences se place avant la formation qualifiante.")
            if p.newcomer_cir:
                v.support("R-FLE-OFII")
    return v.result(today)


def hsp_1nq(p: Profile, today: date, target_levels: dict[str, int] | None = None) -> SchemeEligibility:
    """R-1NQ / R-OBS / R-DEROG / R-18M: HSP 1er niveau for the low-qualified, derogation otherwise."""
    v = _Verdict(Scheme.HSP_1NQ)
    if not (_age_ok(v, p, today, "R-1NQ", param("age.min_training", today), None, "HSP 1er niveau") and _region_public(v, p, "R-1NQ")):
        return v.result(today)
    level = p.eligibility_level(today)
    max_level, level4 = param("hsp.max_level_validated", today), param("hsp.not_validated_level", today)
    if level <= max_level:
        if p.foreign_diploma_unrecognised and p.level_validated > max_level:
            v.support("R-1NQ", "Diplôme étranger sans attestation de comparabilité : il compte comme un niveau inférieur au CAP pour l'accès à l'HSP 1er niveau.")
        elif p.level_reached is not None and p.level_reached > level:  # never None once built (__post_init__)
            v.support("R-1NQ", f"Niveau {p.level_reached} atteint mais non validé (niveau validé : {level}) : HSP 1er niveau ouverte sans sélection.")
        else:
            held = "Sans diplôme qualifiant" if level == 0 else f"Niveau validé {level} (au plus {max_level})"
            v.support("R-1NQ", f"{held} : HSP 1er niveau ouverte sans sélection, jusqu'à {param('hsp.max_months_1nq', today)} mois.")
    elif level == level4 and p.is_level_obsolete(today):
        v.support("R-OBS", f"Votre niveau {level4} est considéré obsolète (pas d'activité dans le domaine depuis {param('obs.years_out_of_field', today)} ans) : HSP 1er niveau ouverte.")
        v.support("R-1NQ")
    else:
        years = param("obs.years_out_of_field", today)
        if level > level4:
            why = f"Niveau {level} validé (supérieur à {level4})"
        elif p.is_level_obsolete(today) is False:
            why = f"Niveau {level4} validé et encore d'actualité (activité dans le domaine il y a moins de {years} ans)"
        else:
            why = f"Niveau {level4} validé, sans obsolescence établie"
        v.derogate("R-DEROG", f"{why} : l'HSP 1er niveau n'est possible que par dérogation, s'il reste des places, demandée {_ask_window(today)} avant l'entrée.")
        if level == level4:
            v.unlock.append(f"sans dérogation si votre niveau {level4} devient obsolète ({years} ans sans activité dans le domaine)")
    until = _recent_region_training(p, today)
    if until is not None:
        months = param("hsp.recent_training_months", today)
        same = _same_domain_as_last_training(p)
        if same:
            v.support("R-18M", f"Votre dernière formation Région date de moins de {months} mois, mais dans le même domaine : pas de dérogation à ce titre.")
        else:
            doubt = "" if same is False else " (si le domaine est différent)"
            v.derogate("R-18M", f"Une formation qualifiante Région s'est terminée il y a moins de {months} mois : une HSP 1er niveau dans un autre domaine demande une dérogation{doubt}, {_ask_window(today)} avant l'entrée.",
                       f"sans dérogation à ce titre à partir du {fr_date(until)}")
    return v.result(today)


def qualifiant(p: Profile, today: date, target_levels: dict[str, int] | None = None) -> SchemeEligibility:
    """R-MQ / R-HIGH: Region qualifying training for jobseekers with a certification or field experience
    (or IAE employees) and a validated project; the low-qualified are rather sent to HSP 1er niveau."""
    v = _Verdict(Scheme.QUALIFIANT)
    if not (_age_ok(v, p, today, "R-MQ", param("age.min_training", today), None, "Formation qualifiante") and _region_public(v, p, "R-MQ")):
        return v.result(today)
    level, first = p.eligibility_level(today), param("levels.first_qualification", today)
    min_months = param("mq.min_experience_months", today)
    field_months = p.field_experience_months(p.wish_romes)
    if p.status == Status.SALARIE_IAE:
        v.support("R-MQ", "Salarié(e) en insertion (IAE) : les formations qualifiantes de la Région vous sont ouvertes.")
    elif level >= first:
        v.support("R-MQ", f"Vous avez une certification de niveau {level} : les formations qualifiantes de la Région vous sont ouvertes, sous réserve des prérequis de l'organisme.")
    elif field_months >= min_months:
        v.support("R-MQ", f"{field_months} mois d'expérience dans le métier visé : formation qualifiante possible, sous réserve des prérequis de l'organisme.")
    else:
        v.block("R-MQ", "Sans certification de niveau 3 ni expérience dans le métier visé, la formation qualifiante n'est pas la première étape : l'HSP 1er niveau de qualification est faite pour vous.",
                f"avec {min_months} mois d'expérience dans le métier visé", "après une première certification (HSP 1er niveau)")
    if not p.project_validated:
        v.block("R-PROJ", "Le projet professionnel doit d'abord être validé par votre conseiller (immersion PMSMP, Amorce de parcours).",
                "après validation de votre projet professionnel")
    if level >= param("levels.high", today):
        v.support("R-HIGH")
    elif level < first and not v.blocking:  # open through experience only: no certification yet
        v.support("R-MQ", "Sans certification : l'HSP 1er niveau de qualification (sans sélection) est à regarder aussi.")
    if target_levels:
        target = max(target_levels.values())
        if target <= level and not p.is_level_obsolete(today):
            v.support("R-MQ", f"La certification visée (niveau {target}) ne dépasse pas votre niveau validé ({level}) : l'intérêt d'une reconversion au même niveau est à vérifier avec le conseiller.")
    if _recent_region_training(p, today) is not None:
        v.support("R-18M", f"Une formation Région s'est terminée il y a moins de {param('hsp.recent_training_months', today)} mois : le financeur peut demander une justification.")
    return v.result(today)


def amorce(p: Profile, today: date, target_levels: dict[str, int] | None = None) -> SchemeEligibility:
    """R-AMORCE / R-PROJ: pre-qualifying action for jobseekers whose project is not yet validated."""
    v = _Verdict(Scheme.AMORCE)
    if _age_ok(v, p, today, "R-AMORCE", param("age.min_training", today), None, "Amorce de parcours") and _region_public(v, p, "R-AMORCE"):
        if p.project_validated:
            v.block("R-PROJ", "Votre projet est déjà validé : une action de pré-qualification n'est pas nécessaire.")
        else:
            v.support("R-PROJ", "Projet à construire ou à vérifier : l'Amorce de parcours (immersions, découverte des métiers) prépare l'entrée en formation qualifiante.")
            v.support("R-AMORCE")
    return v.result(today)


# --------------------------------------------------------------------------- alternance


def apprentissage(p: Profile, today: date, target_levels: dict[str, int] | None = None) -> SchemeEligibility:
    """R-ALT / R-RQTH: apprenticeship 16-29 (15 after the 3e); no upper limit with RQTH or a business creation."""
    v = _Verdict(Scheme.APPRENTISSAGE)
    age_max = param("apprentissage.age_max", today)
    rqth_years = param("apprentissage.max_years_rqth", today)
    if p.age < param("age.min_training", today):
        v.support("R-ALT", "À 15 ans, l'apprentissage est possible si vous avez terminé la classe de 3e.")
    elif p.age <= age_max:
        text = f"De 16 à {age_max} ans révolus, le contrat d'apprentissage est ouvert."
        if p.age == age_max:
            text += f" Le contrat doit commencer {_before_birthday(age_max)}."
        v.support("R-ALT", text)
    elif p.rqth:
        v.support("R-RQTH", f"Avec une RQTH, l'apprentissage n'a pas de limite d'âge ; le contrat peut être aménagé (jusqu'à {rqth_years} ans, temps partiel).")
    elif p.business_creation:
        v.support("R-ALT", "Pour créer ou reprendre une entreprise qui demande ce diplôme, l'apprentissage n'a pas de limite d'âge.")
    else:
        unlock = ["éligible avec une RQTH (pas de limite d'âge)"]
        if p.rqth_pending:
            unlock = ["dès que la RQTH demandée est accordée"]
        if p.age <= param("apprentissage.age_max_exception", today):
            unlock.append(f"jusqu'à {param('apprentissage.age_max_exception', today)} ans pour un diplôme supérieur à un précédent contrat d'apprentissage, dans l'année qui suit")
        v.block("R-ALT", f"Le contrat d'apprentissage est ouvert jusqu'à {age_max} ans révolus (vous avez {p.age} ans) ; le contrat de professionnalisation reste possible.", *unlock)
    if p.rqth and not v.blocking and p.age <= age_max:
        v.support("R-RQTH", f"Avec la RQTH, le contrat peut être aménagé : durée jusqu'à {rqth_years} ans, temps partiel, référent handicap du CFA.")
    return v.result(today)


def prepa_apprentissage(p: Profile, today: date, target_levels: dict[str, int] | None = None) -> SchemeEligibility:
    """R-ALT-PREP: prepares NEET young people (16-29, any age with RQTH), at most level 4 not validated."""
    v = _Verdict(Scheme.PREPA_APPRENTISSAGE)
    hi = None if p.rqth else param("apprentissage.age_max", today)
    if _age_ok(v, p, today, "R-ALT-PREP", param("age.min_training", today), hi, "Prépa apprentissage"):
        max_level = param("levels.bac", today) - 1
        if p.eligibility_level(today) > max_level:
            v.block("R-ALT-PREP", f"La Prépa apprentissage vise les personnes sans bac validé (niveau validé {p.eligibility_level(today)}) : vous pouvez chercher directement un contrat d'apprentissage.")
        if not p.is_neet:
            v.block("R-ALT-PREP", "La Prépa apprentissage s'adresse aux personnes sans emploi ni formation.")
    if not v.blocking:
        priority = [w for w, flag in (("quartier prioritaire", p.qpv), ("zone rurale (ZRR)", p.zrr), ("RQTH", p.rqth)) if flag]
        text = "Vous pouvez préparer votre entrée en apprentissage (découverte des métiers, remise à niveau, recherche d'employeur)."
        if priority:
            text += f" Public prioritaire : {', '.join(priority)}."
        v.support("R-ALT-PREP", text)
        if not param("prepa_app.national_programme_active", today):
            ended = parameter("prepa_app.national_programme_active").entry(today).start - timedelta(days=1)
            v.support("R-ALT-PREP", f"Le programme national Prépa apprentissage s'est arrêté le {fr_date(ended)} : dispositif régional ou du CFA, selon disponibilité.")
    return v.result(today)


def contrat_pro(p: Profile, today: date, target_levels: dict[str, int] | None = None) -> SchemeEligibility:
    """R-CPRO / R-RSA: 16-25, jobseekers 26+, or RSA/ASS/AAH recipients."""
    v = _Verdict(Scheme.CONTRAT_PRO)
    youth_max = param("contrat_pro.age_max_youth", today)
    if _age_ok(v, p, today, "R-CPRO", param("age.min_training", today), None, "Contrat de professionnalisation"):
        if p.age <= youth_max:
            text = f"De 16 à {youth_max} ans, le contrat de professionnalisation est ouvert."
            if p.age == youth_max and not p.registered_france_travail:
                text += f" Le contrat doit commencer {_before_birthday(youth_max)} (ensuite, en étant inscrit(e) à France Travail)."
            v.support("R-CPRO", text)
        elif p.income_support in (IncomeSupport.RSA, IncomeSupport.ASS, IncomeSupport.AAH):
            v.support("R-RSA" if p.income_support == IncomeSupport.RSA else "R-CPRO",
                      f"Bénéficiaire {_article_de(p.income_support)} : le contrat de professionnalisation vous est ouvert à tout âge.")
        elif p.registered_france_travail:
            v.support("R-CPRO", "Demandeur d'emploi de 26 ans et plus : le contrat de professionnalisation vous est ouvert.")
        else:
            v.block("R-CPRO", f"Après {youth_max} ans, le contrat de professionnalisation est réservé aux demandeurs d'emploi et aux bénéficiaires du RSA, de l'ASS ou de l'AAH.",
                    "en vous inscrivant comme demandeur d'emploi à France Travail")
    return v.result(today)


def poei(p: Profile, today: date, target_levels: dict[str, int] | None = None) -> SchemeEligibility:
    """R-JOB: a registered jobseeker with a firm hiring offer of at least 6 months."""
    v = _Verdict(Scheme.POEI)
    months = param("poei.min_contract_months", today)
    if not p.registered_france_travail:
        v.block("R-JOB", "La POEI est réservée aux demandeurs d'emploi inscrits à France Travail.", "en vous inscrivant à France Travail")
    if not p.hiring_offer:
        v.block("R-JOB", f"La POEI suppose une offre d'embauche ferme d'un employeur (CDI, CDD ou alternance d'au moins {months} mois).",
                f"avec une promesse d'embauche d'au moins {months} mois")
    if not v.blocking:
        v.support("R-JOB")
    return v.result(today)


# --------------------------------------------------------------------------- employees, youth, VAE, IAE


def _current_rome(p: Profile) -> str | None:
    if p.employment_contract and p.employment_contract.rome:
        return p.employment_contract.rome
    dated = [e for e in p.experience if e.rome]
    return max(dated, key=lambda e: e.last_year or 0).rome if dated else None


def _same_job(rome: str, romes: list[str]) -> bool:
    """Same ROME job (a ROME 4.0 code and its v3 parent are the same job)."""
    from catalog.referentials import rome_codes

    codes = rome_codes()
    parent = lambda c: codes[c].parent if c in codes else c  # noqa: E731
    return any(parent(rome) == parent(r) for r in romes)


def ptp(p: Profile, today: date, target_levels: dict[str, int] | None = None) -> SchemeEligibility:
    """R-SAL: PTP for private-sector employees changing job (ROME), with a seniority rule waived by RQTH."""
    v = _Verdict(Scheme.PTP)
    if p.status not in (Status.SALARIE, Status.SALARIE_IAE):
        if p.last_contract is not None and p.last_contract.kind.value == "cdd" and p.last_contract.end is not None:
            return _ptp_after_cdd(v, p, p.last_contract.end, today)
        months = param("ptp.cdd_start_within_months", today)
        v.block("R-SAL", "Le projet de transition professionnelle est réservé aux salariés (ou aux personnes dont le CDD "
                f"s'est terminé il y a moins de {months} mois).",
                f"si votre dernier contrat était un CDD terminé depuis moins de {months} mois (last_contract)")
        return v.result(today)
    current = _current_rome(p)
    if current and p.wish_romes and _same_job(current, p.wish_romes):
        v.block("R-SAL", f"Le métier visé doit être différent du métier actuel (code ROME {current}).")
    contract = p.employment_contract
    if p.rqth:
        v.support("R-RQTH", "Avec une RQTH, aucune condition d'ancienneté n'est demandée pour le PTP.")
    elif contract is None:
        total = sum(e.months for e in p.experience)
        recent = max(p.experience, key=lambda e: e.last_year or 0).months if p.experience else 0
        _ptp_cdi(v, today, total, recent, "d'après l'expérience déclarée (CDI supposé)")
    elif contract.kind.value == "cdi":
        _ptp_cdi(v, today, contract.employee_months, contract.company_months, "en CDI")
    elif contract.kind.value == "cdd":
        need5, need12 = param("ptp.cdd_employee_months_5y", today), param("ptp.cdd_months_12", today)
        if contract.employee_months < need5 or contract.cdd_months_last_12 < need12:
            v.block("R-SAL", f"En CDD : {need5} mois salariés sur 5 ans dont {need12} mois de CDD sur les 12 derniers mois sont demandés.",
                    "éligible avec une RQTH (pas de condition d'ancienneté)")
        else:
            v.support("R-SAL", f"Ancienneté suffisante en CDD ; la formation doit commencer au plus tard {param('ptp.cdd_start_within_months', today)} mois après la fin du contrat.")
    else:
        need_b, need_a = param("ptp.interim_branch_hours", today), param("ptp.interim_agency_hours", today)
        if contract.interim_branch_hours < need_b or contract.interim_agency_hours < need_a:
            v.block("R-SAL", f"En intérim : {need_b} heures dans la branche dont {need_a} dans l'agence actuelle sont demandées.",
                    "éligible avec une RQTH (pas de condition d'ancienneté)")
        else:
            v.support("R-SAL", "Ancienneté suffisante en intérim.")
    if not v.blocking:
        v.support("R-SAL", "Projet de transition professionnelle (Transitions Pro) : salaire maintenu pendant une formation certifiante, après avis de la commission.")
    return v.result(today)


def _ptp_after_cdd(v: _Verdict, p: Profile, end: date, today: date) -> SchemeEligibility:
    """R-SAL: a jobseeker whose CDD ended (on `end`) less than N months ago keeps the PTP, if the training
    starts by the end of that window (the CDD seniority conditions still apply)."""
    months = param("ptp.cdd_start_within_months", today)
    deadline = add_months(end, months)
    if today > deadline:
        v.block("R-SAL", f"Votre CDD s'est terminé le {fr_date(end)} : le PTP après un CDD demande une entrée en formation "
                f"dans les {months} mois, soit au plus tard le {fr_date(deadline)} (délai dépassé).")
        return v.result(today)
    need5, need12 = param("ptp.cdd_employee_months_5y", today), param("ptp.cdd_months_12", today)
    contract = p.employment_contract
    current = _current_rome(p)
    if current and p.wish_romes and current in p.wish_romes:
        v.block("R-SAL", f"Le métier visé doit être différent du métier exercé en CDD (code ROME {current}).")
    if p.rqth:
        v.support("R-RQTH", "Avec une RQTH, aucune condition d'ancienneté n'est demandée pour le PTP.")
    elif contract is not None and (contract.employee_months < need5 or contract.cdd_months_last_12 < need12):
        v.block("R-SAL", f"Après un CDD : {need5} mois salariés sur 5 ans dont {need12} mois de CDD sur les 12 derniers mois sont demandés.",
                "éligible avec une RQTH (pas de condition d'ancienneté)")
    elif contract is None and p.worked_months_last_12 < need12:
        v.block("R-SAL", f"Après un CDD : {need12} mois de CDD sur les 12 derniers mois sont demandés "
                f"(vous en déclarez {p.worked_months_last_12}).", "éligible avec une RQTH (pas de condition d'ancienneté)")
    if not v.blocking:
        v.support("R-SAL", f"CDD terminé le {fr_date(end)} : le PTP reste ouvert si la formation commence au plus tard le "
                  f"{fr_date(deadline)} ({months} mois après la fin du contrat), dossier à déposer auprès de Transitions Pro ; "
                  f"ancienneté à vérifier ({need5} mois salariés sur 5 ans dont {need12} en CDD sur 12 mois).")
    return v.result(today)


def _ptp_cdi(v: _Verdict, today: date, employee: int, company: int, basis: str) -> None:
    need_total, need_company = param("ptp.cdi_employee_months", today), param("ptp.cdi_company_months", today)
    missing = max(need_total - employee, need_company - company, 0)
    if missing:
        v.block("R-SAL", f"Ancienneté insuffisante {basis} : {need_total} mois salariés dont {need_company} dans l'entreprise actuelle sont demandés.",
                f"à partir du {fr_date(add_months(today, missing))} (ancienneté atteinte)", "éligible avec une RQTH (pas de condition d'ancienneté)")
    else:
        v.support("R-SAL", f"Ancienneté suffisante {basis} ({employee} mois salariés, {company} dans l'entreprise).")


def cej(p: Profile, today: date, target_levels: dict[str, int] | None = None) -> SchemeEligibility:
    """R-CEJ / R-YOUTH-NEET: 16-25 (29 with RQTH), neither in work nor in education."""
    v = _Verdict(Scheme.CEJ)
    hi = param("cej.age_max_rqth", today) if p.rqth else param("age.youth_max", today)
    if _age_ok(v, p, today, "R-CEJ", param("age.min_training", today), hi, "Contrat d'engagement jeune"):
        if not p.is_neet:
            v.block("R-CEJ", "Le CEJ s'adresse aux jeunes sans emploi, hors études et hors formation.", "après la fin de vos études ou de votre contrat")
    elif not p.rqth and p.age <= param("cej.age_max_rqth", today) and p.age > hi:
        v.unlock.append(f"éligible avec une RQTH (jusqu'à {param('cej.age_max_rqth', today)} ans)")
    if not v.blocking:
        if p.rqth and p.age > param("age.youth_max", today):
            v.support("R-RQTH", f"Avec la RQTH, le CEJ est ouvert jusqu'à {hi} ans.")
        v.support("R-YOUTH-NEET", "Jeune sans emploi ni formation : le contrat d'engagement jeune accompagne votre parcours "
                  f"({' à '.join(str(h) for h in param('cej.weekly_hours', today))} h par semaine).")
        if p.age <= param("age.training_obligation_max", today):
            v.support("R-YOUTH-NEET", "Avant 18 ans, l'obligation de formation s'applique : retour en formation, apprentissage ou parcours d'insertion (Mission Locale, PSAD) ; le CEJ est possible mais pas obligatoire.")
        if p.level_validated < first_level(today):
            v.support("R-YOUTH-NEET", "Sans diplôme professionnel, vous avez droit au retour en formation initiale (entretien sous 15 jours avec un CIO, une Mission Locale ou un PSAD).")
        if param("cej.ft_registration_required", today) and not p.registered_france_travail:
            v.support("R-CEJ", "L'inscription à France Travail est requise (elle est automatique pour les jeunes suivis par la Mission Locale).")
    return v.result(today)


def vae_experience(p: Profile, romes: list[str]) -> tuple[int, int]:
    """(months in the target job, months in a ROME "proche" job) of the declared experience (R-VAE)."""
    from catalog.referentials import are_close_jobs

    codes = set(romes)
    direct = sum(e.months for e in p.experience if e.rome in codes)
    close = sum(e.months for e in p.experience
                if e.rome and e.rome not in codes and any(are_close_jobs(e.rome, r) for r in codes))
    return direct, close


def vae(p: Profile, today: date, target_levels: dict[str, int] | None = None) -> SchemeEligibility:
    """R-VAE: experience directly linked to the target certification (the target job or a ROME "proche"
    one), and at least the practice minimum: the legal one-year minimum was removed (loi 2022-1598, décret
    2023-1275, 1 Jan 2024), but an adviser does not send someone with a few weeks of practice to a jury."""
    v = _Verdict(Scheme.VAE)
    need = param("vae.practice_min_months", today)
    if not p.experience:
        v.block("R-VAE", "La VAE demande une expérience (travail, bénévolat, aidant) en lien avec la certification visée.")
    elif p.wish_romes:
        direct, close = vae_experience(p, p.wish_romes)
        if direct + close >= need:
            detail = f"{direct} mois dans le métier visé" + (f" et {close} mois dans un métier proche" if close else "")
            v.support("R-VAE", f"{detail} : une VAE totale ou partielle est possible, avant ou à la place d'une formation complète.")
        elif direct + close:
            v.block("R-VAE", f"{direct + close} mois d'expérience en lien avec le métier visé : moins que le minimum de "
                             f"pratique de {need} mois retenu pour une VAE (la loi n'impose plus de durée depuis 2024).",
                    f"après {need} mois d'expérience dans le métier visé ou un métier proche")
        else:
            jobs = ", ".join(sorted({e.job for e in p.experience if e.job})) or "vos métiers"
            v.block("R-VAE", "Votre expérience n'est pas en lien direct avec le métier visé (ni un métier proche).",
                    f"VAE possible sur une certification liée à votre expérience ({jobs})")
    else:
        v.support("R-VAE", "Votre expérience peut être validée par une VAE si elle est en lien direct avec la certification visée (à vérifier avec France VAE).")
    return v.result(today)


def iae_criteria(p: Profile, today: date) -> tuple[bool, list[str]]:
    """IAE eligibility criteria (arrêté of 1 Sept 2021): a level-1 criterion, and the level-2 ones met."""
    level1 = p.income_support in (IncomeSupport.RSA, IncomeSupport.ASS, IncomeSupport.AAH) or p.registration_months >= param("iae.very_long_term_months", today)
    level2 = [label for label, flag in (
        ("niveau 3 ou moins", p.eligibility_level(today) <= param("levels.first_qualification", today)),
        ("50 ans et plus", p.age >= param("iae.senior_age", today)),
        ("moins de 26 ans", p.age <= param("age.youth_max", today)),
        ("demandeur d'emploi de longue durée", param("iae.long_term_months", today) <= p.registration_months < param("iae.very_long_term_months", today)),
        ("RQTH", p.rqth), ("parent isolé", p.single_parent), ("quartier prioritaire", p.qpv), ("zone rurale (ZRR)", p.zrr),
    ) if flag]
    return level1, level2


def iae_criteria_met(p: Profile, today: date) -> bool:
    level1, level2 = iae_criteria(p, today)
    return level1 or len(level2) >= param("iae.level2_criteria_min", today)


def iae(p: Profile, today: date, target_levels: dict[str, int] | None = None) -> SchemeEligibility:
    """R-IAE: criteria for a structure's own prescription; otherwise an authorised prescriber's diagnosis."""
    v = _Verdict(Scheme.IAE)
    if p.status == Status.SALARIE_IAE:
        v.support("R-IAE", "Vous êtes déjà salarié(e) en insertion.")
        return v.result(today)
    if not p.is_jobseeker:
        v.block("R-IAE", "L'IAE s'adresse aux personnes sans emploi rencontrant des difficultés d'insertion.")
        return v.result(today)
    level1, level2 = iae_criteria(p, today)
    if level1:
        v.support("R-IAE" if p.income_support != IncomeSupport.RSA else "R-RSA", "Vous remplissez un critère de niveau 1 de l'IAE (RSA, ASS, AAH ou chômage de très longue durée).")
    elif len(level2) >= param("iae.level2_criteria_min", today):
        v.support("R-IAE", f"Vous remplissez {len(level2)} critères de niveau 2 de l'IAE : {', '.join(level2)}.")
    else:
        v.support("R-IAE", "L'IAE est possible sur diagnostic d'un prescripteur habilité (France Travail, Mission Locale, Cap Emploi, Département).")
    return v.result(today)


# --------------------------------------------------------------------------- aids


def aide_mobilite(p: Profile, today: date, target_levels: dict[str, int] | None = None) -> SchemeEligibility:
    """R-MOB at profile level: who can get a mobility aid at all; the distance and the funder are per step
    (see `mobility_aid_for_step`)."""
    v = _Verdict(Scheme.AIDE_MOBILITE)
    km = param("mobility.aid_min_round_trip_km", today)
    if not p.is_jobseeker:
        v.block("R-MOB", "Les aides à la mobilité pour la formation concernent les demandeurs d'emploi (pour les salariés, voir l'employeur ou Transitions Pro).")
    elif p.indemnised:
        v.support("R-MOB", "Indemnisé(e) par l'ARE : l'aide de France Travail n'est possible que si votre allocation est inférieure au minimum ; en formation Région, le Fonds social formation peut aider en cas d'imprévu.")
    else:
        v.support("R-MOB", f"Pour une formation à plus de {km} km aller-retour, France Travail peut aider (formation non financée par la Région) ; en formation Région, le Fonds social formation.")
    return v.result(today)


def mobility_aid_for_step(p: Profile, today: date, round_trip_km: float, region_funded: bool) -> SchemeEligibility:
    """R-MOB for one training step: FT aid (not Region-funded, far, not indemnised) or Region social fund."""
    v = _Verdict(Scheme.AIDE_MOBILITE)
    base = aide_mobilite(p, today)
    if base.status == St.NOT_ELIGIBLE:
        return base
    km = param("mobility.aid_min_round_trip_km", today)
    if not region_funded and not p.registered_france_travail:
        v.block("R-MOB", "L'aide à la mobilité de France Travail est réservée aux demandeurs d'emploi inscrits.",
                "en vous inscrivant à France Travail")
    elif region_funded:
        v.support("R-MOB", "Formation financée par la Région : pas d'aide à la mobilité de France Travail ; le Fonds social formation de la Région peut aider (transport, hébergement) en cas de difficulté.")
    elif round_trip_km <= km:
        v.block("R-MOB", f"La formation est à {round_trip_km:.0f} km aller-retour : l'aide de France Travail commence au-delà de {km} km.")
    elif p.indemnised:
        v.block("R-MOB", "Indemnisé(e) par l'ARE : l'aide de France Travail n'est possible que si votre allocation est inférieure au minimum.",
                "si votre ARE est inférieure à l'allocation minimale")
    else:
        rate = param("mobility.aid_eur_per_km", today)
        v.support("R-MOB", f"Formation à {round_trip_km:.0f} km aller-retour : aide de France Travail ({rate:.2f} €/km, repas, hébergement), à demander dans le mois qui suit l'entrée.")
    return v.result(today)


def aide_permis_region(p: Profile, today: date, target_levels: dict[str, int] | None = None, *,
                       region_training: bool = False) -> SchemeEligibility:
    """R-PERMIS (Region): 17-25, up to bac level, and either a vocational diploma obtained in NA less
    than 12 months ago, or Mission Locale follow-up during a Region-funded training.

    The second route depends on the pathway: by default it is returned as an unlock; the pathway
    builder passes `region_training=True` for a step inside a Region-funded training.
    """
    v = _Verdict(Scheme.AIDE_PERMIS_REGION)
    if p.mobility.driving_licence:
        v.block("R-PERMIS", "Vous avez déjà le permis de conduire.")
        return v.result(today)
    if not _age_ok(v, p, today, "R-PERMIS", param("permis_region.min_age", today), param("permis_region.max_age", today), "Aide régionale au permis"):
        return v.result(today)
    bac = param("levels.bac", today)
    if p.level_validated > bac:
        v.block("R-PERMIS", f"L'aide régionale au permis est réservée aux niveaux bac ou inférieur (niveau validé : {p.level_validated}).")
        return v.result(today)
    months = param("permis_region.diploma_months", today)
    recent = [d for d in p.diplomas if d.is_vocational and d.in_nouvelle_aquitaine and first_level(today) <= d.level <= bac
              and (obtained := d.obtained_on()) is not None and today < add_months(obtained, months)]
    ml = "si vous êtes suivi(e) par la Mission Locale et entrez dans une formation financée par la Région"
    if recent:
        d = recent[0]
        v.support("R-PERMIS", f"{d.title} obtenu en Nouvelle-Aquitaine il y a moins de {months} mois : aide régionale au permis possible "
                  f"(montant moyen {param('permis_region.average_amount', today)} €, modulé selon les ressources ; en démarche d'insertion).")
    elif region_training and p.followed_by == Organisation.MISSION_LOCALE:
        v.support("R-PERMIS", "Suivi(e) par la Mission Locale pendant une formation financée par la Région : aide régionale au permis possible (sous conditions de ressources).")
    else:
        v.block("R-PERMIS", f"Sans diplôme professionnel obtenu en Nouvelle-Aquitaine depuis moins de {months} mois, l'aide régionale passe par une formation financée par la Région avec le suivi de la Mission Locale.", ml)
    return v.result(today)


def first_level(today: date) -> int:
    return param("levels.first_qualification", today)


def aide_permis_ft(p: Profile, today: date, target_levels: dict[str, int] | None = None) -> SchemeEligibility:
    """R-PERMIS (France Travail): 18+, registered 6 months (waived with a hiring promise), not indemnised; subsidiary."""
    v = _Verdict(Scheme.AIDE_PERMIS_FT)
    if p.mobility.driving_licence:
        v.block("R-PERMIS", "Vous avez déjà le permis de conduire.")
        return v.result(today)
    _age_ok(v, p, today, "R-PERMIS", param("permis_ft.min_age", today), None, "Aide au permis de France Travail")
    need = param("permis_ft.min_registration_months", today)
    promise = param("permis_ft.hiring_promise_months", today)
    if not p.registered_france_travail:
        v.block("R-PERMIS", "L'aide au permis de France Travail demande d'être inscrit(e) comme demandeur d'emploi.", "en vous inscrivant à France Travail")
    elif p.registration_months < need and not p.hiring_offer:
        v.block("R-PERMIS", f"Il faut {need} mois d'inscription à France Travail (vous en avez {p.registration_months}), sauf promesse d'embauche.",
                f"à partir du {fr_date(add_months(today, need - p.registration_months))} ({need} mois d'inscription)", f"avec une promesse d'embauche d'au moins {promise} mois")
    if p.indemnised:
        v.block("R-PERMIS", "Indemnisé(e) par l'ARE : l'aide au permis de France Travail n'est possible que si l'allocation est inférieure au minimum.",
                "si votre ARE est inférieure à l'allocation minimale")
    if not v.blocking:
        extra = " Le RSA et l'AAH comptent comme « non indemnisé »." if p.income_support in (IncomeSupport.RSA, IncomeSupport.AAH) else ""
        v.support("R-PERMIS", f"Aide au permis de France Travail jusqu'à {param('permis_ft.max_amount', today)} €, une seule fois, à demander avant l'inscription à l'auto-école ; elle passe après l'aide régionale.{extra}")
    return v.result(today)


# --------------------------------------------------------------------------- entry points

SCHEME_RULES: dict[Scheme, Callable[..., SchemeEligibility]] = {
    Scheme.AMORCE: amorce,
    Scheme.HSP_SOCLE: hsp_socle,
    Scheme.HSP_1NQ: hsp_1nq,
    Scheme.QUALIFIANT: qualifiant,
    Scheme.APPRENTISSAGE: apprentissage,
    Scheme.PREPA_APPRENTISSAGE: prepa_apprentissage,
    Scheme.CONTRAT_PRO: contrat_pro,
    Scheme.POEI: poei,
    Scheme.PTP: ptp,
    Scheme.CEJ: cej,
    Scheme.VAE: vae,
    Scheme.IAE: iae,
    Scheme.AIDE_MOBILITE: aide_mobilite,
    Scheme.AIDE_PERMIS_REGION: aide_permis_region,
    Scheme.AIDE_PERMIS_FT: aide_permis_ft,
}


def evaluate(profile: Profile, today: date, target_levels: dict[str, int] | None = None) -> list[SchemeEligibility]:
    """Eligibility to every scheme, in `Scheme` order. `target_levels`: ROME code → level of the targeted certification."""
    return [SCHEME_RULES[s](profile, today, target_levels) for s in Scheme]


def evaluate_map(profile: Profile, today: date, target_levels: dict[str, int] | None = None) -> dict[Scheme, SchemeEligibility]:
    return {e.scheme: e for e in evaluate(profile, today, target_levels)}


def rules_fired(profile: Profile, today: date) -> list[str]:
    """Every rule that applies to the profile, in registry order: the rule-case files' reading of each rule
    (tests/cases/eligibility). The plan and eligibility outputs no longer use this table: their
    `rules_fired` comes from the reasons actually given (assistant.api.rules_used)."""
    from assistant.rules import rules as registry

    p = profile
    elig = evaluate_map(p, today)
    ok = lambda s: elig[s].status == St.ELIGIBLE  # noqa: E731
    wants_alt = p.wants_alternance is not False
    no_car_access = not p.mobility.car and (not p.mobility.public_transport or p.zrr)
    fired = {
        "R-DIAG": True,
        "R-SOCLE": bool(skills_gaps(p, today)) and p.age >= param("age.min_training", today),
        "R-FLE-OFII": p.newcomer_cir,
        "R-PROJ": not p.project_validated or (bool(p.wish_romes) and p.field_experience_months(p.wish_romes) == 0),
        "R-1NQ": ok(Scheme.HSP_1NQ),
        "R-OBS": p.is_level_obsolete(today) is True,
        "R-18M": _recent_region_training(p, today) is not None,
        "R-DEROG": elig[Scheme.HSP_1NQ].status == St.DEROGATION and "R-DEROG" in elig[Scheme.HSP_1NQ].rules,
        "R-MQ": ok(Scheme.QUALIFIANT),
        "R-HIGH": p.eligibility_level(today) >= param("levels.high", today),
        "R-ALT": ok(Scheme.APPRENTISSAGE) and wants_alt,
        "R-ALT-PREP": ok(Scheme.APPRENTISSAGE) and wants_alt and ok(Scheme.PREPA_APPRENTISSAGE),
        "R-JOB": p.hiring_offer,
        "R-SAL": p.status == Status.SALARIE,
        "R-CSP": p.status == Status.CSP,
        "R-VAE": ok(Scheme.VAE) and bool(p.wish_romes),
        "R-RQTH": p.rqth_or_pending,
        "R-RQTH-PREF": p.rqth,
        "R-YOUTH-NEET": p.is_neet and param("age.min_training", today) <= p.age <= param("age.youth_max", today),
        "R-RSA": p.income_support == IncomeSupport.RSA,
        "R-INCOME": True,
        "R-MOB": p.is_jobseeker and (no_car_access or p.search_radius_km(today) * 2 > param("mobility.aid_min_round_trip_km", today)),
        "R-MOB-SEARCH": p.mobility.max_km is None,
        "R-PERMIS": not p.mobility.driving_licence and (p.zrr or not p.mobility.public_transport)
        and (ok(Scheme.AIDE_PERMIS_REGION) or ok(Scheme.AIDE_PERMIS_FT)),
        "R-CEJ": ok(Scheme.CEJ),
        "R-CPRO": ok(Scheme.CONTRAT_PRO),
        "R-AMORCE": ok(Scheme.AMORCE),
        "R-IAE": p.is_jobseeker and iae_criteria_met(p, today),
    }
    return [rid for rid in registry() if fired.get(rid)]

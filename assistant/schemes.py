"""Closed vocabularies of the assistant core (schemes, statuses, referents...).

Every closed list the rules reason about is an enum, so that a typo in a profile
or a rule is an error instead of a silent "no match". Values are the strings of
the JSON profile contract; French labels are for the UI.
"""

from __future__ import annotations

import enum

from catalog.model import SCHEME_LABELS, OfferKind


class _Labelled(str, enum.Enum):
    """A string enum with a French label (looked up in the module's label table)."""

    @property
    def label(self) -> str:
        return _LABELS[type(self)][self]


class Scheme(_Labelled):
    """Schemes a pathway step can use. Values shared with `OfferKind` are identical strings."""

    AMORCE = "AMORCE"
    HSP_SOCLE = "HSP_SOCLE"
    HSP_1NQ = "HSP_1NQ"
    QUALIFIANT = "QUALIFIANT"
    APPRENTISSAGE = "APPRENTISSAGE"
    PREPA_APPRENTISSAGE = "PREPA_APPRENTISSAGE"
    CONTRAT_PRO = "CONTRAT_PRO"
    POEI = "POEI"
    PTP = "PTP"
    CEJ = "CEJ"
    VAE = "VAE"
    IAE = "IAE"
    AIDE_MOBILITE = "AIDE_MOBILITE"
    AIDE_PERMIS_REGION = "AIDE_PERMIS_REGION"
    AIDE_PERMIS_FT = "AIDE_PERMIS_FT"

    @property
    def label(self) -> str:
        return SCHEME_LABELS[self.value]  # the one table of scheme names (catalog.model)

    @property
    def offer_kind(self) -> OfferKind | None:
        """The catalogue offer kind that delivers this scheme (None: not a catalogue offer)."""
        try:
            return OfferKind(self.value)
        except ValueError:
            return None


class EligibilityStatus(_Labelled):
    ELIGIBLE = "eligible"
    DEROGATION = "derogation"  # possible only with a derogation request
    NOT_ELIGIBLE = "not_eligible"


class Status(_Labelled):
    """Situation of the person today (profile field `status`)."""

    DEMANDEUR_EMPLOI = "demandeur_emploi"
    SALARIE = "salarie"
    SALARIE_IAE = "salarie_iae"
    SANS_ACTIVITE = "sans_activite"
    ETUDIANT = "etudiant"
    CSP = "csp"  # contrat de sécurisation professionnelle (economic redundancy)


class IncomeSupport(_Labelled):
    ARE = "ARE"
    RSA = "RSA"
    ASS = "ASS"
    AAH = "AAH"
    AUCUN = "aucun"


class BasicSkillGap(_Labelled):
    LECTURE_ECRITURE = "lecture_ecriture"
    CALCUL = "calcul"
    NUMERIQUE = "numerique"
    FLE = "francais_langue_etrangere"


class Constraint(_Labelled):
    GARDE_ENFANTS = "garde_enfants"
    LOGEMENT = "logement"
    SANTE = "sante"
    # Only available during school hours (children at school): a rhythm, not a barrier to lift.
    HORAIRES_SCOLAIRES = "horaires_scolaires"


class FrenchLevel(_Labelled):
    """CEFR level of French (only asked when French is not the first language)."""

    A1 = "A1"
    A2 = "A2"
    B1 = "B1"
    B2 = "B2"
    C1 = "C1"
    C2 = "C2"

    @property
    def rank(self) -> int:
        return list(FrenchLevel).index(self)


class Organisation(_Labelled):
    """Referent organisations of the Réseau pour l'emploi (and the CEP for employees)."""

    MISSION_LOCALE = "Mission Locale"
    FRANCE_TRAVAIL = "France Travail"
    CAP_EMPLOI = "Cap Emploi"
    FT_OU_DEPARTEMENT = "France Travail ou Département"
    CEP = "CEP (Transitions Pro)"

    @property
    def with_article(self) -> str:
        """The name as it reads in a sentence: 'avec la Mission Locale', 'avec le CEP'."""
        return _ORG_ARTICLES.get(self, self.value)


class ContractKind(_Labelled):
    CDI = "cdi"
    CDD = "cdd"
    INTERIM = "interim"


class RuleStatus(_Labelled):
    """How much a rule can be trusted (legend of the rule book, section 0)."""

    SOURCED = "sourced"
    DATED = "dated"  # sourced, but written for an earlier period
    INFERRED = "inferred"  # [I] usual practice / reading of the sources
    UNSOURCED = "unsourced"  # [U] to be confirmed by a practitioner


_ORG_ARTICLES = {
    Organisation.MISSION_LOCALE: "la Mission Locale",
    Organisation.FT_OU_DEPARTEMENT: "France Travail ou le Département",
    Organisation.CEP: "le CEP (Transitions Pro)",
}

_LABELS: dict[type, dict] = {
    EligibilityStatus: {
        EligibilityStatus.ELIGIBLE: "éligible",
        EligibilityStatus.DEROGATION: "possible avec une dérogation",
        EligibilityStatus.NOT_ELIGIBLE: "non éligible",
    },
    Status: {
        Status.DEMANDEUR_EMPLOI: "demandeur d'emploi",
        Status.SALARIE: "salarié(e)",
        Status.SALARIE_IAE: "salarié(e) en insertion (IAE)",
        Status.SANS_ACTIVITE: "sans activité, non inscrit(e)",
        Status.ETUDIANT: "étudiant(e) / élève",
        Status.CSP: "contrat de sécurisation professionnelle (CSP)",
    },
    IncomeSupport: {
        IncomeSupport.ARE: "allocation chômage (ARE)",
        IncomeSupport.RSA: "RSA",
        IncomeSupport.ASS: "allocation de solidarité spécifique (ASS)",
        IncomeSupport.AAH: "allocation aux adultes handicapés (AAH)",
        IncomeSupport.AUCUN: "aucune allocation",
    },
    BasicSkillGap: {
        BasicSkillGap.LECTURE_ECRITURE: "lecture, écriture",
        BasicSkillGap.CALCUL: "calcul",
        BasicSkillGap.NUMERIQUE: "numérique",
        BasicSkillGap.FLE: "français langue étrangère",
    },
    Constraint: {
        Constraint.GARDE_ENFANTS: "garde d'enfants",
        Constraint.LOGEMENT: "logement",
        Constraint.SANTE: "santé",
        Constraint.HORAIRES_SCOLAIRES: "horaires scolaires uniquement",
    },
    FrenchLevel: {lv: lv.value for lv in FrenchLevel},
    Organisation: {org: org.value for org in Organisation},
    ContractKind: {
        ContractKind.CDI: "CDI",
        ContractKind.CDD: "CDD",
        ContractKind.INTERIM: "intérim",
    },
    RuleStatus: {
        RuleStatus.SOURCED: "sourcée",
        RuleStatus.DATED: "sourcée (ancienne)",
        RuleStatus.INFERRED: "déduite (pratique courante)",
        RuleStatus.UNSOURCED: "non sourcée (à confirmer)",
    },
}

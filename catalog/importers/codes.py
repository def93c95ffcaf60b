"""LHÉO code lists and the mappings from them onto the catalogue model.

The code lists are public facts from the LHÉO 2.3 standard
(`lheo-2.3-dictionaries.json` / `lheo-2.3.xsd`, Carif-Oref network,
lheo/lheo-schema); only the few lists the importers need are kept here.

OfferKind guess (documented in docs/import-template.md as well):
  1. an explicit scheme flag wins: contrat d'apprentissage -> APPRENTISSAGE,
     contrat de professionnalisation -> CONTRAT_PRO;
  2. then a scheme named in the title: prépa apprentissage, POEI, « 1er niveau de
     qualification » (HSP_1NQ), « socle de compétences » (HSP_SOCLE);
  3. else dict-AIS objective (objectif-general-formation):
     6 certification, 7 professionnalisation -> QUALIFIANT;
     5 remise à niveau / savoirs de base -> HSP_SOCLE;
     8 préparation à la qualification, 9 (re)mobilisation / projet -> AMORCE
       (pre-qualifying actions of the PRF);
     4 création d'entreprise -> MODULE;
  4. else (missing / obsolete objective) certifiante=1 -> QUALIFIANT, otherwise MODULE.
"""

from __future__ import annotations

import re

from catalog.levels import LHEO_LEVELS
from catalog.model import CertificationType, Modality, OfferKind, RecruitmentStatus, Sector

LHEO_22 = "http://www.lheo.org/2.2"
LHEO_23 = "http://lheo.gouv.fr/2.3"

# dict-financeurs. LHÉO 2.2 stopped at 15; 16-20 were added by 2.3. "1" = obsolete code(s).
FUNDERS = {
    "0": "Autre", "1": "Code(s) obsolète(s)", "2": "Conseil régional", "3": "FSE", "4": "Pôle emploi",
    "5": "Entreprise", "6": "ACSÉ", "7": "AGEFIPH", "8": "Conseil général", "9": "Commune",
    "10": "Bénéficiaire de l'action", "11": "État - emploi", "12": "État - éducation nationale",
    "13": "État - autre", "14": "Fonds européens - autre", "15": "Collectivité territoriale - autre",
    "16": "OPCO", "17": "Transition Pro", "18": "LADOM", "19": "État - intérieur", "20": "OFII",
}
FUNDERS_22 = {str(i) for i in range(16)}
OBSOLETE = "1"
REGION_FUNDER = "2"

# dict-AIS (objectif-general-formation)
AIS_KIND = {
    "4": OfferKind.MODULE,
    "5": OfferKind.HSP_SOCLE,
    "6": OfferKind.QUALIFIANT,
    "7": OfferKind.QUALIFIANT,
    "8": OfferKind.AMORCE,
    "9": OfferKind.AMORCE,
}

RECRUITMENT = {"1": RecruitmentStatus.OUVERT, "2": RecruitmentStatus.FERME, "3": RecruitmentStatus.SUSPENDU}
MODALITY = {"0": Modality.PRESENTIEL, "1": Modality.MIXTE, "2": Modality.DISTANCE}
CONTACT_REFERENT_HANDICAP = "1"
PARCOURS_MODULARISE = "3"

NIVEAUX_CODES = set(LHEO_LEVELS)  # dict-niveaux codes, mapped by catalog.levels


def lheo_level(code: str | None) -> int | None:
    """National level (1-8) for a dict-niveaux code; None when not given or unknown."""
    if code is None:
        return None
    return LHEO_LEVELS.get(code.strip())


# Scheme names that, when a title states them, say more than the objective code.
_TITLE_KINDS = [
    (re.compile(r"pr[ée]pa[- ]?(apprentissage|app\b)", re.I), OfferKind.PREPA_APPRENTISSAGE),
    (re.compile(r"\bpoei\b", re.I), OfferKind.POEI),
    (re.compile(r"1er niveau de qualification|premier niveau de qualification", re.I), OfferKind.HSP_1NQ),
    (re.compile(r"\bsocle de comp[ée]tences\b", re.I), OfferKind.HSP_SOCLE),
]


ALTERNANCE_KINDS = (OfferKind.APPRENTISSAGE, OfferKind.CONTRAT_PRO)


def guess_kind(ais: str | None, certifiante: bool, apprenticeship: bool = False,
               contrat_pro: bool = False, title: str = "") -> OfferKind:
    if apprenticeship:
        return OfferKind.APPRENTISSAGE
    if contrat_pro:
        return OfferKind.CONTRAT_PRO
    for pattern, kind in _TITLE_KINDS:
        if pattern.search(title):
            return kind
    if ais in AIS_KIND:
        return AIS_KIND[ais]
    return OfferKind.QUALIFIANT if certifiante else OfferKind.MODULE


_CERT_PATTERNS = [
    (r"\btitre professionnel\b|\btp\b", CertificationType.TP),
    (r"\bcap\b|\bcapa\b", CertificationType.CAP),
    (r"\bbep\b", CertificationType.BEP),
    (r"\bbac(calauréat)? pro", CertificationType.BAC_PRO),
    (r"\bbts\b", CertificationType.BTS),
    (r"\bbut\b", CertificationType.BUT),
    (r"\blicence pro", CertificationType.LICENCE_PRO),
    (r"\bbp\b|brevet professionnel", CertificationType.BP),
    (r"\bdipl[ôo]me d'[ée]tat\b|\bde[a-z]{2,3}\b", CertificationType.DE),
    (r"\bcqp\b", CertificationType.CQP),
    (r"\bmention compl[ée]mentaire\b|\bmc\b", CertificationType.MC),
]


def guess_certification_type(title: str, certifying: bool, rncp: str | None = None) -> CertificationType:
    """Certification type from the title; RS codes are RS; other RNCP titles are TITRE."""
    if rncp and rncp.startswith("RS"):
        return CertificationType.RS
    low = title.lower()
    for pattern, ctype in _CERT_PATTERNS:
        if re.search(pattern, low):
            return ctype
    if certifying or rncp:
        return CertificationType.TITRE
    return CertificationType.NONE


def normalise_rncp(code: str | None) -> str | None:
    """"320" / "RNCP320" / "rncp 320" -> "RNCP320"; "RS5080" kept; None for blanks."""
    if code is None:
        return None
    text = re.sub(r"\s+", "", str(code)).upper()
    if not text:
        return None
    if text.isdigit():
        return f"RNCP{int(text)}"
    return text


RNCP_RE = re.compile(r"^(RNCP|RS)\d{1,6}$")
ROME_RE = re.compile(r"^[A-N]\d{4}$")

# France Compétences certification type codes (RNCP fiches, apprenticeship catalogue) -> model
CERT_TYPE_CODES = {
    "TP": CertificationType.TP, "CAP": CertificationType.CAP, "BEP": CertificationType.BEP,
    "BAC PRO": CertificationType.BAC_PRO, "BP": CertificationType.BP, "BTS": CertificationType.BTS,
    "BUT": CertificationType.BUT, "LICENCE PROFESSIONNELLE": CertificationType.LICENCE_PRO,
    "MC": CertificationType.MC, "CQP": CertificationType.CQP, "DE": CertificationType.DE,
}
INSEE_RE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
POSTCODE_RE = re.compile(r"^\d{5}$")

# ROME domain (first letter, or longer prefix) -> sector; longest prefix wins.
_ROME_SECTOR = {
    "A": Sector.AGRICULTURE_VITICULTURE, "B": Sector.INDUSTRIE, "C": Sector.SERVICES, "D": Sector.COMMERCE,
    "E": Sector.NUMERIQUE, "F": Sector.BATIMENT, "G": Sector.HOTELLERIE_RESTAURATION,
    "G1203": Sector.ANIMATION_SPORT, "G1204": Sector.ANIMATION_SPORT, "H": Sector.INDUSTRIE,
    "I": Sector.INDUSTRIE, "J": Sector.SANTE_SOCIAL, "K": Sector.SERVICES, "K11": Sector.SANTE_SOCIAL,
    "K12": Sector.SANTE_SOCIAL, "K13": Sector.SANTE_SOCIAL, "L": Sector.ANIMATION_SPORT,
    "M": Sector.SERVICES, "M18": Sector.NUMERIQUE, "N": Sector.LOGISTIQUE_TRANSPORT,
}


def sector_for(rome_codes: list[str], kind: OfferKind) -> Sector:
    if kind is OfferKind.HSP_SOCLE:
        return Sector.TRANSVERSAL
    for code in rome_codes:
        for n in range(len(code), 0, -1):
            if code[:n] in _ROME_SECTOR:
                return _ROME_SECTOR[code[:n]]
    return Sector.AUTRE

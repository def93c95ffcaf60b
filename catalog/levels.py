"""National certification levels (cadre national des certifications professionnelles).

Décret n° 2019-14 and arrêté of 8 January 2019 (in force since 1 January 2020)
replaced the 1969 nomenclature (I..VI) with levels 1..8. Advisers, jobseekers and
old data still use the old names ("niveau IV", "niveau V bis"), diploma names
("CAP", "bac") or "infra 3", so one parser turns all of these into the national
level used everywhere in the project (0 = no qualification validated).
Source of the table: /work/shared/domain/rules.md §1 ([S:N1] INSEE, [S:N2], [S:N3]).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Level:
    number: int
    old_name: str  # 1969 nomenclature
    label: str
    examples: str


LEVELS: dict[int, Level] = {
    0: Level(0, "", "Sans qualification", "aucun diplôme, brevet des collèges (DNB), CFG"),
    1: Level(1, "VI", "Niveau 1 : maîtrise des savoirs de base", "pas de certification professionnelle en pratique"),
    2: Level(2, "V bis", "Niveau 2 : activités simples dans un contexte structuré", "certains CQP, certificats de branche"),
    3: Level(3, "V", "Niveau 3 : CAP, BEP", "CAP, BEP, CAPa, titre professionnel de niveau 3, MC de niveau 3"),
    4: Level(4, "IV", "Niveau 4 : baccalauréat", "bac général, technologique ou professionnel, BP, BT, titre professionnel de niveau 4, DEAS"),
    5: Level(5, "III", "Niveau 5 : bac + 2", "BTS, DUT, DEUST, titre professionnel de niveau 5"),
    6: Level(6, "II", "Niveau 6 : bac + 3 ou 4", "licence, licence professionnelle, BUT, master 1, titre professionnel de niveau 6"),
    7: Level(7, "I", "Niveau 7 : bac + 5", "master, diplôme d'ingénieur, grandes écoles"),
    8: Level(8, "I", "Niveau 8 : doctorat", "doctorat, HDR"),
}

# Levels 0-2: "sans qualification" (no vocational certification of level 3 or more).
INFRA_3 = frozenset({0, 1, 2})
FIRST_QUALIFICATION = 3

# LHÉO 2.3 dict-niveaux code -> national level. Source: lheo-2.3-dictionaries.json ("dict-niveaux"):
# 0 = information non communiquée, 1 = sans niveau spécifique (both: no level -> None);
# 2..8 = the 1969 names VI, V bis, V, IV, III, II, I; 11..18 = "Niveau 1".."Niveau 8" of the 2019 decree.
# Old level I covered today's 7 and 8: it maps to 7, the lower bound.
LHEO_LEVELS: dict[str, int | None] = {
    "0": None,
    "1": None,
    "2": 1,
    "3": 2,
    "4": 3,
    "5": 4,
    "6": 5,
    "7": 6,
    "8": 7,
    **{str(10 + n): n for n in range(1, 9)},
}

_ROMAN = {"vi": 1, "v bis": 2, "vbis": 2, "v": 3, "iv": 4, "iii": 5, "ii": 6, "i": 7}
_ROMAN_RE = r"(v ?bis|vi|iv|v|iii|ii|i)"

# Diploma names -> level; when several match, the highest level wins.
_DIPLOMAS: list[tuple[str, int]] = [
    (r"brevet des colleges|\bdnb\b|\bcfg\b|certificat de formation generale", 0),
    (r"sans (qualification|diplome)|aucun diplome|pas de diplome|\bnon diplome", 0),
    (r"brevet de technicien superieur|\bbtsa?\b|\bdut\b|\bdeust\b|\bdeug\b", 5),
    (r"licence|\bbut\b|\bmaitrise\b|master ?1|\bm1\b", 6),
    (r"\bmaster\b(?! ?1)|\bingenieur\b|\bm2\b|\bdea\b|\bdess\b", 7),
    (r"\bdoctorat\b|\bhdr\b|\bphd\b", 8),
    (r"\bbac(calaureat)?\b|brevet professionnel|brevet de technicien|\bbp\b|\bbt\b|\bdeas\b|\bdeap\b", 4),
    (r"\bcapa?\b|\bbepa?\b", 3),
]


def _fold(text: str) -> str:
    """Lower case, no accents, punctuation (- _ . ,) as spaces, single spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return " ".join(re.sub(r"[-_.,;:()/]", " ", text).split())


def parse_level(text: str | int | None) -> int | None:
    """National level 0..8 from what people write; None when it cannot be told.

    Accepts "4", "niveau 4", "niveau4", "N4", "IV", "niveau IV", "V bis", "infra 3"
    (-> 0), "bac + 2" (-> 5), diploma names ("CAP" -> 3, "bac pro" -> 4, "BTS" -> 5,
    "licence" -> 6, "master" -> 7, "DNB" -> 0). "infra 4" / "infra bac" are ambiguous
    (0..3) and give None.
    """
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text if 0 <= text <= 8 else None
    t = _fold(str(text))
    if not t:
        return None
    if re.fullmatch(r"infra ?(3|v|niveau ?3)?|sans niveau", t):
        return 0
    if t.startswith("infra"):
        return None
    m = re.fullmatch(r"(?:niveau|niv|level|n)? ?([0-9])", t) or re.search(r"\b(?:niveau|niv|level) ?([0-9])\b", t)
    if m:
        n = int(m.group(1))
        return n if n <= 8 else None
    m = re.search(r"\b(?:niveau|niv) ?" + _ROMAN_RE + r"\b", t) or re.fullmatch(_ROMAN_RE, t)
    if m:
        return _ROMAN[m.group(1)]
    m = re.search(r"\bbac ?\+ ?([0-9])\b", t)
    if m:
        return {0: 4, 1: 4, 2: 5, 3: 6, 4: 6, 5: 7, 6: 7, 7: 7, 8: 8}.get(int(m.group(1)))
    found = [level for pattern, level in _DIPLOMAS if re.search(pattern, t)]
    return max(found) if found else None  # "CAP puis bac pro" -> the highest one


def level_label(n: int | None) -> str:
    """French label, with the old name: "Niveau 4 : baccalauréat (ancien niveau IV)"."""
    if n is None:
        return "Niveau non renseigné"
    lv = LEVELS.get(n)
    if lv is None:
        raise ValueError(f"niveau inconnu : {n} (attendu : 0 à 8)")
    return f"{lv.label} (ancien niveau {lv.old_name})" if lv.old_name else f"{lv.label} (infra 3)"


def old_name(n: int) -> str:
    """1969 name of a level ("IV" for 4); "" for 0."""
    return LEVELS[n].old_name


def is_infra_3(n: int | None) -> bool:
    """No qualification of level 3 or more (None, unknown, counts as infra 3 too)."""
    return n is None or n in INFRA_3


def lheo_to_national(code: str) -> int | None:
    """National level for a LHÉO dict-niveaux code; KeyError for a code not in the list."""
    return LHEO_LEVELS[str(code).strip()]

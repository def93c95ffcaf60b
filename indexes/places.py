"""Resolve what people type for a place ("St Jean de Luz", "64500", "Mérignac (33)",
"Bordeaux (Les Aubiers)", "33063", "Bordaux") to a commune of Nouvelle-Aquitaine.

Order of attempts: 5-digit codes (postcode first, as people type those; then
INSEE code), exact folded name, fuzzy folded name (rapidfuzz). A fuzzy score
below the cutoff is only a suggestion, unless the best name is a single commune
strictly ahead of the next one and *sounds* the same ("Biarits", "Cognak"). Homonyms (three
Mérignac, five Mazerolles) are all returned, the most populous first, unless a
department code or name in the text picks one. A parenthesised part that is not
a department ("Les Aubiers", a district) is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process

from catalog.referentials import Commune, communes, communes_by_postcode

from . import config

from catalog.geo import normalise_place_name

_ARTICLES = {"le", "la", "les", "l"}
_GENERIC = {"saint", "sainte", "saints", "saintes", "mont", "port", "val", "pont"}  # too common as a first word
_CODE = re.compile(r"\b(\d{5})\b")
_DEPT = re.compile(r"^(\d{2})$")
MAX_ALTERNATIVES = 8
# French spellings that sound alike, for `sound_key`.
_SOUNDS = (("eau", "o"), ("au", "o"), ("ph", "f"), ("qu", "c"), ("ck", "c"), ("k", "c"), ("y", "i"), ("z", "s"),
           ("ai", "e"), ("ei", "e"))


def fold(text: str) -> str:
    """Place-name key: the shared normalisation (accents, case, "St"/"Ste"), leading article dropped.

    The article goes because the commune table writes "Rochelle" for La Rochelle:
    both sides lose it, so "La Rochelle" and "Rochelle" meet.
    """
    words = normalise_place_name(text).split()
    if len(words) > 1 and words[0] in _ARTICLES:
        words = words[1:]
    return " ".join(words)


def sound_key(key: str) -> str:
    """A folded name as it sounds: common French spellings of one sound merged, doubled letters
    single, one silent final letter dropped ("biarits" and "biarritz" both give "biarit").

    Kept deliberately narrow: it only confirms a typo that fuzzy matching already ranks first,
    so "Bourges" (bourge) does not become Bourg (bourg).
    """
    words = []
    for word in key.split():
        for spelling, sound in _SOUNDS:
            word = word.replace(spelling, sound)
        word = re.sub(r"(.)\1+", r"\1", word)
        if len(word) > 3 and word[-1] in "stxde":
            word = word[:-1]
        words.append(word)
    return " ".join(words)


@dataclass
class PlaceResult:
    query: str
    best: Commune | None
    alternatives: list[Commune] = field(default_factory=list)  # other candidates, or suggestions when not found
    match: str = "none"  # "postcode" | "insee" | "name" | "fuzzy" | "none"
    score: float = 0.0  # 100 for exact matches, rapidfuzz score for fuzzy ones
    message: str = ""  # French, for the user

    @property
    def found(self) -> bool:
        return self.best is not None

    @property
    def ambiguous(self) -> bool:
        return bool(self.alternatives) and self.match in ("postcode", "name", "fuzzy")

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "found": self.found,
            "match": self.match,
            "score": round(self.score, 1),
            "ambiguous": self.ambiguous,
            "message": self.message,
            "best": commune_dict(self.best) if self.best else None,
            "alternatives": [commune_dict(c) for c in self.alternatives],
        }


def commune_dict(c: Commune) -> dict[str, Any]:
    return {
        "insee": c.insee,
        "name": c.name,
        "postcodes": list(c.postcodes),
        "dept": c.dept,
        "dept_name": c.dept_name,
        "population": c.population,
        "lat": c.lat,
        "lon": c.lon,
    }


@lru_cache(maxsize=1)
def _name_table() -> tuple[list[str], dict[str, list[Commune]]]:
    by_name: dict[str, list[Commune]] = {}
    for c in communes().values():
        by_name.setdefault(fold(c.name), []).append(c)
    for group in by_name.values():
        group.sort(key=lambda c: -c.population)
    return list(by_name), by_name


@lru_cache(maxsize=1)
def _dept_names() -> dict[str, str]:
    return {fold(c.dept_name): c.dept for c in communes().values()}


def _label(c: Commune) -> str:
    return f"{c.name} ({c.dept})"


def _result(query: str, found: list[Commune], match: str, score: float = 100.0) -> PlaceResult:
    best, others = found[0], found[1 : 1 + MAX_ALTERNATIVES]
    if match == "fuzzy" and not others:
        message = f"« {query} » compris comme {_label(best)}."
    elif others:
        names = ", ".join(_label(c) for c in found[: 1 + MAX_ALTERNATIVES])
        message = f"Plusieurs communes correspondent à « {query} » : {names}. {_label(best)} retenue ; précisez si besoin."
    else:
        message = f"{_label(best)}."
    return PlaceResult(query, best, others, match, score, message)


def _split_hint(text: str) -> tuple[str, str | None]:
    """Remove parenthesised / trailing qualifiers; return (name part, department code or None)."""
    dept = None
    for inner in re.findall(r"\(([^)]*)\)", text):
        key = fold(inner)
        if _DEPT.match(key):
            dept = key
        elif key in _dept_names():
            dept = _dept_names()[key]
    text = re.sub(r"\([^)]*\)", " ", text)
    words = text.replace(",", " ").split()
    if len(words) > 1 and _DEPT.match(words[-1]):  # "Mérignac 33"
        dept = words.pop()
    return " ".join(words), dept


def resolve_place(text: str) -> PlaceResult:
    """Best commune for `text` plus alternatives, with a French message; never raises on bad input."""
    query = (text or "").strip()
    if not query:
        return PlaceResult(query, None, message="Indiquez une commune, un code postal ou un code INSEE.")
    name_part, dept = _split_hint(query)

    code = _CODE.search(name_part)
    if code:
        found = list(communes_by_postcode().get(code.group(1), ()))
        rest = fold(_CODE.sub(" ", name_part))
        if found:
            if rest:  # "64000 Pau": the name picks among the communes of the postcode
                found.sort(key=lambda c: -fuzz.ratio(fold(c.name), rest))
            else:
                found.sort(key=lambda c: -c.population)
            return _result(query, found, "postcode")
        commune = communes().get(code.group(1))
        if commune:
            return _result(query, [commune], "insee")
        if not rest:
            return PlaceResult(query, None, message=f"Aucune commune de Nouvelle-Aquitaine n'a le code « {code.group(1)} ».")
        name_part = rest

    key = fold(name_part)
    if not key:
        return PlaceResult(query, None, message=f"« {query} » n'est pas un nom de commune.")
    names, by_name = _name_table()
    exact = by_name.get(key)
    if exact:
        found = [c for c in exact if dept is None or c.dept == dept] or exact
        return _result(query, found, "name")

    prefixed = _word_prefix(key, names, by_name)
    if prefixed:
        return _result(query, prefixed, "name")

    cutoff = float(config.get("place_fuzzy_cutoff"))
    suggest = float(config.get("place_suggest_cutoff"))
    # Plain Levenshtein-style ratio: partial scorers would read "Marseille" as "Mars".
    matches = process.extract(key, names, scorer=fuzz.ratio, score_cutoff=suggest, limit=12)
    candidates = [(c, score) for name, score, _ in matches for c in by_name[name] if dept is None or c.dept == dept]
    candidates.sort(key=lambda cs: (-cs[1], -cs[0].population))
    if candidates and candidates[0][1] < cutoff and _clear_sound_alike(key, candidates):
        return _result(query, [candidates[0][0]], "fuzzy", candidates[0][1])
    if not candidates or candidates[0][1] < cutoff:
        message = f"Commune introuvable en Nouvelle-Aquitaine : « {query} »."
        if candidates:
            message += " Vouliez-vous dire : " + ", ".join(_label(c) for c, _ in candidates[:3]) + " ?"
        return PlaceResult(query, None, [c for c, _ in candidates[:MAX_ALTERNATIVES]], "none", 0.0, message)
    good = [c for c, score in candidates if score >= cutoff]
    return _result(query, good, "fuzzy", candidates[0][1])


def _clear_sound_alike(key: str, candidates: list[tuple[Commune, float]]) -> bool:
    """A low-scoring typo is still clear when its best candidate is one commune, strictly ahead of
    the next (no homonym, no tie) and pronounced the same; anything else stays a suggestion."""
    best, score = candidates[0]
    ahead = len(candidates) == 1 or candidates[1][1] < score
    return ahead and sound_key(fold(best.name)) == sound_key(key)


def _word_prefix(key: str, names: list[str], by_name: dict[str, list[Commune]]) -> list[Commune]:
    """Communes for a name typed in part ("Brive") or with a district after it ("Lacanau Océan")."""
    longer = [c for name in names if name.startswith(key + " ") for c in by_name[name]]
    if longer and len(key) >= 4 and key not in _GENERIC:
        return sorted(longer, key=lambda c: -c.population)
    words = key.split()
    for n in range(len(words) - 1, 0, -1):
        head = " ".join(words[:n])
        if len(head) >= 3 and head in by_name:
            return by_name[head]
    return []

"""Distances and place-name normalisation over the shipped commune table.

People type places as "St Jean de Luz", "saint-jean-de-luz" or "ST-JEAN-DE-LUZ";
`normalise_place_name` folds them all to one key so the search layer
(`resolve_place`) can match them against `communes_by_name()`.
Distances are great-circle (haversine) between town halls: good enough to rank
training sites by travel effort; real travel times are not available offline.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache

import numpy as np

from catalog.referentials import Commune, communes

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)

_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes", "s/": "sur"}


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def normalise_place_name(text: str) -> str:
    """Matching key: no accents, lower case, hyphens/apostrophes as spaces, St/Ste expanded.

    "Ste-Foy-la-Grande" and "sainte foy la grande" give "sainte foy la grande";
    "L'Isle-d'Espagnac" gives "l isle d espagnac"; a trailing "CEDEX 9" is dropped.
    """
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("œ", "oe").replace("æ", "ae")
    text = re.sub(r"\bs/\s*", "sur ", text)
    text = re.sub(r"[-'’‘`´_.,;:()/\"]", " ", text)
    words = [_ABBREVIATIONS.get(w, w) for w in text.split()]
    while len(words) > 1 and (words[-1] == "cedex" or (words[-1].isdigit() and "cedex" in words[-2:])):
        words.pop()
    return " ".join(words)


@lru_cache(maxsize=None)
def communes_by_name() -> dict[str, tuple[Commune, ...]]:
    """Normalised name -> communes (several communes can share a name across departments)."""
    out: dict[str, list[Commune]] = {}
    for c in communes().values():
        out.setdefault(normalise_place_name(c.name), []).append(c)
    return {k: tuple(sorted(v, key=lambda c: -c.population)) for k, v in out.items()}


@lru_cache(maxsize=None)
def _coords() -> tuple[tuple[Commune, ...], np.ndarray]:
    items = tuple(communes().values())
    return items, np.radians(np.array([(c.lat, c.lon) for c in items], dtype=np.float64))


def distances_from(lat: float, lon: float) -> list[tuple[Commune, float]]:
    """Every commune with its distance (km) from a point, vectorised (4,293 rows, ~1 ms)."""
    items, rad = _coords()
    p, l0 = math.radians(lat), math.radians(lon)
    a = np.sin((rad[:, 0] - p) / 2) ** 2 + math.cos(p) * np.cos(rad[:, 0]) * np.sin((rad[:, 1] - l0) / 2) ** 2
    d = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))
    return list(zip(items, d.tolist()))


def nearest_communes(lat: float, lon: float, k: int = 5, max_km: float | None = None) -> list[tuple[Commune, float]]:
    """The k communes nearest to a point (town halls), nearest first, optionally within max_km."""
    pairs = distances_from(lat, lon)
    if max_km is not None:
        pairs = [(c, d) for c, d in pairs if d <= max_km]
    pairs.sort(key=lambda cd: (cd[1], cd[0].insee))
    return pairs[:k]


def commune_distance_km(insee_a: str, insee_b: str) -> float | None:
    """Distance between two communes' town halls; None if either code is unknown."""
    table = communes()
    a, b = table.get(insee_a), table.get(insee_b)
    if a is None or b is None:
        return None
    return distance_km(a.lat, a.lon, b.lat, b.lon)

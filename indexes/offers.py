"""Offer search: free text and/or job codes, filtered on sessions (place, radius, dates) and offers.

Scoring: weighted mean of three signals on a 0..1 scale (weights in config.json,
"offer_weights"):
- semantic: cosine between the query and the offer's `search_text()` embedding,
  mapped to 0..1 between the cosines of an unrelated and of a matching offer
  (per embedder, "offer_cosine_calibration": raw e5 cosines all sit in 0.75-0.95);
- jobs: the wish is matched to ROME jobs (JobSearcher) and offers certifying for
  those jobs get the job's score as a bonus, so "aide soignante" finds the DEAS
  even when its description never says "soignante";
- lexical: rapidfuzz similarity between the normalised query and the title,
  computed only for the best semantic candidates (it is the slow part).
Filters are vectorised over numpy arrays prepared once per catalogue (session
coordinates, start dates, offer kinds and levels), which keeps a query on
100 000 offers within the latency budget (bench/search_speed.py).
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any, Callable, Iterable

import numpy as np
from rapidfuzz import fuzz

from catalog.geo import EARTH_RADIUS_KM
from catalog.model import Modality, Offer, OfferKind, Rhythm, Session
from catalog.referentials import Commune, communes

from . import config
from .places import resolve_place
from .vector import VectorIndex

from .text import normalize as _normalize_text

_NO_DATE = np.iinfo(np.int64).min


@dataclass
class SessionHit:
    session: Session
    distance_km: float | None = None

    def to_dict(self) -> dict[str, Any]:
        s = self.session
        return {
            "id": s.id,
            "start": s.start.isoformat() if s.start else None,
            "end": s.end.isoformat() if s.end else None,
            "commune_insee": s.commune_insee,
            "commune_name": s.commune_name,
            "distance_km": None if self.distance_km is None else round(self.distance_km, 1),
            "places_left": s.places_left,
            "recruitment": s.recruitment.value,
            "entry_mode": s.entry_mode.value,
        }


@dataclass
class OfferHit:
    offer: Offer
    sessions: list[SessionHit]
    score: float
    why: str  # French explanation of the rank

    def to_dict(self) -> dict[str, Any]:
        o = self.offer
        return {
            "offer_id": o.id,
            "title": o.title,
            "kind": o.kind.value,
            "level": o.certification.level,
            "rome_codes": list(o.rome_codes),
            "provider": o.provider.name,
            "score": round(self.score, 4),
            "why": self.why,
            "sessions": [s.to_dict() for s in self.sessions],
        }


def haversine_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Great-circle distances from one point to arrays of points (NaN where unknown)."""
    p1, p2 = np.radians(lat), np.radians(lats)
    dphi, dlmb = p2 - p1, np.radians(lons - lon)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _reasons(lexical: float, job: str | None, semantic: float, cosine: float) -> list[str]:
    reasons = []
    if lexical >= 0.8:
        reasons.append("intitulé proche des mots de la demande")
    if job:
        reasons.append(job)
    if semantic >= 0.5:
        reasons.append(f"contenu proche de la demande (similarité {cosine:.2f})")
    return reasons or ["rapprochement faible avec la demande"]


def _kind(value: OfferKind | str) -> OfferKind:
    try:
        return OfferKind(value)
    except ValueError:
        known = ", ".join(k.value for k in OfferKind)
        raise ValueError(f"Type d'offre inconnu : « {value} » (types possibles : {known}).") from None


def _is_accessible(o: Offer) -> bool:
    a = o.accessibility
    return a.referent_handicap is not None or bool(a.accessible_premises)


class OfferSearcher:
    """Immutable search structure over one catalogue and its offers index (safe to share between threads)."""

    def __init__(self, catalogue: Any, index: VectorIndex, embedder: Any, job_searcher: Any = None) -> None:
        self.embedder = embedder
        self.job_searcher = job_searcher
        self.index = index  # scored through `index.scores`: no float32 copy of a quantised index is made
        # Offers in index row order; an id unknown to the catalogue cannot happen with a valid index.
        self.offers: list[Offer] = [catalogue.offers[i] for i in index.ids]
        # The index's ids were read again from its ids.json: the catalogue's own id strings instead
        # (same values, 6 MB less at 100,000 offers; issue 14).
        index.ids = [o.id for o in self.offers]
        self._kinds = list(OfferKind)
        kind_code = {k: i for i, k in enumerate(self._kinds)}
        offers = self.offers
        self.o_kind = np.array([kind_code[o.kind] for o in offers], dtype=np.int16)
        self.o_level = np.array([o.certification.level if o.certification.level is not None else np.nan for o in offers], dtype=np.float32)
        self.o_part_time = np.array([o.rhythm == Rhythm.PART_TIME or o.accessibility.part_time_possible for o in offers], dtype=bool)
        self.o_accessible = np.array([_is_accessible(o) for o in offers], dtype=bool)
        self.o_remote = np.array([o.modality == Modality.DISTANCE for o in offers], dtype=bool)
        # One normalised key per distinct title: large catalogues repeat titles (the same certification
        # at many providers), and a key per offer was ~10 MB at 100k offers (issue 14).
        keys: dict[str, str] = {}
        self._titles = [keys.get(o.title) or keys.setdefault(o.title, _normalize_text(o.title)) for o in offers]
        # Typed arrays rather than lists of ints: their transient peak was tens of MB at 100,000 offers (issue 14).
        rows_by_rome: dict[str, array] = {}
        for row, o in enumerate(offers):
            for code in o.rome_codes:
                rows_by_rome.setdefault(code.upper(), array("q")).append(row)
        self._rows_by_rome = {code: np.array(rows, dtype=np.int64) for code, rows in rows_by_rome.items()}
        # Sessions laid out contiguously per offer: offer row r owns sessions [s_begin[r], s_end[r]).
        place = communes()
        self.sessions: list[Session] = []
        counts = np.zeros(len(offers), dtype=np.int64)
        lats, lons, starts, permanent = array("d"), array("d"), array("q"), array("b")
        for row, o in enumerate(offers):
            counts[row] = len(o.sessions)
            for s in o.sessions:
                lat, lon = s.lat, s.lon
                if (lat is None or lon is None) and s.commune_insee in place:
                    c = place[s.commune_insee]
                    lat, lon = c.lat, c.lon
                self.sessions.append(s)
                lats.append(np.nan if lat is None else lat)
                lons.append(np.nan if lon is None else lon)
                starts.append(s.start.toordinal() if s.start else _NO_DATE)
                permanent.append(s.entry_mode.value == "PERMANENT")
        self.s_end = np.cumsum(counts)
        self.s_begin = self.s_end - counts
        self._offers_with_sessions = np.flatnonzero(counts > 0)
        self.s_offer = np.repeat(np.arange(len(offers)), counts)
        self._s_lat_rad = np.radians(np.array(lats, dtype=np.float64))  # only radians are used (distances)
        self._s_lon_rad = np.radians(np.array(lons, dtype=np.float64))
        self._s_cos_lat = np.cos(self._s_lat_rad)
        self.s_start = np.array(starts, dtype=np.int64)
        self.s_permanent = np.array(permanent, dtype=bool)
        self.weights = {k: float(v) for k, v in config.get("offer_weights").items()}
        calibration = config.get("offer_cosine_calibration")
        self._calibration = tuple(calibration.get(getattr(embedder, "name", ""), calibration["e5"]))

    # ------------------------------------------------------------------ search
    def search(
        self,
        query: str | None = None,
        romes: list[str] | None = None,
        kinds: Iterable[OfferKind | str] | None = None,
        commune: str | Commune | None = None,
        radius_km: float | None = None,
        level_min: int | None = None,
        level_max: int | None = None,
        start_after: date | None = None,
        start_before: date | None = None,
        part_time: bool | None = None,
        accessible: bool | None = None,
        k: int = 50,
    ) -> list[OfferHit]:
        """Best offers for the query among those passing every filter.

        `romes` and `kinds` restrict (an offer must have one of the codes / kinds);
        level bounds apply to the certification level (offers without one are
        excluded when a bound is set); session filters (commune + radius, dates)
        keep an offer when one of its sessions passes, distance-learning offers
        passing the radius. Sessions come back sorted by distance, then date.
        """
        n = len(self.offers)
        query = (query or "").strip() or None
        ok = np.ones(n, dtype=bool)
        if kinds:
            ok &= np.isin(self.o_kind, [self._kinds.index(_kind(k)) for k in kinds])
        if romes:
            rome_ok = np.zeros(n, dtype=bool)
            for code in romes:
                rome_ok[self._rows_by_rome.get(code.strip().upper(), [])] = True
            ok &= rome_ok
        if level_min is not None:
            ok &= self.o_level >= level_min  # NaN compares False: no level, excluded
        if level_max is not None:
            ok &= self.o_level <= level_max
        if part_time is not None:
            ok &= self.o_part_time == part_time
        if accessible is not None:
            ok &= self.o_accessible == accessible

        origin = self._origin(commune, radius_km)
        s_ok = ok[self.s_offer]
        distances = None
        if origin is not None:
            distances = self._distances(origin)
            if radius_km is not None:
                s_ok &= (distances <= radius_km) | self.o_remote[self.s_offer]
        if start_after is not None:
            s_ok &= (self.s_start >= start_after.toordinal()) | self.s_permanent
        if start_before is not None:
            s_ok &= ((self.s_start <= start_before.toordinal()) & (self.s_start != _NO_DATE)) | self.s_permanent
        session_filter = radius_km is not None or start_after is not None or start_before is not None
        if session_filter:
            has = np.zeros(n, dtype=bool)
            has[self.s_offer[s_ok]] = True
            ok &= has
        candidates = np.flatnonzero(ok)
        if candidates.size == 0 or k <= 0:
            return []

        why: dict[int, Callable[[], list[str]]] = {}
        if query:
            score, why = self._score(query, candidates)
            # Scores are continuous: sorting a few more than k settles the ties.
            keep = min(candidates.size, 4 * k + 50)
            if keep < candidates.size:
                top = np.argpartition(-score, keep - 1)[:keep]
                candidates, score = candidates[top], score[top]
        else:
            score = np.zeros(candidates.size, dtype=np.float32)
        # Ties (and the no-query case) go to the nearest, then the earliest, session.
        nearest = self._per_offer_min(distances, s_ok, candidates)
        earliest = self._per_offer_min(np.where(self.s_start == _NO_DATE, np.inf, self.s_start.astype(np.float64)), s_ok, candidates)
        order = np.lexsort((earliest, nearest, -score))[:k]
        hits = []
        for i in order:
            row = int(candidates[i])
            sessions = self._sessions(row, s_ok, distances)
            reasons = why[row]() if row in why else []
            if self.o_remote[row]:
                reasons.append("formation à distance")
            if sessions and sessions[0].distance_km is not None:
                reasons.append(f"session la plus proche à {sessions[0].distance_km:.0f} km")
            hits.append(OfferHit(self.offers[row], sessions, float(score[i]), " ; ".join(reasons)))
        return hits

    def _origin(self, commune: str | Commune | None, radius_km: float | None) -> Commune | None:
        if commune is None or (isinstance(commune, str) and not commune.strip()):
            if radius_km is not None:
                raise ValueError("Un rayon de recherche demande une commune de départ.")
            return None
        if radius_km is not None and radius_km < 0:
            raise ValueError("Le rayon de recherche doit être positif.")
        if isinstance(commune, Commune):
            return commune
        place = resolve_place(commune)
        if not place.found:
            raise ValueError(place.message)
        return place.best

    def _distances(self, origin: Commune) -> np.ndarray:
        """Haversine from `origin` to every session, on precomputed radians and cosines."""
        p, l0 = np.radians(origin.lat), np.radians(origin.lon)
        a = np.sin((self._s_lat_rad - p) / 2) ** 2 + np.cos(p) * self._s_cos_lat * np.sin((self._s_lon_rad - l0) / 2) ** 2
        return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))

    def _score(self, query: str, candidates: np.ndarray) -> tuple[np.ndarray, dict[int, Callable[[], list[str]]]]:
        """Weighted mean of three 0..1 signals, and the French reasons of the best rows (built on demand)."""
        w = self.weights
        qv = self.embedder.encode_queries([query])[0]
        if candidates.size * 4 < len(self.offers):
            cosine = self.index.scores(qv, candidates)
        else:  # a full mat-vec avoids gathering most of the matrix
            cosine = self.index.scores(qv)[candidates]
        floor, ceil = self._calibration
        semantic = np.clip((cosine - floor) / (ceil - floor), 0.0, 1.0)
        score = w["semantic"] * semantic
        job_bonus = np.zeros(len(self.offers), dtype=np.float32)
        job_reason: dict[int, str] = {}
        if self.job_searcher is not None and w.get("rome"):
            min_score = float(config.get("offer_min_job_score"))
            for job in self.job_searcher.search(query, k=int(config.get("offer_jobs_k"))):
                if job.score < min_score:
                    continue
                rows = self._rows_by_rome.get(job.rome, np.empty(0, dtype=np.int64))
                better = rows[job_bonus[rows] < job.score]
                job_bonus[better] = job.score
                for r in better.tolist():
                    job_reason[r] = f"prépare au métier {job.rome} « {job.label} »"
            score = score + w["rome"] * job_bonus[candidates]
        lexical_k = min(candidates.size, max(int(config.get("offer_lexical_candidates")), 1))
        top = np.argpartition(-score, lexical_k - 1)[:lexical_k] if lexical_k < candidates.size else np.arange(candidates.size)
        q_norm = _normalize_text(query)
        why: dict[int, Callable[[], list[str]]] = {}
        for i in top.tolist():
            row = int(candidates[i])
            lexical = fuzz.token_set_ratio(q_norm, self._titles[row]) / 100.0 if q_norm else 0.0
            score[i] += w["lexical"] * lexical
            why[row] = partial(_reasons, lexical, job_reason.get(row), float(semantic[i]), float(cosine[i]))
        total = sum(w.values()) or 1.0
        return (score / total).astype(np.float32), why

    def _per_offer_min(self, values: np.ndarray | None, s_ok: np.ndarray, candidates: np.ndarray) -> np.ndarray:
        """Minimum of a per-session value over each candidate's passing sessions (inf if none)."""
        if values is None or values.size == 0:
            return np.full(candidates.size, np.inf)
        masked = np.where(s_ok & ~np.isnan(values), values, np.inf)
        out = np.full(len(self.offers), np.inf)
        # Sessions are contiguous per offer, so the offers that have sessions split the
        # array into consecutive segments: one reduceat gives every offer's minimum.
        owners = self._offers_with_sessions
        out[owners] = np.minimum.reduceat(masked, self.s_begin[owners])
        return out[candidates]

    def _sessions(self, row: int, s_ok: np.ndarray, distances: np.ndarray | None) -> list[SessionHit]:
        b, e = int(self.s_begin[row]), int(self.s_end[row])
        hits = []
        for j in range(b, e):
            if not s_ok[j]:
                continue
            d = None if distances is None or np.isnan(distances[j]) else float(distances[j])
            hits.append(SessionHit(self.sessions[j], d))
        hits.sort(key=lambda h: (h.distance_km if h.distance_km is not None else np.inf, h.session.start or date.max))
        return hits


def search_offers(query: str | None = None, **filters: Any) -> list[OfferHit]:
    """Offer search on the default (persisted) indexes; see `OfferSearcher.search` for the filters."""
    from .search import get_search_engine

    return get_search_engine().search_offers(query, **filters)

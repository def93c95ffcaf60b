"""Precomputed lookup structures over a catalogue, built once per catalogue.

`plan()` must answer in well under a second on 100k offers, so it never scans the
catalogue: a `CatalogueView` holds numpy arrays of every session's coordinates,
dates, places and flags, plus the row numbers of the sessions of each
(offer kind, ROME code) pair and of each module theme. It is built once and
cached by catalogue fingerprint; each plan only filters small candidate arrays.
"""

from __future__ import annotations

import math
import weakref
from array import array
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable

import numpy as np

from assistant.profile import fold_accents
from catalog.model import EntryMode, ModuleTheme, Offer, OfferKind, RecruitmentStatus, Rhythm, Session

EARTH_RADIUS_KM = 6371.0088
NO_DATE = -1


@dataclass
class CatalogueView:
    fingerprint: str
    offers: list[Offer]
    sessions: list[Session]
    offer_row: np.ndarray  # session row -> offer index
    lat: np.ndarray  # radians, NaN when unknown
    lon: np.ndarray
    start: np.ndarray  # date ordinals, NO_DATE when unknown
    end: np.ndarray
    places: np.ndarray  # places left, -1 when unknown
    permanent: np.ndarray  # bool: entrées / sorties permanentes
    open: np.ndarray  # bool: recruitment open
    part_time: np.ndarray  # bool: part-time rhythm or part-time possible
    extended: np.ndarray  # bool: extended duration possible
    ref_handicap: np.ndarray  # bool: a named référent handicap
    min_age: np.ndarray  # -1: none
    max_age: np.ndarray  # 999: none
    min_level: np.ndarray  # validated level the offer requires (prerequisites), 0: none
    prereq_months: np.ndarray  # field experience that can replace that level, 0: none
    cert: np.ndarray  # id of the certification title in `cert_ids`, -1: none
    cert_ids: dict[str, int] = field(default_factory=dict)  # normalised certification title -> id
    by_kind_rome: dict[tuple[OfferKind, str], np.ndarray] = field(default_factory=dict)
    by_kind: dict[OfferKind, np.ndarray] = field(default_factory=dict)
    by_theme: dict[ModuleTheme, np.ndarray] = field(default_factory=dict)
    by_id: dict[str, Offer] = field(default_factory=dict)
    demo: bool = False

    def __len__(self) -> int:
        return len(self.sessions)

    def rows(self, kind: OfferKind, romes: Iterable[str] | None = None) -> np.ndarray:
        """Session rows of a kind, restricted to ROME codes (in order, without duplicates) when given."""
        if romes is None:
            return self.by_kind.get(kind, _EMPTY)
        parts = [self.by_kind_rome.get((kind, r), _EMPTY) for r in romes]
        parts = [p for p in parts if len(p)]
        if not parts:
            return _EMPTY
        if len(parts) == 1:
            return parts[0]
        merged = np.concatenate(parts)
        _, first = np.unique(merged, return_index=True)
        return merged[np.sort(first)]

    def distances_km(self, rows: np.ndarray, lat: float, lon: float) -> np.ndarray:
        """Great-circle distances from (lat, lon) in degrees; NaN where the session has no place."""
        la, lo = math.radians(lat), math.radians(lon)
        dlat = self.lat[rows] - la
        dlon = self.lon[rows] - lo
        a = np.sin(dlat / 2) ** 2 + math.cos(la) * np.cos(self.lat[rows]) * np.sin(dlon / 2) ** 2
        return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))

    def offer_of(self, row: int) -> Offer:
        return self.offers[int(self.offer_row[row])]


_EMPTY = np.zeros(0, dtype=np.int64)


def title_key(title: str) -> str:
    """A certification title compared without case, accents or spacing ("Bac pro cuisine" = "Bac pro Cuisine")."""
    return " ".join(fold_accents(title).split())


def _ordinal(d: date | None) -> int:
    return d.toordinal() if d else NO_DATE


def build_view(offers: Iterable[Offer], fingerprint: str = "", by_id: dict[str, Offer] | None = None) -> CatalogueView:
    """One pass over the offers; every per-session fact the planner filters on becomes a column."""
    offer_list: list[Offer] = []
    sessions: list[Session] = []
    # Typed arrays, not lists: a list holds a pointer plus, for most values, an int or float object
    # per session; at 100,000 offers the lists' transient peak was ~40 MB of the process (issue 14).
    cols: dict[str, array] = {k: array(code) for k, code in (
        ("offer_row", "q"), ("lat", "d"), ("lon", "d"), ("start", "q"), ("end", "q"), ("places", "q"),
        ("permanent", "b"), ("open", "b"), ("part_time", "b"), ("extended", "b"), ("ref_handicap", "b"),
        ("min_age", "q"), ("max_age", "q"), ("min_level", "q"), ("prereq_months", "q"), ("cert", "q"))}
    by_kind_rome: dict[tuple[OfferKind, str], array] = {}
    by_kind: dict[OfferKind, array] = {}
    by_theme: dict[ModuleTheme, array] = {}
    cert_ids: dict[str, int] = {}
    demo = False
    for offer in offers:
        o_idx = len(offer_list)
        offer_list.append(offer)
        demo = demo or offer.provenance.demo
        acc = offer.accessibility
        part_time = offer.rhythm == Rhythm.PART_TIME or acc.part_time_possible
        has_ref = acc.referent_handicap is not None and bool(acc.referent_handicap.name or acc.referent_handicap.email
                                                              or acc.referent_handicap.phone)
        romes = list(dict.fromkeys(offer.rome_codes))
        cert = cert_ids.setdefault(title_key(offer.certification.title), len(cert_ids)) \
            if offer.certification.title else -1
        for session in offer.sessions:
            row = len(sessions)
            sessions.append(session)
            cols["offer_row"].append(o_idx)
            cols["lat"].append(session.lat if session.lat is not None else math.nan)
            cols["lon"].append(session.lon if session.lon is not None else math.nan)
            cols["start"].append(_ordinal(session.start))
            cols["end"].append(_ordinal(session.end))
            cols["places"].append(-1 if session.places_left is None else session.places_left)
            cols["permanent"].append(session.entry_mode == EntryMode.PERMANENT)
            cols["open"].append(session.recruitment == RecruitmentStatus.OUVERT)
            cols["part_time"].append(part_time)
            cols["extended"].append(acc.extended_duration_possible)
            cols["ref_handicap"].append(has_ref)
            cols["min_age"].append(-1 if offer.publics.min_age is None else offer.publics.min_age)
            cols["max_age"].append(999 if offer.publics.max_age is None else offer.publics.max_age)
            cols["min_level"].append(offer.prerequisites.min_level or 0)
            cols["prereq_months"].append(offer.prerequisites.experience_months or 0)
            cols["cert"].append(cert)
            by_kind.setdefault(offer.kind, array("q")).append(row)
            for rome in romes:
                by_kind_rome.setdefault((offer.kind, rome), array("q")).append(row)
            if offer.kind == OfferKind.MODULE and offer.module_theme is not None:
                by_theme.setdefault(offer.module_theme, array("q")).append(row)
    arr = lambda name, dtype: np.asarray(cols[name], dtype=dtype)  # noqa: E731
    return CatalogueView(
        fingerprint=fingerprint,
        offers=offer_list,
        sessions=sessions,
        offer_row=arr("offer_row", np.int64),
        lat=np.radians(arr("lat", np.float64)),
        lon=np.radians(arr("lon", np.float64)),
        start=arr("start", np.int64),
        end=arr("end", np.int64),
        places=arr("places", np.int64),
        permanent=arr("permanent", bool),
        open=arr("open", bool),
        part_time=arr("part_time", bool),
        extended=arr("extended", bool),
        ref_handicap=arr("ref_handicap", bool),
        min_age=arr("min_age", np.int64),
        max_age=arr("max_age", np.int64),
        min_level=arr("min_level", np.int64),
        prereq_months=arr("prereq_months", np.int64),
        cert=arr("cert", np.int64),
        cert_ids=cert_ids,
        by_kind_rome={k: np.asarray(v, dtype=np.int64) for k, v in by_kind_rome.items()},
        by_kind={k: np.asarray(v, dtype=np.int64) for k, v in by_kind.items()},
        by_theme={k: np.asarray(v, dtype=np.int64) for k, v in by_theme.items()},
        by_id=by_id if by_id is not None else {o.id: o for o in offer_list},
        demo=demo,
    )


def catalogue_offers(catalogue: Any) -> list[Offer]:
    """Offers of a `Catalogue` (its `offers` dict), or of a plain dict / list of offers."""
    offers = getattr(catalogue, "offers", catalogue)
    if isinstance(offers, dict):
        return list(offers.values())
    return list(offers)


def fingerprint(catalogue: Any) -> str:
    """The catalogue's own fingerprint when it has one, else its identity and size."""
    own = getattr(catalogue, "fingerprint", None)
    if callable(own):
        own = own()
    if own:
        return str(own)
    offers = getattr(catalogue, "offers", catalogue)
    return f"id{id(catalogue)}:{len(offers)}"


# fingerprint -> (weak reference to the catalogue, view); a few entries (shipped + imported catalogue).
_CACHE: dict[str, tuple[Any, CatalogueView]] = {}
_CACHE_SIZE = 4


def view_for(catalogue: Any) -> CatalogueView:
    """The cached view of a catalogue, built on first use."""
    key = fingerprint(catalogue)
    hit = _CACHE.get(key)
    if hit is not None:
        ref, view = hit
        if ref() is catalogue:
            return view
    own = getattr(catalogue, "offers", None)  # a Catalogue's own id -> offer dict: no second one (issue 14)
    view = build_view(catalogue_offers(catalogue), key, own if isinstance(own, dict) else None)
    try:
        ref = weakref.ref(catalogue)
    except TypeError:  # plain lists/dicts cannot be weakly referenced: hold them strongly
        ref = lambda obj=catalogue: obj  # noqa: E731
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = (ref, view)
    return view

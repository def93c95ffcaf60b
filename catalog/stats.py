"""Volumes of a catalogue: by kind, department, level and sector, with the date range.

Why: an adviser or an administrator must see at a glance what a catalogue
covers (is the demo loaded? is a department or a scheme missing?) and the
benchmarks and tests check volumes through the same numbers.

`python -m catalog stats [--json] [--catalogue F]`
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from typing import Any, Iterable

from catalog.model import OfferKind, Sector
from catalog.store import Catalogue, CatalogueError, load_catalogue

UNKNOWN = "inconnu"
NO_LEVEL = "sans niveau"


def _department(insee: str | None, postcode: str | None) -> str:
    """Department code of a session place; the INSEE code first, the postcode as a fallback."""
    from catalog.referentials import communes

    commune = communes().get(insee or "")
    if commune:
        return commune.dept
    for code in (insee, postcode):
        if code and len(code) == 5 and code[:2].isdigit():
            return code[:2]
    return UNKNOWN


def _sorted(counter: Counter) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def compute_stats(cat: Catalogue) -> dict[str, Any]:
    """Counts of offers and sessions by kind, sessions by department, offers by level and sector."""
    from catalog.referentials import departments

    offers_by_kind: Counter = Counter()
    sessions_by_kind: Counter = Counter()
    sessions_by_dept: Counter = Counter()
    by_level: Counter = Counter()
    by_sector: Counter = Counter()
    starts, ends = [], []
    for offer in cat:
        offers_by_kind[offer.kind.value] += 1
        level = offer.certification.level
        by_level[str(level) if level is not None else NO_LEVEL] += 1
        by_sector[offer.sector.value] += 1
        for session in offer.sessions:
            sessions_by_kind[offer.kind.value] += 1
            sessions_by_dept[_department(session.commune_insee, session.postcode)] += 1
            if session.start:
                starts.append(session.start)
            if session.end:
                ends.append(session.end)
    names = departments()
    kinds = [k.value for k in OfferKind if offers_by_kind[k.value]]
    return {
        "demo": cat.is_demo,
        "offers": len(cat),
        "sessions": cat.session_count,
        "by_kind": {k: {"offers": offers_by_kind[k], "sessions": sessions_by_kind[k]} for k in kinds},
        "sessions_by_department": {
            d: {"name": names.get(d, UNKNOWN), "sessions": n} for d, n in _sorted(sessions_by_dept).items()
        },
        "offers_by_level": dict(sorted(by_level.items())),
        "offers_by_sector": _sorted(by_sector),
        "start_range": [min(starts).isoformat(), max(starts).isoformat()] if starts else None,
        "end_max": max(ends).isoformat() if ends else None,
        "fingerprint": cat.fingerprint(),
        "meta": {k: cat.meta[k] for k in ("generator_version", "seed", "anchor", "generated_at") if k in cat.meta},
    }


_COUNT_WIDTHS = {"offres": 7, "sessions": 9}


def _section(title: str, width: int, counts: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> list[str]:
    """A blank line, a header, then one line per (label, *numbers): numbers right-aligned under their header."""
    def line(label: str, values: Iterable[Any]) -> str:
        return f"{label:<{width}}" + "".join(f" {v:>{_COUNT_WIDTHS[c]}}" for c, v in zip(counts, values))

    return ["", line(title, counts)] + [line(label, values) for label, *values in rows]


def format_table(stats: dict[str, Any]) -> str:
    """The human (French) rendering of `compute_stats`."""
    lines = [
        f"Catalogue : {stats['offers']} offres, {stats['sessions']} sessions"
        + (" — données de démonstration" if stats["demo"] else ""),
    ]
    if stats["start_range"]:
        lines.append(f"Entrées en formation du {stats['start_range'][0]} au {stats['start_range'][1]}"
                     f" (dernière fin : {stats['end_max']})")
    lines += _section("Type d’offre", 52, ("offres", "sessions"),
                      ((OfferKind(kind).label, n["offers"], n["sessions"]) for kind, n in stats["by_kind"].items()))
    lines += _section("Département", 40, ("sessions",),
                      ((f"{code} {d['name']}", d["sessions"]) for code, d in stats["sessions_by_department"].items()))
    lines += _section("Niveau de la certification", 40, ("offres",),
                      ((f"niveau {level}" if level != NO_LEVEL else level, n)
                       for level, n in stats["offers_by_level"].items()))
    lines += _section("Secteur", 64, ("offres",),
                      ((Sector(sector).label, n) for sector, n in stats["offers_by_sector"].items()))
    return "\n".join(lines)


def run_stats(args) -> int:
    try:
        cat = load_catalogue(args.catalogue) if args.catalogue else load_catalogue()
    except CatalogueError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    stats = compute_stats(cat)
    print(json.dumps(stats, ensure_ascii=False, indent=2, allow_nan=False) if args.json else format_table(stats))
    return 0

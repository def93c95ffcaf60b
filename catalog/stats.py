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
        "coverage": coverage(cat),
        "fingerprint": cat.fingerprint(),
        "meta": {k: cat.meta[k] for k in ("generator_version", "seed", "anchor", "generated_at") if k in cat.meta},
    }


def coverage(cat: Catalogue) -> dict[str, Any]:
    """How much of the catalogue the real territory figures cover (issue 12; thresholds in tests).

    - apprenticeship offers whose certification has InserJeunes rates (cohort large enough);
    - distinct ROME codes of the offers with a France Travail tension value in at least one area;
    - BMO 2024 rows (and recruitment projects) whose FAP 2021 job is mapped to ROME codes.
    """
    from catalog.outcomes import offer_real_outcome
    from catalog.referentials import area_tension_romes, bmo_rows, fap2021, rome_codes

    appr = [o for o in cat if o.kind is OfferKind.APPRENTISSAGE]
    real = sum(1 for o in appr if offer_real_outcome(o) is not None)
    codes = rome_codes()
    tensioned = area_tension_romes()
    romes = {r for o in cat for r in o.rome_codes}
    romes_v3 = {codes[r].parent if r in codes else r for r in romes}
    faps = fap2021()
    rows = bmo_rows()
    mapped = [r for r in rows if faps.get(r.fap) and faps[r.fap].romes]
    projects = sum(r.projects or 0 for r in rows)

    def share(n: int, d: int) -> float | None:
        return round(n / d, 4) if d else None

    return {
        "apprenticeship_offers": len(appr), "apprenticeship_with_real_outcomes": real,
        "apprenticeship_real_share": share(real, len(appr)),
        "offer_romes": len(romes_v3), "offer_romes_with_area_tension": len(romes_v3 & tensioned),
        "offer_romes_area_tension_share": share(len(romes_v3 & tensioned), len(romes_v3)),
        "bmo_rows": len(rows), "bmo_rows_mapped": len(mapped), "bmo_rows_mapped_share": share(len(mapped), len(rows)),
        "bmo_projects_mapped_share": share(sum(r.projects or 0 for r in mapped), projects),
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
    cov = stats.get("coverage")
    if cov:
        def pct(x: float | None) -> str:
            return "-" if x is None else f"{x * 100:.1f} %".replace(".", ",")

        lines += [
            "", "Couverture des données territoriales réelles",
            f"Offres d'apprentissage avec taux InserJeunes    {cov['apprenticeship_with_real_outcomes']:>6} / "
            f"{cov['apprenticeship_offers']:<6} {pct(cov['apprenticeship_real_share'])}",
            f"Codes ROME des offres avec tension par bassin   {cov['offer_romes_with_area_tension']:>6} / "
            f"{cov['offer_romes']:<6} {pct(cov['offer_romes_area_tension_share'])}",
            f"Lignes BMO rattachées à des codes ROME          {cov['bmo_rows_mapped']:>6} / {cov['bmo_rows']:<6} "
            f"{pct(cov['bmo_rows_mapped_share'])} (projets : {pct(cov['bmo_projects_mapped_share'])})",
        ]
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

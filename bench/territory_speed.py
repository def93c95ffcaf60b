"""Benchmark of the territory computations (issue 12) at the demo size and at 100k offers.

    /work/venv/bin/python bench/territory_speed.py [--offers 100000] [--repeat 5] [--write docs/benchmarks.md]

Timed (warm, referential tables loaded): the one-off session index of a catalogue
(`catalog.territory.build_index`, cached per catalogue fingerprint by `index_for`), the
first steering overview after it (it fills the per-index caches: sessions within 30 km of each area
centre per family, InserJeunes rate per offer), then the warm steering overview for the whole region, for one department (33) and for one area (7532),
and `close_jobs` for six experience profiles (a mason, a cashier, a care assistant...).
The 100k catalogue is synthetic, as in bench/plan_speed.py: the demo catalogue replicated
with new ids and sessions shifted by up to ±14 days (same real communes), so the spatial
spread is the demo's. Targets: overview ≤ 2 s for the region at 100k offers (a page refresh),
close_jobs p95 ≤ 100 ms (inside a plan).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from datetime import date, datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from catalog import referentials as ref  # noqa: E402
from catalog import territory as terr  # noqa: E402
from bench.plan_speed import synthetic  # noqa: E402  (the same synthetic 100k catalogue)
from catalog.store import Catalogue, load_demo  # noqa: E402

TODAY = date(2026, 11, 29)
CAREERS = [  # (experience ROME codes, commune)
    (["F1703"], "64445"),  # maçon, Pau
    (["D1505"], "33063"),  # caissier, Bordeaux
    (["J1501"], "87085"),  # aide-soignant, Limoges
    (["N1103"], "86194"),  # magasinier, Poitiers
    (["G1602", "G1603"], "17300"),  # cuisinier, La Rochelle
    (["K1304"], "40192"),  # aide à domicile, Mont-de-Marsan
]
TARGETS = {"overview_region_100k_s": 2.0, "close_jobs_p95_ms": 100.0}


def timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def p95(values: list[float]) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, round(0.95 * (len(v) - 1)))]


def measure(cat: Catalogue, repeat: int) -> dict:
    t0 = time.perf_counter()
    index = terr.build_index(cat)
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    terr.overview(index, today=TODAY)  # first call: fills the per-index caches (distances per family, rates)
    first = time.perf_counter() - t0
    rows = {
        "overview_region_first_call": [first],
        "overview_region": timed(lambda: terr.overview(index, today=TODAY), repeat),
        "overview_dept_33": timed(lambda: terr.overview(index, dept="33", today=TODAY), repeat),
        "overview_area_7532": timed(lambda: terr.overview(index, area="7532", today=TODAY), repeat),
    }
    for romes, insee in CAREERS:
        terr.close_jobs(romes, insee, index, radius_km=30, today=TODAY)
    calls = []
    for _ in range(repeat):
        for romes, insee in CAREERS:
            t0 = time.perf_counter()
            terr.close_jobs(romes, insee, index, radius_km=30, today=TODAY)
            calls.append(time.perf_counter() - t0)
    rows["close_jobs"] = calls
    return {"offers": len(cat), "sessions": cat.session_count, "build_s": build, "rows": rows}


def table(results: list[dict]) -> str:
    lines = ["| catalogue | offres | sessions | index (s, une fois) | calcul | p50 (ms) | p95 (ms) |",
             "|---|---|---|---|---|---|---|"]
    for r in results:
        for name, values in r["rows"].items():
            lines.append(f"| {r['label']} | {r['offers']} | {r['sessions']} | {r['build_s']:.2f} | {name} | "
                         f"{statistics.median(values) * 1000:.1f} | {p95(values) * 1000:.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--write", help="append the results to this Markdown file")
    args = parser.parse_args(argv)

    ref.load_all()
    demo = load_demo()
    results = []
    for label, cat in (("démo", demo), (f"synthétique {args.offers // 1000}k", synthetic(demo, args.offers))):
        r = measure(cat, args.repeat)
        r["label"] = label
        results.append(r)
    text = table(results)
    big = results[-1]["rows"]
    verdict = (f"Cibles : vue région à {args.offers // 1000}k offres ≤ {TARGETS['overview_region_100k_s']} s "
               f"(mesuré p95 {p95(big['overview_region']):.2f} s) ; close_jobs p95 ≤ "
               f"{TARGETS['close_jobs_p95_ms']:.0f} ms (mesuré {p95(big['close_jobs']) * 1000:.1f} ms).")
    header = (f"Machine : {platform.machine()} {platform.processor() or ''}, Python {platform.python_version()}, "
              f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC ; répétitions : {args.repeat}.")
    print(header)
    print(text)
    print(verdict)
    if args.write:
        with open(args.write, "a", encoding="utf-8") as fh:
            fh.write(f"\n\n## Territoire (pilotage de l'offre, métiers proches) — bench/territory_speed.py\n\n"
                     f"{header}\n\n{text}\n\n{verdict}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

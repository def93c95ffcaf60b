"""Fresh probes of job-wish understanding (bench/data/probes_understanding.csv).

The probes are NOT benchmark sets: each batch was written after the previous tuning to
measure how the "no silent guess" rule generalises (docs/search.md, Understanding).
Probes 1-3 were then used for tuning; probe 4 (30 vague + 30 valid wishes) was written
before the naming-word gate and run once at the end. Prints, per probe, how many wishes
got the expected reading (`unclear` = understood false) and each miss.

Run: `python -m bench.probes_understanding`
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR.parent) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR.parent))

from bench.search_quality import build_searcher  # noqa: E402


def main() -> int:
    with (BENCH_DIR / "data" / "probes_understanding.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    readings = build_searcher().understand_many([r["wish"] for r in rows], k=3)
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for row, reading in zip(rows, readings):
        groups[(row["probe"], row["expected"])].append((row, reading))
    print("| probe | expected | n | as expected |\n|---|---|---|---|")
    for (probe, expected), items in sorted(groups.items()):
        good = sum((not x.understood) == (expected == "unclear") for _, x in items)
        print(f"| {probe} | {expected} | {len(items)} | {good}/{len(items)} |")
    for (probe, expected), items in sorted(groups.items()):
        for row, x in items:
            if (not x.understood) != (expected == "unclear"):
                top = ", ".join(f"{h.rome} {h.label[:40]} {h.score:.2f}" for h in x.results[:2])
                print(f"[probe {probe}, want {expected}] {row['wish']!r}: understood={x.understood} "
                      f"reason={x.reason} ambiguous={x.ambiguous} {top}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

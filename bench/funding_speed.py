"""Cost of the funding plan and the income timeline added to `assistant.plan()` (issue 9).

A/B on the same warm process and catalogue (demo): each persona with ROME codes is planned with and
without `assistant.funding.add_funding`, interleaved so that the machine load hits both sides alike.
Prints a Markdown table. Usage: python bench/funding_speed.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from datetime import date
from pathlib import Path

import assistant.api as api
import assistant.funding as funding

TODAY = date(2026, 11, 26)
PERSONAS = Path(__file__).resolve().parents[1] / "tests" / "cases" / "personas"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    catalogue = api.default_catalogue()
    profiles = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(PERSONAS.glob("P*.json"))]
    profiles = [p for p in profiles if p.get("wish_romes")]
    real = funding.add_funding
    for p in profiles:  # warm-up: view, referentials
        api.plan(p, TODAY, catalogue=catalogue)
    timings: dict[str, list[float]] = {"avec financement et revenus": [], "sans (add_funding neutralisé)": []}
    for _ in range(args.repeat):
        for p in profiles:
            for label, hook in (("avec financement et revenus", real), ("sans (add_funding neutralisé)", lambda r, *a, **k: r)):
                funding.add_funding = hook
                t = time.perf_counter()
                api.plan(p, TODAY, catalogue=catalogue)
                timings[label].append(time.perf_counter() - t)
    funding.add_funding = real
    print(f"Load average: {os.getloadavg()[0]:.1f} — {len(profiles)} personas × {args.repeat}")
    print("| plan() | appels | p50 (ms) | p95 (ms) |")
    print("|---|---|---|---|")
    for label, values in timings.items():
        print(f"| {label} | {len(values)} | {statistics.median(values) * 1000:.1f} | {_pct(values, 0.95):.1f} |")


if __name__ == "__main__":
    main()

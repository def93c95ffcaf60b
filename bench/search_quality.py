"""Job search quality on our own labelled wishes: top-1 / top-5 per signal, part and split.

Four parts in bench/data/, each with a "dev" split (used while tuning the tables and
weights) and a held-out "test" split (25 %):
- simple (wishes_simple.csv), hard (wishes_hard.csv): wishes in people's words;
- short (wishes_short.csv): 1-3 word search-box wishes written from the ROME
  appellations (common jobs, gender and plural forms, missing accents, clipped words
  and abbreviations: "compta", "chauffeur pl", "educ spe");
- unclear (wishes_unclear.csv): wishes that name no job (keyboard noise, greetings,
  numbers, intentions and conditions without a job, places): they must be flagged
  `understood = False`.
A wish counts as found at top-n when one of its first n results is among its
accepted ROME codes (several codes when the wish is legitimately ambiguous, and
for a sector named alone). "Flagged" = `JobSearcher.understand(...).understood` is
False: wanted ≥ 90 % on unclear wishes, ≤ 3 % on the valid ones.

Signals compared: semantic only (e5 nearest passage on the raw text), lexical only
(LexicalIndex on the raw text) and fused (JobSearcher: intent parsing, curated
tables, fusion). Passage vectors are cached under `data_dir()/embedding_cache`.

Run: `python -m bench.search_quality [--write] [--failures]`
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from indexes.jobs import JobSearcher, job_documents  # noqa: E402

PARTS = ("simple", "hard", "short")
# Goals of issue 10 (fused, all wishes): (top-1, top-5).
GOALS = {"simple": (0.95, 1.00), "hard": (0.90, 0.97), "short": (0.97, 1.00)}
UNCLEAR_FLAGGED_MIN = 0.90  # share of unclear wishes flagged
VALID_FLAGGED_MAX = 0.03  # share of valid wishes (simple + hard + short) flagged
MODES = ("semantic", "lexical", "fused")
REPORT = REPO / "docs" / "benchmarks-search-quality.md"


def load_wishes(part: str) -> list[dict[str, object]]:
    """Rows of bench/data/wishes_<part>.csv with `accepted` as a tuple of codes (empty for unclear)."""
    with (BENCH_DIR / "data" / f"wishes_{part}.csv").open(encoding="utf-8", newline="") as handle:
        return [
            {"wish": r["wish"], "accepted": tuple(c for c in r.get("accepted", "").split("|") if c),
             "category": r["category"], "split": r["split"]}
            for r in csv.DictReader(handle)
        ]


def build_searcher(embedder_name: str | None = None) -> JobSearcher:
    """The real job index: every job document embedded (cached) in a VectorIndex."""
    from indexes.cache import EmbeddingCache
    from indexes.embedders import get_embedder
    from indexes.vector import VectorIndex

    embedder = get_embedder(embedder_name)
    docs = job_documents()
    cache = EmbeddingCache(embedder)
    started = time.perf_counter()
    vectors = cache.encode([d.text for d in docs], mode="passage")
    if cache.embedded_count:
        cache.save()
        print(f"embedded {cache.embedded_count} passages in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return JobSearcher(embedder, VectorIndex.build(vectors, [d.doc_id for d in docs]), docs)


def hit_at(results: list, accepted: tuple[str, ...], n: int) -> bool:
    return any(hit.rome in accepted for hit in results[:n])


def evaluate(searcher: JobSearcher, rows_by_part: dict[str, list[dict]]) -> tuple[list[dict], dict]:
    """Score every mode on every row; returns table lines and the fused misses."""
    table, misses = [], {}
    for part, rows in rows_by_part.items():
        wishes = [r["wish"] for r in rows]
        for mode in MODES:
            results = searcher.search_many(wishes, k=5, mode=mode)
            for split in ("dev", "test", "all"):
                chosen = [(r, res) for r, res in zip(rows, results) if split == "all" or r["split"] == split]
                n = len(chosen)
                top1 = sum(hit_at(res, r["accepted"], 1) for r, res in chosen) / n
                top5 = sum(hit_at(res, r["accepted"], 5) for r, res in chosen) / n
                table.append({"part": part, "split": split, "mode": mode, "n": n, "top1": top1, "top5": top5})
            if mode == "fused":
                misses[part] = [(r, res) for r, res in zip(rows, results) if not hit_at(res, r["accepted"], 1)]
    return table, misses


def evaluate_understanding(searcher: JobSearcher, rows_by_part: dict[str, list[dict]]) -> tuple[list[dict], dict]:
    """Share of wishes flagged not understood and flagged ambiguous, per part and split."""
    table, flagged = [], {}
    for part, rows in rows_by_part.items():
        readings = searcher.understand_many([r["wish"] for r in rows], k=5)
        for split in ("dev", "test", "all"):
            chosen = [x for r, x in zip(rows, readings) if split == "all" or r["split"] == split]
            n = len(chosen)
            table.append({"part": part, "split": split, "n": n,
                          "flagged": sum(not x.understood for x in chosen) / n,
                          "ambiguous": sum(x.ambiguous for x in chosen) / n})
        flagged[part] = [(r, x) for r, x in zip(rows, readings) if (not x.understood) != (part == "unclear")]
    return table, flagged


BANDS = (0.0, 0.22, 0.35, 0.5, 0.75, 0.95, 1.0001)


def calibration(searcher: JobSearcher, rows_by_part: dict[str, list[dict]], unclear: list[dict]) -> str:
    """What a top-1 score means: per score band, how many valid wishes land there and how
    often their top-1 is right, and how many unclear wishes land there (all splits)."""
    valid = [r for part in PARTS for r in rows_by_part[part]]
    tops = [res[0] if res else None for res in searcher.search_many([r["wish"] for r in valid], k=1)]
    noise = [res[0].score if res else 0.0 for res in searcher.search_many([r["wish"] for r in unclear], k=1)]
    lines = ["| top-1 score | valid wishes | of which top-1 right | unclear wishes |", "|---|---|---|---|"]
    for lo, hi in zip(BANDS, BANDS[1:]):
        inside = [(r, t) for r, t in zip(valid, tops) if lo <= (t.score if t else 0.0) < hi]
        right = sum(t is not None and t.rome in r["accepted"] for r, t in inside)
        share = f"{right / len(inside):.2f}" if inside else "–"
        lines.append(f"| {lo:.2f}–{min(hi, 1.0):.2f} | {len(inside)} | {share} | {sum(lo <= x < hi for x in noise)} |")
    return "\n".join(lines)


def format_understanding(table: list[dict]) -> str:
    lines = ["| part | split | n | flagged not understood | flagged ambiguous |", "|---|---|---|---|---|"]
    for t in table:
        lines.append(f"| {t['part']} | {t['split']} | {t['n']} | {t['flagged']:.3f} | {t['ambiguous']:.3f} |")
    return "\n".join(lines)


def goals_table(table: list[dict], understanding: list[dict]) -> tuple[str, bool]:
    """The issue-10 goals against the fused results on all wishes (and the held-out split)."""
    keyed = {(t["part"], t["split"], t["mode"]): t for t in table}
    lines = ["| goal | held-out test | all wishes | met (all) |", "|---|---|---|---|"]
    ok_all = True
    for part, (g1, g5) in GOALS.items():
        test, every = keyed[(part, "test", "fused")], keyed[(part, "all", "fused")]
        met = every["top1"] >= g1 and every["top5"] >= g5
        ok_all &= met
        lines.append(f"| {part}: top-1 ≥ {g1:.2f}, top-5 ≥ {g5:.2f} | {test['top1']:.3f} / {test['top5']:.3f} "
                     f"| {every['top1']:.3f} / {every['top5']:.3f} | {'oui' if met else 'NON'} |")
    und = {(t["part"], t["split"]): t for t in understanding}
    def valid_share(split: str) -> float:
        rows = [und[(p, split)] for p in PARTS]
        return sum(t["flagged"] * t["n"] for t in rows) / sum(t["n"] for t in rows)
    unclear_met = und[("unclear", "all")]["flagged"] >= UNCLEAR_FLAGGED_MIN
    valid_met = valid_share("all") <= VALID_FLAGGED_MAX
    ok_all &= unclear_met and valid_met
    lines.append(f"| unclear flagged ≥ {UNCLEAR_FLAGGED_MIN:.0%} | {und[('unclear', 'test')]['flagged']:.3f} "
                 f"| {und[('unclear', 'all')]['flagged']:.3f} | {'oui' if unclear_met else 'NON'} |")
    lines.append(f"| valid (simple+hard+short) flagged ≤ {VALID_FLAGGED_MAX:.0%} | {valid_share('test'):.3f} "
                 f"| {valid_share('all'):.3f} | {'oui' if valid_met else 'NON'} |")
    return "\n".join(lines), ok_all


class _Precomputed:
    """Embedder stand-in that remembers query vectors: after a warm pass, search is timed alone."""

    def __init__(self, embedder):
        self.embedder = embedder
        self._vectors: dict[str, object] = {}

    def encode_queries(self, texts: list[str]):
        import numpy as np

        missing = [t for t in texts if t not in self._vectors]
        if missing:
            self._vectors.update(zip(missing, self.embedder.encode_queries(missing)))
        return np.stack([self._vectors[t] for t in texts])


def latency(searcher: JobSearcher, wishes: list[str]) -> dict[str, float]:
    """Warm per-query latency (ms): query encoding alone, and search without encoding."""
    encode = []
    for wish in wishes:
        t0 = time.perf_counter()
        searcher.embedder.encode_queries([wish])
        encode.append((time.perf_counter() - t0) * 1000)
    timed = JobSearcher(_Precomputed(searcher.embedder), searcher.vector_index, searcher.docs, searcher.config)
    timed.search_many(wishes)  # warm pass: encodes every wish fragment once
    total = []
    for wish in wishes:
        t0 = time.perf_counter()
        timed.search(wish)
        total.append((time.perf_counter() - t0) * 1000)
    p95 = lambda xs: sorted(xs)[int(0.95 * (len(xs) - 1))]  # noqa: E731
    return {"search_mean": statistics.mean(total), "search_p95": p95(total),
            "encode_mean": statistics.mean(encode), "n": len(wishes)}


def format_table(table: list[dict]) -> str:
    lines = ["| part | split | n | semantic top-1 | semantic top-5 | lexical top-1 | lexical top-5 | fused top-1 | fused top-5 |",
             "|---|---|---|---|---|---|---|---|---|"]
    keyed = {(t["part"], t["split"], t["mode"]): t for t in table}
    for part in PARTS:
        for split in ("dev", "test", "all"):
            cells = []
            for mode in MODES:
                t = keyed[(part, split, mode)]
                cells += [f"{t['top1']:.2f}", f"{t['top5']:.2f}"]
            lines.append(f"| {part} | {split} | {keyed[(part, split, 'fused')]['n']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def machine() -> str:
    try:
        import psutil

        ram = f"{psutil.virtual_memory().total / 2**30:.0f} GB RAM"
    except ImportError:  # pragma: no cover - psutil is a dependency
        ram = "RAM ?"
    return f"{platform.machine()}, {os.cpu_count()} CPU, {ram}, Python {platform.python_version()}, {platform.system()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {REPORT.relative_to(REPO)}")
    parser.add_argument("--failures", action="store_true", help="print the fused top-1 misses (dev split only)")
    parser.add_argument("--embedder", default=None)
    args = parser.parse_args(argv)

    rows = {part: load_wishes(part) for part in PARTS}
    unclear = load_wishes("unclear")
    searcher = build_searcher(args.embedder)
    table, misses = evaluate(searcher, rows)
    understanding, flagged = evaluate_understanding(searcher, {**rows, "unclear": unclear})
    lat = latency(searcher, [r["wish"] for part in PARTS for r in rows[part]])  # every wish: p95 over >= 200
    goals, ok = goals_table(table, understanding)
    text = (format_table(table) + "\n\nUnderstanding (`JobSearcher.understand`):\n\n" + format_understanding(understanding)
            + "\n\nGoals (issue 10, fused):\n\n" + goals
            + "\n\nCalibration of the top-1 score (all splits):\n\n" + calibration(searcher, rows, unclear))
    print(f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC ; {machine()} ; {searcher.embedder.version}")
    print(text)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    speed = (f"warm search without encoding {lat['search_mean']:.1f} ms mean / {lat['search_p95']:.1f} ms p95; "
             f"query encoding {lat['encode_mean']:.1f} ms mean; {lat['n']} queries; load average {load:.1f}")
    print("\n" + speed)
    if args.failures:
        for part, failed in misses.items():
            for row, res in failed:
                if row["split"] == "dev":
                    got = ", ".join(f"{h.rome} {h.score:.2f} {h.why[:50]}" for h in res[:3])
                    print(f"[{part}/{row['category']}] {row['wish']!r} want {'|'.join(row['accepted'][:4])}: {got}")
        for part, wrong in flagged.items():
            for row, reading in wrong:
                if row["split"] == "dev":
                    top = reading.results[0] if reading.results else None
                    print(f"[{part} wrongly {'understood' if part == 'unclear' else 'flagged'}] {row['wish']!r}: "
                          f"{reading.reason} {top.rome + ' ' + format(top.score, '.2f') if top else ''}")
    if args.write:
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        REPORT.write_text(
            "# Job search quality (bench/search_quality.py)\n\n"
            f"- date: {stamp}\n- machine: {machine()}\n- embedder: {searcher.embedder.version}\n"
            f"- job passages: {len(searcher.docs)}; wishes: "
            + ", ".join(f"{p} {len(rows[p])}" for p in PARTS) + f", unclear {len(unclear)}"
            + " (split dev 75 % / held-out test 25 %)\n\n"
            "Top-n = one of the first n results is an accepted ROME code. Semantic and lexical "
            "columns are each signal alone on the raw text; fused is `JobSearcher` (intent "
            "parsing, acronym, sector and usual-reading tables, head-noun rule, fusion). "
            "Flagged = `understood` false (unclear wishes should be, valid ones should not).\n\n"
            + text
            + f"\n\nSpeed ({searcher.embedder.version}): {speed}.\n",
            encoding="utf-8",
        )
        print(f"wrote {REPORT}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

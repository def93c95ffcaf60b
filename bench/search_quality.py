"""Job search quality on our own labelled wishes: top-1 / top-5 per signal, part and split.

Two parts (bench/data/wishes_simple.csv, wishes_hard.csv), each with a "dev" split
(used while tuning the tables and weights) and a held-out "test" split (25 %).
A wish counts as found at top-n when one of its first n results is among its
accepted ROME codes (several codes when the wish is legitimately ambiguous, and
for a sector named alone).

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

PARTS = ("simple", "hard")
MODES = ("semantic", "lexical", "fused")
REPORT = REPO / "docs" / "benchmarks-search-quality.md"


def load_wishes(part: str) -> list[dict[str, object]]:
    """Rows of bench/data/wishes_<part>.csv with `accepted` as a tuple of codes."""
    with (BENCH_DIR / "data" / f"wishes_{part}.csv").open(encoding="utf-8", newline="") as handle:
        return [
            {"wish": r["wish"], "accepted": tuple(r["accepted"].split("|")), "category": r["category"], "split": r["split"]}
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
    searcher = build_searcher(args.embedder)
    table, misses = evaluate(searcher, rows)
    lat = latency(searcher, [r["wish"] for part in PARTS for r in rows[part]])  # every wish: p95 over >= 200
    text = format_table(table)
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
    if args.write:
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        REPORT.write_text(
            "# Job search quality (bench/search_quality.py)\n\n"
            f"- date: {stamp}\n- machine: {machine()}\n- embedder: {searcher.embedder.version}\n"
            f"- job passages: {len(searcher.docs)}; wishes: "
            + ", ".join(f"{p} {len(rows[p])}" for p in PARTS)
            + " (split dev 75 % / held-out test 25 %)\n\n"
            "Top-n = one of the first n results is an accepted ROME code. Semantic and lexical "
            "columns are each signal alone on the raw text; fused is `JobSearcher` (intent "
            "parsing, acronym and sector tables, fusion).\n\n"
            + text
            + f"\n\nSpeed ({searcher.embedder.version}): {speed}.\n",
            encoding="utf-8",
        )
        print(f"wrote {REPORT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

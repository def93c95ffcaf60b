"""Quality of the 8-bit offers index ("sq8", issue 14) against float32: same queries, same filters.

Usage: `python -m bench.offer_quantisation [--queries 300] [--offers 100000]`

Two `OfferSearcher`s over the same catalogue, job searcher and query vectors, one scoring float32
vectors (the former flat index), one the "sq8" codes built from the same vectors; for each query
(`bench.search_speed` mixes with a text: text, text + place + radius, text + kind) the top 10
offers of both are compared: share of identical first offer, mean overlap of the two top-10 sets,
share of identical top-10 lists (order included), largest score difference. First on the demo
catalogue (float32 vectors from the embedding cache / shipped vectors, as the index is built),
then, with `--offers N`, on N synthetic offers (demo vectors plus noise, as bench/search_speed.py).
Prints the date, the machine and the load average with the table.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def compare(catalogue, vectors, ids, engine, queries) -> dict:
    from indexes.offers import OfferSearcher
    from indexes.vector import VectorIndex

    flat = OfferSearcher(catalogue, VectorIndex.build(vectors, ids, kind="flat"), engine.embedder, engine.jobs)
    sq8 = OfferSearcher(catalogue, VectorIndex.build(vectors, ids, kind="sq8"), engine.embedder, engine.jobs)
    same_first = overlap = same_list = 0.0
    worst = 0.0
    for q in queries:
        a, b = flat.search(**q, k=10), sq8.search(**q, k=10)
        ia, ib = [h.offer.id for h in a], [h.offer.id for h in b]
        same_first += bool(ia) and bool(ib) and ia[0] == ib[0] or (not ia and not ib)
        overlap += len(set(ia) & set(ib)) / max(len(ia), 1)
        same_list += ia == ib
        scores_b = {h.offer.id: h.score for h in b}
        worst = max([worst] + [abs(h.score - scores_b[h.offer.id]) for h in a if h.offer.id in scores_b])
    n = len(queries)
    return {"offers": len(ids), "queries": n, "same_first": same_first / n, "top10_overlap": overlap / n,
            "same_top10": same_list / n, "max_score_diff": worst}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--offers", type=int, default=0, help="also N synthetic offers (0: demo only)")
    args = parser.parse_args(argv)

    import dataclasses

    import numpy as np

    from bench.search_speed import _offer_queries
    from catalog.store import Catalogue
    from indexes.cache import EmbeddingCache
    from indexes.search import get_search_engine

    started, load_before = datetime.now(timezone.utc), os.getloadavg()[0]
    engine = get_search_engine()
    demo = engine.catalogue
    ids = list(demo.offers)
    vectors = EmbeddingCache(engine.indexes.embedder).encode([demo.offers[i].search_text() for i in ids], "passage")
    # with a text only: a place-only query has no semantic score, so both indexes trivially agree
    queries = [q for q in _offer_queries(random.Random(7), args.queries * 4 // 3 + 1) if q["query"]][:args.queries]
    rows = [compare(demo, vectors, ids, engine, queries)]
    if args.offers:
        rng = np.random.default_rng(11)
        base = list(demo)
        offers, syn_ids = [], []
        for i in range(args.offers):
            src, oid = base[i % len(base)], f"syn{i:07d}"
            offers.append(dataclasses.replace(src, id=oid, sessions=[dataclasses.replace(s, offer_id=oid) for s in src.sessions]))
            syn_ids.append(oid)
        syn = np.empty((args.offers, vectors.shape[1]), dtype=np.float32)
        for lo in range(0, args.offers, 10_000):
            block = vectors[np.arange(lo, min(lo + 10_000, args.offers)) % len(base)]
            block += rng.standard_normal(size=block.shape, dtype=np.float32) * np.float32(0.02)
            syn[lo:lo + 10_000] = block / np.linalg.norm(block, axis=1, keepdims=True)
        rows.append(compare(Catalogue(offers), syn, syn_ids, engine, queries))
    print(f"{started:%Y-%m-%d %H:%M} UTC ; {platform.machine()}, {os.cpu_count()} CPU, Python "
          f"{platform.python_version()} ; load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
    print("\n| offres | requêtes | 1re offre identique | recouvrement des 10 premières | 10 premières identiques (ordre compris) | plus grand écart de score |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['offers']:,} | {r['queries']} | {r['same_first']:.1%} | {r['top10_overlap']:.1%} | "
              f"{r['same_top10']:.1%} | {r['max_score_diff']:.4f} |".replace(",", "\u202f"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Search speed benchmark: index build, cold load, warm query latency, 100k offers, exact vs approximate.

Usage: `python -m bench.search_speed [--data-dir DIR] [--sizes 100000] [--loaded-sizes 100000] [--ann-sizes 10000,50000,100000,200000] [--write]`

Each scenario runs in its own process so that its peak RSS is its own:
- build:     the real default indexes (demo catalogue + job referential) from an
             empty embedding cache, then a forced rebuild served by the cache;
- load:      a fresh process loading the persisted indexes (model load apart);
- demo:      warm p50/p95 latency of `search_jobs` and `search_offers` (query
             encoding included) on the demo catalogue, varied filters;
- synthetic: the same offer queries on N synthetic offers (demo offers cloned with
             their real vectors plus noise, sessions moved to random communes);
- app:       with `--loaded-sizes N` (issue 14: memory), the app's own path in a working folder
             prepared like the app's (`prepare`): N clones, each with its own description and
             record id, saved as the working catalogue, and a persisted offers index valid for it
             (demo vectors plus noise); then, in a fresh process, `load_catalogue`, `load_default`
             (no rebuild), `SearchEngine`, the planner's catalogue view and timed `search_offers`,
             with the RSS held after each stage and the peak;
- ann:       exact IndexFlatIP vs HNSW single-query latency, recall@10 and build
             time on random unit vectors: the basis of `approx_threshold`.
Targets: p95 ≤ 50 ms (demo), ≤ 150 ms (100k offers); load ≤ 2 s; RSS ≤ 600 MB.
`--write` records the tables, the machine and the date in docs/benchmarks-search-speed.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "benchmarks-search-speed.md"
TARGETS = {"demo_p95_ms": 50.0, "synthetic_p95_ms": 150.0, "load_s": 2.0, "rss_mb": 600.0}
SAMPLES = 240  # timed queries per latency row: a p95 needs at least 200 samples to mean anything

WISHES = [
    "aide soignante", "je voudrais devenir auxiliaire de puériculture", "cuisinier", "travailler dans le bâtiment",
    "électricienne", "passer le CACES", "conduire des poids lourds", "vendeuse en boulangerie", "mécanicien auto",
    "secrétaire médicale", "aide à domicile auprès des personnes âgées", "développeur web", "plombier chauffagiste",
    "agent d'entretien", "coiffure", "serveur en restaurant", "ouvrier viticole", "comptable", "maçon",
    "animateur jeunesse BPJEPS", "préparateur de commandes", "soudeur", "remise à niveau en français",
    "jardinier paysagiste", "infirmière", "agent de sécurité", "boucher", "assistante de vie aux familles",
    "menuisier", "accueil touristique",
]
PLACES = ["Pau", "Bordeaux", "Limoges", "Poitiers", "La Rochelle", "Niort", "Agen", "Périgueux", "Mont-de-Marsan",
          "Angoulême", "Guéret", "Tulle", "Bayonne", "Dax", "Bergerac", "Brive-la-Gaillarde"]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _pcts(samples: list[float]) -> dict[str, float]:
    s = sorted(samples)
    return {"p50_ms": 1000 * statistics.median(s), "p95_ms": 1000 * s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))], "n": len(s)}


def _offer_queries(rng: random.Random, n: int) -> list[dict]:
    """Realistic mixes: text only, text + place + radius, text + kind, place only, dates."""
    out = []
    for i in range(n):
        q: dict = {"query": rng.choice(WISHES)}
        if i % 4 in (1, 2):
            q.update(commune=rng.choice(PLACES), radius_km=rng.choice([15, 30, 60]))
        if i % 4 == 2:
            q["kinds"] = [rng.choice(["QUALIFIANT", "APPRENTISSAGE", "HSP_1NQ"])]
        if i % 4 == 3:
            q.update(query=None, commune=rng.choice(PLACES), radius_km=40, start_after=date.today())
        out.append(q)
    return out


def _time_queries(fn, queries: list[dict], memo=None) -> list[float]:
    """Latency of each call; the query-vector memo is emptied first so encoding is always timed."""
    times = []
    for q in queries:
        if memo is not None:
            memo.clear()
        t = time.perf_counter()
        fn(**q)
        times.append(time.perf_counter() - t)
    return times


# --------------------------------------------------------------------------- scenarios (child processes)


def scenario_build(args) -> dict:
    from indexes.embedders import get_embedder
    from indexes.store import build_default

    embedder = get_embedder()
    t = time.perf_counter()
    cold = build_default(force=True, embedder=embedder)
    cold_s = time.perf_counter() - t
    t = time.perf_counter()
    cached = build_default(force=True, embedder=embedder)
    return {
        "passages": sum(cold.counts.values()),
        "embedded": cold.embedded,
        "shipped": cold.shipped,  # vectors read from indexes/data/shipped_vectors.bin instead of the model
        "build_cold_s": cold_s,
        "passages_per_s": cold.embedded / cold_s if cold_s else 0.0,
        "rebuild_cached_s": time.perf_counter() - t,
        "rebuild_embedded": cached.embedded,
        "rss_mb": _rss_mb(),
    }


def scenario_load(args) -> dict:
    t0 = time.perf_counter()
    from indexes.embedders import get_embedder

    embedder = get_embedder()
    embedder.encode_queries(["chauffe"])
    t1 = time.perf_counter()
    from catalog.store import load_catalogue

    catalogue = load_catalogue()
    catalogue.fingerprint()
    t2 = time.perf_counter()
    from indexes.search import SearchEngine
    from indexes.store import load_default

    indexes = load_default(embedder, rebuild=False, catalogue=catalogue)
    t3 = time.perf_counter()
    engine = SearchEngine(indexes)
    t4 = time.perf_counter()
    engine.search_offers("aide soignante", commune="Pau", radius_km=30)
    t5 = time.perf_counter()
    return {
        "model_load_s": t1 - t0,
        "catalogue_s": t2 - t1,  # catalog.store: JSONL parsing + fingerprint (needed by the app anyway)
        "index_load_s": t3 - t2,  # job documents + two faiss indexes, checksums verified
        "engine_s": t4 - t3,  # offer arrays + job searcher (lexical index)
        "first_query_s": t5 - t4,
        "load_total_s": t4 - t2,
        "cold_path_s": t4 - t0,  # the whole cold path: model, catalogue parse + fingerprint, indexes, engine
        "offers": len(indexes.offers),
        "jobs": len(indexes.jobs),
        "rss_mb": _rss_mb(),
    }


def scenario_demo(args) -> dict:
    from indexes.search import get_search_engine

    engine = get_search_engine()
    rng = random.Random(7)
    for w in WISHES[:5]:  # warm-up
        engine.search_jobs(w)
        engine.search_offers(w)
    jobs = _time_queries(lambda text: engine.search_jobs(text, 5), [{"text": w} for w in WISHES * 7], engine.embedder)
    offers = _time_queries(engine.search_offers, _offer_queries(rng, SAMPLES), engine.embedder)
    return {"jobs": _pcts(jobs), "offers": _pcts(offers), "offers_count": len(engine.offers.offers), "rss_mb": _rss_mb()}


def scenario_synthetic(args) -> dict:
    import numpy as np

    from catalog.model import Session
    from catalog.referentials import communes
    from catalog.store import Catalogue
    from indexes.offers import OfferSearcher
    from indexes.search import get_search_engine
    from indexes.vector import VectorIndex, choose_kind

    n = args.size
    engine = get_search_engine()
    base = list(engine.offers.offers)
    base_vectors = engine.offers.index.vectors()
    rng = np.random.default_rng(11)
    places = list(communes().values())
    t = time.perf_counter()
    if args.from_file:  # the catalogue as the app holds it: read back by load_catalogue, one object per field
        from catalog.store import load_catalogue, load_demo

        demo = list(load_demo())
        catalogue = load_catalogue(args.from_file)
        offers = list(catalogue)
        n = len(offers)
        rows = np.array([engine.offers.index.row(demo[int(o.id[3:]) % len(demo)].id) for o in offers])
    else:
        offers, rows = [], rng.integers(0, len(base), size=n)
    for i, row in enumerate([] if args.from_file else rows.tolist()):
        src = base[row]
        sessions = []
        for j, s in enumerate(src.sessions or [None]):
            c = places[int(rng.integers(len(places)))]
            sessions.append(Session(id=f"syn{i}-{j}", offer_id=f"syn{i}", start=s.start if s else None,
                                    commune_insee=c.insee, commune_name=c.name, lat=c.lat, lon=c.lon))
        offers.append(dataclasses.replace(src, id=f"syn{i}", sessions=sessions))
    if not args.from_file:
        catalogue = Catalogue(offers)
    # Vectors are made and added to faiss block by block, in float32: drawing the noise at once in
    # float64 (as this bench did until issue 14) held a 300 MB temporary plus a second full copy of
    # the vectors beside faiss's own, which was most of the "812 MB" peak. In the app the offers
    # index is read from disk, so faiss's copy is the only one: the bench now holds the same.
    kind = choose_kind(n)
    empty = VectorIndex.build(np.zeros((0, base_vectors.shape[1]), dtype=np.float32), [], kind=kind)
    make_s = time.perf_counter() - t
    t = time.perf_counter()
    for lo in range(0, n, 10_000):
        block = base_vectors[rows[lo:lo + 10_000]]
        block += rng.standard_normal(size=block.shape, dtype=np.float32) * np.float32(0.02)
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        empty._index.add(block)
    index = VectorIndex(empty._index, [o.id for o in offers], kind)
    index._tune()
    index_s = time.perf_counter() - t
    t = time.perf_counter()
    searcher = OfferSearcher(catalogue, index, engine.embedder, engine.jobs)
    searcher_s = time.perf_counter() - t
    queries = _offer_queries(random.Random(7), SAMPLES)
    for q in queries[:4]:
        searcher.search(**q)
    times = _time_queries(searcher.search, queries, engine.embedder)
    return {"offers": n, "from_file": bool(args.from_file), "sessions": len(searcher.sessions), "index_kind": index.kind, "make_s": make_s,
            "index_build_s": index_s, "searcher_build_s": searcher_s, "offers_q": _pcts(times), "rss_mb": _rss_mb()}


def scenario_ann(args) -> dict:
    import numpy as np

    from indexes.vector import VectorIndex

    rng = np.random.default_rng(5)
    rows = []
    for n in args.ann_sizes:
        x = rng.normal(size=(n, 384)).astype(np.float32)
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        q = x[rng.integers(0, n, SAMPLES)] + rng.normal(scale=0.05, size=(SAMPLES, 384)).astype(np.float32)
        q /= np.linalg.norm(q, axis=1, keepdims=True)
        row = {"n": n}
        results = {}
        for kind in ("flat", "hnsw"):
            t = time.perf_counter()
            index = VectorIndex.build(x, [str(i) for i in range(n)], kind=kind)
            row[f"{kind}_build_s"] = time.perf_counter() - t
            index.search(q[:2], 10)
            times, found = [], []
            for v in q:
                t = time.perf_counter()
                found.append(index.search(v, 10)[0])
                times.append(time.perf_counter() - t)
            row[f"{kind}_p95_ms"] = _pcts(times)["p95_ms"]
            row[f"{kind}_p50_ms"] = _pcts(times)["p50_ms"]
            results[kind] = found
        row["hnsw_recall10"] = float(np.mean([
            len({i for i, _ in a} & {i for i, _ in b}) / 10 for a, b in zip(results["flat"], results["hnsw"])
        ]))
        rows.append(row)
        del x
    return {"rows": rows, "rss_mb": _rss_mb()}


def scenario_prepare(args) -> dict:
    """Persisted offers index for the synthetic working catalogue of `--app-dir` (vectors: demo + noise).

    The app would embed 100,000 texts (hours); instead each offer gets the demo vector of the offer
    it was cloned from plus small noise, saved exactly as `build_default` saves an index (kind from
    the config, manifest with the catalogue's fingerprint), so `load_default` accepts it as valid.
    """
    import numpy as np

    from catalog.store import load_catalogue, load_demo
    from indexes import store
    from indexes.embedders import get_embedder
    from indexes.search import get_search_engine

    engine = get_search_engine()  # demo engine, from the bench's data dir: the source vectors
    demo = engine.offers.index
    demo_ids = [o.id for o in load_demo()]
    base = np.stack([demo.vector(doc_id) for doc_id in demo_ids])
    app_dir = Path(args.app_dir)
    os.environ["ITINERAIRE_DATA_DIR"] = str(app_dir)
    catalogue = load_catalogue()  # the working catalogue of the app dir
    ids = sorted(catalogue.offers)
    rows = np.array([int(i[3:]) % len(demo_ids) for i in ids])
    rng = np.random.default_rng(11)
    vectors = np.empty((len(ids), base.shape[1]), dtype=np.float32)
    for lo in range(0, len(ids), 10_000):
        block = base[rows[lo:lo + 10_000]]
        block += rng.standard_normal(size=block.shape, dtype=np.float32) * np.float32(0.02)
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        vectors[lo:lo + 10_000] = block
    t = time.perf_counter()
    index = store.build_offer_index(vectors, ids)
    build_s = time.perf_counter() - t
    embedder = get_embedder()
    sources = store.Sources(items={"jobs": [], "offers": []}, fingerprints={"offers": catalogue.fingerprint()})
    expected = store._expected("offers", embedder, sources)
    root = store.index_root()
    name = f"offers-synthetic-{len(ids)}"
    index.save(root / name, dict(expected, count=len(ids)))
    pointer = store._read_pointer(root)
    pointer["offers"] = name
    store._write_pointer(root, pointer)
    return {"offers": len(ids), "index_kind": index.kind, "index_build_s": build_s}


def scenario_app(args) -> dict:
    """The app's own path at N offers, stage by stage: RSS held after each stage (psutil, after gc).

    Working catalogue read by `load_catalogue`, persisted indexes by `load_default` (no rebuild),
    `SearchEngine`, the planner's catalogue view, then timed `search_offers` calls (memo cleared).
    """
    import gc

    import psutil

    proc = psutil.Process()
    stages: list[tuple[str, float]] = []

    def mark(name: str) -> None:
        gc.collect()
        stages.append((name, proc.memory_info().rss / 2**20))

    mark("interpréteur")
    import faiss  # noqa: F401
    import numpy  # noqa: F401

    import catalog.store  # noqa: F401
    import indexes.search
    mark("bibliothèques (numpy, faiss, rapidfuzz, modules du projet)")
    from indexes.embedders import get_embedder

    embedder = get_embedder()
    embedder.encode_queries(["chauffe"])
    mark("modèle e5 chargé")
    from catalog.store import load_catalogue

    t = time.perf_counter()
    catalogue = load_catalogue()
    catalogue_s = time.perf_counter() - t
    mark("catalogue relu (load_catalogue)")
    from indexes.search import SearchEngine
    from indexes.store import load_default

    t = time.perf_counter()
    indexes = load_default(embedder, rebuild=False, catalogue=catalogue)
    index_s = time.perf_counter() - t
    mark("index persistés (métiers + offres, load_default)")
    t = time.perf_counter()
    engine = SearchEngine(indexes)
    engine_s = time.perf_counter() - t
    mark("moteur (JobSearcher + OfferSearcher)")
    from assistant.catview import view_for

    t = time.perf_counter()
    view_for(catalogue)
    view_s = time.perf_counter() - t
    mark("vue du catalogue du planificateur (catview)")
    queries = _offer_queries(random.Random(7), SAMPLES)
    for q in queries[:4]:
        engine.search_offers(**q)
    times = _time_queries(engine.search_offers, queries, engine.embedder)
    mark("après 244 recherches d'offres")
    return {"offers": len(catalogue), "sessions": len(engine.offers.sessions), "index_kind": indexes.offers.kind,
            "catalogue_s": catalogue_s, "index_load_s": index_s, "engine_s": engine_s, "view_s": view_s,
            "stages": stages, "offers_q": _pcts(times), "rss_mb": _rss_mb()}


SCENARIOS = {"build": scenario_build, "prepare": scenario_prepare, "app": scenario_app, "load": scenario_load, "demo": scenario_demo,
             "synthetic": scenario_synthetic, "ann": scenario_ann}


# --------------------------------------------------------------------------- orchestration


def write_synthetic_file(n: int, path: Path) -> Path:
    """N demo offers cloned under ids `syn0000000`… (clone i of demo offer i mod len), saved by save_catalogue.

    What repeats and what does not, as in a real catalogue: providers, certifications, communes,
    publics and prerequisites texts repeat (the demo's 986 providers each get ~100 offers at 100k);
    descriptions and record ids do not (each clone's description gets its own reference sentence,
    so sharing strings at load cannot count 38 copies of a demo description as one).
    """
    cmd = [sys.executable, "-c", (
        "import dataclasses, sys\n"
        "from catalog.store import Catalogue, load_demo, save_catalogue\n"
        "n, base, offers = int(sys.argv[1]), list(load_demo()), []\n"
        "for i in range(n):\n"
        "    src, oid = base[i % len(base)], f'syn{i:07d}'\n"
        "    ss = [dataclasses.replace(s, id=f'{oid}-{j}', offer_id=oid) for j, s in enumerate(src.sessions)]\n"
        "    desc = f'{src.description} Action de formation référencée {oid}.' if src.description else ''\n"
        "    prov = dataclasses.replace(src.provenance, record_id=f'{src.provenance.record_id}-{i}')\n"
        "    offers.append(dataclasses.replace(src, id=oid, sessions=ss, description=desc, provenance=prov))\n"
        "save_catalogue(Catalogue(offers), sys.argv[2])\n"), str(n), str(path)]
    print(f"… écriture de {n} offres synthétiques", file=sys.stderr, flush=True)
    subprocess.run(cmd, cwd=REPO, env=dict(os.environ, ITINERAIRE_DATA_DIR=str(path.parent)), check=True)
    return path


def prepare_app_dir(n: int, args) -> Path:
    """A working folder as the app would have it at N offers: working catalogue + valid persisted indexes."""
    app_dir = Path(args.data_dir) / f"app-{n}"
    shutil.rmtree(app_dir, ignore_errors=True)
    app_dir.mkdir(parents=True)
    shutil.copytree(Path(args.data_dir) / "index", app_dir / "index",
                    ignore=shutil.ignore_patterns("offers-*", ".build.lock"))
    write_synthetic_file(n, app_dir / "catalogue.jsonl.gz")
    _child("prepare", args, ["--app-dir", str(app_dir)])
    return app_dir


def _child(name: str, args, extra: list[str] | None = None, data_dir: Path | None = None) -> dict:
    cmd = [sys.executable, "-m", "bench.search_speed", "--scenario", name,
           "--ann-sizes", ",".join(map(str, args.ann_sizes)), *(extra or [])]
    env = dict(os.environ, ITINERAIRE_DATA_DIR=str(data_dir or args.data_dir))
    print(f"… {name} {' '.join(extra or [])}", file=sys.stderr, flush=True)
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"scenario {name} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = os.getloadavg()[0]
    return (f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GB RAM, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}; load average at start {load:.1f}")


def _int(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")  # French thousands separator


def ok(value: float, target: float) -> str:
    return "✅" if value <= target else "❌"


def report(results: dict, args) -> str:
    lines = ["| mesure | valeur | objectif |", "|---|---|---|"]
    b = results.get("build")
    if b:
        lines += [
            f"| construction à froid ({b['passages']} passages, cache vide : {b['embedded']} textes calculés, {b.get('shipped', 0)} vecteurs livrés, métiers et démo) | {b['build_cold_s']:.0f} s ({b['passages_per_s']:.1f} textes calculés/s) | — |",
            f"| reconstruction forcée, cache d'embeddings plein ({b['rebuild_embedded']} textes recalculés) | {b['rebuild_cached_s']:.1f} s | — |",
        ]
    ld = results.get("load")
    lines += [] if not ld else [
        f"| chargement du modèle e5 (processus neuf) | {ld['model_load_s']:.2f} s | — |",
        f"| lecture du catalogue + empreinte (catalog.store) | {ld['catalogue_s']:.2f} s | — |",
        f"| chargement des index persistés ({ld['offers']} offres, {ld['jobs']} passages métiers) + moteur | {ld['load_total_s']:.2f} s (index {ld['index_load_s']:.2f} s, moteur {ld['engine_s']:.2f} s) | — |",
        f"| **chemin à froid complet** : modèle + lecture du catalogue + index + moteur (processus neuf) | {ld['cold_path_s']:.2f} s | ≤ {TARGETS['load_s']:.0f} s {ok(ld['cold_path_s'], TARGETS['load_s'])} |",
    ]
    d = results.get("demo")
    lines += [] if not d else [
        f"| search_jobs, à chaud, démo (n={d['jobs']['n']}) | p50 {d['jobs']['p50_ms']:.0f} ms, p95 {d['jobs']['p95_ms']:.0f} ms | ≤ 50 ms {ok(d['jobs']['p95_ms'], TARGETS['demo_p95_ms'])} |",
        f"| search_offers, à chaud, démo {d['offers_count']} offres (n={d['offers']['n']}) | p50 {d['offers']['p50_ms']:.0f} ms, p95 {d['offers']['p95_ms']:.0f} ms | ≤ 50 ms {ok(d['offers']['p95_ms'], TARGETS['demo_p95_ms'])} |",
        f"| pic de mémoire (RSS) du processus de mesure, démo (sans Streamlit : le processus réel de l'application est mesuré par bench/app_speed.py) | {d['rss_mb']:.0f} Mo | — |",
    ]
    for s in results.get("synthetic", []):
        n = _int(s["offers"])
        how = "relues par load_catalogue, comme dans l'application" if s.get("from_file") else "clones partageant les sous-objets des offres de démo"
        lines += [
            f"| search_offers, {n} offres synthétiques ({how} ; {_int(s['sessions'])} sessions, index {s['index_kind']}) | p50 {s['offers_q']['p50_ms']:.0f} ms, p95 {s['offers_q']['p95_ms']:.0f} ms | ≤ 150 ms {ok(s['offers_q']['p95_ms'], TARGETS['synthetic_p95_ms'])} |",
            f"| préparation à {n} offres : index faiss / tableaux de filtrage | {s['index_build_s']:.1f} s / {s['searcher_build_s']:.1f} s | — |",
            f"| pic de mémoire (RSS), {n} offres (catalogue synthétique en mémoire compris) | {s['rss_mb']:.0f} Mo | — |",
        ]
    for a in results.get("app", []):
        n = _int(a["offers"])
        lines += [
            f"| search_offers, **chemin de l'application**, {n} offres relues par load_catalogue, index persisté {a['index_kind']} lu par load_default ({_int(a['sessions'])} sessions, n={a['offers_q']['n']}) | p50 {a['offers_q']['p50_ms']:.0f} ms, p95 {a['offers_q']['p95_ms']:.0f} ms | ≤ 150 ms {ok(a['offers_q']['p95_ms'], TARGETS['synthetic_p95_ms'])} |",
            f"| {n} offres : lecture du catalogue / index / moteur / vue du planificateur | {a['catalogue_s']:.1f} s / {a['index_load_s']:.1f} s / {a['engine_s']:.1f} s / {a['view_s']:.1f} s | — |",
            f"| **pic de mémoire (RSS), {n} offres, chemin de l'application** (catalogue, index, moteur, vue du planificateur) | {a['rss_mb']:.0f} Mo | ≤ 500 Mo {ok(a['rss_mb'], 500)} |",
        ]
        prev = 0.0
        for name, rss in a["stages"]:
            lines.append(f"| — {n} offres, RSS tenu après : {name} | {rss:.0f} Mo (+{rss - prev:.0f}) | — |")
            prev = rss
    ann = results.get("ann", {}).get("rows", [])
    if not ann:
        return "\n".join(lines)
    lines += ["", "Index exact (IndexFlatIP) ou approché (HNSW, M=32, efSearch=64), une requête à la fois, vecteurs aléatoires de dimension 384 :", "",
              "| vecteurs | exact p50 / p95 | HNSW p50 / p95 | rappel@10 HNSW | construction exact / HNSW |", "|---|---|---|---|---|"]
    for r in ann:
        lines.append(f"| {_int(r['n'])} | {r['flat_p50_ms']:.1f} / {r['flat_p95_ms']:.1f} ms | {r['hnsw_p50_ms']:.2f} / {r['hnsw_p95_ms']:.2f} ms | {r['hnsw_recall10']:.2f} | {r['flat_build_s']:.2f} s / {r['hnsw_build_s']:.0f} s |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search_speed")
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, default=100_000, help=argparse.SUPPRESS)
    parser.add_argument("--from-file", help=argparse.SUPPRESS)
    parser.add_argument("--app-dir", help=argparse.SUPPRESS)
    parser.add_argument("--keep-app-dirs", action="store_true",
                        help="garder les dossiers de travail synthétiques (--loaded-sizes) pour les rejouer")
    parser.add_argument("--only-app", action="store_true",
                        help="seulement les mesures --loaded-sizes (chemin de l'application), sans démo ni ANN")
    parser.add_argument("--data-dir", type=Path, help="dossier de travail (par défaut : un dossier temporaire, construit ici)")
    parser.add_argument("--skip-build", action="store_true", help="réutiliser les index valides de --data-dir")
    parser.add_argument("--sizes", default="100000", help="tailles de catalogue synthétique, séparées par des virgules")
    parser.add_argument("--loaded-sizes", default="100000",
                        help="tailles de catalogue synthétique écrites puis relues par load_catalogue (comme l'application)")
    parser.add_argument("--ann-sizes", default="10000,50000,100000,200000")
    parser.add_argument("--write", action="store_true", help=f"écrire {DOC.relative_to(REPO)}")
    args = parser.parse_args(argv)
    args.ann_sizes = [int(x) for x in args.ann_sizes.split(",") if x]
    if args.scenario:
        print(json.dumps(SCENARIOS[args.scenario](args)))
        return 0

    started = datetime.now(timezone.utc)
    host = machine()
    with tempfile.TemporaryDirectory(prefix="search-speed-") as tmp:
        args.data_dir = args.data_dir or Path(tmp)
        results: dict = {}
        if not args.skip_build:
            results["build"] = _child("build", args)
        else:  # bring the reused indexes up to date (cache-served) so that load measures a load
            subprocess.run([sys.executable, "-m", "indexes", "build"], cwd=REPO, check=True,
                           env=dict(os.environ, ITINERAIRE_DATA_DIR=str(args.data_dir)), capture_output=True)
        if not args.only_app:
            results["load"] = _child("load", args)
            results["demo"] = _child("demo", args)
            results["synthetic"] = [_child("synthetic", args, ["--size", s]) for s in args.sizes.split(",") if s]
        results["app"] = []
        for s in args.loaded_sizes.split(","):
            if s:
                app_dir = prepare_app_dir(int(s), args)
                results["app"].append(_child("app", args, data_dir=app_dir))
                if not args.keep_app_dirs:
                    shutil.rmtree(app_dir, ignore_errors=True)
        if args.ann_sizes and not args.only_app:
            results["ann"] = _child("ann", args)
    table = report(results, args)
    host += f"; load average at end {os.getloadavg()[0]:.1f}"
    print(f"{started:%Y-%m-%d %H:%M} UTC ; {host}")
    print(table)
    if args.write:
        DOC.parent.mkdir(parents=True, exist_ok=True)
        DOC.write_text(
            "# Vitesse de la recherche\n\n"
            f"Mesuré par `python -m bench.search_speed` le {started:%Y-%m-%d %H:%M} UTC.\n\n"
            f"Machine : {host}.\n\n{table}\n\n"
            "Lecture : les latences comprennent le calcul du vecteur de la requête (e5, ~5-60 ms selon la charge) ;\n"
            "la recherche d'offres calcule le score exact sur les offres qui passent les filtres (produit matrice-vecteur\n"
            "numpy), sans passer par l'index approché.\n\n"
            "```json\n" + json.dumps(results, indent=1, default=str) + "\n```\n",
            encoding="utf-8",
        )
        print(f"écrit : {DOC}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

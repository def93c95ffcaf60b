"""Catalogue cold load at scale: parse time, fingerprint from the bytes read vs canonical re-serialisation.

Usage: `python -m bench.catalogue_load [--offers 100000]`

Writes a synthetic catalogue of N offers (demo offers cloned under new ids, each with its own
description and record id, as `bench/search_speed.py` does) with `save_catalogue`, then in this process:
- `load_catalogue` (JSONL parse; the fingerprint is hashed from the lines as they are read),
- `fingerprint()` on the loaded catalogue (already known: no re-serialisation),
- the canonical fingerprint of the same offers in memory (every offer re-serialised, the old way);
then, in a fresh child process, `load_catalogue` alone and the RSS it leaves (psutil, current and peak):
the memory of the loaded catalogue without the bench's own copy of the offers (issue 14).
Prints the date, the machine and the load average with the table.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def _child_load(path: str) -> None:
    """Fresh process: RSS before and after `load_catalogue` (the parent's offers would blur it)."""
    import resource

    import psutil

    from catalog.store import load_catalogue

    proc = psutil.Process()
    before = proc.memory_info().rss / 2**20
    t = time.perf_counter()
    cat = load_catalogue(path)
    seconds = time.perf_counter() - t
    after = proc.memory_info().rss / 2**20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{len(cat)} {seconds:.2f} {before:.0f} {after:.0f} {peak:.0f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=100_000)
    parser.add_argument("--child-load", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_load:
        _child_load(args.child_load)
        return 0

    import dataclasses

    from catalog.store import Catalogue, load_catalogue, load_demo, save_catalogue

    started = datetime.now(timezone.utc)
    load_before = os.getloadavg()[0]
    base = list(load_demo())
    offers = []
    for i in range(args.offers):
        src = base[i % len(base)]
        oid = f"syn{i:07d}"
        sessions = [dataclasses.replace(s, id=f"{oid}-{j}", offer_id=oid) for j, s in enumerate(src.sessions)]
        # as bench/search_speed.py: descriptions and record ids per offer, the rest repeated as in the demo
        desc = f"{src.description} Action de formation référencée {oid}." if src.description else ""
        prov = dataclasses.replace(src.provenance, record_id=f"{src.provenance.record_id}-{i}")
        offers.append(dataclasses.replace(src, id=oid, sessions=sessions, description=desc, provenance=prov))
    with tempfile.TemporaryDirectory(prefix="catalogue-load-") as tmp:
        path = save_catalogue(Catalogue(offers), Path(tmp) / "synthetic.jsonl.gz")
        size_mb = path.stat().st_size / 1e6
        del offers
        t0 = time.perf_counter()
        cat = load_catalogue(path)
        t1 = time.perf_counter()
        fp = cat.fingerprint()
        t2 = time.perf_counter()
        canonical = Catalogue(list(cat)).fingerprint()
        t3 = time.perf_counter()
        n_loaded = len(cat)
        del cat
        child = subprocess.run([sys.executable, "-m", "bench.catalogue_load", "--child-load", str(path)],
                               cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    assert fp == canonical, "fingerprint from the bytes differs from the canonical one"
    print(f"{started:%Y-%m-%d %H:%M} UTC ; {platform.machine()}, {os.cpu_count()} CPU, Python "
          f"{platform.python_version()} ; load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
    print(f"\n| {n_loaded:,} offers ({size_mb:.0f} MB gzip) | seconds |\n|---|---|")
    print(f"| load_catalogue (parse + fingerprint hashed while reading) | {t1 - t0:.1f} |")
    print(f"| fingerprint() afterwards | {t2 - t1:.4f} |")
    print(f"| canonical fingerprint (every offer re-serialised, as before) | {t3 - t2:.1f} |")
    _, seconds, before, after, peak = child
    print("\n| fresh process, load_catalogue only | value |\n|---|---|")
    print(f"| load time | {seconds} s |")
    print(f"| RSS before / after the load (held by the catalogue: {int(after) - int(before)} MB) | {before} / {after} MB |")
    print(f"| peak RSS | {peak} MB |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

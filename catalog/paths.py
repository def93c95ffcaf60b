"""Where things are: the package data, the shared source data, the working data folder."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
CATALOG_DATA_DIR = PACKAGE_DIR / "data"


def shared_data_dir() -> Path:
    """The read-only reference data (`../shared/data` beside the checkout).

    Only the referential build script and the tests read it; the app runs on the
    compact tables under `catalog/data/`. Override with ITINERAIRE_SHARED_DATA.
    """
    env = os.environ.get("ITINERAIRE_SHARED_DATA")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "data"


def data_dir() -> Path:
    """Writable working folder (imported catalogue, persisted indexes, embedding cache).

    Defaults to `var/` in the checkout (ignored by git); override with ITINERAIRE_DATA_DIR.
    Nothing personal is ever written here: only catalogue data and indexes.
    """
    env = os.environ.get("ITINERAIRE_DATA_DIR")
    path = Path(env) if env else REPO_ROOT / "var"
    return path

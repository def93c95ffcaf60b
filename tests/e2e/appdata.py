"""A throw-away working folder for the app tests, with the default indexes already built.

The app tests must never touch the real working catalogue (`var/`), yet must not
re-embed everything: the default indexes take minutes to build. So the folder
receives copies of what is already built (the session build of conftest's
`default_indexes` fixture, else the embedding cache of the real working folder),
and `build_default()` then only checks them, or embeds what is missing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

ENV = "ITINERAIRE_DATA_DIR"
PARTS = ("index", "embedding_cache")


def seed_data_dir(target: Path, built_folders: list[Path] = ()) -> Path:
    """Fill `target` with copies of built indexes / embedding caches, then build whatever is missing."""
    from catalog.paths import data_dir

    target.mkdir(parents=True, exist_ok=True)
    for folder in [*built_folders, data_dir()]:
        if folder.resolve() == target.resolve():
            continue
        for part in PARTS if folder in built_folders else ("embedding_cache",):
            if (folder / part).is_dir() and not (target / part).exists():
                shutil.copytree(folder / part, target / part)
    previous = os.environ.get(ENV)
    os.environ[ENV] = str(target)
    try:
        from indexes.store import build_default

        build_default()
    finally:
        if previous is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = previous
    return target


def session_builds(tmp_path_factory) -> list[Path]:
    """Folders where conftest's `default_indexes` fixture built the real indexes this session."""
    return sorted(tmp_path_factory.getbasetemp().glob("default-var*"))

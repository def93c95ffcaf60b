"""File-level checks shared by the importers: readable, not empty, JSON loading."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from catalog.messages import json_reason

from .report import UnreadableFile


def check_readable(path: Path) -> None:
    if not path.is_file():
        raise UnreadableFile(f"fichier introuvable : {path.name}")
    if path.stat().st_size == 0:
        raise UnreadableFile(f"{path.name} : fichier vide")


def now_iso() -> str:
    """Import timestamp kept in each offer's provenance (UTC, seconds)."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def read_json(path: Path) -> Any:
    """Parse a JSON file once, straight from disk (no second copy of its text kept around)."""
    check_readable(path)
    try:
        with path.open(encoding="utf-8-sig") as fh:  # a BOM is tolerated
            return json.load(fh)
    except UnicodeDecodeError:
        raise UnreadableFile(f"{path.name} : JSON illisible (encodage non UTF-8)") from None
    except json.JSONDecodeError as exc:
        raise UnreadableFile(f"{path.name} : JSON invalide ligne {exc.lineno}, colonne {exc.colno} "
                             f"({json_reason(exc.msg)})") from None
    except RecursionError:
        raise UnreadableFile(f"{path.name} : JSON trop profondément imbriqué") from None

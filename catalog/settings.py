"""Technical limits of the catalogue, read once from `catalog/data/settings.toml`.

They are data (not literals in code) so that each limit is recorded in one reviewed
place with the reason for its value; some can be overridden by an environment
variable for a deployment (named in the file).
"""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

SETTINGS_PATH = Path(__file__).resolve().parent / "data" / "settings.toml"
_ENV = {("store", "keep_versions"): "ITINERAIRE_CATALOGUE_VERSIONS"}


@lru_cache(maxsize=1)
def _settings() -> dict[str, dict[str, Any]]:
    with open(SETTINGS_PATH, "rb") as fh:
        return tomllib.load(fh)


def get(section: str, key: str) -> Any:
    """One setting; an environment override (same type as the file's value) wins when set."""
    value = _settings()[section][key]
    env = _ENV.get((section, key))
    if env and os.environ.get(env, "").strip():
        try:
            return type(value)(os.environ[env].strip())
        except ValueError:
            return value
    return value

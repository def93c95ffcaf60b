"""The one way tests reach the read-only `../shared/data` folder.

Outside CI a checkout without `../shared` skips the few tests that rebuild or
compare against those files (a contributor's clone need not carry them). Under
`CI=true` the folder is part of the environment, so its absence is a failure:
a CI run must never turn green because a test quietly did not run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from catalog.paths import shared_data_dir


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def require_shared(relative: str = "") -> Path:
    """Return `shared_data_dir() / relative`; skip (locally) or fail (CI) when it is absent."""
    path = shared_data_dir() / relative if relative else shared_data_dir()
    if not path.exists():
        message = f"../shared/data absent: {path}"
        if in_ci():
            pytest.fail(f"{message} (CI=true: the shared data must be present)", pytrace=False)
        pytest.skip(message)
    return path

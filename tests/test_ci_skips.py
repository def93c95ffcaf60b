"""The CI guard itself: under CI=true a skip fails the run; locally it stays a skip."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

SUITE = {
    "conftest.py": "from tests.ci_skips import pytest_make_collect_report, pytest_runtest_makereport  # noqa: F401\n",
    "test_inline.py": "import pytest\n\ndef test_a():\n    pytest.skip('no data')\n\n"
                      "@pytest.mark.xfail(reason='known', strict=True)\ndef test_b():\n    assert False\n\n"
                      "def test_c():\n    assert True\n",
    "test_module.py": "import pytest\npytest.skip('no browser', allow_module_level=True)\n",
}


def _run(tmp_path: Path, ci: str | None, module: str = "test_inline.py") -> subprocess.CompletedProcess:
    """Run pytest on one file of SUITE in a fresh process, with or without CI set."""
    for name, text in SUITE.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PYTHONPATH"] = str(REPO)
    if ci is not None:
        env["CI"] = ci
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path),
                           str(tmp_path / module)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("ci", ["true", "1"])
def test_skip_fails_under_ci(tmp_path, ci):
    proc = _run(tmp_path, ci)
    assert proc.returncode == 1, proc.stdout
    assert "1 failed, 1 passed, 1 xfailed" in proc.stdout  # the expected failure stays an xfail
    assert "CI=true: skipped test counts as a failure (Skipped: no data)" in proc.stdout


def test_skip_stays_a_skip_outside_ci(tmp_path):
    proc = _run(tmp_path, None)
    assert proc.returncode == 0, proc.stdout
    assert "1 passed, 1 skipped, 1 xfailed" in proc.stdout


def test_module_level_skip_fails_under_ci(tmp_path):
    proc = _run(tmp_path, "true", "test_module.py")
    assert proc.returncode != 0 and "skipped test counts as a failure (Skipped: no browser)" in proc.stdout, proc.stdout
    assert _run(tmp_path, None, "test_module.py").returncode == 5  # locally: nothing ran, nothing failed

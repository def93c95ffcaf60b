"""Under `CI=true` a skipped test is a failed test, unless allow-listed here with a reason.

CI installs everything the suite needs (Chromium, the optional extras, ../shared beside
the clone), so a skip there can only hide a problem: a missing browser, data or package
would otherwise turn into a green run that tested less. Imported by tests/conftest.py
(hook functions re-exported there); tested by tests/test_ci_skips.py.
"""

from __future__ import annotations

import pytest

from tests.shared import in_ci

# Skips CI may keep, by test node id prefix, each with the reason it cannot run there.
# Empty on purpose: every test of the suite can run in CI (add an entry only with a reason).
CI_ALLOWED_SKIPS: dict[str, str] = {}


def _allowed_in_ci(nodeid: str) -> bool:
    return any(nodeid.startswith(prefix) for prefix in CI_ALLOWED_SKIPS)


def _fail_skip(report) -> None:
    """Turn a skip report into a failure that says what was skipped and why."""
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    report.outcome = "failed"
    report.longrepr = f"CI=true: skipped test counts as a failure ({reason}); allow-list it in tests/ci_skips.py " \
                      "CI_ALLOWED_SKIPS with a reason if it truly cannot run in CI"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if in_ci() and report.skipped and not hasattr(report, "wasxfail") and not _allowed_in_ci(report.nodeid):
        _fail_skip(report)


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    """A module-level skip (e.g. `allow_module_level=True`) is a collection report: fail it too under CI."""
    outcome = yield
    report = outcome.get_result()
    if in_ci() and report.skipped and not _allowed_in_ci(report.nodeid):
        _fail_skip(report)

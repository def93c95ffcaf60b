"""First run as a new user lives it: fresh clone, the README's install, index build, app answering.

Usage: `python -m bench.first_run [--source PATH] [--keep]`

Runs the README's first command step by step in a temporary folder, timing each step:
1. `git clone` of the checkout (its committed HEAD),
2. `python3 -m venv .venv && .venv/bin/pip install --no-cache-dir -c constraints.txt -e .`
   (no pip cache: a new machine has none),
3. `.venv/bin/python -m indexes build --if-missing` (its "Textes à calculer" line is kept),
4. `.venv/bin/streamlit run streamlit_app.py` until `/_stcore/health` answers `ok`.
Target (issue 14): steps 3 + 4 ≤ 60 s on 2 cores. The table carries the machine, the
load average before and after, and the date: on a shared machine other work slows the
build, so read the figure with its load.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.e2e.server import free_port, healthy  # noqa: E402

TARGET_AFTER_INSTALL_S = 60.0


def machine() -> str:
    import psutil

    ram = psutil.virtual_memory().total / 2**30
    return f"{platform.machine()}, {os.cpu_count()} CPU, {ram:.0f} GB RAM, Python {platform.python_version()}"


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    return seconds, proc.stdout + proc.stderr


def app_up(clone: Path, env: dict[str, str], timeout: float = 300) -> float:
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen([str(clone / ".venv/bin/streamlit"), "run", "streamlit_app.py", "--server.port", str(port),
                             "--server.headless", "true", "--browser.gatherUsageStats", "false"],
                            cwd=clone, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while not healthy(port):
            if proc.poll() is not None or time.perf_counter() - started > timeout:
                raise SystemExit("streamlit did not answer its health check")
            time.sleep(0.05)
        return time.perf_counter() - started
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default=str(REPO), help="git checkout to clone (its HEAD)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary clone")
    args = parser.parse_args(argv)

    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "ITINERAIRE_DATA_DIR", "VIRTUAL_ENV", "ITINERAIRE_EMBEDDER"}}
    env["PATH"] = ":".join(p for p in env.get("PATH", "").split(":") if "venv" not in p)
    root = Path(tempfile.mkdtemp(prefix="itineraire-first-run-"))
    clone = root / "itineraire"
    load_before, date = loadavg(), datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    rows = []
    try:
        rows.append(("git clone", timed(["git", "clone", "--quiet", args.source, str(clone)], root, env)[0]))
        install = timed(["bash", "-c", "python3 -m venv .venv && .venv/bin/pip install --no-cache-dir -q "
                                       "-c constraints.txt -e ."], clone, env)[0]
        rows.append(("venv + pip install -c constraints.txt -e .", install))
        build, out = timed([str(clone / ".venv/bin/python"), "-m", "indexes", "build", "--if-missing"], clone, env)
        announced = re.search(r"Textes à calculer : .*", out)
        rows.append(("python -m indexes build --if-missing", build))
        rows.append(("streamlit run → health check ok", app_up(clone, env)))
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    after_install = rows[2][1] + rows[3][1]
    print(f"date: {date}; machine: {machine()}; load average before: {load_before}, after: {loadavg()}")
    print(f"build said: {announced.group(0) if announced else '(no announce line)'}")
    print("\n| step | seconds |\n|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.1f} |")
    verdict = "met" if after_install <= TARGET_AFTER_INSTALL_S else "MISSED"
    print(f"| **after install (build + app up)** | **{after_install:.1f}** (target ≤ {TARGET_AFTER_INSTALL_S:.0f} s: "
          f"{verdict}) |")
    print(f"| total from clone | {sum(s for _, s in rows):.1f} |")
    if args.keep:
        print(f"clone kept in {clone}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

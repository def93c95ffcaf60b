"""App speed benchmark: cold start to first rendered page, and adviser submit-to-result.

Usage: `python -m bench.app_speed [--runs 5] [--write]`

- Cold start: `streamlit run streamlit_app.py` is started on a free port with the
  persisted indexes of the working folder; headless Chromium (Debian's
  /usr/bin/chromium) polls until the adviser page's title is rendered. Without
  Chromium the time to the health endpoint plus a first AppTest render is used,
  and the table says so.
- Submit-to-result: the adviser form filled with persona P02 through AppTest;
  the time of the script run triggered by "Proposer des parcours" (profile
  parsing, pathways, rendering), engine already loaded, median of `--runs`.

Targets: cold start ≤ 5 s, submit-to-result ≤ 1 s. `--write` records the table,
the machine and the date in docs/benchmarks-app-speed.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import time
import zlib
from datetime import datetime, timezone
from pathlib import Path

from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS, REPO, streamlit_app

DOC = REPO / "docs" / "benchmarks-app-speed.md"
TARGETS = {"cold_start_s": 5.0, "submit_to_result_s": 1.0}
HEALTH: list[float] = []  # seconds until the server answered, per cold start (the rest is the page itself)


def cold_start_once() -> tuple[float, str]:
    """Seconds from `streamlit run` to the adviser form rendered in the browser (browser already open)."""
    browser = playwright = None
    if Path(CHROMIUM).exists():
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    started = time.perf_counter()
    try:
        with streamlit_app() as url:
            HEALTH.append(time.perf_counter() - started)
            if browser is None:
                from streamlit.testing.v1 import AppTest

                AppTest.from_file(str(REPO / "streamlit_app.py"), default_timeout=120).run()
                return time.perf_counter() - started, "health + AppTest (no chromium)"
            page = browser.new_page()
            page.goto(url)
            page.get_by_role("heading", name="Rendez-vous conseiller").wait_for(timeout=120_000)
            page.get_by_label("Âge", exact=True).wait_for(timeout=120_000)
            return time.perf_counter() - started, "headless chromium, adviser form rendered"
    finally:
        if browser is not None:
            browser.close()
            playwright.stop()


def _streamlit_pid() -> int:
    """The `streamlit run` child started by `streamlit_app()` (the server process itself)."""
    import psutil

    for child in psutil.Process().children(recursive=True):
        try:
            if "streamlit" in child.cmdline() and "run" in child.cmdline():
                return child.pid
        except psutil.Error:
            continue
    raise RuntimeError("streamlit process not found")


def _peak_rss_mb(pid: int) -> float:
    """Peak resident set size of a live process (Linux VmHWM: the kernel's own high-water mark)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("VmHWM not available")


def app_peak_rss() -> dict[str, float]:
    """Peak RSS of the real `streamlit run` process: first page, then a full adviser flow (P02) in Chromium.

    Measured in the server process itself, with the search engine, catalogue, referentials
    and planner loaded by a real session: the figure a deployment must provision for.
    """
    from playwright.sync_api import sync_playwright

    from tests.e2e.test_browser import fill_p02, wait_idle

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            with streamlit_app() as url:
                pid = _streamlit_pid()
                page = browser.new_page()
                page.set_default_timeout(120_000)
                page.goto(url)
                page.get_by_role("heading", name="Rendez-vous conseiller").wait_for()
                wait_idle(page)
                first_page = _peak_rss_mb(pid)
                fill_p02(page)
                page.get_by_role("button", name="Proposer des parcours").click()
                page.get_by_role("heading", name="Parcours proposés").wait_for()
                wait_idle(page)
                return {"first_page_mb": first_page, "after_plan_mb": _peak_rss_mb(pid)}
        finally:
            browser.close()


def submit_times(runs: int) -> list[float]:
    """Seconds of the run triggered by the submit button (persona P02), engine preloaded."""
    from streamlit.testing.v1 import AppTest

    from assistant.schemes import BasicSkillGap, IncomeSupport
    from indexes.search import get_search_engine

    get_search_engine()  # loaded once per process, as in the app (warm-up thread)
    times = []
    for _ in range(runs + 1):  # the first run warms the page's own caches and is dropped
        at = AppTest.from_file(str(REPO / "app_pages" / "conseiller.py"), default_timeout=120)
        at.run()
        at.text_input(key="adv_age").input("34")
        at.selectbox(key="adv_income").set_value(IncomeSupport.RSA)
        at.selectbox(key="adv_level").set_value(0)
        at.selectbox(key="adv_level_reached").set_value(0)
        at.multiselect(key="adv_gaps").set_value([BasicSkillGap.LECTURE_ECRITURE])
        at.text_input(key="adv_place_text").input("Ussel")
        at.text_input(key="adv_job_wish").input("assistante de vie aux familles")
        at.run()
        job = at.radio(key=f"adv_rome_{zlib.crc32(b'assistante de vie aux familles')}")  # the adviser confirms
        job.set_value(re.search(r"\(([A-N]\d{4})\)$", job.options[0]).group(1)).run()
        at.button(key="adv_submit").click()
        started = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - started)
        if at.exception or "Parcours proposés" not in [h.value for h in at.header]:
            raise RuntimeError(f"no result rendered: {[e.value for e in at.exception]}")
    return times[1:]


def machine() -> str:
    import psutil

    cpu = platform.processor() or platform.machine()
    return (f"{platform.system()} {platform.release()}, {psutil.cpu_count()} CPU ({cpu}), "
            f"{psutil.virtual_memory().total / 2**30:.0f} Go RAM, Python {platform.python_version()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write", action="store_true", help=f"write the results to {DOC.relative_to(REPO)}")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    os.chdir(REPO)

    load_before = os.getloadavg()[0]
    colds = [cold_start_once() for _ in range(args.runs)]
    cold = statistics.median(t for t, _ in colds)
    submits = submit_times(args.runs)
    submit = statistics.median(submits)
    rss = app_peak_rss() if Path(CHROMIUM).exists() else None
    rows = [("Démarrage à froid → formulaire affiché", cold, TARGETS["cold_start_s"], colds[0][1],
             [t for t, _ in colds]),
            ("dont : serveur prêt (`/_stcore/health`)", statistics.median(HEALTH), TARGETS["cold_start_s"],
             "part du démarrage à froid", HEALTH),
            ("Envoi du formulaire → parcours affichés (P02)", submit, TARGETS["submit_to_result_s"],
             "AppTest, moteur déjà chargé", submits)]
    lines = ["| mesure | médiane (s) | cible (s) | résultat | méthode | essais (s) |", "|---|---|---|---|---|---|"]
    for name, value, target, how, all_runs in rows:
        verdict = "OK" if value <= target else "AU-DESSUS"
        lines.append(f"| {name} | {value:.2f} | ≤ {target:.0f} | {verdict} | {how} | "
                     f"{', '.join(f'{t:.2f}' for t in all_runs)} |")
    if rss:
        lines.append(f"| Pic de mémoire (RSS, VmHWM) du processus `streamlit run` : première page / après un parcours "
                     f"P02 complet | {rss['first_page_mb']:.0f} Mo / {rss['after_plan_mb']:.0f} Mo | ≤ 600 Mo | "
                     f"{'OK' if rss['after_plan_mb'] <= 600 else 'AU-DESSUS'} | processus serveur réel, Chromium | — |")
    else:
        lines.append("| Pic de mémoire du processus `streamlit run` | non mesuré | ≤ 600 Mo | — | Chromium absent | — |")
    table = "\n".join(lines)
    load = f"charge moyenne de la machine (1 min) : {load_before:.1f} avant, {os.getloadavg()[0]:.1f} après"
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"{when} ; {machine()}")
    print(table)
    print(load)
    if args.write:
        DOC.write_text(
            "# Vitesse de l'application (bench/app_speed.py)\n\n"
            f"Mesuré le {when} sur : {machine()} ; {load}.\n"
            f"Dossier de travail : `{os.environ.get('ITINERAIRE_DATA_DIR', 'var/')}` (index déjà construits).\n\n"
            f"{table}\n\n"
            "Commande : `python -m bench.app_speed --runs 5 --write`.\n\n"
            "Le démarrage à froid compte le lancement de `streamlit run` jusqu'à l'affichage du formulaire du "
            "conseiller dans Chromium headless. Le modèle de langue et les index se chargent ensuite en "
            "arrière-plan (fil `itineraire-warm-up`, lancé après l'affichage de la première page) pendant la "
            "saisie du formulaire. L'envoi du formulaire est mesuré moteur chargé (cas normal après ce "
            "préchargement) ; le premier essai, qui remplit les caches de la page, est écarté. Les temps varient "
            "avec la charge de la machine, indiquée ci-dessus (2 cœurs partagés avec d'autres processus).\n",
            encoding="utf-8")
        print(f"écrit : {DOC.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

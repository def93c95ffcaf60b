"""Load benchmark: 20 adviser sessions submitting at the same moment, on one or several server processes.

Usage: `python -m bench.load_sessions [--sessions 20] [--rounds 3] [--processes 1] [--browsers N] [--profile N]
[--write]`

AppTest mode (default). Each session is an AppTest of the adviser page (its own session state, like a browser
tab) driven by its own thread. The threads live in `--processes` worker processes (sessions dealt round-robin,
as a sticky reverse proxy deals browsers to `streamlit run` processes): in each worker the same Python process,
GIL and caches (catalogue, index, model) that a `streamlit run` server shares between its sessions. Every session
fills a profile first (not timed), then all sessions of all workers click "Proposer des parcours" together (a
barrier across processes) and the time of each submit's script run is recorded (profile parsing, planning,
rendering, the deltas' hashing and queueing: what the server does), plus AppTest's own reading of the element tree
(which a real server does not do: the browser does it in its own process).

AppTest waits for a script run by polling every millisecond; with 20 sessions these 20,000 wake-ups per second
fight the script threads for the GIL, which a server does not do (its event loop sleeps until the script ends).
The bench therefore waits on the script thread itself (`--apptest-polling` keeps AppTest's own wait, to compare).

Memory is the sum of the worker processes' RSS (psutil, every 50 ms): after the warm-up, peak during the rounds,
and after the sessions are dropped.

Browser mode (`--browsers N`): N real Chromium tabs against `--processes` `streamlit run` servers (tab i goes to
server i mod P, as a sticky proxy would), click to "Parcours proposés" shown; memory is the servers' RSS sum. The
browsers run on the same machine as the servers.

`--profile N`: N submits one after another in one process, `cProfile` inside the page's script thread; prints the
script / AppTest split and the top costs. With `--websocket`, the same inside a real `streamlit run` server
(started by `serve_profiled`, a launcher of this bench: the app itself holds no profiling code).

Target (issue 13): p95 ≤ 2 s for 20 simultaneous submits on 2 cores. `--write` records the table, the machine,
the date and the load average in docs/benchmarks-load.md (AppTest mode: a section per process count).
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import statistics
import sys
import threading
import time
import zlib
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "benchmarks-load.md"
TARGET_P95_S = 2.0

# (commune, wish): varied so that sessions do not all hit the same cached answer
PROFILES = [("Ussel", "assistante de vie aux familles"), ("Pau", "aide soignante"), ("Limoges", "maçon"),
            ("Bordeaux", "cuisinier"), ("Poitiers", "électricien"), ("La Rochelle", "cariste"),
            ("Périgueux", "agent de propreté"), ("Agen", "vendeuse"), ("Mont-de-Marsan", "soudeur"),
            ("Niort", "comptable")]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


class RssSampler(threading.Thread):
    """Peak of the summed RSS of some processes, sampled every `every` seconds."""

    def __init__(self, pids: list[int], every: float = 0.05) -> None:
        super().__init__(daemon=True)
        import psutil

        self.processes = [psutil.Process(pid) for pid in pids]
        self.every = every
        self.peak = self.now()
        self._done = threading.Event()

    def now(self) -> int:
        total = 0
        for p in self.processes:
            try:
                total += p.memory_info().rss
            except Exception:  # a process that ended counts for nothing
                pass
        return total

    def run(self) -> None:
        while not self._done.wait(self.every):
            self.peak = max(self.peak, self.now())

    def stop(self) -> int:
        self._done.set()
        self.join()
        return self.peak


# --------------------------------------------------------------------------- AppTest harness


_finished = threading.local()  # when the script thread of this bench thread's last run ended


def wait_on_script_thread() -> None:
    """Wait for a script run the way a server does (blocked, not polling); see the module docstring."""
    from streamlit.testing.v1 import local_script_runner as lsr

    def require_widgets_deltas(runner, timeout: float = 3) -> None:
        runner._script_thread.join(timeout)
        _finished.at = time.perf_counter()
        if not runner.script_stopped():
            runner.request_stop()
            raise RuntimeError(f"AppTest script run timed out after {timeout}(s)")

    lsr.require_widgets_deltas = require_widgets_deltas


def keep_apptest_mode_on() -> None:
    """AppTest turns its `global.appTest` option on for each run and back off at the end; with 20 runs at
    once, one session's "off" lands in the middle of another's run, which then misses its widgets' test
    data (a KeyError in AppTest, not in the app). The option stays on for the whole bench process."""
    from contextlib import contextmanager

    from streamlit import config
    from streamlit.testing.v1 import app_test

    config.set_option("global.appTest", True)

    @contextmanager
    def patch_config_options(options):
        for name, value in options.items():
            config.set_option(name, value)
        yield

    app_test.patch_config_options = patch_config_options


def share_script_cache() -> None:
    """Compile the page once for every session, as the server's single ScriptCache does.

    Each AppTest has its own script cache; compiling the same page in 20 threads at once
    trips a CPython 3.11 parser race ("AST constructor recursion depth mismatch").
    """
    from streamlit.runtime.scriptrunner import script_cache

    original = script_cache.ScriptCache.get_bytecode
    compiled: dict[str, object] = {}
    lock = threading.Lock()

    def get_bytecode(self, script_path):
        with lock:
            if script_path not in compiled:
                compiled[script_path] = original(self, script_path)
            return compiled[script_path]

    script_cache.ScriptCache.get_bytecode = get_bytecode


def new_session(i: int):
    """An adviser session with a filled profile, ready to submit."""
    from streamlit.testing.v1 import AppTest

    from assistant.schemes import BasicSkillGap, IncomeSupport

    commune, wish = PROFILES[i % len(PROFILES)]
    at = AppTest.from_file(str(REPO / "app_pages" / "conseiller.py"), default_timeout=300)
    at.run()
    at.text_input(key="adv_age").input(str(25 + i % 30))
    at.selectbox(key="adv_income").set_value(IncomeSupport.RSA)
    at.selectbox(key="adv_level").set_value(0)
    at.selectbox(key="adv_level_reached").set_value(0)
    at.multiselect(key="adv_gaps").set_value([BasicSkillGap.LECTURE_ECRITURE])
    at.text_input(key="adv_place_text").input(commune)
    at.text_input(key="adv_job_wish").input(wish)
    at.run()
    # the adviser confirms the job (nothing is preselected): the first candidate, as the adviser would
    radio = at.radio(key=f"adv_rome_{zlib.crc32(wish.strip().lower().encode())}")
    radio.set_value(radio.options[0] if not radio.options[0].startswith("Aucun") else radio.options[1])
    at.run()
    if at.exception:
        raise RuntimeError(f"session {i}: {[e.value for e in at.exception]}")
    return at


def prepare_process(polling: bool) -> None:
    """What a server process has before the measured submits: engine loaded, page compiled and run once."""
    sys.path.insert(0, str(REPO))
    os.chdir(REPO)
    from indexes.search import get_search_engine

    share_script_cache()
    keep_apptest_mode_on()
    if not polling:
        wait_on_script_thread()
    get_search_engine()  # loaded once per process, as in the app (warm-up thread)
    new_session(0).button(key="adv_submit").click().run()  # warms the page's own caches
    gc.collect()


def run_rounds(indices: list[int], rounds: int, sync: Any = None) -> dict:
    """Submit times of these sessions, all clicking together `rounds` times.

    `sync` (a multiprocessing barrier) lines the rounds up across worker processes."""
    ats = [new_session(i) for i in indices]
    times: list[float] = []
    server: list[float] = []
    failures: list[str] = []
    harness: list[str] = []  # AppTest errors (not the app's): the submit is left out of the figures
    lock = threading.Lock()
    for _ in range(rounds):
        barrier = threading.Barrier(len(ats), action=sync.wait if sync is not None else None)

        def submit(at, barrier=barrier) -> None:  # bound now: each round has its own barrier
            try:
                at.button(key="adv_submit").click()
            except Exception as exc:  # the last run left AppTest's tree without the button: this session is out
                with lock:
                    harness.append(f"{type(exc).__name__} avant le clic : {exc}"[:300])
                barrier.wait(timeout=900)  # the others still go (a session that never arrives would block them)
                return
            barrier.wait(timeout=900)
            started = time.perf_counter()
            _finished.at = None
            try:
                at.run()
                elapsed = time.perf_counter() - started
                ok = not at.exception and "Parcours proposés" in [h.value for h in at.header]
                problem = (str([e.value for e in at.exception])[:200] if at.exception else
                           f"titres {[h.value for h in at.header]}, messages "
                           f"{[m.value for kind in ('error', 'warning', 'info') for m in at.get(kind)][:3]}, "
                           f"{len(list(at.main))} éléments")[:400]
            except Exception as exc:  # AppTest's own element tree is not thread-safe everywhere
                import traceback

                where = " < ".join(f"{Path(f.filename).name}:{f.lineno}" for f in
                                   reversed(traceback.extract_tb(exc.__traceback__)[-4:]))
                with lock:
                    harness.append(f"{type(exc).__name__}: {exc} ({where})"[:300])
                return
            with lock:
                times.append(elapsed)
                if _finished.at is not None:
                    server.append(_finished.at - started)
                if not ok:
                    failures.append(problem)

        threads = [threading.Thread(target=submit, args=(at,)) for at in ats]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    del ats
    gc.collect()
    return {"times": times, "server": server, "failures": failures, "harness": harness}


def _worker(indices: list[int], rounds: int, polling: bool, ready: Any, sync: Any, out: Any) -> None:
    """One worker process = one server process: its own interpreter, GIL and caches."""
    try:
        prepare_process(polling)
        ready.wait()  # every worker warmed up: the parent reads the memory "before"
        out.put(run_rounds(indices, rounds, sync))
        ready.wait()  # sessions dropped: the parent reads the memory "after"
    except BaseException as exc:  # reported by the parent
        out.put({"error": f"{type(exc).__name__}: {exc}"[:500]})
        sync.abort()
        ready.abort()


def run_apptest(sessions: int, rounds: int, processes: int, polling: bool) -> dict:
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    ready, sync, out = ctx.Barrier(processes + 1), ctx.Barrier(processes), ctx.Queue()
    groups = [list(range(sessions))[w::processes] for w in range(processes)]
    workers = [ctx.Process(target=_worker, args=(g, rounds, polling, ready, sync, out)) for g in groups]
    for w in workers:
        w.start()
    try:
        ready.wait(timeout=900)
    except threading.BrokenBarrierError:
        raise RuntimeError(f"a worker failed while warming up: {out.get(timeout=5)}") from None
    sampler = RssSampler([w.pid for w in workers])
    before = sampler.now()
    load_before = os.getloadavg()
    sampler.start()
    started = time.perf_counter()
    results = [out.get(timeout=3600) for _ in workers]
    wall = time.perf_counter() - started
    peak = sampler.stop()
    errors = [r["error"] for r in results if "error" in r]
    if errors:
        raise RuntimeError(f"worker failed: {errors}")
    after = sampler.now()
    ready.wait(timeout=60)
    for w in workers:
        w.join(timeout=60)
    merged: dict = {"before": before, "peak": peak, "after": after, "wall": wall, "load_before": load_before,
                    "load_after": os.getloadavg()}
    for key in ("times", "server", "failures", "harness"):
        merged[key] = [x for r in results for x in r[key]]
    return merged


def results_table(args: argparse.Namespace, r: dict, how: str) -> str:
    times, server = r["times"], r["server"]
    if not times:
        # Every submit failed (e.g. the servers could not load their index): say so, with what they showed.
        shown = "; ".join(str(f) for f in r["failures"][:3]) or "aucun détail"
        raise SystemExit(f"Aucun envoi n'a abouti ({len(r['failures'])} échecs, {len(r['harness'])} écartés) : {shown}")
    p50, p95 = statistics.median(times), percentile(times, 0.95)
    mb = lambda b: b / 2**20  # noqa: E731
    where = ("1 processus serveur" if args.processes == 1 else
             f"{args.processes} processus serveurs (sessions réparties, ~{args.sessions // args.processes} chacun)")
    rows = [
        ("configuration", f"{how}, {where}"
                          + (" ; attente d'AppTest par interrogation (1 ms)" if args.apptest_polling else "")),
        ("envois simultanés", f"{args.sessions} sessions × {args.rounds} tours = {len(times)}"),
        ("p50 par envoi", f"{p50:.2f} s"),
        ("p95 par envoi",
         f"{p95:.2f} s ({'OK' if p95 <= TARGET_P95_S else 'AU-DESSUS'} ; cible ≤ {TARGET_P95_S:.0f} s)"),
        ("max par envoi", f"{max(times):.2f} s"),
    ]
    if server:
        rows.append(("dont côté serveur (fin du script) : p50 / p95",
                     f"{statistics.median(server):.2f} s / {percentile(server, 0.95):.2f} s"))
    rows.append(("échecs (pas de parcours affiché)", str(len(r["failures"]))))
    if how.startswith("AppTest"):
        rows.append(("envois écartés (erreur interne d'AppTest, pas de l'application)", str(len(r["harness"]))))
    rows += [
        ("mémoire des processus serveurs avant (somme)", f"{mb(r['before']):.0f} Mo"),
        ("mémoire des processus serveurs, pic (somme)", f"{mb(r['peak']):.0f} Mo (+{mb(r['peak'] - r['before']):.0f} Mo)"),
        ("mémoire des processus serveurs après (sessions fermées)", f"{mb(r['after']):.0f} Mo"),
        ("durée totale", f"{r['wall']:.1f} s"),
        ("charge moyenne (1 / 5 / 15 min)", f"{' / '.join(f'{x:.1f}' for x in r['load_before'])} avant, "
                                            f"{' / '.join(f'{x:.1f}' for x in r['load_after'])} après"),
    ]
    return "\n".join(["| mesure | valeur |", "|---|---|"] + [f"| {k} | {v} |" for k, v in rows])


# --------------------------------------------------------------------------- profile of one submit


def run_profile(n: int, polling: bool) -> None:
    """cProfile inside the script thread of `n` submits, one after another (nothing else running)."""
    import cProfile

    from streamlit.testing.v1 import local_script_runner as lsr

    prepare_process(polling)
    profile = cProfile.Profile()
    state = {"on": False, "script": 0.0, "parse": 0.0}
    original_thread, original_parse = lsr.LocalScriptRunner._run_script_thread, lsr.parse_tree_from_messages

    def script_thread(self):
        if not state["on"]:
            return original_thread(self)
        started = time.perf_counter()
        profile.enable()
        try:
            return original_thread(self)
        finally:
            profile.disable()
            state["script"] += time.perf_counter() - started

    def parse(messages):
        started = time.perf_counter()
        try:
            return original_parse(messages)
        finally:
            state["parse"] += time.perf_counter() - started if state["on"] else 0.0

    lsr.LocalScriptRunner._run_script_thread = script_thread
    lsr.parse_tree_from_messages = parse
    ats = [new_session(i) for i in range(n)]
    # the same submits without the profiler first: the real split, then the profiled one
    walls = []
    for at in ats:
        at.button(key="adv_submit").click()
        started = time.perf_counter()
        at.run()
        walls.append(time.perf_counter() - started)
    state["on"] = True
    for at in ats:
        at.button(key="adv_submit").click().run()
    state["on"] = False
    print(f"{n} envois l'un après l'autre, sans profileur : p50 {statistics.median(walls) * 1000:.0f} ms "
          f"par envoi (at.run entier)")
    print(f"avec profileur : script {state['script'] / n * 1000:.0f} ms par envoi, lecture de l'arbre par "
          f"AppTest {state['parse'] / n * 1000:.1f} ms")
    print_profile(profile)


# --------------------------------------------------------------------------- Streamlit's own protocol


class ProtocolSession:
    """One browser tab reduced to Streamlit's WebSocket protocol: BackMsg (widget values, button click) out,
    ForwardMsg (deltas, "script finished") in. No page is rendered: what is timed is the real `streamlit run`
    server (script run, serialisation, WebSocket) with almost nothing on the client side."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.ids: dict[str, str] = {}  # widget key -> widget id, from the deltas
        self.radios: dict[str, list[str]] = {}  # widget key -> options as sent
        self.states: dict[str, Any] = {}  # widget id -> WidgetState the "tab" holds
        self.headings: list[str] = []

    async def rerun(self, trigger: str | None = None) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        back = BackMsg()
        back.rerun_script.query_string = ""
        back.rerun_script.page_script_hash = ""
        for state in self.states.values():
            back.rerun_script.widget_states.widgets.append(state)
        if trigger:
            click = WidgetState(id=self.ids[trigger], trigger_value=True)
            back.rerun_script.widget_states.widgets.append(click)
        self.headings = []
        await self.ws.send(back.SerializeToString())
        while True:
            msg = ForwardMsg()
            msg.ParseFromString(await self.ws.recv())
            kind = msg.WhichOneof("type")
            if kind == "script_finished":
                return
            if kind != "delta" or msg.delta.WhichOneof("type") != "new_element":
                continue
            element = msg.delta.new_element
            name = element.WhichOneof("type")
            proto = getattr(element, name)
            if name == "heading":
                self.headings.append(proto.body)
            widget_id = getattr(proto, "id", "")
            if isinstance(widget_id, str) and widget_id.startswith("$$ID-") and widget_id.count("-") >= 2:
                key = widget_id.split("-", 2)[2]
                self.ids[key] = widget_id
                if name == "radio":
                    self.radios[key] = list(proto.options)

    def text(self, key: str, value: str) -> None:
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        self.states[self.ids[key]] = WidgetState(id=self.ids[key], string_value=value)


async def _protocol_round(urls: list[str], sessions: int, rounds: int) -> tuple[list[float], list[str]]:
    import asyncio

    import websockets

    times: list[float] = []
    failures: list[str] = []
    ready = [asyncio.Event() for _ in range(rounds)]
    waiting = [0] * rounds

    async def session(i: int) -> None:
        commune, wish = PROFILES[i % len(PROFILES)]
        url = urls[i % len(urls)].replace("http://", "ws://") + "/_stcore/stream"
        async with websockets.connect(url, subprotocols=["streamlit"], max_size=None, open_timeout=300,
                                      ping_interval=None) as ws:
            tab = ProtocolSession(ws)
            try:
                await asyncio.sleep(i * 0.1)
                await tab.rerun()
                tab.text("adv_age", str(25 + i % 30))
                tab.text("adv_place_text", commune)
                tab.text("adv_job_wish", wish)
                await tab.rerun()
                key = next(k for k in tab.radios if k.startswith("adv_rome_"))
                # the adviser confirms the job (nothing is preselected): the first candidate
                option = next(o for o in tab.radios[key] if not o.startswith("Aucun"))
                tab.text(key, option)  # a radio's value travels as its option's text
                await tab.rerun()
            except Exception as exc:  # counted, the others go on
                failures.append(f"session {i} (saisie) : {type(exc).__name__}: {exc}"[:200])
            for r in range(rounds):
                waiting[r] += 1
                if waiting[r] == sessions:
                    ready[r].set()
                await ready[r].wait()
                try:
                    started = time.perf_counter()
                    await tab.rerun(trigger="adv_submit")
                    elapsed = time.perf_counter() - started
                    if "Parcours proposés" in tab.headings:
                        times.append(elapsed)
                    else:
                        failures.append(f"session {i} (envoi) : pas de parcours {tab.headings[-3:]}")
                except Exception as exc:
                    failures.append(f"session {i} (envoi) : {type(exc).__name__}: {exc}"[:200])

    await asyncio.gather(*(session(i) for i in range(sessions)))
    return times, failures


def run_protocol(sessions: int, rounds: int, processes: int) -> dict:
    """Submit times over Streamlit's WebSocket protocol against `processes` `streamlit run` servers."""
    import asyncio
    from contextlib import ExitStack

    import psutil

    from tests.e2e.server import streamlit_app

    with ExitStack() as stack:
        urls = [stack.enter_context(streamlit_app()) for _ in range(processes)]
        me = psutil.Process()
        servers = [p.pid for p in me.children(recursive=True) if "streamlit" in " ".join(p.cmdline())]
        # each server loads its engine at its first session (warm-up), as after a restart: not timed
        asyncio.run(_protocol_round(urls, processes, 1))
        sampler = RssSampler(servers)
        before, load_before = sampler.now(), os.getloadavg()
        sampler.start()
        started = time.perf_counter()
        try:
            times, failures = asyncio.run(_protocol_round(urls, sessions, rounds))
        finally:
            peak = sampler.stop()
        wall = time.perf_counter() - started
        time.sleep(1)
        after = sampler.now()
    return {"times": times, "server": [], "failures": failures, "harness": [], "before": before, "peak": peak,
            "after": after, "wall": wall, "load_before": load_before, "load_after": os.getloadavg()}


def print_profile(profile: Any) -> None:
    import io
    import pstats

    text = io.StringIO()
    stats = pstats.Stats(profile, stream=text)
    stats.sort_stats("cumulative").print_stats(r"app_pages|assistant|indexes|catalog|streamlit_app", 30)
    stats.sort_stats("tottime").print_stats(20)
    print(re.sub(r"/\S*/site-packages/", "", text.getvalue().replace(str(REPO) + "/", "")))


def serve_profiled(port: int, out: str, skip: int) -> None:
    """`streamlit run streamlit_app.py` whose script runs after the first `skip` are profiled (cProfile inside the
    script thread) into `out`; used by `--websocket --profile N` only, never by the app."""
    import cProfile

    from streamlit.runtime.scriptrunner import script_runner
    from streamlit.web import cli

    profile, runs, lock, spent = cProfile.Profile(), [0], threading.Lock(), []
    original = script_runner.ScriptRunner._run_script_thread

    def run(self) -> None:
        runs[0] += 1
        if runs[0] <= skip:
            return original(self)
        with lock:
            started = time.perf_counter()
            profile.enable()
            try:
                return original(self)
            finally:
                profile.disable()
                spent.append(time.perf_counter() - started)
                profile.dump_stats(out)
                Path(out + ".times").write_text(" ".join(f"{t:.4f}" for t in spent))

    script_runner.ScriptRunner._run_script_thread = run
    os.chdir(REPO)
    sys.argv = ["streamlit", "run", "streamlit_app.py", "--server.port", str(port), "--server.headless", "true",
                "--browser.gatherUsageStats", "false"]
    cli.main()


def run_server_profile(n: int) -> None:
    """One session over the WebSocket against a real server: n submits timed, then n submits profiled."""
    import asyncio
    import subprocess
    import tempfile

    import websockets

    from tests.e2e.server import free_port, healthy

    port, out = free_port(), str(Path(tempfile.mkdtemp(prefix="itineraire-profile-")) / "server.prof")
    warm = 4  # first page, profile filled, job confirmed, first submit (engine and caches warm)
    server = subprocess.Popen([sys.executable, "-c", f"from bench.load_sessions import serve_profiled; "
                               f"serve_profiled({port}, {out!r}, {warm + n})"], cwd=REPO,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    async def drive() -> list[float]:
        url = f"ws://127.0.0.1:{port}/_stcore/stream"
        async with websockets.connect(url, subprotocols=["streamlit"], max_size=None) as ws:
            tab = ProtocolSession(ws)
            await tab.rerun()
            tab.text("adv_age", "34")
            tab.text("adv_place_text", "Ussel")
            tab.text("adv_job_wish", "assistante de vie aux familles")
            await tab.rerun()
            key = next(k for k in tab.radios if k.startswith("adv_rome_"))
            tab.text(key, next(o for o in tab.radios[key] if not o.startswith("Aucun")))
            await tab.rerun()
            await tab.rerun(trigger="adv_submit")
            walls = []
            for _ in range(2 * n):
                started = time.perf_counter()
                await tab.rerun(trigger="adv_submit")
                walls.append(time.perf_counter() - started)
                assert "Parcours proposés" in tab.headings, tab.headings
            return walls[:n]

    try:
        deadline = time.monotonic() + 120
        while not healthy(port):
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the profiled server did not start")
            time.sleep(0.1)
        walls = asyncio.run(drive())
        time.sleep(0.5)
        spent = [float(t) for t in Path(out + ".times").read_text().split()]
        print(f"{n} envois l'un après l'autre, une session, vrai serveur, sans profileur : p50 "
              f"{statistics.median(walls) * 1000:.0f} ms par envoi (clic envoyé → « script terminé » reçu)")
        print(f"avec profileur : script {statistics.median(spent) * 1000:.0f} ms par envoi (médiane, {len(spent)} "
              "exécutions profilées)")
        print_profile(out)
    finally:
        server.terminate()
        server.wait(timeout=30)
        for leftover in (out, out + ".times"):
            Path(leftover).unlink(missing_ok=True)
        Path(out).parent.rmdir()


# --------------------------------------------------------------------------- real browsers


async def _browser_round(urls: list[str], sessions: int) -> tuple[list[float], list[str]]:
    """`sessions` Chromium tabs fill the adviser form, then all click "Proposer des parcours" together.

    Tab i talks to urls[i % len(urls)] (one `streamlit run` process each, as a sticky proxy would deal them)."""
    import asyncio

    from playwright.async_api import async_playwright

    from tests.e2e.server import CHROMIUM, CHROMIUM_ARGS

    async def idle(page) -> None:
        await page.wait_for_timeout(300)
        await page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=300_000)

    async def type_in(page, label: str, text: str) -> None:
        box = page.get_by_label(label, exact=True)
        await box.fill(text)
        await box.press("Enter")
        await idle(page)

    times: list[float] = []
    failures: list[str] = []
    ready = 0
    go = asyncio.Event()

    async def session(browser, i: int) -> None:
        nonlocal ready
        commune, wish = PROFILES[i % len(PROFILES)]
        page = await browser.new_page()
        page.set_default_timeout(300_000)  # 2 shared cores and many tabs: slow, not broken
        try:
            await asyncio.sleep(i * 0.5)  # tabs opened one after the other, as advisers would
            await page.goto(urls[i % len(urls)])
            await page.get_by_role("heading", name="Rendez-vous conseiller").wait_for(timeout=300_000)
            await idle(page)
            await type_in(page, "Âge", str(25 + i % 30))
            await type_in(page, "Commune de résidence", commune)
            await page.get_by_text("Commune retenue").first.wait_for(timeout=300_000)
            await type_in(page, "Métier souhaité, dans les mots de la personne", wish)
            # the adviser confirms the job (nothing is preselected): the first candidate
            group = page.get_by_role("radiogroup", name="Métier retenu (à confirmer avec la personne)")
            await group.get_by_role("radio").first.check(force=True)
            await idle(page)
        except Exception as exc:
            failures.append(f"session {i} (saisie) : {type(exc).__name__}")
        finally:
            ready += 1
            if ready == sessions:
                go.set()
        await go.wait()
        try:
            started = time.perf_counter()
            await page.get_by_role("button", name="Proposer des parcours").click()
            await page.get_by_role("heading", name="Parcours proposés").wait_for(timeout=300_000)
            times.append(time.perf_counter() - started)
        except Exception as exc:
            failures.append(f"session {i} (envoi) : {type(exc).__name__}")
        finally:
            await page.close()

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            await asyncio.gather(*(session(browser, i) for i in range(sessions)))
        finally:
            await browser.close()
    return times, failures


def run_browsers(sessions: int, processes: int) -> dict:
    """Submit times and the servers' memory: `sessions` Chromium tabs against `processes` `streamlit run`."""
    import asyncio
    from contextlib import ExitStack

    import psutil

    from tests.e2e.server import streamlit_app

    with ExitStack() as stack:
        urls = [stack.enter_context(streamlit_app()) for _ in range(processes)]
        me = psutil.Process()
        servers = [p.pid for p in me.children(recursive=True) if "streamlit" in " ".join(p.cmdline())]
        sampler = RssSampler(servers, every=0.1)
        before, load_before = sampler.now(), os.getloadavg()
        sampler.start()
        try:
            times, failures = asyncio.run(_browser_round(urls, sessions))
        finally:
            peak = sampler.stop()
    return {"times": times, "failures": failures, "before": before, "peak": peak, "load_before": load_before,
            "load_after": os.getloadavg(), "servers": len(servers)}


def browser_line(args: argparse.Namespace, r: dict) -> str:
    times = r["times"]
    p50 = statistics.median(times) if times else float("nan")
    p95 = percentile(times, 0.95) if times else float("nan")
    return (f"navigateurs réels : {args.browsers} onglets Chromium, {args.processes} serveur(s) `streamlit run`, "
            f"{len(times)} envois mesurés, p50 {p50:.2f} s, p95 {p95:.2f} s "
            f"({'OK' if p95 <= TARGET_P95_S else 'AU-DESSUS'} ; cible ≤ {TARGET_P95_S:.0f} s), "
            f"mémoire des serveurs (somme) {r['before'] / 2**20:.0f} Mo avant, pic {r['peak'] / 2**20:.0f} Mo ; "
            f"charge moyenne {r['load_before'][0]:.1f} avant, {r['load_after'][0]:.1f} après ; "
            f"échecs : {len(r['failures'])} {r['failures'][:3]}")


# --------------------------------------------------------------------------- report


INTRO = """Cible (issue 13) : p95 ≤ 2 s pour 20 envois simultanés de « Proposer des parcours » sur 2 cœurs. Chaque
section ci-dessous est une mesure (la plus récente pour sa configuration), avec la machine, la date et la charge
moyenne : la machine de mesure (2 cœurs) est partagée avec d'autres travaux, les temps montent avec la charge.

- **AppTest** : chaque session est un `AppTest` de la page conseiller piloté par son fil, dans 1 ou N processus
  (un processus = un serveur : même interpréteur, même GIL, mêmes caches). Temps = exécution de la page déclenchée
  par le clic (plus la lecture de l'arbre par AppTest, ~2 ms). Sans le serveur web : ni `streamlit_app.py`
  (navigation), ni passage des messages à la boucle d'événements, ni WebSocket.
- **WebSocket** : de vrais serveurs `streamlit run` (1 ou N, les sessions réparties comme le ferait un proxy à
  affinité), pilotés par le protocole de Streamlit (les messages qu'envoie un navigateur : valeurs des champs,
  clic), sans navigateur. Temps = du clic envoyé au message « script terminé » reçu : c'est la mesure du serveur
  réel, la plus proche de ce que vivent 20 conseillers sur leurs propres postes.
- **Navigateurs réels** : N onglets Chromium sur les mêmes 2 cœurs que les serveurs ; temps = du clic à
  l'affichage de « Parcours proposés ». Le rendu de N pages par Chromium occupe alors les cœurs du serveur : ce
  n'est pas la situation d'un déploiement (chaque conseiller a son poste).

Mémoire : somme des RSS des processus serveurs (psutil, toutes les 50 à 100 ms).

Synthèse, historique et ce qui a changé (profils) : `docs/benchmarks.md`, lignes « Load ». Le déploiement visé
par la cible est celui du README (« Déploiement ») : un processus `streamlit run` par cœur derrière un proxy à
affinité ; les sections « 2 processus » le mesurent.

"""


def write_section(title: str, body: str) -> None:
    """Replace (or add) one `## title` section of docs/benchmarks-load.md, keeping the others."""
    from bench.app_speed import machine

    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    head = "# Charge : sessions de conseillers simultanées (bench/load_sessions.py)\n\n" + INTRO
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    sections = re.split(r"(?m)^(?=## )", text)
    kept = [s for s in sections if s.startswith("## ") and not s.startswith(f"## {title}\n")]
    new = f"## {title}\n\nMesuré le {when} sur : {machine()}.\n\n{body.strip()}\n\n"
    ordered = sorted(kept + [new], key=lambda s: s.splitlines()[0])
    DOC.write_text(head + "".join(s if s.endswith("\n\n") else s.rstrip("\n") + "\n\n" for s in ordered)
                   .rstrip("\n") + "\n", encoding="utf-8")
    print(f"écrit : {DOC.relative_to(REPO)} (section « {title} »)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--processes", type=int, default=1,
                        help="server processes: AppTest worker processes, or `streamlit run` servers with --browsers")
    parser.add_argument("--apptest-polling", action="store_true",
                        help="keep AppTest's own wait (polling every millisecond) instead of waiting on the script")
    parser.add_argument("--browsers", type=int, default=0,
                        help="drive this many real Chromium tabs against `streamlit run` instead of AppTest")
    parser.add_argument("--websocket", action="store_true",
                        help="drive the sessions over Streamlit's WebSocket protocol against `streamlit run` "
                             "servers (no browser rendering) instead of AppTest")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="profile N submits one after another (cProfile in the script thread) and stop; "
                             "with --websocket, in a real `streamlit run` server")
    parser.add_argument("--write", action="store_true", help=f"write the results to {DOC.relative_to(REPO)}")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    os.chdir(REPO)

    if args.profile:
        if args.websocket:
            run_server_profile(args.profile)
        else:
            run_profile(args.profile, args.apptest_polling)
        return 0

    if args.browsers:
        r = run_browsers(args.browsers, args.processes)
        line = browser_line(args, r)
        print(line)
        if args.write:
            write_section(f"Navigateurs réels, {args.browsers} onglets, {args.processes} serveur(s)",
                          f"{line}.\n\nCommande : `python -m bench.load_sessions --browsers {args.browsers} "
                          f"--processes {args.processes} --write`. Les onglets remplissent le formulaire l'un après "
                          "l'autre, puis cliquent tous ensemble ; le temps va du clic à l'affichage de « Parcours "
                          "proposés » dans l'onglet. Chromium tourne sur les mêmes 2 cœurs que les serveurs.")
        return 0 if not r["failures"] else 1

    if args.websocket:
        how, r = "protocole WebSocket de Streamlit contre `streamlit run`", run_protocol(args.sessions, args.rounds,
                                                                                      args.processes)
        title, flag = f"WebSocket, {args.sessions} sessions, {args.processes} processus", " --websocket"
    else:
        how, r = "AppTest", run_apptest(args.sessions, args.rounds, args.processes, args.apptest_polling)
        title = (f"AppTest, {args.sessions} sessions, {args.processes} processus"
                 + (", attente par interrogation" if args.apptest_polling else ""))
        flag = " --apptest-polling" if args.apptest_polling else ""
    table = results_table(args, r, how)
    print(table)
    for f in r["failures"][:5]:
        print("échec :", f)
    for h in r["harness"][:3]:
        print("erreur AppTest :", h)
    if args.write:
        write_section(title, f"{table}\n\nCommande : `python -m bench.load_sessions --sessions {args.sessions} "
                             f"--rounds {args.rounds} --processes {args.processes}{flag} --write`.")
    return 0 if not r["failures"] else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""The shared catalogue survives concurrent writers, damaged files and killed saves.

Writers (CLI, app) go through `store.import_offers`: an exclusive lock around
read-merge-write, merging into the file on disk. Each write keeps the previous
versions; `python -m catalog restore` puts one back.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from catalog import store
from catalog.paths import REPO_ROOT
from catalog.store import Catalogue, CatalogueError, load_catalogue, save_catalogue
from tests.test_store import make_offer


@pytest.fixture
def working(data_dir, monkeypatch):
    """A working catalogue of 3 offers in a fresh data dir (no demo fallback)."""
    monkeypatch.setattr(store, "DEMO_PATH", data_dir / "absent-demo.jsonl.gz")
    cat = Catalogue([make_offer(1), make_offer(2), make_offer(3)], {"demo": True})
    save_catalogue(cat)
    return store.working_path()


def _csv(path: Path, prefix: str, n: int) -> Path:
    rows = ["id_offre;intitule;type_offre;id_session;date_debut;commune_insee"]
    rows += [f"{prefix}{i};Formation {prefix} {i};QUALIFIANT;S1;2027-01-{1 + i % 27:02d};64445" for i in range(n)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _cli(data_dir: Path, *args: str, cwd: Path = REPO_ROOT) -> subprocess.Popen:
    env = {**os.environ, "ITINERAIRE_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.Popen([sys.executable, "-m", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


# --------------------------------------------------------------------------- one writer at a time


def test_concurrent_cli_imports_keep_both_sets_of_offers(working, tmp_path):
    files = [_csv(tmp_path / f"lot{k}.csv", f"L{k}-", 40) for k in range(3)]
    procs = [_cli(working.parent, "catalog", "import", str(f), "--json") for f in files]
    outs = [p.communicate(timeout=180) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1] for o in outs]
    assert all(json.loads(o[0])["merge"]["added"] == 40 for o in outs)
    ids = {o.id for o in load_catalogue(working)}
    for k in range(3):
        assert {f"tableur:L{k}-{i}" for i in range(40)} <= ids, f"offers of lot {k} lost"
    assert len(ids) == 3 + 3 * 40


def test_concurrent_thread_imports_are_serialised(working, monkeypatch):
    real_merge = store.merge_offers
    inside = {"now": 0, "max": 0}
    guard = threading.Lock()

    def slow_merge(cat, offers):  # widens the read-merge-write window: without the lock updates are lost
        with guard:
            inside["now"] += 1
            inside["max"] = max(inside["max"], inside["now"])
        time.sleep(0.15)
        try:
            return real_merge(cat, offers)
        finally:
            with guard:
                inside["now"] -= 1

    monkeypatch.setattr(store, "merge_offers", slow_merge)
    batches = [[make_offer(100 + 10 * k + i, demo=False) for i in range(5)] for k in range(4)]
    errors = []

    def run(batch):
        try:
            store.import_offers(batch)
        except Exception as exc:  # pragma: no cover - reported by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(b,)) for b in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert inside["max"] == 1, "two writers merged at the same time"
    ids = {o.id for o in load_catalogue(working)}
    assert {o.id for b in batches for o in b} <= ids and len(ids) == 3 + 20


def test_import_merges_into_the_file_on_disk_not_a_stale_copy(working):
    stale = load_catalogue()  # e.g. the copy cached by the app
    store.import_offers([make_offer(50, demo=False)])  # another writer (the CLI) meanwhile
    store.import_offers([make_offer(51, demo=False)])
    ids = {o.id for o in load_catalogue()}
    assert {"OF-050", "OF-051"} <= ids and "OF-050" not in stale
    assert store.catalogue_version() != "" and store.catalogue_version(working) == store.catalogue_version()


def test_busy_lock_gives_a_french_message(working):
    with store.catalogue_lock():
        with pytest.raises(store.CatalogueBusy, match="un autre import"):
            with store.catalogue_lock(timeout=0.2):
                pass


def test_version_token_changes_after_each_write(working):
    before = store.catalogue_version()
    store.import_offers([make_offer(60, demo=False)])
    assert store.catalogue_version() != before


# --------------------------------------------------------------------------- versions, damage, restore


def test_each_write_keeps_the_previous_versions_up_to_the_setting(working, monkeypatch):
    monkeypatch.setenv("ITINERAIRE_CATALOGUE_VERSIONS", "3")
    for n in range(70, 76):
        store.import_offers([make_offer(n, demo=False)])
    versions = store.list_versions()
    assert len(versions) == 3
    assert [v.offers for v in versions] == [9, 8, 7]  # newest first: a copy of each file written
    assert [v.current for v in versions] == [True, False, False]
    assert all(v.problem is None for v in versions)


@pytest.mark.parametrize("damage", ["empty", "headerless", "truncated", "garbage"])
def test_damaged_current_file_is_reported_with_restore_as_the_fix(working, damage):
    store.import_offers([make_offer(80, demo=False)])  # versions: the 3-offer file, the 4-offer file
    data = working.read_bytes()
    if damage == "empty":
        working.write_bytes(b"")
    elif damage == "headerless":
        lines = gzip.decompress(data).decode().splitlines()[1:]
        working.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    elif damage == "truncated":
        working.write_bytes(data[: len(data) // 2])
    else:
        working.write_bytes(os.urandom(300))
    with pytest.raises(CatalogueError) as err:
        load_catalogue()
    message = str(err.value)
    assert err.value.damaged and "python -m catalog restore" in message and "Restaurer" in message
    assert str(working.parent) not in message
    if damage == "empty":
        assert "vide" in message
    # an import never merges over a damaged file (it would silently drop every earlier offer)
    with pytest.raises(CatalogueError):
        store.import_offers([make_offer(81, demo=False)])
    restored = store.restore_version()
    assert restored.offers == 4
    assert {o.id for o in load_catalogue()} == {"OF-001", "OF-002", "OF-003", "OF-080"}
    # the damaged file was itself kept, so the restore can be undone
    assert any(v.problem for v in store.list_versions())


def test_restore_named_version_and_unknown_name(working):
    store.import_offers([make_offer(90, demo=False)])
    store.import_offers([make_offer(91, demo=False)])
    assert [v.offers for v in store.list_versions()] == [5, 4, 3]
    oldest = store.list_versions()[-1]
    assert oldest.offers == 3
    store.restore_version(oldest.name)
    assert len(load_catalogue()) == 3
    with pytest.raises(CatalogueError, match="introuvable"):
        store.restore_version("19990101T000000000000Z--catalogue.jsonl.gz")


def test_restore_without_any_version(working):
    import shutil

    shutil.rmtree(store.versions_dir())
    with pytest.raises(CatalogueError, match="aucune version"):
        store.restore_version()


def test_leftover_temp_files_are_cleaned_at_start(working):
    leftover = working.parent / f".{working.name}.abc123.tmp"
    leftover.write_bytes(b"half a catalogue")
    assert store.cleanup_leftovers() == [leftover.name]
    assert not leftover.exists()
    leftover.write_bytes(b"x")
    with store.catalogue_lock():  # a writer at work: its temp file is not a leftover
        assert store.cleanup_leftovers() == []
    assert leftover.exists()
    store.import_offers([make_offer(95, demo=False)])  # a write under the lock removes it too
    assert not leftover.exists()


def test_full_disk_is_not_called_unreadable(working, monkeypatch):
    def no_space(fd):
        raise OSError(28, "No space left on device")

    before = working.read_bytes()
    monkeypatch.setattr(store.os, "fsync", no_space)
    with pytest.raises(store.CatalogueWriteError) as err:
        store.import_offers([make_offer(96, demo=False)])
    message = str(err.value)
    assert "disque plein" in message and "illisible" not in message and "No space" not in message
    assert working.read_bytes() == before
    assert not list(working.parent.glob(".*.tmp"))


def test_read_only_folder_message_is_french(working, monkeypatch):
    def read_only(*args, **kwargs):
        raise OSError(30, "Read-only file system", str(working.parent))

    monkeypatch.setattr(store.tempfile, "mkstemp", read_only)
    with pytest.raises(store.CatalogueWriteError) as err:
        store.import_offers([make_offer(97, demo=False)])
    assert "lecture seule" in str(err.value) and "Errno" not in str(err.value)
    assert str(working.parent) not in str(err.value)


def test_nan_in_a_catalogue_file_is_damage(working):
    lines = gzip.decompress(working.read_bytes()).decode().splitlines()
    lines[1] = lines[1].replace('"hours_per_week":null', '"hours_per_week":NaN')
    assert "NaN" in lines[1]
    working.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    with pytest.raises(CatalogueError, match="non finie"):
        load_catalogue()


# --------------------------------------------------------------------------- command lines


def test_cli_restore_list_and_restore(working):
    store.import_offers([make_offer(98, demo=False)])
    working.write_bytes(b"")
    proc = _cli(working.parent, "catalog", "restore", "--list", "--json")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    listed = json.loads(out)
    assert [v["offers"] for v in listed] == [4, 3] and listed[0]["problem"] is None
    proc = _cli(working.parent, "catalog", "restore")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "restaurée" in out and len(load_catalogue()) == 4


def test_assistant_plan_on_a_damaged_catalogue_is_a_french_message(working, tmp_path):
    working.write_bytes(b"")
    profile = tmp_path / "profil.json"
    profile.write_text(json.dumps({"age": 30, "commune": "Pau", "wish": "aide-soignant", "confirmed_rome": "J1501"}),
                       encoding="utf-8")
    proc = _cli(working.parent, "assistant", "plan", "--profile", str(profile))
    out, err = proc.communicate(timeout=180)
    assert "Traceback" not in err, err
    assert proc.returncode == 1
    assert "catalogue" in err and "python -m catalog restore" in err
    proc = _cli(working.parent, "assistant", "plan", "--profile", str(profile), "--json")
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == 1 and "Traceback" not in err
    assert json.loads(out)["status"] == "catalogue_indisponible"


def test_implausible_values_in_a_catalogue_file_never_reach_the_planner(working, tmp_path):
    from datetime import date

    offer = make_offer(99, demo=False)
    offer.sessions[0].end = date(9999, 12, 31)
    offer.sessions[1].start = date(1, 1, 1)
    offer.duration.hours_per_week = -35.0
    save_catalogue(Catalogue([offer, make_offer(1)], {"demo": False}))
    loaded = load_catalogue()
    assert loaded.get("OF-099").sessions == [] and loaded.get("OF-099").duration.hours_per_week is None
    assert len(loaded.get("OF-001").sessions) == 2
    from assistant.api import plan
    from tests.test_pathways import profile

    def resolver(text, k):
        return [{"rome": "J1501", "label": "Aide-soignant", "score": 0.9}]

    result = plan(profile(wish_romes=[], wish="aide-soignant"), date(2025, 12, 1), catalogue=loaded,
                  job_resolver=resolver)
    json.dumps(result, allow_nan=False)  # strict JSON: no NaN / Infinity anywhere
    assert "9999" not in json.dumps(result)


def test_a_version_copy_that_fails_does_not_undo_the_write(working, monkeypatch):
    import shutil

    before = len(store.list_versions())

    def no_space(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(shutil, "copyfile", no_space)
    store.import_offers([make_offer(120, demo=False)])
    assert "OF-120" in load_catalogue()
    assert len(store.list_versions()) == before
    assert not list(store.versions_dir().glob(".*.tmp"))

"""`python -m catalog import | validate | template` through a real subprocess: exit codes, JSON, merge."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from catalog.paths import CATALOG_DATA_DIR, REPO_ROOT

FIXTURES = Path(__file__).parent / "fixtures" / "import"
TEMPLATE = CATALOG_DATA_DIR / "import_template.csv"


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "ITINERAIRE_DATA_DIR": str(tmp_path / "var"), "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run([sys.executable, "-m", "catalog", *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_dry_run_json_lists_offers_and_problems_without_writing(tmp_path):
    proc = run(tmp_path, "import", str(FIXTURES / "bad_rows.csv"), "--dry-run", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert (out["accepted"], out["rejected"]) == (3, 6)
    assert out["warnings"] == sum(p["severity"] == "warning" for p in out["problems"]) > 0
    assert {o["id"] for o in out["offers"]} == {"tableur:OK-1", "tableur:WARN-1"}
    assert len(next(o for o in out["offers"] if o["id"] == "tableur:OK-1")["sessions"]) == 2
    assert {"file", "record_id", "field", "reason", "severity", "line"} <= set(out["problems"][0])
    assert not (tmp_path / "var").exists()


def test_validate_prints_a_human_table(tmp_path):
    proc = run(tmp_path, "validate", str(FIXTURES / "bad_rows.csv"))
    assert proc.returncode == 0
    assert "3 enregistrement(s) accepté(s), 6 refusé(s)" in proc.stdout
    assert "ligne 7" in proc.stdout and "avant le début" in proc.stdout
    proc = run(tmp_path, "validate", str(FIXTURES / "bad_rows.csv"), "--json")
    assert "offers" not in json.loads(proc.stdout)


@pytest.mark.parametrize("name", ["empty.csv", "unknown.bin", "corrupt.xlsx", "billion_laughs.xml", "missing.xml"])
def test_unreadable_file_exits_2_with_one_line(tmp_path, name):
    proc = run(tmp_path, "import", str(FIXTURES / name), "--json")
    assert proc.returncode == 2
    assert proc.stdout == "" and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and proc.stderr.startswith("erreur : ")


def test_forced_wrong_format_is_reported_not_crashed(tmp_path):
    proc = run(tmp_path, "import", str(TEMPLATE), "--format", "lheo", "--dry-run")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_reimport_is_idempotent_and_failed_import_changes_nothing(tmp_path):
    target = tmp_path / "cat.jsonl.gz"
    first = json.loads(run(tmp_path, "import", str(TEMPLATE), "--json", "--catalogue", str(target)).stdout)
    assert first["merge"]["added"] == 2 and target.exists()
    from catalog.store import load_catalogue

    ids = {o.id for o in load_catalogue(target)}
    assert {"tableur:AF-2025-001", "tableur:HSP-33-12"} <= ids
    second = json.loads(run(tmp_path, "import", str(TEMPLATE), "--json", "--catalogue", str(target)).stdout)
    assert (second["merge"]["added"], second["merge"]["updated"], second["merge"]["unchanged"]) == (0, 0, 2)
    assert {o.id for o in load_catalogue(target)} == ids
    before = target.read_bytes()
    proc = run(tmp_path, "import", str(FIXTURES / "corrupt.xlsx"), "--catalogue", str(target))
    assert proc.returncode == 2 and target.read_bytes() == before
    offer = load_catalogue(target).get("tableur:AF-2025-001")
    assert offer.provenance.source == "csv" and offer.provenance.source_file == "import_template.csv"
    assert offer.provenance.record_id == "AF-2025-001" and offer.provenance.imported_at


def test_changed_record_updates_in_place(tmp_path):
    target = tmp_path / "cat.jsonl.gz"
    csv_path = tmp_path / "one.csv"
    csv_path.write_text("id_offre;intitule;type_offre\nZ1;Ancien intitulé;MODULE\n", encoding="utf-8")
    run(tmp_path, "import", str(csv_path), "--catalogue", str(target))
    csv_path.write_text("id_offre;intitule;type_offre\nZ1;Nouvel intitulé;MODULE\n", encoding="utf-8")
    out = json.loads(run(tmp_path, "import", str(csv_path), "--json", "--catalogue", str(target)).stdout)
    assert out["merge"]["updated"] == 1
    from catalog.store import load_catalogue

    cat = load_catalogue(target)
    assert cat.get("tableur:Z1").title == "Nouvel intitulé"
    assert sum(o.id == "tableur:Z1" for o in cat) == 1


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_template_command(tmp_path, suffix):
    out = tmp_path / f"modele{suffix}"
    proc = run(tmp_path, "template", str(out))
    assert proc.returncode == 0 and out.stat().st_size > 0
    check = json.loads(run(tmp_path, "validate", str(out), "--json").stdout)
    assert (check["accepted"], check["rejected"], check["problems"]) == (3, 0, [])
    assert run(tmp_path, "template", str(tmp_path / "modele.pdf")).returncode == 2

"""The assistant's JSON command line: plan / eligibility, exit codes and French errors.

Runs in-process through `assistant.cli.main` (fast), plus one real subprocess to
check `python -m assistant` itself exits 2 without a traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from assistant.cli import main
from catalog.model import Offer, OfferKind, Provenance, Session
from catalog.store import Catalogue, save_catalogue

ROOT = Path(__file__).resolve().parents[1]
PERSONA = ROOT / "tests" / "cases" / "personas" / "P04.json"


@pytest.fixture()
def small_catalogue(tmp_path) -> Path:
    offer = Offer(id="CLI-MQ-1", kind=OfferKind.QUALIFIANT, title="Titre professionnel Développeur web",
                  rome_codes=["M1805"], provenance=Provenance(source="test"))
    offer.sessions.append(Session(id="CLI-MQ-1-S1", offer_id="CLI-MQ-1", start=date(2027, 1, 11),
                                  end=date(2027, 9, 30), commune_name="Poitiers", lat=46.58, lon=0.34, places_left=4))
    return save_catalogue(Catalogue([offer]), tmp_path / "cat.jsonl")


def run_json(capsys, *args: str) -> tuple[int, dict]:
    code = main(list(args))
    return code, json.loads(capsys.readouterr().out)


def test_plan_json_contract(capsys, small_catalogue):
    code, out = run_json(capsys, "plan", "--profile", str(PERSONA), "--today", "2026-11-26",
                         "--catalogue", str(small_catalogue), "--json")
    assert code == 0
    for key in ("referent", "jobs", "eligibility", "pathways", "rules_fired", "demo_data", "today"):
        assert key in out
    assert out["today"] == "2026-11-26" and out["demo_data"] is False
    assert out["referent"]["organisation"] == "France Travail"
    best = out["pathways"][0]
    main_step = next(s for s in best["steps"] if s["kind"] == "QUALIFIANT")
    assert main_step["session_id"] == "CLI-MQ-1-S1" and main_step["start"] == "2027-01-11"
    assert main_step["next_actions"] and main_step["why"]
    assert best["income"]["monthly_eur"] > 0


def test_eligibility_command(capsys):
    code, out = run_json(capsys, "eligibility", "--profile", str(PERSONA), "--today", "2026-11-26", "--json")
    assert code == 0
    statuses = {e["scheme"]: e["status"] for e in out["eligibility"]}
    assert statuses["QUALIFIANT"] == "eligible" and statuses["HSP_1NQ"] == "derogation"
    assert "R-DEROG" in out["rules_fired"]


def test_text_output_is_french(capsys, small_catalogue):
    assert main(["plan", "--profile", str(PERSONA), "--today", "2026-11-26", "--catalogue", str(small_catalogue)]) == 0
    text = capsys.readouterr().out
    assert "Référent : France Travail" in text and "Formation qualifiante" in text


@pytest.mark.parametrize("content, expected", [
    ('{"age": "vingt", "commune": "Pau"}', "âge"),
    ("{ pas du json", "JSON invalide"),
])
def test_bad_profile_exits_2_with_french_errors(capsys, tmp_path, content, expected):
    path = tmp_path / "profil.json"
    path.write_text(content, encoding="utf-8")
    code, out = run_json(capsys, "plan", "--profile", str(path), "--json")
    assert code == 2
    assert any(expected in e for e in out["errors"])


def test_bad_date_and_missing_file(capsys, tmp_path):
    code, out = run_json(capsys, "eligibility", "--profile", str(PERSONA), "--today", "26/11/2026", "--json")
    assert code == 2 and "AAAA-MM-JJ" in out["errors"][0]
    assert main(["plan", "--profile", str(tmp_path / "absent.json")]) == 2
    assert "fichier illisible" in capsys.readouterr().err


def test_module_entry_point_has_no_traceback(tmp_path):
    path = tmp_path / "profil.json"
    path.write_text('{"age": 12, "commune": "Pau", "wish": "x", "colour": "bleu"}', encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "assistant", "plan", "--profile", str(path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "champ inconnu" in proc.stderr and "âge" in proc.stderr


# --------------------------------------------------------------------------- issue 8, invariants 13, 14, 17

GOOD = '{"age": 30, "commune": "Pau", "wish": "électricien", "wish_romes": ["F1602"]}'


def _write(tmp_path, raw: bytes) -> str:
    path = tmp_path / "profil.json"
    path.write_bytes(raw)
    return str(path)


@pytest.mark.parametrize("raw", [
    GOOD.encode("utf-8"), b"\xef\xbb\xbf" + GOOD.encode("utf-8"), GOOD.encode("cp1252"),
], ids=["utf8", "utf8-bom", "cp1252"])
def test_any_usual_encoding_is_read(capsys, tmp_path, small_catalogue, raw):
    code, out = run_json(capsys, "plan", "--profile", _write(tmp_path, raw), "--today", "2026-11-26",
                         "--catalogue", str(small_catalogue), "--json")
    assert code == 0 and out["status"] == "ok" and out["jobs"][0]["rome"] == "F1602"


@pytest.mark.parametrize("raw, fragment", [
    (b"[" * 50_000 + b"]" * 50_000, "imbriqu"),
    (b'{"age": 30, "age": 31, "commune": "Pau", "wish": "x"}', "deux fois"),
    (b"[1, 2]", "objet JSON"),
    (b'"profil"', "objet JSON"),
    (b"null", "objet JSON"),
    (b'{"age": 30, "commune": "Pau", "wish": "x", "diplomas": [[[[{"a": {"b": [1]}}]]]]}', "diplomas[0]"),
    (b'{"age": 1e999, "commune": "Pau", "wish": "x"}', "âge"),
    (b'{"age": 16, "commune": "Pau", "wish": "x", "experience": [{"job": "x", "months": 240}]}', "experience"),
    (b'{"age": 16, "commune": "Pau", "wish": "x", "mobility": {"driving_licence": true}}', "driving_licence"),
    (b'{"age": 30, "commune": "Pau", "wish": "x", "diplomas": [{"title": "CAP", "level": 3, "year": 2027}]}', "futur"),
    (b'{"age": 30, "birth_date": "1980-01", "commune": "Pau", "wish": "x"}', "birth_date"),
    (b"\x81\x8d\x8f\x90\x9d", "encodage"),
], ids=["deep", "duplicate", "array", "string", "null", "nested", "huge-number", "experience-vs-age",
        "licence-age", "future-diploma", "birth-vs-age", "not-text"])
def test_bad_input_is_a_french_message_and_exit_2(capsys, tmp_path, raw, fragment):
    code, out = run_json(capsys, "plan", "--profile", _write(tmp_path, raw), "--today", "2026-11-26", "--json")
    assert code == 2 and out["status"] == "profil_invalide"
    assert any(fragment in e for e in out["errors"]), out["errors"]


@pytest.mark.parametrize("day", ["2019-01-01", "2021-06-30", "2023-12-31", "2024-06-01", "2025-03-01"])
@pytest.mark.parametrize("command", ["plan", "eligibility"])
def test_any_today_since_2019_is_answered_or_cleanly_refused(capsys, tmp_path, small_catalogue, day, command):
    args = [command, "--profile", _write(tmp_path, GOOD.encode()), "--today", day, "--json"]
    if command == "plan":
        args += ["--catalogue", str(small_catalogue)]
    code, out = run_json(capsys, *args)
    from assistant.parameters import rules_floor

    if date.fromisoformat(day) < rules_floor():
        assert code == 2 and any("règles" in e and "datées" in e for e in out["errors"])
    else:
        assert code == 0 and out["eligibility"]


def test_commune_outside_the_region_is_refused_with_a_status(capsys, tmp_path, small_catalogue):
    raw = b'{"age": 30, "commune": "Toulouse", "wish": "x", "wish_romes": ["F1602"]}'
    code, out = run_json(capsys, "plan", "--profile", _write(tmp_path, raw), "--today", "2026-11-26",
                         "--catalogue", str(small_catalogue), "--json")
    assert code == 2 and out["status"] == "hors_region" and out["pathways"] == []
    assert "Nouvelle-Aquitaine" in out["message"] and "R-RES" in out["rules_fired"]


def test_text_mode_never_prints_a_traceback(tmp_path):
    path = _write(tmp_path, b"[" * 50_000)
    proc = subprocess.run([sys.executable, "-m", "assistant", "plan", "--profile", path], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "JSON" in proc.stderr

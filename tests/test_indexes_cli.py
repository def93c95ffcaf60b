"""`python -m indexes` JSON contract, on tiny sources in a temporary data folder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from indexes import cli, search, store


@pytest.fixture
def tiny_cli(data_dir, monkeypatch, e5_embedder, tiny_catalogue, tiny_job_docs):
    """The CLI with the tiny catalogue and job documents in place of the real ones."""
    real = store.load_sources
    monkeypatch.setattr(store, "load_sources", lambda catalogue=None, job_docs=None: real(tiny_catalogue, tiny_job_docs))
    search.reset_search_engine()
    yield
    search.reset_search_engine()


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_build_if_missing_status(tiny_cli, capsys):
    code, out, err = run(capsys, "build", "--json")
    report = json.loads(out)
    assert code == 0 and report["built"] == ["jobs", "offers"] and report["counts"]["offers"] == 10
    assert "offres" in err  # progress on stderr
    code, out, err = run(capsys, "build", "--if-missing", "--json")
    assert code == 0 and json.loads(out)["built"] == [] and "rien à faire" in err
    code, out, _ = run(capsys, "status", "--json")
    data = json.loads(out)
    assert code == 0 and data["valid"] is True
    assert [i["name"] for i in data["indexes"]] == ["jobs", "offers"]
    assert all(i["manifest"]["embedder"] == "e5" for i in data["indexes"])


def test_status_reports_missing_index(tiny_cli, capsys):
    code, out, _ = run(capsys, "status", "--json")
    data = json.loads(out)
    assert code == 1 and data["valid"] is False
    assert "pas encore été construit" in data["indexes"][0]["reason"]


def test_search_jobs_single_and_file(tiny_cli, capsys, tmp_path):
    code, out, _ = run(capsys, "search-jobs", "aide soignante", "--k", "3", "--json")
    data = json.loads(out)
    assert code == 0 and len(data) == 1 and data[0]["query"] == "aide soignante"
    first = data[0]["results"][0]
    assert set(first) == {"rome", "label", "score", "why"} and first["rome"] == "J1501"
    assert len(data[0]["results"]) <= 3 and isinstance(first["score"], float)

    wishes = tmp_path / "wishes.txt"
    wishes.write_text("cuisinier\n\nélectricienne\ncariste\n", encoding="utf-8")
    code, out, _ = run(capsys, "search-jobs", "--file", str(wishes), "--k", "2", "--json")
    data = json.loads(out)
    assert [d["query"] for d in data] == ["cuisinier", "électricienne", "cariste"]
    assert [d["results"][0]["rome"] for d in data] == ["G1602", "F1602", "N1101"]
    assert all(set(d) == {"query", "understood", "reason", "ambiguous", "results"} for d in data)
    assert all(d["understood"] is True for d in data)


def test_search_jobs_says_when_it_did_not_understand(tiny_cli, capsys):
    code, out, _ = run(capsys, "search-jobs", "je veux bosser", "--json")
    data = json.loads(out)
    assert code == 0
    assert data[0]["understood"] is False and data[0]["reason"] == "souhait trop vague"
    code, out, _ = run(capsys, "search-jobs", "qwerty")
    assert code == 0 and "pas compris : mots inconnus" in out


def test_search_offers_json(tiny_cli, capsys):
    code, out, _ = run(capsys, "search-offers", "cuisine", "--commune", "Pau", "--radius-km", "300", "--kind", "QUALIFIANT", "--json")
    data = json.loads(out)
    assert code == 0 and data[0]["query"] == "cuisine"
    assert data[0]["filters"] == {"commune": "Pau", "radius_km": 300.0, "kind": ["QUALIFIANT"], "k": 20}
    top = data[0]["results"][0]
    assert top["offer_id"] == "o-cuisine" and top["kind"] == "QUALIFIANT"
    assert {"title", "score", "why", "level", "rome_codes", "provider", "sessions"} <= set(top)
    assert top["sessions"][0]["distance_km"] == pytest.approx(172, abs=2)
    assert all(r["kind"] == "QUALIFIANT" for r in data[0]["results"])


def test_errors_are_clear(tiny_cli, capsys):
    code, _, err = run(capsys, "search-offers", "cuisine", "--radius-km", "10", "--json")
    assert code == 2 and "Erreur" in err and "commune" in err
    code, _, err = run(capsys, "search-jobs", "--json")
    assert code == 2 and "souhait" in err
    with pytest.raises(SystemExit):
        cli.main(["search-offers", "x", "--start-after", "31/12/2026"])
    assert "AAAA-MM-JJ" in capsys.readouterr().err


def test_resolve_place_through_python_m():
    repo = Path(__file__).resolve().parents[1]
    proc = subprocess.run(
        [sys.executable, "-m", "indexes", "resolve-place", "St Jean de Luz", "--json"],
        cwd=repo, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["found"] and data["best"]["insee"] == "64483" and data["match"] == "name"
    missing = subprocess.run(
        [sys.executable, "-m", "indexes", "resolve-place", "Zzyzx"], cwd=repo, capture_output=True, text=True, timeout=120
    )
    assert missing.returncode == 1 and "introuvable" in missing.stdout

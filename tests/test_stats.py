"""`catalog stats`: counts by kind, department, level and sector; JSON and French table output."""

from __future__ import annotations

import json
from datetime import date

import pytest

from catalog.cli import main as cli_main
from catalog.model import Certification, Offer, OfferKind, Provenance, Sector, Session
from catalog.stats import NO_LEVEL, UNKNOWN, compute_stats, format_table
from catalog.store import DEMO_PATH, Catalogue, load_catalogue, save_catalogue


def _offer(oid, kind, level, sector, places, demo=False):
    sessions = [
        Session(id=f"{oid}-{i}", offer_id=oid, start=start, end=end, commune_insee=insee, postcode=postcode)
        for i, (insee, postcode, start, end) in enumerate(places)
    ]
    return Offer(id=oid, kind=kind, title=oid, sector=sector, certification=Certification(level=level),
                 provenance=Provenance(source="csv", demo=demo), sessions=sessions)


@pytest.fixture
def tiny():
    return Catalogue([
        _offer("A", OfferKind.QUALIFIANT, 3, Sector.BATIMENT, [
            ("33063", None, date(2027, 1, 4), date(2027, 9, 30)),  # Bordeaux
            ("87085", None, date(2027, 3, 1), date(2027, 11, 30)),  # Limoges
        ]),
        _offer("B", OfferKind.APPRENTISSAGE, 5, Sector.NUMERIQUE, [
            (None, "64000", date(2027, 9, 6), date(2029, 6, 30)),  # only a postcode
            (None, None, None, None),  # nothing known: counted, not lost
        ]),
        _offer("C", OfferKind.HSP_SOCLE, None, Sector.TRANSVERSAL, []),
    ])


def test_counts_on_a_small_catalogue(tiny):
    stats = compute_stats(tiny)
    assert stats["offers"] == 3 and stats["sessions"] == 4 and stats["demo"] is False
    assert stats["by_kind"] == {
        "QUALIFIANT": {"offers": 1, "sessions": 2},
        "HSP_SOCLE": {"offers": 1, "sessions": 0},
        "APPRENTISSAGE": {"offers": 1, "sessions": 2},
    }
    depts = {k: v["sessions"] for k, v in stats["sessions_by_department"].items()}
    assert depts == {"33": 1, "87": 1, "64": 1, UNKNOWN: 1}
    assert stats["sessions_by_department"]["87"]["name"] == "Haute-Vienne"
    assert stats["offers_by_level"] == {"3": 1, "5": 1, NO_LEVEL: 1}
    assert stats["offers_by_sector"] == {"BATIMENT": 1, "NUMERIQUE": 1, "TRANSVERSAL": 1}
    assert stats["start_range"] == ["2027-01-04", "2027-09-06"] and stats["end_max"] == "2029-06-30"


def test_empty_catalogue():
    stats = compute_stats(Catalogue())
    assert stats["offers"] == 0 and stats["start_range"] is None and stats["by_kind"] == {}
    assert "0 offres" in format_table(stats)


def test_demo_catalogue_totals_add_up():
    cat = load_catalogue(DEMO_PATH)
    stats = compute_stats(cat)
    assert stats["demo"] is True
    assert sum(k["sessions"] for k in stats["by_kind"].values()) == stats["sessions"] == cat.session_count
    assert sum(d["sessions"] for d in stats["sessions_by_department"].values()) == stats["sessions"]
    assert len(stats["sessions_by_department"]) == 12 and next(iter(stats["sessions_by_department"])) == "33"
    assert sum(stats["offers_by_level"].values()) == sum(stats["offers_by_sector"].values()) == len(cat)
    assert stats["meta"]["anchor"] == "2026-12-01"


def test_cli_json_and_table(tiny, tmp_path, capsys):
    path = save_catalogue(tiny, tmp_path / "c.jsonl.gz")
    assert cli_main(["stats", "--json", "--catalogue", str(path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["offers"] == 3 and data["by_kind"]["QUALIFIANT"]["sessions"] == 2
    assert cli_main(["stats", "--catalogue", str(path)]) == 0
    table = capsys.readouterr().out
    assert "Formation qualifiante (marché qualifiant Région)" in table
    assert "33 Gironde" in table and "Bâtiment et travaux publics" in table and "sans niveau" in table
    assert "démonstration" not in table


def test_cli_reports_a_missing_file(tmp_path, capsys):
    assert cli_main(["stats", "--catalogue", str(tmp_path / "absent.jsonl.gz")]) == 1
    assert "introuvable" in capsys.readouterr().err

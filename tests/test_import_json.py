"""JSON importers on hand-made bad inputs: every problem reported, valid records kept."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from catalog.importers import ImportFormat, UnreadableFile, detect_format, import_apprentissage_json, import_file
from catalog.importers.codes import guess_kind
from catalog.model import OfferKind

FIXTURES = Path(__file__).parent / "fixtures" / "import"


@pytest.fixture(autouse=True)
def _tmp_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ITINERAIRE_DATA_DIR", str(tmp_path / "var"))


def test_apprenticeship_bad_records():
    path = FIXTURES / "apprentissage_bad.json"
    assert detect_format(path) is ImportFormat.APPRENTISSAGE_JSON
    result = import_apprentissage_json(path)
    assert (result.records_read, result.accepted, result.rejected) == (3, 1, 2)
    assert result.rejected_ids == ["TEST-2", "#3"]
    o, = result.offers
    assert o.id == "apprentissage:TEST-1" and o.kind is OfferKind.APPRENTISSAGE
    ref = o.accessibility.referent_handicap
    assert (ref.name, ref.email) == ("Référent Exemple", "rh@exemple.org")
    s, = o.sessions  # the second session ends before it starts: dropped with an error
    assert (s.start, s.end) == (date(2026, 9, 1), date(2028, 6, 30))
    assert (s.lat, s.lon) == (45.8336, 1.2611)  # swapped in the file, put back in order
    assert any("inversées" in p.reason for p in result.warnings)
    assert {(p.record_id, p.field) for p in result.errors} == {
        ("TEST-1", "session[2].periode"), ("TEST-2", "intitule_long"), ("#3", None)}


def test_intercarif_json_bad_records(tmp_path):
    records = [
        {"uid": "R1", "intitule": "Prépa apprentissage métiers du bâtiment", "certifiante": "0",
         "sessions": [
             {"id": "1", "uida": "R1_A", "debut": "2026-01-05", "fin": "2026-04-30",
              "localisation": {"formation": {"commune-insee": "19272", "ville": "Tulle", "code-postal": "19000"}},
              "financeurs": [{"code": "2", "places": "10"}, {"code": "42"}]},
             {"id": "2", "uida": "R1_A", "debut": "pas une date", "fin": "2026-09-30"}]},
        {"uid": "R2", "sessions": []},
    ]
    path = tmp_path / "intercarif.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    result = import_file(path)
    assert result.format is ImportFormat.INTERCARIF_JSON
    assert (result.accepted, result.rejected) == (1, 1)
    o, = result.offers
    assert o.id == "lheo:R1_A" and o.kind is OfferKind.PREPA_APPRENTISSAGE  # scheme named in the title
    assert o.funders == ["2", "42"] and [s.capacity for s in o.sessions] == [10]
    assert o.sessions[0].commune_insee == "19272"
    assert any("« 42 »" in p.reason for p in result.warnings)
    assert {(p.record_id, p.field) for p in result.errors} == {("R1_A", "session[2].periode"), ("R2", "intitule")}


def test_json_with_bom(tmp_path):
    path = tmp_path / "bom.json"
    path.write_text("\ufeff" + json.dumps([{"uid": "B1", "intitule": "Cuisine"}]), encoding="utf-8")
    result = import_file(path)
    assert [o.id for o in result.offers] == ["lheo:B1"] and result.offers[0].sessions == []


@pytest.mark.parametrize("text, message", [("{\"formations\": [", "JSON invalide"), ("42", "aucune formation"),
                                           ("\"texte\"", "aucune formation")])
def test_unreadable_json(tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UnreadableFile, match=message):
        import_file(path)


@pytest.mark.parametrize("ais, certifying, flags, title, expected", [
    ("6", True, {}, "", OfferKind.QUALIFIANT),
    ("7", False, {}, "", OfferKind.QUALIFIANT),
    ("5", False, {}, "", OfferKind.HSP_SOCLE),
    ("8", False, {}, "", OfferKind.AMORCE),
    ("9", False, {}, "", OfferKind.AMORCE),
    ("4", False, {}, "", OfferKind.MODULE),
    ("2", True, {}, "", OfferKind.QUALIFIANT),  # obsolete objective: certifiante decides
    (None, False, {}, "", OfferKind.MODULE),
    ("6", True, {"apprenticeship": True}, "", OfferKind.APPRENTISSAGE),
    ("6", True, {"contrat_pro": True}, "", OfferKind.CONTRAT_PRO),
    ("6", True, {}, "POEI soudeur", OfferKind.POEI),
    ("6", True, {}, "HSP 1er niveau de qualification", OfferKind.HSP_1NQ),
])
def test_kind_mapping(ais, certifying, flags, title, expected):
    assert guess_kind(ais, certifying, title=title, **flags) is expected

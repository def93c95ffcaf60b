"""Hostile and broken import files, generated here (never committed): bounded, plausible, French.

Each test replays one probe of issue 13: zip bomb, lying <dimension>, UTF-16 CSV,
impossible dates / numbers / places, unbounded text, huge row counts, deep XML.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from catalog import settings
from catalog.importers import Severity, UnreadableFile, import_csv, import_file
from catalog.importers.template import template_csv_text

HEADER = "id_offre;intitule;type_offre;description;heures_semaine;duree_mois;id_session;date_debut;date_fin;" \
         "commune_insee;latitude;longitude"


@pytest.fixture(autouse=True)
def _tmp_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ITINERAIRE_DATA_DIR", str(tmp_path / "var"))


@pytest.fixture
def limits(monkeypatch):
    """Override settings for one test: limits(section, key, value)."""
    data = {k: dict(v) for k, v in settings._settings().items()}
    monkeypatch.setattr(settings, "_settings", lambda: data)

    def set_(section, key, value):
        data[section][key] = value
    return set_


def csv_file(tmp_path: Path, rows: list[str], name: str = "offres.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def problems(result, severity=None):
    return {(p.record_id, p.field): p.reason for p in result.problems if severity is None or p.severity is severity}


# --------------------------------------------------------------------------- plausible values


def test_impossible_dates_reject_their_row_and_never_reach_the_planner(tmp_path):
    path = csv_file(tmp_path, [
        "A;Cuisine;QUALIFIANT;;35;;S1;2027-01-04;9999-12-31;64445;;",
        "B;Maçonnerie;QUALIFIANT;;35;;S1;0001-01-01;2027-06-30;64445;;",
        "C;Soudure;QUALIFIANT;;35;;S1;2027-01-04;2060-06-30;64445;;",
        "D;Vente;QUALIFIANT;;35;;S1;2027-01-04;2027-06-30;64445;;",
    ])
    result = import_csv(path)
    assert (result.accepted, result.rejected) == (1, 3)
    errors = problems(result, Severity.ERROR)
    assert "hors de la période plausible (2000-2100)" in errors[("ligne 2", "date_fin")]
    assert "hors de la période plausible" in errors[("ligne 3", "date_debut")]
    assert "plus de 6 ans" in errors[("ligne 4", "session.periode")]
    assert [o.title for o in result.offers] == ["Vente"]
    # and whatever a catalogue file says, every kept date is inside the window
    for offer in result.offers:
        for s in offer.sessions:
            assert 2000 <= s.start.year <= 2100 and 2000 <= s.end.year <= 2100


def test_negative_infinite_and_absurd_durations(tmp_path):
    path = csv_file(tmp_path, [
        "A;Cuisine;QUALIFIANT;;-35;;S1;2027-01-04;2027-06-30;64445;;",
        "B;Vente;QUALIFIANT;;inf;;S1;2027-01-04;2027-06-30;64445;;",
        "C;Soudure;QUALIFIANT;;35;-685;S1;2027-01-04;2027-06-30;64445;;",
        "D;Accueil;QUALIFIANT;;500;1e308;S1;2027-01-04;2027-06-30;64445;;",
    ])
    result = import_csv(path)
    offers = {o.provenance.record_id: o for o in result.offers}
    assert set(offers) == {"A", "C", "D"}  # B: a non-finite number is an error on its row
    assert "non fini" in problems(result, Severity.ERROR)[("ligne 3", "heures_semaine")]
    warnings = problems(result, Severity.WARNING)
    assert offers["A"].duration.hours_per_week is None and "positive" in warnings[("A", "duration.hours_per_week")]
    assert offers["C"].duration.months is None and ("C", "duration.months") in warnings
    assert offers["D"].duration.hours_per_week is None
    assert "invraisemblable" in warnings[("D", "duration.hours_per_week")]
    assert offers["D"].duration.months is None
    for o in result.offers:
        for value in dataclasses.asdict(o.duration).values():
            assert value is None or (math.isfinite(value) and value >= 0)


def test_coordinates_must_match_the_insee_code_and_the_region(tmp_path):
    path = csv_file(tmp_path, [
        "A;Cuisine;QUALIFIANT;;35;;S1;2027-01-04;2027-06-30;64445;48.8566;2.3522",  # Paris next to Pau's code
        "B;Vente;QUALIFIANT;;35;;S1;2027-01-04;2027-06-30;64445;43.30;-0.37",  # Pau: kept
        "C;Soudure;QUALIFIANT;;35;;S1;2027-01-04;2027-06-30;;-33.86;151.21",  # Sydney, no commune
        "D;Accueil;QUALIFIANT;;35;;S1;2027-01-04;2027-06-30;33999;40.0;-3.7",  # unknown Gironde code, Madrid
    ])
    result = import_csv(path)
    sessions = {o.provenance.record_id: o.sessions[0] for o in result.offers}
    from catalog.referentials import communes

    pau = communes()["64445"]
    assert (sessions["A"].lat, sessions["A"].lon) == (pau.lat, pau.lon)
    assert (sessions["B"].lat, sessions["B"].lon) == (43.30, -0.37)
    assert sessions["C"].lat is None and sessions["D"].lat is None
    warnings = problems(result, Severity.WARNING)
    assert "coordonnées de la commune utilisées" in warnings[("ligne 2", "lieu.coordonnees")]
    assert "hors de France" in warnings[("ligne 4", "lieu.coordonnees")]
    assert "hors de Nouvelle-Aquitaine" in warnings[("ligne 5", "lieu.coordonnees")]


def test_control_characters_are_stripped_and_reported(tmp_path):
    records = [{"uid": "R1", "intitule": "Cui\u0000sine\u202e collective", "certifiante": "0",
                "description": "Texte\u0007 normal\navec retour", "sessions": []}]
    path = tmp_path / "intercarif.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    result = import_file(path)
    offer, = result.offers
    assert offer.title == "Cuisine collective" and offer.description == "Texte normal\navec retour"
    warnings = problems(result, Severity.WARNING)
    assert "caractère(s) de contrôle" in warnings[("R1", "title")]
    assert ("R1", "description") in warnings


def test_nan_and_infinity_in_json_never_reach_the_output(tmp_path):
    text = ('[{"uid": "R1", "intitule": "Cuisine", "certifiante": "0", "duree-hebdomadaire": NaN, '
            '"sessions": [{"id": "1", "debut": "2027-01-04", "fin": "2027-06-30", "localisation": {"formation": '
            '{"commune-insee": "64445", "latitude": Infinity, "longitude": -0.37}}}]}]')
    path = tmp_path / "nan.json"
    path.write_text(text, encoding="utf-8")
    result = import_file(path)
    document = json.dumps(result.summary(with_offers=True), allow_nan=False)  # raises on NaN / Infinity
    assert "NaN" not in document and "Infinity" not in document
    offer, = result.offers
    assert offer.duration.hours_per_week is None and math.isfinite(offer.sessions[0].lat)


# --------------------------------------------------------------------------- bounded text and rows


def test_long_title_and_description_are_truncated_with_a_warning(tmp_path):
    title, description = "T" * 100_000, "d" * 150_000
    path = csv_file(tmp_path, [f"A;{title};QUALIFIANT;{description};35;;S1;2027-01-04;2027-06-30;64445;;"])
    result = import_csv(path)
    offer, = result.offers
    assert len(offer.title) == settings.get("text", "max_title_chars") + 1
    assert len(offer.description) == settings.get("text", "max_text_chars") + 1
    warnings = problems(result, Severity.WARNING)
    assert "tronqué" in warnings[("A", "title")] and "tronqué" in warnings[("A", "description")]
    from indexes.text import bounded

    assert len(bounded(offer.search_text())) <= settings.get("text", "max_embed_chars")


def test_row_limit_stops_reading_early_and_memory_does_not_follow_file_size(tmp_path, limits):
    limits("upload", "max_records", 500)
    row = "A{i};Formation {i};QUALIFIANT;;35;;S1;2027-01-04;2027-06-30;64445;;"

    def peak(n: int) -> tuple[int, float]:
        path = csv_file(tmp_path, [row.format(i=i) for i in range(n)], name=f"rows{n}.csv")
        tracemalloc.start()
        started = time.perf_counter()
        with pytest.raises(UnreadableFile, match="plus de 500 lignes"):
            import_csv(path)
        elapsed = time.perf_counter() - started
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top, elapsed

    small, _ = peak(600)
    big, seconds = peak(60_000)  # 100 times more rows than the limit
    assert big < small * 1.5, (small, big)
    assert seconds < 10


def test_rows_at_the_limit_are_imported(tmp_path, limits):
    limits("upload", "max_records", 50)
    path = csv_file(tmp_path, [f"A{i};Formation;QUALIFIANT;;35;;S1;2027-01-04;2027-06-30;64445;;"
                               for i in range(50)])
    assert import_csv(path).accepted == 50


# --------------------------------------------------------------------------- XLSX


def _xlsx(path: Path, rows: list[list]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "offres"
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def _rewrite_member(path: Path, member: str, change) -> None:
    with zipfile.ZipFile(path) as src:
        items = [(i, src.read(i.filename)) for i in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in items:
            dst.writestr(info.filename, change(data) if info.filename == member else data)


def test_zip_bomb_xlsx_is_refused_before_decompression(tmp_path):
    path = _xlsx(tmp_path / "bomb.xlsx", [["id_offre", "intitule", "type_offre", "description"],
                                            ["A", "Cuisine", "QUALIFIANT", "x"]])
    bomb = "A" * 20_000_000  # 20 MB of one letter: compresses about 1 000 times
    _rewrite_member(path, "xl/worksheets/sheet1.xml",
                    lambda data: data.replace(b"<v>x</v>", f"<v>{bomb}</v>".encode())
                    if b"<v>x</v>" in data else data.replace(b">x<", f">{bomb}<".encode()))
    assert path.stat().st_size < 1_000_000
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(UnreadableFile, match="zip bomb|décompress"):
        import_file(path)
    elapsed = time.perf_counter() - started
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 2 and top < 20_000_000


def test_xlsx_total_unzipped_size_limit(tmp_path, limits):
    limits("upload", "max_unzipped_bytes", 4096)
    path = _xlsx(tmp_path / "big.xlsx", [["id_offre", "intitule", "type_offre"]] +
                 [[f"A{i}", f"Formation {i}", "QUALIFIANT"] for i in range(200)])
    with pytest.raises(UnreadableFile, match="Mo une fois décompressé"):
        import_file(path)


def test_xlsx_with_a_lying_dimension_still_reads_every_row(tmp_path):
    rows = [["id_offre", "intitule", "type_offre"]] + [[f"A{i}", f"Formation {i}", "QUALIFIANT"] for i in range(6)]
    path = _xlsx(tmp_path / "dimension.xlsx", rows)
    _rewrite_member(path, "xl/worksheets/sheet1.xml",
                    lambda data: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:B2"/>', data))
    with zipfile.ZipFile(path) as z:
        assert b'<dimension ref="A1:B2"/>' in z.read("xl/worksheets/sheet1.xml")
    result = import_file(path)
    assert (result.accepted, result.rejected) == (6, 0)
    assert all(o.kind.value == "QUALIFIANT" for o in result.offers)  # third column read too


# --------------------------------------------------------------------------- encodings and messages


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_utf16_and_bom_csv(tmp_path, encoding):
    text = template_csv_text().replace(";", "\t")  # Excel « Texte Unicode »: UTF-16 with tabs
    path = tmp_path / ("unicode.txt" if encoding != "utf-16" else "unicode")  # no extension: told by its BOM
    path.write_bytes(text.encode(encoding))
    result = import_file(path)
    assert (result.accepted, result.rejected) == (3, 0)
    assert any("Puériculture" in o.title or "é" in o.title for o in result.offers) or result.offers
    notes = [p.reason for p in result.warnings]
    if encoding.startswith("utf-16"):
        assert any("UTF-16" in n for n in notes)
    else:
        assert not notes


def test_deeply_nested_xml_gives_a_french_message(tmp_path):
    ns = "http://lheo.gouv.fr/2.3"
    deep = "<a>" * 5000 + "</a>" * 5000
    path = tmp_path / "deep.xml"
    path.write_text(f'<lheo xmlns="{ns}"><offres><formation numero="F1">{deep}</formation></offres></lheo>',
                    encoding="utf-8")
    try:
        result = import_file(path)
        messages = [p.reason for p in result.problems]
    except UnreadableFile as exc:
        messages = [str(exc)]
    assert messages and any("imbrication" in m for m in messages), messages
    assert not any("Excessive depth" in m for m in messages)


def test_unreadable_csv_message_is_french(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_bytes(b'id_offre;intitule;type_offre\n"A;Cuisine;QUALIFIANT\n')
    try:
        result = import_file(path)
        messages = [p.reason for p in result.problems]
    except UnreadableFile as exc:
        messages = [str(exc)]
    assert all(not re.search(r"\b(the|unexpected|field|line contains)\b", m) for m in messages), messages

"""Spreadsheet CSV downloads: French layout and no cell that can run as a formula."""

from __future__ import annotations

import csv
import io
import json

from catalog.importers import import_file
from catalog.importers.report import REPORT_HEADER
from catalog.spreadsheet import csv_bytes, safe_cell


def _rows(raw: bytes) -> list[list[str]]:
    assert raw.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_formula_cells_are_quoted_and_other_values_kept():
    cells = ["=1+1", "+33 5 00", "-2", "@SUM(A1)", "\tx", "Cuisine = métier", 12, -3.5, None, ""]
    assert [safe_cell(c) for c in cells] == ["'=1+1", "'+33 5 00", "'-2", "'@SUM(A1)", "'\tx", "Cuisine = métier",
                                             12, -3.5, None, ""]
    assert _rows(csv_bytes(["a", "b"], [["=x", None], [1, "ok;oui"]])) == [["a", "b"], ["'=x", ""], ["1", "ok;oui"]]


def test_import_report_csv_neutralises_values_from_the_users_file(tmp_path, monkeypatch):
    monkeypatch.setenv("ITINERAIRE_DATA_DIR", str(tmp_path / "var"))
    path = tmp_path / "offres.json"
    path.write_text(json.dumps([{"uid": '=HYPERLINK("http://x","clic")', "intitule": None},
                                {"uid": "F2", "intitule": "Cuisine", "certifiante": "peut-être"}]), encoding="utf-8")
    result = import_file(path)
    assert result.rejected == 1 and len(result.problems) >= 2
    rows = _rows(result.report_csv("@offres.json"))
    assert rows[0] == list(REPORT_HEADER)
    assert len(rows) == len(result.problems) + 1
    assert all(r[0] == "'@offres.json" for r in rows[1:])
    assert ["'=HYPERLINK(\"http://x\",\"clic\")", "intitule"] in [r[1:3] for r in rows]
    assert not [c for r in rows[1:] for c in r if c[:1] in "=+-@" and c]

"""CSV files meant to be opened in a spreadsheet (downloads of the app).

French layout (`;`, UTF-8 with a BOM, so that a French spreadsheet opens the
file as is), and every text cell that a spreadsheet would read as a formula
(= + - @, tab, carriage return) is prefixed with a quote: catalogue text and
the user's own files are data and must never run (CSV formula injection).
"""

from __future__ import annotations

import csv
import io
from typing import Any, Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> bytes:
    """The rows as CSV bytes; None is an empty cell."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([safe_cell(c) for c in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(header: Iterable[str], rows: Iterable[Iterable[Any]], sheet: str = "Données") -> bytes:
    """The rows as an XLSX workbook; text cells that would read as formulas are neutralised like in CSV.

    openpyxl stores a string starting with "=" as a formula: `safe_cell` keeps it text.
    """
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    ws.append(list(header))
    for row in rows:
        ws.append([safe_cell(c) for c in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

"""Offer importers: LHÉO XML, Intercarif JSON, apprenticeship-catalogue JSON, CSV / XLSX template.

Public API (plain Python, no Streamlit):

    import_file(path, format=None) -> ImportResult      # guesses the format
    import_lheo(path) / import_intercarif_json(path) / import_apprentissage_json(path)
    import_csv(path) / import_xlsx(path)
    detect_format(path) -> ImportFormat
    write_template(path)                                # .csv or .xlsx

Every function returns an ImportResult (offers kept + every Problem found) and
raises UnreadableFile (French message) only when the file cannot be read at all.
"""

from __future__ import annotations

from pathlib import Path

from .apprentissage import import_apprentissage_json
from .intercarif_json import import_intercarif_json
from .lheo import import_lheo
from .report import ImportFormat, ImportResult, Problem, Severity, UnreadableFile
from .tabular import COLUMNS, import_csv, import_xlsx
from .template import write_template

__all__ = [
    "COLUMNS", "ImportFormat", "ImportResult", "Problem", "Severity", "UnreadableFile", "detect_format",
    "import_apprentissage_json", "import_csv", "import_file", "import_intercarif_json", "import_lheo",
    "import_xlsx", "write_template",
]

IMPORTERS = {
    ImportFormat.LHEO: import_lheo,
    ImportFormat.INTERCARIF_JSON: import_intercarif_json,
    ImportFormat.APPRENTISSAGE_JSON: import_apprentissage_json,
    ImportFormat.CSV: import_csv,
    ImportFormat.XLSX: import_xlsx,
}
_APPRENTISSAGE_MARKERS = (b'"cle_ministere_educatif"', b'"etablissement_formateur_', b'"rncp_code"', b'"id_rco_formation"')


def _json_kind(head: bytes) -> ImportFormat:
    if any(m in head for m in _APPRENTISSAGE_MARKERS):
        return ImportFormat.APPRENTISSAGE_JSON
    return ImportFormat.INTERCARIF_JSON


def detect_format(path: str | Path) -> ImportFormat:
    """Guess from the extension, then from the first bytes; UnreadableFile when it cannot be told."""
    path = Path(path)
    if not path.is_file():
        raise UnreadableFile(f"fichier introuvable : {path.name}")
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
    if not head.strip():
        raise UnreadableFile(f"{path.name} : fichier vide")
    suffix = path.suffix.lower()
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if suffix == ".xlsx" or head.startswith(b"PK\x03\x04"):
        return ImportFormat.XLSX
    if suffix == ".xml" or text.startswith(b"<"):
        return ImportFormat.LHEO
    if suffix == ".json" or text[:1] in (b"{", b"["):
        return _json_kind(head)
    if suffix in (".csv", ".txt", ".tsv") or head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return ImportFormat.CSV  # a UTF-16 BOM: Excel's « Texte Unicode » export
    first_line = text.split(b"\n", 1)[0]
    if b"\x00" not in head and any(sep in first_line for sep in (b";", b",", b"\t")):
        return ImportFormat.CSV
    raise UnreadableFile(f"{path.name} : format non reconnu (attendu : LHÉO XML, JSON, CSV ou XLSX)")


def import_file(path: str | Path, format: ImportFormat | str | None = None) -> ImportResult:
    fmt = ImportFormat(format) if format else detect_format(path)
    return IMPORTERS[fmt](path)

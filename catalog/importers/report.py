"""Problem model shared by every importer.

An import never stops at the first problem: each importer keeps every valid
record and lists every problem (pandera-style), so that an adviser fixing a
file sees everything at once. A file that cannot be read at all raises
`UnreadableFile` instead (the CLI turns it into exit code 2).

Counting unit ("record"): one LHÉO action, one JSON formation / action, one
CSV or XLSX row. `accepted + rejected == records_read` always holds.
Severity: `error` means something was dropped — the record named by
`record_id`, or only the session named in `field` (`session[...]`) when the
offer itself is still usable; `warning` means the record was kept as is.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from catalog.model import Offer, Severity
from catalog.spreadsheet import csv_bytes

__all__ = ["ImportFormat", "Problem", "ImportResult", "UnreadableFile", "Severity", "REPORT_HEADER"]

# The validation report as the adviser sees it (app table and its CSV download).
REPORT_HEADER = ("Fichier", "Enregistrement", "Champ", "Problème", "Gravité", "Ligne", "Position")
SEVERITY_LABELS = {Severity.ERROR: "❌ erreur", Severity.WARNING: "⚠️ avertissement"}


class ImportFormat(str, enum.Enum):
    LHEO = "lheo"
    INTERCARIF_JSON = "intercarif-json"
    APPRENTISSAGE_JSON = "apprentissage-json"
    CSV = "csv"
    XLSX = "xlsx"


class UnreadableFile(Exception):
    """The file cannot be read at all (missing, empty, corrupt, refused); message is French."""


@dataclass
class Problem:
    file: str
    record_id: str | None
    field: str | None
    reason: str  # French, shown to the adviser
    severity: Severity = Severity.ERROR
    line: int | None = None
    position: str | None = None  # e.g. "ligne 12, colonne 5" or "cellule B7"

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "record_id": self.record_id,
            "field": self.field,
            "reason": self.reason,
            "severity": self.severity.value,
            "line": self.line,
            "position": self.position,
        }


@dataclass
class ImportResult:
    file: str
    format: ImportFormat
    offers: list[Offer] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    records_read: int = 0
    rejected_ids: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.rejected_ids)

    @property
    def accepted(self) -> int:
        return self.records_read - self.rejected

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]

    def add(self, record_id: str | None, field_name: str | None, reason: str,
            severity: Severity = Severity.ERROR, line: int | None = None,
            position: str | None = None) -> Problem:
        problem = Problem(self.file, record_id, field_name, reason, severity, line, position)
        self.problems.append(problem)
        return problem

    def warn(self, record_id: str | None, field_name: str | None, reason: str, **where: Any) -> Problem:
        return self.add(record_id, field_name, reason, Severity.WARNING, **where)

    def reject(self, record_id: str) -> None:
        """Count one record as rejected (its error problems must already be added)."""
        self.rejected_ids.append(record_id)

    def keep(self, record_id: str, offer: Offer | None) -> None:
        """Count one record read: its offer is kept, or (None) the record is rejected."""
        self.records_read += 1
        if offer is None:
            self.reject(record_id)
        else:
            self.offers.append(offer)

    def report_rows(self, file_name: str) -> list[list[Any]]:
        """One row per problem under REPORT_HEADER; `file_name` is the name the user knows the file by."""
        return [[file_name, p.record_id, p.field, p.reason, SEVERITY_LABELS[p.severity], p.line, p.position]
                for p in self.problems]

    def report_csv(self, file_name: str) -> bytes:
        """The report as a spreadsheet CSV: values echoed from the user's file can never run as formulas."""
        return csv_bytes(REPORT_HEADER, self.report_rows(file_name))

    def summary(self, with_offers: bool = False) -> dict[str, Any]:
        """The CLI's JSON document."""
        out: dict[str, Any] = {
            "file": self.file,
            "format": self.format.value,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "warnings": len(self.warnings),
            "errors": len(self.errors),
            "problems": [p.to_dict() for p in self.problems],
        }
        if with_offers:
            out["offers"] = [o.to_dict() for o in self.offers]
        return out

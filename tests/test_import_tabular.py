"""CSV / XLSX template importer: template round trip, bad rows, encodings, properties."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.importers import COLUMNS, ImportFormat, Severity, UnreadableFile, detect_format, import_csv, import_file
from catalog.importers.template import template_csv_text, template_doc
from catalog.model import OfferKind, RecruitmentStatus
from catalog.paths import CATALOG_DATA_DIR, REPO_ROOT

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def write_csv(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _tmp_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ITINERAIRE_DATA_DIR", str(tmp_path / "var"))


@pytest.mark.parametrize("name", ["import_template.csv", "import_template.xlsx"])
def test_shipped_templates_import_cleanly(name):
    result = import_file(CATALOG_DATA_DIR / name)
    assert (result.accepted, result.rejected, result.problems) == (3, 0, [])
    offers = {o.id: o for o in result.offers}
    assert set(offers) == {"tableur:AF-2025-001", "tableur:HSP-33-12"}
    qualif = offers["tableur:AF-2025-001"]
    assert qualif.kind is OfferKind.QUALIFIANT and qualif.certification.level == 3
    assert qualif.certification.rncp == "RNCP37872" and qualif.certification.modular is True
    assert qualif.title == "Titre professionnel Agent de propreté et d'hygiène"
    assert [s.start for s in qualif.sessions] == [date(2026, 1, 12), date(2026, 3, 2)]
    assert [s.commune_insee for s in qualif.sessions] == ["33063", "64445"]
    assert qualif.accessibility.referent_handicap.email == "handicap@exemple.org"
    assert offers["tableur:HSP-33-12"].kind is OfferKind.HSP_SOCLE


def test_shipped_files_match_the_column_table():
    assert (CATALOG_DATA_DIR / "import_template.csv").read_text(encoding="utf-8-sig") == template_csv_text()
    assert (REPO_ROOT / "docs" / "import-template.md").read_text(encoding="utf-8") == template_doc()
    doc = template_doc()
    assert all(f"| `{c.name}` |" in doc for c in COLUMNS)


def test_bad_rows_are_each_reported_and_good_rows_kept():
    result = import_csv(FIXTURES / "bad_rows.csv")
    assert result.records_read == 9 and result.accepted == 3 and result.rejected == 6
    assert [o.id for o in result.offers] == ["tableur:OK-1", "tableur:WARN-1"]
    assert len(result.offers[0].sessions) == 2 and result.offers[1].sessions == []
    errors = {(p.line, p.field) for p in result.errors}
    assert errors == {(4, "id_offre"), (5, "intitule"), (6, "type_offre"), (7, "session.periode"),
                      (8, "session.capacite"), (9, "date_debut")}
    assert all(p.record_id == f"ligne {p.line}" and p.file == "bad_rows.csv" for p in result.errors)
    warned = {(p.line, p.field) for p in result.warnings}
    assert {(10, "codes_rome"), (10, "financeurs"), (1, "colonne_inconnue")} <= warned
    assert result.offers[1].funders == ["99"] and result.offers[1].rome_codes == []


def test_cp1252_csv_keeps_accents_and_warns(tmp_path):
    path = tmp_path / "windows.csv"
    path.write_bytes(template_csv_text().encode("cp1252"))
    result = import_csv(path)
    assert result.accepted == 3 and not result.errors
    assert result.offers[0].title == "Titre professionnel Agent de propreté et d'hygiène"
    enc, = [p for p in result.warnings if "Windows-1252" in p.reason]
    assert enc.record_id is None


def test_bom_and_comma_delimiter_and_french_headers(tmp_path):
    path = write_csv(tmp_path, "comma.csv", "\ufeffID offre,Intitulé,Type offre,Date début,Date fin,Places\n"
                     "X1,Aide à domicile,hsp_1nq,05/01/2026,30/06/2026,8\n")
    assert detect_format(path) is ImportFormat.CSV
    result = import_csv(path)
    assert (result.accepted, result.problems) == (1, [])
    o, = result.offers
    assert (o.id, o.kind, o.title) == ("tableur:X1", OfferKind.HSP_1NQ, "Aide à domicile")
    assert (o.sessions[0].start, o.sessions[0].end, o.sessions[0].capacity) == (date(2026, 1, 5), date(2026, 6, 30), 8)


def test_certification_completed_and_checked_against_rncp(tmp_path):
    path = write_csv(tmp_path, "rncp.csv", "id_offre;intitule;type_offre;code_rncp;niveau\n"
                     "A;Agent de propreté;QUALIFIANT;37872;\n"
                     "B;Agent de propreté;QUALIFIANT;RNCP37872;5\n"
                     "C;Autre;QUALIFIANT;XYZ-12;\n")
    result = import_csv(path)
    assert result.accepted == 3
    offers = {o.id: o.certification for o in result.offers}
    assert (offers["tableur:A"].rncp, offers["tableur:A"].level) == ("RNCP37872", 3)  # level from the RNCP
    assert offers["tableur:B"].level == 5  # the published level is kept...
    assert any(p.line == 3 and "niveau 3 au RNCP" in p.reason for p in result.warnings)  # ...with a warning
    assert offers["tableur:C"].rncp is None
    assert any(p.line == 4 and "invalide" in p.reason for p in result.warnings)


def test_missing_mandatory_column_rejects_every_row(tmp_path):
    path = write_csv(tmp_path, "nocol.csv", "id_offre;type_offre\nA;QUALIFIANT\nB;AMORCE\n")
    result = import_csv(path)
    assert (result.accepted, result.rejected, result.offers) == (0, 2, [])
    assert any(p.record_id is None and "intitule" in p.reason for p in result.errors)


def test_long_cells_are_read_and_an_oversized_cell_rejects_only_its_row(tmp_path, monkeypatch):
    long_text = "Contenu détaillé. " * 10_000  # ~180 000 characters, above the csv module's default limit
    path = write_csv(tmp_path, "long.csv", "id_offre;intitule;type_offre;description\n"
                     f"A;Cuisine;QUALIFIANT;{long_text}\nB;Soudure;QUALIFIANT;court\n")
    limit_before = csv.field_size_limit()
    result = import_csv(path)
    assert (result.accepted, result.rejected) == (2, 0)
    # read in full, then cut to the per-field limit with a warning on the record and field
    from catalog import settings
    limit = settings.get("text", "max_text_chars")
    assert len(result.offers[0].description) == limit + 1 and result.offers[0].description.endswith("…")
    assert [(p.record_id, p.field) for p in result.warnings] == [("A", "description")]
    assert "tronqué" in result.warnings[0].reason
    import catalog.importers.tabular as tabular
    monkeypatch.setattr(tabular, "CSV_FIELD_LIMIT", 1000)
    result = import_csv(path)
    assert (result.accepted, result.rejected) == (1, 1)
    assert [o.title for o in result.offers] == ["Soudure"]
    assert [(p.line, p.record_id) for p in result.errors] == [(2, "ligne 2")]
    assert csv.field_size_limit() == limit_before  # the process-wide limit is restored


def test_duplicate_session_and_conflicting_offer_rows(tmp_path):
    path = write_csv(tmp_path, "dup.csv", "id_offre;intitule;type_offre;id_session;date_debut;etat_recrutement\n"
                     "A;Cuisine;QUALIFIANT;S1;2026-01-05;ouvert\n"
                     "A;Cuisine bis;QUALIFIANT;S2;2026-03-05;fermé\n"
                     "A;Cuisine;QUALIFIANT;S1;2026-04-05;ouvert\n")
    result = import_csv(path)
    assert (result.accepted, result.rejected) == (2, 1)
    o, = result.offers
    assert o.title == "Cuisine" and [s.id for s in o.sessions] == ["tableur:A:S1", "tableur:A:S2"]
    assert o.sessions[1].recruitment is RecruitmentStatus.FERME
    assert any(p.line == 3 and p.field == "intitule" for p in result.warnings)
    assert [p.line for p in result.errors] == [4]


def test_xlsx_with_errors_reports_rows(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["id_offre", "intitule", "type_offre", "date_debut", "date_fin", "places", "commune_insee"])
    ws.append(["A", "Soudure", "QUALIFIANT", date(2026, 2, 2), date(2026, 6, 30), 12])
    ws.append(["B", "Maçonnerie", "QUALIFIANT", date(2026, 6, 2), date(2026, 1, 30), 12])
    ws.append([3, "Logistique", "MODULE", "2026-01-05", None, -1])
    ws.append(["D", "Ain", "MODULE", None, None, None, 1004])  # INSEE typed as a number: leading zero restored
    path = tmp_path / "offres.xlsx"
    wb.save(path)
    result = import_file(path)
    assert result.format is ImportFormat.XLSX
    assert (result.accepted, result.rejected) == (2, 2)
    assert {(p.line, p.field) for p in result.errors} == {(3, "session.periode"), (4, "session.capacite")}
    assert result.offers[0].sessions[0].start == date(2026, 2, 2)
    assert result.offers[1].sessions[0].commune_insee == "01004"


@pytest.mark.parametrize("name, message", [("corrupt.xlsx", "XLSX"), ("empty.csv", "vide"),
                                           ("unknown.bin", "format non reconnu")])
def test_unreadable_files(name, message):
    with pytest.raises(UnreadableFile, match=message):
        import_file(FIXTURES / name)


# --------------------------------------------------------------------------- properties

_CELL = st.one_of(
    st.just(""), st.text(alphabet="abcdéèçàù -'0123456789", max_size=12),
    st.sampled_from(["QUALIFIANT", "hsp_socle", "AMORCE", "NOPE", "2026-01-05", "2026-13-40", "05/02/2026",
                     "-4", "12", "oui", "peut-être", "33063", "K2204", "niveau 3", "9"]),
)
_FIELDS = ["id_offre", "intitule", "type_offre", "niveau", "date_debut", "date_fin", "places", "age_min",
           "age_max", "modulaire", "commune_insee", "codes_rome", "etat_recrutement"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.fixed_dictionaries({f: _CELL for f in _FIELDS}), min_size=1, max_size=8))
def test_every_row_is_accepted_or_rejected_never_both(tmp_path, rows):
    rows = [r for r in rows if any(v.strip() for v in r.values())] or [{"id_offre": "x", **{f: "" for f in _FIELDS[1:]}}]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=_FIELDS, delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    path = write_csv(tmp_path, "generated.csv", buf.getvalue())
    result = import_csv(path)
    nonblank = [r for r in rows if any(v.strip() not in ("", "-") for v in r.values())]
    assert result.records_read == len(nonblank) == result.accepted + result.rejected
    rejected = set(result.rejected_ids)
    assert len(rejected) == result.rejected
    with_error = {p.record_id for p in result.errors if p.record_id}
    assert rejected == with_error  # rejected <=> at least one error, accepted rows carry no error
    sessions = sum(len(o.sessions) for o in result.offers)
    assert sessions <= result.accepted
    assert all(p.severity in (Severity.ERROR, Severity.WARNING) for p in result.problems)

"""CSV / XLSX importer in the documented template (docs/import-template.md).

One row per session, the offer's fields repeated on each of its rows (the
first row of an offer wins when later rows disagree: warning). A row is the
counting unit: it is either accepted or rejected with at least one error,
never both, and blank rows are skipped. A row without any session field
describes an offer without dated session (e.g. entrées permanentes).

Streaming: the CSV is decoded and parsed line by line (csv module); an XLSX
sheet is read with openpyxl's read-only mode. CSV encoding: UTF-8 (with or
without BOM), else Windows-1252, else Latin-1, with a warning when converted.
The delimiter (`;`, `,` or tab) is taken from the header line.
"""

from __future__ import annotations

import codecs
import csv
import enum
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Literal

from catalog import settings
from catalog.levels import parse_level
from catalog.model import (
    Accessibility, Certification, CertificationType, Contact, Duration, EntryMode, Modality, Offer, OfferKind,
    Prerequisites, Provider, Provenance, Publics, RecruitmentStatus, Rhythm, Sector, Session,
)

from . import codes
from .files import check_readable, now_iso
from .report import ImportFormat, ImportResult, UnreadableFile
from .values import (
    validated,
    Place, check_certification, check_session, clean, parse_bool, parse_date, parse_float, parse_hours, parse_int,
    resolve_place,
)


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    format: str  # French, for the documentation
    description: str  # French
    examples: tuple[str, str, str] = ("", "", "")
    session: bool = False  # session field (else offer field, repeated on each row)


_E = ("", "", "")
COLUMNS: tuple[Column, ...] = (
    Column("id_offre", True, "texte", "Identifiant stable de l'offre chez le producteur ; l'offre importée a "
           "l'identifiant `tableur:<id_offre>` (gardé tel quel s'il contient déjà « : », ex. `lheo:07_114782`).",
           ("AF-2025-001", "AF-2025-001", "HSP-33-12")),
    Column("intitule", True, "texte", "Intitulé de la formation.",
           ("Titre professionnel Agent de propreté et d'hygiène",) * 2 + ("Socle de compétences - Numérique",)),
    Column("type_offre", True, "QUALIFIANT, HSP_SOCLE, HSP_1NQ, AMORCE, APPRENTISSAGE, MODULE, "
           "PREPA_APPRENTISSAGE, CONTRAT_PRO, POEI", "Dispositif de l'offre.", ("QUALIFIANT", "QUALIFIANT", "HSP_SOCLE")),
    Column("description", False, "texte", "Contenu de la formation (texte brut, jamais interprété comme HTML)."),
    Column("objectifs", False, "texte", "Objectifs de la formation.",
           ("Obtenir le titre professionnel APH",) * 2 + ("Utiliser les outils numériques du quotidien",)),
    Column("certification_type", False, "TP, CAP, BEP, BAC_PRO, BP, BTS, BUT, LICENCE_PRO, DE, CQP, MC, RS, TITRE, "
           "AUTRE, NONE", "Type de certification visée ; déduit de l'intitulé si vide.", ("TP", "TP", "NONE")),
    Column("code_rncp", False, "RNCPnnnnn, nnnnn ou RSnnnn", "Code de la fiche RNCP ou RS visée.",
           ("RNCP37872", "RNCP37872", "")),
    Column("niveau", False, "1 à 8 (ou « niveau 3 », « CAP »…)", "Niveau national de la certification visée.",
           ("3", "3", "")),
    Column("modulaire", False, "oui/non", "Certification accessible bloc par bloc.", ("oui", "oui", "non")),
    Column("codes_rome", False, "codes ROME séparés par « | »", "Métiers visés.", ("K2204", "K2204", "")),
    Column("formacodes", False, "codes séparés par « | »", "Domaines de formation (Formacode)."),
    Column("secteur", False, "SANTE_SOCIAL, BATIMENT, LOGISTIQUE_TRANSPORT, HOTELLERIE_RESTAURATION, INDUSTRIE, "
           "AGRICULTURE_VITICULTURE, ANIMATION_SPORT, NUMERIQUE, SERVICES, COMMERCE, TRANSVERSAL, AUTRE",
           "Secteur ; déduit des codes ROME si vide.", ("SERVICES", "SERVICES", "TRANSVERSAL")),
    Column("organisme", False, "texte", "Organisme de formation.",
           ("Centre de formation Exemple",) * 2 + ("Association Exemple Savoirs",)),
    Column("siret", False, "14 chiffres", "SIRET de l'organisme."),
    Column("financeurs", False, "codes LHÉO dict-financeurs séparés par « | » (2 = Conseil régional)",
           "Financeurs de l'action.", ("2", "2", "2")),
    Column("niveau_entree_min", False, "0 à 8", "Niveau validé minimal exigé à l'entrée."),
    Column("niveau_entree_max", False, "0 à 8", "Niveau validé maximal (ex. 3 pour l'HSP 1er niveau)."),
    Column("tests_entree", False, "oui/non", "Tests de sélection à l'entrée.", ("oui", "oui", "non")),
    Column("entretien", False, "oui/non", "Entretien à l'entrée.", ("oui", "oui", "oui")),
    Column("prerequis", False, "texte", "Prérequis tels que publiés."),
    Column("age_min", False, "entier", "Âge minimal."),
    Column("age_max", False, "entier", "Âge maximal."),
    Column("publics", False, "texte", "Publics visés tels que publiés.", ("Demandeurs d'emploi",) * 3),
    Column("modalite", False, "presentiel, mixte, distance", "Modalité d'enseignement (présentiel par défaut).",
           ("presentiel", "presentiel", "mixte")),
    Column("rythme", False, "temps_plein, temps_partiel, alternance", "Rythme (temps plein par défaut).",
           ("temps_plein", "temps_plein", "temps_partiel")),
    Column("heures_centre", False, "entier ≥ 0", "Heures en centre.", ("490", "490", "150")),
    Column("heures_entreprise", False, "entier ≥ 0", "Heures en entreprise.", ("140", "140", "0")),
    Column("duree_mois", False, "nombre", "Durée en mois."),
    Column("heures_semaine", False, "nombre", "Heures par semaine.", ("35", "35", "20")),
    Column("referent_handicap_nom", False, "texte", "Nom du référent handicap tel que publié par l'organisme."),
    Column("referent_handicap_telephone", False, "texte", "Téléphone du référent handicap.",
           ("05 00 00 00 00",) * 2 + ("",)),
    Column("referent_handicap_email", False, "adresse e-mail", "E-mail du référent handicap.",
           ("handicap@exemple.org",) * 2 + ("",)),
    Column("locaux_accessibles", False, "oui/non", "Locaux accessibles aux personnes à mobilité réduite.",
           ("oui", "oui", "")),
    Column("amenagements", False, "texte", "Aménagements possibles (rythme, durée, examens…)."),
    Column("contact_telephone", False, "texte", "Téléphone de l'organisme pour cette offre."),
    Column("contact_email", False, "adresse e-mail", "E-mail de l'organisme pour cette offre.",
           ("contact@exemple.org",) * 3),
    Column("url", False, "URL", "Page web de l'offre."),
    Column("id_session", False, "texte", "Identifiant de la session (numéro de ligne sinon).",
           ("S1", "S2", "S1"), session=True),
    Column("date_debut", False, "AAAA-MM-JJ ou JJ/MM/AAAA", "Début de la session.",
           ("2026-01-12", "2026-03-02", "2026-01-05"), session=True),
    Column("date_fin", False, "AAAA-MM-JJ ou JJ/MM/AAAA (≥ date_debut)", "Fin de la session.",
           ("2026-05-29", "2026-07-17", "2026-06-30"), session=True),
    Column("commune_insee", False, "code INSEE (5 caractères)", "Commune du lieu de formation.",
           ("33063", "64445", "86194"), session=True),
    Column("commune", False, "texte", "Nom de la commune.", ("Bordeaux", "Pau", "Poitiers"), session=True),
    Column("code_postal", False, "5 chiffres", "Code postal du lieu.", ("33000", "64000", "86000"), session=True),
    Column("adresse", False, "texte", "Adresse du lieu de formation.", session=True),
    Column("latitude", False, "nombre décimal (point ou virgule)", "Latitude ; déduite de la commune si vide.",
           session=True),
    Column("longitude", False, "nombre décimal (point ou virgule)", "Longitude ; déduite de la commune si vide.",
           session=True),
    Column("places", False, "entier ≥ 0", "Capacité de la session.", ("12", "12", "10"), session=True),
    Column("places_restantes", False, "entier ≥ 0", "Places encore disponibles.", ("5", "12", ""), session=True),
    Column("etat_recrutement", False, "ouvert, ferme, suspendu", "État du recrutement (ouvert par défaut).",
           ("ouvert", "ouvert", "ouvert"), session=True),
    Column("date_info_collective", False, "AAAA-MM-JJ ou JJ/MM/AAAA", "Date de la réunion d'information.",
           ("2025-12-15", "2026-02-09", ""), session=True),
    Column("entrees_permanentes", False, "oui/non", "Entrées et sorties permanentes.", ("non", "non", "oui"),
           session=True),
)
COLUMN_NAMES = [c.name for c in COLUMNS]
REQUIRED = [c.name for c in COLUMNS if c.required]
SESSION_COLUMNS = [c.name for c in COLUMNS if c.session]


def _fold(text: str) -> str:
    """Header normalisation: accents, case, spaces and hyphens do not matter."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


_ALIASES: dict[str, dict[str, enum.Enum]] = {
    "modalite": {"presentiel": Modality.PRESENTIEL, "mixte": Modality.MIXTE, "distance": Modality.DISTANCE},
    "rythme": {"temps_plein": Rhythm.FULL_TIME, "temps_partiel": Rhythm.PART_TIME, "alternance": Rhythm.ALTERNANCE},
    "etat_recrutement": {"ouvert": RecruitmentStatus.OUVERT, "ferme": RecruitmentStatus.FERME,
                         "suspendu": RecruitmentStatus.SUSPENDU},
}


def _enum(enum_cls: type[enum.Enum], column: str) -> Callable[[str], Any]:
    aliases = _ALIASES.get(column, {})

    def parse(text: str) -> Any:
        key = _fold(text)
        if key in aliases:
            return aliases[key]
        try:
            return enum_cls(key.upper())
        except ValueError:
            allowed = ", ".join(aliases) if aliases else ", ".join(m.value for m in enum_cls)
            raise ValueError(f"valeur « {text} » inconnue (attendu : {allowed})") from None
    return parse


def _split(text: Any) -> list[str]:
    return [p for p in (x.strip() for x in re.split(r"[|,;\s]+", str(text))) if p]


def _level(text: str) -> int:
    n = parse_level(text)
    if n is None:
        raise ValueError(f"niveau « {text} » illisible (attendu 0 à 8)")
    return n


def _age(text: str) -> int | None:
    n = parse_int(text, minimum=0)
    if n is not None and n > 120:
        raise ValueError(f"âge impossible {n}")
    return n


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "type_offre": _enum(OfferKind, "type_offre"),
    "certification_type": _enum(CertificationType, "certification_type"),
    "secteur": _enum(Sector, "secteur"),
    "modalite": _enum(Modality, "modalite"),
    "rythme": _enum(Rhythm, "rythme"),
    "etat_recrutement": _enum(RecruitmentStatus, "etat_recrutement"),
    "niveau": _level, "niveau_entree_min": _level, "niveau_entree_max": _level,
    "modulaire": parse_bool, "tests_entree": parse_bool, "entretien": parse_bool, "locaux_accessibles": parse_bool,
    "entrees_permanentes": parse_bool,
    "age_min": _age, "age_max": _age,
    "heures_centre": parse_hours, "heures_entreprise": parse_hours,
    "places": parse_int, "places_restantes": parse_int,  # negative values: session error in check_session
    "duree_mois": parse_float, "heures_semaine": parse_float, "latitude": parse_float, "longitude": parse_float,
    "date_debut": parse_date, "date_fin": parse_date, "date_info_collective": parse_date,
    "codes_rome": _split, "formacodes": _split, "financeurs": _split,
}


# --------------------------------------------------------------------------- reading


# The csv module's default (128 KiB a cell) is smaller than some published
# descriptions; a larger cell is more likely a broken quote, so it rejects its row.
CSV_FIELD_LIMIT = settings.get("upload", "max_cell_chars")


_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
ENCODING_LABELS = {"cp1252": "Windows-1252 (cp1252)", "latin-1": "Latin-1 (ISO-8859-1)",
                   "utf-16": "UTF-16 (« Texte Unicode » d'Excel)", "utf-16-le": "UTF-16 (« Texte Unicode » d'Excel)",
                   "utf-16-be": "UTF-16 (« Texte Unicode » d'Excel)"}


def _detect_encoding(path: Path) -> str:
    """The CSV's encoding: a BOM says it (UTF-8, UTF-16 LE/BE); UTF-16 without BOM is recognised by its
    NUL bytes; else utf-8-sig when the whole file is valid UTF-8 (checked chunk by chunk), else cp1252 /
    latin-1. Excel's « Texte Unicode » export is UTF-16 with a BOM and tabs."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    sample = head[: len(head) - len(head) % 2]
    if sample and sample.count(0) * 4 >= len(sample):  # ASCII text in UTF-16: every other byte is NUL
        evens, odds = sample[0::2].count(0), sample[1::2].count(0)
        return "utf-16-be" if evens > odds else "utf-16-le"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 16):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 16):
                chunk.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _csv_rows(path: Path, result: ImportResult) -> Iterator[tuple[int, list[Any]]]:
    encoding = _detect_encoding(path)
    if encoding != "utf-8-sig":
        result.warn(None, None, f"fichier encodé en {ENCODING_LABELS[encoding]} et non en UTF-8 : converti, "
                    "accents conservés")
    try:
        yield from _csv_reader(path, encoding, result)
    except UnicodeDecodeError:
        raise UnreadableFile(f"{path.name} : caractères illisibles en {ENCODING_LABELS.get(encoding, 'UTF-8')} "
                             "(enregistrez le fichier en CSV UTF-8)") from None


def _csv_reader(path: Path, encoding: str, result: ImportResult) -> Iterator[tuple[int, list[Any]]]:
    with path.open("r", encoding=encoding, newline="") as fh:
        header = fh.readline(1 << 20)
        counts = {d: header.count(d) for d in (";", ",", "\t")}
        delimiter = max(counts, key=counts.__getitem__) if any(counts.values()) else ";"
        fh.seek(0)
        reader = csv.reader(fh, delimiter=delimiter)
        previous_limit = csv.field_size_limit(CSV_FIELD_LIMIT)
        try:
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    if "field larger than field limit" not in str(exc):
                        raise UnreadableFile(f"{path.name} : CSV illisible ligne {reader.line_num} "
                                             f"({_csv_reason(exc)})") from None
                    _reject_oversized(result, reader.line_num)
                    continue
                yield reader.line_num, row
        finally:
            csv.field_size_limit(previous_limit)


def _csv_reason(exc: csv.Error) -> str:
    """The csv module's English messages, in French."""
    text = str(exc)
    if "NUL" in text:
        return "caractère NUL : fichier binaire ou mal encodé"
    if "new-line character seen in unquoted field" in text:
        return "retour à la ligne dans une cellule sans guillemets"
    if "unexpected end of data" in text or "EOF" in text:
        return "fin de fichier dans une cellule entre guillemets non refermés"
    return "ligne mal formée"


def _reject_oversized(result: ImportResult, line: int) -> None:
    """Count a row with an oversized cell as rejected, so the rows around it are still imported."""
    rid = f"ligne {line}"
    result.add(rid, None, f"cellule trop longue (plus de {CSV_FIELD_LIMIT} caractères) : ligne ignorée", line=line)
    result.keep(rid, None)
    _check_row_limit(result)


def check_zip(path: Path) -> None:
    """Refuse a zip (XLSX) that would inflate beyond the limits, before any part is decompressed.

    Python's zipfile never returns more than a member's declared size (the CRC check fails
    otherwise), so checking the declared sizes bounds what openpyxl can decompress.
    """
    limit, ratio = settings.get("upload", "max_unzipped_bytes"), settings.get("upload", "max_zip_ratio")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnreadableFile(f"{path.name} : classeur XLSX illisible ou corrompu (archive zip invalide)") from None
    total = sum(m.file_size for m in members)
    if total > limit:
        raise UnreadableFile(f"{path.name} : fichier refusé, il occuperait {total / 2**20:.0f} Mo une fois "
                             f"décompressé (maximum {limit / 2**20:.0f} Mo)")
    for m in members:
        if m.file_size > (1 << 20) and m.file_size > ratio * max(m.compress_size, 1):
            raise UnreadableFile(f"{path.name} : fichier refusé, une partie se décompresse "
                                 f"{m.file_size // max(m.compress_size, 1)} fois (maximum {ratio}) : "
                                 "archive piégée (« zip bomb »)")


def _xlsx_rows(path: Path, result: ImportResult) -> Iterator[tuple[int, list[Any]]]:
    check_zip(path)
    try:
        from openpyxl import load_workbook
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnreadableFile(f"{path.name} : classeur XLSX illisible ou corrompu ({type(exc).__name__})") from None
    except Exception as exc:  # openpyxl raises its own types for broken parts
        raise UnreadableFile(f"{path.name} : classeur XLSX illisible ({type(exc).__name__})") from None
    limit = settings.get("upload", "max_cell_chars")
    try:
        sheet = workbook["offres"] if "offres" in workbook.sheetnames else workbook.worksheets[0]
        # read-only mode trusts the sheet's <dimension> element, which some tools write wrong:
        # forget it so that every row and column actually present is read
        sheet.reset_dimensions()
        for number, row in enumerate(sheet.iter_rows(values_only=True), 1):
            if any(isinstance(v, str) and len(v) > limit for v in row):
                _reject_oversized(result, number)
                continue
            yield number, ["" if v is None else v for v in row]
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise UnreadableFile(f"{path.name} : classeur XLSX corrompu ({type(exc).__name__})") from None
    except Exception as exc:  # lxml / openpyxl parse errors in a damaged sheet
        if isinstance(exc, UnreadableFile):
            raise
        raise UnreadableFile(f"{path.name} : feuille XLSX illisible ({type(exc).__name__})") from None
    finally:
        workbook.close()


@validated
def import_csv(path: str | Path) -> ImportResult:
    path = Path(path)
    check_readable(path)
    result = ImportResult(path.name, ImportFormat.CSV)
    return _import_rows(result, _csv_rows(path, result))


@validated
def import_xlsx(path: str | Path) -> ImportResult:
    path = Path(path)
    check_readable(path)
    result = ImportResult(path.name, ImportFormat.XLSX)
    return _import_rows(result, _xlsx_rows(path, result))


# --------------------------------------------------------------------------- rows -> offers


def _import_rows(result: ImportResult, rows: Iterator[tuple[int, list[Any]]]) -> ImportResult:
    header: list[str | None] | None = None
    offers: dict[str, Offer] = {}
    offer_rows: dict[str, dict[str, Any]] = {}
    imported_at = now_iso()
    for line, cells in rows:
        if not any(clean(c) is not None for c in cells):
            continue
        if header is None:
            header = _header(result, cells, line)
            continue
        rid = f"ligne {line}"
        result.records_read += 1
        _check_row_limit(result)
        values = {name: cells[i] if i < len(cells) else None for i, name in enumerate(header) if name}
        parsed = _parse_row(result, rid, values, line)
        if parsed is None:
            result.reject(rid)
            continue
        offer_id = _offer_id(parsed["id_offre"])
        session = _session(result, rid, offer_id, parsed, line)
        if session is False:
            result.reject(rid)
            continue
        offer_fields = {k: v for k, v in parsed.items() if k not in SESSION_COLUMNS}
        if offer_id not in offers:
            offers[offer_id] = _offer(result, rid, offer_id, parsed, imported_at, line)
            offer_rows[offer_id] = offer_fields
        elif offer_rows[offer_id] != offer_fields:
            diff = sorted(k for k in offer_fields if offer_fields.get(k) != offer_rows[offer_id].get(k))
            result.warn(rid, ", ".join(diff), "champs de l'offre différents de sa première ligne : "
                        "première ligne conservée", line=line)
        offer = offers[offer_id]
        if session is not None:
            if any(s.id == f"{offer_id}:{session.id}" for s in offer.sessions):
                result.add(rid, "id_session", f"session « {session.id} » déjà présente pour l'offre : ligne ignorée",
                           line=line)
                result.reject(rid)
                continue
            session.id = f"{offer_id}:{session.id}"
            offer.sessions.append(session)
    if header is None:
        raise UnreadableFile(f"{result.file} : aucune ligne d'en-tête (fichier sans données)")
    result.offers.extend(offers.values())
    return result


def _check_row_limit(result: ImportResult) -> None:
    """Stop reading a file with more rows than one upload may hold (bounds memory and time)."""
    limit = settings.get("upload", "max_records")
    if result.records_read > limit:
        raise UnreadableFile(f"{result.file} : plus de {limit:_} lignes ; découpez le fichier en plusieurs "
                             "imports".replace("_", " "))


def _header(result: ImportResult, cells: list[Any], line: int) -> list[str | None]:
    names: list[str | None] = []
    for cell in cells:
        name = _fold(cell) if clean(cell) else None
        if name and name not in COLUMN_NAMES:
            result.warn(None, str(cell), f"colonne « {cell} » inconnue du modèle : ignorée", line=line)
            name = None
        if name and name in names:
            result.warn(None, name, f"colonne « {name} » en double : seule la première est lue", line=line)
            name = None
        names.append(name)
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        result.add(None, ", ".join(missing), f"colonne(s) obligatoire(s) absente(s) : {', '.join(missing)} ; "
                   "toutes les lignes seront refusées", line=line)
    return names


def _parse_row(result: ImportResult, rid: str, values: dict[str, Any], line: int) -> dict[str, Any] | None:
    parsed: dict[str, Any] = {}
    ok = True
    for name in REQUIRED:
        if clean(values.get(name)) is None:
            result.add(rid, name, f"champ obligatoire « {name} » vide", line=line)
            ok = False
    for name, raw in values.items():
        if clean(raw) is None:
            continue
        if name in ("commune_insee", "code_postal") and isinstance(raw, int):
            raw = f"{raw:05d}"  # a spreadsheet number lost the leading zero
        parser = _PARSERS.get(name)
        try:
            parsed[name] = parser(raw if not isinstance(raw, str) else raw.strip()) if parser else clean(raw)
        except ValueError as exc:
            result.add(rid, name, str(exc), line=line)
            ok = False
    for low, high in (("age_min", "age_max"), ("niveau_entree_min", "niveau_entree_max")):
        if parsed.get(low) is not None and parsed.get(high) is not None and parsed[low] > parsed[high]:
            result.add(rid, f"{low}, {high}", f"{low} ({parsed[low]}) supérieur à {high} ({parsed[high]})", line=line)
            ok = False
    return parsed if ok else None


def _offer_id(raw: str) -> str:
    return raw if ":" in raw else f"tableur:{raw}"


def _session(result: ImportResult, rid: str, offer_id: str, p: dict[str, Any], line: int) -> Session | Literal[False] | None:
    """The row's session, None when the row has no session field, False when it is impossible."""
    if not any(name in p for name in SESSION_COLUMNS):
        return None
    place = resolve_place(result, rid, "lieu", Place(insee=p.get("commune_insee"), name=p.get("commune"),
                                                      postcode=p.get("code_postal"), lat=p.get("latitude"),
                                                      lon=p.get("longitude")))
    session = Session(
        id=p.get("id_session") or f"l{line}", offer_id=offer_id, start=p.get("date_debut"), end=p.get("date_fin"),
        commune_insee=place.insee, commune_name=place.name, postcode=place.postcode, lat=place.lat, lon=place.lon,
        address=p.get("adresse"), capacity=p.get("places"), places_left=p.get("places_restantes"),
        recruitment=p.get("etat_recrutement", RecruitmentStatus.OUVERT), info_session=p.get("date_info_collective"),
        entry_mode=EntryMode.PERMANENT if p.get("entrees_permanentes") else EntryMode.FIXED_DATES,
    )
    if session.capacity is not None and session.places_left is not None and session.places_left > session.capacity:
        result.warn(rid, "places_restantes", "plus de places restantes que de places", line=line)
    return session if check_session(result, rid, session, "session", line=line) else False


def _offer(result: ImportResult, rid: str, offer_id: str, p: dict[str, Any], imported_at: str, line: int) -> Offer:
    kind: OfferKind = p["type_offre"]
    rncp = codes.normalise_rncp(p.get("code_rncp"))
    rome = []
    for code in p.get("codes_rome", []):
        if codes.ROME_RE.match(code.upper()):
            rome.append(code.upper())
        else:
            result.warn(rid, "codes_rome", f"code ROME « {code} » invalide, ignoré", line=line)
    funders = p.get("financeurs", [])
    for code in funders:
        if code not in codes.FUNDERS or code == codes.OBSOLETE:
            result.warn(rid, "financeurs", f"code financeur « {code} » inconnu ou obsolète (dict-financeurs) : "
                        "gardé tel quel", line=line)
    referent = Contact(name=p.get("referent_handicap_nom"), role="Référent handicap",
                       phone=p.get("referent_handicap_telephone"), email=p.get("referent_handicap_email"))
    contact = Contact(role="Organisme", phone=p.get("contact_telephone"), email=p.get("contact_email"))
    certifying = bool(rncp) or p.get("certification_type") not in (None, CertificationType.NONE)
    offer = Offer(
        id=offer_id, kind=kind, title=p["intitule"], description=p.get("description", ""),
        objectives=p.get("objectifs", ""),
        certification=Certification(
            type=p.get("certification_type") or codes.guess_certification_type(p["intitule"], False, rncp),
            title=p["intitule"] if certifying else "", rncp=rncp, level=p.get("niveau"),
            modular=bool(p.get("modulaire")),
        ),
        rome_codes=rome, formacodes=p.get("formacodes", []),
        sector=p.get("secteur") or codes.sector_for(rome, kind),
        provider=Provider(name=p.get("organisme", ""), siret=p.get("siret")),
        funders=funders,
        prerequisites=Prerequisites(min_level=p.get("niveau_entree_min"), max_level=p.get("niveau_entree_max"),
                                    tests=bool(p.get("tests_entree")), interview=bool(p.get("entretien")),
                                    text=p.get("prerequis", "")),
        publics=Publics(min_age=p.get("age_min"), max_age=p.get("age_max"), text=p.get("publics", "")),
        modality=p.get("modalite", Modality.PRESENTIEL), rhythm=p.get("rythme", Rhythm.FULL_TIME),
        duration=Duration(hours_centre=p.get("heures_centre"), hours_company=p.get("heures_entreprise"),
                          months=p.get("duree_mois"), hours_per_week=p.get("heures_semaine")),
        accessibility=Accessibility(
            referent_handicap=referent if (referent.name or referent.phone or referent.email) else None,
            accessible_premises=p.get("locaux_accessibles"), text=p.get("amenagements", ""),
        ),
        contact=contact if (contact.phone or contact.email) else None,
        url=p.get("url"),
        provenance=Provenance(source=result.format.value, source_file=result.file, record_id=p["id_offre"],
                              imported_at=imported_at),
    )
    check_certification(result, rid, offer.certification, "code_rncp", line=line)
    return offer

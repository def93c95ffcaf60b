"""Value parsing and checks shared by the importers.

Parsers raise ValueError with a French message; the importers turn it into a
Problem on the right record and field, so that one bad value never loses the
rest of the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, TypeVar

from catalog.model import Certification, CertificationType, Session

from .codes import CERT_TYPE_CODES, INSEE_RE, POSTCODE_RE, RNCP_RE
from .report import ImportResult, Severity

_BLANKS = {"", "-", "null", "none", "nan"}


def clean(value: Any) -> str | None:
    """Stripped text, or None for blanks and the '-' placeholder Intercarif uses."""
    if value is None:
        return None
    text = str(value).strip()
    return None if text.lower() in _BLANKS else text


def parse_date(value: Any) -> date | None:
    """YYYYMMDD, YYYY-MM-DD, DD/MM/YYYY or an ISO datetime; 00000000 means 'not given'."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = clean(value)
    if text is None or set(text) <= {"0", "-", "/"}:
        return None
    try:
        if re.fullmatch(r"\d{8}", text):
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text):
            return date(int(m[3]), int(m[2]), int(m[1]))
        if re.match(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text[:10])
    except ValueError:
        pass
    raise ValueError(f"date invalide « {text} » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)")


def parse_int(value: Any, minimum: int | None = None) -> int | None:
    if isinstance(value, bool):
        raise ValueError(f"nombre entier attendu, pas « {value} »")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = clean(value)
        if text is None:
            return None
        text = text.replace("\u00a0", "").replace(" ", "")
        if not re.fullmatch(r"[+-]?\d+([.,]0+)?", text):
            raise ValueError(f"nombre entier attendu, pas « {text} »")
        number = int(re.split(r"[.,]", text)[0])
    if minimum is not None and number < minimum:
        raise ValueError(f"valeur impossible {number} (minimum {minimum})")
    return number


def parse_hours(value: Any) -> int | None:
    """A number of hours: a whole number, never negative."""
    return parse_int(value, minimum=0)


def parse_float(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = clean(value)
    if text is None:
        return None
    try:
        return float(text.replace(",", "."))
    except ValueError:
        raise ValueError(f"nombre attendu, pas « {text} »") from None


_TRUE = {"1", "oui", "o", "true", "vrai", "yes", "x"}
_FALSE = {"0", "non", "n", "false", "faux", "no"}


def parse_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = clean(value)
    if text is None:
        return None
    low = text.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise ValueError(f"oui/non attendu, pas « {text} »")


T = TypeVar("T")


def or_none(parse: Callable[[Any], T | None], value: Any) -> T | None:
    """`parse(value)`, or None for a bad value, where an unreadable optional value is not worth a problem."""
    try:
        return parse(value)
    except ValueError:
        return None


def parse_or_warn(result: ImportResult, record_id: str, field: str, parse: Callable[[Any], T | None], value: Any,
                  note: str = "valeur ignorée", default: T | None = None, **where: Any) -> T | None:
    """`parse(value)`; a bad value becomes a warning ("<reason> : <note>") and `default`, keeping the record."""
    try:
        return parse(value)
    except ValueError as exc:
        result.warn(record_id, field, f"{exc} : {note}" if note else str(exc), **where)
        return default


# --------------------------------------------------------------------------- places


@dataclass
class Place:
    insee: str | None = None
    name: str | None = None
    postcode: str | None = None
    lat: float | None = None
    lon: float | None = None


def _commune_tables() -> tuple[dict[str, Any], dict[str, tuple[Any, ...]]]:
    """(by INSEE code, by postcode) from catalog.referentials; empty (and retried) when unavailable."""
    try:
        from catalog.referentials import communes, communes_by_postcode

        return communes(), communes_by_postcode()
    except Exception:  # referential data not built: places stay as published
        return {}, {}


def _plausible(lat: float, lon: float) -> bool:
    return -90 <= lat <= 90 and -180 <= lon <= 180 and not (lat == 0 and lon == 0)


def resolve_place(result: ImportResult, record_id: str, field: str, place: Place) -> Place:
    """Validate codes and coordinates; fill what is missing from the commune referential.

    Swapped coordinates (seen in real apprenticeship-catalogue data) are put
    back in order with a warning; impossible ones are dropped with a warning.
    """
    if place.insee == "00000":  # Intercarif's "unknown" placeholder
        place.insee = None
    if place.insee and not INSEE_RE.match(place.insee):
        result.warn(record_id, f"{field}.code_insee", f"code INSEE « {place.insee} » invalide, ignoré")
        place.insee = None
    if place.postcode and not POSTCODE_RE.match(place.postcode):
        result.warn(record_id, f"{field}.code_postal", f"code postal « {place.postcode} » invalide, ignoré")
        place.postcode = None
    if (place.lat is None) != (place.lon is None):
        result.warn(record_id, f"{field}.coordonnees", "latitude ou longitude manquante : coordonnées ignorées")
        place.lat = place.lon = None
    if place.lat is not None and place.lon is not None:
        lat, lon = place.lat, place.lon
        if 41 <= lon <= 52 and -6 <= lat <= 10 and not (41 <= lat <= 52):
            result.warn(record_id, f"{field}.coordonnees",
                        f"latitude et longitude inversées ({lat}, {lon}) : remises dans l'ordre")
            place.lat, place.lon = lon, lat
        elif not _plausible(lat, lon):
            result.warn(record_id, f"{field}.coordonnees", f"coordonnées impossibles ({lat}, {lon}) : ignorées")
            place.lat = place.lon = None
    by_insee, by_postcode = _commune_tables()
    commune = by_insee.get(place.insee) if place.insee else None
    if commune is None and place.postcode:
        candidates = by_postcode.get(place.postcode, ())
        named = [c for c in candidates if place.name and c.name.lower() == place.name.lower()]
        if named or len(candidates) == 1:  # never guess between communes sharing a postcode
            commune = (named or candidates)[0]
    if commune is not None:
        place.insee = place.insee or commune.insee
        place.name = place.name or commune.name
        if place.lat is None:
            place.lat, place.lon = commune.lat, commune.lon
    return place


# --------------------------------------------------------------------------- sessions


def check_session(result: ImportResult, record_id: str, session: Session, field: str,
                  line: int | None = None) -> bool:
    """Impossible session values are errors that drop the session only. Returns True if kept."""
    reasons = []
    if session.start and session.end and session.end < session.start:
        reasons.append(("periode", f"fin ({session.end.isoformat()}) avant le début ({session.start.isoformat()})"))
    for name, label in (("capacity", "capacite"), ("places_left", "places_restantes")):
        value = getattr(session, name)
        if value is not None and value < 0:
            reasons.append((label, f"nombre de places négatif ({value})"))
    for sub, reason in reasons:
        result.add(record_id, f"{field}.{sub}", f"session ignorée : {reason}", Severity.ERROR, line=line)
    return not reasons


# --------------------------------------------------------------------------- certifications

_CERTIFS: dict[str, Any] | None = None


def _certifications() -> dict[str, Any]:
    """RNCP/RS fiches from catalog.referentials; empty (and retried) when unavailable."""
    global _CERTIFS
    if _CERTIFS is None:
        try:
            from catalog.referentials import certifications
            _CERTIFS = certifications()
        except Exception:  # referential data not built: certifications stay as published
            return {}
    return _CERTIFS


def check_certification(result: ImportResult, record_id: str, cert: Certification, field: str,
                        line: int | None = None) -> None:
    """Check the RNCP/RS code and complete level, title and type from the RNCP referential.

    The published level wins over the referential's (warning when they differ);
    an inactive fiche is a warning: the offer may prepare a replaced certification.
    A code missing from the referential is not reported: the snapshot is incomplete.
    """
    if cert.rncp is None:
        return
    if not RNCP_RE.match(cert.rncp):
        result.warn(record_id, field, f"code RNCP/RS « {cert.rncp} » invalide : ignoré", line=line)
        cert.rncp = None
        return
    ref = _certifications().get(cert.rncp)
    if ref is None:
        return
    if cert.level is None:
        cert.level = ref.level
    elif ref.level is not None and ref.level != cert.level:
        result.warn(record_id, field, f"niveau publié {cert.level}, niveau {ref.level} au RNCP pour {cert.rncp} : "
                    "niveau publié conservé", line=line)
    if not cert.title:
        cert.title = ref.title
    if cert.type in (CertificationType.NONE, CertificationType.TITRE, CertificationType.AUTRE):
        cert.type = CERT_TYPE_CODES.get((ref.type_code or "").upper(), cert.type)
    if not ref.active:
        successor = f" (remplacée par {', '.join(ref.successors)})" if ref.successors else ""
        result.warn(record_id, field, f"fiche {cert.rncp} inactive au RNCP{successor}", line=line)

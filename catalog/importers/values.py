"""Value parsing and checks shared by the importers.

Parsers raise ValueError with a French message; the importers turn it into a
Problem on the right record and field, so that one bad value never loses the
rest of the file.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, TypeVar

from catalog import settings
from catalog.model import Certification, CertificationType, Session, field_names

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
    found: date | None = None
    try:
        if re.fullmatch(r"\d{8}", text):
            found = date(int(text[:4]), int(text[4:6]), int(text[6:]))
        elif m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text):
            found = date(int(m[3]), int(m[2]), int(m[1]))
        elif re.match(r"\d{4}-\d{2}-\d{2}", text):
            found = date.fromisoformat(text[:10])
    except ValueError:
        pass
    if found is None:
        raise ValueError(f"date invalide « {text[:40]} » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)")
    return check_year(found)


def check_year(value: date) -> date:
    """A date inside the plausible window (settings: values.min_year..max_year), else ValueError.

    9999-12-31 or 0001-01-01 are export placeholders or typing errors; letting them
    through crashed the planner (date arithmetic overflow) and printed absurd dates.
    """
    low, high = settings.get("values", "min_year"), settings.get("values", "max_year")
    if not low <= value.year <= high:
        raise ValueError(f"date {value.isoformat()} hors de la période plausible ({low}-{high})")
    return value


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
    """A finite number: NaN and infinities are refused (they are not numbers a catalogue can hold)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    else:
        text = clean(value)
        if text is None:
            return None
        try:
            number = float(text.replace(",", ".").replace("\u00a0", "").replace(" ", ""))
        except ValueError:
            raise ValueError(f"nombre attendu, pas « {text[:40]} »") from None
    if not math.isfinite(number):
        raise ValueError(f"nombre non fini « {value} » refusé")
    return number


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
    return (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180
            and not (lat == 0 and lon == 0))


# The 12 departments of Nouvelle-Aquitaine (INSEE codes start with them).
REGION_DEPARTMENTS = frozenset({"16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"})


def in_region(lat: float, lon: float) -> bool:
    """Inside the Region's bounding box (settings: values.region_*)."""
    g = lambda k: settings.get("values", k)  # noqa: E731
    return g("region_lat_min") <= lat <= g("region_lat_max") and g("region_lon_min") <= lon <= g("region_lon_max")


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
    if place.lat is not None and place.lon is not None:
        place = _check_position(result, record_id, field, place, (place.lat, place.lon), commune)
    if commune is not None:
        place.insee = place.insee or commune.insee
        place.name = place.name or commune.name
        if place.lat is None:
            place.lat, place.lon = commune.lat, commune.lon
    return place


def _check_position(result: ImportResult, record_id: str, field: str, place: Place,
                    position: tuple[float, float], commune: Any) -> Place:
    """Coordinates outside the Region, or far from the commune of the INSEE code, are not trusted.

    The commune's town hall replaces them (warning) when the commune is known. Otherwise,
    for an INSEE code of the Region's departments the point must be inside the Region;
    for an offer elsewhere (real exports hold some) it must at least be in metropolitan
    France; an impossible point is dropped (warning), since distances would be absurd.
    `position` is the place's (lat, lon), both known.
    """
    lat, lon = position
    if commune is not None:
        from catalog.geo import distance_km

        km = distance_km(lat, lon, commune.lat, commune.lon)
        limit = settings.get("values", "max_km_from_commune")
        if km > limit:
            result.warn(record_id, f"{field}.coordonnees",
                        f"coordonnées ({lat:.5f}, {lon:.5f}) à {km:.0f} km de la commune {commune.name} "
                        f"({commune.insee}) : coordonnées de la commune utilisées")
            place.lat, place.lon = commune.lat, commune.lon
        return place
    regional = bool(place.insee and place.insee[:2] in REGION_DEPARTMENTS)
    if regional and not in_region(lat, lon):
        result.warn(record_id, f"{field}.coordonnees", f"coordonnées ({lat:.5f}, {lon:.5f}) hors de "
                    f"Nouvelle-Aquitaine pour le code INSEE {place.insee} : ignorées")
        place.lat = place.lon = None
    elif not (41.0 <= lat <= 51.5 and -5.5 <= lon <= 10.0):  # metropolitan France, Corsica included
        result.warn(record_id, f"{field}.coordonnees",
                    f"coordonnées ({lat:.5f}, {lon:.5f}) hors de France métropolitaine : ignorées")
        place.lat = place.lon = None
    return place


# --------------------------------------------------------------------------- sessions


def check_session(result: ImportResult, record_id: str, session: Session, field: str,
                  line: int | None = None) -> bool:
    """Impossible session values are errors that drop the session only. Returns True if kept."""
    reasons = []
    for name, label in (("start", "debut"), ("end", "fin"), ("info_session", "info_collective")):
        value = getattr(session, name)
        if isinstance(value, date):
            try:
                check_year(value)
            except ValueError as exc:
                reasons.append((label, str(exc)))
    if session.start and session.end and session.end < session.start:
        reasons.append(("periode", f"fin ({session.end.isoformat()}) avant le début ({session.start.isoformat()})"))
    elif session.start and session.end:
        years = settings.get("values", "max_session_years")
        if (session.end - session.start).days > years * 366:
            reasons.append(("periode", f"session de plus de {years} ans ({session.start.isoformat()} → "
                                       f"{session.end.isoformat()}) : dates invraisemblables"))
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


# --------------------------------------------------------------------------- whole offers

# Unicode "Cc" controls except tab and newlines, DEL, C1 controls, and the bidirectional overrides
# that can make a text display differently from what it is ("Trojan source").
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LONG_FIELDS = {"description", "objectives", "text"}


def _limits() -> dict[str, int]:
    """Per-field text limits, read once per offer checked (settings lookups are not free at 100 000 rows)."""
    short = settings.get("text", "max_short_chars")
    long_ = settings.get("text", "max_text_chars")
    return {"title": settings.get("text", "max_title_chars"), **{name: long_ for name in _LONG_FIELDS},
            "": short}


def clean_text(value: str, limit: int) -> tuple[str, list[str]]:
    """(text without control characters, cut to `limit` characters; French notes on what changed)."""
    notes = []
    if _CONTROL.search(value):
        count = len(_CONTROL.findall(value))
        value = _CONTROL.sub("", value)
        notes.append(f"{count} caractère(s) de contrôle (NUL…) supprimé(s)")
    if len(value) > limit:
        notes.append(f"texte de {len(value)} caractères tronqué à {limit}")
        value = value[:limit].rstrip() + "…"
    return value, notes


def _clean_strings(obj: Any, path: str, report: Callable[[str, str], None], limits: dict[str, int]) -> None:
    """Clean every str (and list of str) field of a dataclass tree in place, reporting by field path."""
    short = limits[""]
    for name in field_names(type(obj)) or ():
        value = getattr(obj, name)
        if value is None or isinstance(value, (bool, int, float)):
            continue
        where = f"{path}.{name}" if path else name
        if isinstance(value, str):
            limit = limits.get(name, short)
            if len(value) > limit or _CONTROL.search(value):
                new, notes = clean_text(value, limit)
                setattr(obj, name, new)
                report(where, " ; ".join(notes))
        elif isinstance(value, list):
            limit = limits.get(name, short)
            for i, item in enumerate(value):
                if isinstance(item, str):
                    if len(item) > limit or _CONTROL.search(item):
                        new, notes = clean_text(item, limit)
                        value[i] = new
                        report(f"{where}[{i}]", " ; ".join(notes))
                elif field_names(type(item)) is not None:
                    label = getattr(item, "id", None) or i
                    _clean_strings(item, f"{where}[{label}]", report, limits)
        elif field_names(type(value)) is not None:
            _clean_strings(value, where, report, limits)


def _number_problem(value: Any, low: float, high: float, positive: bool) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"valeur non numérique « {str(value)[:40]} »"
    if not math.isfinite(value):
        return f"valeur non finie ({value})"
    if value < low or (positive and value == 0):
        return f"valeur impossible {value} (doit être {'strictement ' if positive else ''}positive)"
    if value > high:
        return f"valeur invraisemblable {value} (maximum {high})"
    return None


def check_offer_values(result: ImportResult, record_id: str, offer: Any) -> None:
    """Last check before an offer is kept: text cleaned and bounded, numbers finite and plausible.

    Every fix is a warning on the record and field; the offer is kept (an impossible
    value becomes "not given", never a negative or infinite duration shown to a person).
    """
    def report(where: str, reason: str) -> None:
        result.warn(record_id, where, reason)

    _clean_strings(offer, "", report, _limits())
    g = lambda k: settings.get("values", k)  # noqa: E731
    d = offer.duration
    checks = (("hours_centre", 0, g("max_total_hours"), False), ("hours_company", 0, g("max_total_hours"), False),
              ("months", 0, g("max_months"), True), ("hours_per_week", 0, g("max_hours_per_week"), True))
    for name, low, high, positive in checks:
        problem = _number_problem(getattr(d, name), low, high, positive)
        if problem:
            report(f"duration.{name}", f"{problem} : durée ignorée")
            setattr(d, name, None)
    p = offer.prerequisites
    problem = _number_problem(p.experience_months, 0, g("max_months") * 10, False)
    if problem:
        report("prerequisites.experience_months", f"{problem} : 0 retenu")
        p.experience_months = 0
    for name in ("min_age", "max_age"):
        problem = _number_problem(getattr(offer.publics, name), 0, 120, False)
        if problem:
            report(f"publics.{name}", f"{problem} : ignoré")
            setattr(offer.publics, name, None)
    if isinstance(offer.last_update, date):
        try:
            check_year(offer.last_update)
        except ValueError as exc:
            report("last_update", f"{exc} : ignorée")
            offer.last_update = None
    kept = []
    for outcome in offer.outcomes:
        problem = _number_problem(outcome.rate, 0, 1, False) or _number_problem(outcome.sample_size, 0, 10**7, False)
        if problem:
            report("outcomes", f"indicateur de résultat {outcome.kind} : {problem} : ignoré")
        else:
            kept.append(outcome)
    offer.outcomes = kept
    for session in offer.sessions:
        for name in ("lat", "lon"):
            value = getattr(session, name)
            if value is not None and (not isinstance(value, (int, float)) or not math.isfinite(value)):
                report(f"session[{session.id}].coordonnees", "coordonnées non finies : ignorées")
                session.lat = session.lon = None


def validated(importer: Callable[..., ImportResult]) -> Callable[..., ImportResult]:
    """Run `check_offer_values` on every offer an importer keeps (one place for every format)."""
    import functools

    @functools.wraps(importer)
    def run(*args: Any, **kwargs: Any) -> ImportResult:
        result = importer(*args, **kwargs)
        for offer in result.offers:
            check_offer_values(result, offer.provenance.record_id or offer.id, offer)
        return result
    return run

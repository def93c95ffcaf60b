"""Intercarif JSON importer (the JSON form of LHÉO records, e.g. Carif-Oref APIs).

Accepts one formation object, a list of them, or an envelope whose first
list-valued key holds them. In this form each "session" carries its own
action id (`uida`), place, hours and funders, so sessions are grouped by
`uida` into one Offer per LHÉO action — the same id (`lheo:<action>`) the
XML importer gives, so the two forms of a record update each other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from catalog import settings
from catalog.model import (
    Accessibility, Certification, Contact, Duration, EntryMode, Modality, Offer, Provider, Provenance,
    Rhythm, Session,
)

from . import codes
from .files import now_iso, read_json
from .report import ImportFormat, ImportResult, UnreadableFile
from .values import (
    validated,
    Place, check_certification, check_session, clean, or_none, parse_bool, parse_date, parse_float, parse_hours,
    parse_int, parse_or_warn, resolve_place,
)

SOURCE = ImportFormat.INTERCARIF_JSON.value


def records_of(data: Any, marker: str) -> list[dict]:
    """The list of records in a JSON document: itself, a list, or an envelope's list."""
    if isinstance(data, dict) and marker in data:
        return [data]
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for value in data.values():
            if isinstance(value, list) and (not value or isinstance(value[0], dict)):
                return value
    raise UnreadableFile("aucune formation trouvée dans ce JSON")


@validated
def import_json_records(path: str | Path, fmt: ImportFormat, marker: str,
                        import_record: Callable[[ImportResult, dict, int, str], None]) -> ImportResult:
    """The frame both JSON importers share: a record that is not an object is rejected, each other one
    goes to `import_record(result, record, index from 1, imported_at)`, which counts what it reads."""
    path = Path(path)
    result = ImportResult(path.name, fmt)
    records = records_of(read_json(path), marker)
    limit = settings.get("upload", "max_records")
    if len(records) > limit:
        raise UnreadableFile(f"{path.name} : {len(records)} enregistrements, plus que les {limit} permis par "
                             "import ; découpez le fichier en plusieurs imports")
    imported_at = now_iso()
    for i, rec in enumerate(records, 1):
        if isinstance(rec, dict):
            import_record(result, rec, i, imported_at)
        else:
            result.add(f"#{i}", None, "enregistrement qui n'est pas un objet JSON")
            result.keep(f"#{i}", None)
    return result


def import_intercarif_json(path: str | Path) -> ImportResult:
    return import_json_records(path, ImportFormat.INTERCARIF_JSON, "intitule", _import_record)


def _bool(result: ImportResult, rid: str, rec: dict, key: str) -> bool:
    return bool(parse_or_warn(result, rid, key, parse_bool, rec.get(key), "« non » supposé"))


def _import_record(result: ImportResult, rec: dict, index: int, imported_at: str) -> None:
    formation_id = clean(rec.get("uid")) or clean(rec.get("id"))
    sessions = [s for s in rec.get("sessions") or [] if isinstance(s, dict)]
    groups: dict[str, list[dict]] = {}
    for s in sessions:
        groups.setdefault(clean(s.get("uida")) or formation_id or f"#{index}", []).append(s)
    if not groups:
        groups[formation_id or f"#{index}"] = []
    for action_id, action_sessions in groups.items():
        result.keep(action_id, _offer(result, rec, action_id, formation_id, action_sessions, imported_at))


def _offer(result: ImportResult, rec: dict, rid: str, formation_id: str | None, sessions: list[dict],
           imported_at: str) -> Offer | None:
    title = clean(rec.get("intitule"))
    missing = [label for label, value in (("uid", formation_id), ("intitule", title)) if value is None]
    for key in missing:
        result.add(rid, key, f"champ obligatoire « {key} » manquant")
    if missing or title is None:  # a missing title is already in `missing`
        return None
    certifying = _bool(result, rid, rec, "certifiante")
    rncp = codes.normalise_rncp(rec.get("code-rncp"))
    level_code = clean(rec.get("niveau-sortie"))
    if level_code is not None and level_code not in codes.NIVEAUX_CODES:
        result.warn(rid, "niveau-sortie", f"code niveau « {level_code} » inconnu (dict-niveaux) : niveau ignoré")
        level_code = None
    kind = codes.guess_kind(clean(rec.get("objectif-general-formation")), certifying,
                            apprenticeship=_bool(result, rid, rec, "contrat-apprentissage"),
                            contrat_pro=_bool(result, rid, rec, "contrat-professionnalisation"), title=title)
    certification = Certification(
        type=codes.guess_certification_type(title, certifying, rncp), title=title if certifying or rncp else "",
        rncp=rncp, level=codes.lheo_level(level_code) if certifying or rncp else None,
    )
    check_certification(result, rid, certification, "code-rncp")
    rome = [c for c in (str(x).upper() for x in rec.get("codes-rome-vises") or []) if codes.ROME_RE.match(c)]
    org = rec.get("organisme") or {}
    first = sessions[0] if sessions else {}
    hours_week = or_none(parse_float, rec.get("duree-hebdomadaire"))
    offer = Offer(
        id=f"lheo:{rid}", kind=kind, title=title,
        description=clean(rec.get("description")) or "", objectives=clean(rec.get("objectif")) or "",
        certification=certification,
        rome_codes=rome, formacodes=[str(x) for x in rec.get("formacode") or []],
        sector=codes.sector_for(rome, kind),
        provider=Provider(name=clean(org.get("nom")) or "", siret=clean(org.get("siret")),
                          website=clean((org.get("contact") or {}).get("url"))),
        modality=codes.MODALITY.get(str(rec.get("modalite-enseignement", "0")), Modality.PRESENTIEL),
        rhythm=Rhythm.ALTERNANCE if kind in codes.ALTERNANCE_KINDS else Rhythm.FULL_TIME,
        duration=Duration(hours_centre=_hours(result, rid, first, "nombre-heures-centre"),
                          hours_company=_hours(result, rid, first, "nombre-heures-entreprise"),
                          hours_per_week=hours_week),
        accessibility=Accessibility(referent_handicap=_referent(rec, sessions)),
        contact=_contact((org.get("contact") or {}), "Organisme"),
        provenance=Provenance(source=SOURCE, source_file=result.file, record_id=rid, imported_at=imported_at),
    )
    entry = EntryMode.PERMANENT if rec.get("entrees-sorties-permanentes") is True else EntryMode.FIXED_DATES
    for s in sessions:
        for f in s.get("financeurs") or []:
            code = clean(f.get("code")) if isinstance(f, dict) else None
            if code is None:
                continue
            if code not in codes.FUNDERS:
                result.warn(rid, "financeurs.code", f"code financeur « {code} » inconnu : gardé tel quel")
            elif code == codes.OBSOLETE:
                result.warn(rid, "financeurs.code", "code financeur 1 = « code(s) obsolète(s) »")
            if code not in offer.funders:
                offer.funders.append(code)
        session = _session(result, rid, offer, s, entry)
        if session is not None:
            offer.sessions.append(session)
    return offer


def _hours(result: ImportResult, rid: str, s: dict, key: str) -> int | None:
    return parse_or_warn(result, rid, key, parse_hours, s.get(key))


def _contact(data: dict, role: str) -> Contact | None:
    phone, email = clean(data.get("tel")), clean(data.get("email") or data.get("courriel"))
    return Contact(role=role, phone=phone, email=email) if phone or email else None


def _referent(rec: dict, sessions: list[dict]) -> Contact | None:
    """A contact typed 1 (dict-type-contact: référent handicap), wherever it is published."""
    for holder in [rec, *sessions]:
        for c in holder.get("contacts") or []:
            if isinstance(c, dict) and str(c.get("type-contact", c.get("type"))) == codes.CONTACT_REFERENT_HANDICAP:
                name = clean(c.get("nom"))
                return Contact(name=name if name != "REDACTED" else None, role="Référent handicap",
                               phone=clean(c.get("tel")), email=clean(c.get("email") or c.get("courriel")))
    return None


def _session(result: ImportResult, rid: str, offer: Offer, s: dict, entry: EntryMode) -> Session | None:
    sid = clean(s.get("id")) or clean(s.get("uid")) or str(len(offer.sessions) + 1)
    field = f"session[{sid}]"
    try:
        start, end = parse_date(s.get("debut")), parse_date(s.get("fin"))
    except ValueError as exc:
        result.add(rid, f"{field}.periode", f"session ignorée : {exc}")
        return None
    loc = (s.get("localisation") or {}).get("formation") or {}
    place = Place(insee=clean(loc.get("commune-insee")), name=clean(loc.get("ville")),
                  postcode=clean(loc.get("code-postal")))
    try:
        place.lat, place.lon = parse_float(loc.get("latitude")), parse_float(loc.get("longitude"))
    except ValueError as exc:
        result.warn(rid, f"{field}.localisation", f"{exc} : coordonnées ignorées")
        place.lat = place.lon = None
    place = resolve_place(result, rid, f"{field}.localisation", place)
    capacity = None
    for f in s.get("financeurs") or []:
        n = parse_or_warn(result, rid, f"{field}.financeurs.places", parse_int, f.get("places"), note="") \
            if isinstance(f, dict) else None
        if n is not None:
            capacity = (capacity or 0) + n
    session = Session(id=f"{offer.id}:{sid}", offer_id=offer.id, start=start, end=end,
                      commune_insee=place.insee, commune_name=place.name, postcode=place.postcode,
                      lat=place.lat, lon=place.lon, address=(clean(loc.get("adresse")) or "").strip() or None,
                      capacity=capacity, entry_mode=entry)
    return session if check_session(result, rid, session, field) else None

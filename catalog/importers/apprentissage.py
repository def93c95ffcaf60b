"""National apprenticeship catalogue JSON importer (catalogue des formations en apprentissage).

Input: the catalogue API envelope `{"formations": [...], "pagination": {...}}`
(a bare list is accepted too). Every record becomes an APPRENTISSAGE offer
with id `apprentissage:<cle_ministere_educatif>` (the catalogue's stable key;
`id_rco_formation` or `_id` when absent). The parallel `date_debut` /
`date_fin` lists become sessions at the training place.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from catalog.model import (
    Accessibility, Certification, Contact, Duration, EntryMode, Modality, Offer,
    OfferKind, Provider, Provenance, Rhythm, Session,
)

from . import codes
from .intercarif_json import import_json_records
from .report import ImportFormat, ImportResult
from .values import (
    Place, check_certification, check_session, clean, or_none, parse_date, parse_float, parse_int, parse_or_warn,
    resolve_place,
)

SOURCE = ImportFormat.APPRENTISSAGE_JSON.value



_UAI = re.compile(r"^\d{7}[A-Z]$")


def _uai(value: Any) -> str | None:
    """A UAI (7 digits and a letter, e.g. 0331707B) or None: only a well-formed code can name a CFA."""
    text = str(value or "").strip().upper()
    return text if _UAI.match(text) else None

def import_apprentissage_json(path: str | Path) -> ImportResult:
    return import_json_records(path, ImportFormat.APPRENTISSAGE_JSON, "cle_ministere_educatif", _import_record)


def _import_record(result: ImportResult, rec: dict, index: int, imported_at: str) -> None:
    rid = (clean(rec.get("cle_ministere_educatif")) or clean(rec.get("id_rco_formation"))
           or clean(rec.get("_id")) or clean(rec.get("id")) or f"#{index}")
    result.keep(rid, _offer(result, rec, rid, imported_at))


def _level(result: ImportResult, rid: str, rec: dict) -> int | None:
    details = rec.get("rncp_details") or {}
    for key, text in (("niveau", rec.get("niveau")), ("rncp_details.niveau_europe", details.get("niveau_europe"))):
        text = clean(text)
        if text is None:
            continue
        m = re.search(r"(\d)", text)
        if m and 1 <= int(m[1]) <= 8:
            return int(m[1])
        result.warn(rid, key, f"niveau « {text} » illisible")
    return None


def _offer(result: ImportResult, rec: dict, rid: str, imported_at: str) -> Offer | None:
    title = clean(rec.get("intitule_long")) or clean(rec.get("rncp_intitule")) or clean(rec.get("intitule_rco"))
    if rid.startswith("#"):
        result.add(rid, "cle_ministere_educatif", "identifiant manquant (cle_ministere_educatif, id_rco_formation, _id)")
    if title is None:
        result.add(rid, "intitule_long", "intitulé de la formation manquant")
    if rid.startswith("#") or title is None:
        return None
    details = rec.get("rncp_details") or {}
    rncp = codes.normalise_rncp(rec.get("rncp_code"))
    if details.get("active_inactive") == "INACTIVE" or details.get("rncp_outdated") is True:
        result.warn(rid, "rncp_details", f"fiche {rncp} inactive ou périmée au RNCP")
    if rec.get("cfd_outdated") is True:
        result.warn(rid, "cfd_outdated", "diplôme (CFD) périmé")
    type_code = (clean(details.get("code_type_certif")) or "").upper()
    rome = [c for c in (str(x).upper() for x in rec.get("rome_codes") or []) if codes.ROME_RE.match(c)]
    if not rome:
        rome = [r["rome"] for r in details.get("romes") or [] if isinstance(r, dict) and codes.ROME_RE.match(str(r.get("rome")))]
    try:
        years = parse_float(rec.get("duree"))
    except ValueError:
        result.warn(rid, "duree", f"durée « {rec.get('duree')} » illisible")
        years = None
    cert_title = clean(rec.get("rncp_intitule")) or title
    offer = Offer(
        id=f"apprentissage:{rid}", kind=OfferKind.APPRENTISSAGE, title=title,
        certification=Certification(
            type=codes.CERT_TYPE_CODES.get(type_code) or codes.guess_certification_type(cert_title, True, rncp),
            title=cert_title, rncp=rncp, level=_level(result, rid, rec),
            blocs=[b for b in (clean(x.get("intitule")) for x in details.get("blocs_competences") or []
                               if isinstance(x, dict)) if b],
        ),
        rome_codes=rome, sector=codes.sector_for(rome, OfferKind.APPRENTISSAGE),
        provider=Provider(
            name=clean(rec.get("etablissement_formateur_enseigne"))
            or clean(rec.get("etablissement_formateur_entreprise_raison_sociale")) or "",
            siret=clean(rec.get("etablissement_formateur_siret")),
            commune=clean(rec.get("etablissement_formateur_code_commune_insee")),
            uai=_uai(rec.get("etablissement_formateur_uai")),
        ),
        modality=Modality.DISTANCE if rec.get("entierement_a_distance") is True else Modality.PRESENTIEL,
        rhythm=Rhythm.ALTERNANCE,
        duration=Duration(months=years * 12 if years else None),
        accessibility=Accessibility(referent_handicap=_referent(rec)),
        contact=(Contact(role="CFA", email=email) if (email := clean(rec.get("etablissement_formateur_courriel")))
                 else None),
        url=clean(rec.get("onisep_url")),
        provenance=Provenance(source=SOURCE, source_file=result.file, record_id=rid, imported_at=imported_at),
        last_update=or_none(parse_date, rec.get("last_update_at") or rec.get("updated_at")),
    )
    check_certification(result, rid, offer.certification, "rncp_code")
    offer.sessions = _sessions(result, rid, offer, rec)
    return offer


def _referent(rec: dict) -> Contact | None:
    """Référent handicap when the record publishes one (any `*referent_handicap*` field)."""
    for key, value in rec.items():
        if "referent_handicap" not in key or not value:
            continue
        if isinstance(value, dict):
            name = clean(value.get("nom") or value.get("name"))
            return Contact(name=name, role="Référent handicap", phone=clean(value.get("telephone") or value.get("tel")),
                           email=clean(value.get("email") or value.get("courriel")))
        if isinstance(value, str) and "@" in value:
            return Contact(role="Référent handicap", email=value.strip())
    return None


def _place(result: ImportResult, rid: str, rec: dict) -> Place:
    place = Place(insee=clean(rec.get("code_commune_insee")), name=clean(rec.get("localite")),
                  postcode=clean(rec.get("code_postal")))
    coords = clean(rec.get("lieu_formation_geo_coordonnees")) or clean(rec.get("lieu_formation_geo_coordonnees_computed"))
    if coords:
        try:
            lat, lon = (parse_float(x) for x in coords.split(","))
            place.lat, place.lon = lat, lon
        except ValueError:
            result.warn(rid, "lieu_formation_geo_coordonnees", f"coordonnées « {coords} » illisibles : ignorées")
    return resolve_place(result, rid, "lieu_formation", place)


def _sessions(result: ImportResult, rid: str, offer: Offer, rec: dict) -> list[Session]:
    starts, ends = rec.get("date_debut") or [], rec.get("date_fin") or []
    if len(starts) != len(ends):
        result.warn(rid, "date_debut/date_fin", f"{len(starts)} dates de début pour {len(ends)} dates de fin : "
                    "sessions appariées dans l'ordre")
    permanent = rec.get("modalites_entrees_sorties") or []
    place = _place(result, rid, rec)
    capacity = parse_or_warn(result, rid, "capacite", parse_int, rec.get("capacite"), "ignorée")
    address = clean(rec.get("lieu_formation_adresse")) or clean(rec.get("lieu_formation_adresse_computed"))
    sessions = []
    for i in range(max(len(starts), len(ends))):
        field = f"session[{i + 1}]"
        try:
            start = parse_date(starts[i]) if i < len(starts) else None
            end = parse_date(ends[i]) if i < len(ends) else None
        except ValueError as exc:
            result.add(rid, f"{field}.periode", f"session ignorée : {exc}")
            continue
        session = Session(
            id=f"{offer.id}:{i + 1}", offer_id=offer.id, start=start, end=end,
            commune_insee=place.insee, commune_name=place.name, postcode=place.postcode,
            lat=place.lat, lon=place.lon, address=address, capacity=capacity,
            entry_mode=EntryMode.PERMANENT if i < len(permanent) and permanent[i] is True else EntryMode.FIXED_DATES,
        )
        if check_session(result, rid, session, field):
            sessions.append(session)
    return sessions

"""LHÉO 2.2 / 2.3 XML importer (Intercarif / Carif-Oref exports).

Streaming: `lxml.etree.iterparse` hands over one complete <formation> at a
time, which is mapped, validated and then cleared with its already-processed
siblings, so memory stays flat whatever the file size.

Safety: no network, no DTD loading, entities never expanded, no huge-tree
mode; a document whose internal DTD declares entities (billion laughs,
external entities) is refused outright, like defusedxml's forbid_entities.

One LHÉO <action> becomes one Offer (id `lheo:<action numero>`), with the
<formation> fields repeated; its <session>s become Sessions. XSD errors
(lheo-2.3.xsd, 2.2 records switched to the 2.3 namespace) are reported as
warnings on the record they belong to; they never stop the import.
"""

from __future__ import annotations

import copy
import functools
import os
import re
from pathlib import Path

from lxml import etree

from catalog import settings
from catalog.model import (
    Accessibility, Certification, Contact, Duration, EntryMode, Modality, Offer, Prerequisites,
    Provider, Provenance, RecruitmentStatus, Rhythm, Session,
)
from catalog.paths import shared_data_dir

from . import codes
from .files import check_readable, now_iso
from .report import ImportFormat, ImportResult, UnreadableFile
from .values import (
    validated,
    Place, check_certification, check_session, clean, or_none, parse_date, parse_float, parse_hours, parse_int,
    parse_or_warn, resolve_place,
)

SOURCE = ImportFormat.LHEO.value
_BR = re.compile(r"<br\s*/?>", re.I)
_PLACEHOLDERS = {"REDACTED", "redacted@example.org"}


XSD_ENV = "ITINERAIRE_LHEO_XSD"
NO_SCHEMA = ("schéma LHÉO 2.3 (lheo-2.3.xsd) introuvable : le fichier n'a pas été validé contre le schéma, seules "
             f"les règles d'Itinéraire ont été vérifiées (indiquez le fichier du schéma avec {XSD_ENV})")


def _xsd_path():
    env = os.environ.get(XSD_ENV)
    return Path(env) if env else shared_data_dir() / "lheo" / "schema" / "lheo-2.3.xsd"


@functools.lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema | None:
    """The LHÉO 2.3 XSD (not shipped: it is not ours to redistribute); None when it is not on this machine,
    and then every import report says so once (never a silent skip)."""
    xsd = _xsd_path()
    if not xsd.is_file():
        return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(xsd), parser))


class _Node:
    """An element plus its namespace: short, namespace-free lookups."""

    def __init__(self, el: etree._Element, ns: str):
        self.el, self.ns = el, ns

    def _path(self, path: str) -> str:
        return "/".join(f"{{{self.ns}}}{p}" if p not in (".", "..") else p for p in path.split("/"))

    def all(self, path: str) -> list[_Node]:
        return [_Node(e, self.ns) for e in self.el.iterfind(self._path(path))]

    def one(self, path: str) -> _Node | None:
        e = self.el.find(self._path(path))
        return None if e is None else _Node(e, self.ns)

    def text(self, path: str) -> str | None:
        e = self.el.find(self._path(path))
        if e is None:
            return None
        value = clean("".join(e.itertext()))
        return _BR.sub("\n", value) if value else value

    def texts(self, path: str) -> list[str]:
        return [t for t in (clean("".join(e.itertext())) for e in self.el.iterfind(self._path(path))) if t]

    def attr(self, name: str) -> str | None:
        return clean(self.el.get(name))

    def extra(self, info: str, key: str) -> str | None:
        for extras in self.all("extras"):
            if extras.attr("info") == info:
                for e in extras.all("extra"):
                    if e.attr("info") == key:
                        return clean(e.el.text)
        return None

    @property
    def line(self) -> int | None:
        return self.el.sourceline


_PARSE = dict(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True,
              remove_pis=True)


@validated
def import_lheo(path: str | Path) -> ImportResult:
    path = Path(path)
    result = ImportResult(path.name, ImportFormat.LHEO)
    check_readable(path)
    _check_root(path)
    imported_at = now_iso()
    # Only <formation> events reach Python: the other elements are built (and cleared) by libxml2 alone.
    context = etree.iterparse(str(path), events=("start", "end"), tag="{*}formation", **_PARSE)
    current: str | None = None  # numero of the <formation> being read (for the break report)
    try:
        for event, el in context:
            if event == "start":
                current = clean(el.get("numero")) or f"formation ligne {el.sourceline}"
                continue
            _import_formation(result, _Node(el, etree.QName(el).namespace), imported_at)
            if result.records_read > settings.get("upload", "max_records"):
                raise UnreadableFile(f"{path.name} : plus de {settings.get('upload', 'max_records')} actions ; "
                                     "découpez le fichier en plusieurs imports")
            current = None
            el.clear()
            parent = el.getparent()
            while el.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as exc:
        line, col = (exc.position if exc.position else (exc.lineno, exc.offset))
        lost = f" ; la formation {current} en cours de lecture est perdue" if current else ""
        result.add(current, None, f"fichier XML interrompu ou mal formé : {xml_reason(exc.msg)}{lost}. "
                   f"Les formations lues avant la coupure sont conservées.",
                   line=line, position=f"ligne {line}, colonne {col}")
        if current:
            result.records_read += 1
            result.reject(current)
    return result


# libxml2's messages (English) and what they mean for the person importing the file.
_XML_REASONS = (
    ("Excessive depth", "imbrication des éléments trop profonde (fichier piégé ou mal formé)"),
    ("huge text node", "texte d'un élément trop long"),
    ("Huge input lookup", "élément trop volumineux pour être lu"),
    ("Memory allocation failed", "mémoire insuffisante pour lire le fichier"),
    ("Premature end of data", "fin de fichier inattendue (fichier tronqué)"),
    ("EndTag: '</' not found", "fin de fichier inattendue (fichier tronqué)"),
    ("Opening and ending tag mismatch", "balise fermante qui ne correspond pas à la balise ouvrante"),
    ("Extra content at the end of the document", "contenu en trop après la fin du document"),
    ("Document is empty", "document vide"),
    ("Start tag expected", "aucune balise XML au début du fichier"),
    ("Entity", "entité XML non définie ou refusée"),
    ("Char 0x", "caractère interdit en XML (fichier binaire ou mal encodé)"),
    ("Input is not proper UTF-8", "encodage invalide (UTF-8 attendu)"),
    ("encoding", "encodage du fichier invalide ou non pris en charge"),
)


def xml_reason(message: str | None) -> str:
    """A French reason for a libxml2 parse error (the raw English text is never shown alone)."""
    text = message or ""
    for marker, reason in _XML_REASONS:
        if marker.lower() in text.lower():
            return reason
    return "syntaxe XML invalide"


def _check_root(path: Path) -> None:
    """Read up to the root element only: refuse entity declarations and non-LHÉO documents."""
    try:
        _, root = next(etree.iterparse(str(path), events=("start",), **_PARSE))
    except StopIteration:
        raise UnreadableFile(f"{path.name} : aucun élément XML") from None
    except etree.XMLSyntaxError as exc:
        raise UnreadableFile(f"{path.name} : XML illisible ({xml_reason(exc.msg)})") from None
    _check_root_element(root)


def _check_root_element(el: etree._Element) -> None:
    dtd = el.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise UnreadableFile("fichier refusé : il déclare des entités XML (risque « billion laughs » "
                             "ou entité externe) ; un export LHÉO n'en contient jamais")
    qname = etree.QName(el)
    if qname.localname != "lheo" or qname.namespace not in (codes.LHEO_22, codes.LHEO_23):
        raise UnreadableFile(f"ce n'est pas un fichier LHÉO 2.2/2.3 (racine <{qname.localname}>, "
                             f"espace de noms {qname.namespace or 'absent'})")


# --------------------------------------------------------------------------- validation


def _schema_problems(result: ImportResult, formation: _Node, action_ids: list[str], formation_id: str) -> None:
    schema = _schema()
    if schema is None:
        if not any(p.reason == NO_SCHEMA for p in result.warnings):
            result.warn(None, None, NO_SCHEMA)
        return
    record = copy.deepcopy(formation.el)
    if formation.ns != codes.LHEO_23:
        for e in record.iter():
            if isinstance(e.tag, str) and e.tag.startswith(f"{{{formation.ns}}}"):
                e.tag = f"{{{codes.LHEO_23}}}{etree.QName(e).localname}"
    root = etree.Element(f"{{{codes.LHEO_23}}}lheo", nsmap={None: codes.LHEO_23})
    etree.SubElement(root, f"{{{codes.LHEO_23}}}offres").append(record)
    if schema.validate(root):
        return
    for err in schema.error_log:
        record_id, field = formation_id, None
        found = root.xpath(err.path) if err.path else []
        if found and isinstance(found[0], etree._Element):
            chain = [found[0], *found[0].iterancestors()]
            names = [etree.QName(e).localname for e in chain]
            field = "/".join(reversed(names[: names.index("formation")])) if "formation" in names else None
            if "action" in names:
                action = chain[names.index("action")]
                index = [e for e in record if etree.QName(e).localname == "action"].index(action)
                record_id = action_ids[index]
        message = re.sub(r"\{[^}]*\}", "", err.message)
        result.warn(record_id, field or None, f"non conforme au schéma LHÉO 2.3 : {message}", line=err.line)


# --------------------------------------------------------------------------- mapping


def _import_formation(result: ImportResult, f: _Node, imported_at: str) -> None:
    formation_id = f.attr("numero")
    actions = f.all("action")
    action_ids = [a.attr("numero") or f"{formation_id or 'formation'}/action-{i}" for i, a in enumerate(actions, 1)]
    _schema_problems(result, f, action_ids, formation_id or f"formation ligne {f.line}")
    if not actions:
        rid = formation_id or f"formation ligne {f.line}"
        result.add(rid, "action", "formation sans action : rien à importer", line=f.line)
        result.keep(rid, None)
        return
    for action, action_id in zip(actions, action_ids):
        result.keep(action_id, _offer(result, f, action, action_id, formation_id, imported_at))


def _offer(result: ImportResult, f: _Node, a: _Node, action_id: str, formation_id: str | None,
           imported_at: str) -> Offer | None:
    errors = 0
    if a.attr("numero") is None:
        if formation_id is None:
            result.add(action_id, "action@numero", "identifiant manquant (ni numéro d'action ni de formation)",
                       line=a.line)
            errors += 1
        else:
            result.warn(action_id, "action@numero", "action sans numéro : identifiant dérivé de la formation",
                        line=a.line)
    title = f.text("intitule-formation")
    if title is None:
        result.add(action_id, "intitule-formation", "intitulé de la formation manquant", line=f.line)
        errors += 1
    if errors or title is None:  # a missing title is already counted in `errors`
        return None

    funders = _funders(result, f.ns, a, action_id)
    ais = f.text("objectif-general-formation")
    if ais is not None and ais not in codes.AIS_KIND:
        result.warn(action_id, "objectif-general-formation",
                    f"objectif général « {ais} » obsolète ou inconnu (dict-AIS) : type d'offre déduit de « certifiante »")
    certifying = f.text("certifiante") == "1"
    kind = codes.guess_kind(ais, certifying,
                            apprenticeship=a.extra("dispositif", "contrat-apprentissage") == "1",
                            contrat_pro=a.extra("dispositif", "contrat-professionnalisation") == "1", title=title)
    rncp = codes.normalise_rncp(f.text("certification/code-RNCP") or f.text("certification/code-RS"))
    level = _level(result, action_id, f, "code-niveau-sortie")
    certification = Certification(
        type=codes.guess_certification_type(title, certifying, rncp),
        title=title if certifying or rncp else "",
        rncp=rncp,
        level=level if certifying or rncp else None,
        modular=f.text("parcours-de-formation") == codes.PARCOURS_MODULARISE,
    )
    check_certification(result, action_id, certification, "certification/code-RNCP", line=f.line)
    rome = _codes(result, action_id, f.texts("domaine-formation/code-ROME"), codes.ROME_RE, "code-ROME")
    entry_level = _level(result, action_id, f, "code-niveau-entree")
    modality_code = a.text("modalites-enseignement")
    if modality_code is not None and modality_code not in codes.MODALITY:
        result.warn(action_id, "modalites-enseignement", f"code « {modality_code} » inconnu : présentiel supposé")
    rythme = (a.text("rythme-formation") or "").lower()
    recrutement = (a.text("modalites-recrutement") or "").lower()
    hours_week = a.extra("duree-hebdo", "duree-hebdo")

    offer = Offer(
        id=f"lheo:{action_id}",
        kind=kind,
        title=title,
        description=f.text("contenu-formation") or "",
        objectives=f.text("objectif-formation") or "",
        certification=certification,
        rome_codes=rome,
        formacodes=f.texts("domaine-formation/code-FORMACODE"),
        sector=codes.sector_for(rome, kind),
        provider=_provider(f, a),
        funders=funders,
        prerequisites=Prerequisites(
            min_level=entry_level if a.text("niveau-entree-obligatoire") == "1" else None,
            tests="test" in recrutement, interview="entretien" in recrutement,
            text=a.text("conditions-specifiques") or "",
        ),
        modality=codes.MODALITY.get(modality_code or "0", Modality.PRESENTIEL),
        rhythm=(Rhythm.ALTERNANCE if kind in codes.ALTERNANCE_KINDS or "altern" in rythme
                else Rhythm.PART_TIME if "partiel" in rythme else Rhythm.FULL_TIME),
        duration=Duration(
            hours_centre=_int(result, action_id, a, "nombre-heures-centre"),
            hours_company=_int(result, action_id, a, "nombre-heures-entreprise"),
            hours_per_week=or_none(parse_float, hours_week),
        ),
        accessibility=_accessibility(f, a),
        contact=_org_contact(f),
        url=a.text("url-action/urlweb") or f.text("url-formation/urlweb"),
        provenance=Provenance(source=SOURCE, source_file=result.file, record_id=action_id, imported_at=imported_at),
        last_update=or_none(parse_date, a.attr("datemaj") or f.attr("datemaj")),
    )
    offer.sessions = _sessions(result, a, offer, funders_places=_funded_places(result, a, action_id))
    return offer


def _funders(result: ImportResult, ns: str, a: _Node, action_id: str) -> list[str]:
    known = codes.FUNDERS_22 if ns == codes.LHEO_22 else set(codes.FUNDERS)
    version = "2.2" if ns == codes.LHEO_22 else "2.3"
    out: list[str] = []
    for node in a.all("organisme-financeur"):
        code = node.text("code-financeur")
        if code is None:
            continue
        if code == codes.OBSOLETE:
            result.warn(action_id, "organisme-financeur/code-financeur", "code financeur 1 = « code(s) obsolète(s) »",
                        line=node.line)
        elif code not in known:
            meaning = f" (en LHÉO 2.3 : {codes.FUNDERS[code]})" if code in codes.FUNDERS else ""
            result.warn(action_id, "organisme-financeur/code-financeur",
                        f"code financeur « {code} » inconnu en LHÉO {version}{meaning} : gardé tel quel",
                        line=node.line)
        if code not in out:
            out.append(code)
    return out


def _funded_places(result: ImportResult, a: _Node, action_id: str) -> int | None:
    total = None
    for node in a.all("organisme-financeur"):
        n = parse_or_warn(result, action_id, "organisme-financeur/nb-places-financees", parse_int,
                          node.text("nb-places-financees"), note="", line=node.line)
        if n is not None:
            total = (total or 0) + n
    return total


def _level(result: ImportResult, action_id: str, f: _Node, tag: str) -> int | None:
    code = f.text(tag)
    if code is not None and code not in codes.NIVEAUX_CODES:
        result.warn(action_id, tag, f"code niveau « {code} » inconnu (dict-niveaux) : niveau ignoré")
        return None
    return codes.lheo_level(code)


def _codes(result: ImportResult, action_id: str, values: list[str], pattern: re.Pattern, field: str) -> list[str]:
    out = []
    for v in values:
        if pattern.match(v.upper()):
            out.append(v.upper())
        else:
            result.warn(action_id, field, f"code « {v} » invalide, ignoré")
    return out


def _int(result: ImportResult, action_id: str, node: _Node, tag: str) -> int | None:
    return parse_or_warn(result, action_id, tag, parse_hours, node.text(tag))


def _provider(f: _Node, a: _Node) -> Provider:
    trainer = a.one("organisme-formateur")
    resp = f.one("organisme-formation-responsable")
    name = (trainer.text("raison-sociale-formateur") if trainer else None) or (
        (resp.text("nom-organisme") or resp.text("raison-sociale")) if resp else None) or ""
    siret = ((trainer.text("SIRET-formateur/SIRET") if trainer else None)
             or (resp.text("SIRET-organisme-formation/SIRET") if resp else None))
    trainer_where = trainer.one("contact-formateur/coordonnees") if trainer else None
    resp_where = resp.one("coordonnees-organisme/coordonnees") if resp else None
    wheres = [w for w in (trainer_where, resp_where) if w is not None]
    commune = next((c for w in wheres if (c := w.text("adresse/code-INSEE-commune")) and c != "00000"), None)
    website = next((u for w in wheres if (u := w.text("web/urlweb"))), None)
    return Provider(name=name, siret=siret, commune=commune, website=website)


def _contact(node: _Node, role: str, with_name: bool) -> Contact | None:
    """Contact as published; names only for a référent handicap, never REDACTED placeholders."""
    coord = node.one("coordonnees")
    if coord is None:
        return None
    keep = lambda v: None if v is None or v in _PLACEHOLDERS else v  # noqa: E731
    name = None
    if with_name:
        name = " ".join(p for p in (keep(coord.text("prenom")), keep(coord.text("nom"))) if p) or None
    contact = Contact(name=name, role=role, phone=keep(coord.text("telfixe/numtel")),
                      email=keep(coord.text("courriel")))
    return contact if (contact.name or contact.phone or contact.email) else None


def _referent_handicap(f: _Node, a: _Node) -> Contact | None:
    candidates = (f.all("contact-formation") + f.all("organisme-formation-responsable/contact-organisme")
                  + a.all("organisme-formateur/contact-formateur") + a.all("session/contact-session"))
    for node in candidates:
        if node.text("type-contact") == codes.CONTACT_REFERENT_HANDICAP:
            contact = _contact(node, "Référent handicap", with_name=True)
            if contact:
                return contact
    return None


def _org_contact(f: _Node) -> Contact | None:
    for node in f.all("contact-formation"):
        if node.text("type-contact") in (None, "0", "4"):
            return _contact(node, "Contact formation", with_name=False)
    return None


def _accessibility(f: _Node, a: _Node) -> Accessibility:
    text = a.text("acces-handicapes")
    premises = None
    if text:
        premises = not re.match(r"^(non|aucun|pas )", text.strip().lower())
    return Accessibility(referent_handicap=_referent_handicap(f, a), accessible_premises=premises,
                         text=text or "")


def _place(result: ImportResult, action_id: str, a: _Node) -> tuple[Place, str | None]:
    lieu = a.one("lieu-de-formation/coordonnees")
    if lieu is None:
        return Place(), None
    adr = lieu.one("adresse")
    if adr is None:
        return Place(), None
    place = Place(insee=adr.text("code-INSEE-commune"), name=adr.text("ville"), postcode=adr.text("codepostal"))
    try:
        place.lat = parse_float(adr.text("geolocalisation/latitude"))
        place.lon = parse_float(adr.text("geolocalisation/longitude"))
    except ValueError as exc:
        result.warn(action_id, "lieu-de-formation/geolocalisation", f"{exc} : coordonnées ignorées")
        place.lat = place.lon = None
    address = ", ".join(adr.texts("ligne")) or None
    return resolve_place(result, action_id, "lieu-de-formation", place), address


def _sessions(result: ImportResult, a: _Node, offer: Offer, funders_places: int | None) -> list[Session]:
    action_id = offer.provenance.record_id or offer.id
    place, address = _place(result, action_id, a)
    entry = EntryMode.PERMANENT if a.text("modalites-entrees-sorties") == "1" else EntryMode.FIXED_DATES
    info_dates = [d for d in (or_none(parse_date, t) for t in a.texts("date-information/date")) if d]
    sessions = []
    for i, s in enumerate(a.all("session"), 1):
        sid = s.attr("numero") or f"{i}"
        field = f"session[{sid}]"
        try:
            start = parse_date(s.text("periode/debut"))
            end = parse_date(s.text("periode/fin"))
        except ValueError as exc:
            result.add(action_id, f"{field}.periode", f"session ignorée : {exc}", line=s.line)
            continue
        state = s.text("etat-recrutement")
        if state is not None and state not in codes.RECRUITMENT:
            result.warn(action_id, f"{field}.etat-recrutement", f"état de recrutement « {state} » inconnu : ouvert supposé",
                        line=s.line)
        session = Session(
            id=f"{offer.id}:{sid}", offer_id=offer.id, start=start, end=end,
            commune_insee=place.insee, commune_name=place.name, postcode=place.postcode,
            lat=place.lat, lon=place.lon, address=address, capacity=funders_places,
            recruitment=codes.RECRUITMENT.get(state or "1", RecruitmentStatus.OUVERT),
            info_session=info_dates[0] if info_dates else None, entry_mode=entry,
        )
        if check_session(result, action_id, session, field, line=s.line):
            sessions.append(session)
    return sessions

"""Offer catalogue data model.

Plain dataclasses with closed vocabularies as enums, a JSON round trip
(`to_dict` / `from_dict`) used by the shipped demo catalogue, the importers,
the indexes and the assistant. Every field that a real source may omit has a
default, so that an importer can keep a partial record and report what is
missing instead of dropping it.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import sys
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, get_args, get_origin, get_type_hints


class OfferKind(str, enum.Enum):
    """Kinds of offers an orientation pathway can be made of."""

    QUALIFIANT = "QUALIFIANT"  # marché qualifiant / PRF (Region procurement)
    HSP_SOCLE = "HSP_SOCLE"  # HSP « Socle de compétences »
    HSP_1NQ = "HSP_1NQ"  # HSP « 1er niveau de qualification »
    AMORCE = "AMORCE"  # Amorce de parcours (pre-qualifying)
    APPRENTISSAGE = "APPRENTISSAGE"  # contrat d'apprentissage (CFA offer)
    MODULE = "MODULE"  # modular add-on (numérique, FLE, permis, SST...)
    PREPA_APPRENTISSAGE = "PREPA_APPRENTISSAGE"
    CONTRAT_PRO = "CONTRAT_PRO"
    POEI = "POEI"

    @property
    def label(self) -> str:
        return SCHEME_LABELS[self.value]


# One French name per scheme (issue 8). The catalogue's offer kinds, the assistant's schemes
# (`assistant.schemes.Scheme`) and its step kinds (`assistant.steps.StepKind`) share their values and
# read their label here, so a scheme is named the same on every page and sheet, and a new scheme
# gets its name in one place. (This module is the lowest layer: the assistant imports it, not the reverse.)
SCHEME_LABELS: dict[str, str] = {
    "AMORCE": "Amorce de parcours",
    "HSP_SOCLE": "HSP Socle de compétences",
    "HSP_1NQ": "HSP 1er niveau de qualification",
    "QUALIFIANT": "Formation qualifiante (marché qualifiant Région)",
    "APPRENTISSAGE": "Contrat d'apprentissage",
    "PREPA_APPRENTISSAGE": "Prépa apprentissage",
    "CONTRAT_PRO": "Contrat de professionnalisation",
    "POEI": "POEI (préparation opérationnelle à l'emploi)",
    "MODULE": "Module complémentaire",
    "PTP": "Projet de transition professionnelle (Transitions Pro)",
    "CEJ": "Contrat d'engagement jeune",
    "VAE": "Validation des acquis de l'expérience",
    "IAE": "Insertion par l'activité économique",
    "AIDE_MOBILITE": "Aide à la mobilité (France Travail) / Fonds social formation",
    "AIDE_PERMIS_REGION": "Aide régionale au permis de conduire",
    "AIDE_PERMIS_FT": "Aide au permis de conduire (France Travail)",
}
OFFER_KIND_LABELS = {kind: kind.label for kind in OfferKind}  # derived (kept for callers of the name)


class CertificationType(str, enum.Enum):
    TP = "TP"  # titre professionnel (Ministère du travail)
    CAP = "CAP"
    BEP = "BEP"
    BAC_PRO = "BAC_PRO"
    BP = "BP"
    BTS = "BTS"
    BUT = "BUT"
    LICENCE_PRO = "LICENCE_PRO"
    DE = "DE"  # diplôme d'État (sanitaire, social, animation)
    CQP = "CQP"
    MC = "MC"  # mention complémentaire
    RS = "RS"  # répertoire spécifique (no level: CléA, CACES, SST...)
    TITRE = "TITRE"  # other RNCP title (titre certifié)
    AUTRE = "AUTRE"
    NONE = "NONE"  # no certification (socle, amorce, module)


class ModuleTheme(str, enum.Enum):
    """Themes of modular add-ons (OfferKind.MODULE) and of add-ons offered by an offer."""

    NUMERIQUE = "NUMERIQUE"
    TRANSITION_ECOLOGIQUE = "TRANSITION_ECOLOGIQUE"
    FLE = "FLE"
    REMISE_A_NIVEAU = "REMISE_A_NIVEAU"
    PERMIS = "PERMIS"
    SST = "SST"
    CLEA = "CLEA"
    SAVOIR_ETRE = "SAVOIR_ETRE"
    AUTRE = "AUTRE"


class Modality(str, enum.Enum):
    PRESENTIEL = "PRESENTIEL"
    MIXTE = "MIXTE"
    DISTANCE = "DISTANCE"


class Rhythm(str, enum.Enum):
    FULL_TIME = "FULL_TIME"
    PART_TIME = "PART_TIME"
    ALTERNANCE = "ALTERNANCE"


class RecruitmentStatus(str, enum.Enum):
    OUVERT = "OUVERT"
    FERME = "FERME"
    SUSPENDU = "SUSPENDU"


class EntryMode(str, enum.Enum):
    FIXED_DATES = "FIXED_DATES"
    PERMANENT = "PERMANENT"  # entrées / sorties permanentes


class Sector(str, enum.Enum):
    SANTE_SOCIAL = "SANTE_SOCIAL"
    BATIMENT = "BATIMENT"
    LOGISTIQUE_TRANSPORT = "LOGISTIQUE_TRANSPORT"
    HOTELLERIE_RESTAURATION = "HOTELLERIE_RESTAURATION"
    INDUSTRIE = "INDUSTRIE"
    AGRICULTURE_VITICULTURE = "AGRICULTURE_VITICULTURE"
    ANIMATION_SPORT = "ANIMATION_SPORT"
    NUMERIQUE = "NUMERIQUE"
    SERVICES = "SERVICES"
    COMMERCE = "COMMERCE"
    TRANSVERSAL = "TRANSVERSAL"  # socle, remise à niveau, FLE, permis...
    AUTRE = "AUTRE"

    @property
    def label(self) -> str:
        return SECTOR_LABELS[self]


SECTOR_LABELS = {
    Sector.SANTE_SOCIAL: "Santé, social, médico-social",
    Sector.BATIMENT: "Bâtiment et travaux publics",
    Sector.LOGISTIQUE_TRANSPORT: "Logistique et transport",
    Sector.HOTELLERIE_RESTAURATION: "Hôtellerie, restauration, tourisme",
    Sector.INDUSTRIE: "Industrie",
    Sector.AGRICULTURE_VITICULTURE: "Agriculture, viticulture, forêt",
    Sector.ANIMATION_SPORT: "Animation et sport",
    Sector.NUMERIQUE: "Numérique",
    Sector.SERVICES: "Services (propreté, aide à domicile, sécurité, administratif)",
    Sector.COMMERCE: "Commerce et vente",
    Sector.TRANSVERSAL: "Compétences transversales",
    Sector.AUTRE: "Autre",
}


class Severity(str, enum.Enum):
    ERROR = "error"  # the record (or the file) is rejected
    WARNING = "warning"  # the record is kept; something is unknown, obsolete or doubtful


# --------------------------------------------------------------------------- parts


@dataclass(slots=True)
class Certification:
    type: CertificationType = CertificationType.NONE
    title: str = ""
    rncp: str | None = None  # "RNCP35830" (RS codes as "RS5080")
    level: int | None = None  # national level 1..8; None for RS / no certification
    blocs: list[str] = field(default_factory=list)  # blocs de compétences / CCP titles or codes
    modular: bool = False  # can be taken bloc by bloc (LHÉO dict-type-parcours 3)


@dataclass(slots=True)
class Provider:
    name: str = ""
    siret: str | None = None
    commune: str | None = None  # INSEE code
    website: str | None = None
    uai: str | None = None  # the CFA's UAI (apprenticeship catalogue): its InserJeunes value added


@dataclass(slots=True)
class Prerequisites:
    min_level: int | None = None  # minimum validated level (national 0..8)
    max_level: int | None = None  # maximum validated level (HSP 1NQ: 3, or 4 obsolete)
    experience_months: int = 0  # experience in the field required
    tests: bool = False  # entry tests
    interview: bool = False  # entry interview
    text: str = ""  # prerequisites as published


@dataclass(slots=True)
class Publics:
    min_age: int | None = None
    max_age: int | None = None
    statuses: list[str] = field(default_factory=list)  # demandeur_emploi, salarie_iae, ...
    priorities: list[str] = field(default_factory=list)  # RQTH, QPV, ZRR, IAE, RSA, JEUNES...
    text: str = ""


@dataclass(slots=True)
class Duration:
    hours_centre: int | None = None
    hours_company: int | None = None
    months: float | None = None
    hours_per_week: float | None = None


@dataclass(slots=True)
class Contact:
    name: str | None = None
    role: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass(slots=True)
class Accessibility:
    referent_handicap: Contact | None = None
    accessible_premises: bool | None = None
    part_time_possible: bool = False
    extended_duration_possible: bool = False
    exam_arrangements: bool = False
    distance_learning_possible: bool = False
    text: str = ""


@dataclass(slots=True)
class Outcome:
    """One published outcome indicator, always with its sample size and year."""

    kind: str  # "emploi_6_mois" | "certification"
    rate: float  # 0..1
    sample_size: int
    year: int
    source: str = ""


@dataclass(slots=True)
class Provenance:
    source: str = ""  # "demo" | "lheo" | "intercarif-json" | "apprentissage-json" | "csv" | "xlsx"
    source_file: str | None = None
    record_id: str | None = None
    imported_at: str | None = None  # ISO datetime
    demo: bool = False  # "données de démonstration"


@dataclass(slots=True)
class Session:
    id: str
    offer_id: str
    start: date | None = None
    end: date | None = None
    commune_insee: str | None = None
    commune_name: str | None = None
    postcode: str | None = None
    lat: float | None = None
    lon: float | None = None
    address: str | None = None
    capacity: int | None = None
    places_left: int | None = None
    recruitment: RecruitmentStatus = RecruitmentStatus.OUVERT
    info_session: date | None = None
    entry_mode: EntryMode = EntryMode.FIXED_DATES

    @property
    def is_full(self) -> bool:
        return self.places_left is not None and self.places_left <= 0


@dataclass(slots=True)
class Offer:
    id: str
    kind: OfferKind
    title: str
    description: str = ""
    objectives: str = ""
    certification: Certification = field(default_factory=Certification)
    rome_codes: list[str] = field(default_factory=list)
    formacodes: list[str] = field(default_factory=list)
    sector: Sector = Sector.AUTRE
    provider: Provider = field(default_factory=Provider)
    funders: list[str] = field(default_factory=list)  # LHÉO dict-financeurs codes ("2" = Conseil régional)
    prerequisites: Prerequisites = field(default_factory=Prerequisites)
    publics: Publics = field(default_factory=Publics)
    modality: Modality = Modality.PRESENTIEL
    rhythm: Rhythm = Rhythm.FULL_TIME
    duration: Duration = field(default_factory=Duration)
    accessibility: Accessibility = field(default_factory=Accessibility)
    referent_social: Contact | None = None
    module_theme: ModuleTheme | None = None  # for OfferKind.MODULE
    add_ons: list[ModuleTheme] = field(default_factory=list)  # add-on modules this offer includes
    outcomes: list[Outcome] = field(default_factory=list)
    contact: Contact | None = None
    url: str | None = None
    provenance: Provenance = field(default_factory=Provenance)
    last_update: date | None = None
    sessions: list[Session] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any], made: dict[str, Any] | None = None) -> "Offer":
        return from_dict(cls, data, made)

    def search_text(self) -> str:
        """Text used to index the offer (title, certification, description)."""
        parts = [self.title]
        if self.certification.title and self.certification.title != self.title:
            parts.append(self.certification.title)
        if self.objectives:
            parts.append(self.objectives)
        elif self.description:
            parts.append(self.description)
        return " — ".join(p.strip() for p in parts if p and p.strip())


# --------------------------------------------------------------------------- serialisation
#
# Both directions compile, once per dataclass, a list of per-field converters: the
# demo catalogue holds ~2,600 offers and ~3,700 sessions and is read at every app
# start, so reflecting on type hints per value would cost most of the start-up time.

_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def field_names(cls: type) -> tuple[str, ...] | None:
    """Field names of a dataclass type (cached per class), None for any other type."""
    names = _FIELD_NAMES.get(cls)
    if names is None and dataclasses.is_dataclass(cls):
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def to_dict(obj: Any) -> Any:
    """JSON-ready representation: enums as values, dates as ISO strings, None kept."""
    names = _FIELD_NAMES.get(type(obj)) or field_names(type(obj))
    if names is not None:
        return {name: to_dict(getattr(obj, name)) for name in names}
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, date):
        return obj.isoformat()
    if isinstance(obj, (list, tuple)):
        return [to_dict(x) for x in obj]
    if isinstance(obj, dict):
        return {k: to_dict(v) for k, v in obj.items()}
    return obj


def _identity(value: Any) -> Any:
    return value


_FLOATS: dict[float, float] = {}
_FLOATS_MAX = 100_000  # bound on the shared floats (coordinates of ~4,500 communes, usual durations)


def _to_float(value: Any) -> Any:
    """A float, one shared object per distinct value (session coordinates repeat per commune)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if type(value) is float and value and value == value:  # zero (0.0 == -0.0) and NaN apart
        shared = _FLOATS.get(value)
        if shared is not None:
            return shared
        if len(_FLOATS) < _FLOATS_MAX:
            _FLOATS[value] = value
    return value


@functools.lru_cache(maxsize=8192)
def _parse_date(text: str) -> date:
    return date.fromisoformat(text)


def _to_date(value: Any) -> date:
    """Dates are immutable and a catalogue has few distinct ones (session starts, updates): one object each."""
    return value if isinstance(value, date) else _parse_date(value)


def _intern(value: Any) -> Any:
    """One shared copy of each distinct string read (communes, providers, codes, repeated texts).

    A national catalogue repeats the same provider names, communes, ROME codes and often the same
    long descriptions across thousands of offers; `json.loads` makes a new string for each, which
    was most of the memory of a loaded catalogue (issue 14). CPython's interned strings are freed
    when nothing refers to them any more, so a replaced catalogue does not leak its texts.
    """
    return sys.intern(value) if type(value) is str else value


# Fields whose values are unique per record: interning them would only grow the interned table.
# (Addresses, phones, e-mails and SIRETs repeat across a provider's offers: those are interned.)
# Descriptions are mostly written per offer in a real catalogue: interned, 100,000 of them held ~5 MB
# of interned-table slots for nothing (issue 14). A session's offer_id is the offer's id object (store).
_NOT_INTERNED = frozenset({"id", "record_id", "offer_id", "description"})


def _converter(tp: Any, intern_str: bool = True) -> Callable[[Any], Any]:
    """A function turning the JSON form of a value of type `tp` back into that type."""
    if tp is str:
        return _intern if intern_str else _identity
    origin = get_origin(tp)
    args = get_args(tp)
    if origin is list:
        inner = _converter(args[0]) if args else _identity
        return lambda value: [inner(v) for v in value]
    if args and type(None) in args:  # Optional[X] / X | None
        inner = _converter(next(a for a in args if a is not type(None)), intern_str)
        return lambda value: None if value is None else inner(value)
    if isinstance(tp, type):
        if dataclasses.is_dataclass(tp):
            return lambda value: from_dict(tp, value)
        if issubclass(tp, enum.Enum):
            return tp
        if tp is date:
            return _to_date
        if tp is float:
            return _to_float
    return _identity


_CONVERTERS: dict[type, tuple[tuple[str, Callable[[Any], Any]], ...]] = {}


def _converters(cls: type) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    found = _CONVERTERS.get(cls)
    if found is None:
        hints = get_type_hints(cls)
        found = _CONVERTERS[cls] = tuple((f.name, _converter(hints[f.name], f.name not in _NOT_INTERNED))
                                         for f in dataclasses.fields(cls))
    return found


def from_dict(cls: type, data: dict[str, Any], made: dict[str, Any] | None = None) -> Any:
    """Inverse of `to_dict`; unknown keys are ignored, missing ones take defaults.

    `made` gives fields already converted (the catalogue loader's shared parts, issue 14).
    """
    kwargs = {}
    for name, convert in _converters(cls):
        if name in data:
            if made is not None and name in made:
                kwargs[name] = made[name]
                continue
            value = data[name]
            kwargs[name] = None if value is None else convert(value)
    return cls(**kwargs)


def field_converter(cls: type, name: str) -> Callable[[Any], Any]:
    """The function `from_dict` applies to the JSON value of field `name` of dataclass `cls`."""
    return dict(_converters(cls))[name]


def session_from_dict(data: dict[str, Any]) -> Session:
    return from_dict(Session, data)

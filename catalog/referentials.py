"""Read-only access to the shipped referential tables (`catalog/data/ref_*.csv.gz`).

The tables are built by `catalog.build_referentials` from the public reference
data; this module never reads `../shared/data`, so the app runs without it.
Every loader is cached: the tables are small (all load in well under a second)
and immutable, so the app, the indexes and the assistant share one copy.
"""

from __future__ import annotations

import csv
import gzip
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator, TypeVar

from catalog.paths import CATALOG_DATA_DIR

REGION_CODE = "75"
TRANSITIONS = {"eco": "transition écologique", "num": "transition numérique", "demo": "transition démographique"}
TENSION_LABELS = {1: "très faible", 2: "faible", 3: "moyenne", 4: "forte", 5: "très forte"}


@dataclass(frozen=True, slots=True)
class RomeCode:
    code: str
    label: str  # ROME v3 fiche label for the 532 v3 codes, ROME 4.0 label for the 77 new ones
    parent: str  # v3 code: itself for v3 codes, the v3 parent for ROME 4.0-only codes
    v4_only: bool
    transitions: frozenset[str]  # subset of TRANSITIONS keys
    job_label: str = ""  # ROME 4.0 job title ("Aide-soignant / Aide-soignante")


@dataclass(frozen=True, slots=True)
class Appellation:
    code: str
    label: str
    rome: str


@dataclass(frozen=True, slots=True)
class Certif:
    rncp: str
    title: str
    level: int | None  # national level 3..8, None when unknown
    type_code: str  # "TP", "CAP", "BAC PRO", "DE", "Licence Professionnelle"...
    type_label: str
    active: bool
    abbreviation: str
    apprenticeship: bool | None  # None: not in the 2023 apprenticeship kit
    end_date: str  # ISO date of end of validity, "" when unknown
    romes: tuple[str, ...] = ()
    successors: tuple[str, ...] = ()  # newer fiches replacing this one

    def valid_on(self, day: date) -> bool:
        """Active and not past its end of validity: the `active` flag of the 2021 extract can be stale."""
        return self.active and (not self.end_date or self.end_date >= day.isoformat())


@dataclass(frozen=True, slots=True)
class Commune:
    insee: str
    name: str
    postcodes: tuple[str, ...]
    dept: str
    dept_name: str
    population: int
    lat: float  # town hall
    lon: float
    coord_note: str = ""  # "" | COORD_NOTES key: the source point was repaired or looks doubtful

    @property
    def coord_approx(self) -> bool:
        return self.coord_note != ""


# Notes set by catalog.build_referentials.repair_coordinates (about 1 % of the source points are wrong).
COORD_NOTES = {
    "signe_longitude_corrige": "position corrigée (signe de la longitude)",
    "centre_code_postal": "position approximative (centre des communes du même code postal)",
    "douteux": "position à vérifier",
}


@dataclass(frozen=True, slots=True)
class Tension:
    category: int  # 1 (low) .. 5 (very high)
    geo: str  # "nat", "75" or a department code: where the value comes from
    fap: str  # the DARES job family used
    fap_label: str

    @property
    def label(self) -> str:
        return TENSION_LABELS[self.category]


def _rows(name: str, data_dir: Path | None = None) -> Iterator[dict[str, str]]:
    path = (data_dir or CATALOG_DATA_DIR) / name
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        for row in reader:  # plain zip: about twice as fast as csv.DictReader
            yield dict(zip(header, row))


def _opt_bool(text: str) -> bool | None:
    return None if text == "" else text == "1"


def _split(text: str, sep: str = ";") -> tuple[str, ...]:
    return tuple(x for x in text.split(sep) if x)


@lru_cache(maxsize=None)
def rome_codes() -> dict[str, RomeCode]:
    return {
        r["code"]: RomeCode(
            r["code"], r["label"], r["parent"], r["v4_only"] == "1", frozenset(_split(r["transitions"])), r["job_label"]
        )
        for r in _rows("ref_rome.csv.gz")
    }


_ROME_RE = re.compile(r"^[A-N]\d{4}$")


def normalise_rome(code: str | None) -> str | None:
    """'j1501 ' -> 'J1501'; None if it is not shaped like a ROME code."""
    if not code:
        return None
    code = code.strip().upper()
    return code if _ROME_RE.match(code) else None


def _v3_code(rome: str | None) -> str | None:
    """The ROME v3 code the v3-based tables are keyed by: a ROME 4.0-only code gives its v3 parent."""
    code = normalise_rome(rome)
    if code is None:
        return None
    rc = rome_codes().get(code)
    return rc.parent if rc and rc.v4_only else code


def rome_label(code: str) -> str | None:
    rc = rome_codes().get(normalise_rome(code) or "")
    return rc.label if rc else None


@lru_cache(maxsize=None)
def appellations() -> list[Appellation]:
    return [Appellation(r["code"], r["label"], r["rome"]) for r in _rows("ref_appellations.csv.gz")]


@lru_cache(maxsize=None)
def onisep_names() -> list[tuple[str, str]]:
    """(rome, ONISEP job name) pairs, used as search synonyms."""
    return [(r["rome"], r["name"]) for r in _rows("ref_onisep.csv.gz")]


@lru_cache(maxsize=None)
def _romes_by_rncp() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for r in _rows("ref_rncp_rome.csv.gz"):
        out.setdefault(r["rncp"], []).append(r["rome"])
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=None)
def certifications() -> dict[str, Certif]:
    links = _romes_by_rncp()
    return {
        r["rncp"]: Certif(
            rncp=r["rncp"],
            title=r["title"],
            level=int(r["level"]) if r["level"] else None,
            type_code=r["type_code"],
            type_label=r["type_label"],
            active=r["active"] == "1",
            abbreviation=r["abbreviation"],
            apprenticeship=_opt_bool(r["apprenticeship"]),
            end_date=r["end_date"],
            romes=links.get(r["rncp"], ()),
            successors=_split(r["successors"]),
        )
        for r in _rows("ref_certifications.csv.gz")
    }


T = TypeVar("T")


def _index_by_each(items: Iterable[T], keys: Callable[[T], Iterable[str]]) -> dict[str, tuple[T, ...]]:
    """Items listed under each of their keys (a certification under each ROME code, a commune under each postcode)."""
    out: dict[str, list[T]] = {}
    for item in items:
        for key in keys(item):
            out.setdefault(key, []).append(item)
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=None)
def _certifs_by_rome() -> dict[str, tuple[Certif, ...]]:
    return _index_by_each(certifications().values(), lambda c: c.romes)


def certifications_for_rome(rome: str, active_only: bool = False) -> list[Certif]:
    """Certifications linked to a ROME code (a ROME 4.0 code uses its v3 parent's links)."""
    code = _v3_code(rome)
    if code is None:
        return []
    found = _certifs_by_rome().get(code, ())
    return [c for c in found if c.active or not active_only]


def normalise_rncp(code: str | None) -> str | None:
    """'rncp 35830', '35830', 'RNCP35830' -> 'RNCP35830'; None if not an RNCP code."""
    if not code:
        return None
    m = re.fullmatch(r"(?:RNCP)?\s*(\d{1,6})", code.strip().upper())
    return f"RNCP{int(m.group(1))}" if m else None


@lru_cache(maxsize=None)
def communes() -> dict[str, Commune]:
    return {
        r["insee"]: Commune(
            r["insee"],
            r["name"],
            _split(r["postcodes"], "|"),
            r["dept"],
            r["dept_name"],
            int(r["population"] or 0),
            float(r["lat"]),
            float(r["lon"]),
            r["coord_note"],
        )
        for r in _rows("ref_communes.csv.gz")
    }


@lru_cache(maxsize=None)
def departments() -> dict[str, str]:
    """Department code -> name, for the 12 departments of Nouvelle-Aquitaine."""
    return dict(sorted({(c.dept, c.dept_name) for c in communes().values()}))


@lru_cache(maxsize=None)
def communes_by_postcode() -> dict[str, tuple[Commune, ...]]:
    return _index_by_each(communes().values(), lambda c: c.postcodes)


@lru_cache(maxsize=None)
def _tension_table() -> dict[tuple[str, str], Tension]:
    return {
        (r["rome"], r["geo"]): Tension(int(r["category"]), r["geo"], r["fap"], r["fap_label"])
        for r in _rows("ref_tension.csv.gz")
    }


def tension_info(rome: str, dept: str | None = None) -> Tension | None:
    """Tension for a ROME code: the department's value, else the region's, else the national one.

    ROME 4.0-only codes use their v3 parent (the DARES table predates ROME 4.0).
    """
    code = _v3_code(rome)
    if code is None:
        return None
    table = _tension_table()
    for geo in (dept, REGION_CODE, "nat"):
        if geo and (code, geo) in table:
            return table[(code, geo)]
    return None


def tension(rome: str, dept: str | None = None) -> int | None:
    """Tension category 1..5 (see `tension_info` for the fallback order)."""
    info = tension_info(rome, dept)
    return info.category if info else None


@dataclass(frozen=True)
class MobilityLink:
    """A ROME mobility link: `target` is a job close to `rome` ("proche") or an evolution of it."""

    rome: str
    target: str
    kind: str  # "proche" | "evolution"


@lru_cache(maxsize=None)
def _mobility_table() -> dict[str, tuple[MobilityLink, ...]]:
    links = [MobilityLink(r["rome"], r["target"], r["kind"]) for r in _rows("ref_rome_mobility.csv.gz")]
    return _index_by_each(links, lambda link: (link.rome,))


def mobility_links(rome: str, kinds: tuple[str, ...] = ("proche", "evolution")) -> list[MobilityLink]:
    """Jobs reachable from `rome` (ROME v3.47 mobility links), "proche" links first.

    ROME 4.0-only codes use their v3 parent (the mobility table is ROME v3).
    """
    code = _v3_code(rome)
    if code is None:
        return []
    links = [link for link in _mobility_table().get(code, ()) if link.kind in kinds]
    return sorted(links, key=lambda link: (link.kind != "proche", link.target))


def are_close_jobs(a: str, b: str) -> bool:
    """True when `a` and `b` are the same ROME code (or v4 child/parent) or linked as "proche"."""
    ca, cb = normalise_rome(a), normalise_rome(b)
    if ca is None or cb is None:
        return False
    codes = rome_codes()
    pa = codes[ca].parent if ca in codes else ca
    pb = codes[cb].parent if cb in codes else cb
    if pa == pb:
        return True
    return any(link.target == pb for link in mobility_links(pa, ("proche",))) or any(
        link.target == pa for link in mobility_links(pb, ("proche",))
    )


@lru_cache(maxsize=None)
def _access_table() -> dict[str, frozenset[str]]:
    return {r["rncp"]: frozenset(x for x in r["routes"].split(";") if x) for r in _rows("ref_rncp_access.csv.gz")}


def access_routes(rncp: str) -> frozenset[str] | None:
    """Access routes of a certification (EXP = VAE, CONTRATA = apprenticeship, CONTRATP = contrat pro,
    PFC = continuing training, CANDIDATURE, ELEVE), or None when the RNCP file (2021-03) does not know
    the fiche (newer fiches): callers must then not conclude that a route is closed."""
    code = normalise_rncp(rncp)
    return _access_table().get(code) if code else None


# --------------------------------------------------------------------------- territory (issue 12)


@dataclass(frozen=True, slots=True)
class CohortOutcome:
    """InserJeunes: what became of one cohort of apprentices leaving a certification (Nouvelle-Aquitaine)."""

    rncp: str
    cohort: str  # "2022-2023"
    leavers: int
    employed_6: int | None  # None: count not released
    employed_12: int | None
    cfds: tuple[str, ...] = ()  # education diploma codes added up into this RNCP fiche
    via: str = ""  # current fiche of the same diploma whose figures an earlier fiche reuses ("" = its own)


@lru_cache(maxsize=None)
def _outcomes_table() -> dict[str, tuple[CohortOutcome, ...]]:
    rows = [
        CohortOutcome(r["rncp"], r["cohort"], int(r["leavers"]),
                      int(r["employed_6"]) if r["employed_6"] else None,
                      int(r["employed_12"]) if r["employed_12"] else None, _split(r["cfd"]), r["via"])
        for r in _rows("ref_outcomes.csv.gz")
    ]
    return _index_by_each(rows, lambda o: (o.rncp,))


def apprenticeship_outcomes(rncp: str | None) -> list[CohortOutcome]:
    """Every InserJeunes cohort of a certification, oldest first ([] when none is known)."""
    code = normalise_rncp(rncp)
    return sorted(_outcomes_table().get(code, ()), key=lambda o: o.cohort) if code else []


@dataclass(frozen=True, slots=True)
class CfaOutcome:
    """InserJeunes per CFA (cohort 2022-2023): employment at 6 months vs the rate expected for its public."""

    uai: str
    name: str
    employment_6: int | None  # %
    expected_6: int | None  # %
    value_added: int | None  # points
    further_study: int | None  # %


def _opt_int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


@lru_cache(maxsize=None)
def _cfa_table() -> dict[str, CfaOutcome]:
    return {
        r["uai"]: CfaOutcome(r["uai"], r["name"], _opt_int(r["employment_6"]), _opt_int(r["expected_6"]),
                             _opt_int(r["value_added"]), _opt_int(r["further_study"]))
        for r in _rows("ref_cfa_outcomes.csv.gz")
    }


def cfa_outcome(uai: str | None) -> CfaOutcome | None:
    return _cfa_table().get((uai or "").strip().upper())


def cfa_outcomes() -> dict[str, CfaOutcome]:
    return dict(_cfa_table())


TENSION_FACTORS = ("hiring", "shortage", "lasting", "conditions", "mismatch", "training")


@dataclass(frozen=True, slots=True)
class AreaTension:
    """France Travail tension indicator of a ROME code in one employment area, with its six factors (1..5)."""

    rome: str
    area: str
    year: str
    category: int
    factors: tuple[tuple[str, int], ...]  # (TENSION_FACTORS key, 1..5)

    @property
    def label(self) -> str:
        return TENSION_LABELS[self.category]


@lru_cache(maxsize=None)
def _area_tension_table() -> dict[tuple[str, str], AreaTension]:
    return {
        (r["rome"], r["area"]): AreaTension(
            r["rome"], r["area"], r["year"], int(r["tension"]),
            tuple((f, int(r[f])) for f in TENSION_FACTORS if r[f].isdigit()),
        )
        for r in _rows("ref_area_tension.csv.gz")
    }


def area_tension(rome: str, area: str | None) -> AreaTension | None:
    """Tension of a ROME code in an employment area (ROME 4.0-only codes use their v3 parent)."""
    code = normalise_rome(rome)
    if code is None or not area:
        return None
    rc = rome_codes().get(code)
    if rc and rc.v4_only:
        code = rc.parent
    return _area_tension_table().get((code, area))


def area_tension_romes() -> frozenset[str]:
    """ROME codes with a tension value in at least one employment area."""
    return frozenset(rome for rome, _ in _area_tension_table())


@dataclass(frozen=True, slots=True)
class Areas:
    """The employment areas of a commune: the 2019 zoning of the tension indicators and the BMO 2024 one."""

    insee: str
    tension_area: str
    tension_area_name: str
    bmo_area: str
    bmo_area_name: str


@lru_cache(maxsize=None)
def _areas_table() -> dict[str, Areas]:
    return {
        r["insee"]: Areas(r["insee"], r["tension_area"], r["tension_area_name"], r["bmo_area"], r["bmo_area_name"])
        for r in _rows("ref_areas.csv.gz")
    }


def areas_of(insee: str | None) -> Areas | None:
    return _areas_table().get((insee or "").strip())


def commune_areas() -> dict[str, Areas]:
    return dict(_areas_table())


@dataclass(frozen=True, slots=True)
class BmoRow:
    """BMO 2024: recruitment projects of one job (FAP 2021) in one BMO employment area."""

    fap: str
    area: str
    area_name: str
    dept: str
    projects: int | None  # None: statistical secret
    difficult: int | None
    seasonal: int | None
    year: str


@lru_cache(maxsize=None)
def bmo_rows() -> tuple[BmoRow, ...]:
    return tuple(
        BmoRow(r["fap"], r["area"], r["area_name"], r["dept"], _opt_int(r["projects"]), _opt_int(r["difficult"]),
               _opt_int(r["seasonal"]), r["year"])
        for r in _rows("ref_bmo.csv.gz")
    )


@lru_cache(maxsize=None)
def bmo_areas() -> dict[str, tuple[str, str]]:
    """BMO area code -> (name, department code), from the BMO rows (area 7549 has no commune in the list)."""
    return dict(sorted({r.area: (r.area_name, r.dept) for r in bmo_rows()}.items()))


@dataclass(frozen=True, slots=True)
class Fap2021:
    """A FAP 2021 job (228 level) with its family and domain, and its ROME codes when they could be mapped."""

    code: str
    label: str
    family: str
    family_label: str
    domain: str
    domain_label: str
    mapping: str  # "code" | "libelle" | "" (unmapped)
    fap2009: tuple[str, ...]
    romes: tuple[str, ...]


@lru_cache(maxsize=None)
def fap2021() -> dict[str, Fap2021]:
    return {
        r["fap"]: Fap2021(r["fap"], r["label"], r["family"], r["family_label"], r["domain"], r["domain_label"],
                          r["mapping"], _split(r["fap2009"]), _split(r["romes"]))
        for r in _rows("ref_fap2021.csv.gz")
    }


@lru_cache(maxsize=None)
def _faps_by_rome() -> dict[str, tuple[Fap2021, ...]]:
    return _index_by_each(fap2021().values(), lambda f: f.romes)


def faps_for_rome(rome: str) -> list[Fap2021]:
    """FAP 2021 jobs whose mapped ROME codes include `rome` (ROME 4.0-only codes use their v3 parent)."""
    code = normalise_rome(rome)
    if code is None:
        return []
    rc = rome_codes().get(code)
    if rc and rc.v4_only:
        code = rc.parent
    return list(_faps_by_rome().get(code, ()))


@dataclass(frozen=True, slots=True)
class Bloc:
    code: str  # "RNCP35830BC01"
    rncp: str
    title: str


@lru_cache(maxsize=None)
def _blocs_table() -> dict[str, tuple[Bloc, ...]]:
    return _index_by_each((Bloc(r["bloc"], r["rncp"], r["title"]) for r in _rows("ref_rncp_blocs.csv.gz")),
                          lambda b: (b.rncp,))


def rncp_blocs(rncp: str | None) -> list[Bloc]:
    """Blocs of competences of a certification (RNCP 2021-03), in bloc order; [] when unknown."""
    code = normalise_rncp(rncp)
    return list(_blocs_table().get(code, ())) if code else []


def normalise_bloc(code: str | None) -> str | None:
    """'rncp35830bc01 ' -> 'RNCP35830BC01'; None if not shaped like a bloc code."""
    m = re.fullmatch(r"(?:RNCP)?\s*(\d{1,6})\s*BC\s*(\d{1,2})", (code or "").strip().upper())
    return f"RNCP{int(m.group(1))}BC{int(m.group(2)):02d}" if m else None


@lru_cache(maxsize=None)
def sources() -> list[dict[str, str]]:
    """(table, source, producer, date) for the "sources" sections of the README and the app."""
    from catalog.build_referentials import SOURCES

    return [
        {"table": table, "source": ", ".join(files), "producer": producer, "date": when, "content": note,
         "licence": LICENCE}
        for table, (files, producer, when, note) in SOURCES.items()
    ]


LICENCE = "Licence Ouverte / Open Licence 2.0 (Etalab)"


def datasets() -> list[dict[str, str]]:
    """Every dataset the app uses: the referential tables (`sources()`) then the others (LHÉO, demo...)."""
    from catalog.build_referentials import OTHER_SOURCES

    return sources() + [
        {"table": name, "source": ", ".join(files), "producer": producer, "date": when, "content": use,
         "licence": licence}
        for name, (files, producer, when, licence, use) in OTHER_SOURCES.items()
    ]


def load_all() -> None:
    """Warm every cache (app start-up, benchmarks)."""
    rome_codes()
    appellations()
    onisep_names()
    certifications()
    _certifs_by_rome()
    communes()
    departments()
    communes_by_postcode()
    _tension_table()
    _mobility_table()
    _access_table()
    _outcomes_table()
    _cfa_table()
    _area_tension_table()
    _areas_table()
    bmo_rows()
    fap2021()
    _faps_by_rome()

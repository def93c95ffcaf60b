"""The local labour market around a person or an employment area, and the offer measured against it.

Pure functions over the shipped referential tables (catalog/data/ref_*.csv.gz) and a list of
offers; no I/O besides those tables, nothing personal kept.

- `tension_here` / `needs_here`: the target job's tension in the person's employment area (France
  Travail 2021, ROME level, with its factors said in words) and the BMO 2024 recruitment projects
  of its job family in the person's BMO area (with the share judged difficult).
- `close_jobs`: career change, jobs close to the person's experience (ROME "proche" then
  "évolution" links), ranked by tension in the area and by reachable training.
- `missing_blocs`: R-BLOC, the blocs of a certification a person still has to validate.
- `overview`: the Region's steering view, offer volume by kind against needs and tension per
  employment area and job family, with the ranked gaps (`python -m catalog territory`).

Two zonings meet here: the tension indicators use the 2019 employment areas, the BMO survey its
2024 areas. They carry the same code for 99 % of the communes (4 380 of 4 405), so an area code is
read in both tables; the commune table (`areas_of`) gives each commune its own code in each.
"""

from __future__ import annotations

import json
import sys
import tomllib
from array import array
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from catalog import referentials as ref
from catalog.model import CertificationType, Offer, OfferKind
from catalog.paths import CATALOG_DATA_DIR

PARAMETERS_FILE = CATALOG_DATA_DIR / "territory.toml"


# --------------------------------------------------------------------------- parameters


@lru_cache(maxsize=1)
def _parameters(path: Path = PARAMETERS_FILE) -> dict[str, list[tuple[date, Any]]]:
    """name -> [(start, value)] in date order (same format as assistant/data/parameters.toml)."""
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    out: dict[str, list[tuple[date, Any]]] = {}

    def walk(table: dict[str, Any], prefix: str) -> None:
        for key, value in table.items():
            name = f"{prefix}.{key}" if prefix else key
            if "values" in value:
                entries = [(v["start"], v["value"]) for v in value["values"] if v.get("source")]
                if len(entries) != len(value["values"]):
                    raise ValueError(f"{name}: every value needs a source")
                out[name] = sorted(entries)
            else:
                walk(value, name)

    walk(data, "")
    return out


def tparam(name: str, on: date | None = None) -> Any:
    """Value of a territory parameter in force on `on` (today by default)."""
    on = on or date.today()
    current = None
    for start, value in _parameters()[name]:
        if start <= on:
            current = value
    if current is None:
        raise LookupError(f"{name}: no value in force on {on.isoformat()}")
    return current


# --------------------------------------------------------------------------- tension and needs

FACTOR_LABELS: dict[str, tuple[str, str | None]] = {  # factor key -> (words when strong (4-5), words when weak (1-2)); None: not said
    "hiring": ("beaucoup de recrutements", "peu de recrutements"),
    "shortage": ("peu de candidats", "beaucoup de candidats"),
    "lasting": ("beaucoup d'emplois durables", "surtout des contrats courts"),
    "conditions": ("conditions de travail difficiles", None),
    "mismatch": ("candidats éloignés des offres", None),
    "training": ("une formation spécifique est souvent exigée", None),
}
STRONG, WEAK = 4, 2
TENSION_SOURCE = "source : France Travail, indicateurs de tension par bassin d'emploi, 2021"
BMO_SOURCE = "source : France Travail, enquête Besoins en main-d'œuvre (BMO) 2024"


def pct(rate: float) -> str:
    """0.453 -> "45 %" (French spacing)."""
    return f"{rate * 100:.0f} %"


def factor_words(factors: Iterable[tuple[str, int]]) -> list[str]:
    """The factors behind a tension value, in words: strong ones first, then the weak ones worth saying."""
    values = dict(factors)
    strong = [FACTOR_LABELS[k][0] for k, v in values.items() if v >= STRONG and k in FACTOR_LABELS]
    weak = [w for k, v in values.items() if v <= WEAK and k in FACTOR_LABELS and (w := FACTOR_LABELS[k][1])]
    return strong + weak


@lru_cache(maxsize=None)
def _area_name(code: str) -> str:
    """Area name as written in the sources, title-cased ("BORDEAUX " -> "Bordeaux"); the code if unknown."""
    name = ref.bmo_areas().get(code, ("", ""))[0]
    if not name:
        name = next((a.tension_area_name for a in ref.commune_areas().values() if a.tension_area == code), "")
    return name.strip().title() if name else code


def tension_here(rome: str, insee: str | None) -> dict[str, Any] | None:
    """Tension of a job in the employment area of a commune, with its factors in French; None if unknown."""
    areas = ref.areas_of(insee)
    if areas is None or not areas.tension_area:
        return None
    t = ref.area_tension(rome, areas.tension_area)
    if t is None:
        return None
    words = factor_words(t.factors)
    return {
        "rome": t.rome, "area": t.area, "area_name": _area_name(t.area), "year": int(t.year),
        "category": t.category, "label": t.label, "factors": dict(t.factors), "factor_words": words,
        "text": (f"Tension {t.label} ({t.category}/5) dans le bassin de {_area_name(t.area)}"
                 + (f" : {', '.join(words)}" if words else "") + f" ({TENSION_SOURCE})."),
        "source": TENSION_SOURCE,
    }


@lru_cache(maxsize=None)
def _bmo_by_fap_area() -> dict[tuple[str, str], ref.BmoRow]:
    return {(r.fap, r.area): r for r in ref.bmo_rows()}


def needs_here(rome: str, insee: str | None) -> dict[str, Any] | None:
    """BMO 2024 recruitment projects of the job's FAP 2021 job(s) in the commune's BMO area; None if unknown.

    A ROME code can belong to several FAP jobs ("maçons qualifiés" and "peu qualifiés"): their
    projects are added up; a secret figure (small numbers) is left out and said so.
    """
    areas = ref.areas_of(insee)
    faps = ref.faps_for_rome(rome)
    if areas is None or not areas.bmo_area or not faps:
        return None
    index = _bmo_by_fap_area()
    rows = [index[(f.code, areas.bmo_area)] for f in faps if (f.code, areas.bmo_area) in index]
    if not rows:
        return None
    known = [(r, r.projects) for r in rows if r.projects is not None]  # (row, projects): the public figures
    projects = sum(p for _, p in known)
    difficult_known = [(p, r.difficult) for r, p in known if r.difficult is not None]
    difficult = sum(d for _, d in difficult_known)
    base = sum(p for p, _ in difficult_known)
    share = difficult / base if base else None
    labels = [f.label for f in faps if any(r.fap == f.code for r in rows)]
    name = _area_name(areas.bmo_area)
    secret = len(known) < len(rows)
    if known:
        text = (f"{projects} projets de recrutement en {rows[0].year} dans le bassin de {name} ({', '.join(labels)})"
                + (f", dont {pct(share)} jugés difficiles" if share is not None else "")
                + (" ; certains chiffres sont couverts par le secret statistique" if secret else "")
                + f" ({BMO_SOURCE}).")
    else:
        text = f"Projets de recrutement couverts par le secret statistique dans le bassin de {name} ({BMO_SOURCE})."
    return {
        "rome": ref.normalise_rome(rome), "area": areas.bmo_area, "area_name": name, "year": int(rows[0].year),
        "faps": [r.fap for r in rows], "fap_labels": labels, "projects": projects if known else None,
        "difficult": difficult if difficult_known else None, "difficult_share": share, "secret": secret,
        "text": text, "source": BMO_SOURCE,
    }


def local_market(rome: str, insee: str | None) -> dict[str, Any]:
    """Both figures for a target job where the person lives (each None when unknown)."""
    return {"tension": tension_here(rome, insee), "needs": needs_here(rome, insee)}


# --------------------------------------------------------------------------- sessions index


QUALIFYING_EXCLUDED = frozenset({OfferKind.MODULE, OfferKind.HSP_SOCLE, OfferKind.AMORCE})


def is_qualifying(offer: Offer) -> bool:
    """Leads to a certification with a level (RNCP): what a recruitment need can be trained for."""
    cert = offer.certification
    return (offer.kind not in QUALIFYING_EXCLUDED
            and cert.type not in (CertificationType.NONE, CertificationType.RS)
            and (bool(cert.rncp) or cert.level is not None))


@dataclass
class SessionIndex:
    """Sessions of a catalogue as arrays, for distance queries by ROME code or job family.

    Built once per catalogue (0.5-2.5 s at 100k offers, depending on the machine's load); `close_jobs` and `overview` take it so
    that a plan or a page refresh does not rebuild it.
    """

    lat: np.ndarray
    lon: np.ndarray
    offer_pos: np.ndarray  # index into `offers` for each session
    places: np.ndarray  # capacity (0 when unknown)
    area: list[str]  # BMO area of each session ("" when unknown)
    offers: list[Offer]
    by_rome: dict[str, np.ndarray] = field(default_factory=dict)  # session rows per ROME code (qualifying)
    by_family: dict[str, np.ndarray] = field(default_factory=dict)  # session rows per FAP family (qualifying)
    families: list[tuple[str, ...]] = field(default_factory=list)  # families of each offer
    # For the vectorised overview: area and kind ids per session, and (session, family) pairs
    # (a session counts once in each family of its offer; "" = no mapped family).
    area_codes: list[str] = field(default_factory=list)
    area_id: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    kind_id: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    family_codes: list[str] = field(default_factory=list)
    pair_session: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    pair_family: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


def _session_commune(session) -> str | None:
    if session.commune_insee and session.commune_insee in ref.communes():
        return session.commune_insee
    found = ref.communes_by_postcode().get(session.postcode or "", ())
    return found[0].insee if found else None


@lru_cache(maxsize=None)
def _families_of_rome(rome: str) -> tuple[str, ...]:
    return tuple(sorted({f.family for f in ref.faps_for_rome(rome)}))


def _v3_codes(romes: Iterable[str]) -> list[str]:
    codes = ref.rome_codes()
    out = []
    for r in romes:
        for c in (r, codes[r].parent if r in codes else r):
            if c not in out:
                out.append(c)
    return out


def build_index(offers: Iterable[Offer]) -> SessionIndex:
    offers = list(offers)
    # Typed arrays rather than lists of ints and floats, one family tuple per distinct set: the
    # lists' transient peak was ~20 MB at 100,000 offers, in the app's process (issue 14).
    lat, lon, pos, places = array("d"), array("d"), array("q"), array("q")
    area: list[str] = []
    by_rome: dict[str, array] = defaultdict(lambda: array("q"))
    by_family: dict[str, array] = defaultdict(lambda: array("q"))
    families: list[tuple[str, ...]] = []
    family_sets: dict[tuple[str, ...], tuple[str, ...]] = {}
    communes = ref.communes()
    for i, offer in enumerate(offers):
        fams = tuple(sorted({f for r in offer.rome_codes for f in _families_of_rome(r)}))
        fams = family_sets.setdefault(fams, fams)
        families.append(fams)
        qualifying = is_qualifying(offer)
        for s in offer.sessions:
            insee = _session_commune(s)
            c = communes.get(insee or "")
            la = s.lat if s.lat is not None else (c.lat if c else None)
            lo = s.lon if s.lon is not None else (c.lon if c else None)
            if la is None or lo is None:
                continue
            row = len(lat)
            lat.append(la)
            lon.append(lo)
            pos.append(i)
            places.append(s.capacity or 0)
            areas = ref.areas_of(insee)
            area.append(areas.bmo_area if areas else "")
            if qualifying:
                for r in _v3_codes(offer.rome_codes):  # mobility links are ROME v3: index the v3 parent too
                    by_rome[r].append(row)
                for f in fams:
                    by_family[f].append(row)
    area_codes = sorted(set(area))
    area_pos = {a: i for i, a in enumerate(area_codes)}
    family_codes = sorted({f for fams in families for f in fams} | {""})
    family_pos = {f: i for i, f in enumerate(family_codes)}
    kind_pos = {k: i for i, k in enumerate(OfferKind)}
    pair_session, pair_family = array("q"), array("q")
    for row, p in enumerate(pos):
        for f in families[p] or ("",):
            pair_session.append(row)
            pair_family.append(family_pos[f])
    return SessionIndex(
        np.radians(np.array(lat, dtype=float)), np.radians(np.array(lon, dtype=float)),
        np.array(pos, dtype=np.int64), np.array(places, dtype=np.int64), area, offers,
        {k: np.array(v, dtype=np.int64) for k, v in by_rome.items()},
        {k: np.array(v, dtype=np.int64) for k, v in by_family.items()},
        families, area_codes, np.array([area_pos[a] for a in area], dtype=np.int64),
        np.array([kind_pos[offers[p].kind] for p in pos], dtype=np.int64), family_codes,
        np.array(pair_session, dtype=np.int64), np.array(pair_family, dtype=np.int64),
    )


def _distances_km(index: SessionIndex, rows: np.ndarray, lat: float, lon: float) -> np.ndarray:
    """Haversine distances (km) from (lat, lon) in degrees to the given session rows."""
    from catalog.geo import EARTH_RADIUS_KM

    p1, l1 = np.radians(lat), np.radians(lon)
    p2, l2 = index.lat[rows], index.lon[rows]
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))


# --------------------------------------------------------------------------- career change

RELATION_LABELS = {"proche": "métier proche", "evolution": "évolution possible"}


def _domain(rome: str) -> str:
    """ROME professional domain (letter + 2 digits: F17 "gros œuvre"), the "same family" of a job change."""
    return rome[:3]


def close_jobs(experience_romes: Iterable[str], insee: str | None, index: SessionIndex | None = None,
               radius_km: float | None = None, exclude_same_family: bool = False,
               today: date | None = None) -> list[dict[str, Any]]:
    """Jobs a person could aim for from their experience: ROME "proche" links, then "évolution" ones.

    Ranked within each relation by reachable training (a qualifying catalogue session within
    `radius_km` of the commune), then by tension in the person's area, then by the nearest session.
    `exclude_same_family` (health constraint, RQTH: the adviser's choice) drops jobs of the same
    ROME professional domain or FAP 2021 family as any experience job, as they usually share the
    physical demands the person must leave. Each result is an alternative the adviser may pick as the
    target ("job_relation": "metier_proche"), never a silent change of the wish.
    """
    today = today or date.today()
    radius = float(radius_km if radius_km is not None else tparam("career.radius_km", today))
    sources = [c for c in (ref.normalise_rome(r) for r in experience_romes) if c]
    if not sources:
        return []
    source_set = set(sources)
    banned_domains = {_domain(r) for r in sources} if exclude_same_family else set()
    banned_families = {f for r in sources for f in _families_of_rome(r)} if exclude_same_family else set()
    commune = ref.communes().get(insee or "")
    seen: dict[str, dict[str, Any]] = {}
    for src in sources:
        for link in ref.mobility_links(src):
            target = link.target
            if target in source_set or (target in seen and seen[target]["relation"] == "proche"):
                continue
            if exclude_same_family and (_domain(target) in banned_domains
                                        or set(_families_of_rome(target)) & banned_families):
                continue
            seen[target] = {"rome": target, "from_rome": src, "relation": link.kind}
    out = []
    for target, item in seen.items():
        tension = tension_here(target, insee)
        trainings, nearest, offer_ids = 0, None, []
        if index is not None and commune is not None and target in index.by_rome:
            rows = index.by_rome[target]
            d = _distances_km(index, rows, commune.lat, commune.lon)
            near = d <= radius
            if near.any():
                order = np.argsort(d)
                ids = []
                for j in order[: int(near.sum())]:
                    oid = index.offers[index.offer_pos[rows[j]]].id
                    if oid not in ids:
                        ids.append(oid)
                trainings, nearest, offer_ids = len(ids), round(float(d[order[0]]), 1), ids[:5]
        label = ref.rome_label(target) or target
        why = [f"{RELATION_LABELS[item['relation']]} de {ref.rome_label(item['from_rome']) or item['from_rome']}"
               " (ROME, fiches mobilité)"]
        if tension:
            why.append(f"tension {tension['label']} dans le bassin")
        why.append(f"{trainings} formation(s) qualifiante(s) à moins de {radius:.0f} km" if trainings
                   else f"aucune formation qualifiante du catalogue à moins de {radius:.0f} km")
        out.append({
            **item, "label": label, "relation_label": RELATION_LABELS[item["relation"]],
            "job_relation": "metier_proche", "job_relation_label": "métier proche (reconversion)",
            "tension": tension, "needs": needs_here(target, insee), "trainings": trainings,
            "nearest_km": nearest, "offer_ids": offer_ids, "why": " ; ".join(why),
        })
    out.sort(key=lambda x: (x["relation"] != "proche", x["trainings"] == 0,
                            -(x["tension"]["category"] if x["tension"] else 0),
                            x["nearest_km"] if x["nearest_km"] is not None else 1e9, x["rome"]))
    return out[: tparam("career.max_jobs", today)]


# --------------------------------------------------------------------------- blocs (R-BLOC)


@dataclass(frozen=True)
class BlocsGap:
    """What a person still has to validate of a certification, given the blocs they hold (R-BLOC)."""

    rncp: str
    known: bool  # the RNCP 2021-03 file lists the certification's blocs
    blocs: tuple[ref.Bloc, ...]
    held: tuple[str, ...]  # held codes that belong to this certification
    missing: tuple[ref.Bloc, ...]
    foreign: tuple[str, ...]  # held codes of other certifications (said, never silently dropped)
    invalid: tuple[str, ...]  # strings that are not bloc codes

    @property
    def partial(self) -> bool:
        """Some but not all blocs held: the pathway completes the missing blocs only."""
        return self.known and bool(self.held) and bool(self.missing)

    @property
    def complete(self) -> bool:
        return self.known and bool(self.blocs) and not self.missing

    def to_dict(self) -> dict[str, Any]:
        return {
            "rncp": self.rncp, "known": self.known, "partial": self.partial, "complete": self.complete,
            "blocs": [b.code for b in self.blocs], "held": list(self.held),
            "missing": [{"code": b.code, "title": b.title} for b in self.missing],
            "foreign": list(self.foreign), "invalid": list(self.invalid), "text": self.text,
        }

    @property
    def text(self) -> str:
        if not self.known:
            return (f"Les blocs de compétences de {self.rncp} ne sont pas connus (fiche RNCP absente du fichier "
                    "2021) : vérifier avec le certificateur avant de raccourcir le parcours.")
        if self.complete:
            return f"Tous les blocs de {self.rncp} sont déjà détenus : la certification peut être demandée."
        if not self.held:
            return f"Aucun bloc de {self.rncp} détenu : la certification complète est à préparer."
        return (f"{len(self.held)} bloc(s) sur {len(self.blocs)} déjà détenu(s) : le parcours ne prépare que les "
                f"{len(self.missing)} bloc(s) manquant(s) (R-BLOC).")


def missing_blocs(rncp: str, blocs_held: Iterable[str]) -> BlocsGap:
    """Blocs of `rncp` not in `blocs_held` (codes like "RNCP35830BC01", any case or spacing)."""
    code = ref.normalise_rncp(rncp) or str(rncp)
    blocs = tuple(ref.rncp_blocs(code))
    own = {b.code for b in blocs}
    held, foreign, invalid = [], [], []
    for raw in blocs_held:
        b = ref.normalise_bloc(raw)
        if b is None:
            invalid.append(str(raw))
        elif b in own:
            if b not in held:
                held.append(b)
        elif b not in foreign:
            foreign.append(b)
    return BlocsGap(code, bool(blocs), blocs, tuple(sorted(held)),
                    tuple(b for b in blocs if b.code not in held), tuple(foreign), tuple(invalid))


# --------------------------------------------------------------------------- steering overview


@lru_cache(maxsize=None)
def area_centres() -> dict[str, tuple[float, float]]:
    """BMO area -> population-weighted centre of its communes (degrees)."""
    acc: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    communes = ref.communes()
    for insee, areas in ref.commune_areas().items():
        c = communes.get(insee)
        if c is None or not areas.bmo_area:
            continue
        w = max(c.population, 1)
        a = acc[areas.bmo_area]
        a[0] += c.lat * w
        a[1] += c.lon * w
        a[2] += w
    return {k: (v[0] / v[2], v[1] / v[2]) for k, v in acc.items()}


@lru_cache(maxsize=None)
def _family_labels() -> dict[str, str]:
    return {f.family: f.family_label for f in ref.fap2021().values()}


@lru_cache(maxsize=None)
def _romes_by_family() -> dict[str, tuple[str, ...]]:
    out: dict[str, set[str]] = defaultdict(set)
    for f in ref.fap2021().values():
        out[f.family].update(f.romes)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def _family_tension(family: str, area: str) -> tuple[float | None, int]:
    """Mean tension category of the family's ROME codes in the area, and how many are in tension."""
    high = tparam("territory.high_tension")
    values = [t.category for r in _romes_by_family().get(family, ()) if (t := ref.area_tension(r, area))]
    if not values:
        return None, 0
    return round(sum(values) / len(values), 1), sum(v >= high for v in values)


def overview(index: SessionIndex, dept: str | None = None, area: str | None = None,
             kinds: Iterable[str] | None = None, family: str | None = None,
             today: date | None = None) -> dict[str, Any]:
    """Offer vs needs per employment area and job family, and the ranked gaps (the steering page and CLI).

    Unit: a BMO 2024 employment area x a FAP 2021 family (86 families). Offer: catalogue sessions
    (places = capacity) in the area, by kind; needs: BMO projects (difficult ones); tension: mean
    France Travail 2021 category of the family's ROME codes in the area.
    Gaps, ranked: "besoin_sans_offre" (high needs or tension, no qualifying session within
    `territory.gap_radius_km` of the area's centre), then "offre_peu_porteuse" (sessions in the area
    for a family with low needs, no tension, and a low or unknown employment rate).
    """
    today = today or date.today()
    radius = tparam("territory.gap_radius_km", today)
    high_needs, low_needs = tparam("territory.high_needs_projects", today), tparam("territory.low_needs_projects", today)
    high_tension = tparam("territory.high_tension", today)
    low_rate = tparam("territory.low_employment_rate", today)
    kind_set = {OfferKind(k) for k in kinds} if kinds else None
    all_areas = ref.bmo_areas()
    if area and area not in all_areas:
        raise ValueError(f"bassin inconnu : {area}")
    if dept and dept not in ref.departments():
        raise ValueError(f"département inconnu : {dept}")
    chosen = [a for a, (_, d) in all_areas.items() if (not area or a == area) and (not dept or d == dept)]
    chosen_set = set(chosen)

    # needs per (area, family)
    fap = ref.fap2021()
    needs: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])  # projects, difficult, secret rows
    for r in ref.bmo_rows():
        if r.area not in chosen_set:
            continue
        f = fap.get(r.fap)
        fam = f.family if f and f.romes else ""  # unmapped FAP jobs stay under "" (no ROME, no offer link)
        if family and fam != family:
            continue
        cell = needs[(r.area, fam)]
        if r.projects is None:
            cell[2] += 1
        else:
            cell[0] += r.projects
            cell[1] += r.difficult or 0

    # offer per (area, family) and per area x kind, vectorised over the index arrays
    kind_list = list(OfferKind)
    n_areas, n_kinds, n_fams = len(index.area_codes), len(kind_list), len(index.family_codes)
    in_area = np.isin(np.array(index.area_codes, dtype=object), chosen) if n_areas else np.zeros(0, dtype=bool)
    session_ok = in_area[index.area_id] if len(index.area_id) else np.zeros(0, dtype=bool)
    if kind_set:
        session_ok &= np.isin(index.kind_id, [kind_list.index(k) for k in kind_set])
    by_kind: dict[str, dict[str, list[int]]] = defaultdict(dict)
    if session_ok.any():
        key = index.area_id[session_ok] * n_kinds + index.kind_id[session_ok]
        counts = np.bincount(key, minlength=n_areas * n_kinds)
        seats = np.bincount(key, weights=index.places[session_ok], minlength=n_areas * n_kinds)
        for k in np.nonzero(counts)[0]:
            by_kind[index.area_codes[k // n_kinds]][kind_list[k % n_kinds].value] = [int(counts[k]), int(seats[k])]
    offer_cell: dict[tuple[str, str], list[int]] = {}
    rates: dict[tuple[str, str], list[float]] = {}
    pair_ok = session_ok[index.pair_session] if len(index.pair_session) else np.zeros(0, dtype=bool)
    if family is not None:
        pair_ok &= index.pair_family == (index.family_codes.index(family) if family in index.family_codes else -1)
    if pair_ok.any():
        rows = index.pair_session[pair_ok]
        key = index.area_id[rows] * n_fams + index.pair_family[pair_ok]
        counts = np.bincount(key, minlength=n_areas * n_fams)
        seats = np.bincount(key, weights=index.places[rows], minlength=n_areas * n_fams)
        offer_rate = _offer_rates(index, today)[index.offer_pos[rows]]
        known = ~np.isnan(offer_rate)
        rate_sum = np.bincount(key[known], weights=offer_rate[known], minlength=n_areas * n_fams)
        rate_n = np.bincount(key[known], minlength=n_areas * n_fams)
        for k in np.nonzero(counts)[0]:
            pair = (index.area_codes[k // n_fams], index.family_codes[k % n_fams])
            offer_cell[pair] = [int(counts[k]), int(seats[k])]
            if rate_n[k]:
                rates[pair] = [float(rate_sum[k] / rate_n[k])]

    centres = area_centres()
    labels = _family_labels()
    kind_ok = np.array([o.kind in kind_set for o in index.offers], dtype=bool) if kind_set else None
    near_by_family: dict[str, dict[str, int]] = {}
    cells: list[dict[str, Any]] = []
    for key in sorted(set(needs) | set(offer_cell)):
        a, fam = key
        projects, difficult, secret = needs.get(key, (0, 0, 0))
        sessions, places = offer_cell.get(key, (0, 0))
        tension, in_tension = _family_tension(fam, a) if fam else (None, 0)
        near = None
        if fam and a in centres:
            if fam not in near_by_family:  # one distance pass per family, to every area centre at once
                cache = index.__dict__.setdefault("_near", {})
                ckey = (fam, tuple(sorted(k.value for k in kind_set)) if kind_set else None, radius)
                if ckey not in cache:
                    cache[ckey] = _near_counts(index, fam, kind_ok, centres, radius)
                near_by_family[fam] = cache[ckey]
            near = near_by_family[fam].get(a, 0)
        rate = rates[key][0] if key in rates else None
        cells.append({
            "area": a, "area_name": _area_name(a), "dept": all_areas[a][1], "family": fam,
            "family_label": labels.get(fam, "métiers non rapprochés du ROME") if fam else
            "métiers non rapprochés du ROME",
            "projects": projects, "difficult": difficult,
            "difficult_share": round(difficult / projects, 3) if projects else None, "secret_rows": secret,
            "tension": tension, "romes_in_tension": in_tension, "sessions": sessions, "places": places,
            "qualifying_sessions_within_radius": near, "employment_rate_6": round(rate, 3) if rate is not None else None,
        })

    gaps = []
    for c in cells:
        if not c["family"]:
            continue
        hot = c["projects"] >= high_needs or (c["tension"] is not None and c["tension"] >= high_tension)
        if hot and c["qualifying_sessions_within_radius"] == 0:
            why = []
            if c["projects"] >= high_needs:
                why.append(f"{c['projects']} projets de recrutement" + (
                    f" dont {pct(c['difficult_share'])} difficiles" if c["difficult_share"] else ""))
            if c["tension"] is not None and c["tension"] >= high_tension:
                why.append(f"tension moyenne {str(c['tension']).replace('.', ',')}/5")
            gaps.append({**c, "gap": "besoin_sans_offre", "gap_label": "besoin sans offre qualifiante",
                         "why": f"{', '.join(why)} ; aucune session qualifiante à moins de {radius} km",
                         "weight": c["difficult"] or c["projects"]})
        low_outcome = c["employment_rate_6"] is None or c["employment_rate_6"] < low_rate
        cold = c["projects"] <= low_needs and (c["tension"] is None or c["tension"] < high_tension - 1)
        if c["sessions"] and cold and low_outcome:
            rate_txt = (f"taux d'emploi à 6 mois {pct(c['employment_rate_6'])}"
                        if c["employment_rate_6"] is not None else "taux d'emploi inconnu")
            gaps.append({**c, "gap": "offre_peu_porteuse", "gap_label": "offre où besoins et débouchés sont faibles",
                         "why": f"{c['sessions']} session(s), {c['places']} places pour {c['projects']} projets de "
                                f"recrutement ; {rate_txt}",
                         "weight": c["places"] or c["sessions"]})
    gaps.sort(key=lambda g: (g["gap"] != "besoin_sans_offre", -g["weight"], g["area"], g["family"]))

    areas_out = []
    for a in chosen:
        kinds_here = {k: {"sessions": v[0], "places": v[1]} for k, v in sorted(by_kind.get(a, {}).items())}
        proj = sum(v[0] for (x, _), v in needs.items() if x == a)
        diff = sum(v[1] for (x, _), v in needs.items() if x == a)
        lat, lon = centres.get(a, (None, None))
        areas_out.append({
            "area": a, "area_name": _area_name(a), "dept": all_areas[a][1], "lat": lat, "lon": lon,
            "sessions": sum(v["sessions"] for v in kinds_here.values()),
            "places": sum(v["places"] for v in kinds_here.values()), "by_kind": kinds_here,
            "projects": proj, "difficult": diff, "difficult_share": round(diff / proj, 3) if proj else None,
            "gaps": sum(1 for g in gaps if g["area"] == a and g["gap"] == "besoin_sans_offre"),
            "note": "" if a in centres else (
                "bassin BMO 2024 sans commune dans la table des communes (plus ancienne) : ses sessions sont "
                "comptées dans les bassins voisins et ses écarts ne sont pas calculés"),
        })
    return {
        "cfas": cfa_table(dept if not area else all_areas[area][1]),
        "filters": {"dept": dept, "area": area, "kinds": sorted(k.value for k in kind_set) if kind_set else None,
                    "family": family},
        "parameters": {"gap_radius_km": radius, "high_needs_projects": high_needs,
                       "low_needs_projects": low_needs, "high_tension": high_tension,
                       "low_employment_rate": low_rate},
        "areas": areas_out, "cells": cells, "gaps": gaps,
        "sources": [BMO_SOURCE, TENSION_SOURCE, "source : InserJeunes (DEPP / DARES), apprentis de Nouvelle-Aquitaine"],
    }


def _near_counts(index: SessionIndex, family: str, kind_ok: np.ndarray | None,
                 centres: dict[str, tuple[float, float]], radius: float) -> dict[str, int]:
    """Area -> number of qualifying sessions of `family` within `radius` km of the area's centre."""
    from catalog.geo import EARTH_RADIUS_KM

    rows = index.by_family.get(family)
    if rows is None or not len(rows):
        return {}
    if kind_ok is not None:
        rows = rows[kind_ok[index.offer_pos[rows]]]
        if not len(rows):
            return {}
    # Sessions share few places (a catalogue has at most a few thousand distinct communes): distances
    # are computed once per distinct point and weighted by its number of sessions.
    points, weight = np.unique(np.stack([index.lat[rows], index.lon[rows]], axis=1), axis=0, return_counts=True)
    codes = list(centres)
    c = np.radians(np.array([centres[a] for a in codes]))  # (areas, 2)
    p1, l1 = c[:, 0:1], c[:, 1:2]
    p2, l2 = points[None, :, 0], points[None, :, 1]
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2) ** 2
    within = (2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))) <= radius
    return dict(zip(codes, (within @ weight).astype(int).tolist()))


def _offer_rates(index: SessionIndex, today: date) -> np.ndarray:
    """InserJeunes employment rate at 6 months of each offer of the index (NaN when none), one lookup per RNCP.

    Cached on the index per day (the minimum cohort size is a dated parameter).
    """
    from catalog.outcomes import INSERJEUNES_KINDS, real_outcome

    cache = index.__dict__.setdefault("_rates", {})
    if today in cache:
        return cache[today]

    by_rncp: dict[str, float] = {}
    out = np.full(len(index.offers), np.nan)
    for i, offer in enumerate(index.offers):
        if offer.kind not in INSERJEUNES_KINDS or not offer.certification.rncp:
            continue
        rncp = offer.certification.rncp
        if rncp not in by_rncp:
            real = real_outcome(rncp, today)
            by_rncp[rncp] = real.rate_6 if real and real.rate_6 is not None else np.nan
        out[i] = by_rncp[rncp]
    cache.clear()
    cache[today] = out
    return out


def cfa_dept(uai: str) -> str:
    """Department of a school or CFA from its UAI code ("0331707B" -> "33"; metropolitan codes only)."""
    return uai[1:3] if len(uai) == 8 and uai[0] == "0" and uai[1:3].isdigit() else ""


def cfa_table(dept: str | None = None) -> list[dict[str, Any]]:
    """InserJeunes figures of the region's CFAs (cohort 2022-2023), lowest value added first.

    A CFA has no commune in the file, only its UAI, whose digits 2-3 give the department: the list
    follows the department filter, not the area one.
    """
    out = []
    for c in ref.cfa_outcomes().values():
        d = cfa_dept(c.uai)
        if dept and d != dept:
            continue
        out.append({"uai": c.uai, "name": c.name, "dept": d, "employment_6": c.employment_6,
                    "expected_6": c.expected_6, "value_added": c.value_added, "further_study": c.further_study})
    out.sort(key=lambda c: (c["value_added"] is None, c["value_added"] if c["value_added"] is not None else 0,
                            c["uai"]))
    return out


def family_options() -> dict[str, str]:
    """FAP 2021 families with mapped ROME codes (filter of the steering page)."""
    return {f: lab for f, lab in sorted(_family_labels().items()) if _romes_by_family().get(f)}


# --------------------------------------------------------------------------- CLI


def run_territory(args) -> int:
    """`python -m catalog territory [--dept NN | --bassin CODE] [--json]`."""
    from catalog.store import CatalogueError, load_catalogue

    try:
        cat = load_catalogue(args.catalogue) if getattr(args, "catalogue", None) else load_catalogue()
    except CatalogueError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    try:
        result = overview(build_index(cat), dept=args.dept, area=args.bassin)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    result["demo"] = cat.is_demo
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(format_overview(result))
    return 0


def run_career(args) -> int:
    """`python -m catalog career --rome F1703 --commune 64445 [--exclude-same-family] [--json]`."""
    from catalog.store import CatalogueError, load_catalogue

    if args.commune not in ref.communes():
        print(f"Commune inconnue en Nouvelle-Aquitaine (code INSEE attendu) : {args.commune}", file=sys.stderr)
        return 2
    bad = [r for r in args.rome if ref.normalise_rome(r) is None]
    if bad:
        print(f"Code ROME invalide : {', '.join(bad)}", file=sys.stderr)
        return 2
    try:
        cat = load_catalogue(args.catalogue) if args.catalogue else load_catalogue()
    except CatalogueError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    jobs = close_jobs(args.rome, args.commune, index_for(cat), radius_km=args.radius_km,
                      exclude_same_family=args.exclude_same_family)
    result = {"experience_romes": [ref.normalise_rome(r) for r in args.rome], "commune": args.commune,
              "exclude_same_family": args.exclude_same_family, "close_jobs": jobs,
              "experience_market": {r: local_market(r, args.commune) for r in args.rome}}
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        for j in jobs:
            print(f"{j['rome']} {j['label']} — {j['relation_label']} : {j['why']}")
        if not jobs:
            print("Aucun métier proche trouvé.")
    return 0


def run_blocs(args) -> int:
    """`python -m catalog blocs RNCP26650 --held RNCP26650BC01 [--json]`."""
    if ref.normalise_rncp(args.rncp) is None:
        print(f"Code RNCP invalide : {args.rncp}", file=sys.stderr)
        return 2
    gap = missing_blocs(args.rncp, args.held)
    if args.json:
        print(json.dumps(gap.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(gap.text)
        for b in gap.missing:
            print(f"- {b.code} {b.title}")
    return 0


def format_overview(result: dict[str, Any], max_gaps: int = 20) -> str:
    lines = ["Pilotage de l'offre" + (" — catalogue de démonstration" if result.get("demo") else "")]
    lines.append(f"{'Bassin':<34} {'dép.':>4} {'sessions':>9} {'places':>7} {'projets BMO':>12} {'difficiles':>10}")
    for a in result["areas"]:
        share = pct(a["difficult_share"]) if a["difficult_share"] is not None else "-"
        lines.append(f"{a['area'] + ' ' + a['area_name']:<34} {a['dept']:>4} {a['sessions']:>9} {a['places']:>7} "
                     f"{a['projects']:>12} {share:>10}")
    lines += ["", f"Écarts ({len(result['gaps'])}, les {min(max_gaps, len(result['gaps']))} premiers) :"]
    for g in result["gaps"][:max_gaps]:
        lines.append(f"- [{g['gap_label']}] {g['area_name']} — {g['family_label']} : {g['why']}")
    lines += ["", *result["sources"]]
    return "\n".join(lines)


# --------------------------------------------------------------------------- index cache

_INDEX_CACHE: dict[str, SessionIndex] = {}


def index_for(catalogue: Any) -> SessionIndex:
    """The session index of a catalogue, cached by its fingerprint (one entry: the current catalogue)."""
    key = catalogue.fingerprint() if callable(getattr(catalogue, "fingerprint", None)) else str(id(catalogue))
    hit = _INDEX_CACHE.get(key)
    if hit is None:
        _INDEX_CACHE.clear()
        hit = _INDEX_CACHE[key] = build_index(catalogue)
    return hit


# --------------------------------------------------------------------------- exports

GAP_COLUMNS = (
    ("gap_label", "Écart"), ("area", "Bassin"), ("area_name", "Nom du bassin"), ("dept", "Département"),
    ("family", "Famille FAP"), ("family_label", "Famille de métiers"), ("projects", "Projets BMO 2024"),
    ("difficult", "dont difficiles"), ("tension", "Tension moyenne 2021"), ("sessions", "Sessions du bassin"),
    ("places", "Places"), ("qualifying_sessions_within_radius", "Sessions qualifiantes dans le rayon"),
    ("employment_rate_6", "Taux d'emploi 6 mois (InserJeunes)"), ("why", "Pourquoi"),
)
CELL_COLUMNS = tuple(c for c in GAP_COLUMNS if c[0] not in ("gap_label", "why"))
CFA_COLUMNS = (
    ("uai", "UAI"), ("name", "CFA"), ("dept", "Département"), ("employment_6", "En emploi à 6 mois (%)"),
    ("expected_6", "Taux attendu (%)"), ("value_added", "Valeur ajoutée (points)"),
    ("further_study", "Poursuite d'études (%)"),
)


def table(items: list[dict[str, Any]], columns=GAP_COLUMNS) -> tuple[list[str], list[list[Any]]]:
    """(header, rows) of gaps or cells for the CSV / XLSX exports (French headers)."""
    return [label for _, label in columns], [[item.get(key) for key, _ in columns] for item in items]

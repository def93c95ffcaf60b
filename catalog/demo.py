"""Deterministic generator of the Nouvelle-Aquitaine demo catalogue.

Why a generator: no open data exists for the Region's own programmes
(marchés qualifiants, HSP Socle, HSP 1er niveau, Amorce de parcours), so the
project ships a realistic, clearly labelled demonstration catalogue. Facts are
real (RNCP certifications, levels, ROME codes from `demo_certifications.csv`,
communes and populations from the referentials); providers, people, dates and
indicators are invented, and every record carries `provenance.demo = True`.

Determinism: one seeded `random.Random` drives everything, inputs are sorted,
and nothing reads the clock, so `generate(seed, anchor)` always yields the same
catalogue and the shipped file can be checked against a fresh generation.

`python -m catalog demo [--seed N] [--anchor YYYY-MM-DD] [--output F]`
"""

from __future__ import annotations

import json
import math
import random
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from catalog import demo_text as txt
from catalog.demo_certs import DemoCert, load_demo_certs
from catalog.model import (
    Accessibility,
    Certification,
    CertificationType,
    Contact,
    Duration,
    EntryMode,
    Modality,
    ModuleTheme,
    Offer,
    OfferKind,
    Outcome,
    Prerequisites,
    Provenance,
    Provider,
    Publics,
    RecruitmentStatus,
    Rhythm,
    Sector,
    Session,
)
from catalog.store import DEMO_PATH, Catalogue, CatalogueError, save_catalogue

GENERATOR_VERSION = "1"
DEFAULT_SEED = 2026
DEFAULT_ANCHOR = date(2026, 12, 1)

# Minimum yearly volumes. QUALIFIANT counts sessions (an offer runs several), the others count offers.
TARGETS = {
    OfferKind.QUALIFIANT: 900,
    OfferKind.HSP_1NQ: 250,
    OfferKind.HSP_SOCLE: 150,
    OfferKind.AMORCE: 100,
    OfferKind.APPRENTISSAGE: 1500,
    OfferKind.MODULE: 60,
}
AIM = 1.06  # generate a little above the minimum so that the shipped file clears it with margin

# LHÉO dict-financeurs codes
REGION, FRANCE_TRAVAIL, AGEFIPH, OPCO = "2", "4", "7", "16"

# Regional demand by sector for Region-funded qualifying training (relative weights).
QUALIFIANT_SECTOR_WEIGHTS = {
    Sector.SANTE_SOCIAL: 16, Sector.BATIMENT: 16, Sector.INDUSTRIE: 12, Sector.LOGISTIQUE_TRANSPORT: 11,
    Sector.HOTELLERIE_RESTAURATION: 9, Sector.NUMERIQUE: 9, Sector.SERVICES: 9, Sector.AGRICULTURE_VITICULTURE: 8,
    Sector.COMMERCE: 6, Sector.ANIMATION_SPORT: 4,
}
APPRENTICESHIP_SECTOR_WEIGHTS = {
    Sector.BATIMENT: 16, Sector.COMMERCE: 15, Sector.HOTELLERIE_RESTAURATION: 12, Sector.INDUSTRIE: 14,
    Sector.SERVICES: 11, Sector.AGRICULTURE_VITICULTURE: 10, Sector.SANTE_SOCIAL: 8, Sector.NUMERIQUE: 7,
    Sector.LOGISTIQUE_TRANSPORT: 5, Sector.ANIMATION_SPORT: 2,
}
# Regional evaluation of the marchés qualifiants 2018-2020: 82 % certified; 69 % positive exit at 6 months, of which
# 61 % in employment and 8 % in further training. The "emploi_6_mois" indicator is employment, hence 61 %.
# Shifts by sector keep the regional mean while varying the figures.
EVAL_CERTIFICATION, EVAL_EMPLOYMENT_6_MONTHS = 0.82, 0.61
OUTCOME_SHIFT = {
    Sector.SANTE_SOCIAL: (0.05, 0.08), Sector.BATIMENT: (0.0, 0.03), Sector.LOGISTIQUE_TRANSPORT: (0.02, 0.02),
    Sector.HOTELLERIE_RESTAURATION: (-0.02, 0.04), Sector.INDUSTRIE: (0.01, 0.04),
    Sector.AGRICULTURE_VITICULTURE: (0.0, -0.02), Sector.ANIMATION_SPORT: (-0.03, -0.05),
    Sector.NUMERIQUE: (-0.04, -0.08), Sector.SERVICES: (0.0, -0.04), Sector.COMMERCE: (-0.02, -0.03),
}
OUTCOME_SOURCE = (
    "Données de démonstration, ordre de grandeur de l'évaluation régionale des marchés qualifiants 2018-2020"
)
# Month of year -> relative weight of session starts (PRF sessions cluster in autumn and winter).
START_MONTH_WEIGHTS = {1: 12, 2: 10, 3: 10, 4: 8, 5: 6, 6: 5, 7: 2, 8: 2, 9: 14, 10: 13, 11: 10, 12: 4}
SECTOR_PHRASE = {
    Sector.SANTE_SOCIAL: "du soin et de l'accompagnement", Sector.BATIMENT: "du bâtiment",
    Sector.LOGISTIQUE_TRANSPORT: "de la logistique et du transport",
    Sector.HOTELLERIE_RESTAURATION: "de l'hôtellerie et de la restauration", Sector.INDUSTRIE: "de l'industrie",
    Sector.AGRICULTURE_VITICULTURE: "de l'agriculture et de la vigne",
    Sector.ANIMATION_SPORT: "de l'animation et du sport",
    Sector.NUMERIQUE: "du numérique", Sector.SERVICES: "des services aux entreprises et aux particuliers",
    Sector.COMMERCE: "du commerce et de la vente",
}
# High-demand certifications offered in every department's main town (RNCP codes of demo_certifications.csv).
CORE_QUALIFIANT = [
    "RNCP4495",  # DE aide-soignant
    "RNCP25467",  # DE accompagnant éducatif et social
    "RNCP4821",  # TP assistant de vie aux familles
    "RNCP278",  # TP agent de propreté et d'hygiène
    "RNCP34860",  # TP préparateur de commandes en entrepôt
    "RNCP435",  # TP maçon
    "RNCP31116",  # TP électricien d'équipement du bâtiment
    "RNCP34095",  # TP cuisinier
    "RNCP8812",  # TP employé commercial en magasin
    "RNCP193",  # TP secrétaire assistant
    "RNCP31114",  # TP développeur web et web mobile
]
CORE_APPRENTISSAGE = [
    "RNCP26650",  # CAP cuisine
    "RNCP30328",  # CAP électricien
    "RNCP28048",  # CAP accompagnant éducatif petite enfance
    "RNCP19118",  # CAP maintenance des véhicules
    "RNCP34031",  # BTS management commercial opérationnel
    "RNCP4495",  # DE aide-soignant
    "RNCP31059",  # BTS comptabilité et gestion
    "RNCP29656",  # CAP maintenance des matériels agricoles (MFR / CFA agricole)
]
# The seven HSP 1er niveau professional families, each with a first-level certification (ADVF first).
CORE_HSP_1NQ = ["RNCP4821", "RNCP278", "RNCP34860", "RNCP30173", "RNCP280", "RNCP8812", "RNCP202"]
PROXIMITY_MIN_POP = 8000
APPRENTICESHIP_MONTHS = {
    CertificationType.CAP: 24, CertificationType.BP: 24, CertificationType.BTS: 24, CertificationType.MC: 12,
    CertificationType.BAC_PRO: 36,
}
MODULE_HOURS = {ModuleTheme.SST: [21], ModuleTheme.PERMIS: [35, 50, 70], None: [20, 35, 50, 70, 105, 150]}
PRIORITIES = ["RQTH", "QPV", "ZRR", "RSA", "JEUNES", "SENIORS"]
GREEN_SECTORS = (Sector.BATIMENT, Sector.AGRICULTURE_VITICULTURE, Sector.INDUSTRIE)
TOWN_MIN_POP, RURAL_MIN_POP, RURAL_SITES_PER_DEPT = 2500, 700, 8
MIN_SESSION_GAP = timedelta(weeks=6)  # two fixed-date sessions of one offer never start closer than this


# --------------------------------------------------------------------------- small helpers


def luhn_complete(digits: str) -> str:
    """Append the check digit that makes `digits` + key pass the Luhn test (SIREN / SIRET keys)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return digits + str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    return number.isdigit() and luhn_complete(number[:-1]) == number


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_text).split())


def _next_weekday(d: date, weekday: int) -> date:
    return d + timedelta(days=(weekday - d.weekday()) % 7)


def _add_months(d: date, months: float) -> date:
    """End of a course lasting `months` that starts on `d`: a weekday, at least one day after the start."""
    end = d + timedelta(days=max(1, round(months * 30.44)))
    if end.weekday() >= 5:  # a weekend: back to Friday unless that falls on the start day
        friday = end - timedelta(days=end.weekday() - 4)
        end = friday if friday > d else end + timedelta(days=7 - end.weekday())
    return end


def window_end(anchor: date) -> date:
    """Last day of the 12 months of sessions starting at `anchor`."""
    day = min(anchor.day, 28) if anchor.month == 2 else anchor.day
    return date(anchor.year + 1, anchor.month, day) - timedelta(days=1)


def _weighted(rng: random.Random, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


@dataclass
class _Site:
    """A training site: a provider in a commune, with its people (shared by all its offers)."""

    provider: Provider
    dept: str
    commune_name: str
    postcode: str
    lat: float
    lon: float
    address: str
    domain: str
    contact: Contact
    referent_handicap: Contact | None
    accessible: bool | None


# --------------------------------------------------------------------------- generator


class _Generator:
    def __init__(self, seed: int, anchor: date, scale: float, certs: list[DemoCert]):
        from catalog.referentials import communes, rome_label

        self.rng = random.Random(seed)
        self.anchor = anchor
        self.window_end = window_end(anchor)
        self.scale = scale
        self.rome_label = rome_label
        self.certs = certs
        self.by_kind = {k: [c for c in certs if k in c.kinds] for k in TARGETS}
        towns: dict[str, list] = {}
        rural: dict[str, list] = {}
        dept_pop: Counter = Counter()
        for c in sorted(communes().values(), key=lambda c: c.insee):
            dept_pop[c.dept] += c.population
            if c.population >= TOWN_MIN_POP:
                towns.setdefault(c.dept, []).append(c)
            elif c.population >= RURAL_MIN_POP:
                rural.setdefault(c.dept, []).append(c)
        # Rural training places are few and stable (MFR, CFA agricole, antennes): a fixed handful per department.
        self.towns = towns
        self.rural = {d: sorted(self.rng.sample(cs, min(RURAL_SITES_PER_DEPT, len(cs))), key=lambda c: c.insee)
                      for d, cs in sorted(rural.items())}
        self.dept_weights = {d: dept_pop[d] for d in sorted(dept_pop)}
        self.sites: dict[tuple[str, str], list[_Site]] = {}
        self.names: set[str] = set()
        self.sirens: set[str] = set()
        self.counter: Counter = Counter()

    # ---- places, providers, people

    def _commune(self, rural_share: float):
        rng = self.rng
        dept = _weighted(rng, self.dept_weights)
        if rng.random() < rural_share and self.rural.get(dept):
            return rng.choice(self.rural[dept])
        towns = self.towns[dept]
        return rng.choices(towns, weights=[c.population**0.7 for c in towns])[0]

    def _person(self, domain: str, role: str) -> Contact:
        rng = self.rng
        first, last = rng.choice(txt.FIRST_NAMES), rng.choice(txt.LAST_NAMES)
        return Contact(
            name=f"{first} {last}",
            role=role,
            phone=f"{txt.FICTION_PHONE_PREFIX} {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}",
            email=f"{_slug(first)}.{_slug(last)}@{domain}",
        )

    def _siret(self) -> str:
        rng = self.rng
        while True:
            siren = luhn_complete(str(rng.randint(10_000_000, 99_999_999)))
            if siren not in self.sirens:
                self.sirens.add(siren)
                return luhn_complete(siren + f"{rng.randint(1, 99):04d}")

    def _site(self, family: str, rural_share: float, commune=None) -> _Site:
        """A site of the given family ("of", "cfa", "agri", "health"); big towns host several providers."""
        rng = self.rng
        commune = commune or self._commune(rural_share)
        sites = self.sites.setdefault((commune.insee, family), [])
        index = rng.randrange(1 + min(4, commune.population // 40_000))
        if index < len(sites):
            return sites[index]
        patterns = {"of": txt.OF_PATTERNS, "cfa": txt.CFA_PATTERNS, "agri": txt.AGRI_PATTERNS,
                    "health": txt.HEALTH_PATTERNS}[family]
        name = rng.choice(patterns).format(w=rng.choice(txt.DEPT_WORDS[commune.dept]), p=rng.choice(txt.AGRI_PLACES))
        if name in self.names:
            name = f"{name} – {commune.name}"
        while name in self.names:
            name = f"{name} bis"
        self.names.add(name)
        domain = f"{_slug(name)[:40].strip('-')}.example"
        # CFAs must have a référent handicap since 2019, but published records often omit the name: ~60 % overall.
        referent_share = 0.68 if family in ("cfa", "agri") else 0.5
        site = _Site(
            provider=Provider(name=name, siret=self._siret(), commune=commune.insee, website=f"https://{domain}"),
            dept=commune.dept,
            commune_name=commune.name,
            postcode=commune.postcodes[0] if commune.postcodes else "",
            lat=round(commune.lat + rng.uniform(-0.004, 0.004), 5),
            lon=round(commune.lon + rng.uniform(-0.004, 0.004), 5),
            address=f"{rng.randint(1, 60)} {rng.choice(txt.STREETS)}",
            domain=domain,
            contact=self._person(domain, "Accueil formation"),
            referent_handicap=self._person(domain, "Référent handicap") if rng.random() < referent_share else None,
            accessible=None,
        )
        site.accessible = True if site.referent_handicap else rng.choice([True, False, None])
        sites.append(site)
        return site

    # ---- dates

    def _start(self) -> date:
        """A Monday in the window, months weighted like real session calendars."""
        rng = self.rng
        months = []
        d = date(self.anchor.year, self.anchor.month, 1)
        while d <= self.window_end:
            months.append(d)
            d = date(d.year + d.month // 12, d.month % 12 + 1, 1)
        first = _weighted(rng, {m: START_MONTH_WEIGHTS[m.month] for m in months})
        start = _next_weekday(first + timedelta(days=rng.randrange(28)), 0)
        if start > self.window_end:
            start -= timedelta(days=7 * math.ceil((start - self.window_end).days / 7))
        if start < self.anchor:
            start = _next_weekday(self.anchor, 0)
        return start

    def _rentree(self) -> date:
        """September intake of apprentices (the one September inside the window)."""
        offset, weekday = self.rng.randrange(24), self.rng.choice([0, 0, 1])
        for year in (self.anchor.year, self.anchor.year + 1):
            d = _next_weekday(date(year, 9, 1) + timedelta(days=offset), weekday)
            if self.anchor <= d <= self.window_end:
                return d
        return _next_weekday(self.anchor, 0)  # the window's September is already (partly) over

    def _session(self, offer_id: str, n: int, site: _Site, start: date, end: date, permanent: bool) -> Session:
        rng = self.rng
        capacity = rng.randint(8, 16)
        full = rng.random() < 0.10
        if full:
            places, status = 0, RecruitmentStatus.FERME if rng.random() < 0.7 else RecruitmentStatus.OUVERT
        else:
            places = rng.randint(1, capacity)
            status = _weighted(rng, {RecruitmentStatus.OUVERT: 95, RecruitmentStatus.SUSPENDU: 2,
                                     RecruitmentStatus.FERME: 3})
        info = start - timedelta(days=rng.randint(14, 28))
        if permanent:
            info = _next_weekday(self.anchor + timedelta(days=rng.randrange(21)), 1)
        return Session(
            id=f"{offer_id}-S{n}",
            offer_id=offer_id,
            start=start,
            end=end,
            commune_insee=site.provider.commune,
            commune_name=site.commune_name,
            postcode=site.postcode,
            lat=site.lat,
            lon=site.lon,
            address=site.address,
            capacity=capacity,
            places_left=places,
            recruitment=status,
            info_session=info,
            entry_mode=EntryMode.PERMANENT if permanent else EntryMode.FIXED_DATES,
        )

    def _sessions(self, offer_id: str, site: _Site, months: float, count: int, permanent_share: float) -> list[Session]:
        rng = self.rng
        out = []
        starts: list[date] = []
        for _ in range(count):
            for _attempt in range(5):
                start = self._start()
                if all(abs(start - other) >= MIN_SESSION_GAP for other in starts):
                    starts.append(start)
                    break
        for i, start in enumerate(sorted(starts), 1):
            if rng.random() < permanent_share:
                first = _next_weekday(self.anchor, 0)
                out.append(self._session(offer_id, i, site, first, self.window_end, permanent=True))
            else:
                out.append(self._session(offer_id, i, site, start, _add_months(start, months), permanent=False))
        return out

    # ---- offer parts

    def _offer_id(self, kind: OfferKind) -> str:
        self.counter[kind] += 1
        prefix = {OfferKind.QUALIFIANT: "PRF", OfferKind.HSP_1NQ: "HSP1", OfferKind.HSP_SOCLE: "HSPS",
                  OfferKind.AMORCE: "AMO", OfferKind.APPRENTISSAGE: "APP", OfferKind.MODULE: "MOD"}[kind]
        return f"DEMO-{prefix}-{self.counter[kind]:05d}"

    def _accessibility(self, site: _Site, modality: Modality, flexible_share: float = 0.35) -> Accessibility:
        rng = self.rng
        part_time = extended = False
        if rng.random() < flexible_share:
            part_time, extended = rng.choice([(True, False), (False, True), (True, True)])
        parts = []
        if site.referent_handicap:
            parts.append("Un référent handicap étudie avec chaque personne les adaptations nécessaires.")
        if site.accessible:
            parts.append("Locaux accessibles aux personnes à mobilité réduite.")
        if part_time:
            parts.append("Parcours à temps partiel possible.")
        if extended:
            parts.append("Allongement de la durée possible.")
        return Accessibility(
            referent_handicap=site.referent_handicap,
            accessible_premises=site.accessible,
            part_time_possible=part_time,
            extended_duration_possible=extended,
            exam_arrangements=site.referent_handicap is not None,
            distance_learning_possible=modality is not Modality.PRESENTIEL,
            text=" ".join(parts),
        )

    def _add_ons(self, sector: Sector | None) -> list[ModuleTheme]:
        rng = self.rng
        chances = {
            ModuleTheme.NUMERIQUE: 0.3,
            ModuleTheme.TRANSITION_ECOLOGIQUE: 0.45 if sector in GREEN_SECTORS else 0.05,
            ModuleTheme.FLE: 0.1,
            ModuleTheme.REMISE_A_NIVEAU: 0.2,
            ModuleTheme.PERMIS: 0.3 if sector in (Sector.LOGISTIQUE_TRANSPORT, Sector.SANTE_SOCIAL) else 0.08,
            ModuleTheme.SST: 0.2 if sector in (Sector.BATIMENT, Sector.INDUSTRIE, Sector.SANTE_SOCIAL) else 0.05,
        }
        return [theme for theme, p in chances.items() if rng.random() < p]

    def _modality(self, sector: Sector) -> Modality:
        digital = sector in (Sector.NUMERIQUE, Sector.SERVICES)
        return _weighted(self.rng, {Modality.PRESENTIEL: 60 if digital else 85, Modality.MIXTE: 30 if digital else 15,
                                    Modality.DISTANCE: 10 if digital else 0})

    def _outcomes(self, sector: Sector, cert_shift: float = 0.0, exit_shift: float = 0.0) -> list[Outcome]:
        rng = self.rng
        if rng.random() > 0.75:  # not every action has published indicators yet
            return []
        dc, de = OUTCOME_SHIFT.get(sector, (0.0, 0.0))
        year = rng.randint(2023, 2025)
        out = []
        for kind, base, sd in (("certification", EVAL_CERTIFICATION + dc + cert_shift, 0.07),
                               ("emploi_6_mois", EVAL_EMPLOYMENT_6_MONTHS + de + exit_shift, 0.09)):
            rate = min(1.0, max(0.3, rng.gauss(base, sd)))
            size = rng.randint(8, 120)
            out.append(Outcome(kind=kind, rate=round(round(rate * size) / size, 3), sample_size=size, year=year,
                               source=OUTCOME_SOURCE))
        return out

    def _description(self, sector: Sector, lead: str) -> str:
        rng = self.rng
        skills, places = txt.SECTOR_CONTENT[sector]
        a, b, c = rng.sample(skills, 3)
        p, q = rng.sample(places, 2)
        return f"{lead} Au programme : {a}, {b} et {c}. Débouchés : {p}, {q}."

    def _romes_text(self, romes: tuple[str, ...]) -> str:
        labels = [self.rome_label(r) for r in romes[:3]]
        return ", ".join(label.lower() for label in labels if label)

    def _pick_cert(self, kind: OfferKind, sector_weights: dict[Sector, int]) -> DemoCert:
        """A certification of `kind`: its sector drawn with the published weights, then one of that sector."""
        sector = _weighted(self.rng, sector_weights)
        return self.rng.choice([c for c in self.by_kind[kind] if c.sector is sector])

    def _certifying(self, cert: DemoCert, lead: str, objectives: str) -> dict[str, Any]:
        """The fields of an offer leading to `cert`, as keyword arguments of `_base` (in the order they draw
        from the random generator, so the generated catalogue does not change)."""
        return {"description": self._description(cert.sector, lead), "objectives": objectives,
                "certification": self._certification(cert), "rome_codes": list(cert.romes)}

    def _certification(self, cert: DemoCert) -> Certification:
        blocs = cert.type in (CertificationType.TP, CertificationType.TITRE, CertificationType.BP, CertificationType.DE)
        return Certification(type=cert.type, title=cert.title, rncp=cert.rncp, level=cert.level,
                             modular=blocs and self.rng.random() < 0.4)

    def _base(self, kind: OfferKind, site: _Site, title: str, sector: Sector, **fields) -> Offer:
        oid = self._offer_id(kind)
        return Offer(
            id=oid,
            kind=kind,
            title=title,
            sector=sector,
            provider=site.provider,
            contact=site.contact,
            url=f"https://{site.domain}/formations/{oid.lower()}",
            provenance=Provenance(source="demo", record_id=oid, demo=True),
            last_update=self.anchor - timedelta(days=self.rng.randint(3, 120)),
            **fields,
        )

    @staticmethod
    def _family(cert: DemoCert, agri: bool, default: str) -> str:
        """Health and social diplomas are taught in dedicated institutes, farming ones in MFR / CFA agricole."""
        if cert.type is CertificationType.DE and cert.sector is Sector.SANTE_SOCIAL:
            return "health"
        return "agri" if agri else default

    def _social(self, site: _Site, share: float) -> Contact | None:
        return self._person(site.domain, "Référent social") if self.rng.random() < share else None

    # ---- one offer per kind

    def qualifiant(self, cert: DemoCert | None = None, commune=None) -> Offer:
        rng = self.rng
        cert = cert or self._pick_cert(OfferKind.QUALIFIANT, QUALIFIANT_SECTOR_WEIGHTS)
        sector = cert.sector
        agri = sector is Sector.AGRICULTURE_VITICULTURE
        site = self._site(self._family(cert, agri, "of"), 0.25 if agri else 0.04, commune)
        months = min(12, max(3, cert.months + rng.choice([0, 1, 1, 2])))
        ratio = months / cert.months
        modality = self._modality(sector)
        min_level = cert.level - 1 if cert.level >= 4 else None
        experience = rng.choice([0, 0, 6, 12]) if cert.level >= 4 else rng.choice([0, 0, 0, 6])
        prereq_text = (f"Niveau {min_level} validé ou expérience dans le domaine." if min_level else
                       "Pas de diplôme exigé ; projet professionnel validé avec un conseiller.")
        if experience:
            prereq_text += f" Expérience souhaitée : {experience} mois dans le métier ou un métier proche."
        offer = self._base(
            OfferKind.QUALIFIANT, site, cert.title, sector,
            **self._certifying(
                cert, f"Formation qualifiante financée par la Région Nouvelle-Aquitaine, préparant à la "
                      f"certification « {cert.title} » (niveau {cert.level}).",
                f"Obtenir la certification {cert.title} (niveau {cert.level}, {cert.rncp}) et accéder aux "
                f"métiers : {self._romes_text(cert.romes)}."),
            funders=[REGION] + ([FRANCE_TRAVAIL] if rng.random() < 0.15 else [])
            + ([AGEFIPH] if rng.random() < 0.06 else []),
            prerequisites=Prerequisites(min_level=min_level, experience_months=experience, tests=True, interview=True,
                                        text=prereq_text + " " + txt.SELECTION_TEXT["qualifiant"]),
            publics=Publics(min_age=18, statuses=["demandeur_emploi", "salarie_iae", "contrat_aide"],
                            priorities=sorted(rng.sample(PRIORITIES, rng.randint(0, 2))),
                            text="Demandeurs d'emploi ; salariés en insertion (IAE) et en contrat aidé."),
            modality=modality,
            rhythm=Rhythm.FULL_TIME,
            duration=Duration(hours_centre=round(cert.hours_centre * ratio / 7) * 7,
                              hours_company=round(cert.hours_company * ratio / 7) * 7,
                              months=float(months), hours_per_week=35.0),
            accessibility=self._accessibility(site, modality),
            referent_social=self._social(site, 0.2),
            add_ons=self._add_ons(sector),
            outcomes=self._outcomes(sector),
        )
        count = _weighted(rng, {1: 30, 2: 38, 3: 22, 4: 10})
        offer.sessions = self._sessions(offer.id, site, months, count, permanent_share=0.04)
        return offer

    def hsp_1nq(self, cert: DemoCert | None = None, commune=None) -> Offer:
        rng = self.rng
        cert = cert or rng.choice(self.by_kind[OfferKind.HSP_1NQ])
        agri = cert.sector is Sector.AGRICULTURE_VITICULTURE
        site = self._site("agri" if agri else "of", 0.25 if agri else 0.06, commune)
        months = _weighted(rng, {6: 10, 9: 20, 12: 30, 15: 15, 18: 15, 24: 10})
        part_time = rng.random() < 0.3
        hours_week = float(rng.choice([24, 28, 30])) if part_time else 35.0
        weeks = months * 52 / 12
        offer = self._base(
            OfferKind.HSP_1NQ, site, f"HSP 1er niveau de qualification – {cert.title}", cert.sector,
            **self._certifying(
                cert, "Parcours individualisé « sans couture » vers une première qualification, sous "
                      "Habilitation de service public de la Région.",
                f"Obtenir une première certification : {cert.title} (niveau {cert.level}, {cert.rncp}), "
                f"le cas échéant par blocs de compétences. Métiers visés : {self._romes_text(cert.romes)}."),
            funders=[REGION],
            prerequisites=Prerequisites(
                max_level=3, tests=False, interview=False,
                text="Niveau 3 validé au maximum, niveau 4 non validé, ou niveau 4 obsolète (pas d'activité dans "
                     "le domaine depuis 2 ans). " + txt.SELECTION_TEXT["hsp"]),
            publics=Publics(min_age=16, statuses=["demandeur_emploi"],
                            priorities=["JEUNES", "RSA", "QPV"][: rng.randint(0, 3)],
                            text="Personnes de 16 ans et plus, en recherche d'emploi, peu qualifiées, rencontrant des "
                                 "difficultés d'insertion ou d'apprentissage."),
            modality=Modality.PRESENTIEL,
            rhythm=Rhythm.PART_TIME if part_time else Rhythm.FULL_TIME,
            duration=Duration(hours_centre=round(weeks * hours_week * 0.75 / 7) * 7,
                              hours_company=round(weeks * hours_week * 0.25 / 7) * 7, months=float(months),
                              hours_per_week=hours_week),
            accessibility=self._accessibility(site, Modality.PRESENTIEL, flexible_share=0.5),
            referent_social=self._social(site, 0.5),
            add_ons=self._add_ons(cert.sector),
            outcomes=self._outcomes(cert.sector, cert_shift=-0.08, exit_shift=-0.1),
        )
        offer.sessions = self._sessions(offer.id, site, months, _weighted(rng, {1: 70, 2: 30}), 0.6)
        return offer

    def hsp_socle(self, key: str | None = None, commune=None) -> Offer:
        rng = self.rng
        key = key or _weighted(rng, {"ECLA": 35, "FLE": 30, "NUMERIQUE": 20, "PASSERELLE": 15})
        label, aim = txt.SOCLE_OBJECTIVES[key]
        site = self._site("of", 0.1, commune)
        weeks = rng.choice([4, 6, 8, 10, 12, 16, 20, 26])
        hours_week = float(rng.choice([20, 24, 25, 28, 30]))
        offer = self._base(
            OfferKind.HSP_SOCLE, site, f"HSP Socle de compétences – {label}", Sector.TRANSVERSAL,
            description=f"Parcours individualisé sous Habilitation de service public de la Région pour {aim}. "
                        "Positionnement à l'entrée, ateliers en petits groupes, évaluation CléA possible en fin "
                        "de parcours.",
            objectives=f"Objectif {label} : {aim} ; sécuriser la suite du parcours (formation qualifiante, emploi).",
            funders=[REGION],
            prerequisites=Prerequisites(text="Aucun niveau exigé. " + txt.SELECTION_TEXT["hsp"]),
            publics=Publics(min_age=16, statuses=["demandeur_emploi"],
                            priorities=["FLE"] if key == "FLE" else [],
                            text="Personnes de 16 ans et plus, en recherche d'emploi, en capacité d'occuper un emploi "
                                 "en milieu ordinaire."),
            rhythm=Rhythm.PART_TIME,
            duration=Duration(hours_centre=int(weeks * hours_week), hours_company=0, months=round(weeks * 12 / 52, 1),
                              hours_per_week=hours_week),
            accessibility=self._accessibility(site, Modality.PRESENTIEL, flexible_share=0.5),
            referent_social=self._social(site, 0.5),
            add_ons=[ModuleTheme.NUMERIQUE] if key != "NUMERIQUE" and rng.random() < 0.4 else [],
        )
        offer.sessions = self._sessions(offer.id, site, weeks * 12 / 52, _weighted(rng, {1: 65, 2: 35}), 0.7)
        return offer

    def amorce(self) -> Offer:
        rng = self.rng
        sector = _weighted(rng, QUALIFIANT_SECTOR_WEIGHTS)
        romes = sorted({r for c in self.certs if c.sector is sector for r in c.romes})
        picked = sorted(rng.sample(romes, min(3, len(romes))))
        site = self._site("of", 0.08)
        months = rng.choice([1, 1.5, 2, 2, 3])
        weeks = months * 52 / 12
        offer = self._base(
            OfferKind.AMORCE, site, f"Amorce de parcours – découverte des métiers {SECTOR_PHRASE[sector]}", sector,
            description=txt.AMORCE_TEXT.format(sector=SECTOR_PHRASE[sector]),
            objectives=f"Valider un projet professionnel vers les métiers : {self._romes_text(tuple(picked))} ; "
                       f"préparer l'entrée en formation qualifiante, en HSP 1er niveau ou en apprentissage.",
            rome_codes=picked,
            funders=[REGION],
            prerequisites=Prerequisites(text="Aucun prérequis : action ouverte aux personnes sans projet validé."),
            publics=Publics(min_age=16, statuses=["demandeur_emploi"],
                            text="Personnes de 16 ans et plus, en recherche d'emploi."),
            rhythm=Rhythm.FULL_TIME,
            duration=Duration(hours_centre=round(weeks * 35 * 0.6), hours_company=round(weeks * 35 * 0.4),
                              months=float(months), hours_per_week=35.0),
            accessibility=self._accessibility(site, Modality.PRESENTIEL),
            referent_social=self._social(site, 0.35),
            add_ons=self._add_ons(sector),
        )
        offer.sessions = self._sessions(offer.id, site, months, _weighted(rng, {1: 50, 2: 35, 3: 15}), 0.2)
        return offer

    def apprentissage(self, cert: DemoCert | None = None, commune=None) -> Offer:
        rng = self.rng
        cert = cert or self._pick_cert(OfferKind.APPRENTISSAGE, APPRENTICESHIP_SECTOR_WEIGHTS)
        sector = cert.sector
        agri = sector is Sector.AGRICULTURE_VITICULTURE or cert.title.startswith("CAP agricole")
        site = self._site(self._family(cert, agri, "cfa"), 0.5 if agri else 0.05, commune)
        months = APPRENTICESHIP_MONTHS.get(cert.type) or (
            max(12, cert.months) if cert.type is CertificationType.DE else rng.choice([12, 12, 18, 24]))
        centre = round(months / 12 * rng.randint(400, 500) / 7) * 7
        total = round(months * 52 / 12 * 35 * 0.9)  # minus paid holidays
        min_level = cert.level - 1 if cert.level >= 4 else None
        offer = self._base(
            OfferKind.APPRENTISSAGE, site, f"{cert.title} – apprentissage", sector,
            **self._certifying(
                cert, f"Formation en apprentissage préparant à la certification « {cert.title} », en alternance "
                      "entre le centre de formation et l'entreprise.",
                f"Obtenir la certification {cert.title} (niveau {cert.level}, {cert.rncp}) en alternance. "
                f"Métiers visés : {self._romes_text(cert.romes)}."),
            funders=[OPCO],
            prerequisites=Prerequisites(
                min_level=min_level, interview=True,
                text=(f"Niveau {min_level} validé. " if min_level else "Après la 3e ou plus. ")
                + txt.SELECTION_TEXT["apprentissage"]),
            publics=Publics(min_age=16, max_age=29, statuses=["jeune", "demandeur_emploi", "salarie"],
                            priorities=["RQTH"], text=txt.APPRENTICESHIP_PUBLICS),
            modality=Modality.PRESENTIEL,
            rhythm=Rhythm.ALTERNANCE,
            duration=Duration(hours_centre=centre, hours_company=total - centre, months=float(months),
                              hours_per_week=35.0),
            accessibility=self._accessibility(site, Modality.PRESENTIEL),
            referent_social=self._social(site, 0.1),
            add_ons=self._add_ons(sector) if rng.random() < 0.5 else [],
            outcomes=self._outcomes(sector, cert_shift=-0.02, exit_shift=-0.04),
        )
        sessions = []
        if rng.random() < 0.1:  # entrées permanentes: a contract can start any time of year
            first = _next_weekday(self.anchor, 0)
            sessions.append(self._session(offer.id, 1, site, first, self.window_end, permanent=True))
        else:
            start = self._rentree()
            sessions.append(self._session(offer.id, 1, site, start, _add_months(start, months), permanent=False))
            if rng.random() < 0.25:  # rentrée décalée (January-March)
                start = self._start()
                sessions.append(self._session(offer.id, 2, site, start, _add_months(start, months), permanent=False))
        offer.sessions = sorted(sessions, key=lambda s: (s.start, s.id))
        return offer

    def module(self, theme: ModuleTheme) -> Offer:
        rng = self.rng
        title, aim = rng.choice(txt.MODULE_TITLES[theme])
        site = self._site("of", 0.08)
        hours = rng.choice(MODULE_HOURS.get(theme, MODULE_HOURS[None]))
        hours_week = float(rng.choice([7, 14, 21, 35]))
        months = round(hours / hours_week * 12 / 52, 1)
        cert = Certification()
        if theme is ModuleTheme.SST:
            cert = Certification(type=CertificationType.RS, title="Certificat Sauveteur secouriste du travail (SST)")
        elif theme is ModuleTheme.CLEA:
            cert = Certification(type=CertificationType.RS, title=f"Certificat {title.split('certificat ')[-1]}")
        blended = theme in (ModuleTheme.NUMERIQUE, ModuleTheme.CLEA) and rng.random() < 0.4
        modality = Modality.MIXTE if blended else Modality.PRESENTIEL
        offer = self._base(
            OfferKind.MODULE, site, title, Sector.TRANSVERSAL,
            description=f"Module court ({hours} h) pour {aim}. Il peut compléter une formation qualifiante, un "
                        "parcours HSP ou une recherche d'emploi.",
            objectives=aim[0].upper() + aim[1:] + ".",
            certification=cert,
            funders=[REGION] if rng.random() < 0.7 else [FRANCE_TRAVAIL],
            prerequisites=Prerequisites(text="Aucun prérequis."),
            publics=Publics(min_age=16, statuses=["demandeur_emploi", "salarie_iae"],
                            text="Personnes en recherche d'emploi."),
            modality=modality,
            rhythm=Rhythm.PART_TIME if hours_week < 35 else Rhythm.FULL_TIME,
            duration=Duration(hours_centre=hours, hours_company=0, months=months, hours_per_week=hours_week),
            accessibility=self._accessibility(site, modality, flexible_share=0.2),
            module_theme=theme,
        )
        offer.sessions = self._sessions(offer.id, site, months, _weighted(rng, {1: 40, 2: 40, 3: 20}), 0.1)
        return offer

    # ---- whole catalogue

    def run(self) -> list[Offer]:
        def aim(kind: OfferKind) -> int:
            return math.ceil(TARGETS[kind] * AIM * self.scale)

        def missing(kind: OfferKind) -> int:
            return max(0, aim(kind) - sum(o.kind is kind for o in offers))

        # Coverage first, as in reality, so that no employment area is left without the basics a random draw
        # could miss: every department's main town offers the high-demand trades (IFAS, CFAs...) and the seven
        # HSP 1er niveau families; every town of PROXIMITY_MIN_POP inhabitants or more has basic skills (HSP
        # Socle ECLA) and a first qualification in home care (HSP 1er niveau ADVF). Random offers follow.
        by_rncp = {c.rncp: c for c in self.certs}
        offers: list[Offer] = []
        main_towns = {}
        for dept in self.dept_weights:
            main_towns[dept] = town = max(self.towns[dept], key=lambda c: (c.population, c.insee))
            offers += [self.qualifiant(by_rncp[r], town) for r in CORE_QUALIFIANT]
            offers += [self.apprentissage(by_rncp[r], town) for r in CORE_APPRENTISSAGE]
            offers += [self.hsp_1nq(by_rncp[r], town) for r in CORE_HSP_1NQ]
        for dept, towns in self.towns.items():
            for town in towns:
                if town.population >= PROXIMITY_MIN_POP:
                    offers.append(self.hsp_socle("ECLA", town))
                    if town is not main_towns[dept]:
                        offers.append(self.hsp_1nq(by_rncp[CORE_HSP_1NQ[0]], town))
        q_sessions = sum(len(o.sessions) for o in offers if o.kind is OfferKind.QUALIFIANT)
        while q_sessions < aim(OfferKind.QUALIFIANT):
            offer = self.qualifiant()
            q_sessions += len(offer.sessions)
            offers.append(offer)
        offers += [self.hsp_1nq() for _ in range(missing(OfferKind.HSP_1NQ))]
        offers += [self.hsp_socle() for _ in range(missing(OfferKind.HSP_SOCLE))]
        offers += [self.amorce() for _ in range(aim(OfferKind.AMORCE))]
        offers += [self.apprentissage() for _ in range(missing(OfferKind.APPRENTISSAGE))]
        themes = [t for t in txt.MODULE_TITLES]
        offers += [self.module(themes[i] if i < len(themes) else self.rng.choice(themes))
                   for i in range(max(len(themes), aim(OfferKind.MODULE)))]
        return offers


# --------------------------------------------------------------------------- public API


def generate_offers(seed: int = DEFAULT_SEED, anchor: date = DEFAULT_ANCHOR, scale: float = 1.0) -> list[Offer]:
    """The demo offers; `scale` < 1 shrinks the random volumes (fast tests), coverage offers stay."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    return _Generator(seed, anchor, scale, load_demo_certs()).run()


def generate(seed: int = DEFAULT_SEED, anchor: date = DEFAULT_ANCHOR, scale: float = 1.0) -> Catalogue:
    """The demo catalogue with its header (no clock, so the written file is reproducible byte for byte)."""
    offers = generate_offers(seed, anchor, scale)
    meta = {
        "generator": "catalog.demo",
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "anchor": anchor.isoformat(),
        "window_end": window_end(anchor).isoformat(),
        "scale": scale,
        "demo": True,
        "label": "Données de démonstration : organismes, personnes, sessions et indicateurs fictifs ; "
                 "certifications, codes ROME et communes réels.",
    }
    return Catalogue(offers, meta)


def run_demo(args) -> int:
    """`python -m catalog demo`: regenerate and write the demo catalogue atomically."""
    seed = DEFAULT_SEED if args.seed is None else args.seed
    try:
        anchor = date.fromisoformat(args.anchor) if args.anchor else DEFAULT_ANCHOR
    except ValueError:
        print(f"Date d'ancrage invalide : {args.anchor!r} (format attendu : AAAA-MM-JJ)", file=sys.stderr)
        return 2
    output = Path(args.output) if args.output else DEMO_PATH
    # No clock in the header: the same seed and anchor give the same bytes (the shipped
    # file is checked byte for byte against a fresh generation by tests/test_demo.py).
    cat = generate(seed, anchor)
    try:
        path = save_catalogue(cat, output)
    except CatalogueError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    summary = {"output": str(path), "seed": seed, "anchor": anchor.isoformat(), "fingerprint": cat.fingerprint(),
               "size_bytes": path.stat().st_size, **cat.counts()}
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    return 0

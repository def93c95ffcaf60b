"""The person's profile: JSON contract, validation with French messages, derived facts.

An adviser types the profile once; every rule reads it. `parse_profile` checks
the whole input and reports ALL problems at once (each a French message naming
the field) so nothing typed is lost to a one-error-at-a-time loop. Facts that the
rules need but that are computed (obsolete level, NEET, indemnised...) live here
as methods taking `today`, so they are computed one way for every rule.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum
from typing import Any, Callable

from assistant.parameters import param
from assistant.schemes import (
    BasicSkillGap,
    Constraint,
    ContractKind,
    FrenchLevel,
    IncomeSupport,
    Organisation,
    Status,
)
from catalog.model import to_dict

ROME_RE = re.compile(r"^[A-N]\d{4}$")
# A diploma with no declared month is taken as obtained in July (end of the exam sessions).
DEFAULT_DIPLOMA_MONTH = 7


class ProfileError(ValueError):
    """Invalid profile: `problems` lists (field, French message) for every problem found."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("\n".join(self.messages))

    @property
    def messages(self) -> list[str]:
        return [f"{_label(name)} : {msg}" for name, msg in self.problems]


FIELD_LABELS = {
    "age": "âge",
    "commune": "commune",
    "wish": "métier souhaité (wish)",
}


def _label(name: str) -> str:
    return FIELD_LABELS.get(name, name)


# --------------------------------------------------------------------------- parts


@dataclass
class Diploma:
    title: str
    level: int  # national level 0..8 (0 = no level: DNB, CFG)
    year: int | None = None
    month: int | None = None
    romes: list[str] = field(default_factory=list)  # jobs the diploma leads to (field for R-OBS)
    vocational: bool | None = None  # None: guessed from the title (bac général/techno are not)
    in_nouvelle_aquitaine: bool = True

    @property
    def is_vocational(self) -> bool:
        if self.vocational is not None:
            return self.vocational
        norm = fold_accents(self.title)
        return not re.search(r"\b(bac|baccalaureat)\s+(general|techno|technologique|s|es|l)\b|\b(dnb|brevet|cfg|daeu)\b", norm)

    def obtained_on(self) -> date | None:
        if self.year is None:
            return None
        return date(self.year, self.month or DEFAULT_DIPLOMA_MONTH, 1)


@dataclass
class Experience:
    job: str = ""
    rome: str | None = None
    months: int = 0
    last_year: int | None = None


@dataclass
class Mobility:
    max_km: int | None = None  # None: the R-MOB-SEARCH default radius on the day of the plan
    driving_licence: bool = False
    car: bool = False
    public_transport: bool = True
    moped: bool = False


@dataclass
class Availability:
    part_time_only: bool = False
    earliest_start: date | None = None


@dataclass
class EmploymentContract:
    """Current employment (employees only): needed for the PTP seniority rule."""

    kind: ContractKind = ContractKind.CDI
    company_months: int = 0  # seniority in the current company
    employee_months: int = 0  # total months as an employee (CDD: over the last 5 years)
    cdd_months_last_12: int = 0
    interim_branch_hours: int = 0
    interim_agency_hours: int = 0
    rome: str | None = None  # current job


@dataclass
class LastContract:
    """The last employment contract of a jobseeker: a CDD ended less than 6 months ago still opens the PTP."""

    kind: ContractKind = ContractKind.CDD
    end: date | None = None


@dataclass
class Profile:
    age: int
    commune: str
    wish: str
    status: Status = Status.DEMANDEUR_EMPLOI
    registered_france_travail: bool | None = None  # None: derived from the status
    registration_months: int = 0
    income_support: IncomeSupport = IncomeSupport.AUCUN
    level_validated: int = 0  # parse_profile: defaults to the highest declared diploma
    level_reached: int | None = None  # None: same as validated
    diplomas: list[Diploma] = field(default_factory=list)
    foreign_diploma_unrecognised: bool = False
    experience: list[Experience] = field(default_factory=list)
    rqth: bool = False
    rqth_pending: bool = False
    qpv: bool = False
    zrr: bool = False
    mobility: Mobility = field(default_factory=Mobility)
    availability: Availability = field(default_factory=Availability)
    basic_skills_gaps: list[BasicSkillGap] = field(default_factory=list)
    french_level: FrenchLevel | None = None  # None: French is the first language / not assessed
    project_validated: bool = False
    wish_romes: list[str] = field(default_factory=list)
    last_region_training_end: date | None = None
    last_region_training_rome: str | None = None
    hiring_offer: bool = False
    single_parent: bool = False
    constraints: list[Constraint] = field(default_factory=list)
    # optional additions (not in the first contract)
    followed_by: Organisation | None = None
    employment_contract: EmploymentContract | None = None
    # funding and income (issue 9): all optional; absent means "not known", never "zero"
    last_contract: LastContract | None = None
    income_support_end: date | None = None  # the day ARE (or the CSP allowance) rights end
    cpf_balance_eur: float | None = None
    previous_salary_monthly: float | None = None  # gross, for the RQTH trainee pay and the PTP pay
    aah: bool = False  # receives the AAH (also true when income_support is "AAH")
    wants_alternance: bool | None = None  # None: not asked
    newcomer_cir: bool = False  # signed a contrat d'intégration républicaine (OFII)
    level_obsolete: bool | None = None  # adviser's judgement overrides R-OBS when set
    worked_months_last_12: int = 0
    worked_months_last_24: int = 0
    business_creation: bool = False  # creating a business that needs the diploma (APP exemption)
    # planner additions (issue 8): the job the adviser confirmed (skips the text resolution) and the birth
    # month, so that an age limit is checked at each step's start rather than on today's age
    confirmed_rome: str | None = None
    birth_date: str | None = None  # "YYYY-MM"
    blocs_held: list[str] = field(default_factory=list)  # RNCP blocs already validated ("RNCP35830BC01"), R-BLOC

    def __post_init__(self) -> None:
        if self.registered_france_travail is None:
            self.registered_france_travail = self.status in (Status.DEMANDEUR_EMPLOI, Status.CSP)
        if self.level_reached is None:
            self.level_reached = self.level_validated
        if self.income_support == IncomeSupport.AAH:
            self.aah = True

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)

    # ------------------------------------------------------------ derived facts

    @property
    def birth_month(self) -> date | None:
        """First day of the birth month (None when only the age is known)."""
        if not self.birth_date:
            return None
        return _month_start(self.birth_date)

    def birthday(self, age: int, today: date) -> tuple[date, bool]:
        """(day the person turns `age`, exact?). With the birth month it is the 1st of that month (the
        cautious reading of an upper age limit); with the age alone, the earliest day it can be: the
        person may turn `self.age + 1` tomorrow, so the result is a lower bound and not exact."""
        born = self.birth_month
        if born is not None:
            return _add_years(born, age), True
        return _add_years(today, age - self.age - 1) + timedelta(days=1), False

    def age_on(self, day: date, today: date) -> int:
        """Age on `day` (the cautious upper value when only today's age is known)."""
        born = self.birth_month
        if born is not None:
            return _years_between(born, day)
        return self.age + max(0, _years_between(today + timedelta(days=1), day) + 1) if day > today else self.age

    @property
    def time_constrained(self) -> bool:
        """Part time only, or only during school hours: every training step must be part-time or adapted."""
        return self.availability.part_time_only or Constraint.HORAIRES_SCOLAIRES in self.constraints

    def reach_km(self, today: date) -> int:
        """The radius the person can really travel: a moped alone (no car, no public transport) reaches about
        `mobility.moped_km` (invariant 6)."""
        radius = self.search_radius_km(today)
        mob = self.mobility
        if mob.moped and not (mob.driving_licence and mob.car) and not mob.public_transport:
            radius = min(radius, param("mobility.moped_km", today))
        return radius

    def search_radius_km(self, today: date) -> int:
        return self.mobility.max_km if self.mobility.max_km is not None else param("mobility.search_radius_km", today)

    @property
    def is_jobseeker(self) -> bool:
        """Part of the Region's jobseeker public: jobseekers, people without work, CSP."""
        return self.status in (Status.DEMANDEUR_EMPLOI, Status.SANS_ACTIVITE, Status.CSP)

    @property
    def is_neet(self) -> bool:
        """Neither in employment, nor in education or training."""
        return self.status in (Status.DEMANDEUR_EMPLOI, Status.SANS_ACTIVITE)

    @property
    def indemnised(self) -> bool:
        """Receives unemployment insurance (ARE). RSA/ASS/AAH count as not indemnised (R-RSA)."""
        return self.income_support == IncomeSupport.ARE

    @property
    def rqth_or_pending(self) -> bool:
        return self.rqth or self.rqth_pending

    def eligibility_level(self, today: date) -> int:
        """Validated level used for eligibility: an unrecognised foreign diploma counts as infra-3 [I]."""
        if self.foreign_diploma_unrecognised:
            return min(self.level_validated, param("levels.first_qualification", today) - 1)
        return self.level_validated

    def highest_diploma(self) -> Diploma | None:
        best = [d for d in self.diplomas if d.level == self.level_validated]
        return max(best, key=lambda d: d.year or 0) if best else None

    def field_experience(self, diploma: Diploma) -> list[Experience]:
        """Experiences in the diploma's field: same ROME domain (3 first characters) or a shared word stem."""
        domains = {r[:3] for r in diploma.romes}
        stems = _stems(diploma.title)
        return [
            e for e in self.experience
            if (e.rome and e.rome[:3] in domains) or (stems & _stems(e.job))
        ]

    def is_level_obsolete(self, today: date) -> bool | None:
        """R-OBS: the highest vocational qualification is obsolete (≥ N years out of its field).

        True/False when it can be told; None when it cannot (no field known for the
        diploma and no matching experience): the rules then never assume obsolescence.
        """
        if self.level_obsolete is not None:
            return self.level_obsolete
        diploma = self.highest_diploma()
        if diploma is None or not diploma.is_vocational:
            return None
        years = param("obs.years_out_of_field", today)
        matching = self.field_experience(diploma)
        last_years = [e.last_year for e in matching if e.last_year is not None]
        if last_years:
            return _years_since_end_of(max(last_years), today) >= years
        if matching:  # field experience of unknown date
            return None
        obtained = diploma.obtained_on()
        if diploma.romes and obtained is not None:
            return _years_between(obtained, today) >= years
        return None

    def field_experience_months(self, romes: list[str]) -> int:
        """Months of experience in the ROME domains of `romes` (target job): the loose "field" of R-MQ/R-PROJ."""
        domains = {r[:3] for r in romes}
        return sum(e.months for e in self.experience if e.rome and e.rome[:3] in domains)

    def job_experience_months(self, romes: list[str]) -> int:
        """Months of experience in exactly one of the jobs `romes`: R-VAE needs experience *directly* linked to
        the certification, so a painter's years do not count toward an electrician's VAE (same ROME domain)."""
        codes = set(romes)
        return sum(e.months for e in self.experience if e.rome in codes)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _years_since_end_of(year: int, today: date) -> int:
    """Whole years since 31 Dec of `year`: an experience known by year is assumed to last to its end
    (the cautious reading: it never makes a qualification obsolete too early)."""
    return _years_between(date(year, 12, 31), today)


def _month_start(year_month: str) -> date:
    """First day of a validated "AAAA-MM" birth month (the day is unknown: the 1st is the cautious reading)."""
    year, month = (int(x) for x in year_month.split("-")[:2])
    return date(year, month, 1)


def _years_between(start: date, end: date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def fold_accents(text: str) -> str:
    """Lower case without accents: free-text titles compare the way an adviser reads them."""
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


_STOP = {"diplome", "titre", "professionnel", "certificat", "brevet", "mention", "option", "niveau", "agent", "assistant", "assistante"}


def _stems(text: str) -> set[str]:
    words = re.findall(r"[a-z]{4,}", fold_accents(text))
    return {w[:5] for w in words if w not in _STOP}


# --------------------------------------------------------------------------- parsing


class _Checker:
    """Collects problems while converting raw JSON values field by field."""

    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []

    def fail(self, name: str, msg: str) -> None:
        self.problems.append((name, msg))

    def int_(self, name: str, value: Any, lo: int, hi: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            self.fail(name, f"doit être un entier entre {lo} et {hi}")
            return None
        return value

    def bool_(self, name: str, value: Any) -> bool | None:
        if not isinstance(value, bool):
            self.fail(name, "doit valoir vrai ou faux (true/false)")
            return None
        return value

    def text(self, name: str, value: Any, required: bool = True) -> str | None:
        if not isinstance(value, str) or (required and not value.strip()):
            self.fail(name, "doit être un texte non vide" if required else "doit être un texte")
            return None
        return value.strip()

    def date_(self, name: str, value: Any) -> date | None:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            self.fail(name, "doit être une date AAAA-MM-JJ (ex. 2026-12-01)")
            return None

    def enum_(self, name: str, value: Any, enum_cls: type[Enum]) -> Any:
        try:
            return enum_cls(value)
        except ValueError:
            allowed = ", ".join(e.value for e in enum_cls)
            self.fail(name, f"valeur « {value} » inconnue ; valeurs possibles : {allowed}")
            return None

    def rome(self, name: str, value: Any) -> str | None:
        if not isinstance(value, str) or not ROME_RE.match(value.strip().upper()):
            self.fail(name, f"« {value} » n'est pas un code ROME (une lettre et 4 chiffres, ex. G1602)")
            return None
        return value.strip().upper()

    def number(self, name: str, value: Any, lo: float, hi: float) -> float | None:
        """An amount in euros (integer or decimal)."""
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
            self.fail(name, f"doit être un montant en euros entre {lo:g} et {hi:g}")
            return None
        return float(value)

    def list_(self, name: str, value: Any) -> list:
        if not isinstance(value, list):
            self.fail(name, "doit être une liste")
            return []
        return value

    def obj(self, name: str, value: Any) -> dict:
        if not isinstance(value, dict):
            self.fail(name, "doit être un objet JSON")
            return {}
        return value


def _fields(c: _Checker, prefix: str, data: dict, spec: dict[str, Callable[[str, Any], Any]]) -> dict[str, Any]:
    """Convert the keys of `data` present in `spec`; unknown keys are reported, not dropped silently."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if key not in spec:
            c.fail(name, "champ inconnu")
            continue
        if value is None and key in _NULLABLE:
            out[key] = None
            continue
        converted = spec[key](name, value)
        if converted is not None:
            out[key] = converted
    return out


_NULLABLE = {
    "last_contract", "income_support_end", "cpf_balance_eur", "previous_salary_monthly",  # funding (issue 9)
    "last_region_training_end", "last_region_training_rome", "french_level", "level_reached",
    "followed_by", "employment_contract", "wants_alternance", "level_obsolete", "earliest_start",
    "max_km", "rome", "last_year", "year", "month", "vocational", "registered_france_travail",
    "confirmed_rome", "birth_date",
}


def _list_of(c: _Checker, convert: Callable[[str, Any], Any]) -> Callable[[str, Any], list]:
    def run(name: str, value: Any) -> list:
        items = [convert(f"{name}[{i}]", v) for i, v in enumerate(c.list_(name, value))]
        return [x for x in items if x is not None]
    return run


BIRTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def parse_profile(data: Any, today: date | None = None) -> Profile:
    """Validate a JSON profile and build a `Profile`; raise ProfileError listing every problem.

    `today` dates the checks that depend on the day (ages, "already obtained" years); by default the
    real day. A profile may give `birth_date` ("YYYY-MM") instead of, or with, `age`."""
    c = _Checker()
    if not isinstance(data, dict):
        raise ProfileError([("profil", "doit être un objet JSON")])
    today = today or date.today()
    lo, hi = param("age.min_profile", today), param("age.max_profile", today)
    year_now = today.year

    def level(name: str, v: Any) -> int | None:
        return c.int_(name, v, 0, 8)

    def months(name: str, v: Any) -> int | None:
        return c.int_(name, v, 0, 12 * 80)

    def year(name: str, v: Any) -> int | None:
        return c.int_(name, v, 1940, year_now + 1)

    def sub(spec: dict, cls: type) -> Callable[[str, Any], Any]:
        def run(name: str, v: Any) -> Any:
            before = len(c.problems)
            kwargs = _fields(c, f"{name}.", c.obj(name, v), spec)
            missing = [k for k in _REQUIRED.get(cls, ()) if k not in kwargs and f"{name}.{k}" not in {p for p, _ in c.problems}]
            for k in missing:
                c.fail(f"{name}.{k}", "champ obligatoire manquant")
            return cls(**kwargs) if len(c.problems) == before else None
        return run

    def birth(name: str, v: Any) -> str | None:
        m = BIRTH_RE.match(v.strip()) if isinstance(v, str) else None
        if not m or not 1 <= int(m.group(2)) <= 12 or not year_now - hi <= int(m.group(1)) <= year_now:
            c.fail(name, "doit être un mois de naissance AAAA-MM (ex. 1998-04)")
            return None
        return m.group(0)

    B, T = c.bool_, c.text
    diploma = sub({
        "title": T, "level": level, "year": year, "month": lambda n, v: c.int_(n, v, 1, 12),
        "romes": _list_of(c, c.rome), "vocational": B, "in_nouvelle_aquitaine": B,
    }, Diploma)
    experience = sub({
        "job": lambda n, v: T(n, v, required=False), "rome": c.rome, "months": months, "last_year": year,
    }, Experience)
    spec: dict[str, Callable[[str, Any], Any]] = {
        "age": lambda n, v: c.int_(n, v, lo, hi),
        "commune": T,
        "wish": T,
        "status": lambda n, v: c.enum_(n, v, Status),
        "registered_france_travail": B,
        "registration_months": months,
        "income_support": lambda n, v: c.enum_(n, v, IncomeSupport),
        "level_validated": level,
        "level_reached": level,
        "diplomas": _list_of(c, diploma),
        "foreign_diploma_unrecognised": B,
        "experience": _list_of(c, experience),
        "rqth": B, "rqth_pending": B, "qpv": B, "zrr": B,
        "mobility": sub({
            "max_km": lambda n, v: c.int_(n, v, 0, 1000), "driving_licence": B, "car": B,
            "public_transport": B, "moped": B,
        }, Mobility),
        "availability": sub({"part_time_only": B, "earliest_start": c.date_}, Availability),
        "basic_skills_gaps": _list_of(c, lambda n, v: c.enum_(n, v, BasicSkillGap)),
        "french_level": lambda n, v: c.enum_(n, v, FrenchLevel),
        "project_validated": B,
        "wish_romes": _list_of(c, c.rome),
        "last_region_training_end": c.date_,
        "last_region_training_rome": c.rome,
        "hiring_offer": B,
        "single_parent": B,
        "constraints": _list_of(c, lambda n, v: c.enum_(n, v, Constraint)),
        "followed_by": lambda n, v: c.enum_(n, v, Organisation),
        "employment_contract": sub({
            "kind": lambda n, v: c.enum_(n, v, ContractKind), "company_months": months,
            "employee_months": months, "cdd_months_last_12": lambda n, v: c.int_(n, v, 0, 12),
            "interim_branch_hours": lambda n, v: c.int_(n, v, 0, 100000),
            "interim_agency_hours": lambda n, v: c.int_(n, v, 0, 100000), "rome": c.rome,
        }, EmploymentContract),
        "wants_alternance": B,
        "newcomer_cir": B,
        "last_contract": sub({"kind": lambda n, v: c.enum_(n, v, ContractKind), "end": c.date_}, LastContract),
        "income_support_end": c.date_,
        "cpf_balance_eur": lambda n, v: c.number(n, v, 0, 100000),
        "previous_salary_monthly": lambda n, v: c.number(n, v, 0, 100000),
        "aah": B,
        "level_obsolete": B,
        "worked_months_last_12": lambda n, v: c.int_(n, v, 0, 12),
        "worked_months_last_24": lambda n, v: c.int_(n, v, 0, 24),
        "business_creation": B,
        "confirmed_rome": c.rome,
        "birth_date": birth,
        "blocs_held": _list_of(c, lambda n, v: _bloc(c, n, v)),
    }
    kwargs = _fields(c, "", data, spec)
    if "level_validated" not in data and kwargs.get("diplomas"):
        kwargs["level_validated"] = max(d.level for d in kwargs["diplomas"])  # the highest diploma held
    if "age" not in data and kwargs.get("birth_date"):  # the age follows from the birth month
        born = _month_start(kwargs["birth_date"])
        age = _years_between(born, today)
        if lo <= age <= hi:
            kwargs["age"] = age
        else:
            c.fail("birth_date", f"donne un âge de {age} ans, hors de {lo} à {hi} ans")
    for key in ("age", "commune", "wish"):
        if key not in data and not (key == "age" and "birth_date" in data):
            c.fail(key, "champ obligatoire manquant")
    _cross_checks(c, kwargs, today)
    if c.problems:
        raise ProfileError(c.problems)
    return Profile(**kwargs)


_REQUIRED = {Diploma: ("title", "level"), LastContract: ("kind", "end")}


def _bloc(c: _Checker, name: str, value: Any) -> str | None:
    """An RNCP bloc code, normalised ("rncp35830bc1" -> "RNCP35830BC01")."""
    from catalog.referentials import normalise_bloc

    code = normalise_bloc(value) if isinstance(value, str) else None
    if code is None:
        c.fail(name, "code de bloc de compétences attendu (ex. RNCP35830BC01)")
    return code


def _cross_checks(c: _Checker, kw: dict[str, Any], today: date) -> None:
    """Checks across fields (only on fields that were valid on their own).

    A contradiction is an error naming the fields (never silently accepted): the adviser corrects the
    input rather than getting a pathway built on an impossible profile. Softer doubts are warnings given
    with the plan (`profile_warnings`)."""
    age = kw.get("age")
    born = kw.get("birth_date")
    if age is not None and born:
        real = _years_between(_month_start(born), today)
        if age not in (real, real - 1):  # born on the 1st of the month or later in it
            c.fail("birth_date", f"le mois de naissance {born} donne {real} ans, pas {age} (âge)")
    if age is not None:
        working = max(0, age - param("profile.min_working_age", today)) * 12
        exp = kw.get("experience", [])
        total = sum(e.months for e in exp)
        if total > working:
            c.fail("experience", f"{total} mois d'expérience au total : impossible à {age} ans "
                                 f"(au plus {working} mois depuis l'âge de {param('profile.min_working_age', today)} ans)")
        if kw.get("registration_months", 0) > working:
            c.fail("registration_months", f"{kw['registration_months']} mois d'inscription : impossible à {age} ans")
        licence_age = param("permis.b_min_age", today)
        if kw.get("mobility") is not None and kw["mobility"].driving_licence and age < licence_age:
            c.fail("mobility.driving_licence", f"le permis B s'obtient à partir de {licence_age} ans (âge : {age} ans)")
    for i, d in enumerate(kw.get("diplomas", [])):
        if d.year is not None and (d.year, d.month or 1) > (today.year, today.month):
            c.fail(f"diplomas[{i}].year", f"le diplôme « {d.title} » est daté de {d.year}, dans le futur : un diplôme "
                                          "en cours se note dans le souhait, pas dans les diplômes obtenus")
        if d.year is not None and age is not None and d.year < today.year - age + param("profile.min_diploma_age", today):
            c.fail(f"diplomas[{i}].year", f"obtenu en {d.year}, avant l'âge de {param('profile.min_diploma_age', today)} ans")
    for i, e in enumerate(kw.get("experience", [])):
        if e.last_year is not None and e.last_year > today.year:
            c.fail(f"experience[{i}].last_year", f"{e.last_year} est dans le futur")
    end = kw.get("last_region_training_end")
    if end is not None and end > today:
        c.fail("last_region_training_end", "la dernière formation Région doit être terminée (date dans le futur)")
    validated, reached = kw.get("level_validated"), kw.get("level_reached")
    if validated is not None and reached is not None and reached < validated:
        c.fail("level_reached", f"le niveau atteint ({reached}) ne peut pas être inférieur au niveau validé ({validated})")
    if validated is not None:
        levels = [d.level for d in kw.get("diplomas", [])]
        if levels and max(levels) > validated:
            c.fail("level_validated", f"un diplôme déclaré est de niveau {max(levels)}, supérieur au niveau validé ({validated})")
    registered = kw.get("registered_france_travail")
    if registered is None and "status" in kw:
        registered = kw["status"] in (Status.DEMANDEUR_EMPLOI, Status.CSP)
    if registered is False and kw.get("registration_months"):
        c.fail("registration_months", "une durée d'inscription est donnée alors que la personne n'est pas inscrite à France Travail")
    if kw.get("income_support") in (IncomeSupport.ARE, IncomeSupport.ASS) and registered is False:
        c.fail("income_support", "l'ARE et l'ASS supposent une inscription à France Travail")
    if kw.get("income_support_end") is not None and kw.get("income_support") != IncomeSupport.ARE and kw.get("status") != Status.CSP:
        c.fail("income_support_end", "une date de fin de droits est donnée sans allocation chômage (ARE) ni CSP : "
                                     "indiquez income_support « ARE » ou retirez la date")
    if kw.get("aah") is False and kw.get("income_support") == IncomeSupport.AAH:
        c.fail("aah", "contradiction : l'allocation déclarée est l'AAH mais aah vaut false")
    if kw.get("worked_months_last_24", 0) < kw.get("worked_months_last_12", 0):
        c.fail("worked_months_last_24", "ne peut pas être inférieur aux mois travaillés sur les 12 derniers mois")


def profile_warnings(p: Profile, today: date) -> list[str]:
    """Doubts on the input that do not block a plan but must be said (each names its fields)."""
    out = []
    first = param("levels.first_qualification", today)
    if p.level_validated >= first and not p.diplomas and not p.foreign_diploma_unrecognised:
        out.append(f"level_validated : niveau {p.level_validated} validé sans aucun diplôme déclaré (diplomas) ni "
                   "diplôme étranger : vérifiez le niveau, il décide de l'accès aux dispositifs.")
    if p.rqth and p.rqth_pending:
        out.append("rqth / rqth_pending : la RQTH est déclarée à la fois obtenue et en cours : vérifiez.")
    if p.status == Status.ETUDIANT and p.registration_months:
        out.append("status / registration_months : élève ou étudiant(e) avec une durée d'inscription à France Travail : vérifiez la situation.")
    if p.experience and any(e.months == 0 for e in p.experience):
        out.append("experience : une expérience est déclarée sans durée (months = 0) : elle ne compte pas pour la VAE.")
    return out

"""Income during each scheme (R-INCOME): trainee pay, apprentice and contrat pro salary, allocations.

Money decides whether a person can follow a pathway at all (Cap Emploi's third
criterion), so every figure names its scale and the date that scale started.
Where the amount cannot be known (the ARE depends on past wages), we say so and
give the legal floor instead of inventing a number.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from assistant.parameters import ParameterError, param, param_source, parameter
from assistant.profile import Profile
from assistant.schemes import IncomeSupport, Scheme, Status

TRAINEE_SCHEMES = {Scheme.AMORCE, Scheme.HSP_SOCLE, Scheme.HSP_1NQ, Scheme.QUALIFIANT, Scheme.POEI}


@dataclass
class Income:
    monthly_eur: float | None  # None: unknown or not a monthly pay (basis says why)
    basis: str  # French: the scale, its date, what the figure means
    rules: list[str] = field(default_factory=list)
    minimum_eur: float | None = None  # a floor when the exact amount is unknown (AREF)

    def to_dict(self) -> dict:
        return {"monthly_eur": self.monthly_eur, "basis": self.basis, "rules": list(self.rules), "minimum_eur": self.minimum_eur}


def _eur(x: float) -> str:
    return f"{x:,.2f} €".replace(",", " ").replace(".", ",").replace(",00 €", " €")


def _smic(today: date) -> tuple[float, str]:
    return param("smic.monthly_gross", today), param_source("smic.monthly_gross", today)


def _band(age: int, bands: list[dict]) -> dict:
    """The age band (list of {from_age, pct}) that contains `age`."""
    return [b for b in bands if b["from_age"] <= age][-1]


def _band_ages(bands: list[dict]) -> str:
    return ", ".join(str(b["from_age"]) for b in bands[1:])


def apprentice_income(profile: Profile, today: date, year: int = 1) -> Income:
    """Apprentice salary: % of the SMIC by age band and contract year (D6222-26).

    The band is the person's current age; when a birthday moves them to the next band
    the percentage rises from the following month (said in the basis).
    """
    bands = param("apprentissage.salary_pct_by_age", today)
    rates = _band(profile.age, bands)["pct"]
    pct = rates[min(max(year, 1), len(rates)) - 1]
    smic, smic_src = _smic(today)
    amount = round(smic * pct / 100, 2)
    sequence = " → ".join(f"{r} %" for r in rates)
    return Income(
        amount,
        f"Salaire d'apprenti : {pct} % du SMIC en année {year} à {profile.age} ans ({sequence} sur 3 ans), soit {_eur(amount)} brut par mois. "
        f"SMIC mensuel brut {_eur(smic)} : {smic_src}. Le pourcentage augmente le mois qui suit un changement de tranche d'âge ({_band_ages(bands)} ans).",
        ["R-ALT", "R-INCOME"],
    )


def contrat_pro_income(profile: Profile, today: date) -> Income:
    """Contrat pro salary: % of the SMIC by age, higher with a vocational level-4 qualification (bac pro)."""
    low, high = _band(profile.age, param("contrat_pro.salary_pct_by_age", today))["pct"]
    first_pro = param("contrat_pro.first_pro_level", today)
    # An unrecognised foreign diploma does not count (it is infra-3 for the rules), nor does a general bac.
    qualified = not profile.foreign_diploma_unrecognised and (
        any(d.level >= first_pro and d.is_vocational for d in profile.diplomas) or profile.level_validated > first_pro)
    pct = high if qualified else low
    smic, smic_src = _smic(today)
    amount = round(smic * pct / 100, 2)
    extra = " (majoré : qualification professionnelle de niveau bac ou plus)" if qualified and high != low else ""
    return Income(
        amount,
        f"Salaire en contrat de professionnalisation : {pct} % du SMIC à {profile.age} ans{extra}, soit {_eur(amount)} brut par mois au minimum. "
        f"SMIC mensuel brut {_eur(smic)} : {smic_src}.",
        ["R-CPRO", "R-INCOME"],
    )


def trainee_income(profile: Profile, today: date, hours_per_week: float | None = None) -> Income:
    """Trainee pay: the CSP allowance or AREF when indemnised (amount unknown), otherwise the RPS/RFPE scale."""
    if profile.status == Status.CSP:
        return Income(None, "Contrat de sécurisation professionnelle : l'allocation de sécurisation professionnelle (ASP) "
                      "continue pendant les formations du CSP (montant connu de France Travail).", ["R-CSP", "R-INCOME"])
    if profile.income_support == IncomeSupport.ARE:
        floor = param("aref.daily_floor_gross", today)
        days = param("aref.days_per_month", today)
        rqth = " Avec une RQTH, vous pouvez choisir la rémunération de stage si elle est plus favorable." if profile.rqth else ""
        return Income(
            None,
            f"Vous gardez votre allocation chômage pendant la formation (AREF = montant de votre ARE, connu de France Travail). "
            f"Elle ne peut pas être inférieure à {_eur(floor)} par jour, soit au moins {_eur(floor * days)} pour {days} jours "
            f"({param_source('aref.daily_floor_gross', today)}).{rqth}",
            ["R-INCOME"],
            minimum_eur=round(floor * days, 2),
        )
    if profile.rqth:  # R-RQTH-PAY: the disability regime, independent of age (not the 500 / 685 € scale)
        lo, hi = param("rqth_trainee.minimum_eur", today), param("rqth_trainee.maximum_eur", today)
        worked = (profile.worked_months_last_12 >= param("rqth_trainee.worked_months_12", today)
                  or profile.worked_months_last_24 >= param("rqth_trainee.worked_months_24", today))
        if worked and profile.previous_salary_monthly is not None:
            amount = round(min(max(profile.previous_salary_monthly, lo), hi), 2)
            why = f"calculée sur votre salaire antérieur, entre {_eur(lo)} et {_eur(hi)}"
        elif worked:
            amount, why = None, f"calculée sur votre salaire antérieur (à indiquer), entre {_eur(lo)} et {_eur(hi)}"
        else:
            amount, why = lo, "minimum garanti"
        return Income(amount, f"Rémunération de stagiaire avec une RQTH, sans condition d'âge : {why} "
                      f"({param_source('rqth_trainee.minimum_eur', today)}).", ["R-RQTH-PAY", "R-INCOME"], minimum_eur=lo)
    full = param("rps.monthly.26_plus", today)
    age_26 = param("rps.full_rate_age", today)
    if profile.age >= age_26:
        amount, why = full, f"{age_26} ans et plus"
    elif profile.single_parent:
        amount, why = full, "parent isolé (taux plein)"
    elif (profile.worked_months_last_12 >= param("rps.youth_worked_months_12", today)
          or profile.worked_months_last_24 >= param("rps.youth_worked_months_24", today)):
        amount, why = full, (f"moins de {age_26} ans ayant travaillé {param('rps.youth_worked_months_12', today)} mois sur 12 "
                       f"ou {param('rps.youth_worked_months_24', today)} mois sur 24 (taux plein)")
    elif profile.age < param("rps.adult_age", today):
        amount, why = param("rps.monthly.under_18", today), f"moins de {param('rps.adult_age', today)} ans"
    else:
        amount, why = param("rps.monthly.18_25", today), f"{param('rps.adult_age', today)} à {age_26 - 1} ans"
    full_hours = param("rps.full_time_hours_week", today)
    prorata = ""
    if hours_per_week is not None and hours_per_week < full_hours:
        amount = round(amount * hours_per_week / full_hours, 2)
        prorata = f" Formation à temps partiel ({hours_per_week:g} h sur {full_hours} h) : montant au prorata."
    rsa = " Le RSA compte comme « non indemnisé » : la rémunération de stage est possible (vérifier le cumul avec la CAF)." if profile.income_support == IncomeSupport.RSA else ""
    return Income(
        amount,
        f"Rémunération de stagiaire (RPS de la Région, ou RFPE si France Travail finance) : {_eur(amount)} par mois, barème {why} "
        f"({param_source('rps.monthly.26_plus', today)}), si la formation est agréée pour la rémunération "
        f"(ancienne règle régionale : au moins {param('rps.min_training_hours', today)} h).{prorata}{rsa}",
        ["R-INCOME"] + (["R-RSA"] if rsa else []),
    )


def individual_income(profile: Profile, today: date) -> Income:
    """Income during a training funded individually (CPF, AIF, AIR): the funder decides the pay, so the
    person's status does. A jobseeker keeps the ARE (AREF) or gets the RPS/RFPE scale; an employee keeps the salary."""
    if profile.status in (Status.SALARIE, Status.SALARIE_IAE):
        return Income(None, "Formation financée par le CPF : salaire inchangé si elle a lieu hors temps de travail ; "
                      "sur le temps de travail, avec l'accord de l'employeur, le salaire est maintenu.", ["R-INCOME"])
    return trainee_income(profile, today)


def estimate_income(profile: Profile, scheme: Scheme, today: date, hours_per_week: float | None = None,
                    apprenticeship_year: int = 1) -> Income:
    """Monthly income during `scheme` for this person on day `today` (scales in force that day)."""
    if scheme == Scheme.APPRENTISSAGE:
        return apprentice_income(profile, today, apprenticeship_year)
    if scheme == Scheme.CONTRAT_PRO:
        return contrat_pro_income(profile, today)
    if scheme == Scheme.PTP:
        return Income(None, "Projet de transition professionnelle : votre salaire est maintenu pendant la formation (pris en charge par Transitions Pro).", ["R-SAL", "R-INCOME"])
    if scheme == Scheme.PREPA_APPRENTISSAGE:
        return Income(0.0, "Prépa apprentissage : statut de stagiaire de la formation professionnelle non rémunéré (protection sociale seulement).", ["R-ALT-PREP", "R-INCOME"])
    if scheme == Scheme.CEJ:
        name = "cej.allocation_max_minor" if profile.age < param("rps.adult_age", today) else "cej.allocation_max"
        top = param(name, today)
        return Income(None, f"Allocation du contrat d'engagement jeune : jusqu'à {_eur(top)} par mois selon vos ressources et votre assiduité "
                      f"({param_source(name, today)}). Elle est remplacée par la rémunération de stage pendant une formation rémunérée.",
                      ["R-CEJ", "R-INCOME"], minimum_eur=0.0)
    if scheme in TRAINEE_SCHEMES:
        if profile.status in (Status.SALARIE, Status.SALARIE_IAE):
            return Income(None, "Vous êtes salarié(e) : votre salaire est versé par l'employeur pendant la formation suivie dans le cadre du contrat.", ["R-INCOME"])
        return trainee_income(profile, today, hours_per_week)
    return Income(None, f"{scheme.label} : pas de rémunération de formation ; vos revenus actuels sont inchangés.", ["R-INCOME"])


# =========================================================================== income timeline (issue 9)
#
# "Je vais vivre de quoi ?" is asked month by month: the ARE may stop in the middle of a training, a
# birthday raises an apprentice's pay, the CSP allowance ends after 12 months. The timeline cuts the
# time from today to the job at every such date and gives, for each period, the source of income, the
# monthly amount (or None with the reason), gross or net, the basis, the rule and the parameter source
# in force at the start of the period (so a SMIC revaluation opens a new period).

# Which activity decides the income when steps overlap (CEJ or barrier removal run alongside others).
_PRIORITY = ["APPRENTISSAGE", "CONTRAT_PRO", "PTP", "POEI", "QUALIFIANT", "HSP_1NQ", "HSP_SOCLE", "AMORCE", "MODULE",
             "AIDE", "PREPA_APPRENTISSAGE", "VAE", "IMMERSION", "CEJ", "IAE"]
_TRAINING = {"POEI", "QUALIFIANT", "HSP_1NQ", "HSP_SOCLE", "AMORCE", "MODULE", "AIDE"}
# ARE is kept (not turned into trainee pay) during these: prépa apprentissage, CEJ, PMSMP, Amorce.
_ARE_KEPT = {"PREPA_APPRENTISSAGE", "CEJ", "IMMERSION", "AMORCE"}


def _dd(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _first_of_next_month(day: date) -> date:
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def _birth(profile: Profile) -> date | None:
    """Birth date when the profile has one (planner field `birth_date`, "YYYY-MM" or a date), else None."""
    raw = getattr(profile, "birth_date", None)
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str) and len(raw) >= 7:
        try:
            return date(int(raw[:4]), int(raw[5:7]), 1)
        except ValueError:
            return None
    return None


def age_on(profile: Profile, today: date, day: date) -> int:
    """Age on `day`. Without a birth date, the next birthday is taken one year after today (the latest
    it can be), so a band change is never announced too early."""
    birth = _birth(profile)
    if birth is not None:
        return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
    years = day.year - today.year - ((day.month, day.day) < (today.month, today.day))
    return profile.age + max(0, years)


def band_change_dates(profile: Profile, today: date, start: date, end: date) -> list[date]:
    """Days the pay may change with age: the 1st of the month after each birthday (D6222-34 for
    apprentices; the same reading for the contrat pro [I])."""
    birth = _birth(profile)
    out = []
    for k in range(7):
        if birth is not None:
            bday = _add_years(birth, birth_years(birth, today) + k)
            if bday <= today:
                continue
        else:
            bday = _add_years(today, k + 1)
        change = _first_of_next_month(bday)
        if start < change <= end:
            out.append(change)
    return out


def birth_years(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def pay_age(profile: Profile, today: date, day: date) -> int:
    """Age that sets an apprentice's or contrat pro's band on `day`: a new band applies from the 1st of
    the month that follows the birthday, so it is the age on the last day of the previous month."""
    return age_on(profile, today, date(day.year, day.month, 1) - timedelta(days=1)) if day > today else age_on(profile, today, day)


def _smic_text(day: date) -> str:
    entry = parameter("smic.monthly_gross").entry(day)
    return f"SMIC {_eur(entry.value)} en vigueur depuis le {entry.start.strftime('%d/%m/%Y')}"


def _value_starts(name: str, start: date, end: date) -> list[date]:
    return [e.start for e in parameter(name).values if start < e.start <= end]


def _period(src: str, monthly: float | None, gross_or_net: str, basis: str, rule_id: str, source_ref: str) -> dict[str, Any]:
    return {"source": src, "monthly_eur": None if monthly is None else round(float(monthly), 2),
            "gross_or_net": gross_or_net, "basis": basis, "rule": rule_id, "source_ref": source_ref}


def _ps(name: str, day: date) -> str:
    try:
        return param_source(name, day)
    except ParameterError:
        return f"{name} : pas de valeur à cette date"


class _Ctx:
    """What the timeline needs besides the profile: the person's pathway facts."""

    def __init__(self, profile: Profile, today: date, steps: list[dict], payers: list[str | None], tension: int | None,
                 key: str | None):
        self.p, self.today, self.steps, self.payers, self.tension, self.key = profile, today, steps, payers, tension, key
        self.csp_end: date | None = None
        if profile.status == Status.CSP:
            csp_months = param("csp.duration_months", today)
            self.csp_end = profile.income_support_end or (_add_months(today, csp_months) - timedelta(days=1))
        self.are_end: date | None = profile.income_support_end if profile.income_support == IncomeSupport.ARE else None


def _add_months(day: date, months: int) -> date:
    from assistant.eligibility import add_months

    return add_months(day, months)


def _activity(ctx: _Ctx, day: date) -> tuple[dict | None, int | None]:
    best, best_i, rank = None, None, len(_PRIORITY)
    for i, s in enumerate(ctx.steps):
        kind = "IAE" if s.get("kind") == "EMPLOI" and ctx.key == "iae" else s.get("kind")
        if kind not in _PRIORITY:
            continue
        a, b = entry_day(s), _dd(s.get("end"))
        if a and b and a <= day <= b and _PRIORITY.index(kind) < rank:
            best, best_i, rank = {**s, "kind": kind}, i, _PRIORITY.index(kind)
    return best, best_i


def entry_day(step: dict) -> date | None:
    """Day the person actually enters the step. An individually funded training (AIDE) starts with the
    file preparation: its entry is the latest dated action of the step (the file complete "before the
    entry"), so the pay and the AIF/AIR deadline are dated from the entry, not from the first paperwork."""
    start = _dd(step.get("start"))
    return None if start is None else _entry_from(step, start)


def _entry_from(step: dict, start: date) -> date:
    """`entry_day` of a step that starts on `start`."""
    if step.get("kind") != "AIDE":
        return start
    end = _dd(step.get("end"))
    deadlines = [d for a in step.get("next_actions") or [] if isinstance(a, dict) and (d := _dd(a.get("deadline")))]
    later = [d for d in deadlines if d > start and (end is None or d <= end)]
    return max(later) if later else start


def _current(ctx: _Ctx, day: date) -> dict[str, Any]:
    """Income outside any paid activity: the allowance the person has, or nothing (said plainly)."""
    p = ctx.p
    if ctx.csp_end is not None and day <= ctx.csp_end:
        return _csp(ctx, day, ctx.csp_end)
    if p.status == Status.CSP:
        return _period("ARE (après le CSP)", None, "brut", f"Après les {param('csp.duration_months', day)} mois du CSP, l'ARE "
                       "prend le relais pour le reste de vos droits (montant et durée connus de France Travail).", "R-CSP",
                       _ps("csp.duration_months", day))
    if p.income_support == IncomeSupport.ARE:
        if ctx.are_end is None or day <= ctx.are_end:
            until = f" jusqu'au {ctx.are_end.strftime('%d/%m/%Y')}" if ctx.are_end else " (date de fin de droits non indiquée)"
            return _period("ARE", None, "brut", f"Allocation chômage{until} : montant connu de France Travail.", "R-INCOME",
                           "France Travail, notification de droits")
        return _period("aucune", 0.0, "net", f"Vos droits ARE se sont arrêtés le {ctx.are_end.strftime('%d/%m/%Y')} : plus "
                       "d'allocation chômage. Demandez l'ASS ou le RSA selon vos ressources.", "R-INCOME", "France Travail")
    if p.status in (Status.SALARIE, Status.SALARIE_IAE):
        return _period("salaire", None, "brut", "Votre salaire actuel continue.", "R-INCOME", "contrat de travail")
    cej = _cej_allowance(ctx, day, "le contrat d'engagement jeune")
    if cej is not None:
        return cej
    return _minimum_income(ctx, day) or _period(
        "aucune", 0.0, "net", "Aucun revenu connu pendant cette période (ni allocation ni rémunération).", "R-INCOME", "profil")


def _cej_allowance(ctx: _Ctx, day: date, label: str) -> dict[str, Any] | None:
    """The CEJ allowance while the contract lasts (from the CEJ step's start, at most N months), outside
    paid activities: it is replaced by trainee pay or a salary."""
    p = ctx.p
    for s in ctx.steps:
        start = _dd(s.get("start"))
        if s.get("kind") != "CEJ" or start is None or day < start:
            continue
        try:
            until = _add_months(start, param("cej.max_months", start))
        except ParameterError:  # before the CEJ existed
            return None
        if day >= until:
            continue
        name = "cej.allocation_max_minor" if age_on(p, ctx.today, day) < param("rps.adult_age", day) else "cej.allocation_max"
        try:
            txt = f"jusqu'à {_eur(param(name, day))} par mois"
        except ParameterError:
            txt = "montant non disponible à cette date"
        return _period("allocation CEJ", None, "net", f"Allocation du contrat d'engagement jeune pendant {label} : {txt}, selon "
                       f"les ressources du foyer et l'assiduité (jusqu'au {(until - timedelta(days=1)).strftime('%d/%m/%Y')} au plus)."
                       f"{_side(ctx, day)}", "R-CEJ", _ps(name, day))
    return None


def _minimum_income(ctx: _Ctx, day: date) -> dict[str, Any] | None:
    p = ctx.p
    if p.income_support == IncomeSupport.RSA:
        return _period("RSA", None, "net", "Le RSA continue (montant selon votre foyer, versé par la CAF).", "R-RSA", "CAF")
    if p.income_support == IncomeSupport.ASS:
        return _period("ASS", None, "net", "L'allocation de solidarité spécifique continue (montant connu de France Travail).",
                       "R-INCOME", "France Travail")
    if p.aah:
        amount = param("aah.monthly_max", day)
        return _period("AAH", amount, "net", f"AAH : jusqu'à {_eur(amount)} par mois à taux plein, réduite selon vos autres "
                       "ressources (CAF).", "R-INCOME", _ps("aah.monthly_max", day))
    return None


def _side(ctx: _Ctx, day: date) -> str:
    """What continues beside a trainee pay: RSA, ASS, AAH (cumulation)."""
    p = ctx.p
    if p.aah:
        return (f" L'AAH continue à côté (jusqu'à {_eur(param('aah.monthly_max', day))} par mois), réduite selon les "
                "revenus de stage déclarés à la CAF.")
    if p.income_support == IncomeSupport.RSA:
        return " Le RSA continue ; la rémunération de stage entre dans vos ressources (déclaration trimestrielle à la CAF)."
    if p.income_support == IncomeSupport.ASS:
        return " L'ASS peut être maintenue pendant la formation (à vérifier avec France Travail)."
    return ""


def _csp(ctx: _Ctx, day: date, csp_end: date) -> dict[str, Any]:
    """ASP until `csp_end` (the CSP's end, known while it runs)."""
    pct = param("csp.asp_pct", day)
    end = csp_end.strftime("%d/%m/%Y")
    known = "" if ctx.p.income_support_end else f" (date de fin non indiquée : {param('csp.duration_months', day)} mois comptés à partir d'aujourd'hui)"
    return _period("ASP (CSP)", None, "brut", f"Allocation de sécurisation professionnelle jusqu'au {end}{known} : "
                   f"{pct} % de votre salaire journalier de référence (montant connu de France Travail).", "R-CSP",
                   _ps("csp.asp_pct", day))


def _aref(ctx: _Ctx, day: date) -> dict[str, Any]:
    until = f" jusqu'au {ctx.are_end.strftime('%d/%m/%Y')}" if ctx.are_end else " jusqu'à la fin de vos droits (date à indiquer)"
    try:
        floor, days = param("aref.daily_floor_gross", day), param("aref.days_per_month", day)
        mini = f" Au moins {_eur(floor)} par jour, soit {_eur(floor * days)} pour {days} jours."
    except ParameterError:
        mini = " (minimum journalier non disponible à cette date dans les paramètres)"
    rqth = (" Avec une RQTH, la rémunération de stagiaire handicapé peut être choisie si elle est plus favorable."
            if ctx.p.rqth else "")
    return _period("AREF", None, "brut", f"Allocation chômage maintenue pendant la formation (AREF){until}, montant de "
                   f"votre ARE connu de France Travail.{mini}{rqth}", "R-INCOME", _ps("aref.daily_floor_gross", day))


def _trainee(ctx: _Ctx, day: date, step: dict, payer: str | None) -> dict[str, Any]:
    """Trainee pay for a non-indemnised person: RQTH regime, or the age scale (RPS if the Region pays,
    RFFT if France Travail does), pro rata of part time; nothing when no one pays."""
    p = ctx.p
    start = _dd(step.get("start")) or day
    name = {"region": "RPS (Région)", "france_travail": "RFFT (France Travail)"}.get(payer or "")
    if name is None:
        side = _minimum_income(ctx, day)
        text = ("Formation sans financeur public identifié : pas de rémunération de stage."
                + (f" {side['basis']}" if side else " Aucun revenu connu pendant cette période."))
        return _period(side["source"] if side else "aucune", side["monthly_eur"] if side else 0.0, "net", text, "R-INCOME",
                       side["source_ref"] if side else "profil")
    if p.rqth:
        return _rqth_pay(ctx, day, name)
    age = age_on(p, ctx.today, start)
    full, age_26 = param("rps.monthly.26_plus", day), param("rps.full_rate_age", day)
    if age >= age_26:
        amount, why = full, f"{age_26} ans et plus"
    elif p.single_parent:
        amount, why = full, "parent isolé (taux plein)"
    elif (p.worked_months_last_12 >= param("rps.youth_worked_months_12", day)
          or p.worked_months_last_24 >= param("rps.youth_worked_months_24", day)):
        amount, why = full, f"moins de {age_26} ans ayant assez travaillé (taux plein)"
    elif age < param("rps.adult_age", day):
        amount, why = param("rps.monthly.under_18", day), f"moins de {param('rps.adult_age', day)} ans"
    else:
        amount, why = param("rps.monthly.18_25", day), f"{param('rps.adult_age', day)} à {age_26 - 1} ans"
    full_h = param("rps.full_time_hours_week", day)
    hpw = step.get("hours_per_week")
    prorata = ""
    if hpw and float(hpw) < full_h:
        amount = amount * float(hpw) / full_h
        prorata = f" Temps partiel ({float(hpw):g} h sur {full_h} h) : montant au prorata."
    return _period(name, amount, "net", f"Rémunération de stagiaire, barème {why} à l'entrée ({age} ans) : {_eur(amount)} par mois, "
                   f"si la formation est agréée pour la rémunération.{prorata}{_side(ctx, day)}", "R-INCOME",
                   _ps("rps.monthly.26_plus", day))


def _rqth_pay(ctx: _Ctx, day: date, name: str) -> dict[str, Any]:
    """R-RQTH-PAY: past salary between a floor and a ceiling after enough work, else the guaranteed minimum;
    independent of age."""
    p = ctx.p
    try:
        lo, hi = param("rqth_trainee.minimum_eur", day), param("rqth_trainee.maximum_eur", day)
    except ParameterError:
        return _period(name + " — RQTH", None, "net", "Régime des stagiaires handicapés : montants non disponibles à cette "
                       "date dans les paramètres.", "R-RQTH-PAY", _ps("rqth_trainee.minimum_eur", day))
    worked = (p.worked_months_last_12 >= param("rqth_trainee.worked_months_12", day)
              or p.worked_months_last_24 >= param("rqth_trainee.worked_months_24", day))
    if worked and p.previous_salary_monthly is not None:
        amount = min(max(p.previous_salary_monthly, lo), hi)
        why = (f"calculée sur votre salaire antérieur ({_eur(p.previous_salary_monthly)}), entre {_eur(lo)} et {_eur(hi)}")
    elif worked:
        amount = None
        why = f"calculée sur votre salaire antérieur (non indiqué : previous_salary_monthly), entre {_eur(lo)} et {_eur(hi)}"
    else:
        amount, why = lo, (f"minimum garanti (moins de {param('rqth_trainee.worked_months_12', day)} mois travaillés sur 12 "
                           f"et de {param('rqth_trainee.worked_months_24', day)} sur 24)")
    return _period(name + " — RQTH", amount, "net", f"Rémunération de stagiaire avec une RQTH, sans condition d'âge : {why}."
                   f"{_side(ctx, day)}", "R-RQTH-PAY", _ps("rqth_trainee.minimum_eur", day))


def _training(ctx: _Ctx, day: date, step: dict, payer: str | None) -> dict[str, Any]:
    p = ctx.p
    if p.status in (Status.SALARIE, Status.SALARIE_IAE):
        return _period("salaire", None, "brut", "Vous êtes salarié(e) : votre salaire continue pendant la formation.",
                       "R-INCOME", "contrat de travail")
    if ctx.csp_end is not None and day <= ctx.csp_end:
        return _csp(ctx, day, ctx.csp_end)
    if p.status == Status.CSP:
        return _period("AREF (après le CSP)", None, "brut", "Après le CSP, l'allocation chômage continue pendant la formation "
                       "pour le reste de vos droits (AREF).", "R-CSP", _ps("csp.duration_months", day))
    if p.income_support == IncomeSupport.ARE:
        if ctx.are_end is None or day <= ctx.are_end:
            return _aref(ctx, day)
        return _after_are(ctx, day, ctx.are_end, step, payer)
    return _trainee(ctx, day, step, payer)


def _after_are(ctx: _Ctx, day: date, are_end: date, step: dict, payer: str | None) -> dict[str, Any]:
    """ARE ended (on `are_end`) inside a training: RFF for a France Travail-validated training towards a job
    that recruits, else trainee pay (RPS / RFFT), else nothing."""
    end = are_end.strftime("%d/%m/%Y")
    tmin = param("rff.tension_min", day)
    if ctx.tension is None or ctx.tension >= tmin:
        try:
            cap = param("rff.monthly_cap", day)
            capt = f", dans la limite de {_eur(cap)} par mois"
        except ParameterError:
            capt = " (plafond non disponible à cette date dans les paramètres)"
        doubt = " Métier à vérifier sur la liste de France Travail." if ctx.tension is None else ""
        return _period("RFF", None, "brut", f"Vos droits ARE se sont arrêtés le {end} : la rémunération de fin de formation "
                       f"prend le relais jusqu'à la fin de la formation, au montant de votre dernier AREF{capt}.{doubt}",
                       "R-RFF", _ps("rff.monthly_cap", day))
    out = _trainee(ctx, day, step, payer)
    out["basis"] = f"Vos droits ARE se sont arrêtés le {end} et le métier visé n'ouvre pas la RFF : " + out["basis"]
    return out


def _apprentice(ctx: _Ctx, day: date, step: dict) -> dict[str, Any]:
    p = ctx.p
    start = _dd(step.get("start")) or day
    year = 1
    while _add_years(start, year) <= day:
        year += 1
    age = pay_age(p, ctx.today, day)
    birth = _birth(p)
    bands = param("apprentissage.salary_pct_by_age", day)
    rates = _band(age, bands)["pct"]
    band = _band_label(age, bands)
    extra = ""
    if year > len(rates):
        pct = rates[-1] + (param("apprentissage.rqth_extra_year_points", day) if p.rqth else 0)
        extra = " Année supplémentaire du contrat aménagé (RQTH) : taux de la dernière année majoré." if p.rqth else ""
    else:
        pct = rates[year - 1]
    smic = param("smic.monthly_gross", day)
    amount = smic * pct / 100
    known = "" if birth or age >= param("rps.full_rate_age", day) else \
        " (date de naissance non indiquée : changement de tranche compté au plus tard)"
    return _period("salaire d'apprenti", amount, "brut", f"{pct} % du SMIC en année {year} de contrat, {band}{known} : "
                   f"{_eur(amount)} brut par mois ({_smic_text(day)}).{extra}",
                   "R-ALT", _ps("smic.monthly_gross", day))


def _band_label(age: int, bands: list[dict]) -> str:
    """'tranche de 18 à 20 ans' / 'tranche de 26 ans et plus' for the band that contains `age`."""
    starts = [b["from_age"] for b in bands]
    i = max(k for k, a in enumerate(starts) if a <= age)
    lo = starts[i]
    if i + 1 < len(starts):
        return f"tranche de {lo} à {starts[i + 1] - 1} ans" if lo else f"tranche de moins de {starts[i + 1]} ans"
    return f"tranche de {lo} ans et plus"


def _contrat_pro(ctx: _Ctx, day: date) -> dict[str, Any]:
    p = ctx.p
    age = pay_age(p, ctx.today, day)
    bands = param("contrat_pro.salary_pct_by_age", day)
    low, high = _band(age, bands)["pct"]
    first_pro = param("contrat_pro.first_pro_level", day)
    qualified = not p.foreign_diploma_unrecognised and (
        any(d.level >= first_pro and d.is_vocational for d in p.diplomas) or p.level_validated > first_pro)
    pct = high if qualified else low
    smic = param("smic.monthly_gross", day)
    amount = smic * pct / 100
    dip = " (majoré : qualification professionnelle de niveau bac ou plus)" if qualified and high != low else ""
    return _period("salaire (contrat pro)", amount, "brut", f"{pct} % du SMIC, {_band_label(age, bands)}{dip} : au moins {_eur(amount)} brut "
                   f"par mois ({_smic_text(day)}).", "R-CPRO",
                   _ps("smic.monthly_gross", day))


def _ptp(ctx: _Ctx, day: date, step: dict) -> dict[str, Any]:
    """R-PTP-PAY: 100 % up to 2 SMIC; above, 90 % the first year then 60 %, never below 2 SMIC."""
    p = ctx.p
    smic = param("smic.monthly_gross", day)
    multiple = param("ptp.full_pay_smic_multiple", day)
    first, after = param("ptp.high_pay_pct", day)
    ref = p.previous_salary_monthly
    if ref is None:
        return _period("salaire maintenu (PTP)", None, "brut", f"Salaire maintenu : 100 % de votre salaire moyen de référence "
                       f"jusqu'à {multiple} SMIC ({_eur(smic * multiple)}), au-delà {first} % puis {after} % après la 1re année "
                       "(salaire non indiqué : previous_salary_monthly).", "R-PTP-PAY", _ps("ptp.high_pay_pct", day))
    if ref <= multiple * smic:
        amount, why = ref, f"100 % de votre salaire de référence ({_eur(ref)}, au plus {multiple} SMIC)"
    else:
        start = _dd(step.get("start")) or day
        pct = first if day < _add_years(start, 1) else after
        amount = max(ref * pct / 100, multiple * smic)
        why = (f"{pct} % de votre salaire de référence ({_eur(ref)}, plus de {multiple} SMIC)"
               f"{' en 1re année' if pct == first else ' après la 1re année'}, sans descendre sous {_eur(multiple * smic)}")
    return _period("salaire maintenu (PTP)", amount, "brut", f"Projet de transition professionnelle : {why}.", "R-PTP-PAY",
                   _ps("ptp.high_pay_pct", day))


def _iae(ctx: _Ctx, day: date) -> dict[str, Any]:
    hours, rate = param("iae.weekly_hours", day), param("smic.hourly_gross", day)
    amount = hours * rate * 52 / 12
    return _period("salaire (IAE)", amount, "brut", f"Contrat d'insertion (CDDI) : environ {hours} h par semaine × SMIC horaire "
                   f"{_eur(rate)} = {_eur(amount)} brut par mois (la durée réelle est celle du contrat).", "R-IAE",
                   _ps("smic.hourly_gross", day))


def _are_kept(ctx: _Ctx, day: date, step: dict, kind: str) -> dict[str, Any]:
    """ARE continues during prépa apprentissage, CEJ, PMSMP, Amorce; otherwise CEJ allowance or nothing."""
    p = ctx.p
    label = {"PREPA_APPRENTISSAGE": "la prépa apprentissage", "CEJ": "le CEJ", "IMMERSION": "l'immersion (PMSMP)",
             "AMORCE": "l'Amorce de parcours"}[kind]
    if ctx.csp_end is not None and day <= ctx.csp_end:
        return _csp(ctx, day, ctx.csp_end)
    if p.income_support == IncomeSupport.ARE and (ctx.are_end is None or day <= ctx.are_end):
        out = _current(ctx, day)
        out["basis"] = f"Votre ARE continue pendant {label}. " + out["basis"]
        return out
    cej = _cej_allowance(ctx, day, label)
    if cej is not None:
        return cej
    if kind == "AMORCE":
        return _training(ctx, day, step, "region")
    out = _current(ctx, day)
    if out["source"] == "aucune":
        out["basis"] = f"Pendant {label}, pas de rémunération : {out['basis']}"
    return out


def _income_on(ctx: _Ctx, day: date) -> dict[str, Any]:
    step, i = _activity(ctx, day)
    if step is None:
        return _current(ctx, day)
    kind, payer = step["kind"], ctx.payers[i] if i is not None and i < len(ctx.payers) else None
    if kind == "APPRENTISSAGE":
        return _apprentice(ctx, day, step)
    if kind == "CONTRAT_PRO":
        return _contrat_pro(ctx, day)
    if kind == "PTP":
        return _ptp(ctx, day, step)
    if kind == "IAE":
        return _iae(ctx, day)
    if kind in _ARE_KEPT:
        return _are_kept(ctx, day, step, kind)
    if kind == "VAE":
        out = _current(ctx, day)
        out["basis"] = "La VAE se fait à côté de votre situation : " + out["basis"]
        return out
    if kind in _TRAINING:
        return _training(ctx, day, step, payer)
    return _current(ctx, day)


def income_timeline(profile: Profile, steps: list[dict[str, Any]], today: date, *, payers: list[str | None] | None = None,
                    tension: int | None = None, pathway_key: str | None = None) -> list[dict[str, Any]]:
    """Consecutive income periods from `today` to the job, for a pathway given as its step dicts.

    `payers[i]`: who would pay step i's trainee pay ('region' → RPS, 'france_travail' → RFFT, None);
    `tension`: tension of the target job (RFF). Never raises for a date without parameters: the period
    says the amount is not available."""
    dated = [(s, a, b) for s in steps if (a := _dd(s.get("start"))) and (b := _dd(s.get("end")))]
    if not dated:
        return []
    job = next((a for s, a, b in dated if s.get("kind") == "EMPLOI" and pathway_key != "iae"), None)
    last = max(b for _, _, b in dated)
    end = (job - timedelta(days=1)) if job else last
    if pathway_key == "iae":
        end = max(end, last)
    if end < today:
        return []
    all_payers = list(payers or []) + [None] * max(0, len(steps) - len(payers or []))
    kept_payers = [pp for s, pp in zip(steps, all_payers) if _dd(s.get("start")) and _dd(s.get("end"))]  # aligned with `dated`
    ctx = _Ctx(profile, today, [s for s, _, _ in dated], kept_payers, tension, pathway_key)
    cuts = {today, end + timedelta(days=1)}
    for s, a, b in dated:
        cuts |= {a, b + timedelta(days=1), _entry_from(s, a)}
        if s.get("kind") == "APPRENTISSAGE":
            cuts |= {_add_years(a, k) for k in range(1, 6)}
        if s.get("kind") == "PTP":
            cuts.add(_add_years(a, 1))
    for d in (ctx.are_end, ctx.csp_end):
        if d:
            cuts.add(d + timedelta(days=1))
    cuts |= set(band_change_dates(profile, today, today, end))
    for name in ("smic.monthly_gross", "aref.daily_floor_gross", "rps.monthly.26_plus", "aah.monthly_max"):
        cuts |= set(_value_starts(name, today, end))
    bounds = sorted(c for c in cuts if today <= c <= end + timedelta(days=1))
    periods: list[dict[str, Any]] = []
    for a, b in itertools.pairwise(bounds):
        try:
            period = _income_on(ctx, a)
        except ParameterError as exc:
            period = _period("inconnu", None, "brut", f"Montant non calculable : un barème n'a pas de valeur à cette date ({exc}).",
                             "R-INCOME", "paramètres datés")
        period = {"from": a.isoformat(), "to": (b - timedelta(days=1)).isoformat(), **period}
        prev = periods[-1] if periods else None
        if prev and all(prev[k] == period[k] for k in ("source", "monthly_eur", "gross_or_net", "basis", "rule")):
            prev["to"] = period["to"]
        else:
            periods.append(period)
    return periods


def income_rows(timeline: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Display rows (plain dicts of French strings, no pandas) for the app pages and the PDF:
    Période, Revenu, Montant mensuel, Base."""
    rows = []
    for p in timeline:
        a, b = _dd(p.get("from")), _dd(p.get("to"))
        period = f"du {a.strftime('%d/%m/%Y')} au {b.strftime('%d/%m/%Y')}" if a and b else ""
        amount = p.get("monthly_eur")
        if amount is None:
            money = _unknown_amount(str(p.get("source", "")))
        elif amount == 0:
            money = "rien"
        else:
            money = f"{_eur_int(amount)} {p.get('gross_or_net', '')}".strip()
            if p.get("source_ref") and "[U]" in str(p.get("source_ref")):
                money += " (à confirmer)"
        rows.append({"Période": period, "Revenu": str(p.get("source", "")), "Montant mensuel": money,
                     "Base": str(p.get("basis", "")), "Règle": str(p.get("rule", ""))})
    return rows


def _eur_int(x: float) -> str:
    """'1 823 €' (whole euros for a table; the basis keeps the cents)."""
    return f"{round(x):,}".replace(",", " ") + " €"


def _unknown_amount(source: str) -> str:
    """What to write when the monthly amount cannot be computed here (it depends on rights or resources)."""
    if source.startswith(("ARE", "AREF", "RFF", "ASP")):
        return "montant de vos droits (France Travail)"
    if source == "allocation CEJ":
        return "selon vos ressources (plafonnée)"
    if source in ("RSA", "AAH"):
        return "selon votre foyer (CAF)"
    if source == "ASS":
        return "montant de vos droits (France Travail)"
    if source.startswith("salaire"):
        return "votre salaire"
    return "à calculer (voir le détail)"


_MONTHS_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
              "novembre", "décembre"]


def income_by_month(timeline: list[dict[str, Any]], limit: int | None = None) -> list[dict[str, str]]:
    """Month-by-month rows (Mois, Revenu, Montant) from the periods: a month cut by a change lists each
    part with its days, so the adviser sees e.g. "AREF jusqu'au 31, puis RFF"."""
    rows: list[dict[str, str]] = []
    spans = [(p, a, b) for p in timeline if (a := _dd(p.get("from"))) and (b := _dd(p.get("to")))]
    if not spans or len(spans) < len(timeline):  # a period without readable dates: no month can be told whole
        return rows
    first, last = spans[0][1], spans[-1][2]
    month = date(first.year, first.month, 1)
    while month <= last and (limit is None or len(rows) < limit):
        nxt = _first_of_next_month(month)
        parts = [(p, a, b) for p, a, b in spans if a < nxt and b >= month]
        labels, amounts = [], []
        for p, start, end in parts:
            a, b = max(start, month), min(end, nxt - timedelta(days=1))
            span = "" if len(parts) == 1 else f" (du {a.day} au {b.day})"
            labels.append(f"{p['source']}{span}")
            amount = p.get("monthly_eur")
            amounts.append("rien" if amount == 0 else _unknown_amount(str(p.get("source", ""))) if amount is None
                           else f"{_eur_int(amount)} {p.get('gross_or_net', '')}".strip())
        rows.append({"Mois": f"{_MONTHS_FR[month.month - 1]} {month.year}", "Revenu": " puis ".join(labels),
                     "Montant mensuel": " puis ".join(dict.fromkeys(amounts))})
        month = nxt
    return rows

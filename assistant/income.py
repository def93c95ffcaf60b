"""Income during each scheme (R-INCOME): trainee pay, apprentice and contrat pro salary, allocations.

Money decides whether a person can follow a pathway at all (Cap Emploi's third
criterion), so every figure names its scale and the date that scale started.
Where the amount cannot be known (the ARE depends on past wages), we say so and
give the legal floor instead of inventing a number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from assistant.parameters import param, param_source
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

"""Income during each scheme: persona pay lines and the scales' boundaries.

Expected percentages and scale amounts come from the rule book (§3.2, §5);
euro amounts are checked against the SMIC parameter in force, so a SMIC
revaluation is a data change that does not break these tests.
"""

from __future__ import annotations

from datetime import date

import pytest

from assistant.income import estimate_income
from assistant.parameters import param
from assistant.profile import parse_profile
from assistant.schemes import Scheme

TODAY = date(2026, 11, 26)


def prof(**kw):
    return parse_profile({"commune": "Pau", "wish": "x", **kw})


def smic_share(pct: float, day: date = TODAY) -> float:
    return round(param("smic.monthly_gross", day) * pct / 100, 2)


def test_p02_rsa_34_gets_rps_685():
    inc = estimate_income(prof(age=34, income_support="RSA"), Scheme.HSP_1NQ, TODAY)
    assert inc.monthly_eur == 685
    assert "2021-522" in inc.basis and "R-RSA" in inc.rules


@pytest.mark.parametrize("age, year, pct", [(19, 1, 43), (19, 2, 51), (17, 1, 27), (17, 2, 39), (23, 1, 53), (23, 2, 61),
                                             (26, 1, 100), (18, 3, 67), (20, 1, 43), (21, 1, 53), (25, 3, 78)])
def test_apprentice_salary_by_age_band_and_year(age, year, pct):
    inc = estimate_income(prof(age=age), Scheme.APPRENTISSAGE, TODAY, apprenticeship_year=year)
    assert inc.monthly_eur == smic_share(pct)
    assert f"{pct} % du SMIC" in inc.basis and "01/01/2026" in inc.basis


def test_apprentice_salary_follows_the_smic_in_force():
    before = estimate_income(prof(age=19), Scheme.APPRENTISSAGE, date(2025, 12, 31))
    after = estimate_income(prof(age=19), Scheme.APPRENTISSAGE, date(2026, 1, 1))
    assert before.monthly_eur == smic_share(43, date(2025, 12, 31)) < after.monthly_eur


@pytest.mark.parametrize("age, expected", [(17, 200), (18, 500), (25, 500), (26, 685)])
def test_rps_scale_boundaries(age, expected):
    assert estimate_income(prof(age=age), Scheme.QUALIFIANT, TODAY).monthly_eur == expected


@pytest.mark.parametrize("extra", [{"worked_months_last_12": 6, "worked_months_last_24": 6},
                                   {"worked_months_last_24": 12}, {"single_parent": True}])
def test_under_26_full_rate_cases(extra):
    assert estimate_income(prof(age=22, **extra), Scheme.HSP_SOCLE, TODAY).monthly_eur == 685


def test_under_26_just_short_of_the_work_condition():
    assert estimate_income(prof(age=22, worked_months_last_12=5, worked_months_last_24=11), Scheme.HSP_SOCLE, TODAY).monthly_eur == 500


def test_part_time_pro_rata():
    inc = estimate_income(prof(age=40), Scheme.HSP_SOCLE, TODAY, hours_per_week=17.5)
    assert inc.monthly_eur == 342.5 and "prorata" in inc.basis


def test_aref_amount_unknown_with_floor():
    inc = estimate_income(prof(age=26, income_support="ARE"), Scheme.QUALIFIANT, TODAY)
    assert inc.monthly_eur is None
    assert inc.minimum_eur == round(param("aref.daily_floor_gross", TODAY) * 30, 2)
    assert "AREF" in inc.basis


def test_contrat_pro_higher_rate_with_bac_pro():
    plain = estimate_income(prof(age=20), Scheme.CONTRAT_PRO, TODAY)
    bac_pro = estimate_income(prof(age=20, level_validated=4, diplomas=[{"title": "Bac pro cuisine", "level": 4}]), Scheme.CONTRAT_PRO, TODAY)
    bac_gen = estimate_income(prof(age=20, level_validated=4, diplomas=[{"title": "Bac général", "level": 4}]), Scheme.CONTRAT_PRO, TODAY)
    assert (plain.monthly_eur, bac_pro.monthly_eur, bac_gen.monthly_eur) == (smic_share(55), smic_share(65), smic_share(55))
    assert estimate_income(prof(age=30), Scheme.CONTRAT_PRO, TODAY).monthly_eur == smic_share(100)


def test_other_schemes():
    assert estimate_income(prof(age=45, status="salarie"), Scheme.PTP, TODAY).monthly_eur is None
    assert "maintenu" in estimate_income(prof(age=45, status="salarie"), Scheme.PTP, TODAY).basis
    assert estimate_income(prof(age=19), Scheme.PREPA_APPRENTISSAGE, TODAY).monthly_eur == 0
    cej = estimate_income(prof(age=19), Scheme.CEJ, TODAY)
    assert cej.monthly_eur is None and f"{param('cej.allocation_max', TODAY):.2f}".replace(".", ",") in cej.basis
    assert estimate_income(prof(age=40, status="salarie_iae"), Scheme.QUALIFIANT, TODAY).monthly_eur is None
    assert estimate_income(prof(age=40), Scheme.VAE, TODAY).to_dict()["rules"] == ["R-INCOME"]


def test_a_new_decree_is_a_data_change_with_a_date(tmp_path, monkeypatch):
    """Adding a dated value to the parameters file changes the result from that day only."""
    import assistant.parameters as parameters_module
    from assistant.parameters import PARAMETERS_FILE, load_parameters

    text = PARAMETERS_FILE.read_text(encoding="utf-8").replace(
        '{ start = 2021-05-01, value = 685, source = "Décret 2021-522 du 29 avril 2021", note = "[U] revalorisé chaque 1er avril depuis 2023 (art. R6341-24-8, décret 2022-477 du 4 avril 2022) : montants revalorisés non trouvés dans les sources consultées" },',
        '{ start = 2021-05-01, value = 685, source = "Décret 2021-522" }, { start = 2027-01-01, value = 720, source = "décret fictif de test" },')
    assert "720" in text
    path = tmp_path / "parameters.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(parameters_module, "parameters", lambda: load_parameters(path))
    person = prof(age=40)
    assert estimate_income(person, Scheme.QUALIFIANT, date(2026, 12, 31)).monthly_eur == 685
    new = estimate_income(person, Scheme.QUALIFIANT, date(2027, 1, 1))
    assert new.monthly_eur == 720 and "décret fictif de test" in new.basis


def test_cej_allocation_ceiling_depends_on_majority():
    minor = estimate_income(prof(age=17, status="sans_activite"), Scheme.CEJ, TODAY)
    adult = estimate_income(prof(age=19), Scheme.CEJ, TODAY)
    assert "224,68" in minor.basis and "561,68" in adult.basis


def test_contrat_pro_rate_is_not_raised_by_an_unrecognised_foreign_bac():
    foreign = prof(age=22, level_validated=4, foreign_diploma_unrecognised=True,
                   diplomas=[{"title": "Baccalauréat (étranger)", "level": 4, "year": 2021}])
    recognised = prof(age=22, diplomas=[{"title": "Bac pro cuisine", "level": 4, "year": 2021}])
    low = estimate_income(foreign, Scheme.CONTRAT_PRO, TODAY).monthly_eur
    assert low < estimate_income(recognised, Scheme.CONTRAT_PRO, TODAY).monthly_eur


def test_individual_funding_keeps_the_allowance_or_the_salary():
    from assistant.income import individual_income

    assert "AREF" in individual_income(prof(age=40, income_support="ARE"), TODAY).basis
    assert "(ASP)" in individual_income(prof(age=40, status="csp", income_support="ARE"), TODAY).basis
    assert individual_income(prof(age=40), TODAY).monthly_eur == 685
    assert "salaire" in individual_income(prof(age=40, status="salarie"), TODAY).basis


def test_rqth_trainee_without_prior_work_gets_the_asp_minimum_not_an_aggregator_figure():
    """ASP's official scale (2021-522, full time): a disabled jobseeker without prior salaried activity gets
    685 EUR whatever the age (765 EUR, read on an aggregator site, was wrong). Dated 2022: before the first
    1 April revaluation (R6341-24-8), so a later revalued entry does not change this check."""
    day = date(2022, 6, 1)
    young = estimate_income(prof(age=19, rqth=True), Scheme.HSP_1NQ, day)
    assert young.monthly_eur == 685 and "R-RQTH-PAY" in young.rules
    assert young.monthly_eur != param("rps.monthly.18_25", day)

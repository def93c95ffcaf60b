"""The demo catalogue: deterministic, realistic volumes and durations, real certifications, fictitious people."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date

import pytest

from catalog import demo
from catalog.cli import main as cli_main
from catalog.demo_certs import CSV_PATH, build_rows, csv_text, load_demo_certs
from catalog.model import EntryMode, ModuleTheme, OfferKind, Rhythm
from catalog.referentials import certifications, communes, departments
from catalog.store import DEMO_PATH, load_catalogue


@pytest.fixture(scope="module")
def shipped():
    return load_catalogue(DEMO_PATH)


@pytest.fixture(scope="module")
def small():
    return demo.generate(seed=7, anchor=date(2027, 3, 15), scale=0.1)


def sessions_of(cat, kind=None):
    return [s for o in cat for s in o.sessions if kind is None or o.kind is kind]


# --------------------------------------------------------------------------- determinism


def test_same_seed_same_catalogue_other_seed_differs(small):
    again = demo.generate(seed=7, anchor=date(2027, 3, 15), scale=0.1)
    assert again.fingerprint() == small.fingerprint()
    other = demo.generate(seed=8, anchor=date(2027, 3, 15), scale=0.1)
    assert other.fingerprint() != small.fingerprint()


def test_shipped_file_is_a_fresh_generation(shipped):
    meta = shipped.meta
    assert meta["demo"] is True and meta["anchor"] == "2026-12-01" and meta["scale"] == 1.0
    fresh = demo.generate(seed=meta["seed"], anchor=date.fromisoformat(meta["anchor"]))
    assert fresh.fingerprint() == shipped.fingerprint(), "regenerate with `python -m catalog demo`"
    assert DEMO_PATH.stat().st_size < 3_000_000


def test_demo_command_rewrites_the_shipped_file_byte_for_byte(tmp_path, capsys):
    """`python -m catalog demo` has no clock in its output: the shipped file is what it writes."""
    out = tmp_path / "demo.jsonl.gz"
    assert cli_main(["demo", "--output", str(out)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["output"] == str(out) and summary["offers"] == len(load_catalogue(DEMO_PATH))
    assert out.read_bytes() == DEMO_PATH.read_bytes(), "regenerate with `python -m catalog demo`"


def test_scale_must_be_positive():
    with pytest.raises(ValueError):
        demo.generate(scale=0)


# --------------------------------------------------------------------------- volumes and geography


def test_volumes_reach_the_yearly_targets(shipped):
    offers = Counter(o.kind for o in shipped)
    assert len(sessions_of(shipped, OfferKind.QUALIFIANT)) >= demo.TARGETS[OfferKind.QUALIFIANT]
    for kind in (OfferKind.HSP_1NQ, OfferKind.HSP_SOCLE, OfferKind.AMORCE, OfferKind.APPRENTISSAGE, OfferKind.MODULE):
        assert offers[kind] >= demo.TARGETS[kind], kind
    assert len({o.sector for o in shipped if o.kind is OfferKind.QUALIFIANT}) == 10


def test_every_department_weighted_by_population(shipped):
    per_dept = Counter(communes()[s.commune_insee].dept for s in sessions_of(shipped))
    assert set(per_dept) == set(departments())
    assert per_dept.most_common(1)[0][0] == "33"
    population = Counter()
    for c in communes().values():
        population[c.dept] += c.population
    total_sessions, total_pop = sum(per_dept.values()), sum(population.values())
    for dept, n in per_dept.items():
        ratio = (n / total_sessions) / (population[dept] / total_pop)
        assert 0.5 < ratio < 2.0, (dept, ratio)


def test_every_department_offers_the_core_trades(shipped):
    cores = {OfferKind.QUALIFIANT: demo.CORE_QUALIFIANT, OfferKind.APPRENTISSAGE: demo.CORE_APPRENTISSAGE,
             OfferKind.HSP_1NQ: demo.CORE_HSP_1NQ}
    for kind, core in cores.items():
        found = {(communes()[o.provider.commune].dept, o.certification.rncp) for o in shipped.by_kind(kind)}
        assert {(d, r) for d in departments() for r in core} <= found, kind


def test_every_town_has_basic_skills_and_home_care_training(shipped):
    """Proximity schemes: an adviser in Ussel (9,700 inhabitants) finds HSP Socle ECLA and HSP 1er niveau ADVF."""
    socle = {o.provider.commune for o in shipped.by_kind(OfferKind.HSP_SOCLE) if "ECLA" in o.title}
    advf = {o.provider.commune for o in shipped.by_kind(OfferKind.HSP_1NQ) if o.certification.rncp == "RNCP4821"}
    towns = {c.insee for c in communes().values() if c.population >= demo.PROXIMITY_MIN_POP}
    assert len(towns) > 50 and towns <= socle and towns <= advf
    assert len(demo.CORE_HSP_1NQ) == 7


def test_rural_communes_host_some_sessions(shipped):
    places = {s.commune_insee for s in sessions_of(shipped)}
    assert len(places) > 150
    small_places = [p for p in places if communes()[p].population < demo.TOWN_MIN_POP]
    assert len(small_places) > 30
    agri_rural = [s for o in shipped if o.sector.value == "AGRICULTURE_VITICULTURE" for s in o.sessions
                  if communes()[s.commune_insee].population < demo.TOWN_MIN_POP]
    assert agri_rural


def test_session_places_match_their_commune(shipped):
    for s in sessions_of(shipped)[:500]:
        c = communes()[s.commune_insee]
        assert s.commune_name == c.name and s.postcode in c.postcodes
        assert abs(s.lat - c.lat) < 0.01 and abs(s.lon - c.lon) < 0.01


# --------------------------------------------------------------------------- certifications


def test_curated_table_matches_the_referentials():
    assert CSV_PATH.read_text(encoding="utf-8") == csv_text(build_rows()), "run `python -m catalog.demo_certs`"
    certs = load_demo_certs()
    assert 120 <= len(certs) <= 220
    assert len({c.sector for c in certs}) == 10


def test_offer_certifications_are_real_and_consistent(shipped):
    ref = certifications()
    curated = {c.rncp: c for c in load_demo_certs()}
    checked = 0
    for offer in shipped:
        rncp = offer.certification.rncp
        if rncp is None:
            continue
        checked += 1
        fiche = ref[rncp]
        assert fiche.active and offer.certification.level == fiche.level, rncp
        assert offer.rome_codes and set(offer.rome_codes) <= set(fiche.romes), rncp
        assert offer.certification.title == curated[rncp].title
        assert offer.kind in curated[rncp].kinds
        if offer.kind is OfferKind.APPRENTISSAGE:
            assert fiche.apprenticeship is not False
    assert checked > 2000


def test_hsp_1nq_targets_a_first_qualification(shipped):
    for offer in shipped.by_kind(OfferKind.HSP_1NQ):
        assert offer.certification.level in (3, 4)
        assert offer.prerequisites.max_level == 3 and not offer.prerequisites.tests
        assert offer.duration.months <= 24 and offer.publics.min_age == 16
        assert offer.funders == ["2"]
    levels = Counter(o.certification.level for o in shipped.by_kind(OfferKind.HSP_1NQ))
    assert levels[3] > levels[4] > 0


def test_qualifiant_spans_levels_3_to_6(shipped):
    levels = {o.certification.level for o in shipped.by_kind(OfferKind.QUALIFIANT)}
    assert levels == {3, 4, 5, 6}
    for offer in shipped.by_kind(OfferKind.QUALIFIANT):
        assert offer.prerequisites.tests and offer.prerequisites.interview
        assert "2" in offer.funders and "salarie_iae" in offer.publics.statuses


# --------------------------------------------------------------------------- dates and durations


@pytest.mark.parametrize("fixture", ["shipped", "small"])
def test_sessions_start_within_twelve_months_and_end_after(fixture, request):
    cat = request.getfixturevalue(fixture)
    anchor = date.fromisoformat(cat.meta["anchor"])
    end_window = demo.window_end(anchor)
    ids = set()
    for offer in cat:
        assert offer.sessions, offer.id
        for s in offer.sessions:
            assert anchor <= s.start <= end_window, (s.id, s.start)
            assert s.end > s.start
            assert s.offer_id == offer.id and s.id not in ids
            ids.add(s.id)


def test_late_september_anchor_keeps_every_start_in_the_window():
    anchor = date(2027, 9, 20)  # this September's intake is (partly) over: no start may leak outside
    cat = demo.generate(seed=1, anchor=anchor, scale=0.05)
    assert all(anchor <= s.start <= demo.window_end(anchor) for s in sessions_of(cat))


def test_window_end():
    assert demo.window_end(date(2026, 12, 1)) == date(2027, 11, 30)
    assert demo.window_end(date(2028, 2, 29)) == date(2029, 2, 27)


def test_durations_by_kind(shipped):
    q = [o.duration.months for o in shipped.by_kind(OfferKind.QUALIFIANT)]
    assert all(3 <= m <= 12 for m in q)
    assert 8 <= sum(q) / len(q) <= 10
    for offer in shipped.by_kind(OfferKind.HSP_SOCLE):
        assert offer.duration.months <= 6 and 20 <= offer.duration.hours_per_week <= 30
    for offer in shipped.by_kind(OfferKind.AMORCE):
        assert 1 <= offer.duration.months <= 3 and "PMSMP" in offer.description
    for offer in shipped.by_kind(OfferKind.APPRENTISSAGE):
        assert 12 <= offer.duration.months <= 36 and offer.rhythm is Rhythm.ALTERNANCE
        assert offer.funders == ["16"] and offer.publics.max_age == 29 and "RQTH" in offer.publics.priorities
    for offer in shipped.by_kind(OfferKind.MODULE):
        assert 20 <= offer.duration.hours_centre <= 150
    assert {o.module_theme for o in shipped.by_kind(OfferKind.MODULE)} >= {
        ModuleTheme.NUMERIQUE, ModuleTheme.TRANSITION_ECOLOGIQUE, ModuleTheme.FLE, ModuleTheme.REMISE_A_NIVEAU,
        ModuleTheme.PERMIS, ModuleTheme.SST, ModuleTheme.CLEA}


def test_apprenticeship_intakes_mostly_in_september(shipped):
    starts = [o.sessions[0].start for o in shipped.by_kind(OfferKind.APPRENTISSAGE)
              if o.sessions[0].entry_mode is EntryMode.FIXED_DATES]
    assert sum(s.month == 9 for s in starts) / len(starts) > 0.6


# --------------------------------------------------------------------------- shares and indicators


def test_session_and_offer_shares(shipped):
    sessions = sessions_of(shipped)
    permanent = sum(s.entry_mode is EntryMode.PERMANENT for s in sessions) / len(sessions)
    full = sum(s.is_full for s in sessions) / len(sessions)
    assert 0.10 <= permanent <= 0.22 and 0.06 <= full <= 0.14
    assert all(8 <= s.capacity <= 16 for s in sessions)
    offers = list(shipped)
    referent = sum(o.accessibility.referent_handicap is not None for o in offers) / len(offers)
    flexible = sum(o.accessibility.part_time_possible or o.accessibility.extended_duration_possible for o in offers)
    assert 0.5 <= referent <= 0.7 and 0.25 <= flexible / len(offers) <= 0.45
    assert any(o.referent_social for o in offers)
    assert any(o.add_ons for o in offers)


def test_outcomes_near_the_regional_evaluation(shipped):
    expectations = {"certification": demo.EVAL_CERTIFICATION, "emploi_6_mois": demo.EVAL_EMPLOYMENT_6_MONTHS}
    for kind, expected in expectations.items():
        outcomes = [x for o in shipped.by_kind(OfferKind.QUALIFIANT) for x in o.outcomes if x.kind == kind]
        assert len(outcomes) > 200
        mean = sum(x.rate * x.sample_size for x in outcomes) / sum(x.sample_size for x in outcomes)
        assert abs(mean - expected) < 0.04, (kind, mean)
        assert all(8 <= x.sample_size <= 120 and 2023 <= x.year <= 2025 and 0 <= x.rate <= 1 for x in outcomes)
        assert len({round(x.rate, 1) for x in outcomes}) > 3  # varied, not a constant


# --------------------------------------------------------------------------- fictitious identities


def test_luhn():
    assert demo.luhn_valid("79927398713") and not demo.luhn_valid("79927398710")
    assert demo.luhn_complete("7992739871") == "79927398713"


def test_providers_and_people_are_fictitious(shipped):
    sirets = {o.provider.name: o.provider.siret for o in shipped}
    assert len(set(sirets.values())) == len(sirets)
    for siret in sirets.values():
        assert len(siret) == 14 and demo.luhn_valid(siret) and demo.luhn_valid(siret[:9])
    for offer in shipped:
        assert offer.provenance.demo and offer.provenance.source == "demo"
        assert not re.search(r"\b(AFPA|GRETA|CCI|CNAM)\b", offer.provider.name)
        people = [offer.contact, offer.accessibility.referent_handicap, offer.referent_social]
        for person in filter(None, people):
            assert person.email.endswith(".example") and person.phone.startswith("05 36 49")
    roles = {o.accessibility.referent_handicap.role for o in shipped if o.accessibility.referent_handicap}
    assert roles == {"Référent handicap"}


def test_descriptions_are_french_and_varied(shipped):
    texts = [o.description for o in shipped.by_kind(OfferKind.QUALIFIANT)]
    assert len(set(texts)) > 0.9 * len(texts)
    assert all(" et " in t and "Débouchés" in t for t in texts)


# --------------------------------------------------------------------------- command line


def test_cli_writes_a_readable_catalogue(tmp_path, capsys, monkeypatch):
    real = demo.generate
    monkeypatch.setattr(demo, "generate", lambda seed, anchor: real(seed, anchor, scale=0.05))  # fast
    out = tmp_path / "demo.jsonl.gz"
    assert cli_main(["demo", "--seed", "3", "--anchor", "2027-01-04", "--output", str(out)]) == 0
    summary = json.loads(capsys.readouterr().out)
    cat = load_catalogue(out)
    assert summary["fingerprint"] == cat.fingerprint() and cat.meta["seed"] == 3
    assert cat.meta["anchor"] == "2027-01-04" and cat.is_demo
    assert "generated_at" not in cat.meta  # no clock: the same seed and anchor give the same bytes
    assert [p.name for p in tmp_path.iterdir()] == ["demo.jsonl.gz"]  # no temporary file left


def test_cli_rejects_a_bad_anchor(tmp_path, capsys):
    assert cli_main(["demo", "--anchor", "01/12/2026", "--output", str(tmp_path / "x.jsonl.gz")]) == 2
    assert "AAAA-MM-JJ" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())

"""Every real record in ../shared/data imports with the values read in the files.

The project's own samples (tests/fixtures/samples, test_import_fixtures.py) cover the same
formats on any clone; these tests also pin the real exports. Without ../shared they skip
locally and fail under CI=true (tests/shared.py).
"""

from __future__ import annotations

from datetime import date

import pytest

from catalog.importers import (
    ImportFormat, Severity, detect_format, import_apprentissage_json, import_intercarif_json, import_lheo,
)
from catalog.model import CertificationType, EntryMode, Modality, OfferKind, RecruitmentStatus, Rhythm
from catalog.paths import shared_data_dir
from tests.shared import require_shared

SAMPLES = shared_data_dir() / "lheo" / "samples"
OFFERS = shared_data_dir() / "offers"


@pytest.fixture(autouse=True)
def _tmp_data_dir(tmp_path, monkeypatch):
    require_shared("lheo/samples")
    require_shared("offers")
    monkeypatch.setenv("ITINERAIRE_DATA_DIR", str(tmp_path / "var"))


def by_id(result):
    return {o.id: o for o in result.offers}


def test_formation_plaquiste_two_actions():
    result = import_lheo(SAMPLES / "formation.xml")
    assert (result.accepted, result.rejected, result.errors) == (2, 0, [])
    # the only remarks: the targeted RNCP fiche has since been replaced (RNCP referential)
    assert {(p.record_id, p.reason) for p in result.warnings} == {
        (rid, "fiche RNCP320 inactive au RNCP (remplacée par RNCP30173)") for rid in ("07_114782", "07_123324")}
    offers = by_id(result)
    assert set(offers) == {"lheo:07_114782", "lheo:07_123324"}
    first, second = offers["lheo:07_114782"], offers["lheo:07_123324"]
    for o in (first, second):
        assert o.title == "Titre professionnel plaquiste"
        assert o.kind is OfferKind.QUALIFIANT  # dict-AIS 6 = certification
        assert o.certification.type is CertificationType.TP
        assert o.certification.rncp == "RNCP320"
        assert o.certification.level == 3  # code-niveau-sortie 4 = niveau V
        assert o.certification.modular is True  # parcours-de-formation 3
        assert o.rome_codes == ["F1604"] and o.formacodes == ["22403", "22402"]
        assert o.accessibility.accessible_premises is True
        assert o.accessibility.text == "Accès handicapé possible"
        assert o.accessibility.referent_handicap is None  # no contact typed 1 in this record
        assert o.provider.name == "AFPA de Veigné" and o.provider.siret == "82422814201874"
        assert o.prerequisites.tests and o.prerequisites.interview
        assert o.provenance.source == "lheo" and o.provenance.source_file == "formation.xml"
        assert o.contact.phone == "02 47 34 14 05" and o.contact.name is None and o.contact.email is None
    assert first.funders == ["10", "5"] and second.funders == ["2"]
    assert (second.duration.hours_centre, second.duration.hours_company, second.duration.hours_per_week) == (585, 112, 35)
    s1, = first.sessions
    assert (s1.start, s1.end) == (date(2017, 12, 4), date(2018, 6, 1))
    assert (s1.commune_insee, s1.commune_name, s1.postcode) == ("37266", "Veigné", "37250")
    assert (s1.lat, s1.lon) == (47.286057, 0.737711)
    assert s1.capacity == 8 and s1.recruitment is RecruitmentStatus.OUVERT
    s2, = second.sessions
    assert (s2.start, s2.end, s2.capacity) == (date(2017, 10, 30), date(2018, 6, 1), 5)
    assert (s2.lat, s2.lon) == (47.306826, 0.688594)


def test_daeu():
    result = import_lheo(SAMPLES / "daeu.xml")
    assert (result.accepted, result.rejected, result.problems) == (1, 0, [])
    o, = result.offers
    assert o.id == "lheo:15_927411"
    assert o.title == "Diplôme d'accès aux études universitaires, option a, cours en présentiel"
    assert o.certification.rncp == "RNCP28217" and o.certification.level == 4  # niveau IV
    assert o.prerequisites.min_level == 3  # code-niveau-entree 4, niveau-entree-obligatoire 1
    assert o.funders == ["2"]
    assert o.accessibility.accessible_premises is False and o.accessibility.text == "Non"
    assert o.contact.email == "daeu@univ-tlse2.fr"
    assert o.objectives.startswith("* être titulaire d'un diplôme national équivalent au Baccalauréat\n- accéder")
    assert o.duration.hours_centre == 250
    s, = o.sessions
    assert (s.start, s.end, s.commune_insee, s.commune_name) == (date(2018, 10, 1), date(2019, 5, 24), "31555", "Toulouse")


def test_obsolete_funder_code_is_a_warning_and_the_record_is_kept():
    result = import_lheo(SAMPLES / "wrong_code_financeur_16.xml")
    assert (result.accepted, result.rejected, result.errors) == (1, 0, [])
    o, = result.offers
    assert o.id == "lheo:04_74056"
    assert o.title.startswith("Découvrir l'activité de paysan-boulanger")
    assert o.funders == ["10", "16", "17", "5", "0"]
    funder_warnings = [p for p in result.warnings if p.field == "organisme-financeur/code-financeur"]
    assert {p.record_id for p in funder_warnings} == {"04_74056"}
    assert any("« 16 »" in p.reason and "2.2" in p.reason for p in funder_warnings)
    assert all(p.line for p in funder_warnings)
    assert o.kind is OfferKind.MODULE  # objective 2 unknown in dict-AIS, certifiante 0
    assert o.certification.level is None  # code-niveau-sortie 1 = sans niveau spécifique
    s, = o.sessions
    assert (s.start, s.end, s.commune_insee) == (date(2018, 2, 27), date(2018, 10, 19), "61325")
    assert s.entry_mode is EntryMode.PERMANENT


def test_xsd_errors_are_attached_to_their_action(tmp_path):
    text = (SAMPLES / "formation.xml").read_text(encoding="utf-8")
    second = text.index('<action numero="07_123324"')
    broken = text[:second] + text[second:].replace("<rythme-formation>Continu temps plein, Modulaire</rythme-formation>", "", 1)
    path = tmp_path / "broken.xml"
    path.write_text(broken, encoding="utf-8")
    result = import_lheo(path)
    assert result.accepted == 2  # schema errors never stop the import
    schema = [p for p in result.problems if "schéma" in p.reason]
    assert schema and {p.record_id for p in schema} == {"07_123324"}
    assert all(p.severity is Severity.WARNING for p in schema)


def test_intercarif_json():
    path = SAMPLES / "contrat_apprentissage_intercarif-json_2018.json"
    assert detect_format(path) is ImportFormat.INTERCARIF_JSON
    result = import_intercarif_json(path)
    assert (result.accepted, result.rejected, result.errors) == (2, 0, [])
    offers = by_id(result)
    assert set(offers) == {"lheo:07_152199", "lheo:07_164050"}
    for o in offers.values():
        assert o.title == "Titre professionnel plaquiste"
        assert o.kind is OfferKind.APPRENTISSAGE and o.rhythm is Rhythm.ALTERNANCE
        assert (o.certification.rncp, o.certification.level) == ("RNCP320", 3)
        assert o.funders == ["2"] and o.rome_codes == ["F1604"]
        assert (o.duration.hours_centre, o.duration.hours_company) == (585, 112)
    a, = offers["lheo:07_152199"].sessions
    assert (a.start, a.end, a.commune_insee, a.capacity) == (date(2018, 5, 14), date(2018, 12, 14), "37266", 5)
    b, = offers["lheo:07_164050"].sessions
    assert (b.start, b.lat, b.lon) == (date(2018, 6, 18), 47.286057, 0.737711)


def test_apprenticeship_catalogue_json():
    path = OFFERS / "catalogue_apprentissage_sample.json"
    assert detect_format(path) is ImportFormat.APPRENTISSAGE_JSON
    result = import_apprentissage_json(path)
    assert (result.accepted, result.rejected, result.errors) == (1, 0, [])
    o, = result.offers
    assert o.id == "apprentissage:082581P012X1300279230016313002792300171-33063#L01"
    assert o.kind is OfferKind.APPRENTISSAGE and o.title == "CONSEILLER TECHNIQUE CYCLES (ANFA)"
    assert (o.certification.rncp, o.certification.level, o.certification.type) == ("RNCP36721", 4, CertificationType.TP)
    assert o.certification.title == "Conseiller technique cycles" and len(o.certification.blocs) == 4
    assert o.rome_codes == ["D1211", "I1607"]
    assert o.provider.name == "INSTITUT METIERS ARTISANAT 33" and o.provider.commune == "33063"
    assert o.duration.months == 24 and o.modality is Modality.PRESENTIEL
    assert o.accessibility.referent_handicap is None  # not published in this record
    s, = o.sessions
    assert (s.start, s.end) == (date(2021, 9, 2), date(2023, 12, 30))
    assert (s.commune_insee, s.postcode, s.lat, s.lon) == ("33063", "33300", 44.841225, -0.5800364)

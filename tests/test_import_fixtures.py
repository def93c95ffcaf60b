"""The three exchange formats on the project's own sample files (`tests/fixtures/samples/`).

Hand-written, fictitious records with the features of real exports (the real samples
in ../shared/data are exercised by test_import_samples.py when that folder is there):
the LHÉO 2.2 namespace, a formation with two actions and several sessions and funders,
an RNCP fiche replaced since, a funder code that LHÉO 2.2 did not have, permanent entry,
Intercarif JSON sessions with or without coordinates, and an apprenticeship catalogue
envelope with parallel date lists and a record without a title. These run on any clone.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from catalog.importers import (
    ImportFormat, Severity, detect_format, import_apprentissage_json, import_file, import_intercarif_json, import_lheo,
)
from catalog.model import CertificationType, EntryMode, Modality, OfferKind, RecruitmentStatus, Rhythm
from tests.shared import require_shared

SAMPLES = Path(__file__).parent / "fixtures" / "samples"
LHEO = SAMPLES / "lheo22_offres.xml"


@pytest.fixture(autouse=True)
def _tmp_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ITINERAIRE_DATA_DIR", str(tmp_path / "var"))


def by_id(result):
    return {o.id: o for o in result.offers}


def test_lheo22_two_actions_sessions_and_funders():
    assert detect_format(LHEO) is ImportFormat.LHEO
    result = import_lheo(LHEO)
    assert (result.records_read, result.accepted, result.rejected, result.errors) == (3, 3, 0, [])
    offers = by_id(result)
    assert set(offers) == {"lheo:FX_A1", "lheo:FX_A2", "lheo:FX_B1"}
    a1, a2 = offers["lheo:FX_A1"], offers["lheo:FX_A2"]
    for o in (a1, a2):
        assert o.title == "Titre professionnel plaquiste" and o.kind is OfferKind.QUALIFIANT  # dict-AIS 6
        assert o.certification.type is CertificationType.TP and o.certification.rncp == "RNCP320"
        assert o.certification.level == 3 and o.certification.modular is True  # niveau V, parcours 3
        assert o.rome_codes == ["F1604"] and o.formacodes == ["22403", "22402"]  # principal first, document order
        assert o.provider.name == "Centre Exemple Bâtiment" and o.provider.siret == "00000000000026"
        assert o.provenance.source == "lheo" and o.provenance.source_file == LHEO.name
        assert o.prerequisites.tests and o.prerequisites.interview  # "Entretien, Tests"
    assert a1.funders == ["10", "5"] and a2.funders == ["2"]
    assert a1.accessibility.text == "Locaux accessibles" and a1.accessibility.accessible_premises is True
    assert (a2.duration.hours_centre, a2.duration.hours_company, a2.duration.hours_per_week) == (595, 105, 35)
    assert a1.duration.hours_centre is None
    s1, s2 = a1.sessions
    assert (s1.id, s1.start, s1.end) == ("lheo:FX_A1:FX_S1", date(2027, 1, 4), date(2027, 6, 25))
    assert (s2.start, s2.end) == (date(2027, 9, 6), date(2028, 2, 25))
    for s in (s1, s2):
        assert (s.commune_insee, s.commune_name, s.postcode) == ("87085", "Limoges", "87000")
        assert (s.lat, s.lon) == (45.8336, 1.2611)  # the file's own coordinates win
        assert s.capacity == 10 and s.recruitment is RecruitmentStatus.OUVERT  # 4 + 6 funded places
    s3, = a2.sessions
    assert (s3.commune_insee, s3.commune_name, s3.capacity) == ("19031", "Brive-la-Gaillarde", 12)
    # no geolocation in the file: the commune referential places the session
    assert s3.lat == pytest.approx(45.16, abs=0.05) and s3.lon == pytest.approx(1.53, abs=0.05)


def test_lheo22_warnings_replaced_rncp_and_obsolete_funder_code():
    result = import_lheo(LHEO)
    assert all(p.severity is Severity.WARNING for p in result.problems)
    rncp = {(p.record_id, p.reason) for p in result.warnings if p.field == "certification/code-RNCP"}
    assert rncp == {(rid, "fiche RNCP320 inactive au RNCP (remplacée par RNCP30173)") for rid in ("FX_A1", "FX_A2")}
    funder = [p for p in result.warnings if p.field == "organisme-financeur/code-financeur"]
    assert [p.record_id for p in funder] == ["FX_B1"]
    assert "« 16 »" in funder[0].reason and "2.2" in funder[0].reason and funder[0].line
    o = by_id(result)["lheo:FX_B1"]
    assert o.funders == ["10", "16", "5"]  # kept as read
    assert o.kind is OfferKind.MODULE and o.certification.level is None  # objective 2 unknown, certifiante 0
    s, = o.sessions
    assert s.entry_mode is EntryMode.PERMANENT and (s.start, s.commune_insee) == (date(2027, 2, 15), "24322")
    # nothing else is reported: the file is valid LHÉO apart from those facts
    assert {p.field for p in result.warnings} == {"certification/code-RNCP", "organisme-financeur/code-financeur",
                                                  "objectif-general-formation"}


def test_lheo22_schema_error_stays_with_its_action(tmp_path):
    # the importer validates against ../shared/data's lheo-2.3.xsd (not shipped: the shared data's rules)
    require_shared("lheo/schema/lheo-2.3.xsd")
    text = LHEO.read_text(encoding="utf-8")
    second = text.index('<action numero="FX_A2"')
    broken = text[:second] + text[second:].replace("<rythme-formation>Continu temps plein, Modulaire</rythme-formation>",
                                                   "", 1)
    path = tmp_path / "broken.xml"
    path.write_text(broken, encoding="utf-8")
    result = import_file(path)
    assert result.accepted == 3
    schema = [p for p in result.problems if "schéma" in p.reason]
    assert schema and {p.record_id for p in schema} == {"FX_A2"}
    assert all(p.severity is Severity.WARNING for p in schema)


def test_intercarif_json_sessions_with_and_without_coordinates():
    path = SAMPLES / "intercarif_apprentissage.json"
    assert detect_format(path) is ImportFormat.INTERCARIF_JSON
    result = import_intercarif_json(path)
    assert (result.accepted, result.rejected, result.problems) == (2, 0, [])
    offers = by_id(result)
    assert set(offers) == {"lheo:FXJ_S1", "lheo:FXJ_S2"}
    for o in offers.values():
        assert o.title == "CAP Cuisine" and o.kind is OfferKind.APPRENTISSAGE and o.rhythm is Rhythm.ALTERNANCE
        assert (o.certification.rncp, o.certification.level, o.certification.type) == ("RNCP37862", 3,
                                                                                         CertificationType.CAP)
        assert o.rome_codes == ["G1602", "G1603"]  # upper-cased, the non-code dropped
        assert o.formacodes == ["42752", "42754"]
        assert (o.duration.hours_centre, o.duration.hours_company, o.duration.hours_per_week) == (800, 400, 35)
        assert o.provider.name == "CFA Exemple des métiers de bouche" and o.modality is Modality.PRESENTIEL
    assert offers["lheo:FXJ_S1"].funders == ["2", "16"] and offers["lheo:FXJ_S2"].funders == ["2"]
    a, = offers["lheo:FXJ_S1"].sessions
    assert (a.start, a.end, a.commune_insee, a.capacity) == (date(2027, 9, 6), date(2029, 6, 29), "64445", 12)
    assert (a.lat, a.lon) == (43.2951, -0.3708)
    b, = offers["lheo:FXJ_S2"].sessions
    assert (b.commune_insee, b.commune_name, b.capacity) == ("64102", "Bayonne", 6)
    assert b.lat == pytest.approx(43.49, abs=0.05)  # from the commune referential


def test_apprenticeship_catalogue_envelope():
    path = SAMPLES / "catalogue_apprentissage.json"
    assert detect_format(path) is ImportFormat.APPRENTISSAGE_JSON
    result = import_apprentissage_json(path)
    assert (result.accepted, result.rejected, result.rejected_ids) == (1, 1, ["FX-APPR-0002#L01"])
    assert [(p.field, p.severity) for p in result.errors] == [("intitule_long", Severity.ERROR)]
    o, = result.offers
    assert o.id == "apprentissage:FX-APPR-0001#L01"
    assert o.kind is OfferKind.APPRENTISSAGE and o.title == "TECHNICIEN DE MAINTENANCE DE VEHICULES (EXEMPLE)"
    assert (o.certification.rncp, o.certification.level, o.certification.type) == ("RNCP36721", 4, CertificationType.TP)
    assert o.certification.blocs == ["Accueillir et conseiller le client", "Diagnostiquer et réparer"]
    assert o.rome_codes == ["D1211", "I1607"] and o.duration.months == 24
    assert o.provider.name == "CFA EXEMPLE MOBILITES" and o.provider.commune == "86194"
    assert o.provider.uai == "0860999Z", "the CFA's UAI is kept (InserJeunes value added per CFA)"
    assert o.contact.email == "cfa@exemple.org" and o.accessibility.referent_handicap is None
    first, second = o.sessions
    assert (first.start, first.end, first.entry_mode) == (date(2027, 9, 6), date(2029, 7, 6), EntryMode.FIXED_DATES)
    assert (second.start, second.entry_mode) == (date(2028, 1, 10), EntryMode.PERMANENT)
    assert (first.commune_insee, first.postcode, first.lat, first.lon, first.capacity) == ("86194", "86000", 46.5802,
                                                                                            0.3404, 12)


def test_without_the_lheo_schema_the_report_says_the_file_was_not_checked_against_it(monkeypatch, tmp_path):
    """The XSD is not shipped (not ours to redistribute): when it is absent, the report says so, once."""
    from catalog.importers import lheo

    monkeypatch.setenv(lheo.XSD_ENV, str(tmp_path / "absent.xsd"))
    lheo._schema.cache_clear()
    try:
        result = lheo.import_lheo(SAMPLES / "lheo22_offres.xml")
    finally:
        lheo._schema.cache_clear()
    notes = [p for p in result.warnings if p.reason == lheo.NO_SCHEMA]
    assert len(notes) == 1 and result.offers

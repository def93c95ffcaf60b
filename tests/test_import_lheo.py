"""LHÉO importer on hand-made and damaged inputs: mapping, errors, safety, streaming."""

from __future__ import annotations

import threading
import time
from datetime import date
from pathlib import Path

import psutil
import pytest

from catalog.importers import UnreadableFile, import_file, import_lheo
from catalog.model import Modality, OfferKind, RecruitmentStatus, Rhythm

FIXTURES = Path(__file__).parent / "fixtures" / "import"
SAMPLE = Path(__file__).parent / "fixtures" / "samples" / "lheo22_offres.xml"
# CPF-eligibility extras as real exports carry them (ignored by the importer): they bring the
# repeated record to the size of a real one, so the streaming test reads a realistic file.
_EXTRAS = "".join(f'<extras info="eligibilite-cpf" numero="{i}"><extra info="source">Liste exemple {i}</extra>'
                  f'<extra info="debut-validite">20250101</extra><extra info="fin-validite">20291231</extra>'
                  f'<extra info="branche">{i:02d}.00Z</extra></extras>\n' for i in range(40))
REFERENT = FIXTURES / "referent_handicap_lheo23.xml"


@pytest.fixture(autouse=True)
def _tmp_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ITINERAIRE_DATA_DIR", str(tmp_path / "var"))


def test_lheo23_mapping_referent_handicap_and_bad_session():
    result = import_lheo(REFERENT)
    assert (result.records_read, result.accepted, result.rejected) == (2, 1, 1)
    offer, = result.offers
    assert offer.id == "lheo:T23_A1" and offer.title == "Remise à niveau compétences clés"
    assert offer.kind is OfferKind.HSP_SOCLE  # dict-AIS 5
    assert offer.certification.modular is True and offer.certification.level is None
    ref = offer.accessibility.referent_handicap
    assert (ref.name, ref.role, ref.phone, ref.email) == ("Référente Exemple", "Référent handicap", "05 00 00 00 01",
                                                        "handicap@exemple.org")
    assert offer.accessibility.accessible_premises is True
    assert offer.modality is Modality.MIXTE and offer.rhythm is Rhythm.PART_TIME
    assert offer.funders == ["2", "1"]
    # S2 ends before it starts: that session only is dropped, with an error naming it
    session, = offer.sessions
    assert session.id == "lheo:T23_A1:S1" and session.recruitment is RecruitmentStatus.FERME
    assert (session.start, session.end, session.capacity) == (date(2026, 1, 5), date(2026, 6, 26), 12)
    assert session.commune_insee == "86194" and session.commune_name == "Poitiers"
    bad_session = [p for p in result.errors if p.record_id == "T23_A1"]
    assert [p.field for p in bad_session] == ["session[S2].periode"] and bad_session[0].line == 53
    assert "avant le début" in bad_session[0].reason
    # obsolete funder code 1: warning, record kept
    assert any(p.record_id == "T23_A1" and "obsolète" in p.reason for p in result.warnings)
    # the second formation has no title: its action is rejected with an error
    missing = [p for p in result.errors if p.record_id == "T23_B1"]
    assert [p.field for p in missing] == ["intitule-formation"]
    assert result.rejected_ids == ["T23_B1"]


def test_referential_fills_coordinates_from_insee():
    session = import_lheo(REFERENT).offers[0].sessions[0]
    assert session.lat == pytest.approx(46.58, abs=0.05) and session.lon == pytest.approx(0.34, abs=0.05)


def test_truncated_file_keeps_records_read_before_the_break(tmp_path):
    text = REFERENT.read_text(encoding="utf-8")
    cut = text.index('<formation numero="T23_2">') + 200
    path = tmp_path / "cut.xml"
    path.write_text(text[:cut], encoding="utf-8")
    result = import_lheo(path)
    assert [o.id for o in result.offers] == ["lheo:T23_A1"]
    brk = [p for p in result.errors if "interrompu" in p.reason]
    assert len(brk) == 1 and brk[0].record_id == "T23_2" and brk[0].file == "cut.xml"
    assert brk[0].line and brk[0].position.startswith("ligne ")
    assert result.accepted == 1 and result.rejected == 1


@pytest.mark.parametrize("name", ["billion_laughs.xml", "external_entity.xml"])
def test_entity_declarations_are_refused_quickly(name):
    proc = psutil.Process()
    before = proc.memory_info().rss
    t0 = time.perf_counter()
    with pytest.raises(UnreadableFile, match="entités"):
        import_file(FIXTURES / name)
    assert time.perf_counter() - t0 < 2
    assert proc.memory_info().rss - before < 50_000_000


def test_not_lheo_and_not_xml_are_unreadable(tmp_path):
    with pytest.raises(UnreadableFile, match="pas un fichier LHÉO"):
        import_lheo(FIXTURES / "not_lheo.xml")
    garbage = tmp_path / "garbage.xml"
    garbage.write_text("ceci n'est pas du XML", encoding="utf-8")
    with pytest.raises(UnreadableFile, match="XML illisible"):
        import_lheo(garbage)


def _big_file(path: Path, target_bytes: int) -> int:
    """Repeat the sample's first formation (two actions; changed ids) until the file reaches target_bytes."""
    src = SAMPLE.read_text(encoding="utf-8")
    start, end = src.index("<formation "), src.index("</formation>") + len("</formation>")
    record = src[start:end].replace("<etat-recrutement>1</etat-recrutement>",
                                    "<etat-recrutement>1</etat-recrutement>" + _EXTRAS)
    n, size = 0, 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write(src[:start])
        while size < target_bytes:
            chunk = record.replace('numero="FX_', f'numero="B{n}_')
            fh.write(chunk)
            size += len(chunk.encode())
            n += 1
        fh.write(src[src.index("</offres>"):])
    return n


@pytest.mark.slow
def test_50mb_file_is_streamed(tmp_path):
    path = tmp_path / "big.xml"
    n = _big_file(path, 50_000_000)
    proc = psutil.Process()
    base = peak = proc.memory_info().rss
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, proc.memory_info().rss)
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        result = import_lheo(path)
    finally:
        done.set()
        sampler.join()
    assert result.accepted == 2 * n and result.rejected == 0 and not result.errors
    assert len({o.id for o in result.offers}) == 2 * n
    growth = peak - base
    assert growth < 150_000_000, f"peak RSS grew by {growth / 1e6:.0f} MB for a {path.stat().st_size / 1e6:.0f} MB file"


def test_unknown_codes_are_warnings_and_the_record_is_kept(tmp_path):
    text = REFERENT.read_text(encoding="utf-8")
    text = text.replace("<etat-recrutement>2</etat-recrutement>", "<etat-recrutement>7</etat-recrutement>", 1)
    text = text.replace("<code-niveau-sortie>1</code-niveau-sortie>", "<code-niveau-sortie>99</code-niveau-sortie>", 1)
    text = text.replace("<modalites-enseignement>1</modalites-enseignement>",
                        "<modalites-enseignement>5</modalites-enseignement>", 1)
    path = tmp_path / "codes.xml"
    path.write_text(text, encoding="utf-8")
    result = import_lheo(path)
    offer = next(o for o in result.offers if o.id == "lheo:T23_A1")
    assert offer.sessions[0].recruitment is RecruitmentStatus.OUVERT  # unknown state: open assumed, with a warning
    assert offer.modality is Modality.PRESENTIEL
    fields = {p.field for p in result.warnings if p.record_id == "T23_A1"}
    assert {"session[S1].etat-recrutement", "code-niveau-sortie", "modalites-enseignement"} <= fields
    assert [p.field for p in result.errors if p.record_id == "T23_A1"] == ["session[S2].periode"]


def test_reimport_updates_without_duplicates():
    from catalog.store import Catalogue, merge_offers

    first = merge_offers(Catalogue(), import_lheo(REFERENT).offers)
    assert first.added == ["lheo:T23_A1"]
    again = merge_offers(first.catalogue, import_lheo(REFERENT).offers)
    assert (again.added, again.updated, again.unchanged) == ([], [], ["lheo:T23_A1"])
    assert len(again.catalogue) == 1
    kept = again.catalogue.get("lheo:T23_A1").provenance
    assert (kept.source, kept.source_file, kept.record_id) == ("lheo", REFERENT.name, "T23_A1") and kept.imported_at

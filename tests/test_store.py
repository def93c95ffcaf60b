"""Catalogue container, JSONL persistence (atomic, streaming, clear errors) and merging."""

from __future__ import annotations

import gzip
import json
from datetime import date

import numpy as np
import pytest

from catalog import store
from catalog.model import Certification, CertificationType, Offer, OfferKind, Provenance, Session
from catalog.store import Catalogue, CatalogueError, load_catalogue, merge_offers, save_catalogue


def make_offer(n: int, kind: OfferKind = OfferKind.QUALIFIANT, demo: bool = True, **kw) -> Offer:
    oid = f"OF-{n:03d}"
    return Offer(
        id=oid,
        kind=kind,
        title=kw.pop("title", f"Formation {n}"),
        certification=Certification(type=CertificationType.TP, title="Titre pro", rncp="RNCP35830", level=4),
        rome_codes=["J1501"],
        provenance=Provenance(source="demo" if demo else "lheo", demo=demo, imported_at=kw.pop("imported_at", None)),
        sessions=[
            Session(id=f"{oid}-S1", offer_id=oid, start=date(2026, 1, 5), commune_insee="64445", lat=43.29, lon=-0.37),
            Session(id=f"{oid}-S2", offer_id=oid, start=date(2026, 3, 2), commune_insee="33063"),
        ],
        **kw,
    )


@pytest.fixture
def cat() -> Catalogue:
    offers = [make_offer(1), make_offer(2, OfferKind.HSP_SOCLE), make_offer(3, OfferKind.APPRENTISSAGE)]
    return Catalogue(offers, {"demo": True, "seed": 7, "generator": "test"})


def test_container(cat):
    assert len(cat) == 3 and "OF-002" in cat and cat.get("OF-009") is None
    assert [o.id for o in cat] == ["OF-001", "OF-002", "OF-003"]
    assert [o.id for o in cat.by_kind(OfferKind.HSP_SOCLE)] == ["OF-002"] == [o.id for o in cat.by_kind("HSP_SOCLE")]
    pairs = list(cat.iter_sessions())
    assert len(pairs) == 6 and all(s.offer_id == o.id for o, s in pairs)
    assert cat.is_demo and cat.counts()["sessions"] == 6


@pytest.mark.parametrize("name", ["cat.jsonl.gz", "cat.jsonl"])
def test_round_trip(cat, tmp_path, name):
    path = save_catalogue(cat, tmp_path / name)
    back = load_catalogue(path)
    assert {o.id: o.to_dict() for o in back} == {o.id: o.to_dict() for o in cat}
    assert back.meta["seed"] == 7 and back.meta["counts"]["offers"] == 3
    assert back.fingerprint() == cat.fingerprint()
    assert back.get("OF-001").sessions[0].start == date(2026, 1, 5)
    if name.endswith(".gz"):
        first = gzip.open(path, "rt", encoding="utf-8").readline()
        assert "_meta" in json.loads(first)


def test_default_path_prefers_working_catalogue(cat, tmp_path, monkeypatch):
    monkeypatch.setenv("ITINERAIRE_DATA_DIR", str(tmp_path / "var"))
    demo = tmp_path / "demo.jsonl.gz"
    save_catalogue(cat, demo)
    monkeypatch.setattr(store, "DEMO_PATH", demo)
    assert load_catalogue().meta["seed"] == 7  # no working catalogue yet: the demo
    working = merge_offers(cat, [make_offer(9, demo=False)]).catalogue
    save_catalogue(working)  # default path: the working catalogue
    assert store.working_path().exists()
    loaded = load_catalogue()
    assert len(loaded) == 4 and not loaded.is_demo and loaded.has_demo_offers


def test_missing_file_message(tmp_path):
    with pytest.raises(CatalogueError, match="introuvable"):
        load_catalogue(tmp_path / "absent.jsonl.gz")


def test_atomic_save_keeps_previous_file_on_crash(cat, tmp_path, monkeypatch):
    path = save_catalogue(cat, tmp_path / "cat.jsonl.gz")
    before = path.read_bytes()
    bigger = merge_offers(cat, [make_offer(n) for n in range(10, 40)]).catalogue

    calls = {"n": 0}
    real = store._canonical

    def crash_midway(offer):
        calls["n"] += 1
        if calls["n"] > 10:
            raise RuntimeError("simulated crash while writing")
        return real(offer)

    monkeypatch.setattr(store, "_canonical", crash_midway)
    with pytest.raises(RuntimeError):
        save_catalogue(bigger, path)
    assert path.read_bytes() == before
    assert len(load_catalogue(path)) == 3
    assert [p.name for p in tmp_path.iterdir()] == ["cat.jsonl.gz"]  # temp file removed

    monkeypatch.setattr(store, "_canonical", real)

    def failing_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.os, "fsync", failing_fsync)
    with pytest.raises(CatalogueError, match="écriture impossible"):
        save_catalogue(bigger, path)
    assert path.read_bytes() == before


def _write_lines(path, lines):
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


def test_corrupt_line_reports_line_number(cat, tmp_path):
    good = [json.dumps({"_meta": {"demo": True}})] + [json.dumps(o.to_dict()) for o in cat]
    path = tmp_path / "bad.jsonl.gz"
    _write_lines(path, good[:2] + ['{"id": "OF-X", "kind": '] + good[2:])
    with pytest.raises(CatalogueError) as err:
        load_catalogue(path)
    assert err.value.line == 3 and "ligne 3" in str(err.value) and path.name in str(err.value)
    assert str(path.parent) not in str(err.value)  # no server path in a message that may reach a browser
    assert "JSON invalide" in str(err.value)

    bad_kind = dict(cat.get("OF-001").to_dict(), id="OF-Y", kind="PAS_UN_TYPE")
    _write_lines(path, good + [json.dumps(bad_kind)])
    with pytest.raises(CatalogueError, match="ligne 5.*OF-Y"):
        load_catalogue(path)

    _write_lines(path, good + [json.dumps({"id": "OF-Z"})])
    with pytest.raises(CatalogueError, match="manquant.*kind"):
        load_catalogue(path)

    _write_lines(path, good + [good[1]])
    with pytest.raises(CatalogueError, match="double"):
        load_catalogue(path)

    _write_lines(path, good + ["[1, 2]"])
    with pytest.raises(CatalogueError, match="objet JSON"):
        load_catalogue(path)


def test_truncated_files(cat, tmp_path):
    path = save_catalogue(cat, tmp_path / "cat.jsonl.gz")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CatalogueError, match="tronqué|JSON invalide"):
        load_catalogue(path)
    # a plain file cut after a full line: the header's counts reveal it
    plain = save_catalogue(cat, tmp_path / "cat.jsonl")
    lines = plain.read_text(encoding="utf-8").splitlines(keepends=True)
    plain.write_text("".join(lines[:-1]), encoding="utf-8")
    with pytest.raises(CatalogueError, match="incomplet"):
        load_catalogue(plain)


def test_merge_add_update_unchanged(cat):
    before = {o.id: o.to_dict() for o in cat}
    changed = make_offer(2, OfferKind.HSP_SOCLE, demo=False, title="Socle renouvelé", imported_at="2026-11-26T08:00:00")
    same = make_offer(1, imported_at="2026-11-26T08:00:00")  # only provenance differs: not an update
    new = make_offer(7, demo=False)
    result = merge_offers(cat, [changed, same, new, new])
    assert (result.added, result.updated, result.unchanged) == (["OF-007"], ["OF-002"], ["OF-001"])
    merged = result.catalogue
    assert len(merged) == 4 and merged is not cat
    assert merged.get("OF-002").title == "Socle renouvelé"
    assert merged.get("OF-002").provenance.imported_at == "2026-11-26T08:00:00"
    assert merged.get("OF-001").provenance.imported_at is None  # first provenance kept
    assert merged.history("OF-002") == [{"source": "demo", "source_file": None, "record_id": None,
                                         "imported_at": None, "demo": True}]
    assert not merged.is_demo
    # the input catalogue is untouched
    assert {o.id: o.to_dict() for o in cat} == before and cat.history("OF-002") == [] and cat.is_demo
    # merging again is idempotent
    again = merge_offers(merged, [changed, new])
    assert again.added == [] and again.updated == [] and sorted(again.unchanged) == ["OF-002", "OF-007"]
    assert again.catalogue.fingerprint() == merged.fingerprint()


def test_history_survives_save(cat, tmp_path):
    merged = merge_offers(cat, [make_offer(1, title="v2")]).catalogue
    merged = merge_offers(merged, [make_offer(1, title="v3", demo=False, imported_at="t3")]).catalogue
    back = load_catalogue(save_catalogue(merged, tmp_path / "c.jsonl.gz"))
    assert len(back.history("OF-001")) == 2 and back.get("OF-001").title == "v3"


def test_fingerprint_stable_and_sensitive(cat):
    fp = cat.fingerprint()
    assert fp.startswith("sha256:") and len(fp) == 7 + 64
    reordered = Catalogue(list(reversed(list(cat))), {"other": "meta"})
    assert reordered.fingerprint() == fp  # order and header do not matter
    changed = make_offer(3, OfferKind.APPRENTISSAGE)
    changed.sessions[1].places_left = 0
    assert merge_offers(cat, [changed]).catalogue.fingerprint() != fp
    assert Catalogue([]).fingerprint() != fp


def test_loaded_fingerprint_comes_from_the_bytes_read(cat, tmp_path, monkeypatch):
    path = save_catalogue(cat, tmp_path / "c.jsonl.gz")
    canonical = Catalogue(list(cat)).fingerprint()

    def no_reserialising(offer):
        raise AssertionError("fingerprint of a loaded file must not re-serialise the offers")

    monkeypatch.setattr(store, "_canonical", no_reserialising)
    assert load_catalogue(path).fingerprint() == canonical
    monkeypatch.undo()
    # a file in another order (hand-made): same offers, same fingerprint, computed the slow way
    lines = gzip.open(path, "rt", encoding="utf-8").read().splitlines(keepends=True)
    shuffled = tmp_path / "shuffled.jsonl"
    shuffled.write_text(lines[0] + "".join(reversed(lines[1:])), encoding="utf-8")
    assert load_catalogue(shuffled).fingerprint() == canonical
    changed = tmp_path / "changed.jsonl"
    changed.write_text("".join(lines).replace('"title":"', '"title":"X', 1), encoding="utf-8")
    assert load_catalogue(changed).fingerprint() != canonical


def test_shipped_demo_loads():
    assert store.DEMO_PATH.exists(), "the demo catalogue ships with the repo (python -m catalog demo)"
    demo = store.load_demo()
    assert len(demo) > 0 and demo.is_demo
    assert demo.fingerprint() == store.load_demo().fingerprint()


def test_loaded_offers_share_identical_parts_and_keep_their_exact_values(tmp_path):
    """Issue 14: one object per distinct provider, certification, code list… among loaded offers.

    Values that differ only by type (35 and 35.0 hours, 0.0 and -0.0) stay apart, so the
    shared catalogue serialises to the bytes read (its canonical fingerprint is unchanged).
    """
    from catalog.model import Duration, Outcome, Provider

    def offer(n, hours, provider="Centre A"):
        return make_offer(n, provider=Provider(name=provider, siret="123"), duration=Duration(hours_centre=hours),
                          outcomes=[Outcome("emploi_6_mois", 0.5, 40, 2024)], funders=["2"])

    offers = [offer(1, 35), offer(2, 35), offer(3, 35.0), offer(4, 0.0), offer(5, -0.0, provider="Centre B")]
    path = save_catalogue(Catalogue(offers), tmp_path / "c.jsonl.gz")
    back = load_catalogue(path)
    a, b, c, d, e = (back.get(f"OF-00{i}") for i in range(1, 6))
    assert a.provider is b.provider is c.provider and e.provider is not a.provider
    assert a.certification is e.certification and a.rome_codes is e.rome_codes and a.funders is e.funders
    assert a.outcomes is b.outcomes and a.outcomes[0] is e.outcomes[0]
    assert a.duration is b.duration and c.duration is not a.duration and d.duration is not e.duration
    assert (type(c.duration.hours_centre), str(e.duration.hours_centre)) == (float, "-0.0")
    assert a.sessions is not b.sessions and a.sessions[0].offer_id is a.id  # per-offer parts stay per offer
    assert a.provenance is not b.provenance
    assert Catalogue(list(back)).fingerprint() == back.fingerprint() == Catalogue(offers).fingerprint()
    # a changed copy (how the code changes an offer) leaves the other offers as they were
    import dataclasses

    changed = dataclasses.replace(a, provider=dataclasses.replace(a.provider, name="Centre C"))
    assert changed.provider.name == "Centre C" and b.provider.name == "Centre A" == a.provider.name


def test_planning_and_searching_leave_a_loaded_catalogue_unchanged(tmp_path):
    """Sharing parts between loaded offers is safe only because nothing changes a loaded offer in
    place: plan every persona case and search on the loaded demo catalogue, then re-serialise it."""
    from datetime import date as _date

    from assistant.api import plan
    from indexes.offers import OfferSearcher
    from indexes.vector import VectorIndex
    root = __import__("pathlib").Path(__file__).resolve().parent
    demo = store.load_demo()
    before = demo.fingerprint()  # from the bytes read
    planned = 0
    for path in sorted((root / "cases" / "personas").glob("P*.json")):
        profile = json.loads(path.read_text(encoding="utf-8"))
        if profile.get("wish_romes"):
            planned += bool(plan(profile, today=_date(2026, 11, 26), catalogue=demo).get("pathways"))
    assert planned >= 5

    class _Embedder:  # deterministic vectors: the search code path, not the model, is under test
        name, dim = "e5", 8

        def encode_queries(self, texts):
            return np.ones((len(texts), 8), dtype=np.float32) / np.sqrt(8)

    offers = list(demo)
    vectors = np.random.default_rng(0).normal(size=(len(offers), 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    searcher = OfferSearcher(demo, VectorIndex.build(vectors, [o.id for o in offers], kind="sq8"), _Embedder())
    for query in ("aide soignante", None):
        assert searcher.search(query, commune="Pau", radius_km=60, start_after=_date(2026, 11, 26), k=20)
    assert Catalogue(list(demo)).fingerprint() == before

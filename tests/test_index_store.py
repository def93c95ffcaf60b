"""Default index store: build, load without rebuild, stale / corrupt detection, atomic swap, cache reuse."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from catalog.store import Catalogue
from indexes import store
from indexes.cache import EmbeddingCache
from indexes.vector import INDEX_FILE, MANIFEST_FILE, IndexCorruptError, VectorIndex


def _build(e5, catalogue, docs, **kw):
    return store.build_default(embedder=e5, catalogue=catalogue, job_docs=docs, **kw)


def _status(e5, catalogue, docs):
    return {s.name: s for s in store.status(e5, store.load_sources(catalogue, docs))}


def _current_dir(data_dir: Path, name: str) -> Path:
    pointer = json.loads((data_dir / "index" / store.POINTER_FILE).read_text())
    return data_dir / "index" / pointer[name]


def _retitled(catalogue, ids, suffix=" (nouvelle version)"):
    offers = [dataclasses.replace(o, title=o.title + suffix) if o.id in ids else o for o in catalogue]
    return Catalogue(offers)


def test_build_then_load_without_rebuild(data_dir, e5_embedder, tiny_catalogue, tiny_job_docs):
    progress = []
    report = _build(e5_embedder, tiny_catalogue, tiny_job_docs, progress=lambda d, t, s: progress.append((d, t, s)))
    assert report.built == ["jobs", "offers"] and report.skipped == []
    assert report.counts == {"jobs": len(tiny_job_docs), "offers": len(tiny_catalogue)}
    # tiny job texts that are real ROME texts come from the shipped job vectors, the rest from the model
    assert report.embedded + report.shipped == len(tiny_job_docs) + len(tiny_catalogue)
    assert report.pending == {"jobs": len(tiny_job_docs) - report.shipped, "offers": len(tiny_catalogue)}
    assert {s for _, _, s in progress} == {"métiers", "offres"} and (10, 10, "offres") in progress

    manifest = json.loads((_current_dir(data_dir, "offers") / MANIFEST_FILE).read_text())
    assert manifest["fingerprint"] == tiny_catalogue.fingerprint()
    assert manifest["embedder"] == "e5" and manifest["embedder_version"] == e5_embedder.version
    for key in ("dim", "count", "built_at", "format_version", "code_version", "files"):
        assert key in manifest

    before = {n: _current_dir(data_dir, n) for n in store.INDEX_NAMES}
    loaded = store.load_default(e5_embedder, catalogue=tiny_catalogue, job_docs=tiny_job_docs)
    assert loaded.notices == ()
    assert {n: _current_dir(data_dir, n) for n in store.INDEX_NAMES} == before  # nothing rebuilt
    assert sorted(loaded.offers.ids) == sorted(tiny_catalogue.offers)
    hit = loaded.offers.search(e5_embedder.encode_queries(["formation cuisinier"]), 1)[0][0]
    assert hit[0] == "o-cuisine"
    again = _build(e5_embedder, tiny_catalogue, tiny_job_docs)
    assert again.built == [] and again.embedded == 0


def test_changed_offers_only_reembed_changed_texts(data_dir, e5_embedder, tiny_catalogue, tiny_job_docs):
    _build(e5_embedder, tiny_catalogue, tiny_job_docs)
    changed = _retitled(tiny_catalogue, {"o-as", "o-macon", "o-caces"})
    status = _status(e5_embedder, changed, tiny_job_docs)
    assert status["jobs"].valid and not status["offers"].valid
    assert "périmé" in status["offers"].reason and "catalogue" in status["offers"].reason
    report = _build(e5_embedder, changed, tiny_job_docs)
    assert report.built == ["offers"] and report.skipped == ["jobs"]
    assert report.embedded == 3
    # the cache file kept only the texts still in use
    cache = EmbeddingCache(e5_embedder)
    assert len(cache) == len(tiny_job_docs) + len(changed)


def test_stale_index_is_reported_and_rebuilt_on_load(data_dir, e5_embedder, tiny_catalogue, tiny_job_docs, caplog):
    _build(e5_embedder, tiny_catalogue, tiny_job_docs)
    changed = _retitled(tiny_catalogue, {"o-elec"})
    with pytest.raises(IndexCorruptError, match="périmé"):
        store.load_default(e5_embedder, rebuild=False, catalogue=changed, job_docs=tiny_job_docs)
    loaded = store.load_default(e5_embedder, catalogue=changed, job_docs=tiny_job_docs)
    assert any("périmé" in n for n in loaded.notices) and "reconstruits" in loaded.notices[-1]
    assert loaded.offers.manifest["fingerprint"] == changed.fingerprint()
    assert "périmé" in caplog.text


def test_other_embedder_or_format_makes_index_stale(data_dir, e5_embedder, tiny_catalogue, tiny_job_docs):
    _build(e5_embedder, tiny_catalogue, tiny_job_docs)
    path = _current_dir(data_dir, "jobs") / MANIFEST_FILE
    manifest = json.loads(path.read_text())
    path.write_text(json.dumps(dict(manifest, embedder_version="other-model@1")))
    status = _status(e5_embedder, tiny_catalogue, tiny_job_docs)
    assert not status["jobs"].valid and "autre moteur" in status["jobs"].reason
    path.write_text(json.dumps(dict(manifest, format_version=-1)))
    assert "version différente" in _status(e5_embedder, tiny_catalogue, tiny_job_docs)["jobs"].reason


def test_offers_index_is_quantised_and_an_old_float32_one_is_rebuilt(data_dir, e5_embedder, tiny_catalogue,
                                                                     tiny_job_docs, monkeypatch):
    """Issue 14: the offers index is kept "sq8"; a float32 one persisted before is stale, then re-stored
    from its own vectors (nothing re-embedded, even without the embedding cache); same best offer."""
    monkeypatch.setitem(store.config.settings(), "offer_vector_storage", "auto")
    _build(e5_embedder, tiny_catalogue, tiny_job_docs)
    old = store.load_default(e5_embedder, rebuild=False, catalogue=tiny_catalogue, job_docs=tiny_job_docs)
    assert old.offers.kind == "flat"
    query = e5_embedder.encode_queries(["formation cuisinier"])
    monkeypatch.setitem(store.config.settings(), "offer_vector_storage", "sq8")
    for path in (data_dir / "embedding_cache").glob("*"):  # re-stored from the old index, not re-embedded
        path.unlink()
    status = _status(e5_embedder, tiny_catalogue, tiny_job_docs)
    assert status["jobs"].valid and not status["offers"].valid and "flat" in status["offers"].reason
    embed = e5_embedder.encode_passages
    monkeypatch.setattr(e5_embedder, "encode_passages", lambda *a, **k: pytest.fail("offer texts re-embedded"))
    loaded = store.load_default(e5_embedder, catalogue=tiny_catalogue, job_docs=tiny_job_docs)
    monkeypatch.setattr(e5_embedder, "encode_passages", embed)
    assert loaded.offers.kind == "sq8" and loaded.offers.manifest["storage"] == "sq8"
    assert loaded.jobs.kind == "flat" and any("sq8" in n for n in loaded.notices)
    assert loaded.offers.search(query, 1)[0][0][0] == old.offers.search(query, 1)[0][0][0] == "o-cuisine"
    order = np.argsort(-old.offers.scores(query[0]))
    assert np.array_equal(np.argsort(-loaded.offers.scores(query[0]))[:3], order[:3])
    again = _build(e5_embedder, tiny_catalogue, tiny_job_docs)
    assert again.built == [] and again.embedded == 0


@pytest.mark.parametrize("damage", ["truncate", "manifest", "pointer", "delete"])
def test_corrupt_index_is_reported_then_rebuilt(data_dir, e5_embedder, tiny_catalogue, tiny_job_docs, damage):
    _build(e5_embedder, tiny_catalogue, tiny_job_docs)
    folder = _current_dir(data_dir, "offers")
    if damage == "truncate":
        data = (folder / INDEX_FILE).read_bytes()
        (folder / INDEX_FILE).write_bytes(data[:100])
        expected = "abîmé"
    elif damage == "manifest":
        (folder / MANIFEST_FILE).write_text("{garbage")
        expected = "Manifeste illisible"
    elif damage == "pointer":
        (data_dir / "index" / store.POINTER_FILE).write_text("not json")
        expected = "pas encore été construit"
    else:
        for f in folder.iterdir():
            f.unlink()
        expected = "absent"
    status = _status(e5_embedder, tiny_catalogue, tiny_job_docs)
    assert not status["offers"].valid and expected in status["offers"].reason
    loaded = store.load_default(e5_embedder, catalogue=tiny_catalogue, job_docs=tiny_job_docs)
    assert loaded.notices and len(loaded.offers) == len(tiny_catalogue)
    assert all(s.valid for s in _status(e5_embedder, tiny_catalogue, tiny_job_docs).values())


def test_failed_build_leaves_previous_index_usable(data_dir, e5_embedder, tiny_catalogue, tiny_job_docs, monkeypatch):
    _build(e5_embedder, tiny_catalogue, tiny_job_docs)
    before = _current_dir(data_dir, "offers")

    def partial_save(self, directory, manifest):  # writes part of the files, then "crashes"
        Path(directory).mkdir(parents=True)
        (Path(directory) / INDEX_FILE).write_bytes(b"partial")
        raise OSError("disque plein (simulé)")

    monkeypatch.setattr(VectorIndex, "save", partial_save)
    changed = _retitled(tiny_catalogue, {"o-as"})
    with pytest.raises(store.IndexBuildError, match="impossible .*l'index précédent reste en service"):
        _build(e5_embedder, changed, tiny_job_docs)
    monkeypatch.undo()
    monkeypatch.setenv("ITINERAIRE_DATA_DIR", str(data_dir))
    assert _current_dir(data_dir, "offers") == before
    old = store.load_default(e5_embedder, rebuild=False, catalogue=tiny_catalogue, job_docs=tiny_job_docs)
    assert len(old.offers) == len(tiny_catalogue)
    assert not any(p.name.startswith(".tmp-") for p in (data_dir / "index").iterdir())  # removed on failure
    _build(e5_embedder, changed, tiny_job_docs)
    assert not any(p.name.startswith(".tmp-") for p in (data_dir / "index").iterdir())
    assert len([p for p in (data_dir / "index").iterdir() if p.is_dir()]) == 2


_KILLED_BUILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    sys.path.insert(0, sys.argv[1])
    from indexes import store
    from indexes.vector import VectorIndex
    from catalog.store import Catalogue
    from catalog.model import Offer, OfferKind
    from indexes.embedders import get_embedder

    original = VectorIndex.save
    def slow_save(self, directory, manifest):
        original(self, directory, manifest)   # files written in the temporary folder...
        Path(sys.argv[2]).write_text("saving")
        time.sleep(60)                        # ...and killed before the switch
    VectorIndex.save = slow_save
    cat = Catalogue([Offer(id="new", kind=OfferKind.QUALIFIANT, title="Titre professionnel Plaquiste")])
    store.build_default(embedder=get_embedder("e5"), catalogue=cat, job_docs=[], force=True)
    """
)


def test_process_killed_mid_build_leaves_previous_index(data_dir, e5_embedder, tiny_catalogue, tiny_job_docs, tmp_path):
    _build(e5_embedder, tiny_catalogue, tiny_job_docs)
    flag = tmp_path / "flag"
    repo = Path(__file__).resolve().parents[1]
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_BUILD, str(repo), str(flag)], env=dict(os.environ))
    try:
        deadline = time.time() + 120
        while not flag.exists():
            assert proc.poll() is None, "the build subprocess ended before being killed"
            assert time.time() < deadline
            time.sleep(0.1)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    loaded = store.load_default(e5_embedder, rebuild=False, catalogue=tiny_catalogue, job_docs=tiny_job_docs)
    assert sorted(loaded.offers.ids) == sorted(tiny_catalogue.offers)


def test_cache_is_keyed_by_mode_and_text(data_dir, e5_embedder):
    cache = EmbeddingCache(e5_embedder)
    first = cache.encode(["maçon", "cuisinier", "maçon"], "passage")
    assert cache.embedded_count == 2 and np.array_equal(first[0], first[2])
    cache.encode(["maçon"], "query")  # another mode: another key
    assert cache.embedded_count == 3
    cache.save()
    reopened = EmbeddingCache(e5_embedder)
    again = reopened.encode(["cuisinier", "maçon"], "passage")
    assert reopened.embedded_count == 0
    assert np.allclose(again, e5_embedder.encode_passages(["cuisinier", "maçon"]), atol=1e-5)
    reopened.path.write_bytes(b"garbage")  # an unreadable cache is rebuilt, not fatal
    assert len(EmbeddingCache(e5_embedder)) == 0

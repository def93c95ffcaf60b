"""Index builds that survive a full disk and a kill: no leftovers, previous index in service, resumable cache."""

from __future__ import annotations

import errno
import hashlib
import json

import numpy as np
import pytest

from catalog.model import Offer, OfferKind
from catalog.store import Catalogue
from indexes import cache as cache_module
from indexes import store
from indexes.cache import EmbeddingCache
from indexes.embedders.base import Embedder
from indexes.vector import INDEX_FILE, VectorIndex


class HashEmbedder(Embedder):
    """Deterministic, fast stand-in for the language model; counts what it is given."""

    name = "hash"
    version = "hash-test-1"
    dim = 8

    def __init__(self, fail_after: int | None = None):
        super().__init__(chunk_size=4)
        self.seen: list[str] = []
        self.fail_after = fail_after

    def _encode_batch(self, texts, is_query):
        if self.fail_after is not None and len(self.seen) >= self.fail_after:
            raise KeyboardInterrupt("killed")  # like a kill: a BaseException, nothing saved at the end
        self.seen.extend(texts)
        rows = [np.frombuffer(hashlib.sha256(t.encode()).digest()[:32], dtype=np.uint8)[: self.dim] for t in texts]
        return np.array(rows, dtype=np.float32) + 1.0


def catalogue(n: int, suffix: str = "") -> Catalogue:
    return Catalogue([Offer(id=f"o{i}", kind=OfferKind.QUALIFIANT, title=f"Formation numéro {i}{suffix}")
                      for i in range(n)])


def build(emb, cat, **kw):
    return store.build_default(embedder=emb, catalogue=cat, job_docs=[], **kw)


def _pointer(data_dir):
    return json.loads((data_dir / "index" / store.POINTER_FILE).read_text())


def _full_disk(monkeypatch):
    def save(self, directory, manifest):
        directory.mkdir(parents=True)
        (directory / INDEX_FILE).write_bytes(b"half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(VectorIndex, "save", save)


def test_full_disk_retries_leave_no_temporary_folders(data_dir, monkeypatch):
    emb = HashEmbedder()
    build(emb, catalogue(6))
    before = _pointer(data_dir)
    _full_disk(monkeypatch)
    for attempt in range(3):
        with pytest.raises(store.IndexBuildError) as err:
            build(emb, catalogue(6, f" v{attempt}"))
        assert "disque plein" in str(err.value) and "No space" not in str(err.value)
        assert str(data_dir) not in str(err.value)
    names = [p.name for p in (data_dir / "index").iterdir()]
    assert not [n for n in names if n.startswith(".tmp-") or n.startswith(".current-")], names
    assert _pointer(data_dir) == before


def test_previous_index_stays_in_service_with_a_french_notice(data_dir, monkeypatch):
    emb = HashEmbedder()
    build(emb, catalogue(6))
    _full_disk(monkeypatch)
    changed = catalogue(6, " (mise à jour)")
    loaded = store.load_default(emb, catalogue=changed, job_docs=[])
    assert sorted(loaded.offers.ids) == sorted(changed.offers)
    assert any("index précédent" in n and "disque plein" in n for n in loaded.notices), loaded.notices


def test_no_fallback_when_the_previous_index_names_removed_offers(data_dir, monkeypatch):
    emb = HashEmbedder()
    build(emb, catalogue(6))
    _full_disk(monkeypatch)
    with pytest.raises(store.IndexBuildError):
        store.load_default(emb, catalogue=catalogue(3), job_docs=[])  # e.g. an older catalogue restored


def test_killed_build_resumes_from_the_flushed_cache(data_dir, monkeypatch):
    monkeypatch.setattr(cache_module, "FLUSH_EVERY", 8)
    cat = catalogue(40)
    killed = HashEmbedder(fail_after=20)
    with pytest.raises(KeyboardInterrupt):
        build(killed, cat)
    journal = list((data_dir / "embedding_cache").glob("*.part-*.npz"))
    assert journal, "nothing flushed before the kill"
    resumed = HashEmbedder()
    report = build(resumed, cat)
    assert "offers" in report.built
    assert len(resumed.seen) == 40 - 16  # two full chunks of 8 were kept: only the rest is embedded
    assert not list((data_dir / "embedding_cache").glob("*.part-*.npz"))  # folded into the main file
    again = EmbeddingCache(resumed)
    assert len(again) == 40


def test_cache_journal_write_failure_does_not_fail_the_build(data_dir, monkeypatch):
    monkeypatch.setattr(cache_module, "FLUSH_EVERY", 8)
    real = cache_module.np.savez
    calls = {"n": 0}

    def savez(f, **arrays):
        calls["n"] += 1
        if calls["n"] <= 3:  # the journal writes fail (disk full), the final save works
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(f, **arrays)

    monkeypatch.setattr(cache_module.np, "savez", savez)
    report = build(HashEmbedder(), catalogue(30))
    assert report.built == ["jobs", "offers"]
    assert not list((data_dir / "embedding_cache").glob("*.tmp"))


def test_the_embedder_only_ever_sees_bounded_texts():
    from catalog import settings

    emb = HashEmbedder()
    emb.encode_queries(["aide soignante " * 10_000])
    emb.encode_passages(["Titre professionnel " * 10_000, "court"])
    query, passage, short = emb.seen
    assert len(query) <= settings.get("text", "max_query_chars")
    assert len(passage) <= settings.get("text", "max_embed_chars")
    assert short == "court"

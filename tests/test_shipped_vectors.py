"""Shipped vectors (job texts, demo offers): checksummed, reproducible, faithful to the model, used by a fresh build."""

from __future__ import annotations

import hashlib
import json
import logging
import random

import numpy as np

from indexes import shipped_vectors
from indexes.cache import EmbeddingCache, text_key
from indexes.jobs import job_documents


class _FakeEmbedder:
    """Deterministic unit vectors from a text hash: exports without the model, fast."""

    name, version, dim = "fake", "fake-embedder@1", 16

    def encode_passages(self, texts, progress=None):
        rows = [np.random.default_rng(int.from_bytes(hashlib.sha256(t.encode()).digest()[:8], "little"))
                .standard_normal(self.dim) for t in texts]
        out = np.array(rows, dtype=np.float32).reshape(len(texts), self.dim)
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    def encode_queries(self, texts):
        return self.encode_passages(texts)


def _empty():
    from catalog.store import Catalogue

    return Catalogue([])


def _docs(texts):
    from indexes.jobs import JobDoc

    return [JobDoc(f"d{i}", "X0000", t, "test") for i, t in enumerate(texts)]


def test_quantisation_keeps_the_direction():
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((500, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    codes, scales = shipped_vectors.quantise(vectors)
    assert codes.dtype == np.int8 and np.abs(codes).max() == 127
    back = shipped_vectors.dequantise(codes, scales)
    cosine = (back * vectors).sum(axis=1)
    assert cosine.min() > 0.999 and np.allclose(np.linalg.norm(back, axis=1), 1, atol=1e-5)


def test_export_is_byte_reproducible_and_checksummed(data_dir, tmp_path, caplog):
    fake, docs = _FakeEmbedder(), _docs(["maçon", "cuisinier", "maçon", "aide-soignant"])
    first = shipped_vectors.export(fake, docs, _empty(), tmp_path / "a")
    assert first["count"] == 3 and first["embedded"] == 3  # deduplicated
    second = shipped_vectors.export(fake, docs, _empty(), tmp_path / "b")
    assert second["embedded"] == 0  # the working cache kept the model's work
    for name in (shipped_vectors.BIN_NAME, shipped_vectors.MANIFEST_NAME):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    shipped = shipped_vectors.load(fake, tmp_path / "a")
    want = fake.encode_passages(["aide-soignant", "cuisinier", "maçon"])  # sorted order
    assert shipped.keys == [text_key(fake.version, "passage", t) for t in ("aide-soignant", "cuisinier", "maçon")]
    assert ((shipped.vectors * want).sum(axis=1) > 0.999).all()
    # another embedder never uses them; a damaged file is refused with a warning
    other = _FakeEmbedder()
    other.version = "other@2"
    assert shipped_vectors.load(other, tmp_path / "a") is None
    path = tmp_path / "a" / shipped_vectors.BIN_NAME
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    with caplog.at_level(logging.WARNING, logger="indexes"):
        assert shipped_vectors.load(fake, tmp_path / "a") is None
    assert "somme de contrôle" in caplog.text


def test_cache_takes_shipped_vectors_before_the_model(data_dir, tmp_path, monkeypatch):
    fake = _FakeEmbedder()
    shipped_vectors.export(fake, _docs(["maçon", "cuisinier"]), _empty(), tmp_path)
    for f in data_dir.iterdir():  # forget the export's working cache: only the shipped files remain
        if f.is_dir():
            for g in f.iterdir():
                g.unlink()
    monkeypatch.setattr(shipped_vectors, "DATA_DIR", tmp_path)
    cache = EmbeddingCache(fake)
    assert len(cache) == 0 and cache.missing(["maçon", "plombier"]) == 1
    cache.encode(["maçon", "plombier", "cuisinier"], "passage")
    assert (cache.shipped_count, cache.embedded_count) == (2, 1)
    assert cache.missing(["maçon"], "query") == 1  # queries are never shipped
    assert EmbeddingCache(fake, seed=False).missing(["maçon"]) == 1


def test_export_adds_the_catalogue_texts(data_dir, tmp_path, tiny_catalogue):
    fake = _FakeEmbedder()
    manifest = shipped_vectors.export(fake, _docs(["maçon"]), tiny_catalogue, tmp_path)
    assert (manifest["job_texts"], manifest["demo_offer_texts"]) == (1, len(tiny_catalogue))
    keys = set(shipped_vectors.load(fake, tmp_path).keys)
    assert {text_key(fake.version, "passage", o.search_text()) for o in tiny_catalogue} <= keys


def test_shipped_artefact_matches_its_manifest_and_covers_the_shipped_texts(data_dir, e5_embedder):
    manifest = json.loads((shipped_vectors.DATA_DIR / shipped_vectors.MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["embedder_version"] == e5_embedder.version, "re-export: python -m indexes export-vectors"
    payload = (shipped_vectors.DATA_DIR / shipped_vectors.BIN_NAME).read_bytes()
    assert hashlib.sha256(payload).hexdigest() == manifest["sha256"] and len(payload) < 8_000_000
    shipped = shipped_vectors.load(e5_embedder)
    keys = set(shipped.keys)
    texts = sorted({d.text for d in job_documents()})
    missing = [t for t in texts if text_key(e5_embedder.version, "passage", t) not in keys]
    assert missing == [], f"{len(missing)} job texts not shipped: python -m indexes export-vectors"
    from catalog.store import load_demo

    demo = {o.search_text() for o in load_demo()}
    stale = [t for t in demo if text_key(e5_embedder.version, "passage", t) not in keys]
    assert stale == [], f"{len(stale)} demo offer texts not shipped: python -m indexes export-vectors"
    # so a fresh install on the shipped data sends nothing to the model
    assert EmbeddingCache(e5_embedder).missing(texts + sorted(demo)) == 0
    # the shipped vectors are the model's: a sample re-embedded now points the same way
    sample = random.Random(14).sample(texts, 12)
    rows = {k: i for i, k in enumerate(shipped.keys)}
    got = shipped.vectors[[rows[text_key(e5_embedder.version, "passage", t)] for t in sample]]
    cosine = (got * e5_embedder.encode_passages(sample)).sum(axis=1)
    assert cosine.min() > 0.99, cosine


def test_first_build_embeds_only_the_catalogue(data_dir, e5_embedder, tiny_catalogue):
    from indexes import store

    docs = job_documents()[:300]  # real job texts: all shipped
    announced = []
    report = store.build_default(embedder=e5_embedder, catalogue=tiny_catalogue, job_docs=docs,
                                 announce=announced.append)
    assert announced == [{"jobs": 0, "offers": len(tiny_catalogue)}] == [report.pending]
    assert report.embedded == len(tiny_catalogue)
    assert report.shipped == len({d.text for d in docs})


def test_build_cli_announces_the_texts_to_compute(data_dir, capsys, monkeypatch):
    from indexes import cli, store

    monkeypatch.setattr(store, "build_default", lambda **kw: (kw["announce"]({"jobs": 0, "offers": 1457}),
                                                              store.BuildReport([], [], 0, {}, 0.0, "e5"))[1])
    assert cli.main(["build"]) == 0
    assert "Textes à calculer : 1 457 (métiers : 0, offres : 1 457)." in capsys.readouterr().err

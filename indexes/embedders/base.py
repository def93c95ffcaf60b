"""Embedder interface shared by every backend.

Backends only implement `_encode_batch`; this base class adds what callers rely
on whatever the model: chunked encoding (bounded memory on large catalogues),
progress reporting, float32 L2-normalised output, and a lock because the
underlying native models are shared process-wide and are not re-entrant.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from typing import Callable

import numpy as np

Progress = Callable[[int, int], None]


class Embedder(ABC):
    """Turns texts into L2-normalised float32 vectors (queries and passages apart)."""

    name: str = ""
    version: str = ""  # model id + package version: part of every cache key and manifest
    dim: int = 0

    def __init__(self, chunk_size: int = 64) -> None:
        self.chunk_size = max(1, int(chunk_size))
        self._lock = threading.Lock()

    @abstractmethod
    def _encode_batch(self, texts: list[str], is_query: bool) -> np.ndarray:
        """Encode one chunk; called with the lock held."""

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, True, None)

    def encode_passages(self, texts: list[str], progress: Progress | None = None) -> np.ndarray:
        return self._encode(texts, False, progress)

    def _encode(self, texts: list[str], is_query: bool, progress: Progress | None) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("encode_* expects a list of texts, not a single string")
        from indexes.text import bounded

        texts = [bounded(t, query=is_query) if t and t.strip() else " " for t in texts]  # empty text: one row
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.chunk_size):
            chunk = texts[start : start + self.chunk_size]
            with self._lock:
                out[start : start + len(chunk)] = self._encode_batch(chunk, is_query)
            if progress:
                progress(start + len(chunk), len(texts))
        return normalise(out)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.version} dim={self.dim}>"


def normalise(vectors: np.ndarray) -> np.ndarray:
    """Row-wise L2 normalisation (zero rows stay zero), float32, C-contiguous."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    np.divide(vectors, norms, out=vectors, where=norms > 0)
    return vectors


class QueryMemo:
    """Embedder wrapper remembering the last query vectors.

    One offer search embeds the same wish twice (offer similarity and job search);
    with the memo the second costs nothing. Passages go straight to the embedder.
    """

    def __init__(self, embedder: Embedder, size: int = 256) -> None:
        self.embedder = embedder
        self.name, self.version, self.dim = embedder.name, embedder.version, embedder.dim
        self._size = size
        self._memo: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._memo))
        if missing:
            vectors = self.embedder.encode_queries(missing)
            vectors.setflags(write=False)
            with self._lock:
                for text, vector in zip(missing, vectors):
                    self._memo[text] = vector
                while len(self._memo) > self._size:
                    self._memo.popitem(last=False)
        with self._lock:
            rows = []
            for t in texts:
                vector = self._memo.get(t)
                if vector is None:  # evicted meanwhile by another thread: recompute
                    vector = self.embedder.encode_queries([t])[0]
                else:
                    self._memo.move_to_end(t)
                rows.append(vector)
        return np.array(rows, dtype=np.float32).reshape(len(texts), self.dim)

    def encode_passages(self, texts: list[str], progress: Progress | None = None) -> np.ndarray:
        return self.embedder.encode_passages(texts, progress)

    def clear(self) -> None:
        """Forget every remembered query (benchmarks time the encoding of each query)."""
        with self._lock:
            self._memo.clear()

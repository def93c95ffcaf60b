"""Persistent embedding cache, so that re-importing a catalogue only embeds new or changed texts.

Key = sha256(embedder version + mode + text). One `.npz` file per embedder
(keys as an (n, 32) uint8 array of digests + float32 matrix) under `data_dir()/embedding_cache`,
replaced atomically, so a crash never leaves a half-written cache.

A long build flushes what it has embedded every `FLUSH_EVERY` texts into small
journal files (`<cache>.part-<n>.npz`, each written atomically) that `save`
folds into the main file: a build killed after an hour resumes from where it
stopped instead of embedding everything again. A journal that cannot be
written (disk full) only costs that resumability, never the build.

replaced atomically, so a crash never leaves a half-written cache. A passage missing from
the cache is looked up in the shipped vectors (`indexes/shipped_vectors.py`) before the model.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
from pathlib import Path
from typing import Callable

import numpy as np

from catalog.paths import data_dir

from .embedders import Embedder

Progress = Callable[[int, int], None]
MODES = ("query", "passage")
FLUSH_EVERY = 256  # texts: a few seconds of embedding on 2 cores, a ~400 KB journal file


def default_cache_dir() -> Path:
    return data_dir() / "embedding_cache"


def text_key(embedder_version: str, mode: str, text: str) -> bytes:
    return hashlib.sha256(f"{embedder_version}\x1f{mode}\x1f{text}".encode("utf-8")).digest()


class EmbeddingCache:
    def __init__(self, embedder: Embedder, directory: str | Path | None = None, *, seed: bool = True) -> None:
        self.embedder = embedder
        self.directory = Path(directory) if directory else default_cache_dir()
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", embedder.version)[:80]
        digest = hashlib.sha256(embedder.version.encode()).hexdigest()[:12]
        self.path = self.directory / f"{slug}-{digest}.npz"
        self._lock = threading.Lock()
        self._rows: dict[bytes, int] = {}
        self._vectors = np.zeros((0, embedder.dim), dtype=np.float32)
        self.embedded_count = 0  # texts actually sent to the model by this instance
        self.shipped_count = 0  # texts taken from the shipped vectors instead of the model
        self._seed = seed
        self._shipped: tuple[dict[bytes, int], np.ndarray] | None = None  # loaded on first miss
        self._load()

    @staticmethod
    def _read(path: Path, dim: int) -> tuple[np.ndarray, np.ndarray] | None:
        try:
            with np.load(path) as data:
                keys, vectors = data["keys"], data["vectors"]
        except Exception:  # missing or unreadable: start afresh rather than fail the build
            return None
        if keys.ndim != 2 or keys.shape[1] != 32 or vectors.shape != (len(keys), dim):
            return None
        return keys, vectors

    def _journal(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(self.directory.glob(f"{self.path.name}.part-*.npz"))

    def _load(self) -> None:
        read = [self._read(self.path, self.embedder.dim)] + [self._read(p, self.embedder.dim) for p in self._journal()]
        parts = [p for p in read if p is not None and len(p[0])]
        if not parts:
            return
        keys = np.concatenate([k for k, _ in parts])
        vectors = np.concatenate([v for _, v in parts]).astype(np.float32)
        rows: dict[bytes, int] = {}
        for i, k in enumerate(keys):
            rows.setdefault(k.tobytes(), i)
        self._vectors = np.ascontiguousarray(vectors)
        self._rows = rows

    def _flush(self, keys: list[bytes], vectors: np.ndarray) -> None:
        """Write one journal file (atomically); a failure (disk full) is ignored: resumability only."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            n = len(self._journal())
            target = self.directory / f"{self.path.name}.part-{n:06d}-{os.getpid()}.npz"
            fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".npz.tmp")
            try:
                with os.fdopen(fd, "wb") as f:
                    np.savez(f, keys=np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(-1, 32), vectors=vectors)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except Exception:
            pass

    def _shipped_vectors(self) -> tuple[dict[bytes, int], np.ndarray]:
        """The shipped vectors (indexes/shipped_vectors.py) for this embedder: {key: row}, matrix.

        Same keys as computed vectors, so a fresh install on the shipped data embeds
        nothing; a vector already in the working cache (computed here) wins. Loaded at
        the first cache miss only: a warm start never reads them.
        """
        if self._shipped is None:
            shipped = None
            if self._seed:
                from . import shipped_vectors

                shipped = shipped_vectors.load(self.embedder)
            if shipped is None:
                self._shipped = ({}, np.zeros((0, self.embedder.dim), dtype=np.float32))
            else:
                self._shipped = ({k: i for i, k in enumerate(shipped.keys)}, shipped.vectors)
        return self._shipped

    def missing(self, texts: list[str], mode: str = "passage") -> int:
        """How many distinct texts `encode` would send to the model (neither cached nor shipped)."""
        keys = {k for k in self.keys_for(texts, mode) if k not in self._rows}
        if keys and mode == "passage":
            shipped = self._shipped_vectors()[0]
            keys = {k for k in keys if k not in shipped}
        return len(keys)

    def __len__(self) -> int:
        return len(self._rows)

    def encode(self, texts: list[str], mode: str = "passage", progress: Progress | None = None) -> np.ndarray:
        """Vectors for `texts`, embedding only those not already cached (kept in memory until `save`)."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        keys = [text_key(self.embedder.version, mode, t) for t in texts]
        with self._lock:
            missing: dict[bytes, str] = {}
            for key, text in zip(keys, texts):
                if key not in self._rows and key not in missing:
                    missing[key] = text
            if missing and mode == "passage":
                shipped_rows, matrix = self._shipped_vectors()
                found = [k for k in missing if k in shipped_rows]
                if found:
                    start = len(self._vectors)
                    self._vectors = np.concatenate([self._vectors, matrix[[shipped_rows[k] for k in found]]])
                    for i, key in enumerate(found):
                        self._rows[key] = start + i
                        del missing[key]
                    self.shipped_count += len(found)
            if progress:
                progress(len(texts) - len(missing), len(texts))
            if missing:
                todo = list(missing.values())
                done_before = len(texts) - len(missing)
                report = (lambda d, _t: progress(done_before + d, len(texts))) if progress else None
                if mode == "query":
                    self._append(list(missing), self.embedder.encode_queries(todo))
                else:
                    todo_keys = list(missing)
                    for at in range(0, len(todo), FLUSH_EVERY):
                        chunk = todo[at:at + FLUSH_EVERY]
                        step = (lambda d, _t, _at=at: report(_at + d, len(todo))) if report else None
                        new = self.embedder.encode_passages(chunk, progress=step)
                        self._append(todo_keys[at:at + FLUSH_EVERY], new)
                        if len(todo) > FLUSH_EVERY:  # a long build: keep what is done if killed
                            self._flush(todo_keys[at:at + FLUSH_EVERY], new.astype(np.float32))
                self.embedded_count += len(todo)
            rows = np.fromiter((self._rows[k] for k in keys), dtype=np.int64, count=len(keys))
            return self._vectors[rows]

    def _append(self, keys: list[bytes], new: np.ndarray) -> None:
        start = len(self._vectors)
        self._vectors = np.concatenate([self._vectors, new.astype(np.float32)])
        for i, key in enumerate(keys):
            self._rows[key] = start + i

    def save(self, keep: set[bytes] | None = None) -> None:
        """Persist atomically; with `keep`, drop entries no longer used (bounds the file size)."""
        with self._lock:
            items = [(k, r) for k, r in self._rows.items() if keep is None or k in keep]
            keys = np.frombuffer(b"".join(k for k, _ in items), dtype=np.uint8).reshape(-1, 32)
            rows = np.array([r for _, r in items], dtype=np.int64)
            vectors = self._vectors[rows] if len(rows) else np.zeros((0, self.embedder.dim), np.float32)
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".npz.tmp")
            try:
                with os.fdopen(fd, "wb") as f:
                    np.savez(f, keys=keys, vectors=vectors)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            for part in self._journal():  # folded into the main file
                part.unlink(missing_ok=True)
            for stale in self.directory.glob("*.npz.tmp"):  # temp files of killed writers
                stale.unlink(missing_ok=True)
            self._vectors = np.ascontiguousarray(vectors)
            self._rows = {k: i for i, (k, _) in enumerate(items)}

    def keys_for(self, texts: list[str], mode: str = "passage") -> set[bytes]:
        return {text_key(self.embedder.version, mode, t) for t in texts}

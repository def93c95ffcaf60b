"""Shipped passage vectors: the job texts and the demo catalogue's offers, embedded once by a project command.

Why: on a fresh install the first index build used to embed every text, ~13k job
texts (ROME labels, appellations, ONISEP names, activities) and the demo
catalogue's offers: minutes on 2 cores (docs/benchmarks.md). Both sets ship with
the project (the referentials and `catalog/data/demo_catalogue.jsonl.gz`), so their
vectors can ship too; a first run then embeds nothing, and an imported catalogue
only its own new texts. The job part alone does not depend on any catalogue; the
demo part is only used while the demo texts are unchanged (same keys).

Files (`indexes/data/`):
    shipped_vectors.bin    n x 32 key bytes | n float32 scales | n x dim int8 codes (little-endian, no header)
    shipped_vectors.json   format, embedder version, counts, dim, quantisation, sha256 of the .bin

Keys are the embedding cache's own keys (`cache.text_key(embedder version, "passage",
text)`), so a shipped row stands for exactly one text: a text whose key is absent
(an edited referential, a regenerated demo, another embedder) is embedded as
before. Each vector is quantised to int8 with its own absmax scale (a quarter of
float32, half of float16); the search quality impact is measured in
docs/benchmarks.md. The .bin is checked against its sha256 before use: a damaged
or mismatched artefact is ignored with a warning, never trusted.

Reproducible: `python -m indexes export-vectors` writes the same bytes for the same
vectors (texts deduplicated and sorted, no timestamps).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from .cache import text_key

log = logging.getLogger("indexes")

DATA_DIR = Path(__file__).resolve().parent / "data"
BIN_NAME = "shipped_vectors.bin"
MANIFEST_NAME = "shipped_vectors.json"
FORMAT = 1
MODE = "passage"
KEY_BYTES = 32


@dataclass(frozen=True)
class ShippedVectors:
    keys: list[bytes]
    vectors: np.ndarray  # float32, L2-normalised rows


def quantise(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 codes and per-row float32 scales (absmax / 127): v ~= codes * scale."""
    vectors = np.asarray(vectors, dtype=np.float32)
    scales = np.abs(vectors).max(axis=1) / 127.0
    safe = np.where(scales > 0, scales, 1.0).astype(np.float32)
    codes = np.rint(vectors / safe[:, None]).clip(-127, 127).astype(np.int8)
    return codes, scales.astype(np.float32)


def dequantise(codes: np.ndarray, scales: np.ndarray) -> np.ndarray:
    """Back to float32 and re-normalised (the indexes compare unit vectors by inner product)."""
    vectors = codes.astype(np.float32) * scales[:, None]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.ascontiguousarray(vectors / np.where(norms > 0, norms, 1.0), dtype=np.float32)


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export(
    embedder=None,
    job_docs: list | None = None,
    catalogue=None,
    directory: Path | str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Embed (or take from the working cache) the job texts and the demo offers' texts, write the artefact.

    Returns the manifest. The working cache is used without the shipped rows, so an
    export never copies the previous artefact: every vector comes from the model, now
    or earlier. `catalogue` defaults to the shipped demo catalogue.
    """
    from .cache import EmbeddingCache
    from .embedders import get_embedder

    embedder = embedder or get_embedder()
    if job_docs is None:
        from .jobs import job_documents

        job_docs = job_documents()
    if catalogue is None:
        from catalog.store import load_demo

        catalogue = load_demo()
    job_texts = {d.text for d in job_docs}
    offer_texts = {o.search_text() for o in catalogue} - job_texts
    texts = sorted(job_texts | offer_texts)
    cache = EmbeddingCache(embedder, seed=False)
    vectors = cache.encode(texts, MODE, progress)
    if cache.embedded_count:
        cache.save()  # keep the model's work for the next build
    codes, scales = quantise(vectors)
    keys = b"".join(text_key(embedder.version, MODE, t) for t in texts)
    payload = keys + scales.astype("<f4").tobytes() + codes.tobytes()
    manifest = {
        "format": FORMAT,
        "embedder": embedder.name,
        "embedder_version": embedder.version,
        "mode": MODE,
        "count": len(texts),
        "job_texts": len(job_texts),
        "demo_offer_texts": len(offer_texts),
        "dim": int(embedder.dim),
        "quantisation": "int8, one float32 absmax/127 scale per vector, re-normalised on load",
        "layout": f"{KEY_BYTES}-byte keys, then float32 scales, then int8 codes (row-major)",
        "sha256": hashlib.sha256(payload).hexdigest(),
        "bytes": len(payload),
        "texts": "job texts of indexes.jobs.job_documents() and search texts of the demo catalogue's offers, "
                 "deduplicated and sorted",
    }
    folder = Path(directory) if directory else DATA_DIR
    folder.mkdir(parents=True, exist_ok=True)
    _atomic_write(folder / BIN_NAME, payload)
    _atomic_write(folder / MANIFEST_NAME, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    return dict(manifest, embedded=cache.embedded_count)


def load(embedder, directory: Path | str | None = None) -> ShippedVectors | None:
    """The shipped vectors for this embedder, or None (absent, other embedder, damaged: said in the log)."""
    folder = Path(directory) if directory else DATA_DIR
    try:
        manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
        payload = (folder / BIN_NAME).read_bytes()
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("Vecteurs livrés illisibles (%s) : ils seront recalculés.", exc)
        return None
    if manifest.get("format") != FORMAT or manifest.get("embedder_version") != embedder.version \
            or manifest.get("dim") != embedder.dim or manifest.get("mode") != MODE:
        return None  # another embedder: its own vectors are computed as usual
    if hashlib.sha256(payload).hexdigest() != manifest.get("sha256"):
        log.warning("Vecteurs livrés abîmés (somme de contrôle différente) : ils seront recalculés.")
        return None
    n, dim = int(manifest["count"]), int(manifest["dim"])
    if len(payload) != n * (KEY_BYTES + 4 + dim):
        log.warning("Vecteurs livrés de taille inattendue : ils seront recalculés.")
        return None
    keys_end, scales_end = n * KEY_BYTES, n * (KEY_BYTES + 4)
    keys = [payload[i:i + KEY_BYTES] for i in range(0, keys_end, KEY_BYTES)]
    scales = np.frombuffer(payload, dtype="<f4", count=n, offset=keys_end)
    codes = np.frombuffer(payload, dtype=np.int8, count=n * dim, offset=scales_end).reshape(n, dim)
    return ShippedVectors(keys, dequantise(codes, scales))

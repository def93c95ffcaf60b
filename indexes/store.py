"""Build, persist and load the two default indexes: "jobs" (ROME referential) and "offers" (catalogue).

Layout under `data_dir()/index/`:
    current.json              {"jobs": "jobs-<stamp>", "offers": "offers-<stamp>"}
    jobs-<stamp>/             index.faiss, ids.json, manifest.json
    offers-<stamp>/           idem
Why a pointer file: a build writes into a fresh temporary folder, renames it, and
only then swaps `current.json` with `os.replace` (atomic). A process killed at
any moment therefore leaves the previous index in service; leftovers are
removed by the next build.

Each manifest records the embedder (name + version), the source fingerprint
(catalogue fingerprint for offers, hash of the job documents for jobs) and the
format version: any mismatch makes the index stale, and loading rebuilds it
after saying why. Starting the app never rebuilds an index that is still valid.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

from catalog.paths import data_dir

from . import config
from .cache import EmbeddingCache
from .embedders import Embedder, get_embedder
from .vector import IndexCorruptError, VectorIndex

log = logging.getLogger("indexes")

INDEX_NAMES = ("jobs", "offers")
POINTER_FILE = "current.json"
STAGE_LABELS = {"jobs": "métiers", "offers": "offres"}
Progress = Callable[[int, int, str], None]  # (done, total, stage)


@dataclass
class Sources:
    """What the indexes are built from: (id, text) pairs and their fingerprint, per index."""

    items: dict[str, list[tuple[str, str]]]
    fingerprints: dict[str, str]
    catalogue: Any = None
    job_docs: list = field(default_factory=list)


class IndexBuildError(RuntimeError):
    """A build that failed (disk full, read-only folder...): French message; the previous index is intact."""


def _build_failure(exc: BaseException) -> str:
    from catalog.messages import os_error_reason

    if isinstance(exc, OSError) or isinstance(exc, MemoryError):
        return os_error_reason(exc)
    text = str(exc).lower()
    if "no space" in text or "errno 28" in text:  # faiss reports write errors as RuntimeError
        return "disque plein"
    if "read-only" in text or "errno 30" in text:
        return "dossier de travail en lecture seule"
    return f"erreur {type(exc).__name__}"


@dataclass
class IndexStatus:
    name: str
    valid: bool
    reason: str  # French, shown to the user when the index is not valid
    manifest: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "valid": self.valid, "reason": self.reason, "manifest": self.manifest}


@dataclass
class BuildReport:
    built: list[str]
    skipped: list[str]
    embedded: int  # texts actually sent to the model (the rest came from the cache)
    counts: dict[str, int]
    seconds: float
    embedder: str
    notices: list[str] = field(default_factory=list)
    pending: dict[str, int] = field(default_factory=dict)  # texts to embed, announced before the build
    shipped: int = 0  # vectors taken from the shipped vectors (indexes/shipped_vectors.py)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class DefaultIndexes:
    embedder: Embedder
    jobs: VectorIndex
    offers: VectorIndex
    catalogue: Any
    job_docs: list
    notices: tuple[str, ...] = ()


# --------------------------------------------------------------------------- sources


def index_root() -> Path:
    return data_dir() / "index"


def _digest(pairs: list[tuple[str, str]]) -> str:
    h = hashlib.sha256()
    for doc_id, text in pairs:
        h.update(f"{doc_id}\x1f{text}\x1e".encode("utf-8"))
    return h.hexdigest()


class _Items(dict):
    """Index name -> (id, text) pairs, the offers' texts made on first use only.

    Only a build needs them; a load checks fingerprints. Making them on every load held
    100,000 texts (~70 MB at 100,000 offers, ~60 MB of which the process kept after they
    were freed) for nothing (issue 14).
    """

    def __init__(self, jobs: list[tuple[str, str]], catalogue: Any) -> None:
        super().__init__(jobs=jobs)
        self._catalogue = catalogue

    def __missing__(self, key: str) -> list[tuple[str, str]]:
        if key != "offers":
            raise KeyError(key)
        value = self["offers"] = [(o.id, o.search_text()) for o in self._catalogue.offers.values()]
        return value


def _count(sources: Sources, name: str) -> int:
    """Number of documents of an index, without making the offers' texts when the catalogue is known."""
    if name == "offers" and name not in sources.items and sources.catalogue is not None:
        return len(sources.catalogue.offers)
    return len(sources.items[name])


def load_sources(catalogue: Any = None, job_docs: list | None = None) -> Sources:
    """Current catalogue and job documents (loaded from their modules unless given)."""
    if job_docs is None:
        try:
            from indexes.jobs import job_documents
        except ImportError as exc:
            raise RuntimeError(f"Le référentiel des métiers (indexes.jobs) est indisponible : {exc}") from exc
        job_docs = job_documents()
    if catalogue is None:
        from catalog.store import load_catalogue

        catalogue = load_catalogue()
    jobs = [(d.doc_id, d.text) for d in job_docs]
    return Sources(
        items=_Items(jobs, catalogue),
        fingerprints={"jobs": "sha256:" + _digest(jobs), "offers": str(catalogue.fingerprint())},
        catalogue=catalogue,
        job_docs=list(job_docs),
    )


# --------------------------------------------------------------------------- pointer & status


def _read_pointer(root: Path) -> dict[str, str]:
    try:
        data = json.loads((root / POINTER_FILE).read_text(encoding="utf-8"))
        return {k: v for k, v in data.items() if k in INDEX_NAMES and isinstance(v, str)}
    except (OSError, ValueError, AttributeError):
        return {}


def _write_pointer(root: Path, pointer: dict[str, str]) -> None:
    fd, tmp = tempfile.mkstemp(dir=root, prefix=".current-", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(pointer, f, indent=2, sort_keys=True)
        f.flush()
        os.fsync(f.fileno())
    os.chmod(tmp, 0o644)  # mkstemp creates 0600; the index files are world-readable too
    os.replace(tmp, root / POINTER_FILE)


def _expected(name: str, embedder: Embedder, sources: Sources) -> dict[str, Any]:
    return {
        "name": name,
        "embedder": embedder.name,
        "embedder_version": embedder.version,
        "dim": embedder.dim,
        "fingerprint": sources.fingerprints[name],
        "fingerprint_of": "catalogue" if name == "offers" else "référentiel des métiers",
        "format_version": config.INDEX_FORMAT_VERSION,
        **({"storage": offer_storage()} if name == "offers" else {}),
    }


def _only_storage_differs(index: VectorIndex, expected: dict[str, Any]) -> bool:
    """A float32 index up to date in everything but its storage kind: its vectors can be re-stored as they are.

    An offers index saved before issue 14 (flat float32) becomes "sq8" without re-embedding its texts,
    even when the embedding cache is gone (100,000 texts would take hours on 2 cores).
    """
    manifest = index.manifest
    return (index.kind in ("flat", "hnsw") and expected.get("storage", "auto") not in ("auto", index.kind)
            and all(manifest.get(k) == expected[k] for k in ("format_version", "embedder_version", "fingerprint", "dim")))


def _stale_reason(manifest: dict[str, Any], expected: dict[str, Any]) -> str | None:
    label = STAGE_LABELS[expected["name"]]
    if manifest.get("format_version") != expected["format_version"]:
        return f"L'index des {label} a été construit par une version différente du logiciel."
    if manifest.get("embedder_version") != expected["embedder_version"]:
        return (
            f"L'index des {label} a été calculé avec un autre moteur d'embeddings "
            f"({manifest.get('embedder_version')}) que celui demandé ({expected['embedder_version']})."
        )
    storage = expected.get("storage", "auto")
    if storage != "auto" and manifest.get("kind") != storage:
        return (f"L'index des {label} est stocké sous une autre forme ({manifest.get('kind')}) que celle "
                f"demandée ({storage}).")
    if manifest.get("fingerprint") != expected["fingerprint"]:
        return f"L'index des {label} est périmé : le {expected['fingerprint_of']} a changé depuis sa construction."
    return None


def _open(root: Path, name: str, pointer: dict[str, str], expected: dict[str, Any] | None) -> tuple[VectorIndex | None, IndexStatus]:
    """Load one index and say whether it is usable (never raises for a bad index)."""
    label = STAGE_LABELS[name]
    if name not in pointer:
        return None, IndexStatus(name, False, f"L'index des {label} n'a pas encore été construit.")
    try:
        index = VectorIndex.load(root / pointer[name])
    except IndexCorruptError as exc:
        return None, IndexStatus(name, False, f"L'index des {label} est inutilisable. {exc}")
    reason = _stale_reason(index.manifest, expected) if expected else None
    return index, IndexStatus(name, reason is None, reason or "à jour", index.manifest)


def status(embedder: Embedder | None = None, sources: Sources | None = None) -> list[IndexStatus]:
    """Validity of each persisted index against the current embedder and sources."""
    embedder = embedder or get_embedder()
    sources = sources or load_sources()
    root = index_root()
    pointer = _read_pointer(root)
    return [_open(root, n, pointer, _expected(n, embedder, sources))[1] for n in INDEX_NAMES]


# --------------------------------------------------------------------------- build


@contextlib.contextmanager
def _build_lock(root: Path) -> Iterator[None]:
    """Serialise builds between processes (the app and the CLI may both want to build)."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".build.lock", "w") as fh:
        try:
            import fcntl

            fcntl.flock(fh, fcntl.LOCK_EX)
        except ImportError:  # not POSIX: builds are not serialised
            pass
        yield


def _remove_pointer_leftovers(root: Path) -> None:
    for path in root.glob(".current-*.tmp"):
        path.unlink(missing_ok=True)


def _cleanup(root: Path, pointer: dict[str, str]) -> None:
    """Remove superseded index folders and temporary leftovers of interrupted builds."""
    keep = set(pointer.values())
    for path in root.iterdir():
        if path.is_dir() and path.name not in keep and (path.name.startswith(".tmp-") or path.name.split("-")[0] in INDEX_NAMES):
            shutil.rmtree(path, ignore_errors=True)
        elif path.name.startswith(".current-") and path.name.endswith(".tmp"):
            path.unlink(missing_ok=True)


def offer_storage() -> str:
    """Storage kind of the offers index ("sq8" by default, config "offer_vector_storage").

    Offers are only scored exactly on the rows that pass the filters, never searched through
    the approximate index, so their vectors are kept 8-bit quantised (4× smaller; issue 14).
    """
    return str(config.get("offer_vector_storage"))


def build_offer_index(vectors: Any, ids: list[str]) -> VectorIndex:
    """The offers index as `build_default` makes it (storage kind from the config)."""
    return VectorIndex.build(vectors, ids, kind=offer_storage())


def build_default(
    progress: Progress | None = None,
    force: bool = False,
    *,
    embedder: Embedder | None = None,
    sources: Sources | None = None,
    catalogue: Any = None,
    job_docs: list | None = None,
    announce: Callable[[dict[str, int]], None] | None = None,
) -> BuildReport:
    """(Re)build the stale or missing default indexes (all of them with `force`), atomically.

    `announce`, if given, is called once before any embedding with the number of texts
    each index to build will send to the model (the rest come from the embedding cache
    or the shipped vectors), so a user knows what the wait is for.
    """
    started = time.perf_counter()
    embedder = embedder or get_embedder()
    sources = sources or load_sources(catalogue, job_docs)
    root = index_root()
    built, skipped, counts, notices = [], [], {}, []
    with _build_lock(root):
        pointer = _read_pointer(root)
        cache = EmbeddingCache(embedder)
        todo: list[str] = []
        restored: dict[str, VectorIndex] = {}  # float32 indexes valid but for their storage: re-stored, not re-embedded
        for name in INDEX_NAMES:
            counts[name] = _count(sources, name)
            if not force:
                expected = _expected(name, embedder, sources)
                _index, st = _open(root, name, pointer, expected)
                if st.valid:
                    skipped.append(name)
                    continue
                notices.append(st.reason)
                if _index is not None and _only_storage_differs(_index, expected):
                    restored[name] = _index
            todo.append(name)
        pending = {name: 0 if name in restored else cache.missing([text for _, text in sources.items[name]])
                   for name in todo}
        if announce:
            announce(pending)
        for name in todo:
            expected = _expected(name, embedder, sources)
            items = sources.items[name]
            stage = STAGE_LABELS[name]
            if progress:
                progress(0, len(items), stage)
            report = (lambda d, t, _s=stage: progress(d, t, _s)) if progress else None
            if name in restored:  # same vectors, same ids: only the storage changes (e.g. float32 -> sq8)
                vectors, ids = restored[name].vectors(), list(restored[name].ids)
            else:
                vectors = cache.encode([text for _, text in items], "passage", report)
                ids = [doc_id for doc_id, _ in items]
            index = build_offer_index(vectors, ids) if name == "offers" else VectorIndex.build(vectors, ids)
            manifest = dict(expected, count=len(items), built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"), code_version=config.code_version())
            final = f"{name}-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
            tmp = root / f".tmp-{final}"
            try:
                index.save(tmp, manifest)
                os.replace(tmp, root / final)
                pointer[name] = final
                _write_pointer(root, pointer)  # the switch: atomic
            except Exception as exc:  # disk full, read-only...: nothing half-written stays behind
                shutil.rmtree(tmp, ignore_errors=True)
                if pointer.get(name) != final:
                    shutil.rmtree(root / final, ignore_errors=True)
                _remove_pointer_leftovers(root)
                raise IndexBuildError(f"Construction de l'index des {stage} impossible ({_build_failure(exc)}) : "
                                      "l'index précédent reste en service.") from exc
            built.append(name)
        all_texts = [t for name in INDEX_NAMES for _, t in sources.items[name]]
        if cache.embedded_count or built:
            try:
                cache.save(keep=cache.keys_for(all_texts, "passage"))
            except Exception as exc:  # the cache only saves time: the indexes are built and in service
                notices.append(f"Le cache des embeddings n'a pas pu être enregistré ({_build_failure(exc)}).")
        _cleanup(root, pointer)
    for notice in notices:
        log.warning(notice)
    return BuildReport(built, skipped, cache.embedded_count, counts, round(time.perf_counter() - started, 3),
                       embedder.version, notices, pending, cache.shipped_count)


# --------------------------------------------------------------------------- load


def load_default(
    embedder: Embedder | None = None,
    *,
    rebuild: bool = True,
    progress: Progress | None = None,
    catalogue: Any = None,
    job_docs: list | None = None,
) -> DefaultIndexes:
    """Load the persisted indexes; a missing, stale or corrupt one is reported then rebuilt.

    With `rebuild=False` a bad index raises `IndexCorruptError` carrying the French reason.
    """
    embedder = embedder or get_embedder()
    sources = load_sources(catalogue, job_docs)
    root = index_root()
    pointer = _read_pointer(root)
    opened = {n: _open(root, n, pointer, _expected(n, embedder, sources)) for n in INDEX_NAMES}
    notices = [st.reason for _, st in opened.values() if not st.valid]
    if notices:
        for notice in notices:
            log.warning(notice)
        if not rebuild:
            raise IndexCorruptError(" ".join(notices))
        try:
            build_default(progress, embedder=embedder, sources=sources)
        except IndexBuildError as exc:
            previous = _previous_in_service(opened, sources)
            if previous is None:
                raise
            notice = (f"{exc} La recherche utilise l'index précédent : les offres importées depuis "
                      "n'y apparaissent pas encore. Libérez de la place puis lancez « python -m indexes build ».")
            log.warning(notice)
            return DefaultIndexes(embedder=embedder, jobs=previous["jobs"], offers=previous["offers"],
                                  catalogue=sources.catalogue, job_docs=sources.job_docs,
                                  notices=tuple(notices) + (notice,))
        pointer = _read_pointer(root)
        opened = {n: _open(root, n, pointer, _expected(n, embedder, sources)) for n in INDEX_NAMES}
        still = [st.reason for _, st in opened.values() if not st.valid]
        if still:
            raise IndexCorruptError("Échec de la reconstruction des index : " + " ".join(still))
        notices.append("Les index ont été reconstruits.")
    jobs, offers = opened["jobs"][0], opened["offers"][0]
    assert jobs is not None and offers is not None  # every status is valid here, so both are open
    return DefaultIndexes(
        embedder=embedder,
        jobs=jobs,
        offers=offers,
        catalogue=sources.catalogue,
        job_docs=sources.job_docs,
        notices=tuple(notices),
    )


def _previous_in_service(opened: dict[str, tuple[VectorIndex | None, IndexStatus]],
                         sources: Sources) -> dict[str, VectorIndex] | None:
    """The loaded (stale) indexes when they can still serve: every id still exists in the sources."""
    out = {}
    for name in INDEX_NAMES:
        index = opened[name][0]
        if index is None:
            return None
        known = {doc_id for doc_id, _ in sources.items[name]}
        if not set(index.ids) <= known:  # e.g. after restoring an older catalogue: ids would dangle
            return None
        out[name] = index
    return out


def ensure_default(progress: Progress | None = None, **kwargs: Any) -> DefaultIndexes:
    """Load the default indexes, building whatever is missing or stale first."""
    return load_default(rebuild=True, progress=progress, **kwargs)

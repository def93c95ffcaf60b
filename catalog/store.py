"""The offer catalogue: an immutable-by-convention container, its JSONL persistence and merging.

File format (`.jsonl.gz`, or plain `.jsonl`): one JSON object per line. The first
line may be a header `{"_meta": {...}}` (generator, seed, anchor date, demo flag,
counts, import history); every other line is one `Offer.to_dict()` with its sessions.
Line-per-offer keeps reading streaming and lets an error name its line.

The app shares one `Catalogue` across all users, so nothing here mutates a
catalogue: `merge_offers` returns a new one and `save_catalogue` writes atomically
(a crash mid-write leaves the previous file intact). `load_catalogue` goes further:
identical parts (provider, certification, contacts, code lists…) are one object
shared by the offers that have them (issue 14), so a loaded offer must never be
changed in place: make a changed copy (`dataclasses.replace`) instead.

Several writers (two administrators in the app, the CLI while the app runs) go
through `import_offers` / `restore_version`, which hold an exclusive file lock
(`fcntl.flock` on `.catalogue.jsonl.gz.lock`) around read-merge-write and always
merge into the file *on disk*, never into a copy cached in memory: no update is
lost. Each write of the working catalogue first keeps the previous file under
`versions/` (the last N, `catalog/data/settings.toml`), so a damaged or unwanted
catalogue can be put back with `python -m catalog restore`.
"""

from __future__ import annotations

import contextlib
import copy
import gzip
import hashlib
import io
import json
import logging
import math
import os
import tempfile
import time
import zlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

from catalog import settings
from catalog.messages import json_reason, os_error_reason
from catalog.model import Offer, OfferKind, Session, field_converter, to_dict
from catalog.paths import CATALOG_DATA_DIR, data_dir

log = logging.getLogger("catalog")

DEMO_PATH = CATALOG_DATA_DIR / "demo_catalogue.jsonl.gz"
WORKING_NAME = "catalogue.jsonl.gz"
HISTORY_KEY = "history"  # meta[HISTORY_KEY][offer_id] = earlier provenances, oldest first
MAX_HISTORY = 20  # per offer: enough to audit re-imports without growing without bound
VERSIONS_DIR = "versions"
RESTORE_HINT = ("Restaurez la version précédente : bouton « Restaurer » de la page Importer, "
                "ou « python -m catalog restore » (« --list » pour choisir).")


class CatalogueError(Exception):
    """A catalogue file that cannot be read or written; the message is French and names the place.

    Only the file *name* appears in the message (never a server path: messages reach
    the browser); `path` keeps the full path for the code and the administrator.
    """

    prefix = "Catalogue illisible"

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None,
                 hint: str | None = None):
        self.reason = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.hint = hint
        where = ""
        if self.path:
            where = f" ({Path(self.path).name}" + (f", ligne {line}" if line else "") + ")"
        super().__init__(f"{self.prefix}{where} : {message}" + (f". {hint}" if hint else ""))

    @property
    def damaged(self) -> bool:
        """The file exists but its content is unusable (restoring a version is the fix)."""
        return type(self) is CatalogueError and "introuvable" not in self.reason


class CatalogueWriteError(CatalogueError):
    """The catalogue could not be written (disk full, read-only folder, rights): the old file is intact."""

    prefix = "Catalogue non enregistré"


class CatalogueBusy(CatalogueWriteError):
    """Another writer held the lock for longer than the configured wait."""


@dataclass(frozen=True)
class MergeResult:
    catalogue: "Catalogue"  # the new catalogue; the input one is untouched
    added: list[str]
    updated: list[str]
    unchanged: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged}


class Catalogue:
    """Offers by id plus the file header. Treat as read-only: it is shared across sessions."""

    __slots__ = ("offers", "meta", "_fingerprint")

    def __init__(self, offers: Iterable[Offer] | dict[str, Offer] = (), meta: dict[str, Any] | None = None):
        items = offers.values() if isinstance(offers, dict) else offers
        self.offers: dict[str, Offer] = {o.id: o for o in items}
        self.meta: dict[str, Any] = dict(meta or {})
        self._fingerprint: str | None = None

    def __len__(self) -> int:
        return len(self.offers)

    def __iter__(self) -> Iterator[Offer]:
        return iter(self.offers.values())

    def __contains__(self, offer_id: object) -> bool:
        return offer_id in self.offers

    def __repr__(self) -> str:
        return f"Catalogue({len(self)} offres, démo={self.is_demo})"

    def get(self, offer_id: str) -> Offer | None:
        return self.offers.get(offer_id)

    def iter_sessions(self) -> Iterator[tuple[Offer, Session]]:
        for offer in self.offers.values():
            for session in offer.sessions:
                yield offer, session

    def by_kind(self, kind: OfferKind | str) -> list[Offer]:
        kind = OfferKind(kind)
        return [o for o in self.offers.values() if o.kind == kind]

    @property
    def session_count(self) -> int:
        return sum(len(o.sessions) for o in self.offers.values())

    @property
    def is_demo(self) -> bool:
        """Demonstration data: flagged in the header, or every offer flagged (the UI must say so)."""
        if self.meta.get("demo") is True:
            return True
        return bool(self.offers) and all(o.provenance.demo for o in self.offers.values())

    @property
    def has_demo_offers(self) -> bool:
        return any(o.provenance.demo for o in self.offers.values())

    def history(self, offer_id: str) -> list[dict[str, Any]]:
        """Earlier provenances of an offer replaced by imports, oldest first."""
        return list(self.meta.get(HISTORY_KEY, {}).get(offer_id, []))

    def fingerprint(self) -> str:
        """sha256 of the offers' canonical JSON, sorted by id; the header (dates, history) is left out.

        Stable across runs and processes; any change to an offer or session changes it,
        so the search indexes can tell whether they are stale. `load_catalogue` sets it
        from the bytes it reads when the file is in canonical order (as `save_catalogue`
        writes it): the offer lines then are exactly what this would hash, and
        re-serialising every offer (~30 s at 100k offers) is avoided.
        """
        if self._fingerprint is None:
            h = hashlib.sha256()
            for offer_id in sorted(self.offers):
                h.update(_canonical(self.offers[offer_id]).encode("utf-8"))
                h.update(b"\n")
            self._fingerprint = "sha256:" + h.hexdigest()
        return self._fingerprint

    def counts(self) -> dict[str, Any]:
        kinds = Counter(o.kind.value for o in self.offers.values())
        return {"offers": len(self), "sessions": self.session_count, "by_kind": dict(sorted(kinds.items()))}


def _canonical(offer: Offer) -> str:
    return json.dumps(offer.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


# --------------------------------------------------------------------------- reading


def working_path() -> Path:
    """The working catalogue (demo plus imports), in the writable data folder."""
    return data_dir() / WORKING_NAME


def _open_text(path: Path) -> io.TextIOBase:
    with open(path, "rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
    return open(path, encoding="utf-8")


def load_catalogue(path: Path | str | None = None) -> Catalogue:
    """Read a catalogue file; without a path, the working catalogue if any, else the shipped demo."""
    if path is None:
        path = working_path() if working_path().exists() else DEMO_PATH
    path = Path(path)
    if not path.exists():
        demo_hint = " Générez le catalogue de démonstration : python -m catalog demo" if path == DEMO_PATH else ""
        raise CatalogueError(f"fichier introuvable.{demo_hint}", path)
    hint = RESTORE_HINT if path == working_path() else None
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise CatalogueError(f"fichier inaccessible ({os_error_reason(exc)})", path, hint=hint) from exc
    if size == 0:
        raise CatalogueError("fichier vide (0 octet) : catalogue endommagé, pas un catalogue sans offre", path,
                             hint=hint)
    meta: dict[str, Any] = {}
    offers: dict[str, Offer] = {}
    lineno = 0
    seen_header = False
    digest, previous_id, in_order = hashlib.sha256(), "", True  # fingerprint from the bytes read once
    parts, dropped = _PartPool(), 0
    try:
        with _open_text(path) as fh:
            for lineno, line in enumerate(fh, start=1):
                if not line.strip():
                    in_order = False  # not a file save_catalogue wrote: hash the canonical form instead
                    continue
                if not seen_header and not line.lstrip().startswith('{"_meta"'):
                    raise CatalogueError("en-tête « _meta » absent en première ligne : fichier endommagé ou "
                                         "d'un autre format", path, lineno, hint=hint)
                seen_header = True
                try:
                    data = json.loads(line, parse_constant=_refuse_constant)
                except (json.JSONDecodeError, ValueError) as exc:
                    msg = json_reason(exc.msg) if isinstance(exc, json.JSONDecodeError) else str(exc)
                    col = f", colonne {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
                    raise CatalogueError(f"JSON invalide ({msg}{col})", path, lineno, hint=hint) from exc
                except RecursionError:
                    raise CatalogueError("JSON trop profondément imbriqué", path, lineno, hint=hint) from None
                if not isinstance(data, dict):
                    raise CatalogueError("chaque ligne doit être un objet JSON", path, lineno, hint=hint)
                if "_meta" in data:
                    if lineno != 1 and (offers or meta):
                        raise CatalogueError("en-tête « _meta » ailleurs qu'en première ligne", path, lineno, hint=hint)
                    meta = dict(data["_meta"] or {})
                    continue
                offer = _offer(data, path, lineno, hint, parts)
                _share_offer_ids(offer)
                # A shared duration fixed here is fixed for every offer with the same JSON: the same fix.
                dropped += _drop_implausible((offer,))
                if offer.id in offers:
                    raise CatalogueError(f"identifiant d'offre en double : {offer.id}", path, lineno, hint=hint)
                offers[offer.id] = offer
                if in_order:
                    in_order = offer.id > previous_id and line.endswith("\n") and not line.endswith("\r\n")
                    previous_id = offer.id
                    digest.update(line.encode("utf-8"))
    except CatalogueError:
        raise
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, gzip.BadGzipFile) as exc:
        raise CatalogueError(f"fichier tronqué ou endommagé ({type(exc).__name__})", path, lineno + 1,
                             hint=hint) from exc
    if not seen_header:
        raise CatalogueError("aucune ligne lisible (ni en-tête ni offre) : catalogue endommagé", path, hint=hint)
    declared = meta.get("counts", {}).get("offers") if isinstance(meta.get("counts"), dict) else None
    if isinstance(declared, int) and declared != len(offers):
        raise CatalogueError(f"l'en-tête annonce {declared} offres mais {len(offers)} ont été lues (fichier incomplet)",
                             path, hint=hint)
    if dropped:
        log.warning("%s : %d valeur(s) invraisemblable(s) écartée(s) au chargement (sessions hors 2000-2100, "
                    "durées négatives ou non finies) ; réimportez les offres concernées", path.name, dropped)
    cat = Catalogue(offers, meta)
    if in_order and not dropped:  # the bytes are the canonical form: their hash is the fingerprint
        cat._fingerprint = "sha256:" + digest.hexdigest()
    return cat


# Parts of an offer that many offers of a real catalogue hold identical: a provider's name, contacts
# and accessibility, a certification and its blocs, usual durations, publics and prerequisites, the
# published outcome rates of a certification. A provenance (its record id) and the sessions are per offer.
_SHARED_PARTS = ("certification", "provider", "prerequisites", "publics", "duration", "accessibility",
                 "contact", "referent_social")
_SHARED_LISTS = ("rome_codes", "formacodes", "funders", "add_ons", "outcomes")  # not sessions: per offer


class _PartPool:
    """One object per distinct part value among the offers of one loaded catalogue (issue 14).

    `json.loads` makes a new `Provider`, `Certification`, … (and their lists) per offer: at
    100,000 offers those copies were ~90 MB of the catalogue's memory, and the offers' own lists
    of codes, funders, add-ons and outcomes (mostly empty or repeated) ~40 MB more. A part is
    keyed by its JSON text, so two parts are shared exactly when their JSON is the same (35 and
    35.0, 0.0 and -0.0 stay apart: the catalogue serialises to the bytes read), and a repeated
    part is not even converted again. Sharing is safe because a loaded catalogue is read-only
    (it is shared across sessions already: nothing assigns to its offers' parts;
    tests/test_store.py plans and searches on a loaded catalogue and checks that its canonical
    form is unchanged). Importers build their own offers and never come here.
    """

    __slots__ = ("_pool", "_convert")

    def __init__(self) -> None:
        self._pool: dict[tuple[str, str], Any] = {}
        self._convert = {name: field_converter(Offer, name) for name in _SHARED_PARTS + _SHARED_LISTS}

    def made(self, data: dict[str, Any]) -> dict[str, Any]:
        """The shared objects for the parts of one offer's JSON (converted on first sight only)."""
        out = {}
        for name, convert in self._convert.items():
            value = data.get(name)
            if type(value) is dict or type(value) is list:
                key = (name, _dumps(value, ensure_ascii=False, separators=(",", ":")))
                shared = self._pool.get(key)
                if shared is None:
                    shared = self._pool[key] = convert(value)
                out[name] = shared
        return out


_dumps = json.dumps


def _share_offer_ids(offer: Offer) -> None:
    """A session's offer_id is the same text as its offer's id: one object for both."""
    for session in offer.sessions:
        if session.offer_id == offer.id:
            session.offer_id = offer.id


def _drop_implausible(offers: Iterable[Offer]) -> int:
    """Last guard for files written before the import checks existed, or edited by hand.

    Sessions with a date outside the plausible window (or ending before they start) are
    dropped and impossible durations forgotten, so that nothing downstream (planner date
    arithmetic, "-35 h par semaine") ever sees them. Cheap: a few comparisons per session.
    """
    low, high = settings.get("values", "min_year"), settings.get("values", "max_year")
    dropped = 0
    for offer in offers:
        kept = []
        for s in offer.sessions:
            dates = [d for d in (s.start, s.end, s.info_session) if d is not None]
            if any(not low <= d.year <= high for d in dates) or (s.start and s.end and s.end < s.start):
                dropped += 1
            else:
                kept.append(s)
        if len(kept) != len(offer.sessions):
            offer.sessions = kept
        d = offer.duration
        for name in ("hours_centre", "hours_company", "months", "hours_per_week"):
            value = getattr(d, name)
            if value is not None and (not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0):
                setattr(d, name, None)
                dropped += 1
    return dropped


def _refuse_constant(name: str) -> Any:
    """NaN / Infinity are not JSON: a file holding them was not written by this module."""
    raise ValueError(f"valeur non finie « {name} »")


def _offer(data: dict[str, Any], path: Path, lineno: int, hint: str | None = None,
           parts: _PartPool | None = None) -> Offer:
    missing = [k for k in ("id", "kind", "title") if not data.get(k)]
    if missing:
        raise CatalogueError(f"offre incomplète, champ(s) manquant(s) : {', '.join(missing)}", path, lineno, hint=hint)
    try:
        return Offer.from_dict(data, parts.made(data) if parts is not None else None)
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
        raise CatalogueError(f"offre {data.get('id')!s} invalide : {exc}", path, lineno, hint=hint) from exc


def load_demo() -> Catalogue:
    return load_catalogue(DEMO_PATH)


# --------------------------------------------------------------------------- writing


def save_catalogue(cat: Catalogue, path: Path | str | None = None, keep_versions: int | None = None) -> Path:
    """Write atomically: a temporary file in the same folder, fsync, then `os.replace`.

    Readers see either the old file or the new one, never a partial file. The header's
    `counts` are recomputed so they always describe the content. `.gz` paths are gzip.
    A copy of each file written is kept under `versions/` (the last `keep_versions`;
    by default the setting for the working catalogue, none elsewhere): a copy, not a
    link, so damage done in place to the current file can never reach its versions.
    Concurrent writers must go through `import_offers` / `write_locked`, which lock.
    """
    path = Path(path) if path is not None else working_path()
    if keep_versions is None:
        keep_versions = settings.get("store", "keep_versions") if path == working_path() else 0
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CatalogueWriteError(f"écriture impossible ({os_error_reason(exc)})", path) from exc
    meta = {**cat.meta, "counts": cat.counts()}
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise CatalogueWriteError(f"écriture impossible ({os_error_reason(exc)})", path) from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as raw:
            if path.suffix == ".gz":
                with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz:
                    _write_lines(gz, meta, cat)
            else:
                _write_lines(raw, meta, cat)
            raw.flush()
            os.fsync(raw.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; the catalogue is not secret
        if keep_versions > 0 and path.exists() and not _version_files(path):
            _keep_version(path, keep_versions)  # the file written before versions were kept
        os.replace(tmp, path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise CatalogueWriteError(f"écriture impossible ({os_error_reason(exc)}) ; "
                                      "le catalogue précédent est intact", path) from exc
        raise
    _fsync_dir(path.parent)
    if keep_versions > 0:
        try:
            _keep_version(path, keep_versions)
        except OSError as exc:  # the catalogue is written; only its copy is missing
            log.warning("%s enregistré, mais sa copie de sauvegarde n'a pas pu être gardée (%s)",
                        path.name, os_error_reason(exc))
    return path


def _write_lines(fh: Any, meta: dict[str, Any], cat: Catalogue) -> None:
    fh.write((json.dumps({"_meta": meta}, ensure_ascii=False, sort_keys=True, allow_nan=False) + "\n").encode("utf-8"))
    for offer_id in sorted(cat.offers):
        fh.write((_canonical(cat.offers[offer_id]) + "\n").encode("utf-8"))


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- versions, lock, cleanup


@dataclass(frozen=True)
class Version:
    """One kept version of a catalogue file (newest first in `list_versions`)."""

    name: str  # file name under versions/ (what `restore_version` takes)
    saved_at: str  # ISO UTC time it was replaced
    size: int
    offers: int | None  # None when the version itself is unreadable
    sessions: int | None
    problem: str | None  # French, when unreadable
    current: bool = False  # same content as the current catalogue file

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


# name -> (size, offers, sessions, problem): kept versions never change, so each is read once per process
_VERSION_INFO: dict[str, tuple[int, int | None, int | None, str | None]] = {}


def versions_dir(path: Path | None = None) -> Path:
    path = Path(path) if path is not None else working_path()
    return path.parent / VERSIONS_DIR


def _version_files(path: Path) -> list[Path]:
    """Kept versions of `path`, newest first (the name starts with a sortable UTC stamp)."""
    folder = versions_dir(path)
    if not folder.is_dir():
        return []
    suffix = f"--{path.name}"
    return sorted((p for p in folder.iterdir() if p.name.endswith(suffix) and not p.name.startswith(".")),
                  key=lambda p: p.name, reverse=True)


def _keep_version(path: Path, keep: int) -> None:
    """Copy `path` into versions/ (atomically: temp then rename), then prune to the `keep` newest."""
    import shutil

    folder = versions_dir(path)
    folder.mkdir(exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"{stamp}--{path.name}"
    tmp = folder / f".{target.name}.tmp"
    try:
        shutil.copyfile(path, tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    for old in _version_files(path)[keep:]:
        old.unlink(missing_ok=True)


def list_versions(path: Path | str | None = None, check: bool = True) -> list[Version]:
    """The kept versions of the working catalogue (or `path`), newest first, each checked readable."""
    path = Path(path) if path is not None else working_path()
    out = []
    try:
        current = _file_digest(path) if path.exists() else None
    except OSError:
        current = None
    for file in _version_files(path):
        stamp = file.name.split("--", 1)[0]
        try:
            saved = datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=timezone.utc)
            saved_at = saved.isoformat(timespec="seconds")
        except ValueError:
            saved_at = stamp
        size = file.stat().st_size
        offers = sessions = problem = None
        if check:
            known = _VERSION_INFO.get(str(file))
            if known is not None and known[0] == size:
                _, offers, sessions, problem = known
            else:
                try:
                    cat = load_catalogue(file)
                    offers, sessions = len(cat), cat.session_count
                except CatalogueError as exc:
                    problem = exc.reason
                _VERSION_INFO[str(file)] = (size, offers, sessions, problem)
        same = current is not None and _file_digest(file) == current
        out.append(Version(file.name, saved_at, size, offers, sessions, problem, same))
    return out


@contextlib.contextmanager
def catalogue_lock(path: Path | str | None = None, timeout: float | None = None) -> Iterator[None]:
    """Exclusive lock of one catalogue file, between processes and between threads.

    `flock` locks belong to an open file description, so two threads opening the
    lock file separately exclude each other too. Waits up to `timeout` seconds
    (setting `store.lock_timeout_s`), then raises CatalogueBusy (French).
    """
    path = Path(path) if path is not None else working_path()
    timeout = settings.get("store", "lock_timeout_s") if timeout is None else timeout
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(path.parent / f".{path.name}.lock", "a+b")
    except OSError as exc:
        raise CatalogueWriteError(f"verrou impossible ({os_error_reason(exc)})", path) from exc
    try:
        try:
            import fcntl
        except ImportError:  # not POSIX: writers are not serialised between processes
            yield
            return
        deadline = time.monotonic() + timeout
        delay = 0.01
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise CatalogueBusy("un autre import ou une restauration est en cours ; réessayez dans "
                                        "quelques minutes", path) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.25)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    finally:
        fh.close()


def cleanup_leftovers(path: Path | str | None = None) -> list[str]:
    """Remove temporary files of killed saves (`.<name>.*.tmp`), only when no writer is at work.

    Called at start (app, CLI import): a temp file is a leftover only if nobody holds
    the lock, so the lock is tried without waiting and nothing is removed when busy.
    """
    path = Path(path) if path is not None else working_path()
    if not path.parent.is_dir():
        return []
    removed = []
    try:
        with catalogue_lock(path, timeout=0):
            for leftover in path.parent.glob(f".{path.name}.*.tmp"):
                with contextlib.suppress(OSError):
                    leftover.unlink()
                    removed.append(leftover.name)
    except CatalogueError:
        return removed
    return removed


def catalogue_version(path: Path | str | None = None) -> str:
    """A token that changes with every write of the current catalogue (cache key for the app)."""
    if path is None:
        path = working_path() if working_path().exists() else DEMO_PATH
    path = Path(path)
    try:
        st = path.stat()
    except OSError:
        return f"{path}:absent"
    return f"{path}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"


def _load_base(path: Path) -> Catalogue:
    """What a write starts from: the file on disk; the demo when no working catalogue exists yet."""
    if path.exists():
        return load_catalogue(path)  # a damaged file raises (with the restore hint): never merged over
    if path != working_path() and working_path().exists():
        return load_catalogue(working_path())
    if DEMO_PATH.exists():
        return load_catalogue(DEMO_PATH)
    return Catalogue()


def import_offers(offers: Iterable[Offer], path: Path | str | None = None) -> MergeResult:
    """Merge `offers` into the catalogue file on disk, under the exclusive lock, and save.

    The one entry point for every writer (Importer page, CLI): two concurrent
    imports are serialised and the second merges into the result of the first.
    """
    path = Path(path) if path is not None else working_path()
    offers = list(offers)
    with catalogue_lock(path):
        _remove_tmp(path)
        result = merge_offers(_load_base(path), offers)
        if result.added or result.updated or not path.exists():
            save_catalogue(result.catalogue, path)
    return result


def _remove_tmp(path: Path) -> None:
    """Under the lock: any temp file of this catalogue is a leftover of a killed save."""
    for leftover in path.parent.glob(f".{path.name}.*.tmp"):
        with contextlib.suppress(OSError):
            leftover.unlink()


def restore_version(name: str | None = None, path: Path | str | None = None) -> Version:
    """Put a kept version back as the current catalogue (the newest readable one by default).

    The current file, when it differs from every kept version (damaged in place, say), is
    kept as a version first, so a restore can be undone. Raises CatalogueError (French)
    when no readable version exists.
    """
    path = Path(path) if path is not None else working_path()
    with catalogue_lock(path):
        _remove_tmp(path)
        versions = list_versions(path)
        if name:
            chosen = next((v for v in versions if v.name == name), None)
            if chosen is None:
                raise CatalogueError(f"version « {name} » introuvable (voir python -m catalog restore --list)", path)
            if chosen.problem:
                raise CatalogueError(f"la version {name} est elle-même illisible ({chosen.problem})", path)
        else:
            chosen = next((v for v in versions if not v.problem), None)
            if chosen is None:
                raise CatalogueError("aucune version précédente lisible à restaurer", path)
        source = versions_dir(path) / chosen.name
        catalogue = load_catalogue(source)
        keep = max(settings.get("store", "keep_versions"), 1)
        if path.exists() and not _same_as_a_version(path):
            _keep_version(path, keep + 2)
        save_catalogue(catalogue, path, keep_versions=keep + 2)  # never prunes the version being restored
        for old in _version_files(path)[keep + 1:]:
            old.unlink(missing_ok=True)
    return chosen


def _same_as_a_version(path: Path) -> bool:
    digest = _file_digest(path)
    return any(_file_digest(v) == digest for v in _version_files(path))


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------- merging


def _content(offer: Offer) -> dict[str, Any]:
    """The offer without its provenance: re-importing the same record is not an update."""
    data = offer.to_dict()
    data.pop("provenance", None)
    return data


def merge_offers(cat: Catalogue, offers: Iterable[Offer]) -> MergeResult:
    """Upsert offers by id into a NEW catalogue (the input one is shared and stays untouched).

    An offer whose content differs replaces the old one and keeps the new import's
    provenance (source file, imported_at); the old provenance is appended to the
    header's history so nothing about the earlier import is lost. An identical
    offer is left as it was (its first provenance kept). Within one batch, a later
    record with the same id wins.
    """
    merged = dict(cat.offers)
    history = copy.deepcopy(cat.meta.get(HISTORY_KEY, {}))
    added: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    batch = {o.id: o for o in offers}  # a later record with the same id wins
    for offer_id, offer in batch.items():
        old = merged.get(offer_id)
        if old is None:
            added.append(offer_id)
        elif _content(old) == _content(offer):
            unchanged.append(offer_id)
            continue
        else:
            entries = history.setdefault(offer_id, [])
            entries.append(to_dict(old.provenance))
            del entries[:-MAX_HISTORY]
            updated.append(offer_id)
        merged[offer_id] = offer
    meta = copy.deepcopy({k: v for k, v in cat.meta.items() if k != HISTORY_KEY})
    if history:
        meta[HISTORY_KEY] = history
    if added or updated:
        meta["updated_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        if any(not o.provenance.demo for o in merged.values()):
            meta["demo"] = False
    return MergeResult(Catalogue(merged, meta), added, updated, unchanged)

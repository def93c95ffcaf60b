"""The offer catalogue: an immutable-by-convention container, its JSONL persistence and merging.

File format (`.jsonl.gz`, or plain `.jsonl`): one JSON object per line. The first
line may be a header `{"_meta": {...}}` (generator, seed, anchor date, demo flag,
counts, import history); every other line is one `Offer.to_dict()` with its sessions.
Line-per-offer keeps reading streaming and lets an error name its line.

The app shares one `Catalogue` across all users, so nothing here mutates a
catalogue: `merge_offers` returns a new one and `save_catalogue` writes atomically
(a crash mid-write leaves the previous file intact).
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import io
import json
import os
import tempfile
import zlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

from catalog.model import Offer, OfferKind, Session, to_dict
from catalog.paths import CATALOG_DATA_DIR, data_dir

DEMO_PATH = CATALOG_DATA_DIR / "demo_catalogue.jsonl.gz"
WORKING_NAME = "catalogue.jsonl.gz"
HISTORY_KEY = "history"  # meta[HISTORY_KEY][offer_id] = earlier provenances, oldest first
MAX_HISTORY = 20  # per offer: enough to audit re-imports without growing without bound


class CatalogueError(Exception):
    """A catalogue file that cannot be read or written; the message is French and names the place."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        self.reason = message
        self.path = str(path) if path is not None else None
        self.line = line
        where = ""
        if self.path:
            where = f" ({self.path}" + (f", ligne {line}" if line else "") + ")"
        super().__init__(f"Catalogue illisible{where} : {message}")


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
    return json.dumps(offer.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


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
        hint = " Générez le catalogue de démonstration : python -m catalog demo" if path == DEMO_PATH else ""
        raise CatalogueError(f"fichier introuvable.{hint}", path)
    meta: dict[str, Any] = {}
    offers: dict[str, Offer] = {}
    lineno = 0
    digest, previous_id, in_order = hashlib.sha256(), "", True  # fingerprint from the bytes read once
    try:
        with _open_text(path) as fh:
            for lineno, line in enumerate(fh, start=1):
                if not line.strip():
                    in_order = False  # not a file save_catalogue wrote: hash the canonical form instead
                    continue
                try:
                    data = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise CatalogueError(f"JSON invalide ({exc.msg}, colonne {exc.colno})", path, lineno) from exc
                if not isinstance(data, dict):
                    raise CatalogueError("chaque ligne doit être un objet JSON", path, lineno)
                if "_meta" in data:
                    if lineno != 1 and (offers or meta):
                        raise CatalogueError("en-tête « _meta » ailleurs qu'en première ligne", path, lineno)
                    meta = dict(data["_meta"] or {})
                    continue
                offer = _offer(data, path, lineno)
                if offer.id in offers:
                    raise CatalogueError(f"identifiant d'offre en double : {offer.id}", path, lineno)
                offers[offer.id] = offer
                if in_order:
                    in_order = offer.id > previous_id and line.endswith("\n") and not line.endswith("\r\n")
                    previous_id = offer.id
                    digest.update(line.encode("utf-8"))
    except CatalogueError:
        raise
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
        raise CatalogueError(f"fichier tronqué ou endommagé ({type(exc).__name__})", path, lineno + 1) from exc
    declared = meta.get("counts", {}).get("offers") if isinstance(meta.get("counts"), dict) else None
    if isinstance(declared, int) and declared != len(offers):
        raise CatalogueError(f"l'en-tête annonce {declared} offres mais {len(offers)} ont été lues (fichier incomplet)", path)
    cat = Catalogue(offers, meta)
    if in_order:
        cat._fingerprint = "sha256:" + digest.hexdigest()
    return cat


def _offer(data: dict[str, Any], path: Path, lineno: int) -> Offer:
    missing = [k for k in ("id", "kind", "title") if not data.get(k)]
    if missing:
        raise CatalogueError(f"offre incomplète, champ(s) manquant(s) : {', '.join(missing)}", path, lineno)
    try:
        return Offer.from_dict(data)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise CatalogueError(f"offre {data.get('id')!s} invalide : {exc}", path, lineno) from exc


def load_demo() -> Catalogue:
    return load_catalogue(DEMO_PATH)


# --------------------------------------------------------------------------- writing


def save_catalogue(cat: Catalogue, path: Path | str | None = None) -> Path:
    """Write atomically: a temporary file in the same folder, fsync, then `os.replace`.

    Readers see either the old file or the new one, never a partial file. The header's
    `counts` are recomputed so they always describe the content. `.gz` paths are gzip.
    """
    path = Path(path) if path is not None else working_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {**cat.meta, "counts": cat.counts()}
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
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
        os.replace(tmp, path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise CatalogueError(f"écriture impossible ({exc.strerror or exc})", path) from exc
        raise
    _fsync_dir(path.parent)
    return path


def _write_lines(fh: Any, meta: dict[str, Any], cat: Catalogue) -> None:
    fh.write((json.dumps({"_meta": meta}, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
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

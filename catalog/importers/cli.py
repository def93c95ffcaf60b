"""`python -m catalog import | validate | template` handlers.

Exit codes: 0 the file could be read (even with rejected records), 2 it could
not be read at all (one French line on stderr, no traceback), 1 the catalogue
could not be written (it is then left exactly as it was: the save is atomic).
Problems are printed without record contents, so nothing personal reaches logs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .report import ImportResult, Severity, UnreadableFile


def _read(args: argparse.Namespace) -> ImportResult | None:
    from . import import_file

    try:
        return import_file(args.file, getattr(args, "format", None))
    except UnreadableFile as exc:
        print(f"erreur : {exc}", file=sys.stderr)
    except MemoryError:
        print(f"erreur : {Path(args.file).name} : fichier trop volumineux pour être lu", file=sys.stderr)
    except Exception as exc:  # an importer bug must still give a clear, traceback-free answer
        print(f"erreur : {Path(args.file).name} : lecture impossible ({type(exc).__name__})", file=sys.stderr)
    return None


def _table(result: ImportResult) -> str:
    lines = [f"{result.file} ({result.format.value}) : {result.accepted} enregistrement(s) accepté(s), "
             f"{result.rejected} refusé(s), {len(result.errors)} erreur(s), {len(result.warnings)} avertissement(s), "
             f"{len(result.offers)} offre(s)"]
    if result.problems:
        rows = [("gravité", "enregistrement", "ligne", "champ", "problème")]
        for p in result.problems:
            rows.append(("ERREUR" if p.severity is Severity.ERROR else "avert.", p.record_id or "-",
                         str(p.line or "-"), p.field or "-", p.reason))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        for r in rows:
            lines.append("  ".join(c.ljust(w) for c, w in zip(r[:4], widths)) + "  " + r[4])
    return "\n".join(lines)


def _merge(result: ImportResult, target: str | None) -> dict[str, Any]:
    """Merge into the file on disk (working catalogue or `target`) under the writers' lock."""
    from catalog import store

    path = Path(target) if target else store.working_path()
    if not path.exists() and not store.working_path().exists() and not store.DEMO_PATH.exists():
        print("note : aucun catalogue existant (démonstration absente) : catalogue créé avec les offres importées",
              file=sys.stderr)
    merged = store.import_offers(result.offers, path)
    return {"catalogue": path.name, "added": len(merged.added), "updated": len(merged.updated),
            "unchanged": len(merged.unchanged)}


def run_import(args: argparse.Namespace) -> int:
    result = _read(args)
    if result is None:
        return 2
    merge: dict[str, Any] | None = None
    if not args.dry_run and result.offers:
        from catalog.store import CatalogueError

        try:
            merge = _merge(result, args.catalogue)
        except CatalogueError as exc:
            print(f"erreur : catalogue non modifié : {exc}", file=sys.stderr)
            return 1
        except OSError as exc:
            from catalog.store import os_error_reason

            print(f"erreur : catalogue non modifié : {os_error_reason(exc)}", file=sys.stderr)
            return 1
    if args.json:
        out = result.summary(with_offers=args.dry_run)
        if merge:
            out["merge"] = merge
        print(json.dumps(out, ensure_ascii=False, indent=1, allow_nan=False))
    else:
        print(_table(result))
        if merge:
            print(f"catalogue {merge['catalogue']} : {merge['added']} ajoutée(s), {merge['updated']} mise(s) à jour, "
                  f"{merge['unchanged']} inchangée(s)")
        elif args.dry_run:
            print("simulation (--dry-run) : catalogue non modifié")
    return 0


def run_validate(args: argparse.Namespace) -> int:
    result = _read(args)
    if result is None:
        return 2
    print(json.dumps(result.summary(), ensure_ascii=False, indent=1, allow_nan=False) if args.json else _table(result))
    return 0


def run_template(args: argparse.Namespace) -> int:
    from .template import write_template

    try:
        path = write_template(args.output)
    except (ValueError, OSError) as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 2
    print(f"modèle écrit : {path}")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    """`python -m catalog restore [--list] [--version NOM] [--json]`: kept versions of the working catalogue."""
    from catalog import store

    path = Path(args.catalogue) if args.catalogue else store.working_path()
    if args.list:
        versions = store.list_versions(path)
        if args.json:
            print(json.dumps([v.to_dict() for v in versions], ensure_ascii=False, indent=1, allow_nan=False))
        elif not versions:
            print("aucune version précédente conservée")
        else:
            for v in versions:
                state = v.problem and f"ILLISIBLE ({v.problem})" or f"{v.offers} offre(s), {v.sessions} session(s)"
                print(f"{v.name}  remplacée le {v.saved_at}  {state}")
        return 0
    try:
        restored = store.restore_version(args.version, path)
    except store.CatalogueError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({"restored": restored.to_dict()}, ensure_ascii=False, indent=1, allow_nan=False))
    else:
        print(f"version {restored.name} restaurée : {restored.offers} offre(s), {restored.sessions} session(s). "
              "Mettez à jour l'index : python -m indexes build")
    return 0

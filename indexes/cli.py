"""JSON command line of the search indexes: `python -m indexes <command> ...`.

Results go to stdout (JSON with --json, short French text otherwise); progress
and messages go to stderr so that stdout stays machine-readable.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any

from catalog.model import OfferKind


def _stderr_progress():
    last = {"stage": None, "pct": -1}

    def report(done: int, total: int, stage: str) -> None:
        pct = 100 if total == 0 else int(100 * done / total)
        if stage != last["stage"] or pct >= last["pct"] + 5 or done == total:
            print(f"  {stage} : {done}/{total} ({pct} %)", file=sys.stderr, flush=True)
            last.update(stage=stage, pct=pct)

    return report


def _emit(data: Any, as_json: bool, text: str) -> None:
    if as_json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2, allow_nan=False)
        sys.stdout.write("\n")
    else:
        print(text)


def _job_dict(hit: Any) -> dict[str, Any]:
    return {"rome": hit.rome, "label": hit.label, "score": round(float(hit.score), 4), "why": hit.why}


def _announce(pending: dict[str, int]) -> None:
    labels = {"jobs": "métiers", "offers": "offres"}
    detail = ", ".join(f"{labels.get(k, k)} : {_n(v)}" for k, v in pending.items())
    print(f"Textes à calculer : {_n(sum(pending.values()))} ({detail or 'aucun index à construire'}).",
          file=sys.stderr, flush=True)


def _n(value: int) -> str:
    """French thousands separator (a space), as the README writes counts."""
    return f"{value:,}".replace(",", " ")


def run_build(args: argparse.Namespace) -> int:
    from . import store

    if args.if_missing and not args.force:
        statuses = store.status()
        if all(s.valid for s in statuses):
            print("Index déjà construits et à jour : rien à faire.", file=sys.stderr)
            _emit({"built": [], "skipped": list(store.INDEX_NAMES)}, args.json, "Index à jour.")
            return 0
    print("Construction des index de recherche…", file=sys.stderr)
    report = store.build_default(progress=_stderr_progress(), force=args.force, announce=_announce)
    for notice in report.notices:
        print(notice, file=sys.stderr)
    _emit(
        report.to_dict(),
        args.json,
        f"Index construits : {', '.join(report.built) or 'aucun'} ; déjà à jour : {', '.join(report.skipped) or 'aucun'} ; "
        f"textes calculés : {report.embedded} ; vecteurs livrés utilisés : {report.shipped} ; "
        f"durée : {report.seconds:.1f} s.",
    )
    return 0


def run_search_jobs(args: argparse.Namespace) -> int:
    from .search import get_search_engine

    if args.file:
        with open(args.file, encoding="utf-8") as f:
            texts = [line.strip() for line in f if line.strip()]
    elif args.text:
        texts = [args.text]
    else:
        print("Indiquez un souhait de métier ou --file FICHIER (un souhait par ligne).", file=sys.stderr)
        return 2
    engine = get_search_engine(_stderr_progress())
    readings = engine.understand_jobs_many(texts, args.k)
    data: list[dict[str, Any]] = [{"query": r.query, "understood": r.understood, "reason": r.reason, "ambiguous": r.ambiguous,
             "results": [_job_dict(h) for h in r.results]} for r in readings]
    lines = []
    for d in data:
        status = "" if d["understood"] and not d["ambiguous"] else f" [{d['reason']}]"
        if not d["understood"]:
            status = f" [pas compris : {d['reason']}]"
        lines.append(f"{d['query']}{status} → " + "; ".join(f"{r['rome']} {r['label']} ({r['score']:.2f})" for r in d["results"]))
    _emit(data, args.json, "\n".join(lines))
    return 0


def run_search_offers(args: argparse.Namespace) -> int:
    from .search import get_search_engine

    engine = get_search_engine(_stderr_progress())
    hits = engine.search_offers(
        args.text,
        romes=args.rome or None,
        kinds=args.kind or None,
        commune=args.commune,
        radius_km=args.radius_km,
        level_min=args.level_min,
        level_max=args.level_max,
        start_after=args.start_after,
        start_before=args.start_before,
        part_time=True if args.part_time else None,
        accessible=True if args.accessible else None,
        k=args.k,
    )
    data = [{"query": args.text, "filters": _filters(args), "results": [h.to_dict() for h in hits]}]
    lines = [f"{h.score:.3f}  {h.offer.title} [{h.offer.kind.value}] — {h.why}" for h in hits] or ["Aucune offre trouvée."]
    _emit(data, args.json, "\n".join(lines))
    return 0


def _filters(args: argparse.Namespace) -> dict[str, Any]:
    keys = ("commune", "radius_km", "kind", "rome", "level_min", "level_max", "start_after", "start_before", "part_time", "accessible", "k")
    out = {}
    for key in keys:
        value = getattr(args, key)
        if value not in (None, False, []):
            out[key] = value.isoformat() if isinstance(value, date) else value
    return out


def run_resolve_place(args: argparse.Namespace) -> int:
    from .places import resolve_place

    result = resolve_place(args.text)
    _emit(result.to_dict(), args.json, result.message)
    return 0 if result.found else 1


def run_status(args: argparse.Namespace) -> int:
    from . import store

    statuses = store.status()
    data = {"valid": all(s.valid for s in statuses), "indexes": [s.to_dict() for s in statuses]}
    _emit(data, args.json, "\n".join(f"{s.name} : {s.reason}" for s in statuses))
    return 0 if data["valid"] else 1


def run_export_vectors(args: argparse.Namespace) -> int:
    """Write indexes/data/shipped_vectors.{bin,json} from the model (or the working cache)."""
    from . import shipped_vectors

    print("Calcul des vecteurs livrés : métiers et catalogue de démonstration (les textes déjà en cache ne sont "
          "pas recalculés)…", file=sys.stderr)
    progress = _stderr_progress()
    manifest = shipped_vectors.export(directory=args.output, progress=lambda d, t: progress(d, t, "textes"))
    _emit(manifest, args.json, f"{manifest['count']} vecteurs écrits ({manifest['bytes']} octets, "
                               f"sha256 {manifest['sha256'][:12]}…) ; textes calculés : {manifest['embedded']}.")
    return 0


HANDLERS = {
    "build": run_build,
    "export-vectors": run_export_vectors,
    "search-jobs": run_search_jobs,
    "search-offers": run_search_offers,
    "resolve-place": run_resolve_place,
    "status": run_status,
}


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"date invalide « {text} » (attendu AAAA-MM-JJ)") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m indexes", description="Index de recherche Itinéraire")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="construire les index (seuls les textes nouveaux sont calculés)")
    p.add_argument("--force", action="store_true", help="tout reconstruire même si les index sont à jour")
    p.add_argument("--if-missing", action="store_true", help="ne rien faire si des index valides existent")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("export-vectors", help="écrire les vecteurs livrés : métiers et catalogue de démonstration "
                                               "(indexes/data/shipped_vectors.*)")
    p.add_argument("--output", help="dossier de sortie (par défaut indexes/data)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("search-jobs", help="métiers du ROME correspondant à un souhait")
    p.add_argument("text", nargs="?")
    p.add_argument("--file", help="un souhait par ligne ; une entrée de résultat par ligne, dans l'ordre")
    p.add_argument("--k", type=int, default=5)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("search-offers", help="offres de formation correspondant à une demande")
    p.add_argument("text", nargs="?")
    p.add_argument("--commune", help="commune, code postal ou code INSEE de départ")
    p.add_argument("--radius-km", type=float)
    p.add_argument("--kind", action="append", choices=[k.value for k in OfferKind], help="type d'offre (répétable)")
    p.add_argument("--rome", action="append", help="code ROME (répétable)")
    p.add_argument("--level-min", type=int)
    p.add_argument("--level-max", type=int)
    p.add_argument("--start-after", type=_date)
    p.add_argument("--start-before", type=_date)
    p.add_argument("--part-time", action="store_true", help="temps partiel possible")
    p.add_argument("--accessible", action="store_true", help="référent handicap ou locaux accessibles")
    p.add_argument("--k", type=int, default=20)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("resolve-place", help="reconnaître une commune (nom, code postal, code INSEE)")
    p.add_argument("text")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("status", help="état des index (à jour, périmés, abîmés)")
    p.add_argument("--json", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> int:
    from catalog.store import CatalogueError

    args = build_parser().parse_args(argv)
    try:
        return int(HANDLERS[args.command](args) or 0)
    except OSError as exc:  # its text is English and names a server path
        from catalog.messages import os_error_reason

        print(f"Erreur : {os_error_reason(exc)} ; l'index précédent reste en service.", file=sys.stderr)
        return 2
    except (ValueError, RuntimeError, CatalogueError) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrompu", file=sys.stderr)
        return 130

"""JSON command line of the assistant.

    python -m assistant plan --profile F.json [--today YYYY-MM-DD] [--catalogue C.jsonl.gz] [--json]
    python -m assistant eligibility --profile F.json [--today YYYY-MM-DD] [--json]

Exit codes: 0 ok (also "a_preciser": the answer is a question), 2 bad input (unreadable
file, any encoding but UTF-8 / cp1252, invalid or duplicate-key or too deep JSON, invalid
profile, a date before the rules are dated, a commune outside Nouvelle-Aquitaine:
`status` "profil_invalide" with `{"errors": [...]}` or "hors_region"); French messages,
never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any

EXIT_BAD_INPUT = 2
EXIT_CATALOGUE = 1  # the catalogue cannot be read (damaged): an administrator must restore it


class InputError(Exception):
    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("\n".join(messages))


class CatalogueUnavailable(InputError):
    """The shared catalogue is damaged: no plan can be made until it is restored."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m assistant", description="Parcours de formation Itinéraire")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (("plan", "proposer 2 à 3 parcours datés pour un profil"),
                       ("eligibility", "éligibilité du profil à chaque dispositif")):
        p = sub.add_parser(name, help=text)
        p.add_argument("--profile", required=True, help="fichier JSON du profil")
        p.add_argument("--today", help="date du jour (AAAA-MM-JJ), par défaut aujourd'hui")
        p.add_argument("--json", action="store_true", help="sortie JSON")
        if name == "plan":
            p.add_argument("--catalogue", help="catalogue à utiliser (par défaut : catalogue de travail)")
    return parser


MAX_PROFILE_BYTES = 1_000_000  # a profile is a few hundred bytes: a huge file is not a profile


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """JSON objects with a key given twice are refused (the last value would silently win)."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 (a profile saved from Excel or Notepad)."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(["profil : encodage du fichier non reconnu (enregistrez-le en UTF-8)"])


def _read_profile(path: str) -> Any:
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_PROFILE_BYTES + 1)
    except OSError as exc:
        raise InputError([f"profil : fichier illisible ({exc.strerror or exc})"]) from None
    if len(raw) > MAX_PROFILE_BYTES:
        raise InputError([f"profil : fichier trop gros pour un profil (plus de {MAX_PROFILE_BYTES // 1000} ko)"])
    text = _decode(raw)
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise InputError([f"profil : JSON invalide (ligne {exc.lineno}, colonne {exc.colno} : {exc.msg})"]) from None
    except _DuplicateKey as exc:
        raise InputError([f"{exc.args[0]} : champ donné deux fois dans le profil (une seule valeur attendue)"]) from None
    except RecursionError:
        raise InputError(["profil : JSON trop profondément imbriqué pour être un profil"]) from None
    except ValueError as exc:  # e.g. an integer with thousands of digits
        raise InputError([f"profil : valeur JSON illisible ({exc})"]) from None


def _today(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError([f"--today : « {text} » n'est pas une date AAAA-MM-JJ"]) from None


def run(args: argparse.Namespace) -> dict[str, Any]:
    from assistant import api
    from assistant.parameters import RulesDateError
    from assistant.profile import ProfileError

    data, today = _read_profile(args.profile), _today(args.today)
    try:
        if args.command == "eligibility":
            return api.eligibility(data, today)
        catalogue = None
        if getattr(args, "catalogue", None):
            from catalog.store import CatalogueError, load_catalogue

            try:
                catalogue = load_catalogue(args.catalogue)
            except CatalogueError as exc:
                raise InputError([f"catalogue : {exc}"]) from None
        from catalog.store import CatalogueError

        try:
            return api.plan(data, today, catalogue=catalogue)
        except CatalogueError as exc:
            raise CatalogueUnavailable([f"catalogue : {exc}"]) from None
    except ProfileError as exc:
        raise InputError(exc.messages) from None
    except RulesDateError as exc:
        raise InputError([f"--today : {exc}"]) from None
    except RecursionError:
        raise InputError(["profil : structure trop profondément imbriquée"]) from None


def render_text(result: dict[str, Any]) -> str:
    """Short French summary for a terminal."""
    lines = [f"Référent : {result['referent']['organisation']} — {result['referent']['why']}"]
    if result.get("status") == "a_preciser":
        lines += [f"? {q}" for q in result.get("questions", [])]
        lines += [f"  Métier possible : {c['label']} ({c['rome']})" for c in result.get("candidate_jobs", [])]
    for job in result.get("jobs", []):
        tension = f", tension {job['tension']}/5" if job.get("tension") else ""
        lines.append(f"Métier : {job['label']} ({job['rome']}{tension})")
    for e in result.get("eligibility", []):
        lines.append(f"  {e.get('label', e['scheme'])} : {e['status']}")
    for p in result.get("pathways", []):
        lines.append(f"\n{p['rank']}. {p['title']} — score {p['score']:.2f}, {p['total_months']} mois")
        for s in p["steps"]:
            where = f" — {s['commune']} ({s['distance_km']} km)" if s.get("commune") else ""
            lines.append(f"   {s['start']} → {s['end']} {s['kind_label']} : {s['title']}{where}")
        if p.get("income") and p["income"].get("monthly_eur") is not None:
            lines.append(f"   Revenu : {p['income']['monthly_eur']} €/mois ({p['income'].get('basis', '')})")
        for w in p.get("warnings", []):
            lines.append(f"   ! {w}")
    for w in result.get("warnings", []) + [
            f"Non proposé — {r.get('label', r.get('route'))} : {r.get('reason')}" if isinstance(r, dict) else f"Non proposé — {r}"
            for r in result.get("not_proposed", [])]:
        lines.append(f"! {w}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result = run(args)
    except InputError as exc:
        if args.json:
            status = "catalogue_indisponible" if isinstance(exc, CatalogueUnavailable) else "profil_invalide"
            print(json.dumps({"status": status, "errors": exc.messages}, ensure_ascii=False, indent=2))
        else:
            print("\n".join(exc.messages), file=sys.stderr)
        return EXIT_CATALOGUE if isinstance(exc, CatalogueUnavailable) else EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrompu", file=sys.stderr)
        return 130
    except Exception as exc:  # invariant 17: never a traceback, a French message and exit 2
        message = f"erreur : la demande n'a pas pu être traitée ({type(exc).__name__}) ; vérifiez le profil"
        if args.json:
            print(json.dumps({"status": "profil_invalide", "errors": [message]}, ensure_ascii=False, indent=2))
        else:
            print(message, file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.json:
        try:
            print(json.dumps(result, ensure_ascii=False, indent=2, allow_nan=False))  # strict JSON: no NaN
        except ValueError:
            print(json.dumps({"status": "profil_invalide", "errors": [
                "erreur : résultat non représentable en JSON strict (valeur non finie)"]}, ensure_ascii=False))
            return EXIT_BAD_INPUT
    else:
        print(render_text(result))
    if result.get("status") == "hors_region":  # no Region offer for this person: a bad input for this tool
        if not args.json:
            print(result.get("message", ""), file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0

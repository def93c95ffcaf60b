"""JSON command line of the catalogue: `python -m catalog <command> ...`.

Each command's handler lives beside the code it drives and is imported lazily,
so that `python -m catalog stats` does not load the importers and vice versa.
"""

from __future__ import annotations

import argparse
import importlib
import sys

FORMATS = ["lheo", "intercarif-json", "apprentissage-json", "csv", "xlsx"]

# command -> "module:function"; each function takes the parsed args and returns an exit code.
HANDLERS = {
    "import": "catalog.importers.cli:run_import",
    "validate": "catalog.importers.cli:run_validate",
    "template": "catalog.importers.cli:run_template",
    "restore": "catalog.importers.cli:run_restore",
    "stats": "catalog.stats:run_stats",
    "demo": "catalog.demo:run_demo",
    "referentials": "catalog.build_referentials:run_build",
    "territory": "catalog.territory:run_territory",
    "career": "catalog.territory:run_career",
    "blocs": "catalog.territory:run_blocs",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m catalog", description="Catalogue d'offres Itinéraire")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("import", help="importer un fichier d'offres (LHÉO, JSON, CSV, XLSX)")
    p.add_argument("file")
    p.add_argument("--format", choices=FORMATS, help="format du fichier (deviné sinon)")
    p.add_argument("--dry-run", action="store_true", help="valider sans modifier le catalogue")
    p.add_argument("--json", action="store_true", help="sortie JSON")
    p.add_argument("--catalogue", help="catalogue à compléter (par défaut : catalogue de travail)")

    p = sub.add_parser("validate", help="valider un fichier sans l'importer")
    p.add_argument("file")
    p.add_argument("--format", choices=FORMATS)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("template", help="écrire le modèle CSV / XLSX d'import")
    p.add_argument("output", help="chemin du fichier .csv ou .xlsx à écrire")

    p = sub.add_parser("restore", help="restaurer une version précédente du catalogue de travail")
    p.add_argument("--list", action="store_true", help="lister les versions conservées sans rien modifier")
    p.add_argument("--version", help="nom de la version à restaurer (par défaut : la plus récente lisible)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--catalogue", help="catalogue concerné (par défaut : catalogue de travail)")

    p = sub.add_parser("stats", help="volumes du catalogue par type, département, niveau, secteur")
    p.add_argument("--json", action="store_true")
    p.add_argument("--catalogue", help="chemin d'un catalogue (par défaut : catalogue courant)")

    p = sub.add_parser("demo", help="régénérer le catalogue de démonstration (déterministe)")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--anchor", help="date de départ des sessions (AAAA-MM-JJ)")
    p.add_argument("--output", help="fichier de sortie")

    p = sub.add_parser("referentials", help="reconstruire les référentiels depuis ../shared/data")
    p.add_argument("--shared", help="dossier des données sources (par défaut ../shared/data)")

    p = sub.add_parser("territory", help="offre de formation face aux besoins de recrutement et à la tension")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--dept", help="département (ex. 33)")
    where.add_argument("--bassin", help="bassin d'emploi BMO (ex. 7532)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--catalogue", help="chemin d'un catalogue (par défaut : catalogue courant)")

    p = sub.add_parser("career", help="métiers proches d'une expérience (reconversion), tension et besoins locaux")
    p.add_argument("--rome", action="append", required=True, help="code ROME de l'expérience (répétable)")
    p.add_argument("--commune", required=True, help="code INSEE de la commune de la personne")
    p.add_argument("--radius-km", type=float, help="rayon de recherche des formations (par défaut : 30)")
    p.add_argument("--exclude-same-family", action="store_true",
                   help="écarter les métiers de la même famille (contrainte de santé, RQTH)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--catalogue", help="chemin d'un catalogue (par défaut : catalogue courant)")

    p = sub.add_parser("blocs", help="blocs de compétences restant à valider pour une certification (R-BLOC)")
    p.add_argument("rncp")
    p.add_argument("--held", action="append", default=[], help="bloc déjà détenu (ex. RNCP26650BC01, répétable)")
    p.add_argument("--json", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    module_name, func_name = HANDLERS[args.command].split(":")
    handler = getattr(importlib.import_module(module_name), func_name)
    try:
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        print("interrompu", file=sys.stderr)
        return 130

"""The CSV / XLSX import template and its documentation, all generated from `tabular.COLUMNS`.

One table drives the importer, the shipped templates (catalog/data/import_template.csv
and .xlsx) and docs/import-template.md, so they cannot drift apart; a test checks it.
Regenerate the shipped files with
`python -c "from catalog.importers.template import regenerate; regenerate()"`.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from catalog.paths import CATALOG_DATA_DIR, REPO_ROOT

from catalog.settings import get as _s

from .tabular import COLUMNS, CSV_FIELD_LIMIT


def example_rows() -> list[list[str]]:
    return [[c.examples[i] for c in COLUMNS] for i in range(3)]


def template_csv_text() -> str:
    """`;`-separated (what French spreadsheet software expects), UTF-8."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\n")
    writer.writerow([c.name for c in COLUMNS])
    writer.writerows(example_rows())
    return buf.getvalue()


def write_template(path: str | Path) -> Path:
    """Write the template as .csv (UTF-8 with BOM, for Excel) or .xlsx (sheets « offres » and « colonnes »)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        path.write_text(template_csv_text(), encoding="utf-8-sig")
    elif suffix == ".xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        wb = Workbook()
        sheet = wb.active
        sheet.title = "offres"
        sheet.append([c.name for c in COLUMNS])
        for row in example_rows():
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        doc = wb.create_sheet("colonnes")
        doc.append(["colonne", "obligatoire", "format", "description", "niveau"])
        for c in COLUMNS:
            doc.append([c.name, "oui" if c.required else "non", c.format, c.description,
                        "session" if c.session else "offre"])
        wb.save(path)
    else:
        raise ValueError(f"extension « {path.suffix} » non prise en charge : .csv ou .xlsx")
    return path


def template_doc() -> str:
    """docs/import-template.md (French, like every user-facing text)."""
    lines = [
        "# Modèle d'import CSV / XLSX",
        "",
        "Fichiers modèles : `catalog/data/import_template.csv` et `catalog/data/import_template.xlsx`",
        "(ou `python -m catalog template modele.csv|modele.xlsx`). Import :",
        "`python -m catalog import fichier.csv [--dry-run] [--json]` ; validation seule : `python -m catalog validate fichier.csv`.",
        "",
        "## Règles générales",
        "",
        "- **Une ligne par session.** Les champs de l'offre sont répétés sur chaque ligne de ses sessions ;",
        "  si deux lignes d'une même offre diffèrent, la première l'emporte (avertissement).",
        "  Une ligne sans aucun champ de session décrit une offre sans session datée.",
        "- En-têtes : noms ci-dessous ; majuscules, accents, espaces et tirets sont tolérés (`Date début` = `date_debut`).",
        "  Une colonne inconnue est ignorée (avertissement) ; l'ordre des colonnes est libre.",
        "- CSV : séparateur `;`, `,` ou tabulation (détecté sur la ligne d'en-tête) ; encodage UTF-8 (avec ou sans BOM)",
        "  recommandé ; un fichier Windows-1252 / Latin-1 ou UTF-16 (« Texte Unicode » d'Excel, reconnu à son BOM)",
        "  est converti (avertissement), accents conservés.",
        "- XLSX : première feuille, ou la feuille nommée `offres`.",
        "- Listes : valeurs séparées par `|`. Oui/non : `oui`, `non`, `1`, `0`, `vrai`, `faux`.",
        "- Les lignes entièrement vides sont ignorées.",
        "",
        "## Contrôles",
        "",
        "Chaque ligne est soit **acceptée**, soit **refusée** avec au moins une erreur qui dit la ligne, le champ et la raison ;",
        "toutes les erreurs d'un fichier sont listées (l'import ne s'arrête pas à la première).",
        "",
        "- Erreur (ligne refusée) : champ obligatoire vide, valeur illisible (date, nombre, oui/non, niveau), valeur hors",
        "  vocabulaire (`type_offre`, `modalite`…), fin de session avant le début, nombre de places négatif,",
        "  âge ou niveau minimal supérieur au maximal, session en double pour une même offre, cellule de plus",
        f"  de {CSV_FIELD_LIMIT:_} caractères (cellule mal fermée le plus souvent),".replace("_", " "),
        f"  date hors de la période {_s('values', 'min_year')}-{_s('values', 'max_year')}, session de plus de "
        f"{_s('values', 'max_session_years')} ans, nombre non fini (NaN, infini).",
        "- Avertissement (ligne gardée) : code ROME, INSEE ou postal invalide (ignoré), code financeur inconnu ou",
        "  obsolète (gardé), coordonnées inversées (remises dans l'ordre) ou impossibles (ignorées), coordonnées",
        f"  à plus de {_s('values', 'max_km_from_commune'):.0f} km de la commune du code INSEE (remplacées par celles "
        "de la commune),",
        "  plus de places restantes que de places, colonne inconnue, durée ou rythme négatif ou invraisemblable",
        f"  (ignoré), caractères de contrôle (supprimés), intitulé de plus de {_s('text', 'max_title_chars')} "
        f"caractères ou texte de plus de {_s('text', 'max_text_chars'):_} (tronqué).".replace("_", " "),
        f"- Un fichier de plus de {_s('upload', 'max_records'):_} lignes est refusé (à découper) ; un classeur XLSX "
        "qui se décompresse".replace("_", " "),
        f"  au-delà de {_s('upload', 'max_unzipped_bytes') // 2**20} Mo ou plus de {_s('upload', 'max_zip_ratio')} "
        "fois sa taille est refusé.",
        "- Réimporter le même fichier met à jour les offres (même identifiant), sans doublon.",
        "",
        "## Colonnes",
        "",
        "| colonne | obligatoire | niveau | format | description |",
        "|---|---|---|---|---|",
    ]
    for c in COLUMNS:
        desc = c.description.replace("|", "\\|")
        fmt = c.format.replace("|", "\\|")
        lines.append(f"| `{c.name}` | {'**oui**' if c.required else 'non'} | "
                     f"{'session' if c.session else 'offre'} | {fmt} | {desc} |")
    lines += [
        "",
        "## Correspondances LHÉO (imports XML / JSON)",
        "",
        "- Une `<action>` LHÉO = une offre `lheo:<numéro d'action>` ; ses `<session>` = ses sessions.",
        "- Type d'offre : contrat d'apprentissage → APPRENTISSAGE ; contrat de professionnalisation → CONTRAT_PRO ;",
        "  puis dispositif nommé dans l'intitulé (prépa apprentissage, POEI, « 1er niveau de qualification » → HSP_1NQ,",
        "  « socle de compétences » → HSP_SOCLE) ; sinon objectif général (dict-AIS) : 6 certification, 7 professionnalisation → QUALIFIANT ;",
        "  5 remise à niveau → HSP_SOCLE ; 8 préparation à la qualification, 9 (re)mobilisation → AMORCE ;",
        "  4 création d'entreprise → MODULE ; objectif absent ou obsolète : certifiante → QUALIFIANT, sinon MODULE.",
        "- Niveaux dict-niveaux → niveau national (4 = ancien V → 3 ; 11 à 18 → 1 à 8) ;",
        "  type de parcours 3 (modularisé) → certification modulaire ; type de contact 1 → référent handicap.",
        "- Codes financeurs : LHÉO 2.2 connaît 0 à 15, LHÉO 2.3 ajoute 16 à 20 ; un code inconnu de la version du",
        "  fichier ou le code 1 (obsolète) donne un avertissement, l'offre est gardée.",
        "- Une session impossible (fin avant début, date illisible) est écartée avec une erreur ; l'offre est gardée.",
        "- Code RNCP : complété par le référentiel RNCP (niveau, intitulé, type) ; fiche inactive ou niveau différent",
        "  du RNCP → avertissement (le niveau publié est conservé).",
        "",
    ]
    return "\n".join(lines)


def regenerate() -> None:
    write_template(CATALOG_DATA_DIR / "import_template.csv")
    write_template(CATALOG_DATA_DIR / "import_template.xlsx")
    (REPO_ROOT / "docs" / "import-template.md").write_text(template_doc(), encoding="utf-8")


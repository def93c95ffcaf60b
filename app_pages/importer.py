"""Importer: upload an offer file, read the validation report, confirm, merge and re-index.

Two steps so that a bad file changes nothing: the upload is only *validated*
(`import_file` on a temporary copy, deleted at once); the working catalogue is
written only after the user confirms, by `catalog.store.import_offers`, which
locks out other writers and merges into the file on disk (never into the copy
cached by this process), then the indexes are rebuilt incrementally.
The "Versions du catalogue" box lists the kept versions and restores one.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from app_pages._admin import require_admin
from app_pages._shared import catalogue, fail, md_escape, reload_after_import, require

require_admin()

FORMATS = {"xml": "LHÉO (XML)", "json": "JSON Intercarif ou catalogue apprentissage", "csv": "CSV (modèle Itinéraire)",
           "xlsx": "Excel (modèle Itinéraire)"}

st.title("Importer des offres de formation")
st.markdown("Déposez un fichier " + ", ".join(FORMATS.values()) + ". Le fichier est d'abord **vérifié** : "
            "le catalogue n'est modifié qu'après votre confirmation.")
try:
    from catalog.importers.template import template_csv_text

    st.download_button("Télécharger le modèle d'import (CSV)", template_csv_text().encode("utf-8-sig"),
                       file_name="modele-import-itineraire.csv", mime="text/csv", key="imp_template",
                       icon=":material/description:", on_click="ignore",
                       help="Une ligne par session ; les colonnes sont décrites dans docs/import-template.md.")
except ImportError:
    pass
importers = require("catalog.importers", "l'import de fichiers")
if not hasattr(importers, "import_file"):
    require("catalog.importers.api", "l'import de fichiers")  # shows the "en cours de déploiement" message
store = require("catalog.store", "le catalogue")
from catalog.importers.report import REPORT_HEADER, UnreadableFile  # noqa: E402  (after the availability checks)

FIELD_LABELS = {"session": "session", "periode": "dates", "debut": "date de début", "fin": "date de fin",
                "start": "date de début", "end": "date de fin", "adresse": "adresse", "lieu": "lieu",
                "commune": "commune", "code_postal": "code postal", "contact": "contact", "telephone": "téléphone",
                "courriel": "courriel", "email": "courriel", "rncp": "code RNCP", "rome": "code ROME",
                "niveau": "niveau", "intitule": "intitulé", "organisme": "organisme", "places": "places",
                "certification": "certification", "siret": "SIRET", "formation": "formation", "action": "action"}


def field_label(name) -> str:
    """"session.periode" → "session › dates": the report names fields the way the file's author reads them."""
    if name is None or name != name or name == "":
        return ""
    parts = re.split(r"[./]", str(name))
    return " › ".join(FIELD_LABELS.get(p.lower(), p) for p in parts if p)


def rebuild_indexes() -> object | None:
    """Update the search indexes after a write; on failure the previous index stays in use (French notice)."""
    bar = st.progress(0.0, text="Mise à jour des index de recherche…")

    def progress(done: int, total: int, stage: str) -> None:
        bar.progress(min(done / total, 1.0) if total else 1.0, text=f"{stage} : {done} / {total}")

    try:
        report = require("indexes.store", "la recherche").build_default(progress=progress)
        bar.progress(1.0, text="Index à jour.")
        return report
    except Exception as exc:
        fail("Le catalogue est enregistré mais les index de recherche n'ont pas pu être mis à jour. "
             "La recherche utilise les anciens index d'ici là ; lancez « python -m indexes build ».", exc)
        return None


def versions_box(damaged: bool) -> None:
    """Kept versions of the working catalogue and the restore button (administrators)."""
    versions = store.list_versions()
    with st.expander("Versions du catalogue", expanded=damaged, icon=":material/history:"):
        if not versions:
            st.caption("Aucune version précédente conservée pour l'instant (une version est gardée à chaque import).")
            return
        labels = {v.name: (f"{v.saved_at.replace('T', ' ')[:16]} UTC — "
                           + (f"{v.offers} offres, {v.sessions} sessions" if not v.problem else "illisible")
                           + (" (version actuelle)" if v.current else ""))
                  for v in versions}
        readable = [v.name for v in versions if not v.problem]
        if not readable:
            st.error("Aucune version conservée n'est lisible.", icon=":material/error:")
            return
        chosen = st.selectbox("Version à restaurer", readable, format_func=labels.get, key="imp_version")
        if st.button("Restaurer cette version", key="imp_restore", icon=":material/restore:"):
            try:
                restored = store.restore_version(chosen)
            except store.CatalogueError as exc:
                st.error(md_escape(str(exc)), icon=":material/error:")
                return
            reload_after_import()
            rebuild_indexes()
            reload_after_import()
            st.success(f"Version du {labels[restored.name]} restaurée.", icon=":material/check_circle:")


store.cleanup_leftovers()  # temporary files of a killed save (only when no writer is at work)
try:
    catalogue()  # cached per catalogue version: cheap when nothing changed
    damaged = False
except store.CatalogueError as exc:
    damaged = True
    st.error(md_escape(str(exc)), icon=":material/error:")
versions_box(damaged)

upload = st.file_uploader("Fichier d'offres à importer", type=list(FORMATS), key="imp_file")
if upload is None:
    st.session_state.pop("imp_check", None)
    st.stop()

data = upload.getvalue()
digest = hashlib.sha256(data).hexdigest()
check = st.session_state.get("imp_check")
if not check or check["digest"] != digest:
    suffix = Path(upload.name).suffix.lower()
    with st.spinner("Vérification du fichier…"), tempfile.TemporaryDirectory(prefix="itineraire-import-") as tmp:
        # The user's file name, reduced to safe characters, so that messages name the file they know.
        stem = re.sub(r"[^\w.-]+", "_", Path(upload.name).stem, flags=re.ASCII)[:80] or "import"
        path = Path(tmp) / f"{stem}{suffix}"
        path.write_bytes(data)
        try:
            result = importers.import_file(path)
            check = {"digest": digest, "name": upload.name, "result": result, "error": None, "done": False}
        except Exception as exc:  # UnreadableFile (French message) or an unexpected failure
            check = {"digest": digest, "name": upload.name, "result": None, "error": exc, "done": False}
    st.session_state["imp_check"] = check

if check["error"] is not None:
    exc = check["error"]
    if isinstance(exc, UnreadableFile):
        st.error(f"Fichier refusé : {md_escape(str(exc).rstrip('.'))}. Le catalogue n'a pas été modifié.",
                 icon=":material/block:")
    else:
        fail("Le fichier n'a pas pu être lu. Vérifiez son format (LHÉO, JSON, CSV ou XLSX) ; "
             "le catalogue n'a pas été modifié.", check["error"])
    st.stop()

result = check["result"]
st.header("Rapport de vérification")
c1, c2, c3, c4 = st.columns(4)
c1.metric("Offres valides", check.get("offers_count", len(result.offers)))
c2.metric("Enregistrements refusés", result.rejected)
c3.metric("Erreurs", len(result.errors))
c4.metric("Avertissements", len(result.warnings))
past = sum(1 for offer in result.offers for s in offer.sessions if s.end and s.end < date.today())
if past:
    st.warning(f"{past} session(s) de ce fichier sont déjà terminées : elles seront importées mais n'apparaîtront "
               "dans aucun parcours. Vérifiez que le fichier est à jour.", icon=":material/event_busy:")
if result.problems:
    report = pd.DataFrame(result.report_rows(check["name"]), columns=REPORT_HEADER).astype(object)
    report = report.where(report.notna(), "")  # empty cells, not "None"
    report["Champ"] = report["Champ"].map(field_label)
    st.dataframe(report, hide_index=True, width="stretch")
    st.download_button("Télécharger le rapport (CSV)", result.report_csv(check["name"]),
                       file_name="rapport-import.csv", mime="text/csv", key="imp_report", icon=":material/download:",
                       on_click="ignore")
elif not past:
    st.success("Aucun problème détecté.", icon=":material/check_circle:")

if check["done"]:
    st.success(check["done"], icon=":material/check_circle:")
    st.stop()

if not result.offers:
    st.error("Aucune offre valide dans ce fichier : rien à importer. Le catalogue n'a pas été modifié.",
             icon=":material/block:")
    st.stop()

st.header("Confirmer l'import")
st.markdown(f"{len(result.offers)} offre(s) seront ajoutées ou mises à jour dans le catalogue de travail.")
if st.button("Confirmer l'import", type="primary", key="imp_confirm", icon=":material/publish:"):
    try:
        with st.spinner("Enregistrement du catalogue…"):
            merged = store.import_offers(result.offers)  # locked, merged into the file on disk
    except store.CatalogueError as exc:  # French, without server path: damaged, busy, disk full, read-only
        st.error(f"L'import n'a pas été enregistré : le catalogue n'a pas été modifié. {md_escape(str(exc))}",
                 icon=":material/error:")
        st.stop()
    except Exception as exc:
        fail("L'enregistrement a échoué : le catalogue n'a pas été modifié. Réessayez ; si le problème "
             "persiste, vérifiez les droits d'écriture du dossier de travail.", exc)
        st.stop()
    reload_after_import()
    report = rebuild_indexes()
    reload_after_import()
    embedded = getattr(report, "embedded", None)
    check["done"] = (f"Import terminé : {len(merged.added)} offre(s) ajoutée(s), {len(merged.updated)} mise(s) à jour, "
                     f"{len(merged.unchanged)} inchangée(s)."
                     + (f" {embedded} nouveau(x) texte(s) indexé(s)." if isinstance(embedded, int) else ""))
    check["offers_count"] = len(result.offers)
    result.offers = []  # written: the session no longer needs to hold them (memory of a long session)
    st.success(check["done"], icon=":material/check_circle:")

"""Sources: every dataset the app uses, with producer, year, licence and use.

Rendered from the build script's SOURCES table (the same data that writes catalog/data/SOURCES.md)
and its OTHER_SOURCES (LHÉO code lists, demo catalogue, regional evaluation) through
`catalog.referentials.datasets()`, so the page cannot drift from what is shipped.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages._shared import catalogue_or_stop, md_escape, require

st.title("Sources des données")
referentials = require("catalog.referentials", "les référentiels")

rows = [{"Table": s["table"], "Producteur": s["producer"], "Année": s["date"], "Licence": s["licence"],
         "Utilisation": s["content"], "Fichiers sources": s["source"]} for s in referentials.datasets()]
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
st.caption("Tables compactes produites par « python -m catalog referentials » à partir des données publiques ; "
           "seuls des faits publics (codes, libellés, indicateurs) sont repris, avec nos propres colonnes.")

st.subheader("Catalogue des formations")
cat = catalogue_or_stop()
if getattr(cat, "has_demo_offers", False):
    st.markdown(md_escape(
        "Catalogue de démonstration généré par « python -m catalog demo » : les certifications, niveaux et codes "
        "ROME sont réels, les organismes, sessions, lieux, contacts et indicateurs de devenir sont fictifs et "
        "signalés comme tels. Les taux InserJeunes réels remplacent les indicateurs fictifs des offres "
        "d'apprentissage quand la certification en a."))
else:
    st.markdown(md_escape("Catalogue importé (LHÉO, JSON, CSV ou XLSX) : la provenance de chaque offre est "
                          "indiquée dans sa fiche."))

"""Pilotage de l'offre: the Region's steering view, training offer against recruitment needs and tension.

For Region staff, no personal data: per employment area (BMO 2024) and job family (FAP 2021),
catalogue sessions and places by kind against BMO recruitment projects and the France Travail
tension indicators, the ranked gaps, a map (pydeck points drawn without a base map, so it works
offline, with the same figures as a list) and CSV / XLSX exports. The figures come from
`catalog.territory.overview`, the same function as `python -m catalog territory`.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app_pages._shared import catalogue_or_stop, demo_banner, md_escape, require, sources_link

st.title("Pilotage de l'offre")
st.caption("Offre de formation du catalogue face aux besoins de recrutement (BMO 2024) et à la tension des "
           "métiers (France Travail 2021), par bassin d'emploi et famille de métiers. Outil Région : aucune donnée "
           "personnelle.")

territory = require("catalog.territory", "le pilotage territorial")
referentials = require("catalog.referentials", "les référentiels")
spreadsheet = require("catalog.spreadsheet", "les exports")
from catalog.model import OfferKind  # noqa: E402  (after the availability checks above)

cat = catalogue_or_stop()
demo_banner(getattr(cat, "has_demo_offers", False))


def export_buttons(what: str, header: list[str], rows: list[list], stem: str, sheet: str, key: str) -> None:
    """CSV and XLSX downloads of one table, side by side (formula cells neutralised by catalog.spreadsheet)."""
    c1, c2 = st.columns(2)
    c1.download_button(f"Exporter {what} (CSV)", spreadsheet.csv_bytes(header, rows), file_name=f"{stem}.csv",
                       mime="text/csv", key=f"{key}_csv")
    c2.download_button(f"Exporter {what} (XLSX)", spreadsheet.xlsx_bytes(header, rows, sheet), file_name=f"{stem}.xlsx",
                       key=f"{key}_xlsx", mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@st.cache_resource(show_spinner="Préparation des sessions du catalogue…")
def session_index(fingerprint: str):
    """The catalogue's session index; `fingerprint` keys the cache."""
    return territory.index_for(catalogue_or_stop())


fingerprint = cat.fingerprint() if callable(getattr(cat, "fingerprint", None)) else str(len(cat))
index = session_index(fingerprint)

departments = referentials.departments()
areas = referentials.bmo_areas()
families = territory.family_options()
with st.expander("Filtres", expanded=True):
    c1, c2 = st.columns(2)
    dept = c1.selectbox("Département", [None, *departments], key="pil_dept",
                        format_func=lambda d: "Tous" if d is None else f"{d} — {departments[d]}")
    area_choices = [None, *[a for a, (_, d) in areas.items() if dept is None or d == dept]]
    area = c2.selectbox("Bassin d'emploi", area_choices, key="pil_area",
                        format_func=lambda a: "Tous" if a is None else f"{a} — {areas[a][0].title()}")
    c1, c2 = st.columns(2)
    kinds = c1.multiselect("Type d'offre", list(OfferKind), format_func=lambda k: k.label, key="pil_kinds",
                           placeholder="Tous")
    family = c2.selectbox("Famille de métiers", [None, *families], key="pil_family",
                          format_func=lambda f: "Toutes" if f is None else f"{f} — {families[f]}")

result = territory.overview(index, dept=dept, area=area, kinds=[k.value for k in kinds] or None, family=family)
params = result["parameters"]

tab_areas, tab_gaps, tab_map, tab_families, tab_cfa = st.tabs(
    ["Bassins", "Écarts à traiter", "Carte", "Familles de métiers", "CFA (InserJeunes)"])

with tab_areas:
    st.header(f"{len(result['areas'])} bassin(s) d'emploi")
    rows = []
    for a in result["areas"]:
        row = {"Bassin": f"{a['area']} {a['area_name']}", "Département": a["dept"], "Sessions": a["sessions"],
               "Places": a["places"], "Projets BMO 2024": a["projects"],
               "Part difficiles": territory.pct(a["difficult_share"]) if a["difficult_share"] is not None else "",
               "Besoins sans offre": a["gaps"]}
        for kind, v in a["by_kind"].items():
            row[f"Sessions — {OfferKind(kind).label}"] = v["sessions"]
        rows.append(row)
    st.dataframe(pd.DataFrame(rows).fillna(0), hide_index=True, width="stretch")
    for a in result["areas"]:
        if a["note"]:
            st.caption(md_escape(f"{a['area']} {a['area_name']} : {a['note']}."))

with tab_gaps:
    gaps = result["gaps"]
    need = [g for g in gaps if g["gap"] == "besoin_sans_offre"]
    weak = [g for g in gaps if g["gap"] == "offre_peu_porteuse"]
    st.header(f"{len(gaps)} écart(s)")
    st.markdown(md_escape(
        f"Besoin sans offre : au moins {params['high_needs_projects']} projets de recrutement ou une tension moyenne "
        f"d'au moins {params['high_tension']}/5, sans session qualifiante à moins de {params['gap_radius_km']} km du "
        f"centre du bassin. Offre peu porteuse : au plus {params['low_needs_projects']} projets, pas de tension, et "
        f"un taux d'emploi à 6 mois inférieur à {territory.pct(params['low_employment_rate'])} ou inconnu."))
    header, table_rows = territory.table(gaps)
    st.subheader(f"Besoins sans offre qualifiante ({len(need)})")
    st.dataframe(pd.DataFrame(territory.table(need)[1], columns=header), hide_index=True, width="stretch")
    st.subheader(f"Offre où besoins et débouchés sont faibles ({len(weak)})")
    st.dataframe(pd.DataFrame(territory.table(weak)[1], columns=header), hide_index=True, width="stretch")
    export_buttons("les écarts", header, table_rows, "pilotage-ecarts", "Écarts", "pil")

with tab_map:
    points = [a for a in result["areas"] if a["lat"] is not None]
    if points:
        frame = pd.DataFrame([{
            "lat": a["lat"], "lon": a["lon"], "bassin": f"{a['area']} {a['area_name']}", "sessions": a["sessions"],
            "projets": a["projects"], "ecarts": a["gaps"],
            "radius": 2000 + 60 * (a["projects"] ** 0.5),
            "color": [200, 60, 40, 170] if a["gaps"] else [40, 110, 180, 170],
        } for a in points])
        try:
            import pydeck as pdk

            layer = pdk.Layer("ScatterplotLayer", frame, get_position="[lon, lat]", get_radius="radius",
                              get_fill_color="color", pickable=True)
            view = pdk.ViewState(latitude=float(frame["lat"].mean()), longitude=float(frame["lon"].mean()), zoom=6.2)
            st.pydeck_chart(pdk.Deck(layers=[layer], initial_view_state=view, map_style=None,
                                     tooltip={"text": "{bassin}\n{sessions} sessions, {projets} projets BMO, "
                                                      "{ecarts} besoin(s) sans offre"}),
                            height=420)
            st.caption("Un disque par bassin, surface proportionnelle aux projets de recrutement ; rouge : au moins "
                       "un besoin sans offre qualifiante. Sans fond de carte (fonctionne hors ligne) ; la liste "
                       "ci-dessous donne les mêmes chiffres.")
        except ImportError:
            st.caption("Carte indisponible (pydeck absent) : la liste ci-dessous donne les mêmes chiffres.")
        st.dataframe(frame[["bassin", "sessions", "projets", "ecarts"]].rename(columns={
            "bassin": "Bassin", "sessions": "Sessions", "projets": "Projets BMO", "ecarts": "Besoins sans offre"}),
            hide_index=True, width="stretch")
    else:
        st.caption("Aucun bassin localisé pour ces filtres.")

with tab_families:
    header, cell_rows = territory.table(result["cells"], territory.CELL_COLUMNS)
    st.header(f"{len(cell_rows)} couple(s) bassin × famille")
    st.dataframe(pd.DataFrame(cell_rows, columns=header), hide_index=True, width="stretch", height=420)
    export_buttons("le tableau", header, cell_rows, "pilotage-familles", "Familles", "pil_cells")

with tab_cfa:
    header, cfa_rows = territory.table(result["cfas"], territory.CFA_COLUMNS)
    st.header(f"{len(cfa_rows)} CFA")
    st.caption("Taux d'emploi à 6 mois des apprentis sortis en 2022-2023 comparé au taux attendu compte tenu du public "
               "et du territoire (valeur ajoutée, InserJeunes) ; les plus faibles en premier. Vide : non diffusé "
               "(effectif trop faible). Le département vient du code UAI (le bassin n'est pas connu).")
    st.dataframe(pd.DataFrame(cfa_rows, columns=header), hide_index=True, width="stretch", height=420)
    st.download_button("Exporter les CFA (CSV)", spreadsheet.csv_bytes(header, cfa_rows), file_name="pilotage-cfa.csv",
                       mime="text/csv", key="pil_cfa_csv")

st.caption(md_escape(" ; ".join(result["sources"])) + ". Les métiers FAP 2021 non rapprochés du ROME sont comptés à "
           "part (« métiers non rapprochés du ROME ») : voir la page Sources.")
sources_link("Sources des données (producteur, année, licence, usage)")

"""Catalogue: browse, filter and map every offer; an offer's detail; statistics; data sources.

The catalogue is turned into two plain tables (offers, sessions) once per
catalogue version (`st.cache_data` keyed by the fingerprint); the filters are
table selections, so reruns stay fast.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from app_pages._shared import (accessibility_summary, all_offers, catalogue_or_stop, demo_banner, leads_to, level_label,
                               md_escape, require, sessions_map, sources_link)
from assistant import sheet
from catalog.model import OfferKind, Sector
from catalog.outcomes import offer_outcomes, outcome_text

st.title("Catalogue des formations")
cat = catalogue_or_stop()
demo_banner(cat.has_demo_offers)


@st.cache_data(show_spinner="Préparation du catalogue…")
def tables(fingerprint: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(offers, sessions) tables of the cached catalogue; `fingerprint` keys the cache."""
    offers, sessions = [], []
    for offer in all_offers(catalogue_or_stop()):
        offers.append({"id": offer.id, "Intitulé": offer.title, "Type": offer.kind.label, "kind": offer.kind.value,
                       "Organisme": offer.provider.name, "Secteur": offer.sector.label, "sector": offer.sector.value,
                       "Niveau": offer.certification.level, "Accessibilité": accessibility_summary(offer),
                       "accessible": bool(offer.accessibility.accessible_premises
                                          or offer.accessibility.referent_handicap),
                       "Démo": offer.provenance.demo})
        for s in offer.sessions:
            sessions.append({"offer_id": offer.id, "session_id": s.id, "start": s.start, "end": s.end,
                             "dept": (s.commune_insee or s.postcode or "")[:2], "Commune": s.commune_name,
                             "lat": s.lat, "lon": s.lon, "places_left": s.places_left})
    offers_df = pd.DataFrame(offers)
    sessions_df = pd.DataFrame(sessions, columns=["offer_id", "session_id", "start", "end", "dept", "Commune", "lat",
                                                  "lon", "places_left"])
    return offers_df, sessions_df


fingerprint = cat.fingerprint() if callable(getattr(cat, "fingerprint", None)) else str(len(all_offers(cat)))
offers_df, sessions_df = tables(fingerprint)
if offers_df.empty:
    st.info("Le catalogue est vide : un administrateur doit importer un fichier d'offres "
            "(page d'administration ou « python -m catalog import »).")
    st.stop()

# --------------------------------------------------------------------------- filters
referentials = require("catalog.referentials", "les référentiels")
departments = referentials.departments()
with st.expander("Filtres", expanded=True):
    # Full width: the offer types have long names, and a narrow box scrolls the first chips out of sight.
    kinds = st.multiselect("Type d'offre", list(OfferKind), format_func=lambda k: k.label, key="cat_kinds",
                           placeholder="Tous")
    c2, c3 = st.columns(2)
    depts = c2.multiselect("Département", list(departments), format_func=lambda d: f"{d} — {departments[d]}",
                           key="cat_depts", placeholder="Tous")
    sectors = c3.multiselect("Secteur", list(Sector), format_func=lambda s: s.label, key="cat_sectors", placeholder="Tous")
    c1, c2, c3 = st.columns(3)
    levels = c1.multiselect("Niveau de la certification", list(range(3, 9)), format_func=level_label,
                            key="cat_levels", placeholder="Tous")
    period = c2.date_input("Sessions commençant entre", value=(), format="DD/MM/YYYY", key="cat_period")
    accessible_only = c3.checkbox("Accessibilité handicap déclarée", key="cat_accessible")
    text = c3.text_input("Mot dans l'intitulé ou l'organisme", max_chars=100, key="cat_text")

mask = pd.Series(True, index=offers_df.index)
if kinds:
    mask &= offers_df["kind"].isin([k.value for k in kinds])
if sectors:
    mask &= offers_df["sector"].isin([s.value for s in sectors])
if levels:
    mask &= offers_df["Niveau"].isin(levels)
if accessible_only:
    mask &= offers_df["accessible"]
if text.strip():
    needle = text.strip().lower()
    mask &= (offers_df["Intitulé"].str.lower().str.contains(needle, regex=False)
             | offers_df["Organisme"].fillna("").str.lower().str.contains(needle, regex=False))
sessions = sessions_df
if depts:
    sessions = sessions[sessions["dept"].isin(depts)]
if isinstance(period, (tuple, list)) and len(period) == 2:
    sessions = sessions[sessions["start"].map(lambda d: d is not None and period[0] <= d <= period[1])]
if depts or (isinstance(period, (tuple, list)) and len(period) == 2):
    mask &= offers_df["id"].isin(sessions["offer_id"])
shown = offers_df[mask]
sessions = sessions[sessions["offer_id"].isin(shown["id"])]

tab_list, tab_map, tab_stats, tab_sources = st.tabs(["Offres", "Carte", "Statistiques", "Sources des données"])

with tab_list:
    st.header(f"{len(shown)} offre(s) sur {len(offers_df)}")
    upcoming = sessions[sessions["start"].map(lambda d: d is not None and d >= date.today())]
    first = upcoming.sort_values("start").groupby("offer_id").agg(
        **{"Prochaine session": ("start", "first"), "Communes": ("Commune", lambda c: ", ".join(sorted(set(
            x for x in c if x))[:3]))})
    listing = shown.join(first, on="id")
    listing["Prochaine session"] = listing["Prochaine session"].map(lambda d: sheet.fr_date(d) if d == d and d
                                                                    else "aucune à venir")
    st.dataframe(listing[["Intitulé", "Type", "Prochaine session", "Communes", "Organisme", "Niveau",
                          "Accessibilité"]], hide_index=True, width="stretch", height=320,
                 column_config={"Intitulé": st.column_config.TextColumn(width="large"),
                                "Niveau": st.column_config.NumberColumn(format="%d")})
    if not shown.empty:
        ids = shown["id"].tolist()[:500]
        titles = dict(zip(shown["id"], shown["Intitulé"]))
        chosen = st.selectbox("Voir le détail d'une offre", ids, format_func=lambda i: titles[i], key="cat_detail")
        offer = next(o for o in all_offers(cat) if o.id == chosen)
        with st.container(border=True):
            st.subheader(md_escape(offer.title))
            if offer.provenance.demo:
                st.warning("Données de démonstration", icon=":material/science:")
            st.markdown(md_escape(f"{offer.kind.label} — {offer.sector.label} — {offer.provider.name or 'organisme ?'}"))
            if offer.objectives or offer.description:
                st.text(offer.objectives or offer.description)
            st.markdown(f"**Débouché :** {md_escape(leads_to(offer, with_outcomes=False))}")  # outcomes: one line each below
            pre = offer.prerequisites
            prereq = [pre.text] if pre.text else []
            if pre.min_level is not None:
                prereq.append(f"niveau minimum : {level_label(pre.min_level)}")
            if pre.max_level is not None:
                prereq.append(f"niveau maximum : {level_label(pre.max_level)}")
            if pre.tests or pre.interview:
                prereq.append("tests ou entretien d'entrée")
            st.markdown(f"**Prérequis :** {md_escape(' ; '.join(prereq) or 'aucun déclaré')}")
            st.markdown(f"**Accessibilité :** {md_escape(accessibility_summary(offer))}")
            if offer.accessibility.text:
                st.text(offer.accessibility.text)
            for outcome in offer_outcomes(offer):
                st.markdown(md_escape(f"Résultat : {outcome_text(outcome)}"))
            contacts = [c for c in (offer.contact, offer.accessibility.referent_handicap, offer.referent_social) if c]
            for contact in contacts:
                st.markdown(f"**Contact :** {md_escape(sheet.label(contact))}")
            prov = offer.provenance
            imported = (f"importé le {sheet.fr_date(prov.imported_at)}" if sheet.parse_date(prov.imported_at)
                        else "catalogue de démonstration" if prov.demo else "date d'import non renseignée")
            st.caption(md_escape(f"Source : {prov.source or 'inconnue'} {prov.source_file or ''} "
                                 f"{prov.record_id or ''} — {imported}"))
            rows = [{"Début": sheet.fr_date(s.start), "Fin": sheet.fr_date(s.end), "Commune": s.commune_name,
                     "Places restantes": s.places_left, "Recrutement": s.recruitment.value.lower(),
                     "Réunion d'information": sheet.fr_date(s.info_session) if s.info_session else ""}
                    for s in offer.sessions]
            if rows:
                st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
            else:
                st.caption("Aucune session programmée.")

with tab_map:
    sessions_map(sessions[["lat", "lon"]].dropna().to_dict("records"))
    st.dataframe(sessions.groupby("Commune").size().rename("Sessions").reset_index(), hide_index=True)

with tab_stats:
    # Computed on the filtered tables, so the figures match the list and the map above.
    c1, c2, c3 = st.columns(3)
    c1.metric("Offres", len(shown))
    c2.metric("Sessions", len(sessions))
    starts = [d for d in sessions["start"] if d is not None]
    c3.metric("Entrées en formation", f"{sheet.fr_date(min(starts))} → {sheet.fr_date(max(starts))}" if starts else "—")
    if depts or kinds or sectors or levels or accessible_only or text.strip() or (
            isinstance(period, (tuple, list)) and len(period) == 2):
        st.caption("Chiffres calculés sur les offres et sessions filtrées.")

    def count_table(title: str, counts: pd.Series, key_label: str) -> None:
        st.markdown(f"**{title}**")
        st.dataframe(pd.DataFrame({key_label: counts.index.astype(str), "Nombre": counts.values}), hide_index=True)

    c1, c2 = st.columns(2)
    with c1:
        count_table("Offres par type", shown["Type"].value_counts(), "Type")
        count_table("Offres par niveau", shown["Niveau"].map(
            lambda lv: level_label(int(lv)) if lv == lv and lv is not None else "sans niveau").value_counts(), "Niveau")
    with c2:
        count_table("Sessions par département", sessions["dept"].map(
            lambda d: f"{d} — {departments.get(d, '')}" if d else "non précisé").value_counts().sort_index(),
            "Département")
        count_table("Offres par secteur", shown["Secteur"].value_counts(), "Secteur")

with tab_sources:
    st.dataframe(pd.DataFrame(referentials.sources()).rename(columns={
        "table": "Table", "source": "Fichiers sources", "producer": "Producteur", "date": "Date",
        "content": "Contenu"}), hide_index=True, width="stretch")
    st.caption(f"Catalogue chargé le {date.today():%d/%m/%Y}.")
    sources_link("Toutes les sources des données (producteur, année, licence, usage)")

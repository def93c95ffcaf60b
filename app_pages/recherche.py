"""Je cherche une formation: self-service search in plain French, usable at phone width.

A few questions, one column; results as cards (dates, places left, accessibility,
what it leads to), a map, and a printable summary to bring to the adviser.
"""

from __future__ import annotations

import streamlit as st

from app_pages._shared import (demo_banner, engine_or_stop, fail, hit_sessions, hit_value, md_escape, offer_card,
                               place_picker, place_value, sessions_map)
from assistant import sheet

st.title("Je cherche une formation")
st.markdown("Répondez à trois questions : nous vous montrons les formations proches de chez vous. "
            "Votre conseiller pourra ensuite vous aider à vous inscrire.")
engine = engine_or_stop()

wish = st.text_input("Quel métier aimeriez-vous faire ?", key="self_wish",
                     help="Écrivez avec vos mots, par exemple « m'occuper de personnes âgées » ou « cuisine ».")
place = place_picker("self_place", "Où habitez-vous ? (commune ou code postal)")
radius = st.select_slider("Jusqu'à quelle distance pouvez-vous aller ?", [10, 20, 30, 50, 80, 120], value=30,
                          format_func=lambda km: f"{km} km", key="self_radius")
part_time = st.checkbox("Je ne peux me former qu'à temps partiel", key="self_part_time")
accessible = st.checkbox("J'ai besoin d'un lieu accessible ou d'aménagements (handicap)", key="self_accessible")

if st.button("Chercher des formations", type="primary", key="self_search", icon=":material/search:"):
    if not wish.strip():
        st.warning("Écrivez d'abord le métier qui vous intéresse.", icon=":material/edit:")
    else:
        try:
            with st.spinner("Recherche en cours…"):
                jobs = engine.search_jobs(wish, k=3)
                romes = [hit_value(j, "rome") for j in jobs]
                commune = place
                filters = dict(commune=commune, radius_km=radius if commune else None,
                                part_time=part_time or None, accessible=accessible or None)
                hits = engine.search_offers(query=wish, romes=romes or None, k=20, **filters)
                if len(hits) < 5:  # few offers carry these job codes: complete with the free-text ranking
                    seen = {h.offer.id for h in hits}
                    hits += [h for h in engine.search_offers(query=wish, k=20, **filters) if h.offer.id not in seen]
            st.session_state["self_results"] = {"jobs": jobs, "hits": hits, "wish": wish.strip(),
                                                "place": place_value(place, "name") if place is not None else ""}
        except Exception as exc:
            st.session_state.pop("self_results", None)
            fail("La recherche n'a pas abouti. Réessayez avec d'autres mots ou une autre commune.", exc)

found = st.session_state.get("self_results")
if not found:
    st.stop()

st.header("Formations trouvées")
jobs = found["jobs"]
if jobs:
    st.markdown("Métiers proches de votre souhait : "
                + ", ".join(md_escape(hit_value(j, "label")) for j in jobs))
hits = found["hits"]
if not hits:
    st.info("Aucune formation trouvée. Essayez une distance plus grande ou d'autres mots.",
            icon=":material/search_off:")
    st.stop()
demo_banner(any(hit_value(h, "offer").provenance.demo for h in hits))

map_area = st.container()
st.subheader("Les formations")
cards, points = [], []
for n, hit in enumerate(hits):
    offer, sessions = hit_value(hit, "offer"), hit_sessions(hit)
    cards.append(offer_card(offer, sessions, key=f"self_card_{n}"))
    for session, _ in sessions[:1]:
        points.append({"lat": session.lat, "lon": session.lon})

with map_area:
    st.subheader("Sur la carte")
    sessions_map(points)

st.subheader("À imprimer pour mon conseiller")
pdf = sheet.offers_summary_pdf(found["wish"], found["place"], cards[:10],
                               demo=any(hit_value(h, "offer").provenance.demo for h in hits))
st.download_button("Télécharger ma recherche (PDF)", pdf, file_name="ma-recherche-formation.pdf",
                   mime="application/pdf", key="self_pdf", icon=":material/print:", on_click="ignore")

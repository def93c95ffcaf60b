"""Référent handicap: an RQTH-first view of the offer.

Shows what RQTH changes (age limits lifted, longer or part-time training, the
supports of Cap Emploi and Agefiph), then the offers filtered on their declared
accessibility. The facts quoted are those of the project's rule book
(docs: rules R-RQTH, R-RQTH-PREF, R-ALT), each with its rule id.
"""

from __future__ import annotations

import streamlit as st

from datetime import date

from app_pages._form import KEEP, Checks, int_field
from app_pages._shared import (demo_banner, engine_or_stop, fail, hit_sessions, hit_value, job_picker, level_label,
                               md_escape, offer_card, on_demand, place_picker, place_value, require)
from assistant import sheet
from assistant.parameters import param
from catalog.spreadsheet import csv_bytes

schemes = require("assistant.schemes", "le moteur de parcours")
TODAY = date.today()

st.title("Référent handicap")
st.markdown("Vue pensée pour les personnes ayant une **RQTH** (obtenue ou en cours) et leurs conseillers "
            "(Cap Emploi, Mission Locale, France Travail).")
engine = engine_or_stop()

RQTH_FACTS = {
    "Limites d'âge levées": [
        "**Apprentissage** : pas de limite d'âge supérieure ; contrat jusqu'à 4 ans, enseignement au CFA allongé "
        "d'un an, temps partiel possible sur proposition du médecin du travail (règles R-ALT, R-RQTH).",
        "**Prépa apprentissage** : pas de limite d'âge (règle R-ALT-PREP).",
        "**Contrat d'engagement jeune** : jusqu'à 29 ans au lieu de 25 (règle R-YOUTH-NEET).",
        "**Projet de transition professionnelle** : pas de condition d'ancienneté (règle R-SAL).",
    ],
    "Accompagnement et aides": [
        "**Cap Emploi** est l'organisme référent quand la personne souhaite un accompagnement spécialisé "
        "(règle R-DIAG).",
        "**Agefiph** : aides à la compensation du handicap en formation, financement complémentaire (règle R-RQTH) ; "
        "plafond des aides individuelles AIF / AIR doublé à 6 000 € selon une source ancienne, à confirmer avec "
        "le conseiller.",
        "Chaque CFA a un **référent handicap** (obligatoire depuis 2019) ; les organismes de formation en désignent "
        "un pour adapter le parcours.",
        "L'offre de **droit commun d'abord**, l'offre spécialisée (ESRP) ensuite (règle R-RQTH-PREF).",
    ],
}
with st.expander("Ce que la RQTH change (rappel des règles)", icon=":material/gavel:"):
    for column, (title, facts) in zip(st.columns(len(RQTH_FACTS)), RQTH_FACTS.items()):
        with column.container(border=True):
            st.markdown(f"**{title}**")
            st.markdown("\n".join(f"- {fact}" for fact in facts))

st.header("Formations adaptées près de chez la personne")
checks = Checks(shown_missing=bool(st.session_state.get("rqth_tried")))
with st.container(key="rqth_form"):
    c1, c2, c3 = st.columns([2, 2, 1])
    with c1:
        wish, romes = job_picker("rqth_job", "Métier visé (facultatif)")
    with c2:
        place = place_picker("rqth_place", "Commune de résidence")
    radius = c3.select_slider("Distance maximale", [10, 20, 30, 40, 60, 80, 120, 150], value=40,
                              format_func=lambda km: f"{km} km", key="rqth_radius", **KEEP)
    st.markdown("**La personne** (pour ne montrer que les formations où elle peut entrer)")
    c1, c2, c3, c4 = st.columns(4)
    age = int_field(c1, checks, "Âge", "rqth_age", param("age.min_profile", TODAY), param("age.max_profile", TODAY),
                    unit="ans", placeholder="ex. 45", help="Facultatif : sans âge, aucune formation n'est écartée "
                    "sur ce critère.")
    level = c2.selectbox("Niveau validé", [None, *range(0, 9)], format_func=lambda lv: "non précisé" if lv is None
                         else level_label(lv), key="rqth_level", **KEEP)
    status = c3.selectbox("Situation", list(schemes.Status), format_func=lambda m: m.label, key="rqth_status", **KEEP)
    project = c4.checkbox("Projet professionnel validé", key="rqth_project", **KEEP)
    st.markdown("**Adaptations attendues**")
    c1, c2, c3 = st.columns(3)
    need_referent = c1.checkbox("Référent handicap nommé", value=True, key="rqth_referent", **KEEP)
    need_premises = c1.checkbox("Locaux accessibles", key="rqth_premises", **KEEP)
    need_part_time = c2.checkbox("Temps partiel possible", key="rqth_part_time", **KEEP)
    need_extended = c2.checkbox("Durée allongée possible", key="rqth_extended", **KEEP)
    need_distance = c3.checkbox("Formation à distance possible", key="rqth_distance", **KEEP)
    need_exams = c3.checkbox("Aménagement des examens", key="rqth_exams", **KEEP)
    clicked = st.button("Afficher les formations adaptées", type="primary", key="rqth_search",
                        icon=":material/accessible:")

criteria = (wish.strip(), tuple(romes), st.session_state.get("rqth_place_text", ""), radius, age, level, status,
            project)
if clicked:
    st.session_state["rqth_tried"] = True
    st.session_state.pop("rqth_found", None)
    if not checks.ok:
        st.error("Corrigez d'abord l'âge indiqué.", icon=":material/edit_note:")
        st.stop()
    if st.session_state.get("rqth_place_text", "").strip() and place is None:
        st.warning("Choisissez d'abord la commune (introuvable ou plusieurs communes de ce nom).",
                   icon=":material/location_on:")
        st.stop()
    try:
        with st.spinner("Recherche en cours…"):
            hits = engine.search_offers(query=wish.strip() or None, romes=romes or None, commune=place,
                                        radius_km=radius if place is not None else None,
                                        part_time=need_part_time or None, accessible=need_premises or None, k=60)
        st.session_state["rqth_found"] = {"criteria": criteria, "hits": hits}
    except Exception as exc:
        fail("La recherche n'a pas abouti. Modifiez les critères puis relancez.", exc)

found = st.session_state.get("rqth_found")
if found is None:
    st.stop()
if found["criteria"] != criteria:
    st.info("Les critères ont changé : cliquez sur « Afficher les formations adaptées ».", icon=":material/update:")
    st.stop()
hits = found["hits"]


def fits(offer) -> bool:
    """Keep the offers whose declared accessibility meets every ticked adaptation."""
    acc = offer.accessibility
    checks_ = [(need_referent, acc.referent_handicap is not None), (need_premises, bool(acc.accessible_premises)),
               (need_part_time, acc.part_time_possible), (need_extended, acc.extended_duration_possible),
               (need_distance, acc.distance_learning_possible), (need_exams, acc.exam_arrangements)]
    return all(ok for wanted, ok in checks_ if wanted)


@st.cache_data(show_spinner=False, max_entries=64)
def scheme_status(age: int | None, level: int | None, status: str, project: bool) -> dict[str, tuple[str, str]]:
    """Scheme → (status, first reason) from the assistant's own eligibility rules for an RQTH profile."""
    if age is None or level is None:
        return {}
    from assistant.api import eligibility

    result = eligibility({"age": age, "commune": "non précisée", "wish": "non précisé", "rqth": True,
                          "level_validated": level, "status": status, "project_validated": project})
    return {e["scheme"]: (str(e["status"]), (e.get("reasons") or [{}])[0].get("text", ""))
            for e in result["eligibility"]}


def can_enter(offer, verdicts: dict) -> tuple[bool, str]:
    """(shown?, note): the scheme's eligibility, then the offer's own declared age and level limits."""
    verdict = verdicts.get(offer.kind.value)
    if verdict and verdict[0] == "not_eligible":
        return False, f"{offer.kind.label} : {verdict[1]}"
    # The scheme's rules already apply the age limits and what RQTH lifts (apprenticeship has none with
    # RQTH): an offer's own declared ages only count for offers outside the schemes.
    if verdict is None and age is not None and ((offer.publics.min_age and age < offer.publics.min_age)
                                                or (offer.publics.max_age and age > offer.publics.max_age)):
        return False, "Âge en dehors de celui que l'organisme indique pour l'entrée"
    pre = offer.prerequisites
    if level is not None and pre.min_level is not None and level < pre.min_level:
        return False, "Niveau validé inférieur au niveau demandé à l'entrée par l'organisme"
    if level is not None and pre.max_level is not None and level > pre.max_level:
        return False, "Niveau validé supérieur au niveau maximum de la formation"
    return True, "Possible sur dérogation" if verdict and verdict[0] == "derogation" else ""


verdicts = scheme_status(age, level, status.value, project)
kept, closed = [], []
for hit in hits:
    offer = hit_value(hit, "offer")
    if not fits(offer):
        continue
    ok, note = can_enter(offer, verdicts)
    (kept if ok else closed).append((hit, note))

results = st.container(key="rqth_results")
with results:
    st.subheader(f"{len(kept)} formation(s) correspondent aux adaptations demandées")
    if not verdicts:
        st.caption("Âge ou niveau non précisé : les formations ne sont pas filtrées selon ce que la personne peut "
                   "suivre.")
    if closed:
        with st.expander(f"{len(closed)} formation(s) écartée(s) : la personne ne peut pas y entrer"):
            from collections import Counter

            for note, count in Counter(note for _, note in closed).most_common():
                st.markdown(f"- {count} formation(s) — {md_escape(note)}")
    if not kept:
        st.info("Aucune formation ne déclare toutes ces adaptations. Décochez une adaptation ou élargissez la "
                "distance ; le référent handicap de l'organisme peut aussi étudier une adaptation au cas par cas.",
                icon=":material/search_off:")
        st.stop()
    demo_banner(any(hit_value(h, "offer").provenance.demo for h, _ in kept))
    cards = []
    export = st.container()
    for n, (hit, note) in enumerate(kept[:30]):
        cards.append(offer_card(hit_value(hit, "offer"), hit_sessions(hit), key=f"rqth_card_{n}", relation=note or None,
                                referent_first=True))
    with export:
        c1, c2 = st.columns(2)
        demo = any(hit_value(h, "offer").provenance.demo for h, _ in kept)
        place_name = place_value(place, "name") or ""
        c1.download_button("Exporter la sélection (PDF)",
                           on_demand(lambda: sheet.offers_summary_pdf(wish.strip(), place_name, cards, demo=demo),
                                     "La sélection"),
                           file_name="selection-referent-handicap.pdf", mime="application/pdf", key="rqth_pdf",
                           icon=":material/picture_as_pdf:", on_click="ignore")
        columns = ["title", "kind", "provider", "address", "commune", "distance_km", "start", "end", "places_left",
                   "referent", "contact", "accessibility", "leads_to"]
        header = ["intitule", "type", "organisme", "adresse", "commune", "distance_km", "debut", "fin",
                  "places_restantes", "referent_handicap", "contact", "accessibilite", "debouche"]
        c2.download_button("Exporter la sélection (CSV)",
                           csv_bytes(header, [[card.get(c) for c in columns] for card in cards]),
                           file_name="selection-referent-handicap.csv", mime="text/csv", key="rqth_csv",
                           icon=":material/table:", on_click="ignore")

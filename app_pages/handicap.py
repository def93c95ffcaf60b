"""Référent handicap: an RQTH-first view of the offer.

Shows what RQTH changes (age limits lifted, longer or part-time training, the
supports of Cap Emploi and Agefiph), then the offers filtered on their declared
accessibility. The facts quoted are those of the project's rule book
(docs: rules R-RQTH, R-RQTH-PREF, R-ALT), each with its rule id.
"""

from __future__ import annotations

import streamlit as st

from app_pages._shared import (demo_banner, engine_or_stop, fail, hit_sessions, hit_value, job_picker, offer_card,
                               place_picker)

st.title("Référent handicap")
st.markdown("Vue pensée pour les personnes ayant une **RQTH** (obtenue ou en cours) et leurs conseillers "
            "(Cap Emploi, Mission Locale, France Travail).")
engine = engine_or_stop()

st.header("Ce que la RQTH change")
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
for column, (title, facts) in zip(st.columns(len(RQTH_FACTS)), RQTH_FACTS.items()):
    with column.container(border=True):
        st.subheader(title, divider=False)
        st.markdown("\n".join(f"- {fact}" for fact in facts))

st.header("Formations adaptées près de chez la personne")
wish, romes = job_picker("rqth_job", "Métier visé (facultatif)")
place = place_picker("rqth_place", "Commune de résidence")
radius = st.slider("Distance maximale (km)", 5, 150, 40, step=5, key="rqth_radius")
st.markdown("**Adaptations attendues**")
c1, c2, c3 = st.columns(3)
need_referent = c1.checkbox("Référent handicap nommé", value=True, key="rqth_referent")
need_premises = c1.checkbox("Locaux accessibles", key="rqth_premises")
need_part_time = c2.checkbox("Temps partiel possible", key="rqth_part_time")
need_extended = c2.checkbox("Durée allongée possible", key="rqth_extended")
need_distance = c3.checkbox("Formation à distance possible", key="rqth_distance")
need_exams = c3.checkbox("Aménagement des examens", key="rqth_exams")

if st.button("Afficher les formations adaptées", type="primary", key="rqth_search", icon=":material/accessible:"):
    commune = place
    try:
        with st.spinner("Recherche en cours…"):
            hits = engine.search_offers(query=wish.strip() or None, romes=romes or None, commune=commune,
                                        radius_km=radius if commune else None, part_time=need_part_time or None,
                                        accessible=need_premises or None, k=60)
        st.session_state["rqth_hits"] = hits
    except Exception as exc:
        st.session_state.pop("rqth_hits", None)
        fail("La recherche n'a pas abouti. Modifiez les critères puis relancez.", exc)

hits = st.session_state.get("rqth_hits")
if hits is None:
    st.stop()


def fits(offer) -> bool:
    """Keep the offers whose declared accessibility meets every ticked adaptation."""
    acc = offer.accessibility
    checks = [(need_referent, acc.referent_handicap is not None), (need_premises, bool(acc.accessible_premises)),
              (need_part_time, acc.part_time_possible), (need_extended, acc.extended_duration_possible),
              (need_distance, acc.distance_learning_possible), (need_exams, acc.exam_arrangements)]
    return all(ok for wanted, ok in checks if wanted)


kept = [h for h in hits if fits(hit_value(h, "offer"))]
st.subheader(f"{len(kept)} formation(s) correspondent aux adaptations demandées")
if not kept:
    st.info("Aucune formation ne déclare toutes ces adaptations. Décochez une adaptation ou élargissez la distance ; "
            "le référent handicap de l'organisme peut aussi étudier une adaptation au cas par cas.",
            icon=":material/search_off:")
    st.stop()
demo_banner(any(hit_value(h, "offer").provenance.demo for h in kept))
for n, hit in enumerate(kept[:30]):
    offer_card(hit_value(hit, "offer"), hit_sessions(hit), key=f"rqth_card_{n}")

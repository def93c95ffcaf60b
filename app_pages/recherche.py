"""Je cherche une formation: self-service search in plain French, usable at phone width.

Honest results: only trainings for the job the person asked for (confirmed with
them when the words are vague: "Vous cherchez : … ?"), plus trainings for close
jobs, each labelled as such; never unrelated offers to fill the page. An unknown
commune is asked again instead of searching the whole region; when nothing is
within the distance chosen, the page says so and shows the nearest sessions
with their distance. Full sessions are hidden (and counted). Phone numbers and
e-mails are links; the results print without the form; a PDF and an e-mail
ready text are offered at the top of the results (nothing is stored).
"""

from __future__ import annotations

import secrets
import zlib
from urllib.parse import quote

import streamlit as st

from app_pages._shared import (EXAMPLE_JOBS, demo_banner, engine_or_stop, fail, hit_sessions, hit_value, md_escape,
                               offer_card, on_demand, place_picker, place_value, scroll_to, sessions_map,
                               understand_wish)
from assistant import sheet

KEEP = {"persist_state": "session"}
NONE_OF_THESE = "__aucun__"
CLOSE_JOBS = 4  # close jobs (ROME "proche" links) searched besides the wished one
NEAREST = 5

st.title("Je cherche une formation")
st.markdown("Répondez à quelques questions : nous vous montrons les formations proches de chez vous pour le métier "
            "qui vous intéresse. Votre conseiller pourra ensuite vous aider à vous inscrire.")
engine = engine_or_stop()

with st.container(key="self_form"):
    wish = st.text_input("Quel métier aimeriez-vous faire ?", max_chars=200, key="self_wish", **KEEP,
                         help="Écrivez avec vos mots, par exemple « m'occuper de personnes âgées » ou « cuisine ».")
    place = place_picker("self_place", "Où habitez-vous ? (commune ou code postal)")
    radius = st.select_slider("Jusqu'à quelle distance pouvez-vous aller ?", [10, 20, 30, 50, 80, 120], value=30,
                              format_func=lambda km: f"{km} km", key="self_radius", **KEEP)
    part_time = st.checkbox("Je ne peux me former qu'à temps partiel", key="self_part_time", **KEEP)
    accessible = st.checkbox("J'ai besoin d'un lieu accessible ou d'aménagements (handicap)", key="self_accessible",
                             **KEEP)
    clicked = st.button("Chercher des formations", type="primary", key="self_search", icon=":material/search:")

answers = (wish.strip(), st.session_state.get("self_place_text", "").strip(), radius, part_time, accessible)

if clicked:
    st.session_state.pop("self_results", None)
    st.session_state.pop("self_question", None)
    if not wish.strip():
        st.warning("Écrivez d'abord le métier qui vous intéresse.", icon=":material/edit:")
    elif place is None:
        st.warning("Indiquez votre commune ou votre code postal (et choisissez-la si plusieurs portent ce nom) : "
                   "nous cherchons les formations autour de chez vous.", icon=":material/location_on:")
    else:
        try:
            understood = understand_wish(wish.strip(), k=3)
        except Exception as exc:
            understood = None
            fail("La recherche n'a pas abouti. Réessayez avec d'autres mots.", exc)
        if understood is not None:
            st.session_state["self_question"] = {"answers": answers, "understood": understood,
                                                 "n": secrets.token_hex(4)}

question = st.session_state.get("self_question")
if question and question["answers"] != answers:  # the answers changed since the search: never mix them
    st.session_state.pop("self_question", None)
    st.session_state.pop("self_results", None)
    question = None
    st.info("Vos réponses ont changé : cliquez sur « Chercher des formations ».", icon=":material/update:")
if not question:
    st.stop()

understood = question["understood"]
candidates = [(rome, label) for rome, label, _ in understood["candidates"]][:3]
if understood["status"] == "not_understood" or not candidates:
    st.warning(f"Nous n'avons pas compris « {md_escape(wish.strip())} » : essayez un métier, par exemple "
               f"{EXAMPLE_JOBS}.", icon=":material/help:")
    st.stop()

if understood["status"] == "ok":
    rome, job_label = candidates[0]
else:  # vague or several possible jobs: the person chooses, nothing is guessed
    labels = dict(candidates)
    scroll_to("self_question_box", question.get("n", ""))
    pick = st.container(key="self_question_box").radio(
                    f"Vous cherchez : {md_escape(candidates[0][1])} ?", [*labels, NONE_OF_THESE], index=None,
                    format_func=lambda r: "Aucun de ces métiers" if r == NONE_OF_THESE else labels[r],
                    key=f"self_pick_{zlib.crc32(wish.strip().lower().encode())}",
                    help="Votre souhait peut correspondre à plusieurs métiers : choisissez le plus proche.")
    if pick is None:
        st.stop()
    if pick == NONE_OF_THESE:
        st.warning(f"Essayez avec un autre nom de métier, par exemple {EXAMPLE_JOBS}.", icon=":material/edit:")
        st.stop()
    rome, job_label = pick, labels[pick]


def visible(hits: list) -> tuple[list, int]:
    """Hits with their full sessions removed (an offer with only full sessions is dropped and counted)."""
    kept, full = [], 0
    for hit in hits:
        sessions = [(s, d) for s, d in hit_sessions(hit) if not s.is_full]
        if sessions:
            kept.append((hit_value(hit, "offer"), sessions))
        else:
            full += 1
    return kept, full


found = st.session_state.get("self_results")
if not found or found["rome"] != rome:
    from catalog.referentials import mobility_links, rome_label

    try:
        with st.spinner("Recherche en cours…"):
            filters = dict(commune=place, part_time=part_time or None, accessible=accessible or None)
            target, full = visible(engine.search_offers(query=wish.strip(), romes=[rome], radius_km=radius, k=20,
                                                        **filters))
            close_codes = [link.target for link in mobility_links(rome, ("proche",))][:CLOSE_JOBS]
            close, full_close = [], 0
            if close_codes:
                seen = {offer.id for offer, _ in target}
                hits, full_close = visible(engine.search_offers(query=wish.strip(), romes=close_codes,
                                                                radius_km=radius, k=10, **filters))
                for offer, sessions in hits:
                    if offer.id not in seen:
                        code = next((c for c in close_codes if c in offer.rome_codes), close_codes[0])
                        close.append((offer, sessions, f"Métier proche de votre souhait : {rome_label(code) or code}"))
            nearest = []
            if not target:  # nothing within the distance: the nearest sessions, with their distance
                nearest, _ = visible(engine.search_offers(romes=[rome], radius_km=None, k=NEAREST, **filters))
        found = {"rome": rome, "label": job_label, "target": target, "close": close, "nearest": nearest,
                 "full": full + full_close, "place": place_value(place, "name") or "", "n": secrets.token_hex(4)}
        st.session_state["self_results"] = found
    except Exception as exc:
        st.session_state.pop("self_results", None)
        fail("La recherche n'a pas abouti. Réessayez avec d'autres mots ou une autre commune.", exc)
        st.stop()

# --------------------------------------------------------------------------- results
results = st.container(key="self_results_box")
scroll_to("self_results_box", found["n"])
with results:
    st.header("Formations trouvées")
    st.markdown(md_escape(f"Métier recherché : {found['label']} — autour de {found['place']}, jusqu'à {radius} km."))
    shown = [(offer, sessions, None) for offer, sessions in found["target"]] + found["close"]
    shown_nearest = [(offer, sessions, None) for offer, sessions in found["nearest"]]
    every = shown + shown_nearest
    demo = any(offer.provenance.demo for offer, _, _ in every)

    cards_for_print = []
    with st.container():  # cards are drawn below; their printable summaries feed the actions at the top
        actions = st.container(key="self_actions")
        demo_banner(demo)
        if found["full"]:
            st.caption(f"{found['full']} formation(s) complète(s) non affichée(s).")
        if not found["target"]:
            st.info(md_escape(f"Aucune formation « {found['label']} » ouverte à moins de {radius} km de "
                              f"{found['place']}."), icon=":material/search_off:")
            if shown_nearest:
                st.subheader("Les plus proches, plus loin")
                for n, (offer, sessions, _) in enumerate(shown_nearest):
                    cards_for_print.append(offer_card(offer, sessions, key=f"self_near_{n}"))
            else:
                st.markdown("Aucune session ouverte pour ce métier dans le catalogue actuel : parlez-en à votre "
                            "conseiller, d'autres chemins existent (apprentissage, emploi avec formation).")
        else:
            st.subheader(f"{len(found['target'])} formation(s) pour ce métier")
            for n, (offer, sessions) in enumerate(found["target"]):
                cards_for_print.append(offer_card(offer, sessions, key=f"self_card_{n}"))
        if found["close"]:
            st.subheader("Pour des métiers proches")
            for n, (offer, sessions, relation) in enumerate(found["close"]):
                cards_for_print.append(offer_card(offer, sessions, key=f"self_close_{n}", relation=relation))
        points = [{"lat": s.lat, "lon": s.lon} for _, sessions, _ in every for s, _ in sessions[:1]]
        if points:
            st.subheader("Sur la carte")
            sessions_map(points)

    with actions:
        st.markdown("**À garder ou à envoyer à mon conseiller**")
        title = f"{wish.strip()} ({found['label']})"
        pdf = on_demand(lambda: sheet.offers_summary_pdf(title, found["place"], cards_for_print[:10], demo=demo),
                        "La liste")
        lines = [f"Ma recherche de formation : {wish.strip()} ({found['label']}), autour de {found['place']}."]
        for card in cards_for_print[:8]:
            lines.append(f"- {card['title']} : du {sheet.fr_date(card['start'])} au {sheet.fr_date(card['end'])}, "
                         f"{card['commune'] or 'lieu à confirmer'}")
        body = "\n".join(lines)
        c1, c2 = st.columns(2)
        c1.download_button("Télécharger ma recherche (PDF)", pdf, file_name="ma-recherche-formation.pdf",
                           mime="application/pdf", key="self_pdf", icon=":material/print:", on_click="ignore")
        c2.link_button("Envoyer à mon conseiller (courriel)",
                       f"mailto:?subject={quote('Ma recherche de formation')}&body={quote(body)}",
                       icon=":material/mail:")
        with st.expander("Texte à copier dans un message"):
            st.text_area("Texte de ma recherche (à copier)", body, height=160, key=f"self_text_{found['n']}")
        st.caption("Pour imprimer cette page, utilisez « Imprimer » dans le menu du navigateur : seuls les résultats "
                   "sont imprimés.")

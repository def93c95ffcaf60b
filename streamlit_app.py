"""Itinéraire: Streamlit entry point (navigation only; each page lives in app_pages/).

The navigation is a flat list: with sections, Streamlit 1.67 renders the section
headers inside the <ul> (invalid list markup that screen readers announce badly,
flagged "serious" by axe-core).

Administration is separated from the public pages: the Importer (the only page
that writes the working catalogue) exists only when an administrator secret is
configured (ITINERAIRE_ADMIN_PASSWORD in the environment or in Streamlit
secrets); it is then reachable by its address only (never listed in the menu)
and asks for the secret. Without a secret there is no Importer page at all; the
CLI (`python -m catalog import`) still imports.

Phones land on "Je cherche une formation": `?page=recherche` (a link or QR code
to give jobseekers) opens it, and so does a mobile browser arriving on the
default page.
"""

import streamlit as st

from app_pages._admin import admin_secret
from app_pages._shared import french_document, warm_up

st.set_page_config(page_title="Itinéraire — parcours de formation", page_icon=":material/route:", layout="wide")
french_document()

conseiller = st.Page("app_pages/conseiller.py", title="Rendez-vous conseiller", icon=":material/support_agent:",
                     default=True)
recherche = st.Page("app_pages/recherche.py", title="Je cherche une formation", icon=":material/search:")
pages = [
    conseiller,
    recherche,
    st.Page("app_pages/handicap.py", title="Référent handicap", icon=":material/accessible:"),
    st.Page("app_pages/catalogue.py", title="Catalogue", icon=":material/menu_book:"),
    st.Page("app_pages/pilotage.py", title="Pilotage de l'offre", icon=":material/insights:"),
    # Reached from the Catalogue and Pilotage pages (a menu link more would lengthen every keyboard path).
    st.Page("app_pages/sources.py", title="Sources", icon=":material/dataset:", visibility="hidden"),
]
if admin_secret():
    pages.append(st.Page("app_pages/importer.py", title="Importer (administration)", icon=":material/upload_file:",
                         visibility="hidden"))
ENTRIES = {"recherche": recherche, "formation": recherche, "conseiller": conseiller}

try:
    current = st.navigation(pages)
    wanted = str(st.query_params.get("page", "")).strip().lower()
    if wanted in ENTRIES and ENTRIES[wanted] is not current:
        st.query_params.pop("page", None)
        st.switch_page(ENTRIES[wanted])
    if current is conseiller and not st.session_state.get("entry_done"):
        st.session_state["entry_done"] = True
        agent = (st.context.headers.get("User-Agent") or "") if st.context.headers else ""
        if "Mobi" in agent or "Android" in agent:  # phones: the jobseeker's entry, not the adviser's form
            st.switch_page(recherche)
    st.session_state["entry_done"] = True
    current.run()
finally:  # after the first page is drawn (pages may end with st.stop()), so it does not slow it down
    warm_up()

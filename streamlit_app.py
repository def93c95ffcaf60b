"""Itinéraire: Streamlit entry point (navigation only; each page lives in app_pages/).

The navigation is a flat list: with sections, Streamlit 1.67 renders the section
headers inside the <ul> (invalid list markup that screen readers announce badly,
flagged "serious" by axe-core).
"""

import streamlit as st

from app_pages._shared import warm_up

st.set_page_config(page_title="Itinéraire — parcours de formation", page_icon=":material/route:", layout="wide")

pages = [
    st.Page("app_pages/conseiller.py", title="Rendez-vous conseiller", icon=":material/support_agent:", default=True),
    st.Page("app_pages/recherche.py", title="Je cherche une formation", icon=":material/search:"),
    st.Page("app_pages/handicap.py", title="Référent handicap", icon=":material/accessible:"),
    st.Page("app_pages/catalogue.py", title="Catalogue", icon=":material/menu_book:"),
    st.Page("app_pages/importer.py", title="Importer", icon=":material/upload_file:"),
    st.Page("app_pages/pilotage.py", title="Pilotage de l'offre", icon=":material/insights:"),
    st.Page("app_pages/sources.py", title="Sources", icon=":material/dataset:"),
]
try:
    st.navigation(pages).run()
finally:  # after the first page is drawn (pages may end with st.stop()), so it does not slow it down
    warm_up()

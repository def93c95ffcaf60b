"""The administrator secret that opens the Importer (the only page writing the working catalogue).

The secret comes from the environment (ITINERAIRE_ADMIN_PASSWORD) or from Streamlit
secrets (.streamlit/secrets.toml, git-ignored). No secret: no Importer page at all.
The comparison is constant-time and the secret is never shown or logged.
"""

from __future__ import annotations

import hmac
import os

import streamlit as st

ENV = "ITINERAIRE_ADMIN_PASSWORD"


def admin_secret() -> str:
    secret = os.environ.get(ENV, "")
    if not secret:
        try:
            secret = str(st.secrets.get(ENV, "") or "")
        except Exception:  # no secrets.toml: st.secrets raises on access
            secret = ""
    return secret.strip()


def require_admin() -> None:
    """Stop the page unless this session has given the administrator secret."""
    secret = admin_secret()
    if not secret:
        st.error("Page réservée à l'administration : aucun secret administrateur n'est configuré sur ce serveur. "
                 "Utilisez l'import en ligne de commande (python -m catalog import).", icon=":material/lock:")
        st.stop()
    if st.session_state.get("admin_ok"):
        return
    st.title("Administration")
    typed = st.text_input("Mot de passe administrateur", type="password", max_chars=200, key="admin_password")
    if typed:
        if hmac.compare_digest(typed.strip().encode(), secret.encode()):
            st.session_state["admin_ok"] = True
            st.session_state.pop("admin_password", None)
            st.rerun()
        st.error("Mot de passe incorrect.", icon=":material/lock:")
    st.stop()

"""Helpers shared by the pages: safe text rendering, cached loaders, common widgets.

Pages are UI only: every decision comes from `catalog`, `indexes` or `assistant`.
This module keeps the three things every page needs in one place:
- catalogue and user text is data, so it goes through `md_escape()` before any
  Markdown rendering (Streamlit renders Markdown and its own directives such as
  `:red[...]`, never raw HTML here: `unsafe_allow_html` is not used anywhere);
- the catalogue, the search engine and the models are loaded once per process
  (`st.cache_resource`) and reloaded only after an import;
- a part of the project that is not importable yet shows a French message
  instead of a traceback.
"""

from __future__ import annotations

import importlib
import re
import threading
from typing import Any

import streamlit as st

# Every ASCII punctuation character may be backslash-escaped in CommonMark and
# renders as itself; escaping them all neutralises links, emphasis, headings,
# lists, tables, HTML tags, LaTeX ($) and Streamlit directives (:color[...], :icon:).
_MD_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&\"'^%@/])")


# Streamlit's Markdown (GFM) turns URLs, "www." names and e-mail addresses into links *after* parsing,
# whatever the escaping; an invisible WORD JOINER (U+2060) inside them stops it and displays nothing.
_AUTOLINKS = re.compile(r"(?i)\b(https?|ftp|www)(?=[:.])|(?=@)")


def md_escape(text: Any) -> str:
    """Text that Markdown renders literally (catalogue and user text are data, never markup or links)."""
    if text is None:
        return ""
    text = _AUTOLINKS.sub(lambda m: (m.group(1) or "") + "\u2060", str(text))
    text = _MD_SPECIALS.sub(r"\\\1", text)
    # Line starts that could still open a block (indented code) are flattened.
    return re.sub(r"\n[ \t]+", "\n", text).replace("\n", "  \n")


def require(module: str, what: str):
    """Import a project module, or tell the user that this part is still being deployed and stop the page."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        st.info(f"Module en cours de déploiement : {what} n'est pas encore disponible ({exc.name or module}). "
                "Réessayez dans quelques minutes.", icon=":material/construction:")
        st.stop()


_PATHS = re.compile(r"(?:[A-Za-z]:)?(?:[\\/][\w.~@+-]+){2,}")


def technical_detail(exc: BaseException) -> str:
    """The exception's type and message with server paths reduced to file names (messages reach browsers)."""
    text = str(exc)
    if isinstance(exc, OSError):  # its text is English and holds the path: say the French reason only
        text = importlib.import_module("catalog.messages").os_error_reason(exc)
    text = _PATHS.sub(lambda m: re.split(r"[\\/]", m.group(0))[-1], text)
    return f"{type(exc).__name__}: {text}"


def fail(message: str, exc: BaseException | None = None) -> None:
    """A French error saying what to do; the technical detail stays in an expander (no personal data)."""
    st.error(md_escape(message), icon=":material/error:")
    if exc is not None:
        with st.expander("Détail technique"):
            st.text(technical_detail(exc))


# --------------------------------------------------------------------------- cached resources


@st.cache_resource(show_spinner="Chargement du catalogue…", max_entries=1)
def _catalogue_at(version: str):
    """The catalogue file as it is at `version`; a new version (any write, by the app or the CLI) reloads it."""
    store = require("catalog.store", "le catalogue")
    store.cleanup_leftovers()  # temporary files of a killed save (only when no writer is at work)
    return store.load_catalogue()


def catalogue():
    """The working catalogue (imported offers, or the shipped demonstration catalogue), as on disk now."""
    return _catalogue_at(require("catalog.store", "le catalogue").catalogue_version())


@st.cache_resource(show_spinner="Chargement du moteur de recherche…")
def search_engine():
    """The search engine over the persisted indexes (built once with `python -m indexes build`)."""
    return require("indexes.search", "la recherche").get_search_engine()


_warm_lock = threading.Lock()
_warm_started = False


def warm_up() -> None:
    """Load the search engine in a background thread at start-up.

    The first page renders at once; the language model and the indexes load
    while the adviser fills in the form, so the first search does not wait.
    The engine is process-wide and thread-safe (`indexes.search`).
    """
    global _warm_started
    with _warm_lock:
        if _warm_started:
            return
        _warm_started = True

    def load():
        try:
            engine = importlib.import_module("indexes.search").get_search_engine()
            importlib.import_module("catalog.referentials").load_all()
            importlib.import_module("assistant.catview").view_for(engine.catalogue)  # the planner's offer view
        except Exception:  # reported to the user by the page that needs the engine
            pass

    threading.Thread(target=load, name="itineraire-warm-up", daemon=True).start()


def reload_after_import() -> None:
    """Forget the cached catalogue, engine and data after a successful import."""
    _catalogue_at.clear()
    search_engine.clear()
    st.cache_data.clear()
    try:
        module = importlib.import_module("indexes.search")
        reset = getattr(module, "reset_search_engine", None) or getattr(module, "clear_cache", None)
        if reset:
            reset()
    except ImportError:
        pass


def engine_or_stop():
    """The search engine, or a French message saying how to build the indexes."""
    try:
        return search_engine()
    except Exception as exc:  # missing or stale index files, model not installed...
        if type(exc).__name__ == "CatalogueError":  # the catalogue itself is damaged: an index build cannot help
            fail("Le catalogue des offres est endommagé : la recherche est indisponible. Un administrateur peut "
                 "restaurer la version précédente (page Importer, « Restaurer », ou « python -m catalog restore »).",
                 exc)
        else:
            fail("Le moteur de recherche n'a pas pu démarrer. Construisez les index avec "
                 "« python -m indexes build --if-missing » puis rechargez la page.", exc)
        st.stop()


def catalogue_or_stop():
    try:
        return catalogue()
    except Exception as exc:
        fail("Le catalogue n'a pas pu être chargé. Un administrateur peut restaurer la version précédente "
             "(page Importer, « Restaurer », ou « python -m catalog restore »).", exc)
        st.stop()


def demo_banner(is_demo: bool) -> None:
    if is_demo:
        st.warning("Données de démonstration : les sessions, lieux et contacts affichés sont fictifs.",
                   icon=":material/science:")


# --------------------------------------------------------------------------- common widgets


def place_picker(key: str, label: str = "Commune", default: str = "") -> Any:
    """Free-text commune with homonyms offered; returns the chosen place (or None).

    The place object is whatever `resolve_place` returns; it is passed back to the
    search engine untouched.
    """
    text = st.text_input(label, value=default, key=f"{key}_text",
                         help="Nom de la commune ou code postal, par exemple « Ussel » ou « 19200 ».")
    if not text.strip():
        return None
    try:
        result = resolve_place(text)
    except Exception as exc:
        fail("La commune n'a pas pu être recherchée.", exc)
        return None
    if not getattr(result, "found", False):
        st.warning(md_escape(getattr(result, "message", "") or f"Commune introuvable : « {text} »."),
                   icon=":material/location_off:")
        return None
    if getattr(result, "ambiguous", False):
        options = [result.best, *result.alternatives]
        return st.selectbox("Plusieurs communes correspondent, laquelle ?", options, format_func=place_label,
                            key=f"{key}_choice")
    st.caption(f"Commune retenue : {md_escape(result.message)}")
    return result.best


def resolve_place(text: str):
    """Place resolution needs no index nor model: it never waits for the search engine."""
    return require("indexes.places", "la recherche de communes").resolve_place(text)


def place_label(place: Any) -> str:
    get = place.get if isinstance(place, dict) else lambda k, d=None: getattr(place, k, d)
    name = get("name") or get("nom") or get("label") or str(place)
    postcodes = get("postcodes") or ()
    extra = ", ".join(p for p in (postcodes[0] if postcodes else None, get("dept_name")) if p)
    return f"{name} ({extra})" if extra else str(name)


def place_value(place: Any, *keys: str) -> Any:
    """First attribute or key of a place among `keys` (places may be dicts or objects)."""
    for key in keys:
        value = place.get(key) if isinstance(place, dict) else getattr(place, key, None)
        if value not in (None, ""):
            return value
    return None


def job_picker(key: str, label: str, default: str = "", k: int = 8) -> tuple[str, list[str]]:
    """Job wish in the person's own words plus the matching ROME codes to tick."""
    wish = st.text_input(label, value=default, key=f"{key}_wish",
                         help="En quelques mots, par exemple « aide à domicile » ou « travailler avec des enfants ».")
    romes: list[str] = []
    if wish.strip():
        try:
            hits = search_engine().search_jobs(wish, k=k)
        except Exception as exc:
            fail("Les métiers n'ont pas pu être proposés.", exc)
            hits = []
        options = {hit_value(h, "rome"): f"{hit_value(h, 'rome')} — {hit_value(h, 'label')}" for h in hits}
        if options:
            romes = st.multiselect("Métiers correspondants (codes ROME)", list(options),
                                   default=list(options)[:1], format_func=options.get, key=f"{key}_romes",
                                   placeholder="Choisir un ou plusieurs métiers",
                                   help="Cochez un ou plusieurs métiers proches du souhait exprimé.")
        else:
            st.caption("Aucun métier reconnu pour ce souhait : reformulez avec d'autres mots.")
    return wish, romes


def hit_value(hit: Any, key: str, default: Any = None) -> Any:
    """Field of a search hit, whether hits are dicts or objects."""
    if isinstance(hit, dict):
        return hit.get(key, default)
    return getattr(hit, key, default)


# Symbols from common text fonts (not colour emoji, which many systems cannot draw): the words carry the meaning.
_STATUS_BADGES = {"eligible": "✓ Éligible", "derogation": "⚠ Sur dérogation", "not_eligible": "✗ Non éligible"}


def status_badge(status: Any) -> str:
    """Eligibility status (assistant.schemes.EligibilityStatus) as icon + words: colour is never the only signal."""
    value = str(getattr(status, "value", status) or "")
    return _STATUS_BADGES.get(value, f"? {value or 'à vérifier'}")


def text_table(rows: list[dict], caption: str | None = None) -> None:
    """A small real HTML table (read cell by cell by screen readers); cells are escaped text."""
    import pandas as pd

    frame = pd.DataFrame([{k: md_escape(v) for k, v in row.items()} for row in rows])
    st.table(frame, hide_index=True, alt=caption)


def level_label(level: int | None) -> str:
    """French label of a national certification level (0 = sans qualification)."""
    from catalog.levels import level_label as label

    return label(level)


def timeline_chart(pathway: dict) -> None:
    """The steps as horizontal bars on a calendar; each bar is named on the axis (colour is only a cue)."""
    import altair as alt
    import pandas as pd

    from assistant import sheet

    rows = []
    for n, step in enumerate(pathway.get("steps") or [], 1):
        start, end = sheet.parse_date(step.get("start")), sheet.parse_date(step.get("end"))
        if start:
            rows.append({"Étape": f"{n}. {step.get('kind_label') or sheet.step_kind_label(step.get('kind'))}",
                         "Début": pd.Timestamp(start), "Fin": pd.Timestamp(max(end or start, start)) + pd.Timedelta(days=1),
                         "Type": step.get("kind_label") or sheet.step_kind_label(step.get("kind"))})
    if not rows:
        return
    chart = alt.Chart(pd.DataFrame(rows)).mark_bar(cornerRadius=3).encode(
        x=alt.X("Début:T", title=None, axis=alt.Axis(format="%m/%Y")), x2="Fin:T",
        y=alt.Y("Étape:N", sort=None, title=None),
        color=alt.Color("Type:N", legend=None, scale=alt.Scale(scheme="darkmulti")),
        tooltip=[alt.Tooltip("Étape:N"), alt.Tooltip("Début:T", format="%d/%m/%Y"), alt.Tooltip("Fin:T", format="%d/%m/%Y")],
    ).properties(height=32 * len(rows) + 30, title="Calendrier du parcours")
    st.altair_chart(chart, width="stretch")


def render_pathway_steps(pathway: dict) -> None:
    """A pathway as a vertical timeline: dates, place, rhythm, the why (rule + source), aids, next steps."""
    from assistant import sheet

    timeline_chart(pathway)
    for n, step in enumerate(pathway.get("steps") or [], 1):
        with st.container(border=True):
            st.markdown(f"**Étape {n} — {md_escape(sheet.step_heading(step))}**")
            facts = [f"du {sheet.fr_date(step.get('start'))} au {sheet.fr_date(step.get('end'))}"]
            if sheet.step_place(step):
                facts.append(sheet.step_place(step))
            if step.get("hours_per_week"):
                facts.append(f"{step['hours_per_week']} h par semaine")
            if step.get("places_left") is not None:
                facts.append(f"{step['places_left']} place(s) restante(s)")
            st.markdown(" · ".join(md_escape(f) for f in facts))
            if step.get("provider"):
                st.markdown(f"Organisme : {md_escape(sheet.label(step['provider']))}")
            if step.get("info_session"):
                st.markdown(f"Réunion d'information : {sheet.fr_date(step['info_session'])}")
            if step.get("contact"):
                st.markdown(f"Contact : {md_escape(sheet.label(step['contact']))}")
            for why in step.get("why") or []:
                rule = why.get("rule", "") if isinstance(why, dict) else ""
                text = why.get("text", "") if isinstance(why, dict) else why
                source = why.get("source", "") if isinstance(why, dict) else ""
                st.markdown(f"- Pourquoi ({md_escape(rule)}) : {md_escape(text)}"
                            + (f" — source : {md_escape(source)}" if source else ""))
            for prefix, key in (("En complément", "add_ons"), ("Aide", "support"), ("À faire", "next_actions")):
                for item in sheet.labels(step.get(key)):
                    st.markdown(f"- {prefix} : {md_escape(item)}")
    income = pathway.get("income") or {}
    if income:
        amount = income.get("monthly_eur")
        text = f"environ {amount:.0f} € par mois" if isinstance(amount, (int, float)) else "à vérifier"
        st.markdown(f"**Revenu pendant la formation :** {text} — {md_escape(sheet.label(income.get('basis')))}")
    for warning in sheet.labels(pathway.get("warnings")):
        st.warning(md_escape(warning), icon=":material/warning:")


# --------------------------------------------------------------------------- offers


def hit_sessions(hit: Any) -> list[tuple[Any, float | None]]:
    """(session, distance in km) pairs of an offer search hit, in the engine's order (nearest, then soonest)."""
    return [(item.session, item.distance_km) for item in hit.sessions]


def accessibility_summary(offer: Any) -> str:
    acc = offer.accessibility
    parts = []
    if acc.referent_handicap:
        parts.append("référent handicap" + (f" : {acc.referent_handicap.name}" if acc.referent_handicap.name else ""))
    if acc.accessible_premises:
        parts.append("locaux accessibles")
    if acc.part_time_possible:
        parts.append("temps partiel possible")
    if acc.extended_duration_possible:
        parts.append("durée allongée possible")
    if acc.distance_learning_possible:
        parts.append("formation à distance possible")
    if acc.exam_arrangements:
        parts.append("aménagement des examens")
    return ", ".join(parts) or "non précisée"


def leads_to(offer: Any) -> str:
    """What the offer leads to: certification and level, with outcome rates and their sample sizes."""
    cert = offer.certification
    text = cert.title or ""
    if cert.level:
        text += f" (niveau {cert.level})"
    if cert.rncp:
        text += f" — {cert.rncp}"
    for outcome in offer.outcomes:
        kind = "en emploi à 6 mois" if outcome.kind == "emploi_6_mois" else "certifiés"
        text += f" ; {outcome.rate:.0%} {kind} (sur {outcome.sample_size} personnes, {outcome.year})"
    return text.strip(" ;") or "pas de certification (étape de préparation)"


def offer_card(offer: Any, sessions: list[tuple[Any, float | None]], key: str) -> dict:
    """One offer as a bordered card; returns the printable summary of its first session."""
    from assistant import sheet

    session, distance = sessions[0] if sessions else (None, None)
    with st.container(border=True):
        st.markdown(f"**{md_escape(offer.title)}**")
        st.caption(md_escape(f"{offer.kind.label} — {offer.provider.name or 'organisme non précisé'}"))
        if offer.provenance.demo:
            st.caption("Données de démonstration")
        if session is not None:
            where = session.commune_name or "lieu à confirmer"
            if distance is not None:
                where += f" ({sheet.distance_text(distance, session.commune_insee)})"
            places = ("complet" if session.is_full else f"{session.places_left} place(s) restante(s)"
                      if session.places_left is not None else "places : à demander")
            st.markdown(md_escape(f"Du {sheet.fr_date(session.start)} au {sheet.fr_date(session.end)} · {where} · "
                                  f"{places}"))
            if len(sessions) > 1:
                st.caption(f"{len(sessions) - 1} autre(s) session(s) proche(s)")
        st.markdown(f"Accessibilité : {md_escape(accessibility_summary(offer))}")
        st.markdown(f"Débouché : {md_escape(leads_to(offer))}")
        if offer.contact and (offer.contact.phone or offer.contact.email):
            st.markdown(f"Contact : {md_escape(sheet.label(offer.contact))}")
    return {"title": offer.title, "kind": offer.kind.value, "provider": offer.provider.name,
            "commune": session.commune_name if session else None, "distance_km": distance,
            "commune_insee": session.commune_insee if session else None,
            "start": session.start if session else None, "end": session.end if session else None,
            "places_left": session.places_left if session else None,
            "accessibility": accessibility_summary(offer), "leads_to": leads_to(offer)}


def sessions_map(points: list[dict]) -> None:
    """Sessions on a map (points render even when the base map cannot load offline), plus a text list."""
    points = [p for p in points if p.get("lat") is not None and p.get("lon") is not None]
    if not points:
        st.caption("Aucune session localisée à afficher sur la carte.")
        return
    import pandas as pd

    st.map(pd.DataFrame(points)[["lat", "lon"]], size=300, height=360)
    st.caption("Carte des sessions (le fond de carte nécessite Internet ; la liste ci-dessous donne les mêmes lieux).")


def all_offers(cat: Any) -> list:
    """The catalogue's offers as a list (the store keeps them in a dict keyed by id)."""
    offers = cat.offers
    return list(offers.values()) if isinstance(offers, dict) else list(offers)

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
import importlib.util
import re
import threading
from datetime import date
from typing import Any

import streamlit as st

# Every ASCII punctuation character may be backslash-escaped in CommonMark and
# renders as itself; escaping them all neutralises links, emphasis, headings,
# lists, tables, HTML tags, LaTeX ($) and Streamlit directives (:color[...], :icon:).
# One `str.translate` (C speed, not a regex substitution): the page escapes a few hundred texts per rerun.
_MD_ESCAPES = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()#+-.!|<>~$:=&\"'^%@/"})
_INDENTED_LINE = re.compile(r"\n[ \t]+")


# Streamlit's Markdown (GFM) turns URLs, "www." names and e-mail addresses into links *after* parsing,
# whatever the escaping; an invisible WORD JOINER (U+2060) inside them stops it and displays nothing.
_AUTOLINKS = re.compile(r"(?i)\b(https?|ftp|www)(?=[:.])|(?=@)")


def md_escape(text: Any) -> str:
    """Text that Markdown renders literally (catalogue and user text are data, never markup or links)."""
    if text is None:
        return ""
    text = _AUTOLINKS.sub(lambda m: (m.group(1) or "") + "\u2060", str(text))
    text = text.translate(_MD_ESCAPES)
    if "\n" not in text:
        return text
    # Line starts that could still open a block (indented code) are flattened.
    return _INDENTED_LINE.sub("\n", text).replace("\n", "  \n")


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


_engine_versions: list[str] = []  # catalogue version of the engine last made (one process, all sessions)


@st.cache_resource(show_spinner="Chargement du moteur de recherche…", max_entries=1)
def _search_engine_at(version: str):
    """The search engine for the catalogue at `version`: a write by the CLI (or another server process) makes
    the next page load a fresh engine, so pathways are never planned on a catalogue that is no longer on disk."""
    search = require("indexes.search", "la recherche")
    if _engine_versions and _engine_versions[-1] != version:  # the catalogue changed on disk since the last engine
        search.reset_search_engine()
    _engine_versions.append(version)
    del _engine_versions[:-1]
    return search.get_search_engine()


def search_engine():
    """The search engine over the persisted indexes (built once with `python -m indexes build`)."""
    return _search_engine_at(require("catalog.store", "le catalogue").catalogue_version())


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
    _search_engine_at.clear()
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
    text = st.text_input(label, value=default, max_chars=100, key=f"{key}_text", persist_state="session",
                         placeholder="ex. Ussel ou 19200")
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
                            key=f"{key}_choice", index=None, placeholder="Choisir la commune")
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
    wish = st.text_input(label, value=default, max_chars=200, key=f"{key}_wish", persist_state="session",
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
                                   placeholder="Choisir un ou plusieurs métiers", persist_state="session",
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


def _arrow_table(rows: list[dict]) -> Any:
    """Rows as an Arrow table: Streamlit sends tables and chart data as Arrow, and building it directly
    costs about a tenth of going through a pandas DataFrame (measured with bench/load_sessions.py --profile)."""
    import pyarrow as pa

    columns: dict[str, list] = {}
    for row in rows:
        for key in row:
            columns.setdefault(key, [])
    for row in rows:
        for key, values in columns.items():
            values.append(row.get(key))
    return pa.table(columns)


def text_table(rows: list[dict], caption: str | None = None) -> None:
    """A small real HTML table (read cell by cell by screen readers); cells are escaped text."""
    st.table(_arrow_table([{k: md_escape(v) for k, v in row.items()} for row in rows]), hide_index=True, alt=caption)


def level_label(level: int | None) -> str:
    """French label of a national certification level (0 = sans qualification)."""
    from catalog.levels import level_label as label

    return label(level)


def timeline_chart(pathway: dict) -> None:
    """The steps as horizontal bars on a calendar; each bar is named on the axis (colour is only a cue).

    A plain Vega-Lite spec (what Altair would produce) rather than an Altair chart: Altair validates its
    schema on every rerun, which cost about a fifth of an adviser submit (bench/load_sessions.py --profile)."""
    from datetime import datetime, timedelta

    from assistant import sheet

    rows = []
    for n, step in enumerate(pathway.get("steps") or [], 1):
        start, end = sheet.parse_date(step.get("start")), sheet.parse_date(step.get("end"))
        if start:
            kind = step.get("kind_label") or sheet.step_kind_label(step.get("kind"))
            rows.append({"Étape": f"{n}. {kind}",
                         "Début": datetime(start.year, start.month, start.day),
                         "Fin": datetime.combine(max(end or start, start), datetime.min.time()) + timedelta(days=1),
                         "Type": kind})
    if not rows:
        return
    spec = {
        "mark": {"type": "bar", "cornerRadius": 3},
        "encoding": {
            "x": {"field": "Début", "type": "temporal", "title": None, "axis": {"format": "%m/%Y"}},
            "x2": {"field": "Fin"},
            "y": {"field": "Étape", "type": "nominal", "sort": None, "title": None},
            "color": {"field": "Type", "type": "nominal", "legend": None, "scale": {"scheme": "darkmulti"}},
            "tooltip": [{"field": "Étape", "type": "nominal"},
                        {"field": "Début", "type": "temporal", "format": "%d/%m/%Y"},
                        {"field": "Fin", "type": "temporal", "format": "%d/%m/%Y"}],
        },
        "height": 32 * len(rows) + 30,
        "title": "Calendrier du parcours",
    }
    import pyarrow as pa

    data = pa.table({"Étape": [r["Étape"] for r in rows], "Type": [r["Type"] for r in rows],
                     # nanoseconds, as the pandas timestamps the chart was first drawn from
                     "Début": pa.array([r["Début"] for r in rows], pa.timestamp("ns")),
                     "Fin": pa.array([r["Fin"] for r in rows], pa.timestamp("ns"))})
    st.vega_lite_chart(data, spec, width="stretch")


def _has_funding_module() -> bool:
    """True once the funding part of the assistant (assistant/funding.py, issue 9) is installed."""
    return importlib.util.find_spec("assistant.funding") is not None


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
                facts.append(sheet.hours_text(step["hours_per_week"]))
            if step.get("places_left") is not None:
                facts.append(f"{step['places_left']} place(s) restante(s)")
            # One Markdown element per block of text, not per line: each element is one more message from the
            # script to the server's event loop and the browser (bench/load_sessions.py --websocket).
            where = [" · ".join(md_escape(f) for f in facts)]
            if step.get("provider"):
                where.append(f"Organisme : {md_escape(sheet.label(step['provider']))}")
            if step.get("info_session"):
                where.append(f"Réunion d'information : {sheet.fr_date(step['info_session'])}")
            if step.get("contact"):
                contact = step["contact"]
                where.append(contact_markdown(contact) if isinstance(contact, dict)
                             else f"Contact : {md_escape(sheet.label(contact))}")
            st.markdown("\n\n".join(where))
            if step.get("job_relation_label"):
                st.caption(md_escape(step["job_relation_label"]))
            items = []  # one list: the why (rule + source), then what comes with the step and what to do
            for why in step.get("why") or []:
                rule = why.get("rule", "") if isinstance(why, dict) else ""
                text = why.get("text", "") if isinstance(why, dict) else why
                source = why.get("source", "") if isinstance(why, dict) else ""
                items.append(f"- Pourquoi ({md_escape(rule)}) : {md_escape(text)}"
                             + (f" — source : {md_escape(sheet.source_text(source))}" if source else ""))
            for prefix, key in (("En complément", "add_ons"), ("Aide", "support"), ("À faire", "next_actions")):
                for item in sheet.labels(step.get(key)):
                    items.append(f"- {prefix} : {md_escape(item)}")
            if items:
                st.markdown("\n".join(items))
            funding = [f for f in step.get("funding") or [] if isinstance(f, dict)]
            if funding and not _has_funding_module():  # else shown as one table below
                text_table([{"Financeur": f.get("funder"), "Dispositif": f.get("scheme"),
                             "Prend en charge": f.get("covers"),
                             "Plafond": sheet.euros(f.get("ceiling_eur")), "Reste": sheet.euros(f.get("remaining_eur")),
                             "Démarche": f.get("demarche"), "Avant le": sheet.fr_date(f["deadline"])
                             if f.get("deadline") else ""} for f in funding], "Financement de l'étape")
    timeline = [r for r in pathway.get("income_timeline") or [] if isinstance(r, dict)]
    if _has_funding_module() and (timeline or any(s.get("funding") for s in pathway.get("steps") or [])):
        from assistant.funding import display_tables  # the funding module's own display rows

        tables = display_tables(pathway)
        if tables["financement"]:
            st.markdown("**Qui paie chaque étape**")
            text_table(tables["financement"], "Financement des étapes du parcours")
        if tables["revenus"]:
            st.markdown("**De quoi vivre, période par période, jusqu'à l'emploi**")
            text_table(tables["revenus"], "Revenus estimés pendant le parcours")
            with st.expander("Revenus mois par mois"):
                text_table(tables["mois"], "Revenus estimés mois par mois")
    elif timeline:
        st.markdown("**Revenus mois par mois (estimation)**")
        text_table([{"Du": sheet.fr_date(r.get("from")), "Au": sheet.fr_date(r.get("to")),
                     "Source": r.get("source"), "Par mois": sheet.euros(r.get("monthly_eur")),
                     "Brut / net": r.get("gross_or_net"), "Règle": r.get("rule"),
                     "Référence": sheet.source_text(r.get("source_ref")) if r.get("source_ref") else ""}
                    for r in timeline], "Revenus pendant le parcours")
    else:
        money = sheet.income_text(pathway)
        income = pathway.get("income") or {}
        if money:
            st.markdown(f"**Revenu pendant la formation :** {md_escape(money)} — "
                        f"{md_escape(sheet.label(income.get('basis')))}")
        else:
            st.markdown("**Revenu pendant le parcours :** non estimé pour ce parcours ; à vérifier avec la personne.")
    outcomes = sheet.outcome_lines(pathway)  # real InserJeunes figures with source, or labelled demo figures
    if outcomes:
        st.markdown(f"**{md_escape(sheet.OUTCOMES_HEADING)}**")
        for line in outcomes:
            st.markdown(f"- {md_escape(line)}")
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


def leads_to(offer: Any, with_outcomes: bool = True) -> str:
    """What the offer leads to: certification and level, with outcome rates, their sample sizes and sources."""
    cert = offer.certification
    text = cert.title or ""
    if cert.level:
        text += f" (niveau {cert.level})"
    if cert.rncp:
        text += f" — {cert.rncp}"
    # Real InserJeunes figures when the certification has them (source and cohort said), else the offer's
    # own ones with their own source ("Données de démonstration" in the demo); the label follows the kind,
    # so a 12-month employment rate is never called "certifiés".
    from catalog.outcomes import offer_outcomes, outcome_text

    for outcome in offer_outcomes(offer) if with_outcomes else ():
        text += f" ; {outcome_text(outcome)}"
    return text.strip(" ;") or "pas de certification (étape de préparation)"


def offer_card(offer: Any, sessions: list[tuple[Any, float | None]], key: str, relation: str | None = None,
               referent_first: bool = False) -> dict:
    """One offer as a bordered card; returns the printable summary of its first session.

    `relation` labels why the offer is shown (e.g. "Métier proche de votre souhait : …"); a full session is
    said "complet"; phone numbers and e-mails are links (tel:, mailto:). `referent_first` puts the named
    référent handicap and the adaptation badges at the top (the referent page).
    """
    from assistant import sheet

    session, distance = sessions[0] if sessions else (None, None)
    acc = offer.accessibility
    with st.container(border=True):
        if referent_first:
            referent = acc.referent_handicap
            st.markdown(contact_markdown(referent, "**Référent handicap**") if referent and (
                referent.phone or referent.email or referent.name) else "**Référent handicap** : non déclaré "
                "(demander l'accueil de l'organisme)")
            badges = [b for b, ok in (("♿ Locaux accessibles", acc.accessible_premises),
                                      ("◐ Temps partiel possible", acc.part_time_possible),
                                      ("⏱ Durée allongée possible", acc.extended_duration_possible),
                                      ("✎ Examens aménagés", acc.exam_arrangements),
                                      ("⌂ À distance possible", acc.distance_learning_possible)) if ok]
            if badges:
                st.markdown(" · ".join(f"**{b}**" for b in badges))
        st.markdown(f"**{md_escape(offer.title)}**")
        if relation:
            st.caption(md_escape(relation))
        st.caption(md_escape(f"{offer.kind.label} — {offer.provider.name or 'organisme non précisé'}"))
        if offer.provenance.demo:
            st.caption("Données de démonstration")
        if session is not None:
            where = session.commune_name or "lieu à confirmer"
            if session.address:
                where = f"{session.address}, {where}"
            if distance is not None:
                where += f" ({sheet.distance_text(distance, session.commune_insee)})"
            places = ("complet" if session.is_full else f"{session.places_left} place(s) restante(s)"
                      if session.places_left is not None else "places : à demander")
            st.markdown(md_escape(f"Du {sheet.fr_date(session.start)} au {sheet.fr_date(session.end)} · {where} · "
                                  f"{places}"))
            if len(sessions) > 1:
                st.caption(f"{len(sessions) - 1} autre(s) session(s) proche(s)")
        funding = _funding_note(offer, session)
        if funding:
            st.markdown(f"Financement : {md_escape(funding)}")
        if not referent_first:
            st.markdown(f"Accessibilité : {md_escape(accessibility_summary(offer))}")
        st.markdown(f"Débouché : {md_escape(leads_to(offer))}")
        if offer.contact and (offer.contact.phone or offer.contact.email):
            st.markdown(contact_markdown(offer.contact, "Contact" if not referent_first else "Accueil"))
    contact = offer.contact
    referent = acc.referent_handicap
    return {"title": offer.title, "kind": offer.kind.value, "provider": offer.provider.name,
            "commune": session.commune_name if session else None, "distance_km": distance,
            "commune_insee": session.commune_insee if session else None,
            "address": session.address if session else None,
            "start": session.start if session else None, "end": session.end if session else None,
            "places_left": session.places_left if session else None,
            "full": bool(session and session.is_full), "relation": relation,
            "contact": sheet.label(contact) if contact else None,
            "referent": sheet.label(referent) if referent else None,
            "accessibility": accessibility_summary(offer), "leads_to": leads_to(offer),
            "funding": _funding_note(offer, session)}


def _funding_note(offer: Any, session: Any) -> str:
    """Issue 9: who pays this session, said to the person ("Financée par la Région : gratuite pour vous", or
    what remains and how to fund it); no profile here, so the note is the one for any jobseeker."""
    if session is None:
        return ""
    try:
        from assistant.funding import session_funding_note
    except ImportError:
        return ""
    return session_funding_note(offer, session, None, date.today())


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


# --------------------------------------------------------------------------- French document, print styles

# Streamlit ships index.html with <html lang="en"> and has no setting for it: screen readers would read the
# French pages with an English voice. This static script (no user data, never built from input) sets the
# document language, and translates the few fixed English strings of Streamlit's own widgets that no API
# can set (their list, and what stays English, is in README "Limites connues"). It runs in the page itself
# (st.html with JavaScript, not an iframe) and installs one MutationObserver, once per browser tab.
_UI_STRINGS = {
    "Press Enter to apply": "Appuyez sur Entrée pour valider",
    "Press Enter to submit form": "Appuyez sur Entrée pour envoyer",
    "Skip to main content": "Aller au contenu principal",
    "Link to heading": "Lien vers ce titre",
    "Drag and drop file here": "Glissez-déposez un fichier ici",
    "Drag and drop a file here": "Glissez-déposez un fichier ici",
    "Browse files": "Parcourir",
    "Upload": "Choisir un fichier",
    "Download as CSV": "Télécharger en CSV",
    "Search": "Rechercher",
    "Fullscreen": "Plein écran",
    "Close fullscreen": "Quitter le plein écran",
    "Choose an option": "Choisir une option",
    "Choose options": "Choisir des options",
    "No results": "Aucun résultat",
    "Clear all": "Tout effacer",
    "Clear value": "Effacer",
    "Increment": "Augmenter",
    "Decrement": "Diminuer",
    "Choose date": "Choisir une date",
    "Collapse sidebar": "Replier le menu",
    "Expand sidebar": "Déplier le menu",
    "Main menu": "Menu principal",
    "Running...": "Calcul en cours…",
    "Stop": "Arrêter",
    "Show password text": "Afficher le mot de passe",
    "Hide password text": "Masquer le mot de passe",
    "Delete": "Supprimer",
    "Remove file": "Retirer le fichier",
    "Open": "Ouvrir",
    "Close": "Fermer",
    "Page not found": "Page introuvable",
    "Rerun": "Relancer",
    "Settings": "Réglages",
    "Print": "Imprimer",
    "Record a screencast": "Enregistrer l'écran",
    "About": "À propos",
    "Clear cache": "Vider le cache",
}

_FRENCH_SCRIPT = """
<script>
(function () {
  var doc = window.document;
  doc.documentElement.lang = "fr";
  if (window.__itineraireFr) { return; }
  window.__itineraireFr = true;
  var words = %(words)s;
  var limit = /^Limit (\\d+)\\s*MB per file(.*)$/;
  var helpFor = /^Help for (.*)$/;
  var notFound = /^You have requested page \\/(.*), but no corresponding file was found in the app's pages\\/ directory\\. Running the app's main page\\.?$/;
  function tr(text) {
    var t = text.trim();
    if (Object.prototype.hasOwnProperty.call(words, t)) { return text.replace(t, words[t]); }
    var m = t.match(limit);
    if (m) { return "Limite de " + m[1] + " Mo par fichier" + m[2]; }
    var h = t.match(helpFor);
    if (h) { return "Aide : " + h[1]; }
    if (/^[dmy \\/.\u2013-]+$/.test(t) && t.indexOf("yyyy") >= 0) {  // date placeholders: jj/mm/aaaa
      return text.replace(/dd/g, "jj").replace(/yyyy/g, "aaaa");
    }
    var p = t.match(notFound);
    if (p) { return "La page « " + p[1] + " » n'existe pas : voici la page d'accueil."; }
    if (t.indexOf("The page that you have requested does not seem to exist") === 0) {
      return "Cette page n'existe pas : voici la page d'accueil.";
    }
    return null;
  }
  function fix(root) {
    if (doc.documentElement.lang !== "fr") { doc.documentElement.lang = "fr"; }
    // The main area stays focusable for the skip link (tabindex -1) but is not one more Tab stop
    // before the first field: every field inside it is focusable, so keyboard scrolling still works.
    var main = doc.querySelector('[data-testid="stMain"]');
    if (main && main.getAttribute("tabindex") === "0") { main.setAttribute("tabindex", "-1"); }
    var walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    var node;
    while ((node = walker.nextNode())) {
      var out = tr(node.nodeValue || "");
      if (out !== null) { node.nodeValue = out; }
    }
    var els = root.querySelectorAll ? root.querySelectorAll("[aria-label],[title],[placeholder]") : [];
    for (var i = 0; i < els.length; i++) {
      ["aria-label", "title", "placeholder"].forEach(function (a) {
        var v = els[i].getAttribute(a);
        if (v) { var o = tr(v); if (o !== null) { els[i].setAttribute(a, o); } }
      });
    }
  }
  var pending = false;
  new MutationObserver(function () {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; fix(doc.body); });
  }).observe(doc.documentElement, {subtree: true, childList: true, characterData: true, attributes: true,
                                   attributeFilter: ["lang", "aria-label", "title", "placeholder"]});
  fix(doc.body);
})();
</script>
"""

# Print: only the results (sidebar, header, forms and buttons stay on screen); the element holding this
# script takes no room on screen.
_STYLES = """
<style>
.st-key-itineraire_fr { display: none; }
.st-key-adv_results, .st-key-self_results_box, .st-key-self_question_box { scroll-margin-top: 4.5rem; }
@media print {
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stSidebarCollapsedControl"], .st-key-adv_form, .st-key-self_form, .st-key-rqth_form,
  .st-key-no_print, .st-key-self_actions, [data-testid="stDownloadButton"], [data-testid="stButton"],
  [data-testid="stLinkButton"],
  [data-testid="stFileUploader"], [data-testid="stDeckGlJsonChart"] { display: none !important; }
  [data-testid="stMain"], [data-testid="stAppViewContainer"], [data-testid="stMainBlockContainer"] {
    overflow: visible !important; height: auto !important; padding: 0 !important; }
  a[href^="tel:"], a[href^="mailto:"] { color: inherit; text-decoration: none; }
  [data-testid="stVerticalBlockBorderWrapper"] { break-inside: avoid; }
}
</style>
"""


def french_document() -> None:
    """Document language, French widget strings and print styles: drawn once per run by streamlit_app.py."""
    import json

    script = _FRENCH_SCRIPT % {"words": json.dumps(_UI_STRINGS, ensure_ascii=False)}
    with st.container(key="itineraire_fr"):
        st.html(_STYLES + script, unsafe_allow_javascript=True)


def scroll_to(key: str, nonce: Any) -> None:
    """Bring the container `st-key-<key>` into view once per `nonce` (one submission).

    (No "<" directly before a letter or digit in these scripts: Streamlit's sanitiser drops such a script.)

    Drawn on every run that shows the results: the browser remembers (sessionStorage, this tab only) the
    last nonce it scrolled to, so later reruns (a click in the results) never jump back.
    """
    safe = re.sub(r"[^a-z0-9_]", "", key)
    nonce = re.sub(r"[^0-9a-z]", "", str(nonce))
    st.html(f"<span data-scroll='{nonce}'></span><script>(function(){{var k='itin-scroll-{safe}',v='{nonce}',n=0;"
            f"try{{if(sessionStorage.getItem(k)===v){{return;}}sessionStorage.setItem(k,v);}}catch(e){{}}"
            f"function go(){{var el=document.querySelector('.st-key-{safe}');"
            f"if(el){{el.scrollIntoView({{block:'start'}});}}else if(n++ < 40){{setTimeout(go,100);}}}}"
            f"setTimeout(go,200);}})();</script>", unsafe_allow_javascript=True)


def on_demand(make: Any, what: str, as_text: bool = False) -> Any:
    """Download data built only when the button is clicked (a PDF takes a few hundred ms, an agenda a few ms:
    the page no longer pays for them on every rerun). A failure gives a short file saying so in French (a PDF,
    or plain text for the text exports with `as_text`), never a broken download."""

    def build() -> bytes | str:
        try:
            return make()
        except Exception:  # the person gets a readable file, the detail stays on the server
            message = f"{what} n'a pas pu être produite. Réessayez ou signalez-le avec l'heure de l'essai."
            if as_text:
                return message + "\n"
            from assistant import sheet

            return sheet.error_pdf(message)

    return build


# --------------------------------------------------------------------------- contacts as links

_PHONE_KEEP = re.compile(r"[^\d+]")
_EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}$")


def tel_href(phone: Any) -> str | None:
    """`tel:` target of a published phone number (digits and a leading + only), or None if it is not one."""
    digits = _PHONE_KEEP.sub("", str(phone or ""))
    if digits.startswith("+"):
        digits = "+" + digits[1:].replace("+", "")
    else:
        digits = digits.replace("+", "")
    return f"tel:{digits}" if 8 <= len(digits.lstrip("+")) <= 15 else None


def mail_href(email: Any) -> str | None:
    text = str(email or "").strip()
    return f"mailto:{text}" if _EMAIL_RE.match(text) else None


def contact_markdown(contact: Any, prefix: str = "Contact") -> str:
    """A contact as Markdown with callable phone and e-mail links; every shown part is escaped text.

    The link targets are rebuilt from a strict character set (digits / an e-mail pattern), so catalogue
    text can never inject a link of its own.
    """
    get = contact.get if isinstance(contact, dict) else lambda k, d=None: getattr(contact, k, d)
    parts = []
    who = " ".join(p for p in (get("name"), f"({get('role')})" if get("role") else None) if p)
    if who:
        parts.append(md_escape(who))
    phone, email = get("phone"), get("email")
    if phone:
        href = tel_href(phone)
        parts.append(f"[{md_escape(phone)}]({href})" if href else md_escape(phone))
    if email:
        href = mail_href(email)
        parts.append(f"[{md_escape(email)}]({href})" if href else md_escape(email))
    return f"{prefix} : " + " — ".join(parts) if parts else ""


# --------------------------------------------------------------------------- job understanding

# Fallback rule, used only until `indexes.search.understand_jobs` is available (search branch). Job scores
# are 0..1 with 1.0 for a job named in the words (measured: "aide-soignante", "cariste" → 1.0; "assistante de vie
# aux familles" 0.44; "électricien" 0.45 for three different electricians; "je sais pas" 0.20, "truc" 0.14).
NOT_UNDERSTOOD_SCORE = 0.25  # below: nothing was understood, ask for a job name
WEAK_SCORE = 0.6  # below: a guess, ask the person to choose
CLOSE_SHARE = 0.9  # a second job this close to the first: several jobs are possible, ask


def understand_wish(text: str, k: int = 5) -> dict:
    """What the search understood of a job wish: {"status", "candidates", "reason"}.

    status: "ok" (one clear job), "ambiguous" (several possible), "weak" (a guess), "not_understood".
    Uses the search branch's `understand_jobs` when present; else `search_jobs` with a score rule.
    Remembered per session (not across users): every rerun of a form would otherwise search again.
    """
    memo = st.session_state.setdefault("_wish_memo", {})
    if (text, k) not in memo:
        if len(memo) > 50:
            memo.clear()
        memo[(text, k)] = _understand_wish(text, k)
    return memo[(text, k)]


def _understand_wish(text: str, k: int) -> dict:
    import indexes.search as search

    fn = getattr(search, "understand_jobs", None)
    if fn is not None:
        found = fn(text, k=k)
        hits = list(getattr(found, "results", []) or [])
        cands = [(hit_value(h, "rome"), hit_value(h, "label"), float(hit_value(h, "score") or 0)) for h in hits]
        if not getattr(found, "understood", False) or not cands:
            return {"status": "not_understood", "candidates": cands, "reason": getattr(found, "reason", None)}
        if getattr(found, "ambiguous", False):
            return {"status": "ambiguous", "candidates": cands, "reason": getattr(found, "reason", None)}
        return {"status": "ok", "candidates": cands, "reason": None}
    hits = search_engine().search_jobs(text, k=k)
    cands = [(hit_value(h, "rome"), hit_value(h, "label"), float(hit_value(h, "score") or 0)) for h in hits]
    if not cands:
        return {"status": "not_understood", "candidates": [], "reason": "mots inconnus"}
    best = cands[0][2]
    if best < NOT_UNDERSTOOD_SCORE:
        return {"status": "not_understood", "candidates": cands, "reason": "mots inconnus"}
    if best < WEAK_SCORE:
        return {"status": "weak", "candidates": cands, "reason": "souhait trop vague"}
    if len(cands) > 1 and cands[1][2] >= CLOSE_SHARE * best:
        return {"status": "ambiguous", "candidates": cands, "reason": "plusieurs métiers possibles"}
    return {"status": "ok", "candidates": cands, "reason": None}


EXAMPLE_JOBS = "« aide-soignante », « cuisinier », « électricien » ou « cariste »"


# --------------------------------------------------------------------------- profile fields of newer contracts


def drop_unknown_fields(profile: dict, optional: set[str]) -> tuple[dict, list[str]]:
    """The profile without the `optional` fields this version of the assistant does not know yet.

    New fields (birth month, CPF balance, confirmed job...) come from other parts of the project; until
    the assistant reads them, its parser reports them as unknown. They are then left out and NAMED to the
    adviser (never silently dropped), so the form works with either version.
    """
    from assistant.profile import ProfileError, parse_profile

    try:
        parse_profile(profile)
        return profile, []
    except ProfileError as exc:
        unknown = {name.split(".")[0].split("[")[0] for name, msg in exc.problems if msg == "champ inconnu"}
    dropped = sorted(unknown & optional)
    return {k: v for k, v in profile.items() if k not in dropped}, dropped


def sources_link(label: str) -> None:
    """Link to the Sources page (hidden from the menu, so that the keyboard path of every page stays short)."""
    from streamlit.errors import StreamlitAPIException

    try:
        st.page_link("app_pages/sources.py", label=label, icon=":material/dataset:")
    except StreamlitAPIException:  # the page runs alone (AppTest): there is no navigation to link into
        st.caption(md_escape(label) + " : page « Sources ».")

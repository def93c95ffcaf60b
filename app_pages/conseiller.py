"""Rendez-vous conseiller: the adviser's profile form and the proposed pathways.

UI only: the profile dict follows the assistant's JSON contract and goes to
`assistant.plan()`; everything shown comes from its result. The result is kept
in `st.session_state` (in memory, per user) and never written anywhere.
"""

from __future__ import annotations

import time
from datetime import date

import streamlit as st

from app_pages._shared import (demo_banner, engine_or_stop, fail, job_picker, level_label, md_escape, place_picker,
                               place_value, render_pathway_steps, require, status_badge, text_table)
from assistant import sheet

schemes = require("assistant.schemes", "le moteur de parcours")
assistant = require("assistant", "le moteur de parcours")
if not hasattr(assistant, "plan"):
    require("assistant.plan", "le moteur de parcours")  # shows the "en cours de déploiement" message

st.title("Rendez-vous conseiller")
st.caption("Renseignez la situation de la personne : Itinéraire propose 2 à 3 parcours datés, "
           "avec pour chaque étape la règle appliquée et sa source.")

LEVELS = list(range(0, 9))


def enum_select(label: str, enum_cls, key: str, default=None, **kw):
    members = list(enum_cls)
    index = members.index(default) if default in members else 0
    return st.selectbox(label, members, index=index, format_func=lambda m: m.label, key=key, **kw)


def render_funding_and_income(pathway: dict) -> None:
    """Issue 9 (funding branch): who pays each step and the income period by period, as two small tables.
    Kept in this one function so the experience branch can move it without touching the rest of the page."""
    from assistant.funding import display_tables

    tables = display_tables(pathway)
    if tables["financement"]:
        st.markdown("**Qui paie chaque étape**")
        text_table(tables["financement"], "Financement des étapes du parcours")
    if tables["revenus"]:
        st.markdown("**De quoi vivre, période par période, jusqu'à l'emploi**")
        text_table(tables["revenus"], "Revenus estimés pendant le parcours")
        with st.expander("Revenus mois par mois"):
            text_table(tables["mois"], "Revenus estimés mois par mois")


def reason_text(reason) -> str:
    """"R-xx : text" for a reason dict (the rule id lets the adviser check it in the rule book)."""
    if isinstance(reason, dict):
        return f"{reason.get('rule')} : {reason.get('text')}" if reason.get("rule") else sheet.label(reason)
    return sheet.label(reason)


# --------------------------------------------------------------------------- form
st.header("Situation de la personne")
c1, c2, c3 = st.columns(3)
age = c1.number_input("Âge", min_value=15, max_value=70, value=30, step=1, key="adv_age")
with c2:
    status = enum_select("Situation actuelle", schemes.Status, "adv_status", schemes.Status.DEMANDEUR_EMPLOI)
with c3:
    income = enum_select("Allocation perçue", schemes.IncomeSupport, "adv_income", schemes.IncomeSupport.AUCUN)
c1, c2, c3 = st.columns(3)
registered = c1.checkbox("Inscrit(e) à France Travail", value=True, key="adv_registered")
registration_months = c2.number_input("Mois d'inscription", min_value=0, max_value=240, value=6, key="adv_reg_months",
                                      disabled=not registered)
single_parent = c3.checkbox("Parent isolé", key="adv_single_parent")
c1, c2, c3 = st.columns(3)
rqth = c1.checkbox("RQTH obtenue ou en cours", key="adv_rqth",
                   help="Reconnaissance de la qualité de travailleur handicapé.")
qpv = c2.checkbox("Habite en quartier prioritaire (QPV)", key="adv_qpv")
zrr = c3.checkbox("Habite en zone rurale (ZRR)", key="adv_zrr", help="Zone de revitalisation rurale.")

st.header("Formation et expérience")
c1, c2 = st.columns(2)
level_validated = c1.selectbox("Niveau validé (diplôme le plus élevé obtenu)", LEVELS, index=3,
                               format_func=level_label, key="adv_level")
level_reached = c2.selectbox("Niveau atteint (classe suivie, même sans diplôme)", LEVELS, index=3,
                             format_func=level_label, key="adv_level_reached")
c1, c2, c3 = st.columns([3, 1, 2])
diploma_title = c1.text_input("Diplôme le plus élevé (intitulé, facultatif)", key="adv_diploma")
diploma_year = c2.number_input("Année d'obtention", min_value=1960, max_value=date.today().year,
                               value=date.today().year - 5, key="adv_diploma_year")
foreign = c3.checkbox("Diplôme étranger non reconnu", key="adv_foreign")
c1, c2, c3 = st.columns([3, 1, 1])
exp_job = c1.text_input("Dernière expérience professionnelle (métier, facultatif)", key="adv_exp_job")
exp_months = c2.number_input("Durée (mois)", min_value=0, max_value=600, value=0, key="adv_exp_months")
exp_year = c3.number_input("Dernière année", min_value=1960, max_value=date.today().year,
                           value=date.today().year - 1, key="adv_exp_year")
c1, c2 = st.columns(2)
gaps = c1.multiselect("Difficultés sur les savoirs de base", list(schemes.BasicSkillGap),
                      format_func=lambda m: m.label, key="adv_gaps", placeholder="Aucune")
french = c2.selectbox("Niveau de français (si ce n'est pas la langue maternelle)",
                      [None, *schemes.FrenchLevel], format_func=lambda m: "langue maternelle / non évalué"
                      if m is None else m.label, key="adv_french")

st.header("Lieu et mobilité")
place = place_picker("adv_place", "Commune de résidence")
c1, c2, c3, c4 = st.columns(4)
max_km = c1.slider("Distance maximale (km, aller)", 5, 150, 30, step=5, key="adv_max_km",
                   help="Par défaut 30 km ou 1 h en transports en commun (règle R-MOB-SEARCH).")
licence = c2.checkbox("Permis B", key="adv_licence")
car = c3.checkbox("Véhicule", key="adv_car")
transport = c4.checkbox("Transports en commun", value=True, key="adv_transport",
                        help="Des transports en commun desservent le domicile.")

st.header("Disponibilités et contraintes")
c1, c2, c3 = st.columns(3)
part_time = c1.checkbox("Temps partiel uniquement", key="adv_part_time")
earliest = c2.date_input("Disponible à partir du", value=date.today(), format="DD/MM/YYYY", key="adv_earliest")
constraints = c3.multiselect("Freins à lever", list(schemes.Constraint), format_func=lambda m: m.label,
                             key="adv_constraints", placeholder="Aucun")

st.header("Projet professionnel")
wish, romes = job_picker("adv_job", "Métier souhaité, dans les mots de la personne")
c1, c2, c3 = st.columns(3)
wants_alternance = c3.checkbox("Souhaite se former en alternance", key="adv_alternance")
project_validated = c1.checkbox("Projet professionnel validé", key="adv_project",
                                help="Projet confirmé par une immersion, une enquête métier ou une expérience.")
hiring_offer = c2.checkbox("Promesse d'embauche", key="adv_hiring",
                           help="Un employeur propose un contrat de 6 mois ou plus.")
had_training = st.checkbox("A suivi une formation financée par la Région ces dernières années", key="adv_had_training")
last_training_end = None
if had_training:
    last_training_end = st.date_input("Fin de cette formation", value=date.today(), format="DD/MM/YYYY",
                                      key="adv_last_training_end")

submitted = st.button("Proposer des parcours", type="primary", key="adv_submit", icon=":material/route:")

if submitted:
    profile = {
        "age": int(age), "status": status.value, "registered_france_travail": registered,
        "registration_months": int(registration_months) if registered else 0, "income_support": income.value,
        "level_validated": level_validated, "level_reached": max(level_reached, level_validated),
        "diplomas": [{"title": diploma_title.strip(), "level": level_validated, "year": int(diploma_year)}]
        if diploma_title.strip() else [],
        "foreign_diploma_unrecognised": foreign,
        "experience": [{"job": exp_job.strip(), "months": int(exp_months), "last_year": int(exp_year)}]
        if exp_job.strip() and exp_months else [],
        "rqth": rqth, "qpv": qpv, "zrr": zrr,
        "commune": place_value(place, "insee", "code_insee", "name") if place is not None else None,
        "mobility": {"max_km": max_km, "driving_licence": licence, "car": car, "public_transport": transport},
        "availability": {"part_time_only": part_time, "earliest_start": earliest.isoformat()},
        "basic_skills_gaps": [g.value for g in gaps], "french_level": french.value if french else None,
        "project_validated": project_validated, "wish": wish.strip(), "wish_romes": romes,
        "last_region_training_end": last_training_end.isoformat() if last_training_end else None,
        "hiring_offer": hiring_offer, "single_parent": single_parent,
        "constraints": [c.value for c in constraints], "wants_alternance": wants_alternance,
    }
    profile = {k: v for k, v in profile.items() if v is not None}  # absent fields take the contract's defaults
    profiles = require("assistant.profile", "le profil")
    st.session_state.pop("adv_result", None)
    try:
        parsed = profiles.parse_profile(profile)  # checked before loading anything heavy: instant feedback
    except profiles.ProfileError as exc:
        parsed = None
        st.error("Le profil est incomplet ou incohérent : corrigez les champs indiqués puis relancez.",
                 icon=":material/edit_note:")
        for message in exc.messages:
            st.markdown(f"- {md_escape(message)}")
    if parsed is not None:
        started = time.perf_counter()
        try:
            with st.spinner("Construction des parcours…"):
                # The engine's catalogue is the one its indexes were built from: one copy in memory.
                st.session_state["adv_result"] = assistant.plan(parsed, catalogue=engine_or_stop().catalogue)
            st.session_state["adv_seconds"] = time.perf_counter() - started
        except Exception as exc:
            fail("Les parcours n'ont pas pu être calculés. Vérifiez le profil puis relancez ; "
                 "si le problème persiste, signalez-le avec l'heure de l'essai.", exc)

result = st.session_state.get("adv_result")
if not result:
    st.stop()

# --------------------------------------------------------------------------- results
st.divider()
st.header("Parcours proposés")
demo_banner(result.get("demo_data"))
st.caption(f"Calculé en {st.session_state.get('adv_seconds', 0):.2f} s.")
referent = result.get("referent") or {}
if referent:
    name = referent.get("organisation") if isinstance(referent, dict) else referent
    st.markdown(f"**Organisme référent :** {md_escape(name)}")
    if isinstance(referent, dict) and referent.get("why"):
        st.caption(md_escape(f"{referent['why']} ({', '.join(referent.get('rules') or [])})"))
for warning in sheet.labels(result.get("warnings")):
    st.warning(md_escape(warning), icon=":material/warning:")

pathways = result.get("pathways") or []
if not pathways:
    st.info("Aucun parcours ne correspond à ce profil dans le catalogue actuel. Élargissez la distance "
            "ou le métier souhaité.", icon=":material/search_off:")
else:
    st.subheader("Comparaison côte à côte")
    for col, (n, pathway) in zip(st.columns(len(pathways)), enumerate(pathways, 1)):
        with col.container(border=True):
            st.markdown(f"**Parcours {n} : {md_escape(pathway.get('title'))}**")
            st.caption(f"{pathway.get('total_months', '?')} mois — du {sheet.fr_date(pathway.get('start'))} "
                       f"au {sheet.fr_date(pathway.get('end'))}")
            for step in pathway.get("steps") or []:
                st.markdown(f"- {md_escape(sheet.step_heading(step))}")
            income = pathway.get("income") or {}
            if isinstance(income.get("monthly_eur"), (int, float)):
                st.caption(f"Revenu estimé : {income['monthly_eur']:.0f} € / mois")

    choice = st.radio("Parcours retenu", list(range(len(pathways))), horizontal=True, key="adv_choice",
                      format_func=lambda i: f"Parcours {i + 1}")
    chosen = pathways[choice]
    st.subheader(f"Parcours {choice + 1} en détail : {md_escape(chosen.get('title'))}")
    render_pathway_steps(chosen)
    render_funding_and_income(chosen)

    st.subheader("Fiche parcours et agenda")
    first_name = st.text_input("Prénom à imprimer sur la fiche (facultatif, jamais enregistré)", key="adv_first_name")
    c1, c2, c3 = st.columns(3)
    try:
        c1.download_button("Télécharger la fiche parcours (PDF)", sheet.pathway_pdf(result, choice, first_name),
                           file_name="fiche-parcours.pdf", mime="application/pdf", key="adv_pdf",
                           icon=":material/picture_as_pdf:", on_click="ignore")
        c2.download_button("Dates du parcours (CSV)", sheet.pathway_csv(result, choice), file_name="parcours.csv",
                           mime="text/csv", key="adv_csv", icon=":material/table:", on_click="ignore")
        c3.download_button("Ajouter à l'agenda (iCalendar)", sheet.pathway_ics(result, choice),
                           file_name="parcours.ics", mime="text/calendar", key="adv_ics",
                           icon=":material/calendar_month:", on_click="ignore")
    except Exception as exc:
        fail("La fiche n'a pas pu être produite pour ce parcours.", exc)

eligibility = result.get("eligibility") or []
if eligibility:
    st.subheader("Éligibilité aux dispositifs")
    rows = []
    for item in eligibility if isinstance(eligibility, list) else eligibility.values():
        rows.append({
            "Dispositif": sheet.label(item.get("label") or item.get("scheme_label") or item.get("scheme")),
            "Statut": status_badge(item.get("status")),
            "Raisons": " ; ".join(reason_text(r) for r in item.get("reasons") or []),
            "Ce qui débloquerait": " ; ".join(sheet.labels(item.get("unlock") or item.get("what_would_unlock"))),
        })
    text_table(rows, "Éligibilité de la personne à chaque dispositif")
    st.caption("✓ éligible · ⚠ possible sur dérogation · ✗ non éligible")

optional = result.get("optional_support") or []
if optional:
    st.subheader("Autres accompagnements possibles")
    for item in optional:
        st.markdown(f"- {md_escape(sheet.label(item.get('name')))} : {md_escape(reason_text(item))}")
not_proposed = result.get("not_proposed") or []
if not_proposed:
    with st.expander("Parcours écartés et pourquoi"):
        for item in not_proposed:
            st.markdown(f"- {md_escape(sheet.label(item))}")
jobs = result.get("jobs") or []
if jobs:
    with st.expander("Métiers pris en compte"):
        for job in jobs:
            tension = f" — tension {job['tension']}/5" if job.get("tension") else ""
            st.markdown("- " + md_escape(f"{job.get('rome')} — {job.get('label')}{tension}"))
rules = result.get("rules_fired") or []
if rules:
    with st.expander("Règles appliquées"):
        st.text(", ".join(sheet.label(r) for r in rules))

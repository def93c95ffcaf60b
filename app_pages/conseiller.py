"""Rendez-vous conseiller: the adviser's profile form and the proposed pathways.

UI only: the profile dict follows the assistant's JSON contract and goes to
`assistant.plan()`; everything shown comes from its result. The form refuses
invalid values at the field (app_pages/_form.py) and computes nothing until they
are fixed; the job matched from the person's words is confirmed by the adviser
before planning. The result is kept in `st.session_state` (in memory, per user)
together with the exact profile it was computed for, and is never shown for
another profile. Nothing is written on the server: "Enregistrer le profil" is a
download to the adviser's own computer.
"""

from __future__ import annotations

import json
import re
import secrets
import zlib
from datetime import date

import streamlit as st

from app_pages._form import KEEP, Checks, age_on, amount_field, date_field, int_field, parse_month
from app_pages._shared import (EXAMPLE_JOBS, demo_banner, drop_unknown_fields, engine_or_stop, fail, level_label,
                               md_escape, on_demand, place_picker, place_value, render_pathway_steps, require,
                               scroll_to, status_badge, text_table, understand_wish)
from assistant import sheet
from assistant.parameters import param

schemes = require("assistant.schemes", "le moteur de parcours")
assistant = require("assistant", "le moteur de parcours")
if not hasattr(assistant, "plan"):
    require("assistant.plan", "le moteur de parcours")  # shows the "en cours de déploiement" message

TODAY = date.today()
LEVELS = list(range(0, 9))
# Fields of newer contracts (planner, funding, search): sent when the assistant knows them, else named.
NEWER_FIELDS = {"birth_date", "confirmed_rome", "last_contract", "income_support_end", "cpf_balance_eur",
                "previous_salary_monthly"}
NEWER_LABELS = {"birth_date": "mois de naissance", "confirmed_rome": "métier confirmé",
                "last_contract": "dernier contrat", "income_support_end": "fin de l'ARE",
                "cpf_balance_eur": "solde CPF", "previous_salary_monthly": "dernier salaire",
                "horaires_scolaires": "horaires scolaires uniquement"}
SCHOOL_HOURS = next((c for c in schemes.Constraint if "scolaire" in c.value.lower()), None)
NO_JOB = "__aucun__"
PROFILE_FORMAT = "itineraire-profil"

st.title("Rendez-vous conseiller", anchor=False)
st.caption("Renseignez la situation de la personne : Itinéraire propose des parcours datés, avec pour chaque étape "
           "la règle appliquée et sa source. Rien n'est conservé sur le serveur : un rechargement de la page efface "
           "le profil (utilisez « Enregistrer le profil (fichier) » pour le garder sur votre poste).")


def enum_select(where, label: str, enum_cls, key: str, default=None, **kw):
    members = list(enum_cls)
    index = members.index(default) if default in members else 0
    return where.selectbox(label, members, index=index, format_func=lambda m: m.label, key=key, **KEEP, **kw)


def reason_text(reason) -> str:
    """"R-xx : text" for a reason dict (the rule id lets the adviser check it in the rule book)."""
    if isinstance(reason, dict):
        return f"{reason.get('rule')} : {reason.get('text')}" if reason.get("rule") else sheet.label(reason)
    return sheet.label(reason)


# --------------------------------------------------------------------------- save / resume a profile (a file)
# Every form widget, with how its value is written to / read from the saved JSON file.
ENUMS = {"adv_status": schemes.Status, "adv_income": schemes.IncomeSupport, "adv_french": schemes.FrenchLevel,
         "adv_followed": schemes.Organisation, "adv_contract_kind": schemes.ContractKind}
ENUM_LISTS = {"adv_gaps": schemes.BasicSkillGap, "adv_constraints": schemes.Constraint}
TEXTS = ["adv_age", "adv_place_text", "adv_job_wish", "adv_diploma", "adv_diploma_year", "adv_exp_job",
         "adv_exp_months", "adv_exp_year", "adv_reg_months", "adv_birth", "adv_are_end", "adv_cpf",
         "adv_contract_end", "adv_salary", "adv_worked12", "adv_max_km", "adv_last_training_end"]
BOOLS = ["adv_registered", "adv_single_parent", "adv_rqth", "adv_qpv", "adv_zrr", "adv_foreign", "adv_licence",
         "adv_car", "adv_transport", "adv_moped", "adv_part_time", "adv_school_hours", "adv_alternance",
         "adv_project", "adv_hiring", "adv_had_training"]
INTS = ["adv_level", "adv_level_reached"]


def pick_close_job(rome: str, label: str) -> None:
    """"Étudier ce métier" (a close job of a career changer): it becomes the wish, and the only job offered
    for confirmation, preselected; the adviser still submits the form (nothing is recomputed silently)."""
    st.session_state["adv_job_wish"] = label
    memo = st.session_state.setdefault("_wish_memo", {})
    memo[(label, 5)] = {"status": "ok", "candidates": [(rome, label, 1.0)], "reason": None}
    st.session_state[f"adv_rome_{zlib.crc32(label.lower().encode())}"] = rome


def form_state() -> dict:
    """The form as JSON-ready values (what "Enregistrer le profil" writes).

    Read from one snapshot of the session state: each `st.session_state[...]` lookup costs a walk of the
    whole state in Streamlit, and this runs at every rerun."""
    state, out = st.session_state.to_dict(), {}
    for key in TEXTS + BOOLS + INTS:
        if key in state:
            out[key] = state[key]
    for key in ENUMS:
        if key in state:
            out[key] = state[key].value if state[key] is not None else None
    for key in ENUM_LISTS:
        if key in state:
            out[key] = [m.value for m in state[key]]
    if isinstance(state.get("adv_earliest"), date):
        out["adv_earliest"] = state["adv_earliest"].isoformat()
    for key in list(state):  # the confirmed job (its widget key is tied to the wish's words)
        if isinstance(key, str) and key.startswith("adv_rome_") and isinstance(state[key], str):
            out[key] = state[key]
    return out


def load_profile_file() -> None:
    """on_change of "Reprendre un profil": fill the form from a saved file, or say in French why not."""
    upload = st.session_state.get("adv_resume")
    st.session_state.pop("adv_resume_message", None)
    if upload is None:
        return
    try:
        data = json.loads(upload.getvalue().decode("utf-8"))
        if not isinstance(data, dict) or data.get("format") != PROFILE_FORMAT or not isinstance(data.get("form"), dict):
            raise ValueError("ce n'est pas un profil enregistré par Itinéraire")
        form = data["form"]
        values = {}
        for key in TEXTS:
            if key in form:
                values[key] = str(form[key] or "")
        for key in BOOLS:
            if key in form:
                values[key] = bool(form[key])
        for key in INTS:
            if isinstance(form.get(key), int) and form[key] in LEVELS:
                values[key] = form[key]
        for key, enum_cls in ENUMS.items():
            if key in form:
                values[key] = enum_cls(form[key]) if form[key] is not None else None
        for key, enum_cls in ENUM_LISTS.items():
            if key in form:
                values[key] = [enum_cls(v) for v in form[key] if v in {m.value for m in enum_cls}]
        if form.get("adv_earliest"):
            values["adv_earliest"] = date.fromisoformat(form["adv_earliest"])
        for key, value in form.items():
            if key.startswith("adv_rome_") and isinstance(value, str) and re.fullmatch(r"[A-N]\d{4}|__aucun__", value):
                values[key] = value
    except (ValueError, UnicodeDecodeError, TypeError) as exc:
        st.session_state["adv_resume_message"] = ("error", f"Fichier non repris : {exc}. Choisissez un fichier "
                                                           "« profil-itineraire.json » enregistré depuis cette page.")
        return
    for key, value in values.items():
        st.session_state[key] = value
    st.session_state["adv_resume_message"] = ("success", "Profil repris : vérifiez-le puis proposez des parcours.")


# --------------------------------------------------------------------------- form
checks = Checks(shown_missing=bool(st.session_state.get("adv_tried")))
form = st.container(key="adv_form")
with form:
    st.subheader("La personne et son projet", anchor=False)
    c1, c2, c3 = st.columns([1, 2, 3])
    age = int_field(c1, checks, "Âge", "adv_age", param("age.min_profile", TODAY), param("age.max_profile", TODAY),
                    required=True, unit="ans", placeholder="ex. 34")
    age_slot = c1.container()  # where a later cross-field check about the age is shown
    with c2:
        place = place_picker("adv_place", "Commune de résidence")
        if not st.session_state.get("adv_place_text", "").strip():
            checks.missing(c2, "adv_place_text", "Commune de résidence")
        elif place is None:
            checks.problems["adv_place_text"] = ("Commune de résidence", "commune à préciser")
    wish = c3.text_input("Métier souhaité, dans les mots de la personne", max_chars=200, key="adv_job_wish", **KEEP,
                         placeholder="ex. aide à domicile, travailler avec des enfants")
    confirmed_rome = None
    with c3:
        if not (wish or "").strip():
            checks.missing(c3, "adv_job_wish", "Métier souhaité")
        else:
            try:
                understood = understand_wish(wish.strip(), k=5)
            except Exception as exc:
                understood = None
                fail("Les métiers n'ont pas pu être proposés : rechargez la page dans un instant.", exc)
                checks.problems["adv_job_wish"] = ("Métier souhaité", "recherche de métier indisponible")
            if understood and understood["candidates"] and understood["status"] != "not_understood":
                cands = {rome: label for rome, label, _ in understood["candidates"][:5]}
                if understood["status"] != "ok":
                    st.caption(md_escape(f"À vérifier : {understood['reason'] or 'correspondance incertaine'}."))
                choice = st.radio("Métier retenu (à confirmer avec la personne)", [*cands, NO_JOB], index=None,
                                  format_func=lambda r: "Aucun : je reformule le souhait" if r == NO_JOB
                                  else f"{cands[r]} ({r})",
                                  key=f"adv_rome_{zlib.crc32(wish.strip().lower().encode())}", **KEEP)
                if choice is None:
                    checks.missing(st, "adv_rome", "Métier retenu")
                elif choice == NO_JOB:
                    checks.add(st, "adv_rome", "Métier retenu",
                               f"Reformulez le souhait avec un nom de métier, par exemple {EXAMPLE_JOBS}.")
                else:
                    confirmed_rome = choice
            elif understood is not None:
                checks.add(st, "adv_job_wish", "Métier souhaité",
                           f"Nous n'avons pas compris « {wish.strip()} » : essayez un métier, "
                           f"par exemple {EXAMPLE_JOBS}.")
    c1, c2, c3 = st.columns(3)
    status = enum_select(c1, "Situation actuelle", schemes.Status, "adv_status", schemes.Status.DEMANDEUR_EMPLOI)
    income = enum_select(c2, "Allocation perçue", schemes.IncomeSupport, "adv_income", schemes.IncomeSupport.AUCUN)
    level_validated = c3.selectbox("Niveau validé (diplôme le plus élevé obtenu)", LEVELS, index=3,
                                   format_func=level_label, key="adv_level", **KEEP)

    # One folded section (not two): one Tab stop less on the keyboard path to "Proposer des parcours".
    details = st.expander("Suivi, droits, expérience, mobilité et contraintes", icon=":material/badge:")
    with details:
        st.markdown("**Suivi, droits, formation et expérience**")
        c1, c2, c3 = st.columns(3)
        followed = c1.selectbox("Structure qui suit la personne", [None, *schemes.Organisation],
                                format_func=lambda o: "Aucune" if o is None else o.label, key="adv_followed", **KEEP)
        registered = c2.checkbox("Inscrit(e) à France Travail", value=True, key="adv_registered", **KEEP)
        registration_months = int_field(c3, checks, "Mois d'inscription à France Travail", "adv_reg_months", 0, 600,
                                        unit="mois", disabled=not registered, placeholder="ex. 6")
        c1, c2, c3 = st.columns(3)
        birth = date_field(c1, checks, "Mois de naissance (facultatif)", "adv_birth", parse=parse_month,
                           fmt="MM/AAAA", lo=date(TODAY.year - 100, 1, 1), hi=TODAY)
        are_end = date_field(c2, checks, "Fin des droits ARE (facultatif)", "adv_are_end",
                             help="Date de fin de l'allocation chômage, si la personne en perçoit une.")
        cpf = amount_field(c3, checks, "Solde CPF en euros (facultatif)", "adv_cpf", 100_000,
                           help="Montant affiché sur moncompteformation.gouv.fr.")
        c1, c2, c3 = st.columns(3)
        contract_kind = c1.selectbox("Dernier contrat de travail", [None, *schemes.ContractKind],
                                     format_func=lambda k: "Aucun / non renseigné" if k is None else k.label,
                                     key="adv_contract_kind", **KEEP)
        contract_end = date_field(c2, checks, "Fin du dernier contrat", "adv_contract_end")
        contract_slot = c2.container()
        salary = amount_field(c3, checks, "Dernier salaire mensuel brut (facultatif)", "adv_salary", 50_000)
        worked12 = int_field(c1, checks, "Mois travaillés sur les 12 derniers mois", "adv_worked12", 0, 12,
                             unit="mois", placeholder="ex. 0")
        c1, c2, c3 = st.columns(3)
        rqth = c1.checkbox("RQTH obtenue ou en cours", key="adv_rqth", **KEEP,
                           help="Reconnaissance de la qualité de travailleur handicapé.")
        single_parent = c1.checkbox("Parent isolé", key="adv_single_parent", **KEEP)
        qpv = c2.checkbox("Habite en quartier prioritaire (QPV)", key="adv_qpv", **KEEP)
        zrr = c3.checkbox("Habite en zone rurale (ZRR)", key="adv_zrr", help="Zone de revitalisation rurale.", **KEEP)

        st.markdown("**Formation et expérience**")
        c1, c2 = st.columns(2)
        level_reached = c1.selectbox("Niveau atteint (classe suivie, même sans diplôme)", LEVELS, index=3,
                                     format_func=level_label, key="adv_level_reached", **KEEP)
        french = c2.selectbox("Niveau de français (si ce n'est pas la langue maternelle)",
                              [None, *schemes.FrenchLevel], format_func=lambda m: "langue maternelle / non évalué"
                              if m is None else m.label, key="adv_french", **KEEP)
        if level_reached < level_validated:
            checks.add(c1, "adv_level_reached", "Niveau atteint",
                       "Niveau atteint : il ne peut pas être inférieur au niveau validé.")
        c1, c2, c3 = st.columns([3, 1, 2])
        diploma_title = c1.text_input("Diplôme le plus élevé (intitulé, facultatif)", max_chars=200, key="adv_diploma", **KEEP)
        diploma_year = int_field(c2, checks, "Année d'obtention", "adv_diploma_year", 1940, TODAY.year,
                                 placeholder="AAAA")
        foreign = c3.checkbox("Diplôme étranger non reconnu", key="adv_foreign", **KEEP)
        c1, c2, c3 = st.columns([3, 1, 1])
        exp_job = c1.text_input("Dernière expérience professionnelle (métier, facultatif)", max_chars=200, key="adv_exp_job", **KEEP)
        exp_months = int_field(c2, checks, "Durée (mois)", "adv_exp_months", 0, 600, unit="mois")
        exp_year = int_field(c3, checks, "Dernière année", "adv_exp_year", 1940, TODAY.year, placeholder="AAAA")
        if (exp_job or "").strip() and exp_months is None and "adv_exp_months" not in checks.problems:
            checks.add(c2, "adv_exp_months", "Durée (mois)", "Durée (mois) : à renseigner pour cette expérience.")
        gaps = st.multiselect("Difficultés sur les savoirs de base", list(schemes.BasicSkillGap),
                              format_func=lambda m: m.label, key="adv_gaps", placeholder="Aucune", **KEEP)
        c1, c2, c3 = st.columns(3)
        project_validated = c1.checkbox("Projet professionnel validé", key="adv_project", **KEEP,
                                        help="Projet confirmé par une immersion, une enquête métier ou une expérience.")
        hiring_offer = c2.checkbox("Promesse d'embauche", key="adv_hiring", **KEEP,
                                   help="Un employeur propose un contrat de 6 mois ou plus.")
        wants_alternance = c3.checkbox("Souhaite se former en alternance", key="adv_alternance", **KEEP)
        had_training = c1.checkbox("A suivi une formation financée par la Région ces dernières années",
                                   key="adv_had_training", **KEEP)
        last_training_end = date_field(c2, checks, "Fin de cette formation", "adv_last_training_end",
                                       hi=TODAY) if had_training else None
        if had_training and last_training_end is None and "adv_last_training_end" not in checks.problems:
            checks.missing(c2, "adv_last_training_end", "Fin de cette formation")

    with details:
        st.markdown("**Mobilité, disponibilités et contraintes**")
        c1, c2, c3 = st.columns(3)
        max_km = int_field(c1, checks, "Distance maximale (km, aller)", "adv_max_km", 1, 300, unit="km",
                           placeholder=f"par défaut {param('mobility.search_radius_km', TODAY)} km",
                           help="Vide : 30 km ou 1 h en transports en commun (règle R-MOB-SEARCH).")
        licence = c2.checkbox("Permis B", key="adv_licence", **KEEP)
        car = c2.checkbox("Véhicule", key="adv_car", **KEEP)
        moped = c3.checkbox("Cyclomoteur ou permis AM", key="adv_moped", **KEEP,
                            help="Un deux-roues permet d'aller plus loin qu'en transports en commun (environ 25 km).")
        transport = c3.checkbox("Transports en commun", value=True, key="adv_transport", **KEEP,
                                help="Des transports en commun desservent le domicile.")
        c1, c2, c3 = st.columns(3)
        part_time = c1.checkbox("Temps partiel uniquement", key="adv_part_time", **KEEP)
        school_hours = c1.checkbox("Horaires scolaires uniquement", key="adv_school_hours", **KEEP,
                                   help="Disponible seulement pendant les heures d'école (enfants à déposer et "
                                        "reprendre).")
        earliest = c2.date_input("Disponible à partir du", value=TODAY, format="DD/MM/YYYY", key="adv_earliest",
                                 **KEEP)
        constraints = c3.multiselect("Freins à lever", [c for c in schemes.Constraint if c is not SCHOOL_HOURS],
                                     format_func=lambda m: m.label, key="adv_constraints", placeholder="Aucun", **KEEP)

    # Cross-field checks, shown at the field they concern.
    if age is not None and birth is not None and age not in (age_on(birth, TODAY), age_on(birth, TODAY) - 1):
        checks.add(age_slot, "adv_age", "Âge", f"Âge : {age} ans ne correspond pas au mois de naissance "
                   f"{birth:%m/%Y} ({age_on(birth, TODAY)} ans). Corrigez l'un des deux.")
    if contract_kind is not None and contract_end is None and "adv_contract_end" not in checks.problems:
        checks.missing(contract_slot, "adv_contract_end", "Fin du dernier contrat")
    if contract_end is not None and contract_kind is None:
        checks.add(contract_slot, "adv_contract_kind", "Dernier contrat de travail",
                   "Dernier contrat de travail : choisissez son type (CDD, CDI, intérim) ou effacez la date de fin.")

    submitted = st.button("Proposer des parcours", type="primary", key="adv_submit", icon=":material/route:")

# --------------------------------------------------------------------------- the profile (only when the form is valid)
profile = None
if checks.ok:
    profile = {
        "age": int(age), "status": status.value, "registered_france_travail": registered,
        "registration_months": (registration_months or 0) if registered else 0, "income_support": income.value,
        "level_validated": level_validated, "level_reached": max(level_reached, level_validated),
        "diplomas": [{"title": diploma_title.strip(), "level": level_validated,
                      **({"year": diploma_year} if diploma_year else {})}] if (diploma_title or "").strip() else [],
        "foreign_diploma_unrecognised": foreign,
        "experience": [{"job": exp_job.strip(), "months": exp_months, **({"last_year": exp_year} if exp_year else {})}]
        if (exp_job or "").strip() and exp_months else [],
        "rqth": rqth, "qpv": qpv, "zrr": zrr,
        "commune": place_value(place, "insee", "code_insee", "name"),
        "mobility": {"max_km": max_km, "driving_licence": licence, "car": car, "public_transport": transport,
                     "moped": moped},
        "availability": {"part_time_only": part_time, "earliest_start": earliest.isoformat()},
        "basic_skills_gaps": [g.value for g in gaps], "french_level": french.value if french else None,
        "project_validated": project_validated, "wish": wish.strip(), "wish_romes": [confirmed_rome],
        "confirmed_rome": confirmed_rome,
        "last_region_training_end": last_training_end.isoformat() if last_training_end else None,
        "hiring_offer": hiring_offer, "single_parent": single_parent,
        "constraints": [c.value for c in constraints] + ([SCHOOL_HOURS.value] if school_hours and SCHOOL_HOURS else []),
        "wants_alternance": wants_alternance, "followed_by": followed.value if followed else None,
        "worked_months_last_12": worked12 or 0,
        "birth_date": f"{birth:%Y-%m}" if birth else None,
        "income_support_end": are_end.isoformat() if are_end else None,
        "cpf_balance_eur": cpf,
        "previous_salary_monthly": salary,
        "last_contract": {"kind": contract_kind.value, "end": contract_end.isoformat()}
        if contract_kind and contract_end else None,
    }
    profile = {k: v for k, v in profile.items() if v is not None}  # absent fields take the contract's defaults
    profile["mobility"] = {k: v for k, v in profile["mobility"].items() if v is not None}

with st.container(key="no_print"):
    saved = {"format": PROFILE_FORMAT, "version": 1, "saved": TODAY.isoformat(), "form": form_state(),
             "profile": profile}  # the form as it is now; written out only when the button is clicked
    st.download_button("Enregistrer le profil (fichier)",
                       on_demand(lambda: json.dumps(saved, ensure_ascii=False, indent=1), "Le profil", as_text=True),
                       file_name="profil-itineraire.json", mime="application/json", key="adv_save",
                       icon=":material/save:", on_click="ignore",
                       help="Un fichier sur votre poste, à reprendre plus tard avec « Reprendre un profil » ; "
                            "rien n'est conservé sur le serveur.")
    with st.expander("Reprendre un profil enregistré", icon=":material/folder_open:"):
        st.file_uploader("Reprendre un profil (fichier enregistré depuis cette page)", type=["json"], key="adv_resume",
                         on_change=load_profile_file, help="Le fichier est lu en mémoire pour cette session "
                         "seulement ; rien n'est conservé sur le serveur.")
    message = st.session_state.get("adv_resume_message")
    if message:
        (st.error if message[0] == "error" else st.success)(md_escape(message[1]))

if submitted:
    st.session_state["adv_tried"] = True
    if not checks.ok:
        st.session_state.pop("adv_run", None)
        st.rerun()  # draws the missing-field messages at their fields
if st.session_state.get("adv_tried") and not checks.ok:
    fields = ", ".join(dict.fromkeys(label for label, _ in checks.problems.values()))
    st.error(f"Les parcours ne sont pas calculés : corrigez d'abord {md_escape(fields)}.", icon=":material/edit_note:")

if submitted and profile is not None:
    profiles = require("assistant.profile", "le profil")
    sent, dropped = drop_unknown_fields(profile, NEWER_FIELDS)
    st.session_state.pop("adv_run", None)
    try:
        parsed = profiles.parse_profile(sent)  # checked before loading anything heavy: instant feedback
    except profiles.ProfileError as exc:
        parsed = None
        st.error("Le profil est incomplet ou incohérent : corrigez les champs indiqués puis relancez.",
                 icon=":material/edit_note:")
        for msg in exc.messages:
            st.markdown(f"- {md_escape(msg)}")
    if parsed is not None:
        try:
            with st.spinner("Construction des parcours…"):
                # The engine's catalogue is the one its indexes were built from: one copy in memory.
                result = assistant.plan(sent, catalogue=engine_or_stop().catalogue)
            st.session_state["adv_run"] = {"profile": profile, "result": result, "dropped": dropped,
                                           "n": secrets.token_hex(4)}  # one scroll to the results per submission
        except Exception as exc:
            fail("Les parcours n'ont pas pu être calculés. Vérifiez le profil puis relancez ; "
                 "si le problème persiste, signalez-le avec l'heure de l'essai.", exc)

run = st.session_state.get("adv_run")
if not run:
    st.stop()
if run["profile"] != profile:
    st.info("Le profil a changé depuis le calcul des parcours : cliquez sur « Proposer des parcours » pour les "
            "mettre à jour.", icon=":material/update:")
    st.stop()
result = run["result"]

# --------------------------------------------------------------------------- results
results = st.container(key="adv_results")
scroll_to("adv_results", run["n"])
with results:
    st.divider()
    st.header("Parcours proposés")
    demo_banner(result.get("demo_data"))
    unread = [k for k in run.get("dropped") or [] if k != "confirmed_rome"]  # the job also goes as wish_romes
    if unread:
        st.caption(md_escape("Renseigné mais pas encore pris en compte par cette version du moteur : "
                             + ", ".join(NEWER_LABELS.get(k, k) for k in unread) + "."))
    if school_hours and SCHOOL_HOURS is None:
        st.caption("Horaires scolaires uniquement : pas encore pris en compte par cette version du moteur ; "
                   "vérifiez les horaires de chaque session avec l'organisme.")
    referent = result.get("referent") or {}
    if referent:
        name = referent.get("organisation") if isinstance(referent, dict) else referent
        st.markdown(f"**Organisme référent :** {md_escape(name)}")
        if isinstance(referent, dict) and referent.get("why"):
            st.caption(md_escape(f"{referent['why']} ({', '.join(referent.get('rules') or [])})"))
    for warning in sheet.labels(result.get("warnings")):
        st.warning(md_escape(warning), icon=":material/warning:")

    plan_status = result.get("status", "ok")
    if plan_status == "a_preciser":
        st.info("Le métier souhaité est à préciser avant de construire des parcours.", icon=":material/help:")
        for question in sheet.labels(result.get("questions")):
            st.markdown(f"- {md_escape(question)}")
        for cand in result.get("candidate_jobs") or []:
            st.markdown("- " + md_escape(f"{cand.get('label')} ({cand.get('rome')})"
                                         + (f" : {cand['why']}" if cand.get("why") else "")))
    elif plan_status == "hors_region":
        st.info(md_escape(sheet.label(result.get("message")) or "La commune est hors de Nouvelle-Aquitaine : "
                          "la Région n'y finance pas de formation."), icon=":material/location_off:")

    pathways = result.get("pathways") or []
    if not pathways and plan_status == "ok" and not result.get("warnings"):
        st.info("Aucun parcours ne correspond à ce profil dans le catalogue actuel. Élargissez la distance "
                "ou le métier souhaité.", icon=":material/search_off:")
    elif pathways:
        if len(pathways) > 1:
            st.subheader("Comparaison côte à côte")
            for col, (n, pathway) in zip(st.columns(len(pathways)), enumerate(pathways, 1)):
                with col.container(border=True):
                    st.markdown(f"**Parcours {n} : {md_escape(pathway.get('title'))}**")
                    st.caption(f"{sheet.months_text(pathway.get('total_months'))} — du "
                               f"{sheet.fr_date(pathway.get('start'))} au {sheet.fr_date(pathway.get('end'))}")
                    steps = [f"- {md_escape(sheet.step_heading(step))}" for step in pathway.get("steps") or []]
                    if steps:
                        st.markdown("\n".join(steps))  # one list, one element
                    money = sheet.income_text(pathway)
                    st.caption(md_escape(f"Revenu estimé : {money}" if money else "Revenu : à vérifier avec la "
                                         "personne (non estimé pour ce parcours)"))
            choice = st.radio("Parcours retenu", list(range(len(pathways))), horizontal=True, key="adv_choice",
                              format_func=lambda i: f"Parcours {i + 1}")
        else:
            choice = 0
        chosen = pathways[choice]
        st.subheader(f"Parcours {choice + 1} en détail : {md_escape(chosen.get('title'))}")
        render_pathway_steps(chosen)

        st.subheader("Fiche parcours et agenda")
        c1, c2, c3 = st.columns(3)
        first_name = c1.text_input("Prénom à imprimer sur la fiche (facultatif, jamais enregistré)", max_chars=80,
                                   key="adv_first_name")
        adviser_name = c2.text_input("Nom du conseiller ou de la conseillère (sur la fiche)", max_chars=100, key="adv_adviser_name",
                                     **KEEP)
        structure = c3.text_input("Structure et téléphone du conseiller (sur la fiche)", max_chars=150, key="adv_structure",
                                  value=followed.label if followed else "", **KEEP)
        c1, c2, c3, c4 = st.columns(4)
        try:
            catalogue = engine_or_stop().catalogue
            c1.download_button("Fiche pour la personne (PDF)",
                               on_demand(lambda: sheet.pathway_pdf(result, choice, first_name, adviser=adviser_name,
                                                                   structure=structure, catalogue=catalogue,
                                                                   wish=wish.strip(), profile=profile), "La fiche"),
                               file_name="fiche-parcours.pdf", mime="application/pdf", key="adv_pdf",
                               icon=":material/picture_as_pdf:", on_click="ignore")
            c2.download_button("Annexe conseiller : règles et sources (PDF)",
                               on_demand(lambda: sheet.adviser_annex_pdf(result, choice), "L'annexe"),
                               file_name="annexe-conseiller.pdf", mime="application/pdf", key="adv_annex",
                               icon=":material/gavel:", on_click="ignore")
            c3.download_button("Dates du parcours (CSV)",
                               on_demand(lambda: sheet.pathway_csv(result, choice), "La liste des dates", as_text=True),
                               file_name="parcours.csv",
                               mime="text/csv", key="adv_csv", icon=":material/table:", on_click="ignore")
            c4.download_button("Ajouter à l'agenda (iCalendar)",
                               on_demand(lambda: sheet.pathway_ics(result, choice), "L'agenda", as_text=True),
                               file_name="parcours.ics", mime="text/calendar", key="adv_ics",
                               icon=":material/calendar_month:", on_click="ignore")
        except Exception as exc:
            fail("La fiche n'a pas pu être produite pour ce parcours.", exc)

    eligibility = result.get("eligibility") or []
    if eligibility:
        order = {"eligible": 0, "derogation": 1, "not_eligible": 2}
        items = sorted(eligibility if isinstance(eligibility, list) else eligibility.values(),
                       key=lambda it: order.get(str(getattr(it.get("status"), "value", it.get("status"))), 3))

        def rows(selected):
            return [{"Dispositif": sheet.label(it.get("label") or it.get("scheme_label") or it.get("scheme")),
                     "Statut": status_badge(it.get("status")),
                     "Raisons": " ; ".join(reason_text(r) for r in it.get("reasons") or []),
                     "Ce qui débloquerait": " ; ".join(sheet.labels(it.get("unlock") or it.get("what_would_unlock")))}
                    for it in selected]

        open_items = [it for it in items if order.get(str(it.get("status"))) in (0, 1)]
        closed = [it for it in items if it not in open_items]
        st.subheader("Dispositifs ouverts à la personne")
        if open_items:
            text_table(rows(open_items), "Dispositifs ouverts à la personne, avec les raisons")
        else:
            st.caption("Aucun dispositif ouvert sans condition supplémentaire.")
        if closed:
            with st.expander(f"Dispositifs non ouverts ({len(closed)}) et ce qui les débloquerait"):
                text_table(rows(closed), "Dispositifs non ouverts à la personne, avec les raisons")
        st.caption("✓ éligible · ⚠ possible sur dérogation · ✗ non éligible")

    market = sheet.market_lines(result)
    if market:
        st.subheader(sheet.MARKET_HEADING)
        for line in market:
            st.markdown(f"- {md_escape(line)}")
    if sheet.close_jobs_of(result):
        st.subheader(sheet.CLOSE_JOBS_HEADING)
        st.caption("Métiers proches de l'expérience de la personne (reconversion) : à étudier avec elle ; "
                   "« Étudier ce métier » le propose comme métier retenu dans le formulaire, à confirmer.")
        other_family = False
        if "close_jobs_other_family" in (result.get("territory") or {}):
            other_family = st.checkbox("Écarter les métiers de la même famille que le métier quitté",
                                       key="adv_close_other_family",
                                       help="Suggéré par la contrainte de santé ou la RQTH : ces métiers ont souvent "
                                            "les mêmes contraintes physiques. À décider avec la personne.")
        close_jobs = sheet.close_jobs_of(result, other_family)
        if not close_jobs:
            st.info("Aucun métier proche hors de la même famille.", icon=":material/info:")
        for n, (job, line) in enumerate(zip(close_jobs, sheet.close_job_lines(result, other_family))):
            c1, c2 = st.columns([5, 1])
            c1.markdown(f"- {md_escape(line)}")
            c2.button("Étudier ce métier", key=f"adv_close_{n}", on_click=pick_close_job,
                      args=(str(job.get("rome")), str(job.get("label") or job.get("rome"))))
    optional = result.get("optional_support") or []
    if optional:
        st.subheader("Autres accompagnements possibles")
        st.markdown("\n".join(f"- {md_escape(sheet.label(item.get('name')))} : {md_escape(reason_text(item))}"
                               for item in optional))
    not_proposed = result.get("not_proposed") or []
    if not_proposed:
        with st.expander("Parcours écartés et pourquoi"):
            st.markdown("\n".join(f"- {md_escape(sheet.label(item))}" for item in not_proposed))
    jobs = result.get("jobs") or []
    if jobs:
        with st.expander("Métiers pris en compte"):
            lines = []
            for job in jobs:
                tension = (f" — difficulté de recrutement : {sheet.tension_text(job['tension'])}"
                           if job.get("tension") else "")
                lines.append("- " + md_escape(f"{job.get('label')} ({job.get('rome')}){tension}"))
            st.markdown("\n".join(lines))
    rules = result.get("rules_fired") or []
    if rules:
        with st.expander("Règles appliquées"):
            st.text(", ".join(sheet.label(r) for r in rules))

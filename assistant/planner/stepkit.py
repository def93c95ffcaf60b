"""Steps shared by routes: catalogue steps with their actions and supports, add-on modules, the common
preamble (diagnostic, barriers, CEJ, basic skills, discovery, prépa) and steps still "à trouver"."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.eligibility import fr_date
from assistant.parameters import param
from assistant.planner.context import (
    DAYS_PER_MONTH,
    DEMO_WARNING,
    REGION_FUNDED,
    Context,
    RouteFailed,
    _action,
    _fixed,
    _next_day,
    view_memo,
    why,
)
from assistant.planner.sessions import Choice, _mobility_aid, _pick_rows, pick_session
from assistant.schemes import (
    BasicSkillGap,
    Constraint,
    EligibilityStatus,
    FrenchLevel,
    Scheme,
)
from assistant.steps import Step, StepKind, Why
from catalog.model import ModuleTheme, Offer, OfferKind

if TYPE_CHECKING:  # annotations only: the routes module imports this one
    from assistant.planner.routes import Route


def catalogue_step(ctx: Context, kind: StepKind, choice: Choice, whys: list[Why], warnings: list[str]) -> Step:
    """A training step on a real session, with its practical facts and the next actions."""
    offer, session = choice.offer, ctx.view.sessions[choice.row]
    # the step's job: a target job of the offer; else a "proche" job (labelled); a transversal offer (socle,
    # amorce, prépa, module) found without a job filter names no job rather than another one
    rome = next((r for r in ctx.romes if r in offer.rome_codes), None) or next(
        (r for r in ctx.close_romes if r in offer.rome_codes), None)
    contact = None
    if offer.contact and (offer.contact.email or offer.contact.phone):
        contact = " — ".join(x for x in (offer.contact.name, offer.contact.phone, offer.contact.email) if x)
    step = Step(
        kind=kind, title=offer.title, start=choice.start, end=choice.end, why=list(whys),
        offer_id=offer.id, session_id=session.id, provider=offer.provider.name or None,
        commune=session.commune_name, commune_insee=session.commune_insee, distance_km=choice.distance_km,
        hours_per_week=offer.duration.hours_per_week, places_left=session.places_left,
        info_session=session.info_session, contact=contact, rome=rome,
        certification=offer.certification.title or None,
    )
    _relate(ctx, step)
    info = session.info_session if session.info_session and session.info_session >= ctx.today else None
    if info:
        step.next_actions.append(_action(f"Réunion d'information de l'organisme le {fr_date(info)}", when=info))
    if kind == StepKind.APPRENTISSAGE:
        grace = ctx.p("chain.cfa_without_employer_days")
        step.next_actions.append(_action(
            "Trouver un employeur (avec l'appui du CFA et du référent) et signer le contrat d'apprentissage ; "
            f"le CFA peut vous accueillir jusqu'à {grace // 30} mois sans contrat après le début de la formation",
            deadline=choice.start + timedelta(days=grace)))
    elif kind == StepKind.CONTRAT_PRO:
        step.next_actions.append(_action(
            "Trouver un employeur (avec l'appui du CFA et du référent) et signer le contrat avant l'entrée",
            deadline=choice.start))
    else:
        step.next_actions.append(_action(
            f"Prescription par {ctx.referent_name} dans Ouiform (ou positionnement direct auprès de l'organisme)",
            deadline=info or choice.start))
    if offer.provenance.demo:
        warnings.append(DEMO_WARNING)
    if choice.age_doubt and kind != StepKind.APPRENTISSAGE:
        warnings.append(f"« {offer.title} » a une limite d'âge que vous atteignez peut-être avant l'entrée du "
                        f"{fr_date(choice.start)} : indiquez le mois de naissance pour le vérifier.")
    if choice.full:
        warnings.append(f"« {offer.title} » ({session.commune_name}) est complète à ce jour : "
                        "inscription en liste d'attente, à confirmer avec l'organisme.")
    if choice.beyond_radius and choice.distance_km is not None:
        extra = choice.distance_km - ctx.max_km
        warnings.append(f"« {offer.title} » est à {choice.distance_km:.0f} km, soit {extra:.0f} km au-delà du rayon "
                        f"de {ctx.max_km:.0f} km : possible avec l'aide à la mobilité de France Travail "
                        f"({ctx.p('mobility.aid_eur_per_km'):.2f} €/km, repas, hébergement), à demander "
                        f"{ctx.to_referent} dans le mois qui suit l'entrée.")
    if ctx.needs_part_time and kind == StepKind.APPRENTISSAGE and not ctx.profile.rqth_or_pending:
        warnings.append(f"« {offer.title} » : le contrat d'apprentissage est à temps plein (temps partiel seulement "
                        "avec une RQTH, sur proposition du médecin du travail) : à discuter avec l'employeur et le CFA.")
    elif ctx.needs_part_time and kind == StepKind.APPRENTISSAGE:
        warnings.append(f"« {offer.title} » : contrat d'apprentissage aménagé à temps partiel (RQTH) à demander au CFA "
                        "et à l'employeur, sur avis du médecin du travail.")
    elif ctx.needs_part_time and not choice.part_time_ok:  # invariant 7
        warnings.append(f"« {offer.title} » : temps plein : aménagement à demander (temps partiel, horaires) à "
                        f"l'organisme avec {ctx.referent_name}.")
    step.support.extend(supports_for(ctx, step, offer))
    return step


def _relate(ctx: Context, step: Step) -> Step:
    """Label the step's job: the target, or explicitly a "métier proche" (contract point 2)."""
    rome = step.rome
    step.job_relation = ctx.relation(rome)
    if step.job_relation == "metier_proche" and rome is not None:  # a job relation needs a job (ctx.relation)
        from catalog.referentials import rome_label

        target = ctx.jobs[0].label if ctx.jobs else "métier visé"
        step.job_relation_label = f"métier proche : {rome_label(rome) or rome} (proche de « {target} »)"
    elif step.job_relation == "cible":
        step.job_relation_label = "métier visé"
    return step


def supports_for(ctx: Context, step: Step, offer: Offer) -> list[dict[str, Any]]:
    """People and aids to involve for this step (RQTH, social referent, mobility)."""
    out: list[dict[str, Any]] = []
    if ctx.profile.rqth_or_pending:
        ref = offer.accessibility.referent_handicap
        named = ref and (ref.name or ref.email or ref.phone)
        out.append({
            "name": f"Référent handicap de l'organisme{' : ' + ref.name if ref and ref.name else ''}",
            "contact": " — ".join(x for x in ((ref.phone, ref.email) if ref else ()) if x) or None,
            "text": ("à contacter avant l'entrée pour les aménagements (rythme, examens, matériel)"
                     if named else "contact non publié dans l'offre : le demander à l'organisme"),
            "rule": "R-RQTH",
        })
        out.append({"name": "Agefiph — aide à l'adaptation des situations de formation",
                    "text": "demandée par le référent handicap de l'organisme ; montant selon le besoin de compensation",
                    "rule": "R-RQTH"})
        if ctx.referent != "Cap Emploi":
            out.append({"name": "Cap Emploi", "text": "accompagnement spécialisé possible (RQTH)", "rule": "R-RQTH"})
        if step.kind == StepKind.APPRENTISSAGE:
            out.append({"name": "Contrat d'apprentissage aménagé",
                        "text": "durée allongée, temps partiel possible sur proposition du médecin du travail ; "
                                "pas de limite d'âge avec la RQTH",
                        "rule": "R-RQTH"})
    if offer.referent_social and (offer.referent_social.name or offer.referent_social.email or offer.referent_social.phone):
        rs = offer.referent_social
        out.append({"name": f"Référent social de l'organisme{' : ' + rs.name if rs.name else ''}",
                    "contact": " — ".join(x for x in (rs.phone, rs.email) if x) or None,
                    "text": "logement, transport, garde d'enfants, difficultés pendant la formation"})
    if step.distance_km is not None and step.distance_km > min(ctx.p("chain.mobility_aid_km"), ctx.max_km) \
            and _mobility_aid(ctx):
        from assistant.eligibility import mobility_aid_for_step

        e = mobility_aid_for_step(ctx.profile, ctx.today, 2 * step.distance_km, offer.kind in REGION_FUNDED)
        if e.status != EligibilityStatus.NOT_ELIGIBLE:
            out.append({"name": Scheme.AIDE_MOBILITE.label, "text": " ; ".join(r.text for r in e.reasons),
                        "rule": "R-MOB"})
    return out


def _needed_themes(ctx: Context, step: Step, offer: Offer) -> list[tuple[ModuleTheme, str, str]]:
    """(theme, reason, rule) of the add-ons this person needs around this step."""
    prof, out = ctx.profile, []
    fle_below = FrenchLevel(ctx.p("addons.fle_below"))
    if prof.french_level is not None and prof.french_level.rank < fle_below.rank:
        out.append((ModuleTheme.FLE, f"niveau de français {prof.french_level.value}, inférieur à {fle_below.value}",
                    "R-FLE-OFII"))
    if offer.sector.value in ctx.p("addons.transition_sectors"):
        out.append((ModuleTheme.TRANSITION_ECOLOGIQUE, f"métier du secteur « {offer.sector.label} »", "R-MQ"))
    mob = prof.mobility
    if not mob.driving_licence and (step.rome in ctx.p("addons.car_romes") or prof.zrr or not mob.public_transport):
        place = "le métier demande souvent une voiture" if step.rome in ctx.p("addons.car_romes") \
            else "lieu de vie peu desservi"
        out.append((ModuleTheme.PERMIS, f"pas de permis et {place}", "R-PERMIS"))
    level = offer.certification.level
    if offer.prerequisites.tests and level is not None and prof.eligibility_level(ctx.today) < level:
        out.append((ModuleTheme.REMISE_A_NIVEAU, "entrée sélective (tests) vers un niveau supérieur", "R-SOCLE"))
    return out


ADDON_TITLES = {
    ModuleTheme.NUMERIQUE: "Module numérique",
    ModuleTheme.FLE: "Module français langue étrangère (FLE)",
    ModuleTheme.TRANSITION_ECOLOGIQUE: "Module transition écologique",
    ModuleTheme.PERMIS: "Permis de conduire B",
    ModuleTheme.REMISE_A_NIVEAU: "Remise à niveau avant les tests d'entrée",
}


BEFORE_ENTRY = {ModuleTheme.REMISE_A_NIVEAU, ModuleTheme.FLE}


def attach_add_ons(ctx: Context, step: Step, offer: Offer, prev: Step | None = None) -> None:
    """Attach the modular add-ons the person needs, from MODULE sessions near them when the catalogue has one.

    Invariant 15: a module never overlaps a full-time step. It goes before the entry, in the gap after the
    previous step; alongside only a part-time step (the hours are added); otherwise it is "à placer"."""
    part_time = _is_part_time(ctx, step, offer)
    for theme, reason, rule_id in _needed_themes(ctx, step, offer):
        addon: dict[str, Any] = {"theme": theme.value, "title": ADDON_TITLES[theme], "reason": reason, "rule": rule_id}
        if theme in offer.add_ons:
            addon["text"] = "inclus dans la formation"
        else:
            gap_start = max(ctx.available_from, prev.end + timedelta(days=1) if prev else ctx.available_from)
            choice = _pick_rows(ctx, ctx.view.by_theme.get(theme), gap_start, step.start - timedelta(days=1),
                                end_before=step.start)
            placement = "avant l'entrée en formation"
            if choice is None and part_time and theme not in BEFORE_ENTRY:
                choice = _pick_rows(ctx, ctx.view.by_theme.get(theme), step.start, step.end, end_before=step.end)
                placement = "en parallèle de la formation à temps partiel"
            if choice is None:
                addon["text"] = ("à placer avec le référent : pas de module proche entre les étapes ni en parallèle "
                                 "d'une formation à temps partiel aux bonnes dates")
                addon["a_placer"] = True
            else:
                s = ctx.view.sessions[choice.row]
                addon.update({
                    "title": choice.offer.title, "offer_id": choice.offer.id, "session_id": s.id,
                    "start": choice.start.isoformat(), "end": choice.end.isoformat(), "commune": s.commune_name,
                    "distance_km": None if choice.distance_km is None else round(choice.distance_km, 1),
                    "text": placement, "placement": "alongside" if placement.startswith("en parallèle") else "before",
                })
                if addon["placement"] == "alongside":
                    addon["hours_added_per_week"] = choice.offer.duration.hours_per_week
        if theme == ModuleTheme.PERMIS:
            aid = _permis_aid(ctx)
            if aid is not None:
                addon["aid"] = aid
                step.next_actions.append(_action(f"Demander « {aid['name']} » avant l'inscription à l'auto-école",
                                                 deadline=step.start))
        step.add_ons.append(addon)


def _is_part_time(ctx: Context, step: Step, offer: Offer) -> bool:
    hours = step.hours_per_week or offer.duration.hours_per_week
    return offer.rhythm.value == "PART_TIME" or (hours is not None and hours < ctx.p("rps.full_time_hours_week"))


def _permis_aid(ctx: Context) -> dict[str, Any] | None:
    """The first open licence aid: the Region's before France Travail's (the FT aid is subsidiary)."""
    for scheme in (Scheme.AIDE_PERMIS_REGION, Scheme.AIDE_PERMIS_FT):
        if ctx.open(scheme):
            return {"name": scheme.label, "scheme": scheme.value,
                    "conditions": [r.text for r in ctx.eligibility[scheme].reasons], "rule": "R-PERMIS"}
    return None


def _diagnostic(ctx: Context) -> Step:
    diag_start = ctx.diagnostic_start
    diag = _fixed(StepKind.DIAGNOSTIC, f"Diagnostic avec {ctx.referent_name}", diag_start,
                  ctx.p("dates.diagnostic_days"), [why("R-DIAG", f"Premier rendez-vous avec {ctx.referent_name}, "
                                                                  "organisme référent : diagnostic global et projet.")])
    diag.next_actions.append(_action(f"Prendre rendez-vous avec {ctx.referent_name}", deadline=diag_start))
    if ctx.profile.foreign_diploma_unrecognised:  # R-SOCLE / ENIC-NARIC: the diploma may count once recognised
        diag.next_actions.append(_action(
            "Demander l'attestation de comparabilité du diplôme étranger (France Éducation international, "
            "ENIC-NARIC) : le niveau reconnu peut ouvrir d'autres formations", deadline=diag.end))
    return diag


def _barriers(ctx: Context) -> tuple[str, list[Any]] | None:
    """Declared barriers to lift before training (school hours only is a rhythm, not a barrier)."""
    prof = ctx.profile
    barriers: list[Any] = [c for c in prof.constraints if c != Constraint.HORAIRES_SCOLAIRES]
    if not (prof.mobility.car or prof.mobility.public_transport or prof.mobility.moped):
        barriers.append("mobilite")
    if not barriers:
        return None
    labels = ", ".join(c.label if isinstance(c, Constraint) else "mobilité" for c in barriers)
    return labels, barriers


# First steps that stand on their own: kept even when the later qualifying session is missing.
ESSENTIAL_FIRST = frozenset({StepKind.HSP_SOCLE, StepKind.AMORCE, StepKind.PREPA_APPRENTISSAGE})


BASIC_SKILLS_PREFIX = "Compétences de base"


def _to_find(ctx: Context, route: Route, prev: Step, reason: str) -> Step:
    """A step with no session yet (invariant 10): dated indicatively, its reason said."""
    months = _typical_months(ctx)
    step = _fixed(route.main, f"{route.title} : session à trouver avec le référent", _next_day(prev),
                  round(months * DAYS_PER_MONTH),
                  [why(route.rules[0], f"Aucune session trouvée ({reason}) : dates indicatives (durée usuelle "
                                       f"{months:.0f} mois), session à trouver avec {ctx.referent_name}.")]
                  + ctx.reasons(route.eligibility_scheme)[:1])
    step.to_find, step.to_find_reason = True, reason
    step.rome = ctx.romes[0] if ctx.romes else None
    step.next_actions.append(_action(f"Chercher une session avec {ctx.referent_name} (catalogue régional, "
                                     "prochaines programmations)", deadline=step.start))
    return step


# HSP Socle objectives: the gaps each covers and the words its sessions are titled with (catalogue data).
SOCLE_OBJECTIVES: tuple[tuple[str, frozenset[BasicSkillGap], tuple[str, ...]], ...] = (
    ("Français langue étrangère (FLE)", frozenset({BasicSkillGap.FLE}), ("fle", "langue etrangere")),
    ("Lire, écrire, compter (ECLA)", frozenset({BasicSkillGap.LECTURE_ECRITURE, BasicSkillGap.CALCUL}),
     ("ecla", "lire", "ecrire", "compter", "calcul", "savoirs de base")),
    ("Numérique", frozenset({BasicSkillGap.NUMERIQUE}), ("numerique",)),
)


def _socle_rows(ctx: Context, words: tuple[str, ...]) -> np.ndarray:
    key = ("socle", words)
    memo = view_memo(ctx.view)
    if key not in memo:
        from assistant.profile import fold_accents

        rows = ctx.view.rows(OfferKind.HSP_SOCLE)
        keep = [int(r) for r in rows
                if any(w in fold_accents(f"{ctx.view.offer_of(int(r)).title} {ctx.view.offer_of(int(r)).objectives}")
                       for w in words)]
        memo[key] = np.asarray(keep, dtype=np.int64)
    return memo[key]


def _socle_steps(ctx: Context, prev: Step, warnings: list[str]) -> list[Step]:
    """R-SOCLE (invariant 8): every basic-skills gap (reading/writing, maths, digital, French below the
    dated threshold) puts an HSP Socle step with the matching objective before any qualifying step."""
    from assistant.eligibility import skills_gaps

    gaps = set(skills_gaps(ctx.profile, ctx.today))
    if not gaps:
        return []
    socle_open = ctx.open(Scheme.HSP_SOCLE)
    if not socle_open and ctx.profile.is_jobseeker:
        raise RouteFailed("compétences de base à consolider d'abord, mais l'HSP Socle n'est pas ouverte")
    out: list[Step] = []
    for objective, covers, words in SOCLE_OBJECTIVES:
        need = gaps & covers
        if not need:
            continue
        labels = ", ".join(sorted(g.label for g in need))
        if not socle_open:  # employees, students: the Region's HSP Socle is for jobseekers
            cursor = out[-1] if out else prev
            step = _fixed(StepKind.MODULE, f"Compétences de base – {objective} : certification CléA (CPF ou employeur)",
                          _next_day(cursor), round(ctx.p("dates.socle_default_months") * DAYS_PER_MONTH),
                          [why("R-SOCLE", f"Compétences de base à consolider ({labels}) avant toute formation "
                                          "qualifiante ; l'HSP Socle de la Région est réservée aux demandeurs d'emploi : "
                                          "CléA financée par le CPF, l'employeur ou Transitions Pro.")])
            step.to_find = True
            step.to_find_reason = "HSP Socle réservée aux demandeurs d'emploi : organisme CléA à choisir"
            step.next_actions.append(_action("Choisir un organisme CléA (Mon Compte Formation) ou en parler à "
                                             "l'employeur / au conseiller CEP", deadline=step.start))
            out.append(step)
            continue
        whys = [why("R-SOCLE", f"Compétences de base à consolider ({labels}) avant toute formation qualifiante : "
                               f"HSP Socle, objectif « {objective} ».")] + ctx.reasons(Scheme.HSP_SOCLE)[:1]
        cursor = out[-1] if out else prev
        choice = pick_session(ctx, [OfferKind.HSP_SOCLE], None, cursor, only_rows=_socle_rows(ctx, words))
        if choice is not None:
            out.append(catalogue_step(ctx, StepKind.HSP_SOCLE, choice, whys, warnings))
            continue
        step = _fixed(StepKind.HSP_SOCLE, f"HSP Socle de compétences – {objective} : session à trouver avec le référent",
                      _next_day(cursor), round(ctx.p("dates.socle_default_months") * DAYS_PER_MONTH), whys)
        step.to_find = True
        step.to_find_reason = f"pas de session HSP Socle « {objective} » proche aux bonnes dates"
        step.next_actions.append(_action(f"Chercher avec {ctx.referent_name} une session HSP Socle « {objective} » "
                                         "(ou une formation à distance)", deadline=step.start))
        out.append(step)
    return out


def _cej_step_needed(ctx: Context) -> bool:
    """R-YOUTH-NEET: CEJ as a step for an adult young NEET who has not tried the target job [I]."""
    return (ctx.open(Scheme.CEJ) and ctx.profile.age >= ctx.p("chain.cej_min_age")
            and ctx.profile.field_experience_months(ctx.romes) == 0)


def _prepa_needed(ctx: Context) -> bool:
    """R-ALT-PREP: prépa apprentissage first when the rules open it and no employer is lined up, except at
    the apprenticeship's last age (R-ALT): months of prépa would push the contract past the birthday."""
    return (ctx.open(Scheme.PREPA_APPRENTISSAGE) and not ctx.profile.hiring_offer
            and not _at_apprenticeship_age_limit(ctx))


def _at_apprenticeship_age_limit(ctx: Context) -> bool:
    prof = ctx.profile
    return prof.age == param("apprentissage.age_max", ctx.today) and not (prof.rqth or prof.business_creation)


def _prepa_step(ctx: Context, prev: Step, warnings: list[str]) -> Step:
    whys = [why("R-ALT-PREP", "Pas encore d'employeur : la prépa apprentissage prépare l'entrée en apprentissage "
                              "(découverte des métiers, immersions, recherche d'employeur).")]
    whys += ctx.reasons(Scheme.PREPA_APPRENTISSAGE)[:1]
    choice = pick_session(ctx, [OfferKind.PREPA_APPRENTISSAGE], None, prev)
    if choice is not None:
        return catalogue_step(ctx, StepKind.PREPA_APPRENTISSAGE, choice, whys, warnings)
    step = _fixed(StepKind.PREPA_APPRENTISSAGE, "Prépa apprentissage (CFA ou Mission Locale)", _next_day(prev),
                  ctx.p("dates.prepa_apprentissage_days"),
                  whys + [why("R-ALT-PREP", "Pas de session de prépa apprentissage dans le catalogue : dates "
                                            "indicatives, à organiser avec le référent et le CFA.")])
    step.flex_until = step.start + timedelta(days=ctx.p("dates.prepa_apprentissage_max_days"))
    step.next_actions.append(_action(f"Demander {ctx.to_referent} une place en prépa apprentissage", deadline=step.start))
    return step


def _discovery_step(ctx: Context, route: Route, prev: Step, warnings: list[str]) -> Step:
    """R-PROJ: confirm the project first: Amorce de parcours (catalogue) or a PMSMP immersion.

    The Amorce must discover the target job (one of its ROME codes): an Amorce in another sector
    (hotel trades before a home-care title) would swap the job without saying so (invariant 9);
    without one, the immersion is in the target job.
    """
    if route.amorce and ctx.open(Scheme.AMORCE):  # Region routes: Amorce de parcours
        choice = pick_session(ctx, [OfferKind.AMORCE], ctx.romes, prev)
        if choice is not None:
            return catalogue_step(ctx, StepKind.AMORCE, choice, [
                why("R-PROJ", "Projet à confirmer : l'amorce de parcours fait découvrir le métier avant "
                              "la formation qualifiante.")] + ctx.reasons(Scheme.AMORCE)[:1], warnings)
    job = ctx.jobs[0].label if ctx.jobs else "le métier visé"
    step = _fixed(StepKind.IMMERSION, f"Immersion en entreprise (PMSMP) : {job}", _next_day(prev),
                  ctx.p("dates.immersion_days"),
                  [why("R-PROJ", f"Métier jamais essayé : une immersion de {ctx.p('dates.immersion_days')} jours "
                                 "chez un employeur confirme le projet avant d'entrer en formation.")])
    step.rome = ctx.jobs[0].rome if ctx.jobs else None  # the immersion is in the target job
    step.next_actions.append(_action(f"Trouver une entreprise d'accueil ; convention PMSMP signée par {ctx.referent_name}",
                                     deadline=step.start))
    return step


def _typical_months(ctx: Context) -> float:
    """Typical length of a certifying training for the target job: median of the catalogue's offers."""
    months = []
    for kind in (OfferKind.QUALIFIANT, OfferKind.HSP_1NQ, OfferKind.APPRENTISSAGE):
        for r in ctx.view.rows(kind, ctx.romes)[:50]:
            m = ctx.view.offer_of(int(r)).duration.months
            if m:
                months.append(m)
    return float(np.median(months)) if months else float(ctx.p("dates.ptp_default_months"))

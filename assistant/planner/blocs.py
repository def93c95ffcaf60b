"""R-BLOC: a pathway whose certifying step prepares a certification the person partly holds (`blocs_held`)
completes the missing blocs only.

Why a post-processing step and not a change in each route: the blocs concern the certification of the
main step, whatever route chose it (apprenticeship, Qualifiant, CPF...), so one pass over the built
pathways, before ranking, keeps the routes untouched. The step keeps its session (same start); its
duration is cut in proportion to the missing blocs (the RNCP file gives no hours per bloc), never below
`blocs.min_duration_share`, and the steps after it (the job) move up. When the certification is open
to VAE (RNCP access route EXP), a partial validation of the remaining blocs by VAE is said as an option.
Nothing is shortened when the RNCP file does not list the certification's blocs (`known` False): the
adviser is told to check with the certifier.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from assistant.planner.context import DAYS_PER_MONTH, Context, _action, why
from assistant.steps import Pathway, Step, StepKind

BLOCS_ADD_ON = "blocs"
# Legal minimum length of the alternance contracts a certifying step may be (R-ALT, R-CPRO)
CONTRACT_MIN_MONTHS = {StepKind.APPRENTISSAGE: "apprentissage.min_months", StepKind.CONTRAT_PRO: "contrat_pro.min_months"}


def apply_blocs(ctx: Context, pathways: list[Pathway]) -> list[Pathway]:
    """Shorten each pathway's certifying step to the blocs the person still has to validate (R-BLOC)."""
    if not ctx.profile.blocs_held:
        return pathways
    for pathway in pathways:
        _apply(ctx, pathway)
    return pathways


def _apply(ctx: Context, pathway: Pathway) -> None:
    from catalog.referentials import access_routes
    from catalog.territory import missing_blocs

    main = pathway.main_step()
    offer = ctx.view.by_id.get(main.offer_id) if main is not None and main.offer_id else None
    rncp = offer.certification.rncp if offer is not None else None
    if main is None or not rncp or main.to_find:
        return
    gap = missing_blocs(rncp, ctx.profile.blocs_held)
    if not gap.held:  # no bloc of this certification: nothing to say on this step (foreign codes: see below)
        if gap.foreign or gap.invalid:
            pathway.warnings.append(_foreign_text(gap))
        return
    add_on: dict[str, Any] = {"kind": BLOCS_ADD_ON, "rule": "R-BLOC", "rncp": gap.rncp, "known": gap.known,
                              "held": list(gap.held), "missing": [{"code": b.code, "title": b.title}
                                                                  for b in gap.missing],
                              "shortened": False, "text": gap.text}
    texts = [gap.text]
    if gap.partial:
        full = (main.end - main.start).days
        share = max(len(gap.missing) / len(gap.blocs), float(ctx.p("blocs.min_duration_share")))
        days = max(1, round(full * share))
        contract_min = CONTRACT_MIN_MONTHS.get(main.kind)
        floor_text = ""
        if contract_min is not None:  # an alternance contract never lasts less than its legal minimum
            min_days = round(ctx.p(contract_min) * DAYS_PER_MONTH)
            if days < min_days:
                days, floor_text = min(full, min_days), (f" ; le contrat dure au moins {ctx.p(contract_min)} mois "
                                                         "(durée légale minimale)")
        delta = full - days
        if delta > 0:
            main.end = main.start + timedelta(days=days)
            _move_up(pathway.steps[pathway.steps.index(main) + 1:], delta)
            add_on.update(shortened=True, blocs_share=round(share, 3), duration_share=round(days / full, 3),
                          full_days=full, days=days)
        missing = ", ".join(f"{b.code} ({b.title})" if b.title else b.code for b in gap.missing)
        texts.append(f"Blocs restant à valider : {missing}. Durée ramenée à {round(days / full * 100)} % de la "
                     f"formation complète (au prorata des blocs manquants, au moins "
                     f"{ctx.p('blocs.min_duration_share') * 100:.0f} %{floor_text}) : dates des modules à confirmer "
                     "avec l'organisme.")
        main.title += f" — blocs manquants seulement ({len(gap.missing)} sur {len(gap.blocs)})"
        main.next_actions.append(_action("Demander à l'organisme un positionnement sur les blocs manquants "
                                         "(parcours partiel) avec les attestations des blocs détenus",
                                         deadline=main.start))
    routes = access_routes(gap.rncp)
    if (gap.partial or not gap.known) and routes is not None and "EXP" in routes:
        vae = ("Certification ouverte à la VAE (fiche RNCP, voie d'accès par expérience) : les blocs manquants "
               "peuvent aussi être validés par une VAE partielle si la personne a l'expérience correspondante.")
        texts.append(vae)
        add_on["vae_possible"] = True
    if gap.foreign or gap.invalid:
        texts.append(_foreign_text(gap))
    add_on["text"] = " ".join(texts)
    # the short line the cards show ("En complément : …"); the full text is the step's R-BLOC reason
    add_on["label"] = (f"Blocs de compétences déjà détenus : {len(gap.held)} sur {len(gap.blocs)} ; "
                       f"{len(gap.missing)} à valider" + (", VAE partielle possible" if add_on.get("vae_possible")
                                                          else "") if gap.known else
                       "Blocs de compétences déclarés : à vérifier avec le certificateur")
    main.why.append(why("R-BLOC", " ".join(texts)))
    main.add_ons.append(add_on)


def _move_up(steps: list[Step], days: int) -> None:
    """Bring the steps after the shortened one forward (the job step), stopping at a dated session."""
    for step in steps:
        if step.session_id and step.kind != StepKind.EMPLOI:
            return
        step.start -= timedelta(days=days)
        step.end -= timedelta(days=days)
        if step.flex_until is not None:
            step.flex_until -= timedelta(days=days)


def _foreign_text(gap: Any) -> str:
    parts = []
    if gap.foreign:
        parts.append(f"blocs d'autres certifications ({', '.join(gap.foreign)})")
    if gap.invalid:
        parts.append(f"codes non reconnus ({', '.join(gap.invalid)})")
    return (f"Blocs détenus non pris en compte pour {gap.rncp} : {' ; '.join(parts)} — à vérifier "
            "(équivalences éventuelles avec le certificateur).")

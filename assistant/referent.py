"""R-DIAG: which organisation of the Réseau pour l'emploi does the first diagnosis.

Step 0 of every pathway is a diagnosis by the person's "organisme référent";
naming the right one (and why) saves the person a wrong door.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from assistant.parameters import param
from assistant.profile import Profile
from assistant.schemes import IncomeSupport, Organisation, Status


@dataclass
class Referent:
    organisation: Organisation
    why: str
    rules: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"organisation": self.organisation.value, "why": self.why, "rules": list(self.rules)}


def choose_referent(profile: Profile, today: date) -> Referent:
    """Route to the referent: employees → CEP; under 26 → Mission Locale; RQTH → Cap Emploi;
    RSA → France Travail or the Département; otherwise France Travail (R-DIAG, [I] order).

    An organisation already following the person is kept: changing referent
    breaks an ongoing support, and the adviser knows the person's situation.
    """
    youth = profile.age <= param("age.youth_max", today)
    rules = ["R-DIAG"]
    if profile.rqth_or_pending:
        rules.append("R-RQTH")
    if profile.followed_by is not None:
        return Referent(profile.followed_by, f"Vous êtes déjà accompagné(e) par {profile.followed_by.with_article} : ce référent réalise le diagnostic.", rules)
    if profile.status == Status.SALARIE:
        return Referent(Organisation.CEP, "Vous êtes salarié(e) : le conseil en évolution professionnelle (CEP, Transitions Pro) accompagne les actifs en poste.", rules + ["R-SAL"])
    if youth:
        why = f"Vous avez moins de {param('age.youth_max', today) + 1} ans : la Mission Locale est le référent des jeunes."
        if profile.rqth_or_pending:
            why += " Avec la RQTH, Cap Emploi peut intervenir en appui."
        return Referent(Organisation.MISSION_LOCALE, why, rules)
    if profile.rqth_or_pending:
        return Referent(Organisation.CAP_EMPLOI, "Avec une RQTH (ou une demande en cours), Cap Emploi est le référent spécialisé.", rules)
    if profile.income_support == IncomeSupport.RSA:
        return Referent(Organisation.FT_OU_DEPARTEMENT, "Au RSA, l'accompagnement est assuré par France Travail ou par le Département (contrat d'engagement).", rules + ["R-RSA"])
    if profile.status == Status.SALARIE_IAE:
        return Referent(Organisation.FRANCE_TRAVAIL, "Salarié(e) en insertion : votre structure d'insertion vous accompagne ; France Travail prescrit les formations (salariés IAE ouverts aux formations Région).", rules + ["R-IAE"])
    if profile.status == Status.CSP:
        return Referent(Organisation.FRANCE_TRAVAIL, "En contrat de sécurisation professionnelle, France Travail vous accompagne.", rules + ["R-CSP"])
    return Referent(Organisation.FRANCE_TRAVAIL, "France Travail est le référent des demandeurs d'emploi de 26 ans et plus.", rules)

"""Curated certifications of the demo catalogue, and the build of `catalog/data/demo_certifications.csv`.

Why curated: the demo catalogue must look like the real Nouvelle-Aquitaine offer
(the titres professionnels, CAP, DE... the Region actually funds), not a random
draw among 17,000 RNCP fiches. The selection below is hand-picked (code, sector,
which offer kinds it suits, typical duration, display title); every *fact*
(level, ROME links, certification type, openness to apprenticeship) is taken
from the shipped referentials (`catalog.referentials`, themselves derived from
France Compétences' RNCP open data), so the table cannot drift from them.

Run `python -m catalog.demo_certs` to rewrite the CSV after editing SELECTION.
"""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass

from catalog.model import CertificationType, OfferKind, Sector
from catalog.paths import CATALOG_DATA_DIR

CSV_PATH = CATALOG_DATA_DIR / "demo_certifications.csv"
COLUMNS = [
    "rncp", "title", "type", "level", "romes", "sector",
    "hours_centre", "hours_company", "months", "apprenticeship", "kinds",
]
KIND_CODES = {"Q": OfferKind.QUALIFIANT, "H": OfferKind.HSP_1NQ, "A": OfferKind.APPRENTISSAGE}

# RNCP type codes of the referential -> our closed vocabulary
TYPE_MAP = {
    "TP": CertificationType.TP,
    "CAP": CertificationType.CAP,
    "CAPA": CertificationType.CAP,
    "BAC PRO": CertificationType.BAC_PRO,
    "BP": CertificationType.BP,
    "BPA": CertificationType.BP,
    "BTS": CertificationType.BTS,
    "BTSA": CertificationType.BTS,
    "DE": CertificationType.DE,
    "MC4": CertificationType.MC,
    "MC5": CertificationType.MC,
}

# share of a continuing-education course spent in company (stages / PAE), by type
COMPANY_SHARE = {
    CertificationType.TP: 0.2,
    CertificationType.CAP: 0.3,
    CertificationType.BP: 0.25,
    CertificationType.DE: 0.5,
    CertificationType.BTS: 0.25,
    CertificationType.BAC_PRO: 0.3,
    CertificationType.MC: 0.3,
    CertificationType.TITRE: 0.25,
}

# rncp | sector | kinds (Q = marché qualifiant, H = HSP 1er niveau, A = apprentissage) | months | display title
# months: continuing-education duration when Q/H, apprenticeship contract length otherwise.
SELECTION = """
RNCP4821|SANTE_SOCIAL|QHA|7|Titre professionnel Assistant de vie aux familles (ADVF)
RNCP4495|SANTE_SOCIAL|QA|11|Diplôme d'État d'aide-soignant (DEAS)
RNCP4496|SANTE_SOCIAL|QA|11|Diplôme d'État d'auxiliaire de puériculture (DEAP)
RNCP25467|SANTE_SOCIAL|QHA|12|Diplôme d'État d'accompagnant éducatif et social (DEAES)
RNCP28048|SANTE_SOCIAL|QHA|8|CAP Accompagnant éducatif petite enfance (AEPE)
RNCP35028|SANTE_SOCIAL|QHA|5|Titre professionnel Agent de service médico-social (ASMS)
RNCP4812|SANTE_SOCIAL|Q|5|Diplôme d'État d'ambulancier
RNCP492|SANTE_SOCIAL|A|24|Diplôme d'État de moniteur éducateur (DEME)
RNCP4503|SANTE_SOCIAL|A|18|Diplôme d'État de technicien de l'intervention sociale et familiale (DETISF)
RNCP5863|SANTE_SOCIAL|QA|9|Titre professionnel Secrétaire assistant médico-social
RNCP34794|SANTE_SOCIAL|QA|6|Assistant de vie dépendance et handicap
RNCP34565|SANTE_SOCIAL|QH|5|Agent d'accompagnement auprès d'adultes dépendants
RNCP25085|SANTE_SOCIAL|A|24|CAP agricole Services aux personnes et vente en espace rural (SAPVER)
RNCP8940|SANTE_SOCIAL|A|36|Diplôme d'État d'infirmier
RNCP403|SANTE_SOCIAL|Q|9|Titre professionnel Conseiller en insertion professionnelle
RNCP28288|SANTE_SOCIAL|QA|8|Titre professionnel Médiateur social accès aux droits et services
RNCP232|SANTE_SOCIAL|QH|6|Titre professionnel Agent de médiation, information, services
RNCP34336|SANTE_SOCIAL|Q|8|Titre professionnel Encadrant technique d'insertion
RNCP435|BATIMENT|QHA|8|Titre professionnel Maçon
RNCP888|BATIMENT|QA|9|CAP Maçon
RNCP31210|BATIMENT|A|24|BP Maçon
RNCP30173|BATIMENT|QHA|7|Titre professionnel Plaquiste-plâtrier
RNCP31116|BATIMENT|QHA|7|Titre professionnel Électricien d'équipement du bâtiment
RNCP30328|BATIMENT|QHA|9|CAP Électricien
RNCP27774|BATIMENT|A|24|BP Électricien
RNCP9581|BATIMENT|Q|9|Titre professionnel Technicien en électricité et automatismes du bâtiment
RNCP319|BATIMENT|QHA|7|Titre professionnel Peintre en bâtiment
RNCP31078|BATIMENT|Q|8|Titre professionnel Peintre décorateur
RNCP32235|BATIMENT|A|24|BP Peintre applicateur de revêtements
RNCP29855|BATIMENT|QHA|8|Titre professionnel Menuisier poseur-installateur
RNCP473|BATIMENT|QA|9|CAP Menuisier installateur
RNCP472|BATIMENT|A|24|CAP Menuisier fabricant de menuiserie, mobilier et agencement
RNCP437|BATIMENT|QHA|7|Titre professionnel Carreleur
RNCP35026|BATIMENT|QHA|8|Titre professionnel Couvreur-zingueur
RNCP32239|BATIMENT|A|24|BP Couvreur
RNCP25494|BATIMENT|QH|7|Titre professionnel Coffreur bancheur
RNCP12495|BATIMENT|QA|8|Titre professionnel Charpentier bois
RNCP35113|BATIMENT|A|24|CAP Charpentier bois
RNCP25720|BATIMENT|Q|8|Titre professionnel Constructeur bois
RNCP1805|BATIMENT|QHA|8|Titre professionnel Installateur en thermique et sanitaire
RNCP30952|BATIMENT|A|24|CAP Monteur en installations sanitaires
RNCP30951|BATIMENT|A|24|CAP Monteur en installations thermiques
RNCP22270|BATIMENT|QA|10|Titre professionnel Technicien installateur en chauffage, climatisation, sanitaire et énergies renouvelables
RNCP34139|BATIMENT|QA|8|Titre professionnel Agent de maintenance CVC
RNCP316|BATIMENT|QHA|7|Titre professionnel Agent d'entretien du bâtiment
RNCP4847|BATIMENT|Q|5|Titre professionnel Conducteur de pelle hydraulique et de chargeuse pelleteuse
RNCP407|BATIMENT|Q|7|Titre professionnel Canalisateur
RNCP406|BATIMENT|QH|7|Titre professionnel Façadier-peintre
RNCP4250|BATIMENT|Q|8|Titre professionnel Maçon du bâti ancien
RNCP34142|BATIMENT|QA|9|Titre professionnel Assistant chef de chantier gros œuvre
RNCP35027|BATIMENT|QA|11|Titre professionnel Conducteur de travaux du bâtiment et du génie civil
RNCP34657|BATIMENT|Q|9|Titre professionnel Technicien métreur du bâtiment
RNCP34158|BATIMENT|QA|10|Titre professionnel Chargé d'affaires en rénovation énergétique du bâtiment
RNCP1122|BATIMENT|A|24|BTS Bâtiment
RNCP4888|BATIMENT|A|36|Bac pro Technicien du bâtiment : organisation et réalisation du gros œuvre
RNCP633|BATIMENT|A|24|CAP Monteur en isolation thermique et acoustique
RNCP5922|BATIMENT|Q|8|Titre professionnel Menuisier aluminium
RNCP34860|LOGISTIQUE_TRANSPORT|QHA|3|Titre professionnel Préparateur de commandes en entrepôt
RNCP1852|LOGISTIQUE_TRANSPORT|QHA|5|Titre professionnel Agent magasinier
RNCP34857|LOGISTIQUE_TRANSPORT|QHA|3|Titre professionnel Cariste d'entrepôt
RNCP1899|LOGISTIQUE_TRANSPORT|QA|8|Titre professionnel Technicien en logistique d'entreposage
RNCP17989|LOGISTIQUE_TRANSPORT|QA|10|Titre professionnel Technicien supérieur en méthodes et exploitation logistique
RNCP1883|LOGISTIQUE_TRANSPORT|QA|5|Titre professionnel Conducteur du transport routier de marchandises sur tous véhicules
RNCP1884|LOGISTIQUE_TRANSPORT|QHA|4|Titre professionnel Conducteur du transport routier de marchandises sur porteur
RNCP34150|LOGISTIQUE_TRANSPORT|QHA|4|Titre professionnel Conducteur livreur sur véhicule utilitaire léger
RNCP22689|LOGISTIQUE_TRANSPORT|A|24|CAP Opérateur/opératrice logistique
RNCP1120|LOGISTIQUE_TRANSPORT|A|36|Bac pro Logistique
RNCP16770|LOGISTIQUE_TRANSPORT|A|36|Bac pro Conducteur transport routier marchandises
RNCP5377|LOGISTIQUE_TRANSPORT|A|24|CAP Conducteur routier marchandises
RNCP34136|LOGISTIQUE_TRANSPORT|Q|9|Titre professionnel Exploitant en transport routier de marchandises
RNCP1890|LOGISTIQUE_TRANSPORT|Q|7|Titre professionnel Assistant d'exploitation en transports routiers de marchandises
RNCP34881|LOGISTIQUE_TRANSPORT|QA|10|Titre professionnel Gestionnaire des opérations de transport routier de marchandises
RNCP34372|LOGISTIQUE_TRANSPORT|Q|10|Titre professionnel Exploitant régulateur en transport routier de voyageurs
RNCP26650|HOTELLERIE_RESTAURATION|QHA|9|CAP Cuisine
RNCP34095|HOTELLERIE_RESTAURATION|QHA|8|Titre professionnel Cuisinier
RNCP34422|HOTELLERIE_RESTAURATION|QHA|6|Titre professionnel Serveur en restauration
RNCP280|HOTELLERIE_RESTAURATION|QHA|5|Titre professionnel Agent de restauration
RNCP31096|HOTELLERIE_RESTAURATION|QA|9|CAP Commercialisation et services en hôtel-café-restaurant
RNCP34157|HOTELLERIE_RESTAURATION|QA|8|Titre professionnel Réceptionniste en hôtellerie
RNCP32342|HOTELLERIE_RESTAURATION|QHA|5|Titre professionnel Employé d'étage en hôtellerie
RNCP34421|HOTELLERIE_RESTAURATION|Q|8|Titre professionnel Gouvernant en hôtellerie
RNCP32349|HOTELLERIE_RESTAURATION|Q|9|Titre professionnel Chef de cuisine en restauration collective
RNCP4264|HOTELLERIE_RESTAURATION|Q|10|Titre professionnel Gérant en restauration collective
RNCP12508|HOTELLERIE_RESTAURATION|A|36|Bac pro Cuisine
RNCP12802|HOTELLERIE_RESTAURATION|A|36|Bac pro Commercialisation et services en restauration
RNCP34956|HOTELLERIE_RESTAURATION|A|24|BP Arts de la cuisine
RNCP1149|HOTELLERIE_RESTAURATION|HA|9|CAP Agent polyvalent de restauration
RNCP31047|HOTELLERIE_RESTAURATION|Q|8|Titre professionnel Chargé d'accueil touristique et de loisirs
RNCP34502|INDUSTRIE|QHA|8|Titre professionnel Soudeur assembleur industriel
RNCP34738|INDUSTRIE|Q|8|Titre professionnel Soudeur TIG électrode enrobée
RNCP1864|INDUSTRIE|QH|7|Titre professionnel Soudeur à l'arc semi-automatique
RNCP211|INDUSTRIE|QA|10|Titre professionnel Technicien de maintenance industrielle
RNCP2469|INDUSTRIE|QA|11|Titre professionnel Technicien supérieur de maintenance industrielle
RNCP5919|INDUSTRIE|QHA|8|Titre professionnel Électromécanicien de maintenance industrielle
RNCP202|INDUSTRIE|QHA|5|Titre professionnel Agent de fabrication industrielle
RNCP184|INDUSTRIE|QHA|7|Titre professionnel Conducteur d'installations et de machines automatisées
RNCP31838|INDUSTRIE|QHA|6|Titre professionnel Conducteur d'équipements agroalimentaires
RNCP34146|INDUSTRIE|QA|9|Titre professionnel Technicien de production industrielle
RNCP4964|INDUSTRIE|Q|9|Titre professionnel Fraiseur sur machines conventionnelles et à commande numérique
RNCP4965|INDUSTRIE|Q|9|Titre professionnel Tourneur sur machines conventionnelles et à commande numérique
RNCP34739|INDUSTRIE|QA|8|Titre professionnel Opérateur régleur en usinage assisté par ordinateur
RNCP34505|INDUSTRIE|QA|7|Titre professionnel Ajusteur monteur aéronautique
RNCP25867|INDUSTRIE|QH|6|Titre professionnel Monteur câbleur en aéronautique
RNCP34859|INDUSTRIE|Q|7|Titre professionnel Opérateur composites hautes performances
RNCP240|INDUSTRIE|Q|7|Titre professionnel Stratifieur multiprocédés en matériaux composites
RNCP34858|INDUSTRIE|QA|10|Titre professionnel Technicien en chaudronnerie
RNCP34612|INDUSTRIE|Q|8|Titre professionnel Tuyauteur industriel
RNCP5920|INDUSTRIE|QHA|8|Titre professionnel Métallier
RNCP32297|INDUSTRIE|QA|8|Titre professionnel Électricien d'installation et de maintenance des systèmes automatisés
RNCP27470|INDUSTRIE|A|24|CAP Réalisations industrielles en chaudronnerie ou soudage, option soudage
RNCP27468|INDUSTRIE|A|24|CAP Réalisations industrielles en chaudronnerie ou soudage, option chaudronnerie
RNCP29885|INDUSTRIE|A|36|Bac pro Technicien en chaudronnerie industrielle
RNCP14923|INDUSTRIE|A|24|BP Industries alimentaires
RNCP25092|INDUSTRIE|A|24|CAP agricole Opérateur en industries agroalimentaires
RNCP6226|INDUSTRIE|Q|6|Titre professionnel Conducteur de machines de plasturgie
RNCP27139|INDUSTRIE|Q|8|Titre professionnel Menuisier de fabrication bois et dérivés
RNCP27115|INDUSTRIE|QHA|8|Titre professionnel Mécanicien automobile
RNCP19118|INDUSTRIE|A|24|CAP Maintenance des véhicules
RNCP34286|INDUSTRIE|QA|8|Titre professionnel Carrossier réparateur
RNCP207|INDUSTRIE|Q|9|Titre professionnel Mécanicien réparateur de véhicules industriels
RNCP25306|AGRICULTURE_VITICULTURE|QHA|9|CAP agricole Métiers de l'agriculture
RNCP29257|AGRICULTURE_VITICULTURE|QA|10|BP Responsable d'entreprise agricole (BPREA)
RNCP4892|AGRICULTURE_VITICULTURE|QHA|8|BPA Travaux de la vigne et du vin
RNCP34934|AGRICULTURE_VITICULTURE|QH|5|Tractoriste
RNCP29259|AGRICULTURE_VITICULTURE|A|36|Bac pro Conduite et gestion de l'entreprise vitivinicole
RNCP15616|AGRICULTURE_VITICULTURE|QA|12|BTSA Viticulture-œnologie
RNCP35013|AGRICULTURE_VITICULTURE|Q|9|Technicien viticulture œnologie
RNCP29656|AGRICULTURE_VITICULTURE|QA|9|CAP Maintenance des matériels, option matériels agricoles
RNCP29701|AGRICULTURE_VITICULTURE|A|36|Bac pro Maintenance des matériels, option matériels agricoles
RNCP24928|AGRICULTURE_VITICULTURE|QHA|9|CAP agricole Jardinier paysagiste
RNCP15156|AGRICULTURE_VITICULTURE|QHA|8|BPA Travaux des aménagements paysagers
RNCP34214|AGRICULTURE_VITICULTURE|QA|10|BP Aménagements paysagers
RNCP31691|AGRICULTURE_VITICULTURE|A|36|Bac pro Aménagements paysagers
RNCP25091|AGRICULTURE_VITICULTURE|A|24|CAP agricole Travaux forestiers
RNCP5832|AGRICULTURE_VITICULTURE|QA|9|BPA Travaux forestiers
RNCP14925|AGRICULTURE_VITICULTURE|QA|10|BP Responsable de chantiers forestiers
RNCP4891|AGRICULTURE_VITICULTURE|QA|8|BPA Travaux de la production animale
RNCP24440|AGRICULTURE_VITICULTURE|A|24|BTSA Analyse, conduite et stratégie de l'entreprise agricole (ACSE)
RNCP28806|AGRICULTURE_VITICULTURE|QH|7|Titre professionnel Ouvrier de production horticole
RNCP34744|AGRICULTURE_VITICULTURE|QA|10|BP Responsable de productions légumières, fruitières, florales et de pépinières
RNCP25090|AGRICULTURE_VITICULTURE|A|24|CAP agricole Maréchal-ferrant
RNCP25929|AGRICULTURE_VITICULTURE|A|24|CAP agricole Palefrenier soigneur
RNCP34754|AGRICULTURE_VITICULTURE|Q|8|Titre professionnel Mécanicien réparateur de matériels agricoles et d'espaces verts
RNCP29267|AGRICULTURE_VITICULTURE|A|36|Bac pro Conduite et gestion de l'entreprise agricole
RNCP2842|AGRICULTURE_VITICULTURE|A|24|CAP maritime de conchyliculture
RNCP28557|ANIMATION_SPORT|QA|11|BPJEPS spécialité animateur
RNCP28573|ANIMATION_SPORT|QA|11|BPJEPS spécialité éducateur sportif
RNCP32369|ANIMATION_SPORT|QHA|7|CPJEPS Animateur d'activités et de vie quotidienne
RNCP4900|ANIMATION_SPORT|QA|12|DEJEPS Animation socio-éducative ou culturelle
RNCP4863|ANIMATION_SPORT|A|24|DEJEPS Perfectionnement sportif
RNCP32350|ANIMATION_SPORT|QA|8|Titre professionnel Animateur loisir tourisme
RNCP34605|ANIMATION_SPORT|A|36|Bac pro Animation – enfance et personnes âgées
RNCP34491|ANIMATION_SPORT|QA|8|Animateur d'équitation
RNCP31114|NUMERIQUE|QA|9|Titre professionnel Développeur web et web mobile (DWWM)
RNCP31678|NUMERIQUE|QA|12|Titre professionnel Concepteur développeur d'applications (CDA)
RNCP31115|NUMERIQUE|QA|10|Titre professionnel Technicien supérieur systèmes et réseaux (TSSR)
RNCP225|NUMERIQUE|QA|8|Titre professionnel Technicien d'assistance en informatique
RNCP34147|NUMERIQUE|QHA|6|Titre professionnel Installateur dépanneur en informatique
RNCP17108|NUMERIQUE|A|24|BTS Services informatiques aux organisations (SIO)
RNCP31113|NUMERIQUE|QA|12|Titre professionnel Administrateur d'infrastructures sécurisées
RNCP34137|NUMERIQUE|Q|9|Titre professionnel Responsable d'espace de médiation numérique
RNCP226|NUMERIQUE|Q|9|Titre professionnel Technicien réseaux et télécommunications d'entreprise
RNCP30980|NUMERIQUE|QHA|4|Titre professionnel Installateur de réseaux de télécommunications
RNCP30999|NUMERIQUE|Q|8|Titre professionnel Technicien de réseaux de télécommunications
RNCP1267|NUMERIQUE|Q|9|Titre professionnel Infographiste metteur en page
RNCP5301|NUMERIQUE|Q|10|Titre professionnel Technicien supérieur en système d'information géographique
RNCP278|SERVICES|QHA|4|Titre professionnel Agent de propreté et d'hygiène
RNCP24655|SERVICES|A|24|CAP Agent de propreté et d'hygiène
RNCP193|SERVICES|QHA|8|Titre professionnel Secrétaire assistant
RNCP1212|SERVICES|QA|9|Titre professionnel Secrétaire comptable
RNCP5881|SERVICES|QA|9|Titre professionnel Comptable assistant
RNCP4113|SERVICES|QA|8|Titre professionnel Gestionnaire de paie
RNCP31677|SERVICES|QA|10|Titre professionnel Gestionnaire comptable et fiscal
RNCP34507|SERVICES|QHA|4|Titre professionnel Agent de sûreté et de sécurité privée
RNCP17791|SERVICES|QHA|7|Titre professionnel Employé administratif et d'accueil
RNCP35030|SERVICES|QA|9|Titre professionnel Assistant ressources humaines
RNCP34143|SERVICES|QA|10|Titre professionnel Assistant de direction
RNCP31059|SERVICES|A|24|BTS Comptabilité et gestion
RNCP34606|SERVICES|A|36|Bac pro Assistance à la gestion des organisations et de leurs activités (AGOrA)
RNCP586|SERVICES|QA|8|CAP Gardien d'immeubles
RNCP853|SERVICES|A|12|Mention complémentaire Sécurité civile et d'entreprise
RNCP19114|SERVICES|A|36|Bac pro Métiers de la sécurité
RNCP34670|SERVICES|A|24|CAP Métiers de la coiffure
RNCP31041|SERVICES|A|24|CAP Esthétique cosmétique parfumerie
RNCP34501|SERVICES|QH|5|Titre professionnel Agent technique de déchèterie
RNCP34441|SERVICES|QA|9|Titre professionnel Assistant immobilier
RNCP13620|COMMERCE|QHA|8|Titre professionnel Vendeur conseil en magasin
RNCP8812|COMMERCE|QHA|6|Titre professionnel Employé commercial en magasin
RNCP34947|COMMERCE|QHA|9|CAP Équipier polyvalent du commerce
RNCP34031|COMMERCE|A|24|BTS Management commercial opérationnel (MCO)
RNCP34030|COMMERCE|A|24|BTS Négociation et digitalisation de la relation client (NDRC)
RNCP32291|COMMERCE|QA|10|Titre professionnel Manager d'unité marchande
RNCP31005|COMMERCE|QA|8|Titre professionnel Conseiller commercial
RNCP35031|COMMERCE|QA|9|Titre professionnel Assistant commercial
RNCP34079|COMMERCE|QA|10|Titre professionnel Négociateur technico-commercial
RNCP1893|COMMERCE|Q|8|Titre professionnel Responsable de rayon
RNCP32208|COMMERCE|A|36|Bac pro Métiers du commerce et de la vente, option animation et gestion de l'espace commercial
RNCP32259|COMMERCE|A|36|Bac pro Métiers du commerce et de la vente, option prospection clientèle et valorisation de l'offre commerciale
RNCP12504|COMMERCE|QA|7|Titre professionnel Conseiller relation client à distance
RNCP18704|COMMERCE|QA|9|CAP Boulanger
RNCP5226|COMMERCE|A|24|CAP Pâtissier
RNCP6993|COMMERCE|QA|9|CAP Boucher
RNCP538|COMMERCE|A|24|CAP Charcutier-traiteur
RNCP541|COMMERCE|A|24|CAP Employé de vente spécialisé, option produits alimentaires
RNCP31293|COMMERCE|A|24|CAP Fleuriste
RNCP21466|COMMERCE|A|12|Mention complémentaire Vendeur-conseil en produits techniques pour l'habitat
RNCP13921|COMMERCE|A|36|Bac pro Technicien conseil vente en animalerie
"""


@dataclass(frozen=True)
class DemoCert:
    """One row of `demo_certifications.csv`, as the generator uses it."""

    rncp: str
    title: str
    type: CertificationType
    level: int
    romes: tuple[str, ...]
    sector: Sector
    hours_centre: int
    hours_company: int
    months: int
    apprenticeship: bool
    kinds: tuple[OfferKind, ...]


def _hours(months: int, ctype: CertificationType, apprenticeship_only: bool) -> tuple[int, int]:
    """Typical hours: ~35 h/week for a continuing-education course; ~450 h a year in CFA for apprentices."""
    if apprenticeship_only:
        return round(months * 450 / 12 / 7) * 7, round(months * 1150 / 12 / 7) * 7
    total = months * 52 / 12 * 35
    share = COMPANY_SHARE[ctype]
    return round(total * (1 - share) / 7) * 7, round(total * share / 7) * 7


def build_rows() -> list[dict[str, str]]:
    """Rows of the CSV: the selection completed with the referential facts (raises on any inconsistency)."""
    from catalog.referentials import certifications

    certs = certifications()
    rows, seen = [], set()
    for line in SELECTION.strip().splitlines():
        rncp, sector, kinds, months, title = line.split("|")
        if rncp in seen:
            raise ValueError(f"{rncp} selected twice")
        seen.add(rncp)
        ref = certs.get(rncp)
        if ref is None or not ref.active or ref.level is None or not ref.romes:
            raise ValueError(f"{rncp}: absent, inactive, without level or without ROME in the referential")
        if "A" in kinds and ref.apprenticeship is False:
            raise ValueError(f"{rncp}: not open to apprenticeship")
        ctype = TYPE_MAP.get(ref.type_code, CertificationType.TITRE)
        centre, company = _hours(int(months), ctype, apprenticeship_only=kinds == "A")
        rows.append(
            {
                "rncp": rncp,
                "title": title,
                "type": ctype.value,
                "level": str(ref.level),
                "romes": "|".join(sorted(ref.romes)),
                "sector": Sector(sector).value,
                "hours_centre": str(centre),
                "hours_company": str(company),
                "months": months,
                "apprenticeship": "yes" if "A" in kinds else "no",
                "kinds": "|".join(KIND_CODES[k].value for k in kinds),
            }
        )
    return rows


def csv_text(rows: list[dict[str, str]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def load_demo_certs(path=CSV_PATH) -> list[DemoCert]:
    """The shipped table (no referential needed at generation time)."""
    with open(path, encoding="utf-8", newline="") as fh:
        return [
            DemoCert(
                rncp=r["rncp"],
                title=r["title"],
                type=CertificationType(r["type"]),
                level=int(r["level"]),
                romes=tuple(r["romes"].split("|")),
                sector=Sector(r["sector"]),
                hours_centre=int(r["hours_centre"]),
                hours_company=int(r["hours_company"]),
                months=int(r["months"]),
                apprenticeship=r["apprenticeship"] == "yes",
                kinds=tuple(OfferKind(k) for k in r["kinds"].split("|")),
            )
            for r in csv.DictReader(fh)
        ]


def main() -> int:
    try:
        text = csv_text(build_rows())
    except ValueError as exc:
        print(f"Sélection invalide : {exc}", file=sys.stderr)
        return 1
    CSV_PATH.write_text(text, encoding="utf-8")
    print(f"{CSV_PATH} : {text.count(chr(10)) - 1} certifications")
    return 0


if __name__ == "__main__":
    sys.exit(main())

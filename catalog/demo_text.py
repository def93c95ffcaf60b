"""French wording of the demo catalogue: fictitious names, sector phrases, templates.

Kept apart from the generator so that `catalog/demo.py` reads as rules
(volumes, durations, dates, funders) and this file as vocabulary. Every name
here is invented: no real training body, person or phone number is used.
Phone numbers are drawn from the ARCEP range reserved for fiction in the 05
zone (05 36 49 00 00 - 05 36 49 99 99); e-mails use `.example` domains.
"""

from __future__ import annotations

from catalog.model import ModuleTheme, Sector

FICTION_PHONE_PREFIX = "05 36 49"

# Department -> local words used in provider names (landscapes, rivers, historic areas).
DEPT_WORDS = {
    "16": ["Charente", "Angoumois", "Cognaçais", "Horte"],
    "17": ["Aunis", "Saintonge", "Atlantique", "Marais", "Îles"],
    "19": ["Corrèze", "Vézère", "Millevaches", "Xaintrie"],
    "23": ["Creuse", "Combraille", "Marche", "Plateau"],
    "24": ["Périgord", "Dordogne", "Isle", "Bastides"],
    "33": ["Gironde", "Garonne", "Médoc", "Estuaire", "Entre-deux-Mers", "Bassin"],
    "40": ["Landes", "Adour", "Chalosse", "Pignada"],
    "47": ["Albret", "Garonne", "Pays de Serres", "Lot"],
    "64": ["Béarn", "Adour", "Côte basque", "Piémont", "Gaves"],
    "79": ["Gâtine", "Marais", "Thouarsais", "Sèvre"],
    "86": ["Vienne", "Clain", "Haut-Poitou", "Gartempe"],
    "87": ["Limousin", "Monts d'Ambazac", "Vienne", "Briance"],
}

OF_PATTERNS = [
    "Centre de formation {w} Métiers",
    "Institut {w} Compétences",
    "Atelier Formation {w}",
    "Espace Avenir {w}",
    "Pôle Métiers {w}",
    "Maison de la formation {w}",
    "Parcours Emploi {w}",
    "Compétences & Territoires {w}",
]
CFA_PATTERNS = [
    "CFA des métiers {w}",
    "CFA {w} Avenir",
    "École de l'alternance {w}",
    "Campus alternance {w}",
]
AGRI_PATTERNS = [
    "Maison familiale rurale {p}",
    "CFA agricole {w}",
    "Centre de formation agricole {w}",
]
AGRI_PLACES = [
    "Les Coteaux", "Le Val fleuri", "Les Grands Chênes", "La Prairie", "Les Vergers",
    "Le Moulin neuf", "Les Bruyères", "La Source", "Les Pins", "Le Colombier",
]
HEALTH_PATTERNS = [
    "Institut de formation sanitaire et sociale {w}",
    "École des métiers du soin {w}",
    "Institut du travail social {w}",
]

STREETS = [
    "rue des Artisans", "avenue de la Formation", "rue des Métiers", "allée des Compagnons",
    "rue du Lavoir", "boulevard de l'Industrie", "rue des Tanneurs", "chemin des Écoliers",
    "rue de la Gare", "impasse des Ateliers", "avenue des Acacias", "rue du Stade",
]

FIRST_NAMES = [
    "Camille", "Nadia", "Julien", "Sophie", "Karim", "Élodie", "Thomas", "Inès", "Marc", "Laura",
    "Yannick", "Fatou", "Pierre", "Claire", "Mehdi", "Anne", "Lucas", "Hélène", "Sébastien", "Amélie",
    "Jordi", "Maïté", "Patxi", "Solène", "Hugo", "Nathalie", "Bruno", "Léa", "Olivier", "Rachida",
]
LAST_NAMES = [
    "Lafon", "Dupuy", "Bernard", "Castaing", "Moreau", "Etcheverry", "Garcia", "Lacoste", "Roux",
    "Martin", "Darrigade", "Faure", "Benali", "Labat", "Mercier", "Girard", "Lamarque", "Dubois",
    "Fontaine", "Laborde", "Nguyen", "Chevalier", "Rivière", "Marchand", "Picard", "Duclos",
]

# Sector -> (what the trainee learns to do, where they will work)
SECTOR_CONTENT: dict[Sector, tuple[list[str], list[str]]] = {
    Sector.SANTE_SOCIAL: (
        ["accompagner les personnes dans les actes de la vie quotidienne", "assurer l'hygiène et le confort",
         "communiquer avec la personne accompagnée et son entourage", "travailler en équipe pluridisciplinaire",
         "repérer les situations de fragilité et alerter"],
        ["établissements d'hébergement pour personnes âgées", "services d'aide à domicile", "structures petite enfance",
         "établissements de santé", "associations du secteur médico-social"],
    ),
    Sector.BATIMENT: (
        ["lire un plan et organiser son poste de travail",
         "réaliser des ouvrages dans le respect des règles de sécurité",
         "mettre en œuvre les matériaux biosourcés et les techniques de rénovation énergétique",
         "contrôler la qualité de son travail", "travailler en hauteur en sécurité"],
        ["entreprises artisanales du bâtiment", "PME de gros œuvre et de second œuvre", "chantiers de rénovation",
         "entreprises de travaux publics"],
    ),
    Sector.LOGISTIQUE_TRANSPORT: (
        ["réceptionner, stocker et préparer des marchandises", "utiliser un logiciel de gestion d'entrepôt",
         "conduire en sécurité et dans le respect de la réglementation",
         "appliquer les règles d'hygiène et de sécurité",
         "optimiser les flux et les tournées"],
        ["plateformes logistiques", "entreprises de transport routier", "entrepôts de la grande distribution",
         "services logistiques de l'industrie"],
    ),
    Sector.HOTELLERIE_RESTAURATION: (
        ["préparer et dresser des plats", "appliquer les règles d'hygiène alimentaire (HACCP)",
         "accueillir et servir la clientèle",
         "gérer les stocks et limiter le gaspillage", "travailler en brigade"],
        ["restaurants traditionnels", "restauration collective", "hôtels et résidences de tourisme",
         "établissements saisonniers du littoral et de la montagne"],
    ),
    Sector.INDUSTRIE: (
        ["conduire et régler des équipements de production", "réaliser la maintenance préventive et corrective",
         "lire un dossier technique", "appliquer les règles qualité, hygiène, sécurité, environnement",
         "réaliser des assemblages et contrôler les pièces"],
        ["PME industrielles", "sous-traitants de l'aéronautique", "industries agroalimentaires",
         "ateliers de maintenance", "entreprises de la filière bois et papier"],
    ),
    Sector.AGRICULTURE_VITICULTURE: (
        ["réaliser les travaux de la vigne et des cultures au fil des saisons",
         "conduire et entretenir le matériel agricole",
         "mettre en œuvre des pratiques agroécologiques", "soigner les animaux",
         "participer à la commercialisation des produits"],
        ["exploitations viticoles", "exploitations agricoles et d'élevage", "entreprises de travaux agricoles",
         "entreprises du paysage", "coopératives agricoles"],
    ),
    Sector.ANIMATION_SPORT: (
        ["concevoir et animer des activités pour différents publics", "assurer la sécurité des pratiquants",
         "participer au projet de la structure", "accueillir les familles et les partenaires"],
        ["accueils collectifs de mineurs", "associations sportives et de loisirs", "collectivités territoriales",
         "établissements pour personnes âgées"],
    ),
    Sector.NUMERIQUE: (
        ["concevoir et développer des applications", "installer et maintenir des postes et des réseaux",
         "assister les utilisateurs", "sécuriser les systèmes d'information", "travailler en mode projet"],
        ["entreprises de services numériques", "services informatiques des entreprises et des collectivités",
         "start-up", "opérateurs de réseaux"],
    ),
    Sector.SERVICES: (
        ["assurer l'accueil et le secrétariat", "réaliser les opérations comptables et de paie",
         "entretenir les locaux selon les protocoles d'hygiène", "assurer la sûreté des biens et des personnes",
         "utiliser les outils bureautiques"],
        ["entreprises de propreté", "cabinets comptables", "services administratifs des entreprises",
         "sociétés de sécurité", "collectivités"],
    ),
    Sector.COMMERCE: (
        ["accueillir, conseiller et fidéliser la clientèle", "mettre en valeur les produits et tenir le rayon",
         "encaisser et suivre les ventes", "prospecter et négocier", "vendre en magasin et en ligne"],
        ["commerces de proximité", "grandes et moyennes surfaces", "enseignes spécialisées",
         "entreprises artisanales de l'alimentation"],
    ),
}

SELECTION_TEXT = {
    "qualifiant": "Information collective, tests de positionnement et entretien de motivation.",
    "hsp": "Pas de sélection : entrée après un entretien de positionnement avec l'organisme.",
    "apprentissage": "Entretien avec le CFA ; signature d'un contrat d'apprentissage avec un employeur.",
}

SOCLE_OBJECTIVES = {
    "ECLA": ("Écrire, compter, lire, apprendre (ECLA)",
    "consolider la lecture, l'écriture et le calcul utiles au quotidien et au travail"),
    "FLE": ("Français langue étrangère (FLE)", "progresser en français oral et écrit à visée professionnelle"),
    "NUMERIQUE": ("Numérique", "utiliser un ordinateur, un smartphone et les services en ligne en autonomie"),
    "PASSERELLE": ("Passerelle vers la qualification",
    "remettre à niveau les savoirs de base pour entrer en formation qualifiante"),
}

MODULE_TITLES: dict[ModuleTheme, list[tuple[str, str]]] = {
    ModuleTheme.NUMERIQUE: [
        ("Module compétences numériques de base",
         "utiliser les outils et services numériques du quotidien et du travail"),
        ("Module bureautique et outils collaboratifs", "produire des documents et travailler avec des outils en ligne"),
    ],
    ModuleTheme.TRANSITION_ECOLOGIQUE: [
        ("Module éco-gestes et transition écologique au travail",
         "intégrer les gestes de sobriété et de tri dans son métier"),
        ("Module rénovation énergétique : les bases",
         "comprendre l'isolation, la ventilation et les matériaux biosourcés"),
    ],
    ModuleTheme.FLE: [
        ("Module français à visée professionnelle", "communiquer à l'oral et à l'écrit dans des situations de travail"),
    ],
    ModuleTheme.REMISE_A_NIVEAU: [
        ("Module remise à niveau mathématiques et français", "revoir les bases avant une formation qualifiante"),
    ],
    ModuleTheme.PERMIS: [
        ("Module préparation au code de la route", "préparer l'épreuve théorique du permis B"),
        ("Module mobilité et permis de conduire", "préparer le code et organiser ses déplacements vers l'emploi"),
    ],
    ModuleTheme.SST: [
        ("Sauveteur secouriste du travail (SST)", "porter secours et prévenir les risques professionnels"),
    ],
    ModuleTheme.CLEA: [
        ("Préparation au certificat CléA", "évaluer puis compléter ses compétences socle en vue du certificat CléA"),
        ("Préparation au certificat CléA numérique", "valider ses compétences numériques professionnelles"),
    ],
}

APPRENTICESHIP_PUBLICS = (
    "16 à 29 ans révolus à l'entrée (15 ans après la 3e) ; sans limite d'âge pour les personnes en situation de "
    "handicap (RQTH), les créateurs ou repreneurs d'entreprise et les sportifs de haut niveau."
)
AMORCE_TEXT = (
    "Action d'amorce de parcours pour découvrir les métiers {sector} et confirmer son projet : ateliers de découverte, "
    "visites d'entreprises et périodes de mise en situation en milieu professionnel (PMSMP)."
)

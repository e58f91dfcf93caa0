"""The action plan's initial data, as the France Clusters case sheet describes it
(see the seed README). `load_plan` loads it; partners, audiences and initiatives
refer to one another by slug."""

import datetime

from initiatives.enums import InitiativeStatus, PartnerRole
from partners.enums import PartnerKind

# The Territoire d'Industrie the plan belongs to. Its EPCIs are those of the area
# Agence Sofie serves (the case sheet names no list): the territory should confirm
# them; staff can correct them in the admin (Territoires).
TERRITORY = {
    "slug": "flandre-pays-de-saint-omer",
    "name": "Flandre Pays de Saint-Omer",
    "region": "Hauts-de-France",
    "epcis": [
        {"siren": "200069037", "name": "CA du Pays de Saint-Omer"},
        # Formerly the CC de Flandre Intérieure.
        {"siren": "200040947", "name": "CA Cœur de Flandre"},
    ],
}

PLAN = {
    "slug": "flandre-pays-de-saint-omer",
    "title": (
        "Mettre en place un plan d'action en faveur de la féminisation des formations "
        "et des métiers industriels"
    ),
    "summary": (
        "Le Territoire d'Industrie Flandre Pays de Saint-Omer et le Campus des métiers et "
        "des qualifications (CMQ) Industrie et Transition Numérique des Hauts-de-France "
        "travaillent conjointement pour l'attractivité du tissu industriel du territoire."
    ),
    "finding": (
        "L'attractivité des emplois industriels est un enjeu majeur, tant pour le Territoire "
        "d'Industrie Flandre Pays de Saint-Omer que pour le CMQ Industrie et Transition "
        "Numérique. C'est ainsi que la question de la féminisation des filières s'est posée "
        "sur ce territoire, où les acteurs ont traditionnellement l'habitude de travailler "
        "ensemble : les structures se sont tout naturellement réunies autour de cet enjeu.\n\n"
        "Des actions ont pu être mises en place dans des entreprises comme Arc France, avec "
        "le soutien de la communauté d'agglomération et des partenaires."
    ),
    "objectives": (
        "À travers la mobilisation des entreprises, des établissements de formation, des "
        "organismes et des publics cibles, ce plan d'action a pour objectif de sensibiliser :\n"
        "- les filles aux formations et aux métiers de l'industrie, en leur ouvrant le champ "
        "des possibles ;\n"
        "- les entreprises souhaitant féminiser leurs effectifs ;\n"
        "- les prescripteurs de formation et d'emploi à l'intégration des femmes, notamment "
        "dans le cadre de l'insertion et de la réorientation."
    ),
    "indicator": (
        "Une comptabilité est tenue par le Territoire d'Industrie afin de suivre le nombre "
        "de personnes sensibilisées par les actions engagées."
    ),
    "obstacles": (
        "Aucun obstacle ne s'est fait ressentir, car tous les acteurs ont bien compris "
        "l'enjeu. Les initiatives ont reçu un bon accueil de la part des entreprises, compte "
        "tenu de la situation du recrutement dans les structures et dans les formations, "
        "ainsi que des problématiques d'attractivité : toute solution est à envisager pour "
        "y remédier.\n\n"
        "L'obstacle le plus important reste celui des mentalités, qu'il faut changer "
        "progressivement."
    ),
    "quote": "Quand c'est un sujet de territoire, tout le monde se sent impliqué",
    # The case sheet gives no start date; staff can correct this one in the admin.
    "start_date": datetime.date(2023, 1, 1),
    "is_published": True,
}

PLAN_LINKS = [
    {
        "label": "Site de la Communauté d'agglomération du Pays de Saint-Omer",
        "url": "https://www.ca-pso.fr/",
        "order": 1,
    },
]

AUDIENCES = [
    {
        # The slug stays « filles »: dashboard links (?public=filles) and spreadsheets use it.
        "slug": "filles",
        "name": "Élèves et jeunes (collège, lycée)",
        "short_name": "Élèves et jeunes",
        "description": (
            "Collégiens, lycéens et autres jeunes, filles et garçons, sensibilisés aux "
            "formations et aux métiers de l'industrie. Ce public compte les élèves des deux "
            "sexes : le chiffre à suivre est la part des filles parmi eux, à qui le plan veut "
            "ouvrir le champ des possibles."
        ),
        "women_label": "dont filles",
        "order": 1,
        # Wording shipped before, which `load_plan` replaces where it is still stored.
        "former": {
            "name": ("Filles",),
            "short_name": ("Filles",),
            "description": (
                "Sensibiliser les filles aux formations et aux métiers de l'industrie, en leur "
                "ouvrant le champ des possibles.",
            ),
        },
    },
    {
        "slug": "entreprises",
        "name": "Entreprises souhaitant féminiser leurs effectifs",
        "short_name": "Entreprises",
        "description": "Sensibiliser les entreprises qui souhaitent féminiser leurs effectifs.",
        "women_label": "dont femmes",
        "order": 2,
    },
    {
        "slug": "prescripteurs",
        "name": "Prescripteurs de formation et d'emploi",
        "short_name": "Prescripteurs",
        "description": (
            "Sensibiliser les prescripteurs de formation et d'emploi à l'intégration des "
            "femmes, notamment dans le cadre de l'insertion et de la réorientation."
        ),
        "women_label": "dont femmes",
        "order": 3,
    },
]

_SUPPORT = "Soutien de la démarche, dans le cadre du programme Territoires d'Industrie."

PARTNERS = [
    {
        "slug": "cmq-industrie-transition-numerique",
        "name": (
            "Campus des métiers et des qualifications Industrie et Transition Numérique "
            "des Hauts-de-France"
        ),
        "short_name": "CMQ Industrie et Transition Numérique",
        "kind": PartnerKind.CAMPUS,
        "description": (
            "Travaille avec le Territoire d'Industrie Flandre Pays de Saint-Omer pour "
            "l'attractivité du tissu industriel du territoire, dont l'attractivité des "
            "emplois industriels est pour lui aussi un enjeu majeur."
        ),
        "website": "",
        "role": PartnerRole.STAKEHOLDER,
    },
    {
        "slug": "region-hauts-de-france",
        "name": "Région Hauts-de-France",
        "short_name": "Région",
        "kind": PartnerKind.REGION,
        "description": "Partie prenante du plan d'action.",
        "website": "",
        "role": PartnerRole.STAKEHOLDER,
    },
    {
        "slug": "capital-filles",
        "name": "Capital Filles",
        "short_name": "",
        "kind": PartnerKind.ASSOCIATION,
        "description": (
            "Association avec laquelle la CAPSO et le réseau Verr'Elles ont signé une "
            "convention de partenariat."
        ),
        "website": "https://www.capitalfilles.fr/",
        "role": PartnerRole.STAKEHOLDER,
    },
    {
        "slug": "elles-bougent",
        "name": "Elles Bougent",
        "short_name": "",
        "kind": PartnerKind.ASSOCIATION,
        "description": (
            "Association à laquelle la CAPSO s'est associée pour les Sciences de l'Ingénieur "
            "au Féminin, afin de sensibiliser aux opportunités des carrières industrielles "
            "et techniques."
        ),
        "website": "",
        "role": PartnerRole.STAKEHOLDER,
    },
    {
        "slug": "corif",
        "name": "CORIF",
        "short_name": "",
        "kind": PartnerKind.ASSOCIATION,
        "description": (
            "A réalisé en partenariat 7 portraits vidéo de femmes dans 4 entreprises, "
            "utilisés par les acteurs de l'emploi et de la formation."
        ),
        "website": "",
        "role": PartnerRole.STAKEHOLDER,
    },
    {
        "slug": "capso",
        "name": "Communauté d'agglomération du Pays de Saint-Omer",
        "short_name": "CAPSO",
        "kind": PartnerKind.LOCAL_AUTHORITY,
        "description": (
            "Soutient les actions menées dans les entreprises du territoire ; signataire de "
            "la convention avec Capital Filles et associée à Elles Bougent."
        ),
        "website": "https://www.ca-pso.fr/",
        "role": PartnerRole.STAKEHOLDER,
    },
    {
        "slug": "arc-france",
        "name": "Arc France",
        "short_name": "",
        "kind": PartnerKind.COMPANY,
        "description": "Entreprise au sein de laquelle a été créé le réseau Verr'Elles.",
        "website": "",
        "role": PartnerRole.STAKEHOLDER,
    },
    {
        "slug": "agence-sofie",
        "name": "Agence Sofie",
        "short_name": "Sofie",
        "kind": PartnerKind.DEVELOPMENT_AGENCY,
        "description": "Agence de développement économique.",
        "website": "",
        "role": PartnerRole.STAKEHOLDER,
    },
    {
        "slug": "ministere-egalite-femmes-hommes",
        "name": (
            "Ministère chargé de l'Égalité entre les femmes et les hommes, de la Diversité "
            "et de l'Égalité des chances"
        ),
        "short_name": "Ministère de l'Égalité",
        "kind": PartnerKind.STATE_OR_FUNDER,
        "description": _SUPPORT,
        "website": "",
        "role": PartnerRole.SUPPORTER,
    },
    {
        "slug": "anct",
        "name": "Agence nationale de la cohésion des territoires",
        "short_name": "ANCT",
        "kind": PartnerKind.STATE_OR_FUNDER,
        "description": _SUPPORT,
        "website": "",
        "role": PartnerRole.SUPPORTER,
    },
    {
        "slug": "banque-des-territoires",
        "name": "Banque des Territoires",
        "short_name": "",
        "kind": PartnerKind.STATE_OR_FUNDER,
        "description": _SUPPORT,
        "website": "",
        "role": PartnerRole.SUPPORTER,
    },
]

# Personal data: staff only, never on public pages.
CONTACTS = [
    {
        "partner": "cmq-industrie-transition-numerique",
        "full_name": "Caroline Barbier",
        "job_title": "Directrice opérationnelle du CMQ",
        "email": "caroline.barbier@region-academique-hauts-de-france.fr",
    },
    {
        "partner": "agence-sofie",
        "full_name": "Bénédicte Brienne",
        "job_title": "Directrice de SOFIE, agence de développement économique",
        "email": "",
    },
]

INITIATIVES = [
    {
        "number": 1,
        "slug": "reseau-verrelles",
        "title": "Réseau Verr'Elles",
        "status": InitiativeStatus.IN_PROGRESS,
        "summary": (
            "Un réseau créé au sein d'Arc France pour promouvoir la place des femmes dans "
            "l'entreprise, impulser des actions, donner de l'ambition et intervenir dans les "
            "établissements scolaires."
        ),
        "description": (
            "Le réseau Verr'Elles a été créé au sein de l'entreprise Arc France. Il appuie "
            "les différents services de l'entreprise pour promouvoir la place des femmes, "
            "impulser des actions, donner de l'ambition et organiser des interventions dans "
            "des établissements scolaires."
        ),
        "lead_partners": ["arc-france"],
        "associated_partners": [],
        "audiences": ["filles", "entreprises"],
        "links": [
            {
                "label": "Réseau Verr'Elles sur LinkedIn",
                "url": "http://linkedin.com/company/verrelles/",
                "order": 1,
            },
        ],
        "achievements": [
            {"title": "Création du réseau Verr'Elles au sein d'Arc France", "quantity": None},
        ],
    },
    {
        "number": 2,
        "slug": "convention-capital-filles",
        "title": "Convention Capital Filles",
        "status": InitiativeStatus.IN_PROGRESS,
        "summary": (
            "La Communauté d'agglomération du Pays de Saint-Omer (CAPSO) et le réseau "
            "Verr'Elles ont signé une convention de partenariat avec l'association Capital "
            "Filles."
        ),
        "description": (
            "La Communauté d'agglomération du Pays de Saint-Omer (CAPSO) et Verr'Elles, le "
            "réseau d'Arc France, ont signé une convention de partenariat avec l'association "
            "Capital Filles."
        ),
        "lead_partners": ["capso", "arc-france"],
        "associated_partners": ["capital-filles"],
        "audiences": ["filles"],
        "links": [
            {
                "label": "Site de l'association Capital Filles",
                "url": "https://www.capitalfilles.fr/page/340527-accueil",
                "order": 1,
            },
        ],
        "achievements": [
            {
                "title": "Convention de partenariat signée avec l'association Capital Filles",
                "quantity": None,
            },
        ],
    },
    {
        "number": 3,
        "slug": "elles-bougent-sciences-ingenieur-feminin",
        "title": "Elles Bougent : Sciences de l'Ingénieur au Féminin",
        "status": InitiativeStatus.IN_PROGRESS,
        "summary": (
            "La CAPSO s'est associée à Elles Bougent pour les Sciences de l'Ingénieur au "
            "Féminin, afin de faire connaître et de démontrer les opportunités des carrières "
            "industrielles et techniques."
        ),
        "description": (
            "La Communauté d'agglomération du Pays de Saint-Omer s'est associée à "
            "l'association Elles Bougent pour les Sciences de l'Ingénieur au Féminin, afin "
            "de sensibiliser aux opportunités qu'offrent les carrières industrielles et "
            "techniques, et d'en apporter la preuve."
        ),
        "lead_partners": ["capso"],
        "associated_partners": ["elles-bougent"],
        "audiences": ["filles"],
        "links": [
            {
                "label": "ONISEP : les sciences de l'ingénieur au féminin",
                "url": (
                    "https://www.onisep.fr/Equipes-educatives/Egalite-filles-garcons/"
                    "Les-sciences-de-l-ingenieur-au-feminin"
                ),
                "order": 1,
            },
        ],
        "achievements": [
            {
                "title": (
                    "Adhésion de la CAPSO à Elles Bougent pour les Sciences de l'Ingénieur "
                    "au Féminin"
                ),
                "quantity": None,
            },
        ],
    },
    {
        "number": 4,
        "slug": "portraits-corif",
        "title": "Portraits vidéo avec le CORIF",
        "status": InitiativeStatus.IN_PROGRESS,
        "summary": (
            "Un partenariat avec le CORIF a permis de réaliser 7 portraits vidéo de femmes "
            "dans 4 entreprises, utilisés par les acteurs de l'emploi et de la formation."
        ),
        "description": (
            "Un partenariat avec le CORIF a permis de réaliser 7 portraits de femmes dans "
            "4 entreprises. Ces vidéos sont utilisées par les acteurs de l'emploi et de la "
            "formation pour sensibiliser les femmes aux parcours professionnels dans "
            "l'industrie."
        ),
        "lead_partners": ["corif"],
        "associated_partners": [],
        "audiences": ["prescripteurs", "filles"],
        "links": [],
        "achievements": [
            {"title": "7 portraits vidéo de femmes dans 4 entreprises", "quantity": 7},
        ],
    },
]

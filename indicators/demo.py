"""Plausible, reproducible demonstration events for a plan, used by `seed_demo`.

Generation is pure (no database access) and driven by one `random.Random(seed)`:
the same plan data, seed and period always give the same events, on any database."""

import datetime
import random
from dataclasses import dataclass

from indicators.enums import EventFormat

# Communes of the Territoire d'Industrie, weighted roughly by population, with
# their INSEE codes (the official communes of geography/data/).
COMMUNES = {
    "Saint-Omer": 8,
    "Arques": 5,
    "Longuenesse": 4,
    "Blendecques": 2,
    "Wizernes": 2,
    "Lumbres": 3,
    "Aire-sur-la-Lys": 4,
    "Éperlecques": 1,
    "Fauquembergues": 1,
    "Thérouanne": 1,
    "Hazebrouck": 6,
    "Bailleul": 4,
    "Merville": 3,
    "Cassel": 1,
    "Steenvoorde": 2,
    "Estaires": 2,
}
COMMUNE_CODES = {
    "Saint-Omer": "62765",
    "Arques": "62040",
    "Longuenesse": "62525",
    "Blendecques": "62139",
    "Wizernes": "62902",
    "Lumbres": "62534",
    "Aire-sur-la-Lys": "62014",
    "Éperlecques": "62297",
    "Fauquembergues": "62325",
    "Thérouanne": "62811",
    "Hazebrouck": "59295",
    "Bailleul": "59043",
    "Merville": "59400",
    "Cassel": "59135",
    "Steenvoorde": "59580",
    "Estaires": "59212",
}
TOWNS = {"Saint-Omer", "Arques", "Longuenesse", "Lumbres", "Aire-sur-la-Lys", "Hazebrouck"}
TOWN_WEIGHTS = {name: weight for name, weight in COMMUNES.items() if name in TOWNS}
# Venues a village does not have: only towns get them.
TOWN_VENUES = ("Lycée", "Mission locale", "Agence France Travail", "Maison de l'emploi")


@dataclass(frozen=True)
class Variant:
    """How a format looks for one audience. In venues "{of}" becomes « de Lumbres »
    or « d'Arques »; in titles "{tag}" becomes the initiative's short name."""

    venues: tuple
    titles: tuple


_SCHOOLS = ("Collège {of}", "Lycée {of}", "Lycée professionnel {of}")
_PLANTS = ("Site industriel {of}", "Atelier de production {of}", "Usine {of}")
_EMPLOYMENT = ("Agence France Travail {of}", "Mission locale {of}", "Maison de l'emploi {of}")

# For each format, the audiences it suits, the first being the fallback.
FORMATS = {
    EventFormat.SCHOOL_INTERVENTION: {
        "filles": Variant(
            _SCHOOLS,
            (
                "Intervention {tag} auprès d'une classe de 3e",
                "Les métiers de l'industrie au féminin ({tag})",
                "Rencontre entre élèves et professionnelles de l'industrie ({tag})",
                "Présentation des formations industrielles aux lycéennes ({tag})",
            ),
        ),
    },
    EventFormat.COMPANY_VISIT: {
        "filles": Variant(
            _PLANTS,
            (
                "Visite d'entreprise : à la découverte des métiers de la production ({tag})",
                "Immersion d'une journée en atelier ({tag})",
                "Visite de site industriel avec des professionnelles ({tag})",
            ),
        ),
        "entreprises": Variant(
            _PLANTS,
            (
                "Visite entre entreprises : féminiser ses équipes de production ({tag})",
                "Retour d'expérience sur la mixité des équipes ({tag})",
            ),
        ),
    },
    EventFormat.FORUM: {
        "filles": Variant(
            ("Salle des fêtes {of}", "Espace culturel {of}", "Lycée {of}"),
            (
                "Forum des métiers de l'industrie ({tag})",
                "Salon de l'orientation : stand {tag}",
                "Journée « L'industrie au féminin » ({tag})",
            ),
        ),
        "entreprises": Variant(
            ("Salle des fêtes {of}", "Espace culturel {of}"),
            ("Forum de l'emploi industriel : recruter des femmes ({tag})",),
        ),
    },
    EventFormat.WORKSHOP: {
        "entreprises": Variant(
            ("Maison de l'emploi {of}", "Salle de réunion de la mairie {of}"),
            (
                "Atelier RH : recruter et intégrer des femmes dans l'industrie ({tag})",
                "Atelier : rédiger des offres d'emploi sans stéréotypes ({tag})",
            ),
        ),
        "filles": Variant(
            ("Médiathèque {of}", "Collège {of}", "Lycée professionnel {of}"),
            (
                "Atelier de découverte des métiers techniques ({tag})",
                "Atelier « Déconstruire les stéréotypes sur les métiers » ({tag})",
            ),
        ),
    },
    EventFormat.PORTRAIT_SCREENING: {
        "prescripteurs": Variant(
            _EMPLOYMENT,
            (
                "Projection des portraits vidéo aux conseillers emploi-formation ({tag})",
                "Projection-débat : des femmes dans les entreprises du territoire ({tag})",
            ),
        ),
        "filles": Variant(
            ("Lycée professionnel {of}", "Collège {of}", "Médiathèque {of}"),
            ("Projection des portraits vidéo de femmes de l'industrie ({tag})",),
        ),
    },
    EventFormat.PRESCRIBER_SESSION: {
        "prescripteurs": Variant(
            _EMPLOYMENT,
            (
                "Information des conseillers emploi-formation sur les métiers industriels ({tag})",
                "Réunion d'information : orienter les femmes vers l'industrie ({tag})",
            ),
        ),
    },
}

# What each initiative of the plan does most; other initiatives get DEFAULT_FORMATS.
INITIATIVE_PROFILES = {
    "reseau-verrelles": (
        "Verr'Elles",
        {
            EventFormat.SCHOOL_INTERVENTION: 5,
            EventFormat.COMPANY_VISIT: 3,
            EventFormat.WORKSHOP: 2,
            EventFormat.FORUM: 1,
        },
    ),
    "convention-capital-filles": (
        "Capital Filles",
        {
            EventFormat.SCHOOL_INTERVENTION: 4,
            EventFormat.COMPANY_VISIT: 3,
            EventFormat.WORKSHOP: 2,
            EventFormat.FORUM: 1,
        },
    ),
    "elles-bougent-sciences-ingenieur-feminin": (
        "Elles Bougent",
        {
            EventFormat.SCHOOL_INTERVENTION: 4,
            EventFormat.FORUM: 3,
            EventFormat.WORKSHOP: 2,
            EventFormat.COMPANY_VISIT: 1,
        },
    ),
    "portraits-corif": (
        "CORIF",
        {EventFormat.PORTRAIT_SCREENING: 5, EventFormat.PRESCRIBER_SESSION: 4},
    ),
}
DEFAULT_FORMATS = dict.fromkeys(FORMATS, 1)

# Per audience: people (min, max) and the share of women among them (min, max).
SIZES = {
    "filles": ((15, 60), (0.4, 1.0)),
    "entreprises": ((5, 30), (0.2, 0.7)),
    "prescripteurs": ((5, 25), (0.5, 0.95)),
}
DEFAULT_SIZE = ((5, 40), (0.3, 0.8))
UNKNOWN_WOMEN_RATE = 0.1
TWO_AUDIENCES_RATE = 0.3
CO_ORGANIZED_RATE = 0.25

ARC_FRANCE = ("arc-france", "Arc France", "Arques")


@dataclass(frozen=True)
class InitiativeSource:
    """What generation needs to know of one initiative; partners and audiences are
    (pk, slug) pairs, in a stable order."""

    pk: int
    slug: str
    title: str
    leads: tuple
    associated: tuple
    audiences: tuple


@dataclass(frozen=True)
class EventDraft:
    date: datetime.date
    title: str
    format: str
    venue_name: str
    commune: str
    commune_code: str
    initiative_pk: int
    organizer_pk: int
    co_organizer_pks: tuple
    lines: tuple  # (audience pk, people, women or None)


def usable(initiatives):
    """The initiatives an event can be generated for: someone to organise it, and
    someone to count."""
    return [i for i in initiatives if (i.leads or i.associated) and i.audiences]


def generate(initiatives, count, start, end, seed):
    """`count` events between start and end (both included), sorted by date."""
    rng = random.Random(seed)
    initiatives = usable(initiatives)
    days = [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]
    days = [day for day in days if _is_working_day(day)] or days
    return [
        _event(rng, day, rng.choice(initiatives))
        for day in sorted(rng.choice(days) for _ in range(count))
    ]


def _is_working_day(day):
    """Not a weekend, nor the summer or Christmas holidays, when schools and most
    plants are closed."""
    christmas = (day.month == 12 and day.day >= 24) or (day.month == 1 and day.day == 1)
    return day.weekday() < 5 and day.month != 8 and not christmas


def _event(rng, day, initiative):
    tag, formats = INITIATIVE_PROFILES.get(initiative.slug, (initiative.title, DEFAULT_FORMATS))
    audience_slugs = {slug for _, slug in initiative.audiences}
    fitting = {
        format: weight
        for format, weight in formats.items()
        if audience_slugs.intersection(FORMATS[format])
    } or formats
    format = rng.choices(list(fitting), weights=list(fitting.values()))[0]
    variants = FORMATS[format]

    suited = [a for a in initiative.audiences if a[1] in variants] or list(initiative.audiences)
    chosen = [rng.choice(suited)]
    others = [a for a in suited if a != chosen[0]]
    if others and rng.random() < TWO_AUDIENCES_RATE:
        chosen.append(rng.choice(others))
    variant = variants.get(chosen[0][1]) or next(iter(variants.values()))

    organizer_pk, organizer_slug = rng.choice(initiative.leads or initiative.associated)
    partners = [p for p in initiative.leads + initiative.associated if p[0] != organizer_pk]
    co_organizers = ()
    if partners and rng.random() < CO_ORGANIZED_RATE:
        co_organizers = tuple(
            sorted(pk for pk, _ in rng.sample(partners, rng.randint(1, len(partners))))
        )

    if format == EventFormat.COMPANY_VISIT and organizer_slug == ARC_FRANCE[0]:
        venue, commune = ARC_FRANCE[1], ARC_FRANCE[2]
    else:
        venue = rng.choice(variant.venues)
        communes = TOWN_WEIGHTS if venue.startswith(TOWN_VENUES) else COMMUNES
        commune = rng.choices(list(communes), weights=list(communes.values()))[0]
        venue = venue.format(of=_of(commune))

    return EventDraft(
        date=day,
        title=rng.choice(variant.titles).format(tag=tag),
        format=format,
        venue_name=venue,
        commune=commune,
        commune_code=COMMUNE_CODES[commune],
        initiative_pk=initiative.pk,
        organizer_pk=organizer_pk,
        co_organizer_pks=co_organizers,
        lines=tuple(
            _line(rng, pk, slug) for pk, slug in sorted(chosen, key=initiative.audiences.index)
        ),
    )


def _line(rng, audience_pk, audience_slug):
    (low, high), (min_share, max_share) = SIZES.get(audience_slug, DEFAULT_SIZE)
    people = rng.randint(low, high)
    women = round(people * rng.uniform(min_share, max_share))
    if rng.random() < UNKNOWN_WOMEN_RATE:
        women = None
    return audience_pk, people, women


def _of(commune):
    """« de Lumbres », « d'Arques »: French elision before a vowel."""
    return f"d'{commune}" if commune[0] in "AEÉIOUY" else f"de {commune}"

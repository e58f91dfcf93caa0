"""Plausible, reproducible demonstration events for a plan, used by `seed_demo`.

Generation is pure (no database access) and driven by `random.Random` generators
seeded with `seed` (and each month, see `Draw`): the same plan data, seed and period
always give the same events, on any database, however the months are shared out."""

import datetime
import random
from bisect import bisect
from dataclasses import dataclass
from functools import cache
from itertools import accumulate, chain, islice, repeat

from feminisation import formatting
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
    # The demonstration territories' own initiatives (territories/demo.py).
    "reseau-marraines-industrie": (
        "Marraines de l'industrie",
        {
            EventFormat.SCHOOL_INTERVENTION: 5,
            EventFormat.COMPANY_VISIT: 4,
            EventFormat.WORKSHOP: 2,
            EventFormat.FORUM: 1,
        },
    ),
    "portraits-femmes-industrie": (
        "Portraits de femmes",
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
    (pk, slug) pairs, in a stable order. `places` are its territory's communes,
    (name, INSEE code, weight, is a town): the seed territory's COMMUNES when empty.
    Initiatives are drawn in proportion to their `weight`."""

    pk: int
    slug: str
    title: str
    leads: tuple
    associated: tuple
    audiences: tuple
    places: tuple = ()
    weight: float = 1.0


# Compared and hashed by identity: a kind is a key of the writers' caches.
@dataclass(frozen=True, slots=True, eq=False)
class Kind:
    """What many events share: an initiative, a format, a title, an organiser and
    the audiences counted. Each event of a kind then draws a place among `places`
    (cumulative `place_weights`), maybe co-organisers among `partners`, and its
    figures within `sizes`: (audience pk, fewest people, how many more at most,
    least share of women, how much more at most)."""

    initiative_pk: int
    format: str
    title: str
    organizer_pk: int
    partners: tuple
    sizes: tuple
    places: tuple  # (venue name, commune, its INSEE code)
    place_weights: tuple


def usable(initiatives):
    """The initiatives an event can be generated for: someone to organise it, and
    someone to count."""
    return [i for i in initiatives if (i.leads or i.associated) and i.audiences]


def generate(initiatives, count, start, end, seed, batch_size=10_000):
    """`count` events between start and end (both included), in date order, in lists
    of at most batch_size: memory does not grow with count. An event is a tuple
    (date, kind, place, co-organiser pks, lines), a line (audience pk, people,
    women or None). See `Draw`."""
    return Draw(initiatives, count, start, end, seed, batch_size).batches()


class Draw:
    """The events of `generate`, drawn month by month (`batches`), some months only
    if asked: a process can draw half of them, another the other half.

    Each event falls on a working day drawn uniformly (how many on each day is
    drawn first, by a generator seeded with `seed`), belongs to an initiative drawn
    uniformly, and is drawn as `_kinds` and `_event` describe, by a generator of its
    month's own, seeded with `seed` and the month: a month's events are the same
    whichever other months are drawn. The choices are made a batch at a time, from
    weights computed once, which is what makes ten million events take a minute
    rather than half an hour."""

    def __init__(self, initiatives, count, start, end, seed, batch_size=10_000):
        self.seed, self.batch_size = seed, batch_size
        self.kinds, self.cum_weights = _kinds(usable(initiatives))
        days = [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]
        days = [day for day in days if _is_working_day(day)] or days
        per_day = _per_day(random.Random(seed), count, len(days))
        # [(first day of the month, [(day, events that day)…])…], every month of the
        # period, those without a working day included.
        months = {}
        for day in (start + datetime.timedelta(days=n) for n in range((end - start).days + 1)):
            months.setdefault(day.replace(day=1), [])
        for day, events in zip(days, per_day, strict=True):
            months[day.replace(day=1)].append((day, events))
        self.months = list(months.items())

    def days(self):
        """The days that have events."""
        return [day for _, days in self.months for day, events in days if events]

    def sizes(self):
        """How many events each month has, in the order of `months`."""
        return [sum(events for _, events in days) for _, days in self.months]

    def batches(self, months=None):
        """The events of the months whose indexes (in `months`) are in `months`, every
        month if None, in date order and in lists of at most batch_size, a list never
        holding two months' events."""
        kinds, cum_weights = self.kinds, self.cum_weights
        for index, (month, days) in enumerate(self.months):
            if months is not None and index not in months:
                continue
            rng = random.Random(f"{self.seed}/{month:%Y-%m}")
            dates = chain.from_iterable(repeat(day, events) for day, events in days)
            while batch := list(islice(dates, self.batch_size)):
                drawn = rng.choices(kinds, cum_weights=cum_weights, k=len(batch))
                yield [_event(rng, day, kind) for day, kind in zip(batch, drawn, strict=True)]


def _per_day(rng, count, days):
    """How many of the events fall on each of the days, each event on a day drawn
    uniformly; drawn a million at a time."""
    per_day = [0] * days
    for done in range(0, count, 1_000_000):
        for day in rng.choices(range(days), k=min(1_000_000, count - done)):
            per_day[day] += 1
    return per_day


def _is_working_day(day):
    """Not a weekend, nor the summer or Christmas holidays, when schools and most
    plants are closed."""
    christmas = (day.month == 12 and day.day >= 24) or (day.month == 1 and day.day == 1)
    return day.weekday() < 5 and day.month != 8 and not christmas


def _kinds(initiatives):
    """Every kind of event of these initiatives, and the cumulative weights that
    draw one as if the initiative, then each of its traits, were drawn in turn."""
    kinds, weights = [], []
    total = sum(initiative.weight for initiative in initiatives)
    for initiative in initiatives:
        for kind, weight in _kinds_of(initiative):
            kinds.append(kind)
            weights.append(weight * initiative.weight / total)
    return kinds, list(accumulate(weights))


def _kinds_of(initiative):
    """The initiative's kinds of events and the probability of each. The format is
    drawn by the initiative's profile among those that suit one of its audiences;
    then an audience that the format suits, and in TWO_AUDIENCES_RATE of the events
    a second one; the organiser among its lead partners (its associated ones if it
    has none); a title of the format's variant for the first audience."""
    tag, formats = INITIATIVE_PROFILES.get(initiative.slug, (initiative.title, DEFAULT_FORMATS))
    audience_slugs = {slug for _, slug in initiative.audiences}
    fitting = {
        format: weight
        for format, weight in formats.items()
        if audience_slugs.intersection(FORMATS[format])
    } or formats
    organizers = initiative.leads or initiative.associated
    partners = dict.fromkeys(pk for pk, _ in initiative.leads + initiative.associated)
    for format, format_weight in fitting.items():
        variants = FORMATS[format]
        suited = [a for a in initiative.audiences if a[1] in variants] or list(initiative.audiences)
        for first in suited:
            variant = variants.get(first[1]) or next(iter(variants.values()))
            for chosen, chosen_weight in _audience_choices(first, suited):
                sizes = tuple(
                    _sizes(pk, slug) for pk, slug in sorted(chosen, key=initiative.audiences.index)
                )
                for organizer_pk, organizer_slug in organizers:
                    places, place_weights = _places(
                        variant.venues,
                        arc_france=format == EventFormat.COMPANY_VISIT
                        and organizer_slug == ARC_FRANCE[0],
                        communes=initiative.places,
                    )
                    for title in variant.titles:
                        kind = Kind(
                            initiative_pk=initiative.pk,
                            format=format,
                            title=title.format(tag=tag),
                            organizer_pk=organizer_pk,
                            partners=tuple(pk for pk in partners if pk != organizer_pk),
                            sizes=sizes,
                            places=places,
                            place_weights=place_weights,
                        )
                        yield (
                            kind,
                            (
                                format_weight
                                / sum(fitting.values())
                                / len(suited)
                                * chosen_weight
                                / len(organizers)
                                / len(variant.titles)
                            ),
                        )


def _audience_choices(first, suited):
    """The audiences counted when `first` is drawn first, with their probabilities."""
    others = [a for a in suited if a != first]
    if not others:
        return [((first,), 1.0)]
    return [((first,), 1 - TWO_AUDIENCES_RATE)] + [
        ((first, other), TWO_AUDIENCES_RATE / len(others)) for other in others
    ]


def _sizes(audience_pk, audience_slug):
    (low, high), (min_share, max_share) = SIZES.get(audience_slug, DEFAULT_SIZE)
    return audience_pk, low, high - low + 1, min_share, max_share - min_share


@cache
def _places(venues, arc_france, communes=()):
    """The places of a variant's venues and their cumulative probabilities: a venue
    drawn uniformly, in a commune drawn by weight (a town, for the venues villages
    do not have), among `communes` (see InitiativeSource.places) or the seed
    territory's. Arc France's company visits are in its plant."""
    if arc_france:
        return ((ARC_FRANCE[1], ARC_FRANCE[2], COMMUNE_CODES[ARC_FRANCE[2]]),), (1.0,)
    if communes:
        every = {name: weight for name, _, weight, _ in communes}
        towns = {name: weight for name, _, weight, town in communes if town} or every
        codes = {name: code for name, code, _, _ in communes}
    else:
        every, towns, codes = COMMUNES, TOWN_WEIGHTS, COMMUNE_CODES
    places, weights = [], []
    for venue in venues:
        chosen = towns if venue.startswith(TOWN_VENUES) else every
        for commune, weight in chosen.items():
            places.append((venue.format(of=formatting.of(commune)), commune, codes[commune]))
            weights.append(weight / sum(chosen.values()) / len(venues))
    return tuple(places), tuple(accumulate(weights))


def _event(rng, day, kind):
    random_ = rng.random
    # Not past the last place, whatever the rounding of the cumulative weights.
    place = kind.places[bisect(kind.place_weights, random_(), 0, len(kind.places) - 1)]
    co_organizers = ()
    if kind.partners and random_() < CO_ORGANIZED_RATE:
        chosen = rng.sample(kind.partners, rng.randint(1, len(kind.partners)))
        co_organizers = tuple(sorted(chosen))
    lines = []
    for audience_pk, low, span, min_share, share_span in kind.sizes:
        people = low + int(random_() * span)
        women = round(people * (min_share + share_span * random_()))
        lines.append((audience_pk, people, None if random_() < UNKNOWN_WOMEN_RATE else women))
    return day, kind, place, co_organizers, lines

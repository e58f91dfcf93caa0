"""The demonstration territories `seed_demo --territories N` adds beside the seed
one (load_plan's, which stays the first): real EPCIs grouped by demo_areas, each
with a published plan of the seed plan's shape — four initiatives for the three
audiences —, its local partners (its EPCI, a company, its region and the region's
campus, shared by the territories of a region), the national partners shared by
every territory (Elles Bougent, Capital Filles, the State's), and a yearly target.
Written in a few bulk queries whatever N; the same seed on the same territories
gives the same ones."""

import random
from dataclasses import replace

from django.db import transaction
from django.db.models import Exists, OuterRef

from feminisation import formatting
from geography.departments import name as department_name
from indicators.models import AwarenessEvent, Target
from initiatives import plan_data
from initiatives.enums import InitiativeStatus, PartnerRole
from initiatives.models import ActionPlan, Audience, Initiative, PlanPartner
from partners.enums import PartnerKind
from partners.models import Partner
from territories import demo_areas
from territories.models import Epci, Territory

MAX_TERRITORIES = 500
# Shared with every demonstration territory: national networks and funders.
NATIONAL_PARTNERS = (
    "elles-bougent",
    "capital-filles",
    "anct",
    "banque-des-territoires",
    "ministere-egalite-femmes-hommes",
)
COMPANIES = (
    "Fonderie",
    "Ateliers mécaniques",
    "Plasturgie",
    "Chaudronnerie",
    "Verrerie",
    "Métallerie",
    "Tissages",
    "Conserverie",
    "Papeterie",
    "Électronique industrielle",
)
FICTIONAL = "Données fictives, générées pour la démonstration par la commande seed_demo."
# Communes where a territory's events take place, and how many of them are towns.
PLACES, TOWNS = 12, 4
# People counted per event on average (indicators/demo.py's sizes): a territory's
# yearly target is near what its share of the events reaches.
PEOPLE_PER_EVENT = 45

# The seed plan's four initiatives, rewritten for any territory: {town}, {epci},
# {company} and {campus} become the territory's; the partners are named by role.
INITIATIVES = [
    {
        "slug": "reseau-marraines-industrie",
        "title": "Réseau de marraines de l'industrie",
        "summary": (
            "Des salariées de {company} et d'autres entreprises du territoire parrainent "
            "des élèves et interviennent dans les établissements scolaires."
        ),
        "leads": ["company"],
        "associated": [],
        "audiences": ["filles", "entreprises"],
    },
    {
        "slug": "convention-capital-filles",
        "title": "Convention Capital Filles",
        "summary": (
            "{epci} a signé une convention de partenariat avec l'association Capital "
            "Filles pour accompagner les lycéennes vers les métiers de l'industrie."
        ),
        "leads": ["epci"],
        "associated": ["capital-filles"],
        "audiences": ["filles"],
    },
    {
        "slug": "elles-bougent-sciences-ingenieur-feminin",
        "title": "Elles Bougent : Sciences de l'Ingénieur au Féminin",
        "summary": (
            "{epci} s'est associée à Elles Bougent pour faire connaître aux collégiennes "
            "et lycéennes les carrières industrielles et techniques."
        ),
        "leads": ["epci"],
        "associated": ["elles-bougent"],
        "audiences": ["filles"],
    },
    {
        "slug": "portraits-femmes-industrie",
        "title": "Portraits vidéo de femmes de l'industrie",
        "summary": (
            "Le {campus} a réalisé des portraits vidéo de femmes des entreprises du "
            "territoire, projetés aux acteurs de l'emploi et de la formation."
        ),
        "leads": ["campus"],
        "associated": [],
        "audiences": ["prescripteurs", "filles"],
    },
]


def missing(count):
    """How many territories to add for the instance to have `count`."""
    return max(0, count - Territory.objects.count())


@transaction.atomic
def create(count, seed, years, events_per_year):
    """Adds `count` demonstration territories with their plans, partners and
    targets (one per year of `years`); returns their plans."""
    taken_slugs = set(Territory.objects.values_list("slug", flat=True))
    taken_slugs |= set(ActionPlan.objects.values_list("slug", flat=True))
    drawn = demo_areas.draw(
        count,
        seed,
        taken_sirens=Epci.objects.values_list("siren", flat=True),
        taken_names=Territory.objects.values_list("name", flat=True),
        taken_slugs=taken_slugs,
    )
    rng = random.Random(f"demo-plans-{seed}")
    territories = Territory.objects.bulk_create(
        Territory(name=t.name, slug=t.slug, region=t.region) for t in drawn
    )
    Epci.objects.bulk_create(
        Epci(territory=territory, siren=area.siren, name=area.name)
        for territory, spec in zip(territories, drawn, strict=True)
        for area in spec.epcis
    )
    partners = _Partners(rng)
    plans = ActionPlan.objects.bulk_create(
        _plan(territory, spec) for territory, spec in zip(territories, drawn, strict=True)
    )
    audiences = {a.slug: a for a in Audience.objects.filter(slug__in=_audience_slugs())}
    initiatives, relations = [], []
    for plan, territory, spec in zip(plans, territories, drawn, strict=True):
        local = partners.of(territory, spec)
        for number, data in enumerate(INITIATIVES, start=1):
            initiative = _initiative(plan, number, data, local)
            initiatives.append(initiative)
            relations.append((initiative, data, local))
    partners.save(plans)
    Initiative.objects.bulk_create(initiatives)
    _relate(relations, audiences)
    total = sum(spec.population for spec in drawn) + _population(_others(territories))
    Target.objects.bulk_create(
        _target(rng, plan, year, events_per_year * spec.population / max(total, 1))
        for plan, spec in zip(plans, drawn, strict=True)
        for year in years
    )
    return plans


def sources(plans, sources_of):
    """What indicators.demo generates events from for these plans: `sources_of(plan)`
    (seed_demo's), each initiative placed in its territory's communes and, when
    there are several plans, weighted by its territory's population, so that a
    populous territory has more events. The seed territory keeps indicators.demo's
    own places."""
    if len(plans) == 1 and _is_seed(plans[0]):
        return sources_of(plans[0])
    every = demo_areas.areas()
    sirens = {}
    epcis = Epci.objects.filter(territory__in=[plan.territory_id for plan in plans])
    for siren, territory in epcis.values_list("siren", "territory"):
        sirens.setdefault(territory, []).append(siren)
    found = []
    for plan in plans:
        areas = [every[siren] for siren in sirens.get(plan.territory_id, ()) if siren in every]
        population = max(sum(area.population for area in areas), 1)
        places = () if _is_seed(plan) else _places(areas)
        initiatives = sources_of(plan)
        found += [
            replace(source, places=places, weight=population / len(initiatives))
            for source in initiatives
        ]
    return found


def _is_seed(plan):
    return plan.territory.slug == plan_data.TERRITORY["slug"]


def without_events(plans):
    """Those of these plans whose territory has no event yet (one query)."""
    events = AwarenessEvent.objects.filter(initiative__plan__territory=OuterRef("pk"))
    having = set(
        Territory.objects.filter(
            Exists(events), pk__in=[plan.territory_id for plan in plans]
        ).values_list("pk", flat=True)
    )
    return [plan for plan in plans if plan.territory_id not in having]


def current_plans():
    """Each territory's current plan (ActionPlan.objects.current's), in the order of
    the territories' ids: the seed territory's first."""
    return list(
        ActionPlan.objects.current_of_each_territory()
        .select_related("territory")
        .order_by("territory_id")
    )


def _places(areas):
    names = {}
    # Homonyms (two « Saint-Aubin ») would be one place: the most populous is kept.
    for name, code, population in demo_areas.most_populous(areas, PLACES * 2):
        names.setdefault(name, (code, population))
    chosen = list(names.items())[:PLACES]
    # Weighted by the square root of the population: villages have events too.
    return tuple(
        (name, code, max(population, 1) ** 0.5, index < TOWNS)
        for index, (name, (code, population)) in enumerate(chosen)
    )


def _plan(territory, spec):
    main = spec.epcis[0]
    return ActionPlan(
        territory=territory,
        slug=territory.slug,
        title=plan_data.PLAN["title"],
        summary=(
            f"Le Territoire d'Industrie {territory.name} et ses partenaires travaillent à "
            f"l'attractivité des formations et des métiers industriels auprès des femmes. "
            f"{FICTIONAL}"
        ),
        finding=(
            f"L'attractivité des emplois industriels est un enjeu majeur pour le Territoire "
            f"d'Industrie {territory.name}, autour de {main.communes[0][0]} "
            f"({department_name(main.department)}) : les entreprises peinent à recruter, et "
            "les femmes restent peu nombreuses dans les ateliers."
        ),
        objectives=plan_data.PLAN["objectives"],
        indicator=plan_data.PLAN["indicator"],
        obstacles="L'obstacle le plus important reste celui des mentalités.",
        quote="",
        start_date=plan_data.PLAN["start_date"],
        is_published=True,
    )


def _initiative(plan, number, data, local):
    names = {key: str(partner) for key, partner in local.items()}
    summary = data["summary"].format(
        town=names["town"], epci=names["epci"], company=names["company"], campus=names["campus"]
    )
    return Initiative(
        plan=plan,
        number=number,
        slug=data["slug"],
        title=data["title"],
        summary=summary,
        description=f"{summary}\n\n{FICTIONAL}",
        status=InitiativeStatus.IN_PROGRESS,
    )


def _relate(relations, audiences):
    leads, associated, counted = [], [], []
    Lead = Initiative.lead_partners.through
    Associated = Initiative.associated_partners.through
    Counted = Initiative.audiences.through
    for initiative, data, local in relations:
        leads += [Lead(initiative=initiative, partner=local[key]) for key in data["leads"]]
        associated += [
            Associated(initiative=initiative, partner=local[key]) for key in data["associated"]
        ]
        counted += [
            Counted(initiative=initiative, audience=audiences[s]) for s in data["audiences"]
        ]
    Lead.objects.bulk_create(leads)
    Associated.objects.bulk_create(associated)
    Counted.objects.bulk_create(counted)


def _audience_slugs():
    return {slug for data in INITIATIVES for slug in data["audiences"]}


def _target(rng, plan, year, events):
    people = max(10, round(events * PEOPLE_PER_EVENT * rng.uniform(0.8, 1.3), -1))
    return Target(plan=plan, year=year, people=people, women=round(people * rng.uniform(0.45, 0.6)))


def _others(created):
    return Territory.objects.exclude(pk__in=[territory.pk for territory in created])


def _population(territories):
    every = demo_areas.areas()
    sirens = Epci.objects.filter(territory__in=territories).values_list("siren", flat=True)
    return sum(every[siren].population for siren in sirens if siren in every)


class _Partners:
    """The partners of the new territories: found by slug, else made, then written
    at once by save()."""

    def __init__(self, rng):
        self.rng = rng
        self.by_slug = {partner.slug: partner for partner in Partner.objects.all()}
        self.names = {partner.name.casefold() for partner in self.by_slug.values()}
        self.new = []
        self.of_territory = []  # (territory, partner, role)
        self.national = {slug: self._national(slug) for slug in NATIONAL_PARTNERS}

    def of(self, territory, spec):
        """The territory's partners by their part in its initiatives."""
        main = spec.epcis[0]
        town = main.communes[0][0]
        region = territory.region
        local = {
            "town": town,
            "epci": self._get(
                demo_areas.slug_of(main.name),
                main.name,
                PartnerKind.LOCAL_AUTHORITY,
                f"Intercommunalité du territoire. {FICTIONAL}",
            ),
            "company": self._get(
                demo_areas.slug_of(f"{territory.slug} entreprise"),
                f"{self.rng.choice(COMPANIES)} {formatting.of(town)}",
                PartnerKind.COMPANY,
                f"Entreprise fictive. {FICTIONAL}",
            ),
            "campus": self._get(
                demo_areas.slug_of(f"cmq industrie {region}"),
                f"Campus des métiers et des qualifications Industrie du futur {region}",
                PartnerKind.CAMPUS,
                f"Campus de la région, partenaire de ses territoires. {FICTIONAL}",
                short_name=f"CMQ Industrie {region}"[:50],
            ),
            "region": self._get(
                demo_areas.slug_of(f"region {region}"),
                f"Région {region}",
                PartnerKind.REGION,
                "Partie prenante du plan d'action.",
                short_name="Région",
            ),
            **self.national,
        }
        for key, partner in local.items():
            if key == "town":
                continue
            role = next(
                (d["role"] for d in plan_data.PARTNERS if d["slug"] == partner.slug),
                PartnerRole.STAKEHOLDER,
            )
            self.of_territory.append((territory, partner, role))
        return local

    def save(self, plans):
        """Writes the new partners, and every partner's place in the territories."""
        Partner.objects.bulk_create(self.new)
        plan_of = {plan.territory_id: plan for plan in plans}
        Partner.territories.through.objects.bulk_create(
            Partner.territories.through(partner=partner, territory=territory)
            for territory, partner, _ in self.of_territory
        )
        PlanPartner.objects.bulk_create(
            PlanPartner(plan=plan_of[territory.pk], partner=partner, role=role)
            for territory, partner, role in self.of_territory
        )

    def _national(self, slug):
        if slug in self.by_slug:
            return self.by_slug[slug]
        data = next(d for d in plan_data.PARTNERS if d["slug"] == slug)
        fields = {k: v for k, v in data.items() if k not in ("slug", "role")}
        return self._get(slug, **fields)

    def _get(self, slug, name, kind, description, short_name="", website=""):
        if slug in self.by_slug:
            return self.by_slug[slug]
        if name.casefold() in self.names:
            name = f"{name} ({slug})"
        partner = Partner(
            slug=slug,
            name=name,
            kind=kind,
            description=description,
            short_name=short_name,
            website=website,
        )
        self.by_slug[slug] = partner
        self.names.add(name.casefold())
        self.new.append(partner)
        return partner

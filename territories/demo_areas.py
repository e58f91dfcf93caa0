"""Plausible demonstration territories drawn from the real EPCIs of the communes'
file (geography/data/communes.csv): pure, no database access, the same seed and
the same EPCIs set aside always give the same territories.

A territory groups 1 to 4 neighbouring EPCIs of one region, as the Territoires
d'Industrie do. The file has no map: two EPCIs are neighbours when they share a
postal code (La Poste's offices serve adjacent communes), else when they lie in
the same department."""

import random
from collections import defaultdict
from dataclasses import dataclass
from functools import cache

from django.utils.text import slugify

from geography import datafile, departments

# Territories of 1, 2, 3 or 4 EPCIs, in these proportions.
SIZES = {1: 3, 2: 4, 3: 2, 4: 1}
MAX_POPULATION = 300_000
# Between the two towns of a name, as the Territoires d'Industrie write theirs.
EN_DASH = " \u2013 "
SLUG_LENGTH = 100


@dataclass(frozen=True)
class Area:
    """An EPCI of the communes' file; its communes (name, INSEE code, population)
    are the most populous first, its department is its main town's."""

    siren: str
    name: str
    department: str
    population: int
    communes: tuple
    postal_codes: frozenset

    @property
    def region(self):
        return departments.region(self.department)


@dataclass(frozen=True)
class DemoTerritory:
    name: str
    slug: str
    region: str
    epcis: tuple  # Areas, the most populous first

    @property
    def population(self):
        return sum(epci.population for epci in self.epcis)

    @property
    def department(self):
        return self.epcis[0].department


def most_populous(areas, count):
    """The `count` most populous communes of these EPCIs: (name, INSEE code,
    population)."""
    every = (commune for area in areas for commune in area.communes)
    return sorted(every, key=lambda commune: (-commune[2], commune[1]))[:count]


@cache
def areas(path=datafile.PATH):
    """Every EPCI of the communes' file, by SIREN (read once per process)."""
    communes = defaultdict(list)
    for commune in datafile.read(path):
        if commune.epci_siren:
            communes[commune.epci_siren].append(commune)
    found = {}
    for siren, members in communes.items():
        members.sort(key=lambda c: (-(c.population or 0), c.code))
        found[siren] = Area(
            siren=siren,
            name=members[0].epci_name,
            department=members[0].department,
            population=sum(c.population or 0 for c in members),
            communes=tuple((c.name, c.code, c.population or 0) for c in members),
            postal_codes=frozenset(code for c in members for code in c.postal_codes.split()),
        )
    return found


def draw(count, seed, taken_sirens=(), taken_names=(), taken_slugs=()):
    """`count` territories of EPCIs none of which is in `taken_sirens`, with names
    and slugs not in `taken_names` / `taken_slugs`. Fewer when the EPCIs run out."""
    rng = random.Random(f"territories-{seed}")
    every = areas()
    taken = set(taken_sirens)
    names = {name.casefold() for name in taken_names}
    slugs = set(taken_slugs)
    candidates = sorted(siren for siren, area in every.items() if _eligible(area))
    rng.shuffle(candidates)
    neighbours = _neighbours(every)
    territories = []
    for siren in candidates:
        if len(territories) == count:
            break
        if siren in taken:
            continue
        size = rng.choices(list(SIZES), weights=list(SIZES.values()))[0]
        group = [every[siren]]
        taken.add(siren)
        while len(group) < size:
            free = _free_neighbours(group, neighbours, every, taken)
            if not free:
                break
            chosen = every[rng.choice(free)]
            group.append(chosen)
            taken.add(chosen.siren)
        group.sort(key=lambda area: (-area.population, area.siren))
        name = _unique_name(_name(group), group[0], names)
        names.add(name.casefold())
        slug = _unique_slug(slug_of(name), slugs)
        slugs.add(slug)
        territories.append(DemoTerritory(name, slug, group[0].region, tuple(group)))
    return territories


def slug_of(name):
    """slugify() drops the ligatures: « Wœrth » would become « wrth »."""
    name = name.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae").replace("Æ", "Ae")
    return slugify(name)[:SLUG_LENGTH].strip("-")


def _eligible(area):
    """The Territoires d'Industrie are intermediate towns and their countryside: the
    metropolises are left out."""
    return area.population <= MAX_POPULATION and "métropole" not in area.name.casefold()


def _neighbours(every):
    by_postal_code = defaultdict(set)
    for area in every.values():
        for code in area.postal_codes:
            by_postal_code[code].add(area.siren)
    neighbours = defaultdict(set)
    for sirens in by_postal_code.values():
        for siren in sirens:
            neighbours[siren] |= sirens - {siren}
    return neighbours


def _free_neighbours(group, neighbours, every, taken):
    """The EPCIs not taken that share a postal code with the group, in its region;
    else those of its main town's department."""
    region = group[0].region
    near = {
        siren
        for area in group
        for siren in neighbours[area.siren]
        if siren not in taken and every[siren].region == region and _eligible(every[siren])
    }
    if not near:
        near = {
            siren
            for siren, area in every.items()
            if siren not in taken and area.department == group[0].department and _eligible(area)
        }
    return sorted(near)


def _name(group):
    """« <main town> <en dash> <other> »: the main towns of its two most populous EPCIs, or
    the two most populous communes of its only one."""
    towns = list(dict.fromkeys(area.communes[0][0] for area in group))
    if len(towns) == 1:
        others = [name for name, _, _ in group[0].communes[1:2]]
        towns += others or [group[0].name]
    return f"{towns[0]}{EN_DASH}{towns[1]}"


def _unique_name(name, main, names):
    if name.casefold() not in names:
        return name
    name = f"{name} ({departments.name(main.department)})"
    return name if name.casefold() not in names else f"{name} {main.siren}"


def _unique_slug(slug, slugs):
    unique, number = slug, 2
    while unique in slugs:
        suffix = f"-{number}"
        unique, number = f"{slug[: SLUG_LENGTH - len(suffix)]}{suffix}", number + 1
    return unique

"""Real communes of the territory, for the tests that need a few (the Nord and the
Pas-de-Calais of the file are loaded by the tests of load_communes only, France never)."""

import factory
from factory.django import DjangoModelFactory

from geography.models import Commune

# As geography/data/communes.csv has them: code, name, department, postal
# codes, EPCI SIREN and name, population.
REAL_COMMUNES = [
    ("62765", "Saint-Omer", "62", "62500", "200069037", "CA du Pays de Saint-Omer", 14382),
    ("62040", "Arques", "62", "62510", "200069037", "CA du Pays de Saint-Omer", 9431),
    ("62525", "Longuenesse", "62", "62219", "200069037", "CA du Pays de Saint-Omer", 10548),
    ("62534", "Lumbres", "62", "62380", "246201016", "CC du Pays de Lumbres", 3579),
    ("62139", "Blendecques", "62", "62575", "200069037", "CA du Pays de Saint-Omer", 4859),
    ("62014", "Aire-sur-la-Lys", "62", "62120", "200069037", "CA du Pays de Saint-Omer", 9598),
    ("62297", "Éperlecques", "62", "62910", "200069037", "CA du Pays de Saint-Omer", 3737),
    ("59295", "Hazebrouck", "59", "59190", "200040947", "CA Coeur de Flandre", 21912),
    (
        "59350",
        "Lille",
        "59",
        "59000 59160 59260 59777 59800",
        "200093201",
        "Métropole Européenne de Lille",
        238246,
    ),
    ("59529", "Saint-Aubin", "59", "59440", "200043263", "CC Coeur de l'Avesnois", 328),
    ("62742", "Saint-Aubin", "62", "62170", "200069029", "CA des Deux Baies en Montreuillois", 289),
]
FIELDS = ("code", "name", "department", "postal_codes", "epci_siren", "epci_name", "population")
BY_NAME = {row[1]: dict(zip(FIELDS, row, strict=True)) for row in REAL_COMMUNES}


class CommuneFactory(DjangoModelFactory):
    class Meta:
        model = Commune
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"62{900 + n % 100:03d}")
    name = factory.Sequence(lambda n: f"Commune {n}")
    department = "62"
    postal_codes = "62999"


def real_commune(name):
    """The real commune of that name (for « Saint-Aubin », the Pas-de-Calais one),
    stored if it is not yet; None for a name that is none of REAL_COMMUNES."""
    fields = BY_NAME.get(name)
    return None if fields is None else CommuneFactory(**fields)


def real_communes():
    """Every commune of REAL_COMMUNES, stored."""
    return [CommuneFactory(**dict(zip(FIELDS, row, strict=True))) for row in REAL_COMMUNES]

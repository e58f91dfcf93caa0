import factory
from factory.django import DjangoModelFactory

from territories.models import Epci, Territory


class TerritoryFactory(DjangoModelFactory):
    """By default the seed territory, shared by every plan, account and partner of a
    test that names no other: the instance of one territory most tests describe."""

    class Meta:
        model = Territory
        django_get_or_create = ("slug",)

    name = "Flandre Pays de Saint-Omer"
    slug = "flandre-pays-de-saint-omer"
    region = "Hauts-de-France"

    class Params:
        other = factory.Trait(
            name=factory.Sequence(lambda n: f"Territoire voisin {n}"),
            slug=factory.Sequence(lambda n: f"territoire-voisin-{n}"),
            region="Grand Est",
        )


class EpciFactory(DjangoModelFactory):
    class Meta:
        model = Epci

    territory = factory.SubFactory(TerritoryFactory)
    siren = factory.Sequence(lambda n: f"{200000000 + n}")
    name = factory.Sequence(lambda n: f"Communauté de communes {n}")

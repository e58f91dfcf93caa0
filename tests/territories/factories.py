import factory
from factory.django import DjangoModelFactory

from initiatives import plan_data
from territories.models import Epci, Territory


class TerritoryFactory(DjangoModelFactory):
    """By default the seed territory, shared by every plan, account and partner of a
    test that names no other: the instance of one territory most tests describe.
    It has its real EPCIs, as load_plan gives them: a commune's name is looked for
    in their departments (the Nord and the Pas-de-Calais)."""

    class Meta:
        model = Territory
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    name = "Flandre Pays de Saint-Omer"
    slug = "flandre-pays-de-saint-omer"
    region = "Hauts-de-France"

    class Params:
        other = factory.Trait(
            name=factory.Sequence(lambda n: f"Territoire voisin {n}"),
            slug=factory.Sequence(lambda n: f"territoire-voisin-{n}"),
            region="Grand Est",
        )

    @factory.post_generation
    def seed_epcis(territory, create, extracted, **kwargs):
        """The seed territory's EPCIs, once: a test that gave it others keeps them."""
        if (
            create
            and territory.slug == plan_data.TERRITORY["slug"]
            and not territory.epcis.exists()
        ):
            for epci in plan_data.TERRITORY["epcis"]:
                Epci.objects.get_or_create(
                    territory=territory, siren=epci["siren"], defaults={"name": epci["name"]}
                )


class EpciFactory(DjangoModelFactory):
    class Meta:
        model = Epci

    territory = factory.SubFactory(TerritoryFactory)
    siren = factory.Sequence(lambda n: f"{200000000 + n}")
    name = factory.Sequence(lambda n: f"Communauté de communes {n}")

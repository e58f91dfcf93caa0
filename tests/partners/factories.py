import factory
from factory.django import DjangoModelFactory

from partners.enums import PartnerKind
from partners.models import Contact, Partner
from tests.territories.factories import TerritoryFactory


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = Partner
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Entreprise partenaire {n}")
    slug = factory.Sequence(lambda n: f"partenaire-{n}")
    kind = PartnerKind.COMPANY
    website = factory.Faker("url", locale="fr_FR")

    class Params:
        hidden = factory.Trait(is_public=False)

    @factory.post_generation
    def territories(self, create, extracted, **kwargs):
        """The seed territory's unless told: `territories=[…]`."""
        if create:
            self.territories.add(*(TerritoryFactory(),) if extracted is None else extracted)


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    partner = factory.SubFactory(PartnerFactory)
    full_name = factory.Faker("name", locale="fr_FR")
    job_title = "Chargée de mission"
    email = factory.Faker("email", locale="fr_FR")
    phone = factory.Faker("phone_number", locale="fr_FR")

    class Params:
        public = factory.Trait(is_public=True)

import pytest
from django.core.exceptions import ValidationError

from partners.models import Contact, Partner
from tests.partners.factories import ContactFactory, PartnerFactory
from tests.territories.factories import TerritoryFactory

pytestmark = pytest.mark.django_db


def test_partner_names_are_unique_whatever_their_case():
    PartnerFactory(name="Capital Filles")
    with pytest.raises(ValidationError) as error:
        Partner(name="CAPITAL FILLES", slug="capital-filles-2", kind="association").full_clean()
    assert "Un partenaire porte déjà ce nom." in error.value.messages


def test_contacts_are_private_unless_marked_public():
    private = ContactFactory()
    public = ContactFactory(public=True)
    assert private.is_public is False
    assert list(Contact.objects.public()) == [public]


def test_the_partners_working_in_a_territory_are_those_linked_to_it():
    flandre, artois = TerritoryFactory(), TerritoryFactory(other=True)
    both = PartnerFactory(name="Région", territories=[flandre, artois])
    here = PartnerFactory(name="CAPSO", territories=[flandre])
    elsewhere = PartnerFactory(name="Artois Comm", territories=[artois])
    nowhere = PartnerFactory(name="Sans territoire", territories=[])

    assert set(Partner.objects.working_in(flandre)) == {both, here}
    assert set(Partner.objects.working_in(artois.pk)) == {both, elsewhere}
    noted = {p: p.works_here for p in Partner.objects.noting_work_in(flandre)}
    assert noted == {both: True, here: True, elsewhere: False, nowhere: False}

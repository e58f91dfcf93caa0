import pytest
from django.core.exceptions import ValidationError

from partners.models import Contact, Partner
from tests.partners.factories import ContactFactory, PartnerFactory

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

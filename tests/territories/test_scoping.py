"""Which territory's records an account reads: the rule every admin page, export,
report and API endpoint narrows through (territories.scoping)."""

import pytest

from feminisation import access
from indicators.models import AudienceCount, AwarenessEvent
from partners.models import Contact, Partner
from territories import scoping
from territories.models import Territory
from tests.indicators.accounts import user_in
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import ActionPlanFactory, InitiativeFactory
from tests.partners.factories import ContactFactory, PartnerFactory
from tests.territories.factories import TerritoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two():
    """Two territories, each with a plan, a partner, an event and a count line; a
    national partner working in both."""
    a, b = TerritoryFactory(), TerritoryFactory(other=True)
    national = PartnerFactory(name="Elles Bougent", slug="elles-bougent", territories=[a, b])
    world = {"a": a, "b": b, "national": national}
    for key, territory in (("a", a), ("b", b)):
        partner = PartnerFactory(territories=[territory])
        initiative = InitiativeFactory(plan=ActionPlanFactory(territory=territory))
        event = AwarenessEventFactory(initiative=initiative, organizer=partner)
        AudienceCountFactory(event=event)
        ContactFactory(partner=partner)
        world[key + "_event"] = event
        world[key + "_partner"] = partner
    return world


def test_an_account_reads_only_the_records_of_its_territories(two):
    staff = user_in(access.TERRITORY_STAFF, "equipe-a", territories=[two["a"]])
    assert list(scoping.visible_to(AwarenessEvent.objects.all(), staff)) == [two["a_event"]]
    assert list(AwarenessEvent.objects.visible_to(staff)) == [two["a_event"]]
    assert set(scoping.visible_to(AudienceCount.objects.all(), staff)) == set(
        two["a_event"].counts.all()
    )
    assert set(scoping.visible_to(Partner.objects.all(), staff)) == {
        two["a_partner"],
        two["national"],
    }
    assert list(scoping.visible_to(Contact.objects.all(), staff)) == list(
        two["a_partner"].contacts.all()
    )
    assert list(Territory.objects.visible_to(staff)) == [two["a"]]


def test_a_record_of_two_territories_is_listed_once(two):
    both = user_in(access.MANAGERS, "responsable", territories=[two["a"], two["b"]])
    partners = list(scoping.visible_to(Partner.objects.filter(slug="elles-bougent"), both))
    assert partners == [two["national"]]
    assert AwarenessEvent.objects.visible_to(both).count() == 2


def test_the_national_network_and_superusers_read_every_territory(two, django_user_model):
    network = user_in(access.NATIONAL_NETWORK, "reseau", territories=[])
    root = django_user_model.objects.create_superuser("racine")
    for account in (network, root):
        assert AwarenessEvent.objects.visible_to(account).count() == 2
        assert Territory.objects.visible_to(account).count() == 2


def test_an_account_of_no_territory_reads_nothing(two, client):
    nobody = user_in(access.TERRITORY_STAFF, "sans-territoire", territories=[])
    assert not AwarenessEvent.objects.visible_to(nobody).exists()
    assert not scoping.visible_to(Partner.objects.all(), nobody).exists()


def test_a_partners_account_reads_its_organisations_events_in_its_territories_only(two):
    """Elles Bougent organises an event in each territory; its account in A sees A's."""
    in_a = AwarenessEventFactory(initiative=two["a_event"].initiative, organizer=two["national"])
    AwarenessEventFactory(initiative=two["b_event"].initiative, organizer=two["national"])
    account = user_in(
        access.PARTNERS, "elles-bougent-a", organisations=[two["national"]], territories=[two["a"]]
    )
    assert list(AwarenessEvent.objects.visible_to(account)) == [in_a]


def test_the_national_network_writes_nothing():
    codenames = access.PERMISSIONS[access.NATIONAL_NETWORK]
    assert access.SEE_EVERY_TERRITORY in codenames
    writes = [
        name for name in codenames if name.split(".")[1].startswith(("add_", "change_", "delete_"))
    ]
    assert writes == []
    assert access.VALIDATE_EVENTS not in codenames

"""Accounts of each role with an address, and their organisations' events."""

import pytest
from django.contrib.auth import get_user_model

from feminisation import access
from tests.indicators.accounts import user_in
from tests.initiatives.factories import InitiativeFactory
from tests.partners.factories import PartnerFactory


def with_email(user, email=None, **fields):
    user.email = email or f"{user.username}@example.fr"
    for name, value in fields.items():
        setattr(user, name, value)
    user.save()
    return user


@pytest.fixture
def initiative():
    return InitiativeFactory(title="Réseau Verr'Elles", number=1)


@pytest.fixture
def arc():
    return PartnerFactory(name="Arc France")


@pytest.fixture
def capso():
    return PartnerFactory(name="CAPSO")


@pytest.fixture
def partner(arc):
    return with_email(user_in(access.PARTNERS, "claire", organisations=[arc]), first_name="Claire")


@pytest.fixture
def colleague(arc):
    """Another account of the same organisation."""
    return with_email(user_in(access.PARTNERS, "paul", organisations=[arc]))


@pytest.fixture
def other_partner(capso):
    return with_email(user_in(access.PARTNERS, "capso", organisations=[capso]))


@pytest.fixture
def staff():
    return with_email(user_in(access.TERRITORY_STAFF, "equipe"), first_name="Nadia")


@pytest.fixture
def staff_colleague():
    return with_email(user_in(access.TERRITORY_STAFF, "equipe2"))


@pytest.fixture
def bystanders():
    """Accounts that never receive the staff's e-mails: a superuser outside the staff
    group, a manager, a deactivated staff account and one without an address."""
    superuser = get_user_model().objects.create_superuser("root", "root@example.fr")
    manager = with_email(user_in(access.MANAGERS, "responsable"))
    gone = with_email(user_in(access.TERRITORY_STAFF, "parti"), is_active=False)
    no_address = user_in(access.TERRITORY_STAFF, "sans-adresse")
    return [superuser, manager, gone, no_address]

"""Logging in with one's e-mail address (whatever its case) or user name; an address
that two active accounts share logs in neither; every refusal reads the same; and
django-axes locks an address as it locks a user name."""

import logging

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains

from feminisation import access
from tests.indicators.accounts import user_in
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
LOGIN_URL = reverse("admin:login")
PASSWORD = "le bon mot de passe, assez long"
REFUSAL = (
    "Identifiant ou mot de passe incorrect. Vérifiez-les (le mot de passe distingue "
    "majuscules et minuscules), ou choisissez « Mot de passe oublié ? »."
)
# the account (by name, then by address), axes' attempts, the session and the last
# login written
MAX_QUERIES = 13


@pytest.fixture
def partner():
    account = user_in(access.PARTNERS, "verriere", organisations=[PartnerFactory()])
    account.email = "lea.martin@arc.example.fr"
    account.set_password(PASSWORD)
    account.save()
    return account


def attempt(client, identifier, password=PASSWORD):
    return client.post(LOGIN_URL, {"username": identifier, "password": password})


def logged_in_as(client):
    return client.session.get("_auth_user_id")


def test_the_login_page_asks_for_an_address_or_a_user_name(client):
    page = client.get(LOGIN_URL)

    assertContains(
        page,
        '<label class="required" for="id_username">Adresse électronique ou nom '
        "d'utilisateur\xa0:</label>",
        html=True,
    )


@pytest.mark.parametrize(
    "identifier", ["verriere", "lea.martin@arc.example.fr", " Lea.MARTIN@Arc.Example.FR "]
)
def test_one_logs_in_with_the_user_name_or_the_address_in_any_case(
    client, partner, django_assert_max_num_queries, identifier
):
    with django_assert_max_num_queries(MAX_QUERIES):
        response = attempt(client, identifier)

    assert response.status_code == 302
    assert logged_in_as(client) == str(partner.pk)


def test_every_refusal_reads_the_same(client, partner):
    User.objects.create_user(
        "ancienne",
        email="ancienne@arc.example.fr",
        password=PASSWORD,
        is_staff=True,
        is_active=False,
    )

    pages = [
        attempt(client, identifier, password)
        for identifier, password in (
            ("verriere", "mauvais mot de passe"),
            ("lea.martin@arc.example.fr", "mauvais mot de passe"),
            ("inconnue@arc.example.fr", PASSWORD),
            ("inconnue", PASSWORD),
            ("ancienne@arc.example.fr", PASSWORD),
        )
    ]

    for page in pages:
        assert page.status_code == 200
        assertContains(page, f'<p class="errornote">{REFUSAL}</p>', html=True)
    assert logged_in_as(client) is None


def test_an_address_two_active_accounts_share_logs_in_neither(client, partner, caplog):
    twin = User.objects.create_user(
        "homonyme", email="LEA.MARTIN@arc.example.fr", password=PASSWORD, is_staff=True
    )

    with caplog.at_level(logging.WARNING, logger="accounts.login"):
        response = attempt(client, "lea.martin@arc.example.fr")

    assertContains(response, f'<p class="errornote">{REFUSAL}</p>', html=True)
    assert logged_in_as(client) is None
    assert [r.getMessage() for r in caplog.records if r.name == "accounts.login"] == [
        f"Login by e-mail refused: accounts {partner.pk}, {twin.pk} share the address typed; "
        "give each its own."
    ]
    assert "lea.martin" not in caplog.text.lower()
    # Each still logs in with its user name.
    assert attempt(Client(), "homonyme").status_code == 302


def test_an_inactive_twin_leaves_the_address_to_the_active_account(client, partner):
    User.objects.create_user(
        "ancienne", email="lea.martin@arc.example.fr", password=PASSWORD, is_active=False
    )

    attempt(client, "lea.martin@arc.example.fr")

    assert logged_in_as(client) == str(partner.pk)


def test_a_user_name_wins_over_another_accounts_address(client, partner):
    # An older account whose user name is the partner's address: the name is exact,
    # it is that account's password that counts.
    named = User.objects.create_user(
        "lea.martin@arc.example.fr", password="un autre mot de passe", is_staff=True
    )

    attempt(client, "lea.martin@arc.example.fr")
    assert logged_in_as(client) is None
    attempt(client, "lea.martin@arc.example.fr", "un autre mot de passe")
    assert logged_in_as(client) == str(named.pk)


def test_axes_locks_an_address_whatever_its_case(client, partner, settings):
    for attempt_number in range(settings.AXES_FAILURE_LIMIT - 1):
        identifier = (
            "lea.martin@arc.example.fr" if attempt_number % 2 else "LEA.Martin@arc.example.fr"
        )
        assert attempt(client, identifier, "mauvais mot de passe").status_code == 200

    assert attempt(client, "Lea.Martin@ARC.example.fr", "encore un mauvais").status_code == 429
    locked = attempt(client, "lea.martin@arc.example.fr")

    assert locked.status_code == 429
    assertContains(locked, "la connexion à ce compte est bloquée", status_code=429)
    assert logged_in_as(client) is None

"""« Mot de passe oublié ? »: anyone asks for a link from the login page; the page
answers the same whatever the address, and only an active account with a password
gets the e-mail, a few times an hour at most. The e-mail is a reset, not an
invitation; sending it never fails the page."""

import logging
import re
from smtplib import SMTPException

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from accounts import password_links
from feminisation import access
from tests.indicators.accounts import user_in
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
FORM_URL = reverse("forgotten_password")
LOGIN_URL = reverse("admin:login")
OLD_PASSWORD = "un ancien mot de passe"
NEW_PASSWORD = "un mot de passe tout neuf"
CONFIRMATION = (
    "Si un compte actif correspond à cette adresse, un courriel vient de lui être envoyé "
    "avec un lien pour choisir un nouveau mot de passe, valable 3 jours."
)
# session, the accounts of the address
MAX_QUERIES = 5


@pytest.fixture
def partner():
    account = user_in(access.PARTNERS, "verriere", organisations=[PartnerFactory()])
    account.email = "verriere@arc.example.fr"
    account.first_name = "Léa"
    account.set_password(OLD_PASSWORD)
    account.save()
    return account


def ask(client, email):
    return client.post(FORM_URL, {"email": email}, follow=True)


def link_in(message):
    return re.search(r"https?://[^/\s]+(/compte/mot-de-passe/\S+)", message.body).group(1)


def logs_in(identifier, password):
    person = Client()
    person.post(LOGIN_URL, {"username": identifier, "password": password})
    return "_auth_user_id" in person.session


def test_the_login_page_offers_it(client):
    page = client.get(LOGIN_URL)

    assertContains(page, f'<a href="{FORM_URL}">Mot de passe oublié ?</a>', html=True)


def test_the_page_asks_for_the_address(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(MAX_QUERIES):
        page = client.get(FORM_URL)

    assertContains(page, "<title>Mot de passe oublié | Mixité Industrie</title>", html=True)
    assertContains(page, '<label for="id_email" class="required">Adresse électronique :</label>')


def test_the_reset_email_and_its_link(client, partner, django_assert_max_num_queries):
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.post(FORM_URL, {"email": "Verriere@ARC.example.fr"})

    assert response.url == reverse("forgotten_password_sent")
    [message] = mail.outbox
    assert message.to == ["verriere@arc.example.fr"]
    assert message.subject == "Mixité Industrie : choisir un nouveau mot de passe"
    for text in (
        "Bonjour Léa,",
        "Un nouveau mot de passe a été demandé, avec « Mot de passe oublié ? », pour votre "
        "compte sur l'espace de saisie de Mixité Industrie (nom d'utilisateur : verriere).",
        "Le lien sert une seule fois, pendant 3 jours.",
        "Si vous n'avez rien demandé, ignorez ce courriel : votre mot de passe actuel reste "
        "valable.",
    ):
        assert text in message.body
    assert "invit" not in message.body.lower()
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert link_in(message) in html

    person = Client()
    form_page = person.get(link_in(message), follow=True)
    assertContains(form_page, "Choisissez le mot de passe de votre compte")
    assertNotContains(form_page, "Bienvenue")
    person.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert logs_in("verriere", NEW_PASSWORD)
    assert not logs_in("verriere", OLD_PASSWORD)
    partner.refresh_from_db()
    assert partner.history.first().history_change_reason == (
        "Nouveau mot de passe choisi avec le lien « Mot de passe oublié ? »"
    )
    again = Client().get(link_in(message), follow=True)
    assertContains(again, "<h1>Ce lien ne fonctionne plus</h1>", html=True)
    assertContains(again, f'<a href="{FORM_URL}">Demander un nouveau lien</a>', html=True)


def test_existing_unknown_inactive_or_passwordless_addresses_get_the_same_page(client, partner):
    inactive = User.objects.create_user(
        "ancienne", email="ancienne@arc.example.fr", password=OLD_PASSWORD, is_active=False
    )
    invited = User.objects.create_user("invitee", email="invitee@arc.example.fr")

    pages = [
        ask(client, email).content.decode()
        for email in (partner.email, "inconnue@arc.example.fr", inactive.email, invited.email)
    ]

    assert CONFIRMATION in pages[0]
    assert pages[1:] == [pages[0]] * 3
    assert [message.to for message in mail.outbox] == [["verriere@arc.example.fr"]]


def test_an_address_gets_a_few_emails_an_hour_at_most(client, partner):
    for _ in range(password_links.REQUESTS_PER_HOUR + 2):
        assertContains(ask(client, partner.email), CONFIRMATION)

    assert len(mail.outbox) == password_links.REQUESTS_PER_HOUR
    # Another address has its own count.
    other = User.objects.create_user("autre", email="autre@arc.example.fr", password=OLD_PASSWORD)
    ask(client, other.email)
    assert mail.outbox[-1].to == [other.email]


def test_the_form_works_without_its_limit_when_the_cache_fails(
    client, partner, monkeypatch, caplog
):
    def unavailable(*args, **kwargs):
        raise ConnectionError("Redis ne répond pas")

    monkeypatch.setattr(cache, "add", unavailable)

    with caplog.at_level(logging.WARNING, logger="accounts.password_links"):
        response = ask(client, partner.email)

    assertContains(response, CONFIRMATION)
    assert len(mail.outbox) == 1
    assert "not rate limited" in caplog.text


class FailingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise SMTPException("Connexion refusée")


def test_an_email_that_cannot_be_sent_is_logged_not_shown(client, partner, settings, caplog):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"

    with caplog.at_level(logging.ERROR, logger="django.contrib.auth"):
        response = ask(client, partner.email)

    assertContains(response, CONFIRMATION)
    assert "Failed to send password reset email" in caplog.text
    assert partner.email not in caplog.text


def test_a_malformed_address_is_explained_in_french(client):
    response = client.post(FORM_URL, {"email": "pas-une-adresse"})

    assert response.status_code == 200
    assertContains(response, "Saisissez une adresse de courriel valide.")

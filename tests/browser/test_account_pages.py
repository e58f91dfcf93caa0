"""The pages of the login and the password links, in Chromium: no WCAG violation at
1280 and 375 px, and a forgotten password from the login page to a login with the
e-mail address."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.test_accessibility import AXE_OPTIONS, describe

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PAGES = [
    reverse("admin:login"),
    reverse("forgotten_password"),
    reverse("forgotten_password_sent"),
    "/compte/invitation/MQ/lien-perime/",
    "/compte/mot-de-passe/MQ/lien-perime/",
]
NEW_PASSWORD = "un mot de passe tout neuf"


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_wcag_violation(visit, page, path, width):
    page.set_viewport_size({"width": width, "height": 800})
    visit(path)

    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]

    if violations:
        pytest.fail(f"axe on {path} at {width} px:\n{describe(violations)}", pytrace=False)


@pytest.fixture(scope="module")
def partner(site, django_db_blocker):
    """Committed, for the live server to see; the site's clean-up deletes it."""
    with django_db_blocker.unblock():
        return get_user_model().objects.create_user(
            "verriere", "lea.martin@arc.example.fr", "un ancien mot de passe", is_staff=True
        )


def test_a_forgotten_password_from_the_login_page_to_a_login_by_address(page, partner):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(reverse("admin:login"))
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    page.get_by_label("Adresse électronique").fill("Lea.Martin@arc.example.fr")
    page.get_by_role("button", name="Recevoir le lien").click()
    expect(page.locator("#content")).to_contain_text("Si un compte actif correspond")

    [message] = mail.outbox
    page.goto(re.search(r"https?://\S+/compte/mot-de-passe/\S+", message.body).group(0))
    page.get_by_label("Mot de passe :", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Le même, de nouveau :").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Enregistrer mon mot de passe").click()
    expect(page.locator("#content")).to_contain_text("Votre mot de passe est enregistré.")

    page.get_by_role("link", name="Se connecter à l'espace de saisie").click()
    page.get_by_label("Adresse électronique ou nom d'utilisateur").fill("lea.martin@arc.example.fr")
    page.get_by_label("Mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))

"""The « Données personnelles » page: what is kept, why, how long, whom to ask; and
the public pages keep their promise of setting no cookie."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from tests.browser.pages import PARTNER_SLUG, PUBLIC_PAGES
from tests.initiatives.factories import ActionPlanFactory, InitiativeFactory
from tests.partners.factories import ContactFactory, PartnerFactory

pytestmark = pytest.mark.django_db

URL = reverse("personal_data")


def test_page_says_what_is_kept_why_and_how_long(client, settings):
    response = client.get(URL)

    assert response.status_code == 200
    assertContains(response, "<h1>Données personnelles</h1>", html=True)
    assertContains(response, "<title>Données personnelles — Mixité Industrie</title>", html=True)
    assertContains(response, "il ne conserve aucune donnée sur les filles, les femmes")
    for kept in (
        "Comptes de l'équipe du territoire et des partenaires",
        "Historique des modifications",
        "Tentatives de connexion échouées",
        "Contacts des organisations partenaires",
    ):
        assertContains(response, kept)
    assertContains(response, "Pendant toute la durée du plan, puis cinq ans")
    assertContains(
        response, "après 5 échecs de suite, la connexion au compte est bloquée pendant 15 minutes"
    )
    assertContains(response, "14 jours au plus")


def test_page_names_the_rights_and_the_cnil(client):
    response = client.get(URL)

    assertContains(response, "Responsable du traitement")
    assertContains(response, "corriger ou effacer")
    assertContains(response, '<a href="https://www.cnil.fr/fr/plaintes">le site de la CNIL</a>')


def test_requests_go_to_the_plans_public_contact(client):
    plan = ActionPlanFactory()
    public = ContactFactory(public=True, email="territoire@example.fr", job_title="")
    private = ContactFactory(email="personnel@example.fr")
    plan.contacts.add(public, private)

    response = client.get(URL)

    assertContains(
        response,
        '<p class="statement-contact">Pour exercer ces droits, écrivez au Territoire '
        'd\'Industrie : <a href="mailto:territoire@example.fr">territoire@example.fr</a>.</p>',
        html=True,
    )
    assertNotContains(response, "personnel@example.fr")


def test_without_a_public_contact_requests_go_through_the_partners(client):
    ActionPlanFactory()

    response = client.get(URL)

    assertContains(response, '<a href="/partenaires/">partenaires du plan</a>', html=True)


@pytest.mark.parametrize("url_name", ["home", "plan", "accessibility", "personal_data"])
def test_every_page_links_it_in_the_footer(client, url_name):
    InitiativeFactory(plan=ActionPlanFactory())

    response = client.get(reverse(url_name))

    current = ' aria-current="page"' if url_name == "personal_data" else ""
    assertContains(
        response,
        f'<li><a href="/donnees-personnelles/"{current}>Données personnelles</a></li>',
        html=True,
    )


def test_public_pages_set_no_cookie(client):
    initiative = InitiativeFactory(plan=ActionPlanFactory(), slug="reseau-verrelles")
    initiative.lead_partners.add(PartnerFactory(slug=PARTNER_SLUG))

    for path in PUBLIC_PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        assert not response.cookies, path

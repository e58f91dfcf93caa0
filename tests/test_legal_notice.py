"""The « Mentions légales » page: who publishes the site, who directs its
publication, who hosts it (from the settings), and under which licence its figures
may be reused."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from tests.browser.pages import PARTNER_SLUG, SITE_PAGES
from tests.initiatives.factories import ActionPlanFactory, InitiativeFactory
from tests.partners.factories import ContactFactory, PartnerFactory

pytestmark = pytest.mark.django_db

URL = reverse("legal_notice")


@pytest.fixture
def territory(settings):
    settings.LEGAL_PUBLISHER = "Collectivité Exemple"
    settings.LEGAL_PUBLISHER_ADDRESS = "1 place de l'Exemple, 62500 Saint-Omer"
    settings.LEGAL_PUBLISHER_PHONE = "03 21 00 00 00"
    settings.LEGAL_DIRECTOR = "Marie Dupont, présidente"
    settings.LEGAL_HOST = "Hébergeur Exemple SAS"
    settings.LEGAL_HOST_ADDRESS = "1 quai de l'Hébergement, 59000 Lille"
    settings.LEGAL_HOST_PHONE = "+33 (0)3 20 00 00 00"
    settings.LEGAL_HOST_WEBSITE = "https://hebergeur.example.fr/"


def test_page_names_the_publisher_the_director_and_the_host_from_the_settings(client, territory):
    response = client.get(URL)

    assert response.status_code == 200
    assertContains(response, "<h1>Mentions légales</h1>", html=True)
    assertContains(response, "<title>Mentions légales — Mixité Industrie</title>", html=True)
    assertContains(response, "l'article 6 de la loi n° 2004-575 du 21 juin 2004")
    assertContains(
        response,
        """<dl class="facts facts--stacked">
          <div><dt>Nom</dt><dd>Collectivité Exemple</dd></div>
          <div><dt>Adresse</dt><dd>1 place de l'Exemple, 62500 Saint-Omer</dd></div>
          <div><dt>Téléphone</dt><dd><a href="tel:0321000000">03 21 00 00 00</a></dd></div>
        </dl>""",
        html=True,
    )
    assertContains(response, "<p>Marie Dupont, présidente</p>", html=True)
    assertContains(
        response,
        """<dl class="facts facts--stacked">
          <div><dt>Nom</dt><dd>Hébergeur Exemple SAS</dd></div>
          <div><dt>Adresse</dt><dd>1 quai de l'Hébergement, 59000 Lille</dd></div>
          <div><dt>Téléphone</dt>
            <dd><a href="tel:+33320000000">+33 (0)3 20 00 00 00</a></dd></div>
          <div><dt>Site</dt>
            <dd><a href="https://hebergeur.example.fr/">https://hebergeur.example.fr/</a></dd></div>
        </dl>""",
        html=True,
    )
    assertNotContains(response, "à renseigner")
    assert response.content.decode().count("<h1") == 1


def test_unset_settings_say_they_are_to_be_filled_in(client):
    response = client.get(URL)

    # The publisher's and the host's.
    assertContains(
        response,
        """<dl class="facts facts--stacked">
          <div><dt>Nom</dt><dd>à renseigner</dd></div>
          <div><dt>Adresse</dt><dd>à renseigner</dd></div>
          <div><dt>Téléphone</dt><dd>à renseigner</dd></div>
        </dl>""",
        count=2,
        html=True,
    )
    assertContains(response, "<p>à renseigner</p>", html=True)
    assertNotContains(response, "tel:")


def test_page_gives_the_licence_of_the_figures_and_links_the_other_legal_pages(client):
    ActionPlanFactory(title="Plan mixité")

    response = client.get(URL)

    assertContains(
        response,
        '<a href="https://www.etalab.gouv.fr/licence-ouverte-open-licence/">'
        "Licence Ouverte / Open Licence version 2.0 (Etalab)</a>",
        html=True,
    )
    assertContains(response, "(« Plan mixité », Territoire d'Industrie Flandre Pays de Saint-Omer)")
    assertContains(response, '<a href="/donnees/">données ouvertes</a>', html=True)
    assertContains(response, '<a href="/donnees-personnelles/">Données personnelles</a>', html=True)
    assertContains(
        response, '<a href="/accessibilite/">Déclaration d\'accessibilité</a>', html=True
    )


def test_writing_to_the_publisher_goes_to_the_plans_public_contact(client):
    plan = ActionPlanFactory()
    public = ContactFactory(public=True, email="territoire@example.fr", job_title="")
    private = ContactFactory(email="personnel@example.fr")
    plan.contacts.add(public, private)

    response = client.get(URL)

    assertContains(
        response,
        '<p class="statement-contact">Adresse de contact du Territoire d\'Industrie : '
        '<a href="mailto:territoire@example.fr">territoire@example.fr</a>.</p>',
        html=True,
    )
    assertNotContains(response, "personnel@example.fr")


def test_without_a_public_contact_the_publisher_is_reached_through_the_partners(client):
    ActionPlanFactory()

    response = client.get(URL)

    assertContains(response, '<a href="/partenaires/">partenaires du plan</a>', html=True)


def test_every_site_page_links_it_in_the_footer(client):
    initiative = InitiativeFactory(plan=ActionPlanFactory(), slug="reseau-verrelles")
    initiative.lead_partners.add(PartnerFactory(slug=PARTNER_SLUG))

    for path in SITE_PAGES:
        response = client.get(path)

        current = ' aria-current="page"' if path == URL else ""
        assertContains(
            response,
            f'<li><a href="/mentions-legales/"{current}>Mentions légales</a></li>',
            html=True,
        )


def test_the_404_page_links_it_too(client):
    response = client.get("/initiatives/inconnue/")

    assertContains(response, '<a href="/mentions-legales/">Mentions légales</a>', status_code=404)

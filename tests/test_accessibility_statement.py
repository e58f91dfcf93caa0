import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from tests.initiatives.factories import ActionPlanFactory, InitiativeFactory
from tests.partners.factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_statement_gives_the_conformity_status_and_why(client):
    response = client.get(reverse("accessibility"))

    assert response.status_code == 200
    assertContains(response, "<h1>Déclaration d'accessibilité</h1>", html=True)
    assertContains(
        response, "<title>Déclaration d'accessibilité — Mixité Industrie</title>", html=True
    )
    assertContains(
        response,
        "Le Territoire d'Industrie Flandre Pays de Saint-Omer s'engage à rendre ses sites",
    )
    assertContains(response, "l'article 47 de la loi n° 2005-102 du 11 février 2005")
    assertContains(
        response,
        '<p class="statement-status">Le site Mixité Industrie est <strong>non conforme</strong> '
        "avec le référentiel général d'amélioration de l'accessibilité (RGAA), version 4.1.</p>",
        html=True,
    )
    assertContains(response, "n'a pas encore fait l'objet d'un audit complet de conformité")
    assertContains(response, "<strong>axe-core</strong>", html=True)
    assertContains(response, "<li>HTML5</li>", html=True)
    assertContains(
        response, '<p class="source">Déclaration établie le 25 novembre 2026.</p>', html=True
    )
    assert response.content.decode().count("<h1") == 1


def test_statement_gives_the_ways_of_appeal(client):
    response = client.get(reverse("accessibility"))

    assertContains(response, '<h2 id="recours-titre">Voies de recours</h2>', html=True)
    assertContains(
        response, '<a href="https://formulaire.defenseurdesdroits.fr/">formulaire en ligne</a>'
    )
    assertContains(response, '<a href="tel:+33969390000">09 69 39 00 00</a>', html=True)
    assertContains(
        response,
        "<address>Défenseur des droits<br>Libre réponse 71120<br>75342 Paris CEDEX 07</address>",
        html=True,
    )


def test_reporting_a_barrier_goes_to_the_plans_public_contact(client):
    plan = ActionPlanFactory()
    public = ContactFactory(public=True, email="territoire@example.fr", job_title="")
    private = ContactFactory(email="personnel@example.fr")
    plan.contacts.add(public, private)

    response = client.get(reverse("accessibility"))

    assertContains(
        response,
        '<p class="statement-contact">Adresse de contact du Territoire d\'Industrie : '
        '<a href="mailto:territoire@example.fr">territoire@example.fr</a>.</p>',
        html=True,
    )
    assertNotContains(response, "personnel@example.fr")


def test_without_a_public_contact_the_statement_points_to_the_partners(client):
    plan = ActionPlanFactory()
    plan.contacts.add(ContactFactory(email="personnel@example.fr"))

    response = client.get(reverse("accessibility"))

    assertContains(response, "n'a pas encore publié d'adresse de contact dédiée")
    assertContains(response, '<a href="/partenaires/">partenaires du plan</a>', html=True)
    assertNotContains(response, "personnel@example.fr")


def test_statement_is_cached_and_shows_a_new_public_contact_on_the_next_request(
    client, django_assert_num_queries, django_capture_on_commit_callbacks
):
    plan = ActionPlanFactory()
    contact = ContactFactory(email="territoire@example.fr")
    plan.contacts.add(contact)
    assertNotContains(client.get(reverse("accessibility")), "territoire@example.fr")
    with django_assert_num_queries(0):
        client.get(reverse("accessibility"))

    contact.is_public = True
    with django_capture_on_commit_callbacks(execute=True):  # the save commits
        contact.save()

    assertContains(client.get(reverse("accessibility")), "territoire@example.fr")


@pytest.mark.parametrize(
    "url_name", ["home", "plan", "initiative_list", "partner_list", "accessibility"]
)
def test_every_page_links_the_statement_with_its_status_in_the_footer(client, url_name):
    InitiativeFactory(plan=ActionPlanFactory())

    response = client.get(reverse(url_name))

    assert response.status_code == 200
    current = ' aria-current="page"' if url_name == "accessibility" else ""
    assertContains(
        response,
        f'<li><a href="/accessibilite/"{current}>Accessibilité : non conforme</a></li>',
        html=True,
    )
    assertContains(response, '<a href="/admin/">Espace de saisie (équipe et partenaires)</a>')


def test_the_initiative_page_and_the_404_page_also_link_the_statement(client):
    initiative = InitiativeFactory(plan=ActionPlanFactory())

    for url, status in [
        (reverse("initiative_detail", args=[initiative.slug]), 200),
        (reverse("initiative_detail", args=["inconnue"]), 404),
    ]:
        assertContains(client.get(url), "Accessibilité : non conforme", status_code=status, count=1)

"""The counter other sites frame: the plan's, or one initiative's."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

pytestmark = pytest.mark.django_db

# The world fixture's validated lines (tests/indicators/conftest.py).
VERRELLES_PEOPLE = 20 + 4 + 30
PLAN_PEOPLE = VERRELLES_PEOPLE + 15 + 10 + 5


def embed(client, **params):
    return client.get(reverse("embed_counter"), params)


def test_one_initiatives_count_links_to_its_page(client, world):
    response = embed(client, initiative="reseau-verrelles")

    assert "X-Frame-Options" not in response.headers
    title = world["verrelles"].title
    assertContains(
        response,
        f'<h1 class="embed__title"><span class="embed__number">{VERRELLES_PEOPLE}</span> '
        "personnes sensibilisées aux métiers de l'industrie</h1>",
        html=True,
    )
    assertContains(
        response,
        '<p class="embed__scope">dont 60\u202f% de femmes et de filles, par l\'initiative '
        f"« {title} » du Territoire d'Industrie Flandre Pays de Saint-Omer.</p>",
        html=True,
    )
    assertContains(
        response,
        '<a href="http://testserver/initiatives/reseau-verrelles/" target="_blank" '
        'rel="noopener">Voir l\'initiative<span class="visually-hidden"> (nouvelle '
        "fenêtre)</span></a>",
        html=True,
    )


def test_without_an_initiative_the_plans_count_links_to_the_dashboard(client, world):
    response = embed(client)

    assertContains(response, f'<span class="embed__number">{PLAN_PEOPLE}</span>', html=True)
    assertContains(response, "par le plan d'action du Territoire d'Industrie")
    assertContains(response, 'href="http://testserver/"')


def test_an_unknown_initiative_answers_400_with_a_page_that_fits_the_frame(client, world):
    response = embed(client, initiative="reseau-inconnu")

    assert response.status_code == 400
    assert "X-Frame-Options" not in response.headers
    assertContains(
        response,
        '<h1 class="embed__title">Cette adresse contient une erreur</h1>',
        status_code=400,
        html=True,
    )
    assertContains(
        response,
        '<p class="embed__scope">Aucune initiative du plan ne correspond à « reseau-inconnu » : '
        "vérifiez l'identifiant de l'initiative.</p>",
        status_code=400,
        html=True,
    )
    assertNotContains(response, "embed__number", status_code=400)


def test_an_initiative_given_twice_is_refused(client, world):
    response = client.get(
        reverse("embed_counter") + "?initiative=reseau-verrelles&initiative=portraits-corif"
    )

    assertContains(
        response,
        "Le filtre « initiative » est donné plusieurs fois : gardez-en un seul.",
        status_code=400,
    )


def test_another_plans_initiative_is_unknown(client, world):
    other = world["verrelles"].__class__.objects.exclude(plan=world["verrelles"].plan).first()

    assert other is not None
    assert embed(client, initiative=other.slug).status_code == 400


def test_each_initiatives_counter_is_cached_apart(client, world, django_assert_num_queries):
    # the territory, current plan, the initiative, its totals
    with django_assert_num_queries(4):
        assertContains(embed(client, initiative="reseau-verrelles"), VERRELLES_PEOPLE)
    with django_assert_num_queries(0):
        assertContains(embed(client, initiative="reseau-verrelles"), VERRELLES_PEOPLE)
    with django_assert_num_queries(3):
        assertContains(embed(client), PLAN_PEOPLE)

"""The dashboard of a plan not yet published, and of a plan whose every figure is
one: the words the pages write for them."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory, TargetFactory
from tests.initiatives.factories import ActionPlanFactory, InitiativeFactory

pytestmark = pytest.mark.django_db


def test_home_without_a_published_plan_says_so(client):
    ActionPlanFactory(draft=True)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assertContains(response, "Aucun plan d'action n'est encore publié")


def one_of_each(plan):
    """A plan whose every figure is 1: one event, at one place, by one partner, that
    reached one woman, towards this year's target."""
    year = timezone.localdate().year
    initiative = InitiativeFactory(plan=plan, number=1)
    event = AwarenessEventFactory(initiative=initiative, date=datetime.date(year, 1, 2))
    AudienceCountFactory(event=event, people=1, women=1)
    TargetFactory(plan=plan, year=year, people=10, women=5)


def test_figures_equal_to_one_are_written_in_the_singular(client, plan):
    one_of_each(plan)

    response = client.get(reverse("home"))

    for label in (
        "personne sensibilisée depuis le début du plan",
        "femme ou fille",
        "action de sensibilisation validée",
        "lieu touché (établissement, entreprise…)",
        "partenaire impliqué",
    ):
        assertContains(response, f"<dt>{label}</dt>", html=True)
    assertContains(
        response,
        '<p class="target__figures"><strong>1</strong> personne sensibilisée sur un objectif de'
        " 10 (10\u202f%)<br>dont 1 femme ou fille sur un objectif de 5 (20\u202f%)</p>",
        html=True,
    )


def test_every_public_page_writes_figures_equal_to_one_in_the_singular(client, plan):
    one_of_each(plan)
    initiative = plan.initiatives.get()

    plan_page = client.get(reverse("plan"))
    initiatives = client.get(reverse("initiative_list"))
    initiative_page = client.get(reverse("initiative_detail", args=[initiative.slug]))
    partners = client.get(reverse("partner_list"))
    embed = client.get(reverse("embed_counter"))

    assertContains(
        plan_page,
        '<span class="key-figure__unit">personne sensibilisée à ce jour</span>',
        html=True,
    )
    assertContains(plan_page, "</span> action validée,")
    assertContains(plan_page, "</span> femme ou fille")
    assertContains(initiatives, "1 initiative portée par les acteurs du territoire")
    for page in (initiatives, partners):
        assertContains(page, "<dt>personne sensibilisée</dt>", html=True)
    assertContains(initiatives, "<dt>action validée</dt>", html=True)
    assertContains(partners, "<dt>action organisée ou co-organisée</dt>", html=True)
    for label in (
        "personne sensibilisée depuis le début du plan",
        "dont femme ou fille",
        "action de sensibilisation validée",
    ):
        assertContains(initiative_page, f"<dt>{label}</dt>", html=True)
    assertContains(embed, "</span> personne sensibilisée aux métiers de l'industrie</h1>")

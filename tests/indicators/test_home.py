import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import ActionPlanFactory, AudienceFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db

# current plan, its initiatives (+ lead partners, + audiences), the sums per
# initiative, the plan-wide sums, the number of events
HOME_QUERIES = 7


@pytest.fixture
def plan():
    return ActionPlanFactory(
        title="Mettre en place un plan d'action en faveur de la féminisation",
        territory="Flandre Pays de Saint-Omer",
    )


def figure(response, name):
    """The text of a headline figure, as a visitor reads it."""
    html = response.content.decode()
    start = html.index(f'data-figure="{name}">') + len(f'data-figure="{name}">')
    return html[start : html.index("<", start)]


def test_home_counts_only_the_current_plans_validated_lines(client, plan):
    verrelles = InitiativeFactory(plan=plan, number=1, title="Réseau Verr'Elles")
    corif = InitiativeFactory(plan=plan, number=2, title="Portraits CORIF")
    girls, prescribers = AudienceFactory(), AudienceFactory()
    school_visit = AwarenessEventFactory(initiative=verrelles)
    AudienceCountFactory(event=school_visit, audience=girls, people=20, women=12)
    AudienceCountFactory(event=school_visit, audience=prescribers, people=3, women=None)
    screening = AwarenessEventFactory(initiative=corif)
    AudienceCountFactory(event=screening, audience=prescribers, people=15, women=None)
    # Neither drafts, nor submitted events, nor another plan's events count.
    AudienceCountFactory(event=AwarenessEventFactory(initiative=verrelles, draft=True), people=100)
    AudienceCountFactory(event=AwarenessEventFactory(initiative=corif, submitted=True), people=50)
    AudienceCountFactory(event=AwarenessEventFactory(initiative__plan__draft=True), people=999)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert figure(response, "people") == "38"
    assert figure(response, "women") == "12"
    assert figure(response, "events") == "2"
    # The women's share is taken among the people whose sex is known only.
    assert "soit 60\u202f% des personnes dont le sexe est connu" in response.content.decode()
    assert "sexe non renseigné pour 18 personnes" in response.content.decode()
    html = response.content.decode()
    assert f'data-initiative-people="{verrelles.slug}">23<' in html
    assert f'data-initiative-people="{corif.slug}">15<' in html


def test_home_shows_the_plan_and_its_initiatives(client, plan):
    lead = PartnerFactory(name="Arc France")
    initiative = InitiativeFactory(plan=plan, title="Réseau Verr'Elles", number=1)
    initiative.lead_partners.add(lead)
    initiative.audiences.add(AudienceFactory(short_name="Filles"))

    response = client.get(reverse("home"))

    assertContains(response, f'<h1 id="plan-title">{plan.title}</h1>', html=True)
    assertContains(response, "<h3>Réseau Verr'Elles</h3>", html=True)
    assertContains(response, "<dt>Pilotage</dt>", html=True)
    assertContains(response, "<dd>Arc France</dd>", html=True)
    assertContains(response, "<dd>Filles</dd>", html=True)
    assert response.content.decode().count("<h1") == 1


def test_large_figures_are_written_the_french_way(client, plan):
    event = AwarenessEventFactory(initiative__plan=plan)
    AudienceCountFactory(event=event, people=12345, women=6000)

    response = client.get(reverse("home"))

    assert figure(response, "people") == "12\u202f345"


def test_home_without_a_published_plan_says_so(client):
    ActionPlanFactory(draft=True)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert "Aucun plan d'action n'est encore publié" in response.content.decode()


@pytest.mark.parametrize("events", [0, 3, 40])
def test_home_query_count_does_not_grow_with_events(
    client, plan, events, django_assert_num_queries
):
    initiatives = InitiativeFactory.create_batch(4, plan=plan)
    audience = AudienceFactory()
    for initiative in initiatives:
        initiative.audiences.add(audience)
        initiative.lead_partners.add(PartnerFactory())
    for index in range(events):
        AudienceCountFactory(
            event=AwarenessEventFactory(initiative=initiatives[index % 4]), audience=audience
        )

    with django_assert_num_queries(HOME_QUERIES):
        response = client.get(reverse("home"))

    assert response.status_code == 200
    assert figure(response, "people") == str(20 * events)

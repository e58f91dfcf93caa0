"""The staff overview: what awaits validation, the past events still without
figures, each partner's year and the year's targets, in a number of queries that
does not depend on the number of events."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from feminisation import access
from indicators.figures import store
from tests.indicators.accounts import user_in
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory, TargetFactory
from tests.initiatives.factories import ActionPlanFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory
from tests.shared import collected

pytestmark = pytest.mark.django_db

OVERVIEW_URL = reverse("admin:indicators_awarenessevent_overview")
# session, user, the user's permissions (own and group's), the current plan, the
# events awaiting validation, the past events without lines, the year's events by
# status, the free-text communes still to link, the partners' sums (from the
# partners' daily figures), the targets and their sums
OVERVIEW_QUERIES = 12


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
@collected
def world(today):
    plan = ActionPlanFactory(start_date=datetime.date(today.year - 2, 1, 1))
    initiative = InitiativeFactory(plan=plan, title="Réseau Verr'Elles")
    arc = PartnerFactory(name="Arc France")
    capso = PartnerFactory(name="CAPSO")
    joint = AwarenessEventFactory(
        initiative=initiative, organizer=arc, co_organizers=[capso], date=today
    )
    AudienceCountFactory(event=joint, people=30, women=18)
    AudienceCountFactory(
        event=AwarenessEventFactory(initiative=initiative, organizer=capso, date=today),
        people=12,
        women=5,
    )
    awaiting = AwarenessEventFactory(
        initiative=initiative,
        organizer=arc,
        date=today,
        title="Visite de la verrerie",
        submitted=True,
    )
    AudienceCountFactory(event=awaiting, people=40)
    missing = AwarenessEventFactory(
        initiative=initiative,
        organizer=capso,
        date=today - datetime.timedelta(days=3),
        title="Forum sans chiffres",
        draft=True,
    )
    TargetFactory(plan=plan, year=today.year, people=100, women=50)
    return {"plan": plan, "initiative": initiative, "awaiting": awaiting, "missing": missing}


@pytest.fixture
def staff_client(client):
    client.force_login(user_in(access.TERRITORY_STAFF, "equipe"))
    return client


def test_the_overview_shows_what_needs_the_staff(
    staff_client, django_assert_num_queries, world, today
):
    with django_assert_num_queries(OVERVIEW_QUERIES):
        response = staff_client.get(OVERVIEW_URL)

    awaiting_url = reverse("admin:indicators_awarenessevent_change", args=[world["awaiting"].pk])
    assertContains(response, "<caption>À valider (1)</caption>", html=True)
    assertContains(response, f'<a href="{awaiting_url}">Visite de la verrerie</a>', html=True)
    assertContains(
        response, "<caption>Actions passées sans ligne de comptage (1)</caption>", html=True
    )
    assertContains(response, "Forum sans chiffres")
    # The joint event is credited in full to its organiser and its co-organiser.
    assertContains(
        response,
        '<tr><td>Arc France</td><td class="number">1</td><td class="number">30</td>'
        '<td class="number">18</td></tr>',
        html=True,
    )
    assertContains(
        response,
        '<tr><td>CAPSO</td><td class="number">2</td><td class="number">42</td>'
        '<td class="number">23</td></tr>',
        html=True,
    )
    assertContains(
        response,
        "<td>42 personnes, dont 23 femmes ou filles</td><td>42\u202f% (46\u202f% pour les "
        "femmes ou filles)</td>",
        html=True,
    )
    assertContains(response, f"<caption>Saisie {today.year} : actions par statut</caption>")


@pytest.mark.parametrize("more", [0, 15])
def test_the_overview_queries_do_not_grow_with_the_events(
    staff_client, django_assert_num_queries, world, today, more
):
    with store.collecting():
        for number in range(more):
            partner = PartnerFactory()
            AudienceCountFactory(
                event=AwarenessEventFactory(
                    initiative=world["initiative"], organizer=partner, date=today, submitted=True
                )
            )
            AudienceCountFactory(
                event=AwarenessEventFactory(
                    initiative=world["initiative"], organizer=partner, date=today
                )
            )
            AwarenessEventFactory(
                initiative=world["initiative"],
                organizer=partner,
                date=today - datetime.timedelta(days=number + 1),
            )

    with django_assert_num_queries(OVERVIEW_QUERIES):
        response = staff_client.get(OVERVIEW_URL)

    assert response.context["awaiting"]["total"] == 1 + more
    assert response.context["without_counts"]["total"] == 1 + more
    assert len(response.context["partners"]) == 2 + more


@pytest.mark.parametrize(
    ("group", "status"),
    [
        pytest.param(access.TERRITORY_STAFF, 200, id="staff"),
        pytest.param(access.MANAGERS, 200, id="manager"),
        pytest.param(access.PARTNERS, 403, id="partner"),
    ],
)
def test_the_overview_is_for_those_who_see_all_events(client, world, group, status):
    user = user_in(group, "quelquun", organisations=[PartnerFactory()])
    client.force_login(user)

    assert client.get(OVERVIEW_URL).status_code == status
    index = client.get(reverse("admin:index"))
    link = f'<a href="{OVERVIEW_URL}"><strong>Tableau de suivi de la saisie</strong></a>'
    if status == 200:
        assertContains(index, link, html=True)
    else:
        assertNotContains(index, link, html=True)


def test_anonymous_visitors_are_sent_to_the_login_page(client, world):
    response = client.get(OVERVIEW_URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))

"""The events' list in the admin makes a fixed number of queries however many
events there are, for every role, with or without each filter's counts."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from pytest_django.asserts import assertContains

from feminisation import access
from indicators import credits
from indicators.models import AudienceCount, AwarenessEvent
from partners.models import Partner
from tests.indicators.accounts import user_in
from tests.indicators.changelist_queries import (
    CHANGELIST_QUERIES,
    ESTIMATE,
    ROLE_QUERIES,
    WITH_FACETS_QUERIES,
)
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import AudienceFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db

CHANGELIST_URL = reverse("admin:indicators_awarenessevent_changelist")


@pytest.fixture(autouse=True)
def uncached_content_types():
    """The admin reads content types through a process-wide cache: empty it so that
    each test counts the same queries whatever ran before."""
    ContentType.objects.clear_cache()


def make_events(count):
    """Events with two co-organisers and two count lines each: any join on either
    would list them twice. Written in bulk: the list reads the events and their
    lines, not what their signals derive, and 30 events one by one took seconds."""
    initiative = InitiativeFactory()
    girls, prescribers = AudienceFactory(), AudienceFactory()
    co_organizers = [PartnerFactory(), PartnerFactory()]
    organizers = Partner.objects.bulk_create(PartnerFactory.build_batch(count))
    events = AwarenessEvent.objects.bulk_create(
        AwarenessEventFactory.build(
            initiative=initiative,
            date=datetime.date(2024, 1, 1) + datetime.timedelta(days=day * 20),
            organizer=organizer,
        )
        for day, organizer in enumerate(organizers)
    )
    AudienceCount.objects.bulk_create(
        AudienceCountFactory.build(event=event, audience=audience, people=people, women=women)
        for event in events
        for audience, people, women in ((girls, 20, 12), (prescribers, 5, None))
    )
    AwarenessEvent.co_organizers.through.objects.bulk_create(
        AwarenessEvent.co_organizers.through(awarenessevent=event, partner=partner)
        for event in events
        for partner in co_organizers
    )
    credits.credit(event.pk for event in events)  # bulk writes send no signal
    return {"girls": girls, "co_organizer": co_organizers[0]}


# The number of queries ----------------------------------------------------------


@pytest.mark.parametrize("events", [3, 30])
@pytest.mark.parametrize(
    "query",
    [{}, {"counts__audience__id__exact": "girls"}, {"co_organizers__id__exact": "co"}, {"q": "a"}],
    ids=["all", "audience", "co-organiser", "search"],
)
def test_the_list_makes_the_same_queries_for_3_or_30_events(
    admin_client, django_assert_num_queries, events, query
):
    made = make_events(events)
    values = {"girls": made["girls"].pk, "co": made["co_organizer"].pk}
    query = {key: values.get(value, value) for key, value in query.items()}

    with django_assert_num_queries(CHANGELIST_QUERIES + (ESTIMATE if not query else 0)) as queries:
        response = admin_client.get(CHANGELIST_URL, query)

    assert response.context["cl"].result_count == events
    assertContains(response, '<td class="field-people_total">25</td>', count=events, html=True)
    # No DISTINCT over the events' columns (and their totals' subqueries): each query
    # keeps its events by id, and sums the count lines of the page's rows only.
    event_id = '"indicators_awarenessevent"."id"'
    assert not [q["sql"] for q in queries if f"DISTINCT {event_id}" in q["sql"]]


@pytest.mark.parametrize("events", [3, 30])
def test_the_counts_on_demand_add_one_query_per_filter(
    admin_client, django_assert_max_num_queries, events
):
    make_events(events)

    with django_assert_max_num_queries(WITH_FACETS_QUERIES + ESTIMATE):
        response = admin_client.get(CHANGELIST_URL, {"_facets": "True"})

    assert response.context["cl"].result_count == events


@pytest.mark.parametrize("events", [10, 100])
@pytest.mark.parametrize("role", list(ROLE_QUERIES))
def test_each_role_lists_its_events_in_the_same_queries_whatever_their_number(
    client, django_assert_num_queries, events, role
):
    made = make_events(events)
    co_organizer = made["co_organizer"]
    if role == "superuser":
        account = get_user_model().objects.create_superuser("root", "root@example.org")
    else:
        group = {"staff": access.TERRITORY_STAFF, "manager": access.MANAGERS}.get(
            role, access.PARTNERS
        )
        # The partner co-organises every event.
        account = user_in(group, role, organisations=[co_organizer] if role == "partner" else [])
    client.force_login(account)

    with django_assert_num_queries(CHANGELIST_QUERIES + ESTIMATE + ROLE_QUERIES[role]):
        response = client.get(CHANGELIST_URL)

    assert response.context["cl"].result_count == events
    assert not response.context["cl"].result_count_estimated
    assertContains(response, f"{events} actions de sensibilisation")

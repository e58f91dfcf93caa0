"""The partners each event is credited to (`indicators.credits`) stay exact after
every write that changes an event's organiser, date, initiative or co-organisers, and a
partner's list of events, its filters and its years are read through them, in the
same queries whatever the number of events."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feminisation import access
from indicators import credits
from indicators.admin.list_filters import CoOrganizerFilter, OrganizerFilter
from indicators.enums import EventStatus
from indicators.models import AwarenessEvent, CreditedCoOrganizer, EventCredit
from tests import concurrency
from tests.indicators.accounts import user_in
from tests.indicators.admin_forms import form_data
from tests.indicators.factories import AwarenessEventFactory
from tests.indicators.test_event_admin import event_data
from tests.initiatives.factories import AudienceFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db

CHANGELIST_URL = reverse("admin:indicators_awarenessevent_changelist")
ADD_URL = reverse("admin:indicators_awarenessevent_add")
DAY = datetime.date(2025, 3, 14)


def stored(event_id):
    return (
        sorted(
            EventCredit.objects.filter(event=event_id).values_list(
                "partner_id", "date", "organizer_id", "initiative_id"
            )
        ),
        sorted(
            CreditedCoOrganizer.objects.filter(event=event_id).values_list(
                "partner_id", "co_organizer_id"
            )
        ),
    )


def expected(event_id):
    """What the event's credits must say: its organiser and each co-organiser, with
    its date, organiser and initiative; for each of them, each co-organiser."""
    event = AwarenessEvent.objects.get(pk=event_id)
    co_organizers = set(event.co_organizers.values_list("pk", flat=True))
    partners = {event.organizer_id, *co_organizers}
    return (
        sorted(
            (partner, event.date, event.organizer_id, event.initiative_id) for partner in partners
        ),
        sorted((partner, co) for partner in partners for co in co_organizers),
    )


def assert_exact(*events):
    for event in events:
        assert stored(event.pk) == expected(event.pk)
    assert credits.rows_that_differ() == 0


@pytest.fixture
def partners():
    return PartnerFactory.create_batch(4)


def test_the_admin_credits_an_event_as_it_is_added_changed_and_deleted(
    admin_client, communes, partners
):
    first, second, third, fourth = partners
    initiative, girls = InitiativeFactory(), AudienceFactory()
    lines = [{"audience": girls.pk, "people": 24, "women": 13}]

    admin_client.post(
        ADD_URL,
        event_data(initiative=initiative, organizer=first, lines=lines, co_organizers=[second.pk]),
    )
    event = AwarenessEvent.objects.get()
    assert stored(event.pk)[0] == [
        (first.pk, DAY, first.pk, initiative.pk),
        (second.pk, DAY, first.pk, initiative.pk),
    ]
    assert_exact(event)
    other = InitiativeFactory(plan=initiative.plan)

    change_url = reverse("admin:indicators_awarenessevent_change", args=[event.pk])
    for changes in (
        {"organizer": third.pk},
        {"date": "2025-05-02"},
        {"initiative": other.pk},
        {"co_organizers": [second.pk, fourth.pk]},
        {"co_organizers": [fourth.pk]},
        {"co_organizers": None},  # none left
    ):
        data = form_data(admin_client.get(change_url), change_reason="Correction", **changes)
        response = admin_client.post(change_url, data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        assert_exact(event)
    assert stored(event.pk)[0] == [(third.pk, datetime.date(2025, 5, 2), third.pk, other.pk)]

    delete_url = reverse("admin:indicators_awarenessevent_delete", args=[event.pk])
    admin_client.post(delete_url, {"post": "yes"})
    assert not AwarenessEvent.objects.exists()
    assert stored(event.pk) == ([], [])


def test_co_organisers_changed_from_either_side_are_credited(partners):
    first, second, third, fourth = partners
    event = AwarenessEventFactory(organizer=first, co_organizers=[second])
    other = AwarenessEventFactory(organizer=fourth, co_organizers=[second, third])
    assert_exact(event, other)

    event.co_organizers.add(third, fourth)
    assert_exact(event, other)
    event.co_organizers.remove(fourth)
    assert_exact(event, other)
    second.co_organized_events.remove(other)
    assert_exact(event, other)
    fourth.co_organized_events.add(event)
    assert_exact(event, other)
    third.co_organized_events.clear()
    assert_exact(event, other)
    event.co_organizers.clear()
    assert_exact(event, other)
    # An organiser also named among the co-organisers is credited once.
    event.co_organizers.add(first, second)
    initiative = event.initiative_id
    assert stored(event.pk)[0] == [
        (first.pk, DAY, first.pk, initiative),
        (second.pk, DAY, first.pk, initiative),
    ]
    assert_exact(event, other)


def test_a_save_that_leaves_organiser_and_date_as_they_were_writes_no_credit(partners):
    event = AwarenessEventFactory(organizer=partners[0], co_organizers=[partners[1]])
    rows = list(EventCredit.objects.filter(event=event).values_list("pk", flat=True))
    event.title = "Autre intitulé"
    event.save()
    assert list(EventCredit.objects.filter(event=event).values_list("pk", flat=True)) == rows


def test_an_event_moved_to_another_initiative_is_credited_there(partners):
    event = AwarenessEventFactory(organizer=partners[0], co_organizers=[partners[1]])
    event.initiative = InitiativeFactory()
    event.save()
    assert set(EventCredit.objects.filter(event=event).values_list("initiative", flat=True)) == {
        event.initiative_id
    }
    assert_exact(event)


def test_check_figures_finds_and_repairs_credits_of_the_wrong_initiative(partners):
    event = AwarenessEventFactory(organizer=partners[0], co_organizers=[partners[1]])
    EventCredit.objects.filter(event=event).update(initiative=InitiativeFactory())

    assert credits.rows_that_differ() == 4  # two wrong rows, two missing
    call_command("check_figures", "--reparer", stdout=StringIO())
    assert_exact(event)


def test_check_figures_finds_and_repairs_wrong_credits(partners):
    event = AwarenessEventFactory(organizer=partners[0], co_organizers=[partners[1]])
    EventCredit.objects.filter(event=event, partner=partners[1]).delete()
    EventCredit.objects.filter(event=event).update(date=datetime.date(2020, 1, 1))
    CreditedCoOrganizer.objects.create(event=event, partner=partners[2], co_organizer=partners[3])

    with pytest.raises(CommandError, match="4 ligne"):
        call_command("check_figures", stdout=StringIO())
    out = StringIO()
    call_command("check_figures", "--reparer", stdout=out)

    assert "crédit" in out.getvalue()
    assert_exact(event)


# A partner's list.


def partner_client(client, *organisations):
    account = user_in(access.PARTNERS, "partenaire", organisations=organisations)
    client.force_login(account)
    return client


def filter_choices(response, filter_class):
    spec = next(s for s in response.context["cl"].filter_specs if isinstance(s, filter_class))
    return sorted(pk for pk, _ in spec.lookup_choices)


def test_a_partner_lists_and_filters_among_the_events_credited_to_it(client, partners):
    me, with_me, organiser, stranger = partners
    mine = AwarenessEventFactory(
        organizer=me, co_organizers=[with_me], date=datetime.date(2023, 5, 1)
    )
    co_organised = AwarenessEventFactory(
        organizer=organiser, co_organizers=[me, stranger], date=datetime.date(2025, 2, 1)
    )
    AwarenessEventFactory(organizer=stranger, co_organizers=[with_me])  # not mine: 2025
    AwarenessEventFactory(organizer=with_me, date=datetime.date(2024, 1, 1))  # nor this one

    response = partner_client(client, me).get(CHANGELIST_URL)

    assert list(response.context["cl"].result_list) == [co_organised, mine]
    assert filter_choices(response, OrganizerFilter) == sorted([me.pk, organiser.pk])
    assert filter_choices(response, CoOrganizerFilter) == sorted([with_me.pk, me.pk, stranger.pk])
    years = response.context["cl"].date_navigation()["choices"]
    assert [year["title"] for year in years] == ["2023", "2025"]

    response = client.get(CHANGELIST_URL, {"date__year": "2025"})
    assert list(response.context["cl"].result_list) == [co_organised]
    response = client.get(CHANGELIST_URL, {"organizer__id__exact": organiser.pk})
    assert list(response.context["cl"].result_list) == [co_organised]


def test_an_account_of_two_organisations_lists_each_of_their_events_once(client, partners):
    first, second, third, _ = partners
    shared = AwarenessEventFactory(
        organizer=first, co_organizers=[second], date=datetime.date(2025, 3, 1)
    )
    own = AwarenessEventFactory(organizer=second, date=datetime.date(2025, 1, 1))
    AwarenessEventFactory(organizer=third)

    response = partner_client(client, first, second).get(CHANGELIST_URL)

    assert list(response.context["cl"].result_list) == [shared, own]
    assert response.context["cl"].result_count == 2


def bulk_events(count, organizer, co_organizer, initiative):
    events = AwarenessEvent.objects.bulk_create(
        AwarenessEventFactory.build(
            initiative=initiative,
            organizer=organizer,
            date=datetime.date(2020, 1, 1) + datetime.timedelta(days=day % 2000),
            status=EventStatus.VALIDATED,
        )
        for day in range(count)
    )
    AwarenessEvent.co_organizers.through.objects.bulk_create(
        AwarenessEvent.co_organizers.through(awarenessevent=event, partner=co_organizer)
        for event in events[::3]
    )
    credits.credit(event.pk for event in events)  # bulk writes send no signal


# The session, the account and its permissions (2), its organisations, its
# territories' initiatives, the filters' initiatives, audiences, organisers and
# co-organisers, the count, the page, the to-do list's counts, the years (or the
# months of a year); and, for an unfiltered list on PostgreSQL, the estimate of the
# count first (exact below 10,000 events).
PARTNER_LIST_QUERIES = {False: 14 + (connection.vendor == "postgresql"), True: 14}


@pytest.mark.parametrize("query", [{}, {"date__year": "2021"}, {"status__exact": "validee"}])
def test_a_partners_list_reads_the_same_queries_from_a_hundred_to_thousands_of_events(
    client, partners, query
):
    me, other, co_organizer, _ = partners
    initiative = InitiativeFactory()
    partner_client(client, me)
    seen = []
    for count in (100, 2000):
        bulk_events(count // 2, me, co_organizer, initiative)
        bulk_events(count // 2, other, me, initiative)
        client.get(CHANGELIST_URL, query)  # the session and caches warmed
        with CaptureQueriesContext(connection) as queries:
            response = client.get(CHANGELIST_URL, query)
        assert response.status_code == 200
        seen.append(len(queries.captured_queries))
    assert seen == [PARTNER_LIST_QUERIES[bool(query)]] * 2


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent transactions: this test runs in the PostgreSQL half of the suite",
)
@pytest.mark.django_db(transaction=True)
def test_co_organisers_added_to_one_event_at_once_are_all_credited(partners):
    organizer, *co_organizers = partners
    event = AwarenessEventFactory(organizer=organizer)
    link = AwarenessEvent.co_organizers.through

    def add(partner):
        # The link written and the event credited, as the receiver of
        # `co_organizers.add` does, without the figures' refresh (whose lock of the
        # month would make the transactions wait for one another anyway).
        def call():
            with transaction.atomic():
                link.objects.create(awarenessevent_id=event.pk, partner=partner)
                credits.credit([event.pk])

        return call

    for _ in range(3):
        link.objects.filter(awarenessevent_id=event.pk).delete()
        credits.credit([event.pk])
        concurrency.all_succeeded(concurrency.at_once(*(add(p) for p in co_organizers)))
        assert stored(event.pk)[0] == sorted(
            (partner.pk, event.date, organizer.pk, event.initiative_id) for partner in partners
        )
        assert_exact(event)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent transactions: this test runs in the PostgreSQL half of the suite",
)
@pytest.mark.django_db(transaction=True)
def test_co_organisers_added_while_the_event_is_moved_are_all_credited(partners):
    organizer, first, second, _ = partners
    event = AwarenessEventFactory(organizer=organizer)
    initiatives = InitiativeFactory.create_batch(3, plan=event.initiative.plan)

    def add(partner):
        return lambda: AwarenessEvent.objects.get(pk=event.pk).co_organizers.add(partner)

    def move(day, initiative):
        def call():
            moved = AwarenessEvent.objects.get(pk=event.pk)
            moved.date, moved.initiative = day, initiative
            moved.save()

        return call

    for day, initiative in enumerate(initiatives, start=1):
        AwarenessEvent.objects.get(pk=event.pk).co_organizers.clear()
        concurrency.all_succeeded(
            concurrency.at_once(
                add(first), add(second), move(datetime.date(2025, 6, day), initiative)
            )
        )
        assert stored(event.pk)[0] == sorted(
            (partner.pk, datetime.date(2025, 6, day), organizer.pk, initiative.pk)
            for partner in (organizer, first, second)
        )
        assert_exact(event)


def test_a_partner_never_sees_an_event_it_neither_organises_nor_co_organises(partners):
    me, other, third, _ = partners
    AwarenessEventFactory(organizer=other, co_organizers=[third])
    mine = AwarenessEventFactory(organizer=other, co_organizers=[me])
    account = user_in(access.PARTNERS, "partenaire", organisations=[me])

    assert list(AwarenessEvent.objects.visible_to(account)) == [mine]
    mine.co_organizers.remove(me)
    assert list(AwarenessEvent.objects.visible_to(account)) == []


def test_events_narrowed_to_two_partners_in_turn_are_those_credited_to_both(partners):
    first, second, third, _ = partners
    both = AwarenessEventFactory(organizer=first, co_organizers=[second])
    AwarenessEventFactory(organizer=first, co_organizers=[third])
    AwarenessEventFactory(organizer=second)

    events = AwarenessEvent.objects.of_partners([first]).of_partners([second])

    assert list(events) == [both]
    assert set(AwarenessEvent.objects.of_partners([second, third]).of_partners([first])) == {
        both,
        AwarenessEvent.objects.get(co_organizers=third),
    }

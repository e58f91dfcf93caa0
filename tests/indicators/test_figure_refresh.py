"""A write refreshes only the stored figures of what it changed, in a fixed number
of queries however many events the database, its day and its month hold: the
admin's form, and the list's « Valider », which moves the chosen events' figures
from the rows of their old status to those of the new one."""

import datetime

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.urls import reverse

from indicators.enums import EventFormat, EventStatus
from indicators.figures import store
from indicators.models import (
    AudienceCount,
    AwarenessEvent,
    DailyFigures,
    PartnerDailyFigures,
    VenueMonth,
)
from tests.indicators.admin_forms import form_data
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import AudienceFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 3, 14)
CHANGELIST_URL = reverse("admin:indicators_awarenessevent_changelist")
# The month's advisory lock (store._lock_months) is PostgreSQL's only.
LOCK = 1 if connection.vendor == "postgresql" else 0
# The action's list, unfiltered, asks PostgreSQL's estimate of its count first
# (list_filters.EventPaginator).
ESTIMATE = 1 if connection.vendor == "postgresql" else 0
# The monthly roll-ups of the refreshed keys: a DELETE and an INSERT … SELECT for each
# of the two monthly tables.
ROLLUPS = 4
# Whether the event's credits still say its organiser and date (indicators.credits).
CREDITS = 1
# Whether its organisers work in its initiative's territory (workflow.organisation_problems).
TERRITORY = 1
# Its initiative, held in its plan until the save commits (workflow.moved_since_read).
INITIATIVE = 1
# No closed year is read: the staff write in closed years, which bind only a return
# or a partner's save (workflow.closure_binds).
SAVE_QUERIES = 54 + LOCK + ROLLUPS + CREDITS + TERRITORY + INITIATIVE
# SQLite writes the partners' rows of thirty events in two INSERTs (at most 999
# parameters a statement).
SPLIT = 0 if connection.vendor == "postgresql" else 1
# The selected events' ids, read before they are locked by id (admin.actions._locked).
SELECTED_IDS = 1
VALIDATE_QUERIES = 28 + LOCK + ESTIMATE + SPLIT + ROLLUPS + SELECTED_IDS


@pytest.fixture
def things(communes):
    return {
        "initiatives": InitiativeFactory.create_batch(2),
        "audiences": AudienceFactory.create_batch(2),
        "partners": PartnerFactory.create_batch(2),
    }


def events(things, count, *, status=EventStatus.VALIDATED, first_day=DAY):
    """`count` events with two lines and a co-organiser each, spread over the days,
    initiatives, formats and venues of two months, their figures summed once."""
    created = []
    organizer, co_organizer = things["partners"]
    with store.collecting():
        for n in range(count):
            event = AwarenessEventFactory(
                date=first_day + datetime.timedelta(days=n % 40),
                initiative=things["initiatives"][n % 2],
                format=(EventFormat.FORUM, EventFormat.WORKSHOP)[n // 2 % 2],
                venue_name=f"Lycée n° {n % 7}",
                commune="Arques",
                organizer=organizer,
                co_organizers=[co_organizer],
                status=status,
            )
            for audience in things["audiences"]:
                AudienceCountFactory(event=event, audience=audience, people=20 + n, women=n)
            created.append(event)
    return created


def many_events(things, count, first_day=DAY):
    """`count` validated events with two lines and a co-organiser each, written in
    bulk (as the import and seed_demo do) over the days of `events`."""
    organizer, co_organizer = things["partners"]
    with store.collecting() as days:
        created = AwarenessEvent.objects.bulk_create(
            AwarenessEvent(
                date=first_day + datetime.timedelta(days=n % 40),
                initiative=things["initiatives"][n % 2],
                title="Intervention",
                format=(EventFormat.FORUM, EventFormat.WORKSHOP)[n // 2 % 2],
                venue_name=f"Lycée n° {n % 7}",
                commune="Arques",
                organizer=organizer,
                status=EventStatus.VALIDATED,
            )
            for n in range(count)
        )
        AudienceCount.objects.bulk_create(
            AudienceCount(event=event, audience=audience, people=20, women=n % 20)
            for n, event in enumerate(created)
            for audience in things["audiences"]
        )
        AwarenessEvent.co_organizers.through.objects.bulk_create(
            AwarenessEvent.co_organizers.through(awarenessevent=event, partner=co_organizer)
            for event in created
        )
        days.update(event.date for event in created)


def stored_rows():
    return {
        model: set(model.objects.values_list("pk", flat=True))
        for model in (DailyFigures, PartnerDailyFigures, VenueMonth)
    }


@pytest.mark.parametrize("others", [100, 5000])
def test_an_admin_save_refreshes_its_own_rows_in_a_fixed_number_of_queries(
    admin_client, django_assert_num_queries, things, others
):
    # Other events of its day and its month, in other initiatives, formats, venues.
    many_events(things, others)
    event = events(things, 1, first_day=DAY)[0]
    url = reverse("admin:indicators_awarenessevent_change", args=[event.pk])
    data = form_data(admin_client.get(url), **{"counts-0-people": 99, "counts-1-women": 3})
    before = stored_rows()

    with django_assert_num_queries(SAVE_QUERIES):
        response = admin_client.post(url, data)

    assert response.status_code == 302
    assert store.days_that_differ() == []
    # The other events' rows were left as they were (a rebuilt row gets a new id).
    untouched = {
        DailyFigures: DailyFigures.objects.exclude(
            date=event.date, initiative=event.initiative, format=event.format
        ),
        PartnerDailyFigures: PartnerDailyFigures.objects.exclude(
            date=event.date, initiative=event.initiative
        ),
        VenueMonth: VenueMonth.objects.exclude(venue__name=event.venue_name),
    }
    for model, rows in untouched.items():
        assert set(rows.values_list("pk", flat=True)) <= before[model]
        assert rows.count() == 0 or others


# Thirty events chosen (SQLite takes at most 999 parameters a statement, and writes
# the history records of more than some 45 events in two INSERTs; PostgreSQL, in
# one), among few or many others of their days, partners and venues.
@pytest.mark.parametrize("others", [100, 5000])
def test_validating_events_from_the_list_takes_a_fixed_number_of_queries(
    admin_client, admin_user, django_assert_num_queries, things, others
):
    many_events(things, others)
    count = 30
    chosen = events(things, count, status=EventStatus.SUBMITTED)
    versions = {f"version_{event.pk}": event.version for event in chosen}
    # Read once per process, as on the site.
    ContentType.objects.get_for_model(AwarenessEvent)

    with django_assert_num_queries(VALIDATE_QUERIES):
        response = admin_client.post(
            CHANGELIST_URL,
            {
                "action": "validate",
                "_selected_action": [event.pk for event in chosen],
                "index": 0,
                **versions,
            },
        )

    assert response.status_code == 302
    assert store.days_that_differ() == []
    assert store.venues_missing() == 0
    # Each event as its own save would leave it: its next version, validated by whom
    # and when, its history record with why and its co-organisers, the admin's log.
    co_organizer = things["partners"][1]
    for event in AwarenessEvent.objects.filter(pk__in=[event.pk for event in chosen]):
        assert event.status == EventStatus.VALIDATED
        assert event.version == versions[f"version_{event.pk}"] + 1
        assert event.validated_by == admin_user
        assert event.validated_at is not None
        record = event.history.order_by("-history_date", "-history_id").first()
        assert (record.version, record.status) == (event.version, EventStatus.VALIDATED)
        assert record.history_user == admin_user
        assert record.history_change_reason == "Validée"
        assert list(record.co_organizers.values_list("partner_id", flat=True)) == [co_organizer.pk]
    logged = LogEntry.objects.filter(action_flag=CHANGE, change_message="Validée")
    assert logged.count() == count


def validate(client, chosen):
    return client.post(
        CHANGELIST_URL,
        {
            "action": "validate",
            "_selected_action": [event.pk for event in chosen],
            "index": 0,
            **{f"version_{event.pk}": event.version for event in chosen},
        },
    )


def test_validating_moves_the_figures_into_rows_it_creates_and_out_of_rows_it_empties(
    admin_client, things
):
    # Alone in their keys: the submitted rows are emptied, the validated ones new.
    chosen = events(things, 4, status=EventStatus.SUBMITTED, first_day=DAY.replace(year=2024))
    # An event without lines counts nowhere, before or after.
    chosen.append(AwarenessEventFactory(status=EventStatus.SUBMITTED, date=DAY))
    assert VenueMonth.objects.filter(status=EventStatus.SUBMITTED).exists()

    assert validate(admin_client, chosen).status_code == 302

    assert store.days_that_differ() == []
    for model in (DailyFigures, PartnerDailyFigures, VenueMonth):
        assert not model.objects.filter(status=EventStatus.SUBMITTED).exists()
        assert model.objects.filter(status=EventStatus.VALIDATED).exists()


def test_a_row_that_had_drifted_is_summed_again_rather_than_moved(admin_client, things):
    chosen = events(things, 3, status=EventStatus.SUBMITTED)
    # Lost, as a restore from an old dump would lose them: the move cannot take the
    # events out of them, and sums their keys again instead.
    PartnerDailyFigures.objects.filter(status=EventStatus.SUBMITTED).delete()

    assert validate(admin_client, chosen).status_code == 302

    assert store.days_that_differ() == []


def test_returning_validated_events_moves_their_figures_out_of_the_public_rows(
    admin_client, things
):
    many_events(things, 20)
    chosen = events(things, 6)
    # Women unknown on one line: counted in people, not in known.
    AudienceCount.objects.filter(event=chosen[0]).update(women=None)
    store.refresh_events(store.event_keys(AwarenessEvent.objects.filter(pk=chosen[0].pk)))

    response = admin_client.post(
        CHANGELIST_URL,
        {
            "action": "return_for_correction",
            "_selected_action": [event.pk for event in chosen],
            "index": 0,
            "commentaire": "Il manque le nombre de filles.",
            **{f"version_{event.pk}": event.version for event in chosen},
        },
    )

    assert response.status_code == 302
    assert AwarenessEvent.objects.filter(status=EventStatus.RETURNED).count() == 6
    assert store.days_that_differ() == []

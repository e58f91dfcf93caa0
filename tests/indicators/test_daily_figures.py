"""The daily figures the dashboard reads can never drift from the events: whatever
is written, moved, validated or deleted, every figure computed from them equals the
same figure summed from the count lines themselves."""

import datetime
import io
from dataclasses import replace

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from feminisation.cache import VERSION_KEY
from indicators.enums import EventFormat, EventRole, EventStatus
from indicators.figures import stats, store, tables
from indicators.models import (
    AudienceCount,
    AwarenessEvent,
    DailyFigures,
    MonthlyFigures,
    PartnerDailyFigures,
    PartnerMonthlyFigures,
    Venue,
    VenueMonth,
)
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import ActionPlanFactory, AudienceFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db

FIRST_DAY = datetime.date(2025, 1, 27)
DAYS = 40  # over two month boundaries, so that venues' whole and partial months both count
TODAY = datetime.date(2025, 3, 31)
# A day within a month: the headline's periods end in the middle of February.
MID_MONTH = datetime.date(2025, 2, 12)


class Rollback(Exception):
    pass


@pytest.fixture
def things():
    plan = ActionPlanFactory(start_date=datetime.date(2025, 1, 1))
    return {
        "plan": plan,
        "initiatives": InitiativeFactory.create_batch(2, plan=plan),
        "audiences": AudienceFactory.create_batch(2),
        "partners": PartnerFactory.create_batch(3),
    }


def scopes(things):
    plan, (first, second) = things["plan"], things["initiatives"]
    audience = things["audiences"][0]
    yield stats.Scope(plan)
    yield stats.Scope(plan, start=FIRST_DAY, end=datetime.date(2025, 2, 28))
    yield stats.Scope(plan, start=datetime.date(2025, 2, 1), end=datetime.date(2025, 2, 28))
    yield stats.Scope(plan, start=datetime.date(2025, 2, 3), end=datetime.date(2025, 2, 9))
    yield stats.Scope(plan, start=datetime.date(2025, 2, 10))
    yield stats.Scope(plan, end=datetime.date(2025, 2, 14))
    yield stats.Scope(plan, initiative=second)
    yield stats.Scope(plan, audience=audience, start=datetime.date(2025, 2, 5))
    yield stats.Scope(plan, initiative=first, audience=audience)
    yield stats.Scope(plan, statuses=tuple(EventStatus.values))


def every_figure(scope):
    figures = [
        stats.totals(scope),
        stats.venues_reached(scope),
        stats.partners_involved(scope),
        stats.by_initiative(scope),
        stats.by_audience(scope),
        stats.by_format(scope),
        stats.by_partner(scope),
        stats.by_month(scope, today=TODAY),
        stats.by_audience_and_quarter(scope, today=TODAY),
        stats.headline(scope, today=MID_MONTH),
        tables.partners_by_year(scope),
    ]
    for by_initiative in (False, True):
        for by_audience in (False, True):
            figures.append(tables.counts_table(scope, "mois", by_initiative, by_audience))
    figures.append(tables.counts_table(scope, "annee", True, True))
    return figures


def assert_figures_agree(things):
    assert store.days_that_differ() == []
    assert store.venues_missing() == 0
    assert_months_are_their_days()
    for scope in scopes(things):
        assert every_figure(scope) == every_figure(replace(scope, precomputed=False)), scope
        # The dashboard's one query for both breakdowns.
        both = (stats.by_initiative(scope), stats.by_format(scope))
        assert stats.by_initiative_and_format(scope) == both, scope


def assert_months_are_their_days():
    """Each monthly row is its month's daily rows of the same key, summed."""
    sums = ("events", "people", "women", "known")
    for daily, monthly, fields, _ in store.ROLLUPS:
        keys = [f"{name}_id" if name in ("initiative", "partner") else name for name in fields]
        summed = {}
        for date, *row in daily.objects.values_list("date", *keys, "audience_id", *sums):
            key = (date.replace(day=1), *row[: -len(sums)])
            summed[key] = [a + b for a, b in zip(summed.get(key, [0] * 4), row[-4:], strict=True)]
        stored = {
            row[: -len(sums)]: list(row[-len(sums) :])
            for row in monthly.objects.values_list("month", *keys, "audience_id", *sums)
        }
        assert stored == summed, monthly


line = st.tuples(st.integers(0, 60), st.one_of(st.none(), st.integers(0, 60))).map(
    lambda pair: (pair[0], None if pair[1] is None else min(pair[1], pair[0]))
)
event = st.fixed_dictionaries(
    {
        "day": st.integers(0, DAYS - 1),
        "initiative": st.integers(0, 1),
        "format": st.sampled_from([EventFormat.FORUM, EventFormat.WORKSHOP]),
        "status": st.sampled_from(EventStatus.values),
        "venue": st.sampled_from([("Lycée Blaise Pascal", "Longuenesse"), ("Arc", "Arques")]),
        "organizer": st.integers(0, 2),
        "co_organizers": st.sets(st.integers(0, 2), max_size=2),
        "lines": st.dictionaries(st.integers(0, 1), line, max_size=2),
    }
)
change = st.one_of(
    st.tuples(st.just("move"), st.integers(0, DAYS - 1)),
    st.tuples(st.just("status"), st.sampled_from(EventStatus.values)),
    st.tuples(st.just("initiative"), st.integers(0, 1)),
    st.tuples(st.just("delete"), st.none()),
    st.tuples(st.just("delete_lines"), st.none()),
    st.tuples(st.just("line"), line),
    st.tuples(st.just("co_organizers"), st.sets(st.integers(0, 2), max_size=2)),
    st.tuples(st.just("partner_clears"), st.integers(0, 2)),
    st.tuples(st.just("partner_adds"), st.integers(0, 2)),
)


def create(things, draft):
    organizer = things["partners"][draft["organizer"]]
    created = AwarenessEvent.objects.create(
        initiative=things["initiatives"][draft["initiative"]],
        date=FIRST_DAY + datetime.timedelta(days=draft["day"]),
        title="Action",
        format=draft["format"],
        venue_name=draft["venue"][0],
        commune=draft["venue"][1],
        organizer=organizer,
        status=draft["status"],
    )
    created.co_organizers.set(
        [things["partners"][i] for i in draft["co_organizers"] if i != draft["organizer"]]
    )
    for audience, (people, women) in draft["lines"].items():
        AudienceCount.objects.create(
            event=created, audience=things["audiences"][audience], people=people, women=women
        )
    return created


def apply(things, event, kind, value):
    partners = things["partners"]
    if kind == "move":
        event.date = FIRST_DAY + datetime.timedelta(days=value)
        event.save()
    elif kind == "status":
        event.status = value
        event.save()
    elif kind == "initiative":
        event.initiative = things["initiatives"][value]
        event.save()
    elif kind == "delete":
        event.delete()
    elif kind == "delete_lines":
        event.counts.all().delete()
    elif kind == "line":
        people, women = value
        AudienceCount.objects.update_or_create(
            event=event,
            audience=things["audiences"][0],
            defaults={"people": people, "women": women},
        )
    elif kind == "co_organizers":
        event.co_organizers.set([partners[i] for i in value if partners[i] != event.organizer])
    elif kind == "partner_clears":
        partners[value].co_organized_events.clear()
    elif kind == "partner_adds" and partners[value] != event.organizer:
        partners[value].co_organized_events.add(event)


# Each example checks every figure in ten scopes, each computed both ways (some 300
# queries), several times the work of another property test's example: it runs 5/8
# of the profile's examples, the 25 it has always run on CI.
@settings(max_examples=settings.default.max_examples * 5 // 8)
@given(
    events=st.lists(event, min_size=1, max_size=6),
    changes=st.lists(st.tuples(st.integers(0, 5), change), max_size=6),
)
def test_the_daily_figures_always_equal_the_sums_of_the_lines(things, events, changes):
    try:
        with transaction.atomic():
            created = [create(things, draft) for draft in events]
            for index, (kind, value) in changes:
                target = created[index % len(created)]
                if AwarenessEvent.objects.filter(pk=target.pk).exists():
                    target.refresh_from_db()
                    apply(things, target, kind, value)
            assert_figures_agree(things)
            raise Rollback
    except Rollback:
        pass


def test_seed_demo_writes_its_events_daily_figures():
    call_command("load_plan", stdout=io.StringIO())
    call_command("seed_demo", "--events", "300", "--seed", "3", stdout=io.StringIO())

    assert DailyFigures.objects.exists()
    assert store.days_that_differ() == []
    assert store.venues_missing() == 0


def test_a_venue_reached_by_an_event_of_two_audiences_counts_once(things):
    plan, (first, second) = things["plan"], things["audiences"]
    event = AwarenessEventFactory(
        initiative=things["initiatives"][0], date=datetime.date(2025, 3, 14)
    )
    AudienceCountFactory(event=event, audience=first, people=30, women=10)
    AudienceCountFactory(event=event, audience=second, people=5, women=2)
    AudienceCountFactory(
        event=AwarenessEventFactory(
            initiative=things["initiatives"][1],
            date=datetime.date(2025, 3, 20),
            venue_name=event.venue_name,
            commune=event.commune,
        ),
        audience=second,
        people=8,
        women=3,
    )

    # One row per audience and initiative, none of all audiences together.
    assert sorted(VenueMonth.objects.values_list("audience", "events")) == sorted(
        [(first.pk, 1), (second.pk, 1), (second.pk, 1)]
    )
    assert stats.venues_reached(stats.Scope(plan)) == 1
    assert stats.venues_reached(stats.Scope(plan, audience=first)) == 1
    assert stats.venues_reached(stats.Scope(plan, start=datetime.date(2025, 3, 15))) == 1
    assert stats.venues_reached(stats.Scope(plan, start=datetime.date(2025, 4, 1))) == 0


def test_check_figures_finds_a_drifted_month_and_repairs_it():
    event = AwarenessEventFactory(date=datetime.date(2025, 3, 14))
    AudienceCountFactory(event=event, people=30, women=10)
    AudienceCountFactory(
        event=AwarenessEventFactory(date=datetime.date(2025, 4, 2)), people=5, women=2
    )
    assert MonthlyFigures.objects.count() == 2
    assert PartnerMonthlyFigures.objects.exists()

    # The daily rows are right; a monthly row is not.
    MonthlyFigures.objects.filter(month=datetime.date(2025, 3, 1)).update(people=1)
    PartnerMonthlyFigures.objects.filter(month=datetime.date(2025, 4, 1)).delete()

    with pytest.raises(CommandError) as error:
        call_command("check_figures", stdout=io.StringIO())
    assert "01/03/2025, 01/04/2025" in str(error.value)

    call_command("check_figures", "--reparer", stdout=io.StringIO())
    assert store.days_that_differ() == []
    assert_months_are_their_days()
    march = MonthlyFigures.objects.get(month=datetime.date(2025, 3, 1))
    assert march.people == 30


def test_a_period_of_whole_months_reads_no_daily_row(things):
    plan = things["plan"]
    for day in (datetime.date(2025, 1, 31), datetime.date(2025, 2, 1), datetime.date(2025, 3, 1)):
        event = AwarenessEventFactory(date=day, initiative=things["initiatives"][0])
        AudienceCountFactory(event=event, audience=things["audiences"][0], people=10, women=4)
    february = stats.Scope(plan, start=datetime.date(2025, 2, 1), end=datetime.date(2025, 2, 28))

    with CaptureQueriesContext(connection) as whole:
        figures = stats.totals(february)
    with CaptureQueriesContext(connection) as cut:
        from_the_2nd = stats.totals(replace(february, start=datetime.date(2025, 2, 2)))

    assert (figures.events, figures.people, from_the_2nd.events) == (1, 10, 0)
    # A period up to the last date there is: no day after it to cut at.
    forever = replace(february, end=datetime.date.max)
    assert stats.totals(forever) == stats.totals(replace(forever, precomputed=False))
    assert "dailyfigures" not in whole[0]["sql"]
    # A month the period cuts is read from its days, the others from their months.
    assert "dailyfigures" in cut[0]["sql"] and "monthlyfigures" in cut[0]["sql"]


def test_a_failed_change_leaves_the_figures_as_they_were():
    event = AwarenessEventFactory()
    AudienceCountFactory(event=event, people=30, women=10)
    before = list(DailyFigures.objects.values_list("date", "people"))

    with pytest.raises(RuntimeError), transaction.atomic():
        event.date = datetime.date(2025, 6, 1)
        event.save()
        raise RuntimeError("the request failed after the save")

    assert list(DailyFigures.objects.values_list("date", "people")) == before
    assert store.days_that_differ() == []


def test_check_figures_finds_drift_and_repairs_it(django_capture_on_commit_callbacks):
    event = AwarenessEventFactory(date=datetime.date(2025, 3, 14))
    AudienceCountFactory(event=event, people=30, women=10)
    out = io.StringIO()
    call_command("check_figures", stdout=out)
    assert "Chiffres conformes" in out.getvalue()

    # What a bulk write that forgot to refresh the figures would leave.
    AudienceCount.objects.filter(event=event).update(people=45)
    Venue.objects.all().delete()

    with pytest.raises(CommandError) as error:
        call_command("check_figures", stdout=io.StringIO())
    assert "14/03/2025" in str(error.value)
    assert "1 lieu(x)" in str(error.value)
    assert "--reparer" in str(error.value)

    cache.set(VERSION_KEY, "pages-with-the-drifted-figures", None)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("check_figures", "--reparer", stdout=out)
    assert "Réparé" in out.getvalue()
    assert cache.get(VERSION_KEY) != "pages-with-the-drifted-figures"
    assert store.days_that_differ() == []
    assert DailyFigures.objects.get().people == 45


def test_an_event_of_several_audiences_counts_once_with_its_first_audience(things):
    plan, (low, high) = things["plan"], things["audiences"]
    event = AwarenessEventFactory(
        date=datetime.date(2025, 3, 14), initiative=things["initiatives"][0]
    )
    # Its lines written highest audience first: the first is the lowest id, not the first line.
    AudienceCountFactory(event=event, audience=high, people=20, women=5)
    first = AudienceCountFactory(event=event, audience=low, people=10, women=4)

    def rows():
        return sorted(DailyFigures.objects.values_list("audience", "events", "first_events"))

    assert rows() == [(low.pk, 1, 1), (high.pk, 1, 0)]
    assert sorted(MonthlyFigures.objects.values_list("audience", "first_events")) == [
        (low.pk, 1),
        (high.pk, 0),
    ]
    totals = stats.totals(stats.Scope(plan))
    assert (totals.events, totals.people, totals.women) == (1, 30, 9)
    assert [row.events for row in stats.by_audience(stats.Scope(plan))] == [1, 1]

    first.delete()

    assert rows() == [(high.pk, 1, 1)]
    assert stats.totals(stats.Scope(plan)).events == 1
    assert store.days_that_differ() == []


def _day_rebuilds_to_delete(event):
    """How many times deleting the event rebuilt a day's figures."""
    with CaptureQueriesContext(connection) as queries:
        event.delete()
    # Each rebuild inserts the day's figures, every audience's, at once.
    inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "indicators_dailyfigures"')]
    return len(inserts)


def test_deleting_an_event_rebuilds_its_day_once_however_many_lines_it_has():
    day = datetime.date(2025, 3, 14)
    small, big = AwarenessEventFactory(date=day), AwarenessEventFactory(date=day)
    AudienceCountFactory(event=small, people=10, women=5)
    for people in (10, 20, 30, 40):
        AudienceCountFactory(event=big, people=people, women=5)

    # Its lines go with it in one DELETE; only the event's own signal rebuilds the day.
    assert _day_rebuilds_to_delete(big) == 1
    assert store.days_that_differ() == []
    assert _day_rebuilds_to_delete(small) == 1
    assert not DailyFigures.objects.exists()


def test_deleting_events_in_bulk_keeps_the_figures_right():
    kept = AwarenessEventFactory(date=datetime.date(2025, 3, 14))
    AudienceCountFactory(event=kept, people=25, women=5)
    for day in (14, 15):
        event = AwarenessEventFactory(date=datetime.date(2025, 3, day))
        AudienceCountFactory.create_batch(2, event=event, people=10, women=5)

    AwarenessEvent.objects.exclude(pk=kept.pk).delete()

    assert store.days_that_differ() == []
    assert DailyFigures.objects.get().people == 25


@pytest.mark.parametrize(
    "model",
    [DailyFigures, PartnerDailyFigures, VenueMonth, MonthlyFigures, PartnerMonthlyFigures],
)
def test_the_database_refuses_a_stored_row_twice(model):
    # What two refreshes of a day at once left before the keys: its sums twice.
    AudienceCountFactory(event=AwarenessEventFactory(), people=10, women=5)
    row = model.objects.get(**model_role(model))
    row.pk = None

    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


def model_role(model):
    partners = (PartnerDailyFigures, PartnerMonthlyFigures)
    return {"role": EventRole.ORGANISED} if model in partners else {}


def test_deleting_events_from_the_admin_list_rebuilds_each_month_once(admin_client):
    # One rebuild (and one taking of the months' locks, in order) for the whole
    # selection, not one per event in the order they are deleted.
    events = [
        AwarenessEventFactory(date=datetime.date(2025, month, day))
        for month in (3, 1, 2)
        for day in (14, 15)
    ]
    for event in events:
        AudienceCountFactory(event=event, people=10, women=5)
    selected = [event.pk for event in events]

    with CaptureQueriesContext(connection) as queries:
        response = admin_client.post(
            reverse("admin:indicators_awarenessevent_changelist"),
            {"action": "delete_selected", "_selected_action": selected, "post": "yes"},
        )

    assert response.status_code == 302
    assert not AwarenessEvent.objects.exists()
    assert store.days_that_differ() == []
    rebuilds = [q for q in queries if q["sql"].startswith('DELETE FROM "indicators_venuemonth"')]
    assert len(rebuilds) == 1


def test_a_day_is_rebuilt_in_a_fixed_number_of_statements(django_assert_max_num_queries):
    day = datetime.date(2025, 3, 14)
    for _ in range(3):
        event = AwarenessEventFactory(date=day, co_organizers=PartnerFactory.create_batch(2))
        AudienceCountFactory.create_batch(2, event=event, people=10, women=5)
    assert DailyFigures.objects.filter(date=day).count() > 3

    # A savepoint, the month's lock (PostgreSQL), one DELETE per kind of figures (no
    # SELECT of the rows first: no signal listens to them), the new venues, then one
    # INSERT … SELECT per kind; then the month's roll-ups from the daily rows, one
    # DELETE and one INSERT … SELECT for each of the two monthly tables.
    with django_assert_max_num_queries(19 if connection.vendor == "postgresql" else 18):
        store.refresh_days({day})
    assert store.days_that_differ() == []

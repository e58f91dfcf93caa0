"""`seed_demo` fills the dashboard with plausible, reproducible validated events."""

import datetime
import multiprocessing
import os
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from indicators import credits, demo_writes
from indicators.enums import EventStatus
from indicators.figures import store
from indicators.models import (
    AudienceCount,
    AwarenessEvent,
    CreditedCoOrganizer,
    DailyFigures,
    EventCredit,
    Venue,
)
from initiatives.models import ActionPlan
from tests.indicators.factories import AwarenessEventFactory
from tests.initiatives.factories import ActionPlanFactory, AudienceFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db

END = "2025-06-30"
SIZES = {"filles": (15, 60), "entreprises": (5, 30), "prescripteurs": (5, 25)}


@pytest.fixture
def plan():
    call_command("load_plan", stdout=StringIO())
    return ActionPlan.objects.current()


def seed_demo(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot():
    return list(
        AudienceCount.objects.order_by("event_id", "audience__order").values_list(
            "event__date",
            "event__title",
            "event__initiative__slug",
            "event__organizer__slug",
            "audience__slug",
            "people",
            "women",
        )
    )


def test_creates_the_requested_validated_events_within_the_period(plan):
    output = seed_demo("--events", "300", "--end", END, "--days", "365")

    events = AwarenessEvent.objects.all()
    assert events.count() == events.validated().count() == 300
    first, last = datetime.date(2024, 7, 1), datetime.date(2025, 6, 30)
    assert events.in_period(first, last).count() == 300
    lines = AudienceCount.objects.count()
    assert output == (
        f"300 actions de sensibilisation validées créées ({lines} lignes de comptage), "
        "du 01/07/2024 au 30/06/2025.\n"
    )


def test_events_belong_to_the_plans_initiatives_partners_and_audiences(plan):
    seed_demo("--events", "300", "--end", END)

    events = AwarenessEvent.objects.select_related("initiative").prefetch_related(
        "counts__audience",
        "co_organizers",
        "initiative__lead_partners",
        "initiative__associated_partners",
        "initiative__audiences",
    )
    for event in events:
        initiative = event.initiative
        leads = set(initiative.lead_partners.all())
        partners = leads | set(initiative.associated_partners.all())
        assert initiative.plan_id == plan.pk
        assert event.organizer_id in {p.pk for p in leads}
        assert set(event.co_organizers.all()) <= partners - {event.organizer}
        assert 1 <= len(event.counts.all()) <= 2
        assert {c.audience for c in event.counts.all()} <= set(initiative.audiences.all())
    assert set(events.values_list("initiative__number", flat=True)) == {1, 2, 3, 4}


def test_count_lines_are_plausible(plan):
    seed_demo("--events", "1000", "--end", END)

    lines = list(AudienceCount.objects.select_related("audience"))
    for line in lines:
        low, high = SIZES[line.audience.slug]
        assert low <= line.people <= high
        assert line.women is None or 0 <= line.women <= line.people
        if line.women is not None and line.audience.slug == "filles":
            assert line.women >= 0.4 * line.people - 1
    unknown = sum(line.women is None for line in lines)
    assert 0.05 * len(lines) < unknown < 0.15 * len(lines)
    assert {line.audience.slug for line in lines} == set(SIZES)
    assert AwarenessEvent.objects.filter(co_organizers__isnull=False).exists()
    assert len(lines) > AwarenessEvent.objects.count()


def seeded(seed):
    """The events seed_demo makes with this seed, rolled back afterwards (deleting
    them one by one, signals and all, took longer than seeding)."""
    with transaction.atomic():
        seed_demo("--events", "200", "--seed", seed, "--end", END)
        events = snapshot()
        transaction.set_rollback(True)
    return events


def test_same_seed_and_end_give_the_same_events_another_seed_others(plan):
    first = seeded("7")

    assert seeded("7") == first
    assert seeded("8") != first


def test_period_ends_today_by_default(plan):
    seed_demo("--events", "50", "--days", "30")

    today = timezone.localdate()
    dates = AwarenessEvent.objects.values_list("date", flat=True)
    assert all(today - datetime.timedelta(days=29) <= date <= today for date in dates)


def test_only_seeds_the_current_plan(plan):
    older = ActionPlanFactory(start_date=datetime.date(2020, 1, 1))
    initiative = InitiativeFactory(plan=older)
    initiative.lead_partners.set([PartnerFactory()])
    initiative.audiences.set([AudienceFactory()])

    seed_demo("--events", "100", "--end", END)

    assert AwarenessEvent.objects.for_plan(plan).count() == 100


def test_seeds_an_initiative_staff_added_to_the_plan(plan):
    initiative = InitiativeFactory(plan=plan, number=5)
    initiative.lead_partners.set([PartnerFactory()])
    initiative.audiences.set([AudienceFactory(slug="demandeuses-emploi")])

    seed_demo("--events", "200", "--end", END)

    lines = AudienceCount.objects.filter(event__initiative=initiative)
    assert lines.exists()
    assert set(lines.values_list("audience__slug", flat=True)) == {"demandeuses-emploi"}


def test_if_empty_does_nothing_when_an_event_exists(plan):
    AwarenessEventFactory(status=EventStatus.DRAFT)

    output = seed_demo("--events", "50", "--if-empty")

    assert AwarenessEvent.objects.count() == 1
    assert output == (
        "Des actions de sensibilisation existent déjà : aucune action n'a été générée.\n"
    )


def test_if_empty_seeds_an_empty_database(plan):
    seed_demo("--events", "50", "--if-empty")

    assert AwarenessEvent.objects.count() == 50


def test_refuses_without_a_published_plan():
    ActionPlanFactory(draft=True)

    with pytest.raises(CommandError, match="Aucun plan d'action publié : lancez d'abord"):
        seed_demo("--events", "10")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--events", "0"), "--events doit être compris entre 1 et 10\u202f000\u202f000"),
        (("--events", "beaucoup"), "--events attend un nombre entier, pas « beaucoup »"),
        (("--events", "20000000"), "--events doit être compris entre 1 et 10\u202f000\u202f000"),
        (("--days", "0"), "--days doit être compris entre 1 et"),
        (("--end", "2025-02-30"), "--end attend une date valide au format AAAA-MM-JJ"),
        (("--end", "30/06/2025"), "--end attend une date valide au format AAAA-MM-JJ"),
        (("--end", "1999-12-31"), "--end doit tomber entre 2000 et 2100"),
        (
            ("--end", "2001-06-30", "--days", "730"),
            "La période commencerait le 02/07/1999, avant 2000 : réduisez --days",
        ),
    ],
)
def test_rejects_bad_arguments_in_french(plan, args, message):
    with pytest.raises(CommandError, match=message):
        seed_demo(*args)

    assert not AwarenessEvent.objects.exists()


def written():
    """Every row seed_demo wrote, in the order of the events' ids, without the ids."""
    CoOrganizer = AwarenessEvent.co_organizers.through
    events = AwarenessEvent.objects.order_by("pk")
    return (
        list(events.values_list(*(f.attname for f in AwarenessEvent._meta.concrete_fields[1:]))),
        list(
            AudienceCount.objects.order_by("event_id", "audience_id").values_list(
                "event__date", "event__title", "audience_id", "people", "women"
            )
        ),
        list(
            CoOrganizer.objects.order_by("awarenessevent_id", "partner_id").values_list(
                "awarenessevent__date", "awarenessevent__title", "partner_id"
            )
        ),
    )


def without_timestamps(rows):
    events, lines, co_organizers = rows
    fields = [f.attname for f in AwarenessEvent._meta.concrete_fields[1:]]
    stamped = [fields.index("created_at"), fields.index("updated_at")]
    events = [tuple(v for i, v in enumerate(row) if i not in stamped) for row in events]
    return events, lines, co_organizers


def foreign_keys():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' ORDER BY 1, 2"
        )
        return cursor.fetchall()


def indexes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes ORDER BY 1")
        return cursor.fetchall()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_copy_writes_what_bulk_create_writes_with_exact_figures(plan, monkeypatch):
    call_command("load_communes", departments=["59", "62"], stdout=StringIO())
    keys, indexed = foreign_keys(), indexes()
    with transaction.atomic():
        with monkeypatch.context() as patched:
            # The events only: what is compared (the figures are the next test's).
            patched.setattr(
                demo_writes,
                "copy",
                lambda draw, count, loaded, figures: demo_writes.create(
                    draw.batches(), count, loaded
                ),
            )
            seed_demo("--events", "300", "--seed", "5", "--end", END)
        created = without_timestamps(written())
        transaction.set_rollback(True)

    interval = sys.getswitchinterval()
    seed_demo("--events", "300", "--seed", "5", "--end", END)

    # The COPY thread's shorter switch interval does not outlive the command.
    assert sys.getswitchinterval() == interval
    copied = written()
    assert without_timestamps(copied) == created
    events, lines, co_organizers = copied
    assert len(events) == 300 and len(lines) > 300 and co_organizers
    assert not AwarenessEvent.objects.without_official_commune().exists()
    assert store.days_that_differ() == [] and store.venues_missing() == 0
    assert credits.rows_that_differ() == 0 and EventCredit.objects.count() >= 300
    # Set aside for the writing, the foreign keys and the indexes are all back.
    assert foreign_keys() == keys
    assert indexes() == indexed
    for event in AwarenessEvent.objects.order_by("pk")[:20]:
        event.full_clean()


def test_seeding_again_adds_events_and_keeps_the_figures_exact(plan):
    seed_demo("--events", "200", "--seed", "1", "--end", END)

    output = seed_demo("--events", "100", "--seed", "2", "--end", "2025-12-31", "--days", "30")

    assert output.startswith("100 actions de sensibilisation validées créées")
    assert AwarenessEvent.objects.count() == 300
    assert AwarenessEvent.objects.in_period(datetime.date(2025, 12, 2)).count() == 100
    assert store.days_that_differ() == [] and store.venues_missing() == 0
    assert credits.rows_that_differ() == 0 and EventCredit.objects.count() >= 300


def stored_rows():
    """Every stored figure and credit row, without the ids of their own."""
    tables = {
        model: [*store.key_columns(model), *store.FIGURE_FIELDS[model]]
        for model in store.CHECKED_KEYS
    }
    tables[Venue] = ["pk", "name", "commune"]
    tables[EventCredit] = ["event_id", "partner_id", "date", "organizer_id"]
    tables[CreditedCoOrganizer] = ["event_id", "partner_id", "co_organizer_id"]
    return {
        model.__name__: sorted(model.objects.values_list(*fields), key=repr)
        for model, fields in tables.items()
    }


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_figures_summed_while_drawing_are_those_the_store_sums_from_the_events(plan, monkeypatch):
    # A place already known, and one no event will take place at: both stay.
    Venue.objects.create(name="Arc France", commune="Arques")
    Venue.objects.create(name="Salle disparue", commune="Arques")
    with monkeypatch.context() as patched:
        # Into an empty database, nothing is summed from the events.
        patched.setattr(store, "rebuild_all", lambda: pytest.fail("rebuild_all called"))
        seed_demo("--events", "3000", "--seed", "3", "--end", END, "--days", "400")
    seeded = stored_rows()

    store.rebuild_all()
    credits.rebuild_all()

    assert stored_rows() == seeded
    # The venues written with the figures took ids the sequence now gives no more.
    assert Venue.objects.create(name="Salle nouvelle", commune="Arques").pk > max(
        pk for pk, *_ in seeded["Venue"]
    )
    assert CreditedCoOrganizer.objects.exists()
    assert len({month for month, *_ in seeded["MonthlyFigures"]}) > 12
    out = StringIO()
    call_command("check_figures", stdout=out)
    assert out.getvalue().startswith("Chiffres conformes")
    # The COPYs took their rows' ids many at a time: the tables give one at a time
    # again, and a row added now takes an id past theirs.
    assert identity_caches(demo_writes._FRESH) == {1}
    taken = max(AudienceCount.objects.values_list("pk", flat=True))
    line = AudienceCount.objects.create(
        event=AwarenessEvent.objects.first(), audience=AudienceFactory(), people=3, women=1
    )
    assert line.pk > taken


def identity_caches(models):
    """How many ids the identity of each model's table gives a connection at once."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.seqcache FROM unnest(%s::text[]) AS t(name) JOIN pg_sequence s "
            "ON s.seqrelid = pg_get_serial_sequence(t.name, 'id')::regclass",
            [[model._meta.db_table for model in models]],
        )
        return {cache for (cache,) in cursor.fetchall()}


def _fails(*args):
    raise ValueError("somme impossible")


def _dies(*args):
    os._exit(1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (_fails, "Le tirage des actions a échoué"),
        (_dies, "Le tirage des actions s'est arrêté sans finir"),
    ],
)
def test_a_fault_of_the_process_drawing_aside_writes_nothing(plan, monkeypatch, fault, message):
    # The process that draws half the months is forked: it takes the fault with it.
    monkeypatch.setattr(demo_writes, "_drawn_month", fault)

    # The process shared the connection without speaking on it: it still works.
    assert_seeding_stops_and_writes_nothing(RuntimeError, message)


def assert_seeding_stops_and_writes_nothing(error, message):
    """Seeding raises `error`, saying `message`: everything written is rolled back,
    the keys and indexes set aside are back, and no process is left behind."""
    keys, indexed = foreign_keys(), indexes()

    with pytest.raises(error, match=message):
        seed_demo("--events", "3000", "--seed", "3", "--end", END)

    assert not AwarenessEvent.objects.exists() and not EventCredit.objects.exists()
    assert not DailyFigures.objects.exists()
    assert foreign_keys() == keys and indexes() == indexed
    assert multiprocessing.active_children() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_a_fault_of_the_writing_stops_the_process_drawing_aside(plan, monkeypatch):
    def cut(self, texts):
        raise OSError("connexion perdue")

    monkeypatch.setattr(demo_writes._CopiedInBackground, "send", cut)

    assert_seeding_stops_and_writes_nothing(OSError, "connexion perdue")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_the_process_drawing_aside_waits_when_a_month_is_already_waiting(plan, monkeypatch):
    # One month at most waits to be written: the process waits, and the figures are
    # exact all the same.
    monkeypatch.setattr(demo_writes._DrawnAside, "AHEAD", 1)

    seed_demo("--events", "2000", "--seed", "6", "--end", END)

    assert AwarenessEvent.objects.count() == 2000
    assert store.days_that_differ() == [] and store.venues_missing() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_a_fault_while_months_wait_to_be_written_leaves_no_process_behind(plan, monkeypatch):
    monkeypatch.setattr(demo_writes._DrawnAside, "AHEAD", 1)
    add_month = demo_writes._DrawnAside.add_month

    def cut(self, index, texts):
        if index > 1:  # the process has months ready, and waits to send the next
            raise OSError("connexion perdue")
        return add_month(self, index, texts)

    monkeypatch.setattr(demo_writes._DrawnAside, "add_month", cut)

    assert_seeding_stops_and_writes_nothing(OSError, "connexion perdue")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_months_sent_before_the_process_ended_are_all_written(plan, monkeypatch):
    # The writing takes the months drawn aside in their turn: here, only once the
    # process has sent them all and ended.
    monkeypatch.setattr(demo_writes, "EVENTS_PER_COPY", 50)
    add_month = demo_writes._DrawnAside.add_month

    def late(self, index, texts):
        self._process.join(timeout=60)
        assert not self._process.is_alive()
        return add_month(self, index, texts)

    monkeypatch.setattr(demo_writes._DrawnAside, "add_month", late)

    seed_demo("--events", "300", "--seed", "4", "--end", END, "--days", "30")

    assert store.days_that_differ() == [] and store.venues_missing() == 0
    assert DailyFigures.objects.exists()

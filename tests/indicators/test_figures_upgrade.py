"""A database upgraded from before the stored figures (migrations indicators.0005
and 0010) gets them summed by the application once every migration is applied,
never by a migration running today's code against yesterday's tables."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from indicators.figures import stats, store
from indicators.models import AwarenessEvent, DailyFigures, MonthlyFigures, VenueMonth
from initiatives.models import ActionPlan

BEFORE_FIGURES = [("indicators", "0004_history_of_co_organizers")]
BEFORE_KEYS = [("indicators", "0009_text_refuses_control_characters")]


@pytest.fixture
def old_database():
    """Migrates the (empty) test database back to `state` and gives its models;
    back to the latest state afterwards, whatever the test did."""

    def at(state):
        MigrationExecutor(connection).migrate(state)
        return MigrationExecutor(connection).loader.project_state(state).apps

    yield at
    call_command("migrate", stdout=StringIO())


def events_of_the_first_wave(apps):
    """A plan with two validated events, as the first wave's tables held them."""
    model = lambda name: apps.get_model(*name.split("."))  # noqa: E731
    plan = model("initiatives.ActionPlan").objects.create(
        title="Plan",
        slug="plan",
        territory="Flandre",
        start_date=datetime.date(2025, 1, 1),
        is_published=True,
    )
    initiative = model("initiatives.Initiative").objects.create(
        plan=plan, number=1, title="Verr'Elles", slug="verrelles", summary="Réseau"
    )
    girls = model("initiatives.Audience").objects.create(
        name="Collégiennes et lycéennes", short_name="Filles", slug="filles"
    )
    firms = model("initiatives.Audience").objects.create(
        name="Entreprises", short_name="Entreprises", slug="entreprises", order=1
    )
    partner = model("partners.Partner").objects.create(
        name="Arc France", slug="arc-france", kind="entreprise"
    )
    for day, people in ((datetime.date(2025, 3, 14), 20), (datetime.date(2025, 4, 2), 12)):
        event = model("indicators.AwarenessEvent").objects.create(
            date=day,
            title="Visite",
            format="visite_entreprise",
            venue_name="Usine",
            commune="Arques",
            status="validee",
            initiative=initiative,
            organizer=partner,
        )
        counts = model("indicators.AudienceCount").objects
        counts.create(event=event, audience=girls, people=people, women=people // 2)
        counts.create(event=event, audience=firms, people=5, women=None)


def migrate_to_latest():
    out = StringIO()
    call_command("migrate", stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_figures_gets_them_summed_once_after_migrate(
    old_database, monkeypatch
):
    events_of_the_first_wave(old_database(BEFORE_FIGURES))
    # Up to an earlier state first: today's code, which does not know its tables
    # (0005 used to run it, and crash), waits.
    output = StringIO()
    call_command("migrate", "indicators", BEFORE_KEYS[0][1], stdout=output)
    assert "additionnés" not in output.getvalue()
    # What two concurrent saves could leave before 0010: the same day's row twice.
    old = MigrationExecutor(connection).loader.project_state(BEFORE_KEYS).apps
    event = old.get_model("indicators", "AwarenessEvent").objects.first()
    for _ in range(2):
        old.get_model("indicators", "DailyFigures").objects.create(
            date=event.date,
            initiative_id=event.initiative_id,
            format=event.format,
            status=event.status,
            audience=None,
            events=1,
            people=25,
            women=10,
            known=20,
        )

    output = migrate_to_latest()

    assert "Chiffres stockés (par jour, par mois, par lieu) additionnés" in output
    assert DailyFigures.objects.exists() and MonthlyFigures.objects.exists()
    assert VenueMonth.objects.exists()
    assert store.days_that_differ() == [] and store.venues_missing() == 0
    totals = stats.totals(stats.Scope(ActionPlan.objects.get()))
    assert (totals.events, totals.people) == (2, 42)
    assert AwarenessEvent.objects.count() == 2

    # Once summed, left alone: with nothing to apply, or after a migration back
    # and forth.
    monkeypatch.setattr(store, "rebuild_all", lambda: pytest.fail("rebuild_all called"))
    output = migrate_to_latest()
    MigrationExecutor(connection).migrate([("indicators", "0025_vacuum_event_credits")])
    output += migrate_to_latest()
    assert "additionnés" not in output

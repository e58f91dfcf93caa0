"""Migration indicators.0024 gives the credits of the events already there their
event's initiative, which a partner's account is narrowed on, and (PostgreSQL) the
statistics of the (partner, initiative) pairs."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from indicators import credits
from indicators.models import EventCredit
from tests.indicators.factories import AwarenessEventFactory
from tests.initiatives.factories import InitiativeFactory
from tests.partners.factories import PartnerFactory

BEFORE = [("indicators", "0023_figures_without_rows_of_all_audiences")]


@pytest.mark.django_db(transaction=True)
def test_the_credits_of_the_events_already_there_get_their_initiative():
    first, second = InitiativeFactory.create_batch(2)
    partner = PartnerFactory()
    events = [
        AwarenessEventFactory(initiative=first, organizer=partner),
        AwarenessEventFactory(initiative=second, co_organizers=[partner]),
    ]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()

    executor.migrate(BEFORE)
    old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    old_credits = old.get_model("indicators", "EventCredit").objects
    assert old_credits.filter(partner_id=partner.pk).count() == 2
    MigrationExecutor(connection).migrate(latest)

    assert {
        (credit.event_id, credit.initiative_id)
        for credit in EventCredit.objects.filter(partner=partner)
    } == {(events[0].pk, first.pk), (events[1].pk, second.pk)}
    assert credits.rows_that_differ() == 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT stxname FROM pg_statistic_ext "
                "WHERE stxrelid = 'indicators_eventcredit'::regclass"
            )
            assert cursor.fetchall() == [("credit_partner_initiative_stats",)]

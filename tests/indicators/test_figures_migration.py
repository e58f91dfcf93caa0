"""Migration indicators.0023 takes the stored figures' rows of all audiences away
and back without changing a figure: forwards each audience's row counts its
events' first lines, backwards the rows of all audiences are summed again."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from indicators.figures import stats, store
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import ActionPlanFactory, AudienceFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory

BEFORE = [("indicators", "0022_plausible_event_dates")]
TABLES = ("DailyFigures", "PartnerDailyFigures", "MonthlyFigures", "PartnerMonthlyFigures")


def stored(apps):
    rows = {}
    for name in TABLES:
        model = apps.get_model("indicators", name)
        fields = [field.attname for field in model._meta.concrete_fields if field.name != "id"]
        rows[name] = sorted(model.objects.values_list(*fields), key=repr)
    return rows


@pytest.mark.django_db(transaction=True)
def test_the_rows_of_all_audiences_go_and_come_back_with_the_same_figures():
    plan = ActionPlanFactory(start_date=datetime.date(2025, 1, 1))
    initiative = InitiativeFactory(plan=plan)
    low, high = AudienceFactory.create_batch(2)
    joint = AwarenessEventFactory(date=datetime.date(2025, 3, 14), initiative=initiative)
    joint.co_organizers.add(PartnerFactory())
    AudienceCountFactory(event=joint, audience=high, people=20, women=5)
    AudienceCountFactory(event=joint, audience=low, people=10, women=None)
    alone = AwarenessEventFactory(date=datetime.date(2025, 3, 14), initiative=initiative)
    alone.organizer = joint.organizer
    alone.save()
    AudienceCountFactory(event=alone, audience=high, people=7, women=7)
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    before = stored(executor.loader.project_state(latest).apps)
    totals = stats.totals(stats.Scope(plan))

    executor.migrate(BEFORE)
    old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    every = old.get_model("indicators", "DailyFigures").objects.get(audience__isnull=True)
    assert (every.events, every.people, every.women, every.known) == (2, 37, 12, 27)
    organised = old.get_model("indicators", "PartnerMonthlyFigures").objects.get(
        audience__isnull=True, partner_id=joint.organizer_id, role="organised"
    )
    assert (organised.events, organised.people) == (2, 37)

    executor = MigrationExecutor(connection)
    executor.migrate(latest)

    assert stored(executor.loader.project_state(latest).apps) == before
    assert stats.totals(stats.Scope(plan)) == totals
    assert totals.events == 2
    assert store.days_that_differ() == []

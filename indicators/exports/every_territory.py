"""The national network's exports of every territory at once: each dataset's rows,
territory by territory (in the order of their names), behind a « territoire » column.

Each territory's rows are those of its own export, from the same functions: the files
of one territory and of all hold the same rows. The counts are read for every
territory at once, grouped by territory; the events and the partners, territory by
territory. Read in one snapshot, as a territory's
events are (`chunks.snapshot`): its chunks then run inside it."""

from dataclasses import replace

from indicators.exports import chunks, datasets
from indicators.exports.pg_copy import Source, Text
from indicators.exports.writer import Column
from indicators.figures import stats, tables
from initiatives.models import ActionPlan

# A writer column (a function of the row) that COPY writes as text too.
TERRITORY = Column("territoire", Text("territory_name"))
EVERY_LABEL = "Tous les territoires"
# In the files' names: « actions-tous-territoires-2026.xlsx ».
FILE_PART = "tous-territoires"
EVENT_COLUMNS = (TERRITORY, *datasets.EVENT_COLUMNS)


def _in_snapshot(using, rows):
    with chunks.snapshot(using):
        yield from rows


def event_lines(scopes):
    """Each territory's `datasets.event_lines`, for `xlsx.check_rows`."""
    return [datasets.event_lines(scope.events(), scope.audience) for scope in scopes]


def event_rows(scopes, using):
    def rows():
        for scope in scopes:
            name = scope.plan.territory.name
            for row in datasets.event_rows_by_chunks(scope.events(), scope.audience):
                row["territory_name"] = name
                yield row

    return _in_snapshot(using, rows())


def event_copy_sources(scopes, using):
    def sources():
        for scope in scopes:
            for source in datasets.event_copy_sources(scope.events(), scope.audience):
                yield Source(
                    f"SELECT %s AS territory_name, territory_events.* FROM ({source.sql}) "
                    "AS territory_events",
                    (scope.plan.territory.name, *source.params),
                    order=source.order,
                )

    return _in_snapshot(using, sources())


class InTerritory:
    """A row of a territory's dataset, with its territory's name."""

    def __init__(self, row, territory_name):
        self._row = row
        self.territory_name = territory_name

    def __getattr__(self, name):
        return getattr(self._row, name)


def _territory(row):
    return row.territory_name


def counts_columns(by_initiative, by_audience):
    return [Column("territoire", _territory), *datasets.counts_columns(by_initiative, by_audience)]


def counts_rows(chosen_filters, plans, period, by_initiative, by_audience):
    """Each territory's rows and total, then the total of every territory: the rows
    of each territory's own export, read for all at once (three queries, however
    many territories)."""
    scope = _every_plan(chosen_filters, plans)
    rows = {}
    for row in tables.counts_table(scope, period, by_initiative, by_audience, by_territory=True):
        rows.setdefault(row.territory, []).append(row)
    totals = stats.totals_by_territory(scope)
    for plan in plans:
        territory_rows = rows.get(plan.territory_id, ())
        territory_total = totals.get(plan.territory_id, stats.Totals())
        for row in datasets.labelled(territory_rows, period, territory_total):
            yield InTerritory(row, plan.territory.name)
    overall = stats.Totals.added(totals.values())
    yield InTerritory(datasets.TotalRow(overall), EVERY_LABEL)


PARTNER_COLUMNS = [Column("territoire", _territory), *datasets.PARTNER_COLUMNS]


def partner_rows(scopes):
    for scope in scopes:
        name = scope.plan.territory.name
        for row in tables.partners_by_year(scope, public=False):
            yield InTerritory(row, name)


def scopes(chosen_filters, plans):
    """The export's filters applied to each territory's plan. The initiative is one
    plan's: with every territory, none is chosen."""
    return [replace(chosen_filters, initiative=None).scope(plan) for plan in plans]


def _every_plan(chosen_filters, plans):
    """The export's filters applied to all these plans at once."""
    every = ActionPlan.objects.filter(pk__in=[plan.pk for plan in plans])
    return replace(chosen_filters, initiative=None).scope(every)

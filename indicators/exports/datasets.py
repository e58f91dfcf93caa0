"""The datasets managers export and the open data: their columns and rows.

Rows come from `indicators.stats` (the same sums as the dashboard) or, for the
event list, from two streamed queries merged in order, so the number of queries
never grows with the number of rows; on PostgreSQL, the event list is one COPY
(`indicators.exports.pg_copy`)."""

from itertools import groupby
from operator import itemgetter

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import F

from indicators import sheet
from indicators.exports.pg_copy import Source
from indicators.exports.writer import Column
from indicators.figures import stats, tables
from indicators.models import AwarenessEvent

ROWS_PER_FETCH = 2000

PERIOD_LABELS = {"mois": "par-mois", "trimestre": "par-trimestre", "annee": "par-annee"}


def women_percent(figures):
    """The share of women as a percentage with one decimal, or None if unknown."""
    share = figures.women_share
    return None if share is None else round(100 * share, 1)


# The sheet the import reads: an exported file, edited, imports back.
EVENT_COLUMNS = sheet.EXPORT_COLUMNS
# The rows' order; the audience's name settles two audiences of the same rank.
EVENT_ORDER = ("date", "id", "audience_order", "audience_name")


def event_lines(events, audience=None):
    """One row per event and count line (an event without lines gets one row); with
    an audience, only that audience's lines (and events that have one, as
    `Scope.events()` gives them). Unordered: sort by EVENT_ORDER. The names are
    those of EVENT_COLUMNS, and of the columns of its SQL."""
    # A plain filter, whose join the values below reuse: a FilteredRelation would
    # be joined after the audience table that refers to it (invalid SQL).
    if audience is not None:
        events = events.filter(counts__audience=audience)
    return events.order_by().values(
        "id",
        "date",
        "title",
        "format",
        "venue_name",
        "commune",
        "status",
        "updated_at",
        initiative_title=F("initiative__title"),
        organizer_name=F("organizer__name"),
        updated_by_name=F("updated_by__username"),
        commune_code=F("official_commune"),
        audience_name=F("counts__audience__name"),
        audience_order=F("counts__audience__order"),
        people=F("counts__people"),
        women=F("counts__women"),
    )


def event_rows(events, audience=None):
    """The rows of `event_lines` in order, each with its co-organisers' names, from
    two streamed queries."""
    rows = event_lines(events, audience).order_by(*EVENT_ORDER).iterator(chunk_size=ROWS_PER_FETCH)
    if audience is not None:  # the events of the rows, whose names are read in step
        events = events.filter(counts__audience=audience)
    co_organizers = (
        AwarenessEvent.co_organizers.through.objects.filter(awarenessevent__in=events)
        .order_by("awarenessevent__date", "awarenessevent", "partner__name")
        .values_list("awarenessevent", "partner__name")
        .iterator(chunk_size=ROWS_PER_FETCH)
    )
    names = _NamesByEvent(co_organizers)
    for row in rows:
        row["co_organizers"] = sheet.CO_ORGANIZER_SEPARATOR.join(names.of(row["id"]))
        yield row


def event_copy_source(events, audience=None):
    """The same rows for PostgreSQL's COPY: `event_lines` and each event's
    co-organisers, aggregated once and joined (a subquery per row would cost a
    lookup per row)."""
    names = (
        AwarenessEvent.co_organizers.through.objects.filter(awarenessevent__in=events)
        .order_by()
        .values(event=F("awarenessevent"))
        .annotate(
            names=StringAgg("partner__name", sheet.CO_ORGANIZER_SEPARATOR, order_by="partner__name")
        )
    )
    lines_sql, lines_params = _compiled(event_lines(events, audience))
    names_sql, names_params = _compiled(names)
    return Source(
        f"SELECT event_lines.*, co.names AS co_organizers FROM ({lines_sql}) "
        f"AS event_lines LEFT JOIN ({names_sql}) AS co ON co.event = event_lines.id",
        (*lines_params, *names_params),
        order=EVENT_ORDER,
    )


def _compiled(queryset):
    return queryset.query.get_compiler(using=queryset.db).as_sql()


class _NamesByEvent:
    """Each event's co-organiser names, read from a stream of (event, name) pairs
    in the same event order as the rows: nothing is held but the next event's."""

    def __init__(self, pairs):
        self._groups = groupby(pairs, key=itemgetter(0))
        self._pending = next(self._groups, None)
        self._last = (None, [])

    def of(self, pk):
        if self._last[0] == pk:
            return self._last[1]
        names = []
        if self._pending is not None and self._pending[0] == pk:
            names = [name for _, name in self._pending[1]]
            self._pending = next(self._groups, None)
        self._last = (pk, names)
        return names


def counts_columns(by_initiative, by_audience):
    columns = [
        Column("période", lambda r: r.label),
        Column("début de la période", lambda r: r.period),
    ]
    if by_initiative:
        columns.append(Column("initiative", lambda r: r.initiative[2] if r.initiative else ""))
    if by_audience:
        columns.append(Column("public cible", lambda r: r.audience[1] if r.audience else ""))
    return [
        *columns,
        Column("actions", lambda r: r.events),
        Column("personnes sensibilisées", lambda r: r.people),
        Column("dont femmes ou filles", lambda r: r.women),
        Column("personnes dont le sexe est connu", lambda r: r.people_with_known_women),
        Column("part des femmes (%)", women_percent),
        Column("objectif de personnes", lambda r: r.target.people if r.target else None),
        Column("avancement (%)", lambda r: round(100 * r.progress, 1) if r.target else None),
    ]


def period_label(period, start):
    if period == "mois":
        return f"{start:%Y-%m}"
    if period == "trimestre":
        return f"{start.year}-T{(start.month - 1) // 3 + 1}"
    return str(start.year)


class LabelledRow:
    """A stats row with its period's label, or the total row."""

    def __init__(self, row, label):
        self._row = row
        self.label = label

    def __getattr__(self, name):
        return getattr(self._row, name)


class TotalRow:
    label = "Total"
    period = None
    initiative = None
    audience = None
    target = None
    progress = None

    def __init__(self, totals):
        self.events = totals.events
        self.people = totals.people
        self.women = totals.women
        self.people_with_known_women = totals.people_with_known_women
        self.women_share = totals.women_share


def counts_rows(scope, period, by_initiative, by_audience):
    for row in tables.counts_table(scope, period, by_initiative, by_audience):
        yield LabelledRow(row, period_label(period, row.period))
    yield TotalRow(stats.totals(scope))


PARTNER_COLUMNS = [
    Column("année", lambda r: r.year),
    Column("partenaire", lambda r: r.partner),
    Column("actions organisées", lambda r: r.organised),
    Column("actions co-organisées", lambda r: r.co_organised),
    Column("personnes sensibilisées", lambda r: r.people),
    Column("dont femmes ou filles", lambda r: r.women),
    Column("part des femmes (%)", women_percent),
]

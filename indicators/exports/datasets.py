"""The datasets managers export and the open data: their columns and rows.

Rows come from `indicators.stats` (the same sums as the dashboard) or, for the
event list, a chunk of events at a time (`indicators.exports.chunks`), each chunk
two streamed queries merged in order, or on PostgreSQL one COPY
(`indicators.exports.pg_copy`)."""

from itertools import groupby
from operator import itemgetter

from django.db import connections
from django.db.models import F

from feminisation import formatting
from indicators import sheet
from indicators.exports import chunks
from indicators.exports.pg_copy import Source
from indicators.exports.writer import Column
from indicators.figures import stats, tables
from indicators.models import AudienceCount, AwarenessEvent
from initiatives.models import Audience

ROWS_PER_FETCH = 2000

PERIOD_LABELS = {"mois": "par-mois", "trimestre": "par-trimestre", "annee": "par-annee"}


def women_percent(figures):
    """The share of women as a percentage with one decimal, or None if unknown."""
    return formatting.share_percent(figures.women_share)


# The sheet the import reads: an exported file, edited, imports back.
EVENT_COLUMNS = sheet.EXPORT_COLUMNS
# The rows' order; the audience's name settles two audiences of the same rank.
EVENT_ORDER = ("date", "id", "audience_order", "audience_name")


# Each event's own columns, then those of its count line.
EVENT_FIELDS = ("id", "date", "title", "format", "venue_name", "commune", "status", "updated_at")
EVENT_REFERENCES = {
    "initiative_title": F("initiative__title"),
    "organizer_name": F("organizer__name"),
    "updated_by_name": F("updated_by__username"),
    "commune_code": F("official_commune"),
}


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
        *EVENT_FIELDS,
        **EVENT_REFERENCES,
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


def event_rows_by_chunks(events, audience=None):
    """The rows of `event_rows`, in the same order, a chunk of events at a time: the
    first ones without waiting for the others to be sorted."""
    with chunks.iterating(chunks.chunks(events)) as parts:
        for part in parts:
            yield from event_rows(part, audience)


def event_copy_sources(events, audience=None):
    """The `event_copy_source` of each chunk of events, in order."""
    with chunks.iterating(chunks.chunks(events)) as parts:
        for part in parts:
            yield event_copy_source(part, audience)


def event_copy_source(events, audience=None):
    """The rows of `event_rows` for PostgreSQL's COPY. Each event's co-organisers and
    lines are read by its id, an index lookup each (`_by_event`): a chunk of events
    costs the time of its own rows. (The planner would rather hash every line and
    every co-organiser for a join: a scan of both tables for each chunk.)"""
    event_sql, event_params = _compiled(events.order_by().values(*EVENT_FIELDS, **EVENT_REFERENCES))
    names_sql, lines_sql, lines_params = _by_event(events.db, audience)
    # With an audience, only the events that have its line.
    join = "LEFT JOIN" if audience is None else "JOIN"
    return Source(
        f"SELECT event.*, co.names AS co_organizers, line.* FROM ({event_sql}) AS event "
        f"LEFT JOIN LATERAL ({names_sql}) AS co ON true "
        f"{join} LATERAL ({lines_sql}) AS line ON true",
        (*event_params, *lines_params),
        order=EVENT_ORDER,
    )


def _by_event(using, audience):
    """The SQL of the co-organisers' names of the row `event`, sorted, and of its
    count lines (with an audience, its line only) as `event_lines` names their
    columns; the latter's parameters. Each is a lateral subquery, read for each event
    through an index on the event; OFFSET 0 keeps the lines' apart, where the planner
    would merge them into a join that it may hash."""
    quote_name = connections[using].ops.quote_name
    links = AwarenessEvent.co_organizers.through._meta
    partners = AwarenessEvent.co_organizers.field.related_model._meta
    lines, audiences = AudienceCount._meta, Audience._meta

    def column(meta, name):
        return quote_name(meta.get_field(name).column)

    separator = sheet.CO_ORGANIZER_SEPARATOR.replace("'", "''")
    names = (
        f"SELECT string_agg(partner.{column(partners, 'name')}, '{separator}' "
        f"ORDER BY partner.{column(partners, 'name')}) AS names "
        f"FROM {quote_name(links.db_table)} AS link JOIN {quote_name(partners.db_table)} "
        f"AS partner ON partner.{column(partners, 'id')} = link.{column(links, 'partner')} "
        f"WHERE link.{column(links, 'awarenessevent')} = event.id"
    )
    sql = (
        f"SELECT audience.{column(audiences, 'name')} AS audience_name, "
        f"audience.{column(audiences, 'order')} AS audience_order, "
        f"line.{column(lines, 'people')} AS people, line.{column(lines, 'women')} AS women "
        f"FROM {quote_name(lines.db_table)} AS line JOIN {quote_name(audiences.db_table)} "
        f"AS audience ON audience.{column(audiences, 'id')} = line.{column(lines, 'audience')} "
        f"WHERE line.{column(lines, 'event')} = event.id"
    )
    params = []
    if audience is not None:
        sql += f" AND line.{column(lines, 'audience')} = %s"
        params.append(audience.pk)
    return names, f"{sql} OFFSET 0", params


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
        # Empty where nobody's sex is known: unknown is not zero.
        Column("dont femmes ou filles", lambda r: r.known_women),
        Column("personnes dont le sexe est connu", lambda r: r.people_with_known_women),
        Column("part des femmes (%)", women_percent),
        Column("objectif de personnes", lambda r: r.target.people if r.target else None),
        Column(
            "avancement (%)",
            lambda r: (
                formatting.progress_percent(r.people, r.target.people)
                if r.progress is not None
                else None
            ),
        ),
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
        self.known_women = totals.known_women
        self.people_with_known_women = totals.people_with_known_women
        self.women_share = totals.women_share


def counts_rows(scope, period, by_initiative, by_audience):
    yield from labelled(
        tables.counts_table(scope, period, by_initiative, by_audience), period, stats.totals(scope)
    )


def labelled(table, period, totals):
    """The rows of a counts table with their periods' labels, then its total row."""
    for row in table:
        yield LabelledRow(row, period_label(period, row.period))
    yield TotalRow(totals)


PARTNER_COLUMNS = [
    Column("année", lambda r: r.year),
    Column("partenaire", lambda r: r.partner),
    Column("actions organisées", lambda r: r.organised),
    Column("actions co-organisées", lambda r: r.co_organised),
    Column("personnes sensibilisées", lambda r: r.people),
    Column("dont femmes ou filles", lambda r: r.known_women),
    Column("part des femmes (%)", women_percent),
]

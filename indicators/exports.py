"""The datasets managers export and the open data: their columns and rows.

Rows come from `indicators.stats` (the same sums as the dashboard) or, for the
event list, from two streamed queries merged in order, so the number of queries
never grows with the number of rows."""

from itertools import groupby
from operator import itemgetter

from django.db.models import FilteredRelation, Q

from indicators import stats
from indicators.csv_export import Column
from indicators.enums import EventFormat, EventStatus
from indicators.models import AwarenessEvent

CHUNK = 2000

PERIOD_LABELS = {"mois": "par-mois", "trimestre": "par-trimestre", "annee": "par-annee"}

EVENT_FIELDS = (
    "pk",
    "date",
    "initiative__title",
    "title",
    "format",
    "venue_name",
    "commune",
    "organizer__name",
    "status",
    "updated_at",
    "updated_by__username",
)


def women_percent(figures):
    """The share of women as a percentage with one decimal, or None if unknown."""
    share = figures.women_share
    return None if share is None else round(100 * share, 1)


EVENT_COLUMNS = [
    Column("date", lambda r: r["date"]),
    Column("initiative", lambda r: r["initiative__title"]),
    Column("intitulé", lambda r: r["title"]),
    Column("format", lambda r: EventFormat(r["format"]).label),
    Column("lieu", lambda r: r["venue_name"]),
    Column("commune", lambda r: r["commune"]),
    Column("organisateur", lambda r: r["organizer__name"]),
    Column("co-organisateurs", lambda r: " ; ".join(r["co_organizers"])),
    Column("public cible", lambda r: r["audience"]),
    Column("personnes sensibilisées", lambda r: r["people"]),
    Column("dont femmes ou filles", lambda r: r["women"]),
    Column("statut", lambda r: EventStatus(r["status"]).label),
    Column("modifiée le", lambda r: r["updated_at"]),
    Column("modifiée par", lambda r: r["updated_by__username"]),
]


def event_rows(events, audience=None):
    """One row per event and count line (an event without lines gets one row), in
    date order; with an audience, only that audience's lines."""
    if audience is not None:
        events = events.annotate(
            line=FilteredRelation("counts", condition=Q(counts__audience=audience))
        )
        line = "line"
    else:
        line = "counts"
    rows = (
        events.order_by("date", "pk", f"{line}__audience__order")
        .values(*EVENT_FIELDS, f"{line}__audience__name", f"{line}__people", f"{line}__women")
        .iterator(chunk_size=CHUNK)
    )
    co_organizers = (
        AwarenessEvent.co_organizers.through.objects.filter(awarenessevent__in=events)
        .order_by("awarenessevent__date", "awarenessevent", "partner__name")
        .values_list("awarenessevent", "partner__name")
        .iterator(chunk_size=CHUNK)
    )
    names = _NamesByEvent(co_organizers)
    for row in rows:
        yield {
            **row,
            "co_organizers": names.of(row["pk"]),
            "audience": row[f"{line}__audience__name"],
            "people": row[f"{line}__people"],
            "women": row[f"{line}__women"],
        }


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
    for row in stats.counts_table(scope, period, by_initiative, by_audience):
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

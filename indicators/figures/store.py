"""The pre-aggregated figures (`DailyFigures`, `PartnerDailyFigures`, `Venue`).

A change to an event, to its count lines or to its co-organisers refreshes the
days it touches: their rows are deleted and summed again from the events, inside
the transaction that makes the change, so the figures cannot drift from the
events. Signals do it for `.save()`, `.delete()` and the co-organisers' `add`,
`remove` and `clear`; bulk writes, which send no signal (seed_demo, the import),
call `refresh_days` themselves. `collecting()` gathers a batch's days and refreshes
each once at its end.

Two transactions may refresh the same day at once (two staff saving two events of
that day). Under READ COMMITTED the second one's DELETE would not see the rows the
first one inserted and its INSERT would add the day's sums a second time; the
unique keys of the models turn that into an error, and a lock per month makes the
second transaction wait: on PostgreSQL each refresh first takes the transaction-level
advisory locks of the months it touches (a month, because `VenueMonth` rows are
monthly), in ascending order so that two refreshes cannot deadlock, and keeps them
until its commit; its statements then see the first one's rows. SQLite lets one
transaction write at a time."""

import datetime
import threading
from collections import Counter
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.constants import OnConflict
from django.db.models.functions import Coalesce, TruncMonth

from indicators.enums import EventRole
from indicators.models import (
    AudienceCount,
    AwarenessEvent,
    DailyFigures,
    PartnerDailyFigures,
    Venue,
    VenueMonth,
)

DAYS_PER_STATEMENT = 500
ONE_DAY = datetime.timedelta(days=1)

SUMS = {
    "people": Sum("people"),
    "women": Coalesce(Sum("women"), 0),
    "known": Coalesce(Sum("people", filter=Q(women__isnull=False)), 0),
}


def _lines(days):
    """The count lines of these days: a list of dates, a (first, last) range, or None
    for all."""
    lines = AudienceCount.objects.order_by()
    if isinstance(days, tuple):
        return lines.filter(event__date__range=days)
    return lines if days is None else lines.filter(event__date__in=days)


def _summed(lines, per_audience, **keys):
    """The lines summed per the event's date, initiative and status, the given keys
    and, with per_audience, the audience."""
    keys = {
        "date": F("event__date"),
        "initiative": F("event__initiative"),
        "status": F("event__status"),
        **keys,
    }
    if per_audience:
        keys["audience"] = F("audience")
    return lines.values(**_prefixed(keys)).annotate(
        d_events=Count("event", distinct=True), **_prefixed(SUMS)
    )


def _daily_rows(days, per_audience):
    return _summed(_lines(days), per_audience, format=F("event__format"))


def _partner_rows(days, role, per_audience):
    partner = "event__organizer" if role == EventRole.ORGANISED else "event__co_organizers"
    lines = _lines(days).filter(**{f"{partner}__isnull": False})
    return _summed(lines, per_audience, partner=F(partner), role=Value(role.value))


def _lines_in_months(months):
    """The count lines of the events of these months (first days), or of all if None."""
    lines = AudienceCount.objects.order_by()
    if months is None:
        return lines
    dates = Q()
    for month in months:
        dates |= Q(event__date__range=(month, month_end(month)))
    return lines.filter(dates)


def _venue_rows(months, per_audience):
    venue = Venue.objects.filter(
        name=OuterRef("event__venue_name"), commune=OuterRef("event__commune")
    ).values("pk")[:1]
    keys = {
        "month": TruncMonth("event__date"),
        "venue": Subquery(venue),
        "initiative": F("event__initiative"),
        "status": F("event__status"),
    }
    if per_audience:
        keys["audience"] = F("audience")
    return (
        _lines_in_months(months)
        .values(**_prefixed(keys))
        .annotate(d_events=Count("event", distinct=True))
    )


def month_end(month):
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - ONE_DAY


def _new_venues(days):
    events = AwarenessEvent.objects.all()
    if days is not None:
        events = events.filter(date__in=days)
    known = Venue.objects.filter(name=OuterRef("venue_name"), commune=OuterRef("commune"))
    counted = Exists(AudienceCount.objects.filter(event=OuterRef("pk")))
    return (
        events.filter(counted, ~Exists(known))
        .values(d_name=F("venue_name"), d_commune=F("commune"))
        .distinct()
        .order_by()
    )


def _prefixed(mapping):
    # The annotations cannot take the names of the lines' own fields (people…).
    return {f"d_{name}": value for name, value in mapping.items()}


def _insert_from(model, queryset, ignore_conflicts=False):
    """INSERT INTO model's table the rows the queryset selects, in one statement:
    the rows never travel through Python. With ignore_conflicts, a row whose key is
    already there (or being inserted by another transaction) is skipped."""
    compiler = queryset.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    aliases = [alias for _, _, alias in compiler.select]
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(model._meta.get_field(alias.removeprefix("d_")).column) for alias in aliases
    )
    suffix = ""
    if ignore_conflicts:
        suffix = " " + connection.ops.on_conflict_suffix_sql(
            [], OnConflict.IGNORE, update_fields=None, unique_fields=None
        )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) {sql}{suffix}", params
        )


# pg_locks shows a month's lock as classid = this number, objid = the month (YYYYMM).
MONTH_LOCKS = 1_310_001


def _lock_months(months):
    """Waits for the other transactions refreshing these months to end, and holds
    the months until this one ends (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return
    keys = sorted({month.year * 100 + month.month for month in months})
    with connection.cursor() as cursor:
        # unnest returns the keys in the array's (ascending) order.
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s::integer, month) FROM unnest(%s::integer[]) AS month",
            [MONTH_LOCKS, keys],
        )


def _lock_everything():
    """Waits for every refresh in progress and holds off new ones until this
    transaction ends (PostgreSQL only): a rebuild of every day takes no month locks."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(
        connection.ops.quote_name(model._meta.db_table)
        for model in (DailyFigures, PartnerDailyFigures, VenueMonth)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")


def _rebuild(days):
    """Sums again the rows of these days (None: of all days), and the venues of
    their months, holding their months' locks (or the tables', for all days)."""
    months = None if days is None else sorted({day.replace(day=1) for day in days})
    if months is None:
        _lock_everything()
    else:
        _lock_months(months)
    # Either audience: a condition that lets PostgreSQL find the rows through the
    # two partial unique keys (their indexes), not by reading the whole table.
    either = Q(audience__isnull=True) | Q(audience__isnull=False)
    for model in (DailyFigures, PartnerDailyFigures):
        rows = model.objects.all()
        if days is not None:
            rows = rows.filter(either, date__in=days)
        rows.delete()
    venues = VenueMonth.objects.all()
    if months is not None:
        venues = venues.filter(either, month__in=months)
    venues.delete()
    # Another transaction may be adding the same new venue for another month.
    _insert_from(Venue, _new_venues(days), ignore_conflicts=True)
    for per_audience in (False, True):
        _insert_from(DailyFigures, _daily_rows(days, per_audience))
        for role in EventRole:
            _insert_from(PartnerDailyFigures, _partner_rows(days, role, per_audience))
        _insert_from(VenueMonth, _venue_rows(months, per_audience))


def refresh_days(days):
    """Rebuilds the figures of these days, in the caller's transaction if any. A
    transaction that refreshes several times takes its months' locks in several goes,
    and two such transactions can deadlock (PostgreSQL then cancels one): batches of
    writes refresh once, within `collecting()`."""
    days = sorted({day for day in days if day is not None})
    if not days:
        return
    if _collected.stack:
        _collected.stack[-1].update(days)
        return
    with transaction.atomic():
        for start in range(0, len(days), DAYS_PER_STATEMENT):
            _rebuild(days[start : start + DAYS_PER_STATEMENT])


def rebuild_all():
    """Rebuilds every day's figures (after a restore from an old dump, or to repair
    what `check_figures` found)."""
    with transaction.atomic():
        _rebuild(None)


# Checking them.

KEYS = {
    DailyFigures: ("date", "initiative", "format", "status", "audience"),
    PartnerDailyFigures: ("date", "partner", "role", "initiative", "status", "audience"),
    VenueMonth: ("month", "venue", "initiative", "status", "audience"),
}
SUMMED = ("events", "people", "women", "known")
FIGURE_FIELDS = {DailyFigures: SUMMED, PartnerDailyFigures: SUMMED, VenueMonth: ("events",)}


def _expected(model, year):
    period = (datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    if model is DailyFigures:
        querysets = [_daily_rows(period, per_audience) for per_audience in (False, True)]
    elif model is PartnerDailyFigures:
        querysets = [
            _partner_rows(period, role, per_audience)
            for role in EventRole
            for per_audience in (False, True)
        ]
    else:
        months = [datetime.date(year, month, 1) for month in range(1, 13)]
        querysets = [_venue_rows(months, per_audience) for per_audience in (False, True)]
    names = [f"d_{name}" for name in (*KEYS[model], *FIGURE_FIELDS[model])]
    return Counter(
        # The rows of all audiences together have no audience.
        tuple(row.get(name) for name in names)
        for queryset in querysets
        for row in queryset
    )


def _stored(model, year):
    fields = [
        f"{name}_id" if name in ("initiative", "audience", "partner", "venue") else name
        for name in KEYS[model]
    ]
    rows = model.objects.filter(**{f"{KEYS[model][0]}__year": year})
    return Counter(rows.values_list(*fields, *FIGURE_FIELDS[model]))


def days_that_differ():
    """The days whose stored figures differ from their events' sums, checked a year
    at a time so that memory stays small: [] when all agree."""
    with _one_snapshot():
        return _days_that_differ()


@contextmanager
def _one_snapshot():
    """Reads that all see the database as it was at the first one (PostgreSQL's
    REPEATABLE READ, unless a transaction is already open): otherwise a write
    committed between reading a year's sums and its stored rows would look like drift."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def _days_that_differ():
    dates = AwarenessEvent.objects.aggregate(first=Min("date"), last=Max("date"))
    stored = DailyFigures.objects.aggregate(first=Min("date"), last=Max("date"))
    years = {value.year for value in (*dates.values(), *stored.values()) if value is not None}
    if not years:
        return []
    differ = set()
    for year in range(min(years), max(years) + 1):
        for model in KEYS:
            expected, stored_rows = _expected(model, year), _stored(model, year)
            # A month of venues differing names its first day, which rebuilds it.
            differ.update(row[0] for row in (expected - stored_rows) + (stored_rows - expected))
    return sorted(differ)


def add_missing_venues():
    _insert_from(Venue, _new_venues(None), ignore_conflicts=True)


def venues_missing():
    """How many places of events are missing from the venues (then not counted)."""
    return _new_venues(None).count()


class _Collected(threading.local):
    def __init__(self):
        self.stack = []


_collected = _Collected()


@contextmanager
def collecting():
    """Within it, changes note the days they touch; at its end, inside the same
    transaction, each day is rebuilt once."""
    with transaction.atomic():
        days = set()
        _collected.stack.append(days)
        try:
            yield days
        finally:
            _collected.stack.pop()
        refresh_days(days)

"""The pre-aggregated figures (`DailyFigures`, `PartnerDailyFigures`, `Venue`).

A change to an event, to its count lines or to its co-organisers refreshes the
stored rows it touches: they are deleted and summed again from the events, inside
the transaction that makes the change, so the figures cannot drift from the
events. Signals do it for `.save()`, `.delete()` and the co-organisers' `add`,
`remove` and `clear`, with `refresh_events`: only the rows of the event's key
(`EventKey`) before and after the change, a few events' sums, where its whole day
and its venues' whole month would sum thousands at a million events. Bulk writes,
which send no signal (seed_demo, the import), call `refresh_days` themselves.
`collecting()` gathers a batch's days and keys and refreshes each once at its end.

A refresh is exact whatever rows it chooses, as long as it deletes and sums again
the same ones: each stored row is the sum of the lines of the events that share its
key, and every change notes the key its event had before and has after.

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
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.constants import OnConflict

# Row comparisons, (a, b) IN ((1, 2), …): Django's own, for composite primary keys.
from django.db.models.fields.tuple_lookups import Tuple, TupleIn
from django.db.models.functions import Coalesce, TruncMonth

from indicators.enums import EventRole
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
from indicators.models.figures import SUMMED

DAYS_PER_STATEMENT = 500
# Keys a statement compares with (SQLite writes each as an AND of five or six terms
# in an OR: a hundred stay far under its limits on an expression's depth). On
# PostgreSQL, « Valider » on a page of 100 events (200 keys, before and after) in one
# go: each statement's cost is mostly its own, whatever the number of keys.
KEYS_PER_STATEMENT = {"postgresql": 100}
SQLITE_KEYS_PER_STATEMENT = 100
ONE_DAY = datetime.timedelta(days=1)


class EventKey(NamedTuple):
    """What the stored figures file an event's lines under: the rows it counts in
    are the daily rows of its date, initiative, format and status, the partners'
    rows of its date, initiative and status, and its venue's row of the month."""

    date: datetime.date
    initiative_id: int
    format: str
    status: str
    venue_name: str
    commune: str


KEY_FIELDS = EventKey._fields


def event_key(event):
    return EventKey(*(getattr(event, name) for name in KEY_FIELDS))


def event_keys(events):
    """The keys of these events (a queryset), in one query."""
    return {EventKey(*row) for row in events.order_by().values_list(*KEY_FIELDS)}


SUMS = {
    "people": Sum("people"),
    "women": Coalesce(Sum("women"), 0),
    "known": Coalesce(Sum("people", filter=Q(women__isnull=False)), 0),
}


def _lines(days):
    """The count lines of these days: a list of dates, a (first, last) range, a Q on
    the lines, or None for all (or the lines already chosen, a queryset)."""
    if isinstance(days, QuerySet):
        return days
    lines = AudienceCount.objects.order_by()
    if isinstance(days, Q):
        return lines.filter(days)
    if isinstance(days, tuple):
        return lines.filter(event__date__range=days)
    return lines if days is None else lines.filter(event__date__in=days)


def _summed(lines, **keys):
    """The lines summed per the event's date, initiative and status, the given keys
    and the audience. An event has one line an audience (the lines' unique key): a
    row counts its lines, which lets PostgreSQL sum a rebuild's rows by hashing them
    rather than sorting every line, and its events' first lines (`FIRST_LINE`)."""
    keys = {
        "date": F("event__date"),
        "initiative": F("event__initiative"),
        "status": F("event__status"),
        **keys,
        "audience": F("audience"),
    }
    return lines.values(**_prefixed(keys)).annotate(
        d_events=Count("pk"), d_first_events=Count("pk", filter=FIRST_LINE), **_prefixed(SUMS)
    )


# The line of its event's first audience (the lowest id among its lines), where the
# event counts among all audiences' events (`first_events`).
FIRST_LINE = ~Exists(
    AudienceCount.objects.filter(event=OuterRef("event"), audience__lt=OuterRef("audience"))
)


def _daily_rows(days):
    return _summed(_lines(days), format=F("event__format"))


def _partner_rows(days, role):
    partner = "event__organizer" if role == EventRole.ORGANISED else "event__co_organizers"
    lines = _lines(days).filter(**{f"{partner}__isnull": False})
    return _summed(lines, partner=F(partner), role=Value(role.value))


def _every_partner_row(lines):
    """The partners' rows of both roles in one statement (UNION ALL)."""
    first, *others = [_partner_rows(lines, role) for role in EventRole]
    return first.union(*others, all=True)


def _lines_in_months(months):
    """The count lines of the events of these months (first days), those a Q on the
    lines chooses, or all if None (or the lines already chosen, a queryset)."""
    if isinstance(months, QuerySet):
        return months
    lines = AudienceCount.objects.order_by()
    if months is None:
        return lines
    if isinstance(months, Q):
        return lines.filter(months)
    dates = Q()
    for month in months:
        dates |= Q(event__date__range=(month, month_end(month)))
    return lines.filter(dates)


def _venue_rows(months):
    """The venues' lines counted per month, place (name and commune), initiative,
    status and audience: `_insert_venue_months` finds each place's venue."""
    keys = {
        "month": TruncMonth("event__date"),
        "name": F("event__venue_name"),
        "commune": F("event__commune"),
        "initiative": F("event__initiative"),
        "status": F("event__status"),
        "audience": F("audience"),
    }
    return _lines_in_months(months).values(**_prefixed(keys)).annotate(d_events=Count("pk"))


PLACE = ("d_name", "d_commune")


def _insert_venue_months(rows):
    """INSERT INTO VenueMonth the rows `_venue_rows` counts, each place's venue
    found by one join on the counted rows: looked up once per count line, it took
    most of a rebuild's time."""
    compiler = rows.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    aliases = [alias for _, _, alias in compiler.select if alias not in PLACE]
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(VenueMonth._meta.get_field(name).column)
        for name in ("venue", *(alias.removeprefix("d_") for alias in aliases))
    )
    selected = ", ".join(f"counted.{quote(alias)}" for alias in aliases)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(VenueMonth._meta.db_table)} ({columns}) "
            f"SELECT venue.{quote('id')}, {selected} FROM ({sql}) counted "
            f"INNER JOIN {quote(Venue._meta.db_table)} venue "
            f"ON venue.{quote('name')} = counted.{quote('d_name')} "
            f"AND venue.{quote('commune')} = counted.{quote('d_commune')}",
            params,
        )


def month_end(month):
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - ONE_DAY


def _new_venues(days):
    events = AwarenessEvent.objects.all()
    if isinstance(days, Q):
        events = events.filter(days)
    elif days is not None:
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
        for model in (
            DailyFigures,
            PartnerDailyFigures,
            VenueMonth,
            MonthlyFigures,
            PartnerMonthlyFigures,
        )
    )
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")


def _rebuild(days):
    """Sums again the rows of these days (None: of all days), and the venues of
    their months. The caller holds their months' locks (or the tables')."""
    months = None if days is None else sorted({day.replace(day=1) for day in days})
    for model in (DailyFigures, PartnerDailyFigures):
        rows = model.objects.all()
        if days is not None:
            rows = rows.filter(date__in=days)
        rows.delete()
    venues = VenueMonth.objects.all()
    if months is not None:
        venues = venues.filter(month__in=months)
    venues.delete()
    # Another transaction may be adding the same new venue for another month.
    _insert_from(Venue, _new_venues(days), ignore_conflicts=True)
    _insert_rows(days, days, months)
    _rebuild_months(days)


def _one_of(expressions, values):
    """Q: (expression, …) IN ((value, …), …). PostgreSQL compares the rows at once,
    SQLite through an OR of ANDs; the tuples are compiled far faster than an OR of
    a hundred Q objects (some 50 ms a statement)."""
    return Q(TupleIn(Tuple(*expressions), sorted(values)))


def _by_day(keys, prefix=""):
    """The daily rows of these keys, or (prefix "event__") their lines."""
    fields = ("date", "initiative_id", "format", "status")
    values = {(key.date, key.initiative_id, key.format, key.status) for key in keys}
    return _one_of([F(prefix + name) for name in fields], values)


def _by_partner_day(keys, prefix=""):
    fields = ("date", "initiative_id", "status")
    values = {(key.date, key.initiative_id, key.status) for key in keys}
    return _one_of([F(prefix + name) for name in fields], values)


def _by_venue_month(keys, venues):
    """The venues' rows of the months of these keys; `venues` gives each place's
    venue id (a place that is no venue has no rows)."""
    fields = ("month", "venue_id", "initiative_id", "status")
    values = {
        (_month(key), venues[key.venue_name, key.commune], key.initiative_id, key.status)
        for key in keys
        if (key.venue_name, key.commune) in venues
    }
    if not values:
        return Q(pk__in=[])
    months = sorted({value[0] for value in values})
    return Q(month__in=months) & _one_of([F(name) for name in fields], values)


def _venue_lines(keys):
    """The count lines of the events of these keys' venues and months: an OR of one
    AND per key, which PostgreSQL reads through the venue index, key by key (it
    compares rows, (a, b) IN (…), only after reading every event they might be)."""
    wanted = {
        (_month(key), key.venue_name, key.commune, key.initiative_id, key.status) for key in keys
    }
    return Q.create(
        [
            Q(
                event__date__range=(month, month_end(month)),
                event__venue_name=name,
                event__commune=commune,
                event__initiative_id=initiative,
                event__status=status,
            )
            for month, name, commune, initiative, status in sorted(wanted)
        ],
        connector=Q.OR,
    )


def _month(key):
    return key.date.replace(day=1)


def _venues_of(keys):
    """{(name, commune): venue id} of the keys' places, those that are not venues
    yet added if they have count lines: one look-up among the venues, and an INSERT
    and a second look-up only for a place never seen."""
    places = {(key.venue_name, key.commune) for key in keys}
    venues = Venue.objects.filter(_one_of([F("name"), F("commune")], places))
    known = {
        (name, commune): pk for pk, name, commune in venues.values_list("pk", "name", "commune")
    }
    new = {
        (key.venue_name, key.commune, key.date)
        for key in keys
        if (key.venue_name, key.commune) not in known
    }
    if new:
        events = _one_of([F("venue_name"), F("commune"), F("date")], new)
        # Another transaction may be adding the same new venue for another month.
        _insert_from(Venue, _new_venues(events), ignore_conflicts=True)
        known = {
            (name, commune): pk for pk, name, commune in venues.values_list("pk", "name", "commune")
        }
    return known


def _rebuild_keys(keys):
    """Sums again the stored rows of these event keys, and theirs only. The caller
    holds their months' locks."""
    # The keys' days, and venues, beside the keys themselves: PostgreSQL then reads
    # the rows, and the events, of those days (of those venues) through an index,
    # where the keys alone make it read every row.
    days = Q(date__in=sorted({key.date for key in keys}))
    venues = _venues_of(keys)
    DailyFigures.objects.filter(days, _by_day(keys)).delete()
    PartnerDailyFigures.objects.filter(days, _by_partner_day(keys)).delete()
    VenueMonth.objects.filter(_by_venue_month(keys, venues)).delete()
    event_days = Q(event__date__in=sorted({key.date for key in keys}))
    months = sorted(_month(key) for key in keys)
    places = Q(
        event__venue_name__in=sorted({key.venue_name for key in keys}),
        event__date__range=(months[0], month_end(months[-1])),
    )
    # Chosen once for the partners' rows of both roles (an OR of a hundred keys takes
    # some 10 ms to build).
    daily_lines = _lines(event_days & _by_day(keys, prefix="event__"))
    partner_lines = _lines(event_days & _by_partner_day(keys, prefix="event__"))
    venue_lines = _lines(places & _venue_lines(keys))
    _insert_rows(daily_lines, partner_lines, venue_lines)
    _rebuild_month_keys(keys)


def _insert_rows(daily_lines, partner_lines, venue_lines):
    """Sums the lines each table's rows count, in one statement a table."""
    _insert_from(DailyFigures, _daily_rows(daily_lines))
    _insert_from(PartnerDailyFigures, _every_partner_row(partner_lines))
    _insert_venue_months(_venue_rows(venue_lines))


# The monthly roll-ups: each monthly row is the sum of its month's daily rows of the
# same key, summed again after them in the same transaction (under the same month
# locks), from at most 31 daily rows each.

# (daily model, monthly model, the key's fields besides the date and the audience,
# the fields of an event key that choose them).
ROLLUPS = (
    (
        DailyFigures,
        MonthlyFigures,
        ("initiative", "format", "status"),
        ("initiative_id", "format", "status"),
    ),
    (
        PartnerDailyFigures,
        PartnerMonthlyFigures,
        ("partner", "role", "initiative", "status"),
        ("initiative_id", "status"),
    ),
)


def _rolled_up(daily_rows, fields):
    """The daily rows summed per month, their key's fields and audience."""
    keys = {"month": TruncMonth("date"), **{name: F(name) for name in fields}}
    keys["audience"] = F("audience")
    sums = {name: Sum(name) for name in SUMMED}
    return daily_rows.order_by().values(**_prefixed(keys)).annotate(**_prefixed(sums))


def _in_months(months):
    """Q: dated in one of these months (first days), read through the date indexes."""
    return Q.create([Q(date__range=(month, month_end(month))) for month in months], connector=Q.OR)


def _rebuild_months(days):
    """Sums again the monthly rows of these days' months (None: of every month) from
    their daily rows."""
    months = None if days is None else sorted({day.replace(day=1) for day in days})
    for daily, monthly, fields, _ in ROLLUPS:
        stored, summed = monthly.objects.all(), daily.objects.all()
        if months is not None:
            stored = stored.filter(month__in=months)
            summed = summed.filter(_in_months(months))
        stored.delete()
        _insert_from(monthly, _rolled_up(summed, fields))


def _rebuild_month_keys(keys):
    """Sums again the monthly rows of these event keys' months and keys from their
    daily rows: per month, those of the keys' (initiative, format, status) — or
    (initiative, status) for the partners'."""
    for daily, monthly, fields, chosen_by in ROLLUPS:
        per_month = {}
        for key in keys:
            per_month.setdefault(_month(key), set()).add(
                tuple(getattr(key, name) for name in chosen_by)
            )
        wanted = {(month, *values) for month, chosen in per_month.items() for values in chosen}
        monthly.objects.filter(_one_of([F("month"), *map(F, chosen_by)], wanted)).delete()
        days = Q.create(
            [
                _in_months([month]) & _one_of(list(map(F, chosen_by)), chosen)
                for month, chosen in sorted(per_month.items())
            ],
            connector=Q.OR,
        )
        _insert_from(monthly, _rolled_up(daily.objects.filter(days), fields))


def _refresh(days, keys):
    """Rebuilds these whole days and the rows of these keys (those of other days),
    holding the locks of all their months, taken at once and in order."""
    days = sorted({day for day in days if day is not None})
    whole = set(days)
    keys = {key for key in keys if key.date is not None and key.date not in whole}
    if not days and not keys:
        return
    with transaction.atomic():
        _lock_months({day.replace(day=1) for day in [*days, *(key.date for key in keys)]})
        for start in range(0, len(days), DAYS_PER_STATEMENT):
            _rebuild(days[start : start + DAYS_PER_STATEMENT])
        rebuild_keys(keys)


def rebuild_keys(keys):
    """Sums again the stored rows of these event keys, a batch of keys a statement.
    The caller holds their months' locks (`lock_months`)."""
    keys = sorted(keys)
    size = KEYS_PER_STATEMENT.get(connection.vendor, SQLITE_KEYS_PER_STATEMENT)
    for start in range(0, len(keys), size):
        _rebuild_keys(keys[start : start + size])


def rebuild_month_keys(keys):
    """Sums again the monthly rows of these event keys from their daily rows. The
    caller holds their months' locks."""
    _rebuild_month_keys(keys)


def lock_months(months):
    """Holds these months (first days) for a refresh until the transaction ends."""
    _lock_months(months)


def refresh_days(days):
    """Rebuilds the figures of these whole days, in the caller's transaction if any.
    A transaction that refreshes several times takes its months' locks in several
    goes, and two such transactions can deadlock (PostgreSQL then cancels one):
    batches of writes refresh once, within `collecting()`."""
    if _collected.stack:
        _collected.stack[-1].days.update(day for day in days if day is not None)
        return
    _refresh(days, ())


def refresh_events(keys):
    """Rebuilds the stored rows of these event keys (`EventKey`): what an event
    counted in before a change and counts in after it."""
    if _collected.stack:
        _collected.stack[-1].keys.update(keys)
        return
    _refresh((), keys)


def rebuild_all():
    """Rebuilds every day's figures (after a restore from an old dump, or to repair
    what `check_figures` found)."""
    with transaction.atomic():
        _lock_everything()
        if connection.vendor == "postgresql":
            # COUNT(DISTINCT …) sorts each group's events: in memory, not on disk.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '256MB'")
        _rebuild(None)


def rebuild_months():
    """Sums every monthly row again from the daily rows (when the roll-ups were added)."""
    with transaction.atomic():
        _lock_everything()
        _rebuild_months(None)


# Checking them.

KEYS = {
    DailyFigures: ("date", "initiative", "format", "status", "audience"),
    PartnerDailyFigures: ("date", "partner", "role", "initiative", "status", "audience"),
    VenueMonth: ("month", "venue", "initiative", "status", "audience"),
}
# Apart: migration 0010 reads KEYS' tables, before the roll-ups' were created.
ROLLUP_KEYS = {
    MonthlyFigures: ("month", "initiative", "format", "status", "audience"),
    PartnerMonthlyFigures: ("month", "partner", "role", "initiative", "status", "audience"),
}
CHECKED_KEYS = {**KEYS, **ROLLUP_KEYS}
FIGURE_FIELDS = {
    DailyFigures: SUMMED,
    PartnerDailyFigures: SUMMED,
    VenueMonth: ("events",),
    MonthlyFigures: SUMMED,
    PartnerMonthlyFigures: SUMMED,
}
# A monthly row is expected to be the sum of the lines of its month, summed per day
# as the daily rows are expected to be, then per month.
ROLLED_UP_FROM = {monthly: daily for daily, monthly, _, _ in ROLLUPS}


def _expected(model, year):
    period = (datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    if model is DailyFigures:
        querysets = [_daily_rows(period)]
    elif model is PartnerDailyFigures:
        querysets = [_partner_rows(period, role) for role in EventRole]
    else:
        months = [datetime.date(year, month, 1) for month in range(1, 13)]
        querysets = [_venue_rows(months)]
        venues = {
            (name, commune): pk
            for pk, name, commune in Venue.objects.values_list("pk", "name", "commune")
        }
        querysets = [
            [{**row, "d_venue": venues.get((row["d_name"], row["d_commune"]))} for row in rows]
            for rows in querysets
        ]
    names = [f"d_{name}" for name in (*KEYS[model], *FIGURE_FIELDS[model])]
    return Counter(
        tuple(row.get(name) for name in names) for queryset in querysets for row in queryset
    )


def key_columns(model):
    """The attributes of a stored row's key, in the order of its key (`CHECKED_KEYS`):
    the foreign keys' ids."""
    return [
        f"{name}_id" if name in ("initiative", "audience", "partner", "venue") else name
        for name in CHECKED_KEYS[model]
    ]


def _stored(model, year):
    fields = key_columns(model)
    rows = model.objects.filter(**{f"{CHECKED_KEYS[model][0]}__year": year})
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
    months = MonthlyFigures.objects.aggregate(first=Min("month"), last=Max("month"))
    bounds = (*dates.values(), *stored.values(), *months.values())
    years = {value.year for value in bounds if value is not None}
    if not years:
        return []
    differ = set()
    for year in range(min(years), max(years) + 1):
        expected = {}
        for model in CHECKED_KEYS:
            if model in ROLLED_UP_FROM:
                expected[model] = _per_month(expected[ROLLED_UP_FROM[model]], model)
            else:
                expected[model] = _expected(model, year)
            stored_rows = _stored(model, year)
            # A month differing (venues, roll-ups) names its first day, which rebuilds it.
            differ.update(
                row[0] for row in (expected[model] - stored_rows) + (stored_rows - expected[model])
            )
    return sorted(differ)


def _per_month(daily, model):
    """Expected daily rows (a Counter of key and sums) summed per month."""
    size = len(CHECKED_KEYS[model])
    months = {}
    for row, times in daily.items():
        key = (row[0].replace(day=1), *row[1:size])
        sums = months.get(key, (0,) * len(SUMMED))
        months[key] = tuple(a + b * times for a, b in zip(sums, row[size:], strict=True))
    return Counter(key + sums for key, sums in months.items())


def add_missing_venues():
    _insert_from(Venue, _new_venues(None), ignore_conflicts=True)


def venues_missing():
    """How many places of events are missing from the venues (then not counted)."""
    return _new_venues(None).count()


class _Batch:
    def __init__(self):
        self.days, self.keys = set(), set()


class _Collected(threading.local):
    def __init__(self):
        self.stack = []


_collected = _Collected()


@contextmanager
def collecting():
    """Within it, changes note the days and keys they touch; at its end, inside the
    same transaction, each is rebuilt once. Yields the set of days, to which a bulk
    write adds its own."""
    with transaction.atomic():
        batch = _Batch()
        _collected.stack.append(batch)
        try:
            yield batch.days
        finally:
            _collected.stack.pop()
        if _collected.stack:
            _collected.stack[-1].days.update(batch.days)
            _collected.stack[-1].keys.update(batch.keys)
        else:
            _refresh(batch.days, batch.keys)

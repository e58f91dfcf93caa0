"""The events of a download a chunk at a time, in the order of their (date, id) index.

A single query sorting every row would send the first one only once all are sorted
(16 s at 2,000,000 events). Here each chunk is the events that follow the last one
sent, up to the key (date, id) of the `size`-th, which one query reads off the
index; its rows are then read and sorted on their own. The rows of a download are
sorted by date and id first, so the chunks one after the other give the bytes of the
single query. The first chunk is small, for its rows to leave at once; each next one
is twice the last, up to MAX_EVENTS: a large download costs few queries.

A chunk is a range of dates, less the events of its first day up to the last key
sent and those of its last day after its own: PostgreSQL reads it off the index and
estimates its size as that of the range of dates (an OR of the keys' conditions would
make it guess a fraction of it, and hash every co-organiser).

All the chunks are read in one transaction, which on PostgreSQL reads one snapshot
(REPEATABLE READ): an event saved during a download is in it once, as it was when
the download started, or not at all. On SQLite a transaction reads one snapshot
already."""

import datetime
from contextlib import contextmanager, nullcontext

from django.db import connections, transaction

FIRST_EVENTS = 1000
MAX_EVENTS = 16_000


def chunks(events):
    """`events` (a queryset) as querysets of consecutive events in (date, id) order,
    each read when the one before has been: two queries a chunk, run in one snapshot
    that lasts until the last chunk is asked for, or until this generator is closed."""
    with snapshot(events.db):
        events = events.order_by()
        size = FIRST_EVENTS
        rest = events
        while True:
            # The last key of the chunk, and the next one's if there is one.
            keys = list(rest.order_by("date", "pk").values_list("date", "pk")[size - 1 : size + 1])
            if len(keys) < 2:
                yield rest
                return
            date, pk = keys[0]
            yield rest.filter(date__lte=date).exclude(date=date, pk__gt=pk)
            rest = events.filter(date__gte=date).exclude(date=date, pk__lte=pk)
            size = min(2 * size, MAX_EVENTS)


def days(events):
    """The same idea by whole days, for the datasets that read their events through
    a `Scope` (its start and end): (start, end) ranges of dates, each of at least
    the chunk's size of `events` but for the last (end None), None for an open start,
    read in one snapshot. A day is never split: a chunk holds at least its days'
    events."""
    with snapshot(events.db):
        events = events.order_by()
        size = FIRST_EVENTS
        start = None
        while True:
            rest = events if start is None else events.filter(date__gte=start)
            last = list(rest.order_by("date").values_list("date", flat=True)[size - 1 : size])
            if not last:
                yield start, None
                return
            yield start, last[0]
            start = last[0] + datetime.timedelta(days=1)
            size = min(2 * size, MAX_EVENTS)


@contextmanager
def iterating(iterable):
    """An iterator over `iterable`, closed on leaving: a generator of chunks ends its
    transaction there, even when a download stops half way."""
    iterator = iter(iterable)
    try:
        yield iterator
    finally:
        if hasattr(iterator, "close"):
            iterator.close()


def snapshot(using):
    """A transaction whose reads all see the database as it was at its first one. In
    a transaction already (a test, a request made atomic), that one holds."""
    connection = connections[using]
    if connection.in_atomic_block:
        return nullcontext()
    return _repeatable_read(using)


@contextmanager
def _repeatable_read(using):
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                # A chunk's queries read a range of events: the planner would rather
                # hash a whole table (every count line) than look up a few thousand
                # rows by index, for each chunk, and a download would grow with the
                # square of the events. Joins by index lookups only, then; and no
                # compiling (JIT: 70 ms for the events' COPY, more than it saves).
                cursor.execute("SET LOCAL enable_hashjoin = off")
                cursor.execute("SET LOCAL enable_mergejoin = off")
                cursor.execute("SET LOCAL jit = off")
        yield

"""How seed_demo writes the events it draws (indicators/demo.py): with bulk_create
anywhere, with COPY on PostgreSQL, where a database without events is filled the way
pg_restore fills one (indexes, keys and foreign keys set aside for the writing, then
built and checked once at its end) and gets its figures summed while the events are
drawn (indicators/demo_figures.py)."""

import multiprocessing
import queue
import sys
import threading
import traceback
from contextlib import contextmanager
from itertools import accumulate

from django.db import connection
from django.utils import timezone

from indicators import credits, demo_figures
from indicators.enums import EventStatus
from indicators.models import (
    AudienceCount,
    AwarenessEvent,
    CreditedCoOrganizer,
    DailyFigures,
    EventCredit,
    MonthlyFigures,
    PartnerDailyFigures,
    PartnerMonthlyFigures,
    Venue,
    VenueMonth,
)

CoOrganizer = AwarenessEvent.co_organizers.through
WRITTEN = (AwarenessEvent, AudienceCount, CoOrganizer, EventCredit, CreditedCoOrganizer)
# The figures' tables `store.rebuild_all()` empties and writes again.
REBUILT = (DailyFigures, PartnerDailyFigures, MonthlyFigures, PartnerMonthlyFigures, VenueMonth)
FIGURES = (*REBUILT, Venue)
# Into a database without events, the tables written from scratch.
_FRESH = (*WRITTEN, *REBUILT)
# Those whose rows COPY leaves to take their ids (the events' are reserved first).
_IDS_FROM_TABLE = tuple(model for model in _FRESH if model is not AwarenessEvent)
# Events whose rows go in one COPY a table: each COPY waits for the server at its
# end, and for the main thread to let go of the interpreter.
EVENTS_PER_COPY = 50_000
# How long the drawing keeps the interpreter when the COPY thread asks for it
# (Python's default: 5 ms). Every 128 kB it sends, the thread waits for the server
# and then for the interpreter: with the default, the server waited (10M events at
# 200 territories: 257 → 245 s).
SWITCH_INTERVAL = 0.0005
# The ids of the other written tables' rows, given to the COPYs this many at a time.
IDS_CACHED = 10_000
NOTES = "Action fictive, générée pour la démonstration par la commande seed_demo."


def _figure_texts(rows):
    """{model: its COPY text} of `rows`, {model: {key: sums}}."""
    texts = {}
    for model, model_rows in rows.items():
        line = "\t".join(["%s"] * len(demo_figures.columns(model))) + "\n"
        texts[model] = "".join([line % (key + sums) for key, sums in model_rows.items()])
    return texts


def _figure_tables():
    return [(model, demo_figures.columns(model)) for model in REBUILT]


# The figures' rows are numbers, dates and choices' values, with nothing to escape:
# each is written as `%s` formats it, a null as "None", which their COPY reads as null.
FIGURES_NULL = "None"


# What an event's place sets (see `_event`).
PLACE_FIELDS = ("venue_name", "commune", "official_commune")


def _event(kind, place, loaded, **fields):
    venue_name, commune, code = place
    return AwarenessEvent(
        initiative_id=kind.initiative_pk,
        title=kind.title,
        format=kind.format,
        venue_name=venue_name,
        commune=commune,
        official_commune_id=code if code in loaded else None,
        organizer_id=kind.organizer_pk,
        status=EventStatus.VALIDATED,
        notes=NOTES,
        **fields,
    )


def create(batches, count, loaded):
    """Writes the `count` events, their count lines, co-organisers and credits with
    bulk_create, a batch at a time (their figures are then summed by the store).
    Returns the days written and the number of count lines."""
    days, lines = set(), 0
    for batch in batches:
        events = AwarenessEvent.objects.bulk_create(
            [_event(kind, place, loaded, date=day) for day, kind, place, _, _ in batch]
        )
        counts = AudienceCount.objects.bulk_create(
            AudienceCount(event_id=event.pk, audience_id=audience, people=people, women=women)
            for event, (*_, counted) in zip(events, batch, strict=True)
            for audience, people, women in counted
        )
        CoOrganizer.objects.bulk_create(
            CoOrganizer(awarenessevent_id=event.pk, partner_id=partner)
            for event, (*_, co_organizers, _) in zip(events, batch, strict=True)
            for partner in co_organizers
        )
        days.update(day for day, *_ in batch)
        lines += len(counts)
    credits.credit_uncredited()
    return days, lines


def copy(draw, count, loaded, figures=None):
    """PostgreSQL: writes the same rows as `create` (the events of `draw`, a
    demo.Draw), and the events' credits, with COPY, the rows never becoming model
    instances. The rows are sent by a thread of their own while the next ones are
    drawn, so that the server writes as Python draws; memory stays flat. The events'
    ids are reserved at once from their sequence, the table locked meanwhile (an
    INSERT elsewhere would wait rather than take an id of the block).

    `figures` is given when the database holds no event: each event is added to it,
    and the rows it sums are written in place of the stored figures, as
    `store.rebuild_all()` would. The months are then shared between this process
    and a forked one (`_DrawnAside`), each drawing, writing as COPY text and summing
    every other month: in one process, Python was what the COPY waited for, while
    the server left half a core free; two processes that each drew every event
    spent a third of their time on the same draw. The tables written are emptied
    with TRUNCATE (they hold no row, but stored figures that drifted), which lets
    COPY write their rows frozen (FREEZE), visible to every transaction to come:
    reading them back (building the indexes, checking the foreign keys, the pages)
    then no longer rewrites every page to note it, and the foreign keys are checked
    on the indexes. Returns the days written and the number of count lines."""
    frozen = figures is not None
    writer = _EventTexts(loaded)
    tables = [(model, columns, frozen, _NULL) for model, columns in writer.tables()]
    with connection.cursor() as cursor:
        if not frozen:
            pk = _reserve_ids(cursor, count)
            with _CopiedInBackground(cursor, tables) as copies:
                return _copy_alone(draw, writer, pk, copies, len(tables))
        names = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in _FRESH)
        cursor.execute(f"TRUNCATE {names}")
        _cache_ids(cursor, _IDS_FROM_TABLE, IDS_CACHED)
        venues = _Venues(cursor, draw.kinds)
        # Each month's figures go with its events.
        tables += [(m, columns, True, FIGURES_NULL) for m, columns in _figure_tables()]
        tables.append((Venue, venues.COLUMNS, False, _NULL))
        pk = _reserve_ids(cursor, count)
        sizes = draw.sizes()
        firsts = [pk + before for before in accumulate([0, *sizes[:-1]])]
        theirs = range(1, len(sizes), 2)
        summed = _Summed(figures, venues)
        # Forked before the COPY thread starts.
        aside = _DrawnAside(draw, theirs, firsts, writer, summed, tables)
        lines, pending = 0, 0
        with aside, _CopiedInBackground(cursor, tables) as copies:
            texts = [[] for _ in tables]
            own = draw.batches(months=set(range(0, len(sizes), 2)))
            for index, size in enumerate(sizes):
                if index % 2:
                    lines += aside.add_month(index, texts)
                else:
                    lines += _month(own, size, firsts[index], writer, summed, texts)
                    summed.add_texts(texts)
                pending += size
                if pending >= EVENTS_PER_COPY:
                    copies.send(texts)
                    texts, pending = [[] for _ in tables], 0
            used = aside.add_rest()
            texts[-1] = venues.new_rows(summed.used | used)
            copies.send(texts)
        venues.close()
        _cache_ids(cursor, _IDS_FROM_TABLE, 1)
    return set(draw.days()), lines


def _copy_alone(draw, writer, pk, copies, tables):
    """Every event drawn and written by this process (no figures summed)."""
    lines, days, texts = 0, set(), [[] for _ in range(tables)]
    for batch in draw.batches():
        lines += writer.add(batch, pk, texts)
        days.update(day for day, *_ in batch)
        pk += len(batch)
        if len(texts[0]) >= EVENTS_PER_COPY:
            copies.send(texts)
            texts = [[] for _ in range(tables)]
    copies.send(texts)
    return days, lines


def _month(batches, size, pk, writer, summed, texts):
    """Draws a month of `size` events from `batches` (the first id `pk`), adds their
    rows to `texts` and their figures to `summed`; returns how many count lines
    they have."""
    lines = 0
    while size:
        batch = next(batches)
        lines += writer.add(batch, pk, texts)
        summed.add(batch)
        pk += len(batch)
        size -= len(batch)
    return lines


class _EventTexts:
    """The COPY text of the events, their count lines, co-organisers and credits.
    An event's columns but its id and date are those its place sets, then the others
    (its kind's), each part written as COPY text once: with hundreds of territories,
    kinds and places make too many pairs for a text per pair."""

    def __init__(self, loaded):
        self.loaded, self.now = loaded, timezone.now()
        fields = [f for f in AwarenessEvent._meta.concrete_fields if f.name not in ("id", "date")]
        self.place_fields = [f for f in fields if f.name in PLACE_FIELDS]
        self.kind_fields = [f for f in fields if f.name not in PLACE_FIELDS]
        self.kinds, self.places = {}, {}

    def tables(self):
        """(table, its columns) of the rows `add` writes, in the order of its texts."""
        columns = (f.column for f in (*self.place_fields, *self.kind_fields))
        return [
            (AwarenessEvent, ["id", "date", *columns]),
            (AudienceCount, ["event_id", "audience_id", "people", "women"]),
            (CoOrganizer, ["awarenessevent_id", "partner_id"]),
            (EventCredit, ["event_id", "partner_id", "date", "organizer_id", "initiative_id"]),
            (CreditedCoOrganizer, ["event_id", "partner_id", "co_organizer_id"]),
        ]

    def _remembered(self, texts, key, kind, place, fields):
        """The COPY text of these fields of an event of this kind and place, kept
        under `key` (read with `texts.get(key)` first: this is the miss)."""
        event = _event(kind, place, self.loaded, created_at=self.now, updated_at=self.now)
        values = (f.get_db_prep_save(getattr(event, f.attname), connection) for f in fields)
        texts[key] = text = "\t".join(_copy_text(value) for value in values)
        return text

    def add(self, batch, pk, texts):
        """Adds the rows of `batch`'s events, whose ids start at `pk`, to the first
        five lists of `texts`; returns how many count lines they have."""
        events, counts, co_organized, credited, co_credited = texts[:5]
        kinds, places, remembered = self.kinds, self.places, self._remembered
        place_fields, kind_fields = self.place_fields, self.kind_fields
        lines, last_day = len(counts), None
        for day, kind, place, co_organizers, counted in batch:
            if day is not last_day:  # the events come in date order
                last_day, date = day, day.isoformat()
            place_text = places.get(place) or remembered(places, place, kind, place, place_fields)
            kind_text = kinds.get(kind) or remembered(kinds, kind, kind, place, kind_fields)
            events.append(f"{pk}\t{date}\t{place_text}\t{kind_text}\n")
            for audience, people, women in counted:
                counts.append(f"{pk}\t{audience}\t{people}\t{_NULL if women is None else women}\n")
            organizer = kind.organizer_pk
            for partner in co_organizers:
                co_organized.append(f"{pk}\t{partner}\n")
            for partner in credits.credited(organizer, co_organizers):
                credited.append(f"{pk}\t{partner}\t{date}\t{organizer}\t{kind.initiative_pk}\n")
                for co_organizer in co_organizers:
                    co_credited.append(f"{pk}\t{partner}\t{co_organizer}\n")
            pk += 1
        return len(counts) - lines


class _Summed:
    """The figures of the events of the months a process draws: `figures` (a
    demo_figures.DemoFigures) and the venues' months, each month's rows as COPY text
    once it is drawn. `used` are the new places the venues' months named."""

    def __init__(self, figures, venues):
        self.figures, self.venues = figures, venues
        self.venue_months = demo_figures.VenueMonths(figures.status)
        self.used = set()

    def add(self, batch):
        add, add_venue, last_day = self.figures.add, self.venue_months.add, None
        for day, kind, place, co_organizers, counted in batch:
            if day is not last_day:
                last_day, date = day, day.isoformat()
                month = date[:8] + "01"
            add(date, kind, co_organizers, counted)
            if counted:
                add_venue(month, kind, place)

    def texts(self):
        """{model: COPY text} of the rows of the month just drawn. A process sums a
        month, then takes its rows, before the next: they are all it holds, and
        none needs sorting out from another month's."""
        rows = self.figures.take_rows()
        rows.update(self.venue_months.take_rows(self._venue_of))
        return _figure_texts(rows)

    def add_texts(self, texts):
        """Adds the month's texts to `texts` (a list per table, the figures' after
        the events')."""
        month = self.texts()
        for slot, model in enumerate(REBUILT, start=5):
            texts[slot].append(month.get(model, ""))

    def _venue_of(self, name, commune):
        pk, new = self.venues.id_of(name, commune)
        if new:
            self.used.add((name, commune))
        return pk


class _DrawnAside:
    """A forked process that draws the months `months` of `draw` (indexes), each
    month's events written as COPY text by its copy of `writer` from their first id
    in `firsts`, and summed by its copy of `summed`; it sends each month's texts once
    the month is drawn, then the new places its venues' months named. A thread of
    the caller receives them as they come, so that the process never waits for the
    caller to read (it did, and finished alone long after the drawing); the caller
    adds each month's texts to its COPYs of `tables` in its turn (`add_month`), and
    takes the places at the end (`add_rest`). At most AHEAD months wait to be
    written (the process then waits too): memory stays that of a few months. The
    process never uses the database: it shares the caller's connection, which only
    the caller speaks on."""

    AHEAD = 3

    def __init__(self, draw, months, firsts, writer, summed, tables):
        self._figure_slots = {model: index for index, (model, *_) in enumerate(tables)}
        context = multiprocessing.get_context("fork")
        self._received, sending = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_draw_aside,
            args=(draw, months, firsts, writer, summed, sending),
            name="seed_demo months",
            daemon=True,
        )
        self._messages = queue.Queue(maxsize=self.AHEAD)
        self._receiving = threading.Thread(target=self._receive, name="seed_demo months received")

    def __enter__(self):
        self._process.start()
        self._receiving.start()
        return self

    def __exit__(self, *exc_info):
        if self._process.is_alive() and exc_info[0] is not None:
            self._process.kill()
        self._process.join()
        # The process's end of the pipe is closed: the thread reads to its end, the
        # months it would still keep waiting dropped.
        while self._receiving.is_alive():
            try:
                self._messages.get_nowait()
            except queue.Empty:
                self._receiving.join(timeout=0.05)
        self._received.close()

    def add_month(self, index, texts):
        """Waits for the month `index`, adds its texts to `texts` (a list per table)
        and returns how many count lines its events have."""
        kind, content = self._next()
        if kind != "month" or content[0] != index:
            raise RuntimeError(
                f"Le tirage des actions a envoyé « {kind} » au lieu du mois {index}."
            )
        _, events, figures, lines = content
        for slot, text in enumerate(events):
            texts[slot].append(text)
        for model, text in figures.items():
            texts[self._figure_slots[model]].append(text)
        return lines

    def add_rest(self):
        """Waits for the end of the process; returns the new places it named."""
        kind, content = self._next()
        if kind != "done":
            raise RuntimeError(f"Le tirage des actions a envoyé « {kind} » au lieu de sa fin.")
        return content

    def _next(self):
        kind, content = self._messages.get()
        if kind == "ended":
            raise RuntimeError("Le tirage des actions s'est arrêté sans finir.")
        if kind == "error":
            raise RuntimeError(f"Le tirage des actions a échoué :\n{content}")
        return kind, content

    def _receive(self):
        """The thread's: every message, until the last one or the end of the pipe."""
        while True:
            try:
                message = self._received.recv()
            except (EOFError, OSError):  # the pipe's end, or a message cut by a kill
                message = ("ended", None)
            self._messages.put(message)
            if message[0] != "month":
                return


def _draw_aside(draw, months, firsts, writer, summed, sending):
    """The process of `_DrawnAside`."""
    try:
        batches = draw.batches(months=set(months))
        sizes = draw.sizes()
        for index in months:
            sending.send(("month", _drawn_month(index, batches, sizes, firsts, writer, summed)))
        sending.send(("done", summed.used))
    except BaseException:
        sending.send(("error", traceback.format_exc()))
    finally:
        sending.close()


def _drawn_month(index, batches, sizes, firsts, writer, summed):
    """(index, the month's five event texts, {model: its figures' text}, its count
    lines), drawn in the process of `_DrawnAside`."""
    texts = [[] for _ in range(5)]
    lines = _month(batches, sizes[index], firsts[index], writer, summed, texts)
    return index, ["".join(text) for text in texts], summed.texts(), lines


class _CopiedInBackground:
    """COPYs the rows sent (a list of COPY text lines per table) in a thread, a
    table after the other, while the caller draws the next ones; at most a few
    batches wait. The caller does not use the connection meanwhile: it waits for the
    thread at the end, and gets its error if any."""

    WAITING = 2

    def __init__(self, cursor, tables):
        self._cursor, self._tables = cursor, tables
        self._queue = queue.Queue(maxsize=self.WAITING)
        self._thread = threading.Thread(target=self._copy, name="seed_demo COPY")
        self._error = None

    def __enter__(self):
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL)
        self._thread.start()
        return self

    def send(self, texts):
        if self._error is not None:
            raise self._error
        self._queue.put(texts)

    def __exit__(self, *exc_info):
        self._queue.put(None)
        self._thread.join()
        sys.setswitchinterval(self._switch_interval)
        if self._error is not None and exc_info[0] is None:
            raise self._error

    def _copy(self):
        try:
            while (texts := self._queue.get()) is not None:
                for (model, columns, frozen, null), text in zip(self._tables, texts, strict=True):
                    if text:
                        with _copying(self._cursor, model, columns, frozen, null) as copy:
                            copy.write("".join(text))
        except BaseException as error:  # raised in the caller's thread
            self._error = error
            while self._queue.get() is not None:  # the caller may be waiting to send
                pass


class _Venues:
    """The venues of the figures summed while drawing: those the database has, and
    every place the events could take that it has not, given the ids that follow
    the venues' sequence at once (the table locked meanwhile, as the events' is),
    so that both processes name them alike. Only those the venues' months name are
    written, with the last figures; the others' ids are left unused."""

    COLUMNS = ["id", "name", "commune"]

    def __init__(self, cursor, kinds):
        self._cursor = cursor
        self._sequence, first = _locked_sequence(cursor, Venue)
        rows = Venue.objects.values_list("pk", "name", "commune")
        self._ids = {(name, commune): (pk, False) for pk, name, commune in rows}
        every = {id(kind.places): kind.places for kind in kinds}
        new = sorted(
            {(name, commune) for places in every.values() for name, commune, _ in places}
            - self._ids.keys()
        )
        self._last = first + len(new) - 1 if new else None
        self._ids.update({place: (first + n, True) for n, place in enumerate(new)})

    def id_of(self, name, commune):
        """(the venue's id, whether it is new)."""
        return self._ids[name, commune]

    def new_rows(self, used):
        """The COPY text lines of the new venues named (`used`, (name, commune)
        pairs), in the order of their ids."""
        venues = sorted((self._ids[place][0], *place) for place in used)
        return ["\t".join(_copy_text(value) for value in venue) + "\n" for venue in venues]

    def close(self):
        """The sequence moved past the ids given, once the COPYs are done."""
        if self._last is not None:
            self._cursor.execute("SELECT setval(%s::regclass, %s)", [self._sequence, self._last])


def _cache_ids(cursor, models, count):
    """The identity of the models' tables (whose rows COPY leaves to take their
    ids) gives out `count` ids to a connection at a time. At 1, PostgreSQL's
    default, each row's id was read and logged from its sequence, a tenth of the
    server's time while it copied; at the end, back to 1 (the ids given then have
    a gap of at most IDS_CACHED)."""
    for model in models:
        table = connection.ops.quote_name(model._meta.db_table)
        cursor.execute(f"ALTER TABLE {table} ALTER COLUMN id SET CACHE {int(count)}")


def _reserve_ids(cursor, count):
    """The first of `count` consecutive event ids, taken from the events' sequence."""
    sequence, first = _locked_sequence(cursor, AwarenessEvent)
    cursor.execute("SELECT setval(%s::regclass, %s)", [sequence, first + count - 1])
    return first


def _locked_sequence(cursor, model):
    """(the id sequence of the model's table, its next value), the table locked until
    the transaction ends: an INSERT elsewhere waits rather than take the ids that
    follow, which the caller gives out itself."""
    table = model._meta.db_table
    cursor.execute(f"LOCK TABLE {connection.ops.quote_name(table)} IN SHARE ROW EXCLUSIVE MODE")
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    sequence = cursor.fetchone()[0]
    cursor.execute("SELECT nextval(%s::regclass)", [sequence])
    return sequence, cursor.fetchone()[0]


@contextmanager
def indexes_built_at_the_end(fresh):
    """On a fresh database, the plain indexes and the unique keys of the tables
    written from scratch are dropped for the writing and built again at its end,
    each from a sort of the whole table, as pg_restore does: kept up to date row by
    row (in the random order of venues, organisers and communes) they took most of
    the COPY's time. The unique keys are checked as they are added back (the
    figures' too: kept up to date during the COPY instead, one run measured them no
    faster). The primary keys stay: their rows come in the order of their ids, each
    entry at the end of its index, which the server keeps up to date while Python
    draws the next rows rather than after them. The partial indexes stay too: those
    of the users' keys hold none of the rows written (their keys are empty), where
    building each again would read the whole table."""
    if not fresh:
        yield
        return
    tables = [model._meta.db_table for model in _FRESH]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'u' AND conrelid = ANY(%s::regclass[]) "
            "ORDER BY conrelid, contype, conname",
            [tables],
        )
        keys = cursor.fetchall()
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid = ANY(%s::regclass[]) AND NOT indisunique AND NOT indisprimary "
            "AND indpred IS NULL ORDER BY indexrelid",
            [tables],
        )
        indexes = cursor.fetchall()
        for table, name, _ in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        yield
        # Each index sorts its table in runs of 64 MB (PostgreSQL's default) that
        # it then merges, whatever the server's setting: at ten million events this
        # took 100 s where sorting in 256 MB took 123 s, and 1 GB longer still.
        cursor.execute("SET LOCAL maintenance_work_mem = '64MB'")
        for table, name, definition in keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
        for _, definition in indexes:
            cursor.execute(definition)


@contextmanager
def foreign_keys_checked_at_the_end(fresh):
    """On a fresh database, the written tables' foreign keys are dropped for the
    writing and added back at its end, which checks every row in one join per key
    (what pg_restore does): checking each row as it comes took longer than writing
    it. The referenced tables (partners, initiatives…) are locked until the commit;
    into a table that already holds events, the rows are checked one by one, as
    re-checking every row would take longer than checking the few new ones."""
    if not fresh:
        yield
        return
    tables = [model._meta.db_table for model in (*WRITTEN, *FIGURES)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) "
            "ORDER BY conrelid, conname",
            [tables],
        )
        keys = cursor.fetchall()
        quote = connection.ops.quote_name
        # A table cannot be altered while checks of rows written earlier in the
        # transaction wait for its end (a test's plan): they are made now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, name, _ in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
        yield
        for table, name, definition in keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
        # Back to how Django declares every deferrable constraint: initially deferred.
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


_NULL = "\\N"


def _copy_text(value):
    """A value as COPY's text format writes it."""
    if value is None:
        return _NULL
    text = str(value)
    for character, escaped in (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")):
        text = text.replace(character, escaped)
    return text


@contextmanager
def _copying(cursor, model, columns, frozen, null):
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    options = ", ".join(["FREEZE"] * frozen + [f"NULL '{null}'"])
    with cursor.copy(
        f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN WITH ({options})"
    ) as copy:
        yield copy

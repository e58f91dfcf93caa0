"""The partners each event is credited to (`EventCredit`, `CreditedCoOrganizer`),
kept exact: every write that changes an event's organiser, date, initiative or
co-organisers rewrites its rows in its own transaction, and a deleted event's go
with it (their foreign keys cascade).

Signals do it for `.save()` and the co-organisers' `add`, `remove` and `clear`
(`connect`); bulk writes, which send none, call `credit` (the import) or
`credit_uncredited` (seed_demo's bulk_create) themselves, or write the rows `credited`
names with their events (seed_demo's COPY). `check_figures` compares the rows with the
events (`rows_that_differ`) and `rebuild_all` writes them all again.

Two transactions changing one event's co-organisers at once would each write the
rows of what they see, and the second one's rows miss the first one's change:
`credit` first locks the events (a save holds its event's row already), so the
second one waits for the first one's commit and reads its co-organisers."""

from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_save

from indicators.models import AwarenessEvent, CreditedCoOrganizer, EventCredit

# Events per statement, under SQLite's limit on parameters.
EVENTS_PER_STATEMENT = 500
CoOrganizer = AwarenessEvent.co_organizers.through


def _tables():
    quote = connection.ops.quote_name
    return {
        "event": quote(AwarenessEvent._meta.db_table),
        "link": quote(CoOrganizer._meta.db_table),
        "credit": quote(EventCredit._meta.db_table),
        "co": quote(CreditedCoOrganizer._meta.db_table),
    }


def _credited_sql(events):
    """SELECT the credit rows (event, partner, date, organiser, initiative) of the
    events that `events` (a condition on `e`) chooses: the organiser, then each
    co-organiser (but the organiser, if also named among them)."""
    return (
        "SELECT e.id AS event_id, e.organizer_id AS partner_id, e.date AS date, "
        "e.organizer_id AS organizer_id, e.initiative_id AS initiative_id FROM {event} e WHERE "
        + events
        + " UNION ALL SELECT e.id, l.partner_id, e.date, e.organizer_id, e.initiative_id "
        "FROM {event} e "
        "JOIN {link} l ON l.awarenessevent_id = e.id "
        "WHERE l.partner_id <> e.organizer_id AND " + events
    ).format(**_tables())


def _co_organizers_sql(events):
    """SELECT the rows (event, credited partner, co-organiser) of these events."""
    return (
        "SELECT c.event_id, c.partner_id, l.partner_id FROM ({credited}) c "
        "JOIN {link} l ON l.awarenessevent_id = c.event_id"
    ).format(credited=_credited_sql(events), **_tables())


def credited(organizer_id, co_organizer_ids):
    """The partners an event is credited to, the rule `_credited_sql` writes in SQL:
    its organiser, then each co-organiser but the organiser. For seed_demo's COPY,
    which writes the rows of the events it draws (each credited partner's
    `CreditedCoOrganizer` rows name every co-organiser, as `_co_organizers_sql`)."""
    return (organizer_id, *(pk for pk in co_organizer_ids if pk != organizer_id))


def _insert(events, params):
    """Writes the rows of the events the condition `events` chooses (none of which
    has rows yet)."""
    tables = _tables()
    # The co-organisers' rows first: `events` may be a condition on the credits.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO {co} (event_id, partner_id, co_organizer_id) ".format(**tables)
            + _co_organizers_sql(events),
            params * 2,
        )
        columns = "event_id, partner_id, date, organizer_id, initiative_id"
        cursor.execute(
            f"INSERT INTO {tables['credit']} ({columns}) " + _credited_sql(events),
            params * 2,
        )


def credit(event_ids, *, locked=False):
    """Writes again the rows of these events, as their organiser, date, initiative
    and co-organisers now are, in the caller's transaction if any; locks the events
    first, unless the caller has (`locked`)."""
    event_ids = sorted({pk for pk in event_ids if pk is not None})
    if not event_ids:
        return
    with transaction.atomic():
        for start in range(0, len(event_ids), EVENTS_PER_STATEMENT):
            chunk = event_ids[start : start + EVENTS_PER_STATEMENT]
            if not locked:
                _lock(chunk)
            EventCredit.objects.filter(event__in=chunk).delete()
            CreditedCoOrganizer.objects.filter(event__in=chunk).delete()
            _insert(f"e.id IN ({', '.join(['%s'] * len(chunk))})", chunk)


def _lock(event_ids):
    """Locks these events' rows until the transaction ends (PostgreSQL), in order."""
    events = AwarenessEvent.objects.select_for_update().filter(pk__in=event_ids)
    list(events.order_by("pk").values_list("pk", flat=True))


def credit_uncredited():
    """Writes the rows of the events that have none: those just written by a bulk
    write that sent no signal (seed_demo)."""
    _insert("NOT EXISTS (SELECT 1 FROM {credit} x WHERE x.event_id = e.id)".format(**_tables()), [])


def rebuild_all():
    """Writes every event's rows again (to repair what `check_figures` found); the
    saves under way wait for it."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "LOCK TABLE {credit}, {co} IN SHARE ROW EXCLUSIVE MODE".format(**_tables())
                )
        EventCredit.objects.all().delete()
        CreditedCoOrganizer.objects.all().delete()
        _insert("1 = 1", [])


def rows_that_differ():
    """How many stored rows differ from what the events say (missing, extra or
    wrong): 0 when all agree. Two passes over the events."""
    tables = _tables()
    everything = "1 = 1"
    comparisons = [
        (
            _credited_sql(everything),
            "SELECT event_id, partner_id, date, organizer_id, initiative_id FROM {credit}",
        ),
        (
            _co_organizers_sql(everything),
            "SELECT event_id, partner_id, co_organizer_id FROM {co}",
        ),
    ]
    differ = 0
    with connection.cursor() as cursor:
        for expected, stored in comparisons:
            stored = stored.format(**tables)
            expected = f"SELECT * FROM ({expected}) expected"
            cursor.execute(
                f"SELECT (SELECT COUNT(*) FROM ({expected} EXCEPT {stored}) missing) "
                f"+ (SELECT COUNT(*) FROM ({stored} EXCEPT {expected}) extra)"
            )
            differ += cursor.fetchone()[0]
    return differ


# The receivers.


def _event_saved(sender, instance, created, raw=False, **kwargs):
    if created:
        # No co-organiser yet: the organiser's row (its co-organisers' come with them).
        EventCredit.objects.create(
            event=instance,
            partner_id=instance.organizer_id,
            date=instance.date,
            organizer_id=instance.organizer_id,
            initiative_id=instance.initiative_id,
        )
        return
    # Each event's rows are written together: its organiser's row tells whether
    # they still say its organiser, date and initiative.
    current = EventCredit.objects.filter(
        event=instance,
        partner_id=instance.organizer_id,
        organizer_id=instance.organizer_id,
        date=instance.date,
        initiative_id=instance.initiative_id,
    )
    if not current.exists():
        credit([instance.pk])


def _co_organizers_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in (
        "pre_add",
        "pre_remove",
        "pre_clear",
        "post_add",
        "post_remove",
        "post_clear",
    ):
        return
    # The events changed: the one named, or (from the partner's side) the ones
    # named, or all of the partner's, noted before a clear.
    if not reverse:
        events = [instance.pk]
    elif action == "pre_clear":
        events = instance._cleared_events = list(
            instance.co_organized_events.values_list("pk", flat=True)
        )
    elif action == "post_clear":
        events = getattr(instance, "_cleared_events", [])
    else:
        events = sorted(pk_set)
    if action.startswith("pre_"):
        # Locked before the links change (Django sends the signals inside the
        # change's transaction), as a save locks its event before the figures'
        # months (indicators.figures.store): never the other way round.
        _lock(events)
    else:
        credit(events, locked=True)


def connect():
    post_save.connect(_event_saved, sender=AwarenessEvent)
    m2m_changed.connect(_co_organizers_changed, sender=CoOrganizer)

"""The stored figures of seed_demo's events, summed in Python while they are drawn.

Only for seed_demo's COPY into a database that holds no event yet: every stored row
is then the sum of the new events alone, so summing them as they go by replaces
`store.rebuild_all()`, which read the million events back and took a third of the
command's time. Into a database that already holds events, seed_demo refreshes the
days it wrote with the store instead.

The rows are those `store` writes, keyed by its `CHECKED_KEYS` and holding its
`FIGURE_FIELDS`: for each table, a row per audience, only for events with count
lines, its `first_events` counting the events whose first audience it is. An event
of a kind has one line per audience of `kind.sizes`, in that order (`demo._event`):
the sums are kept per (day, kind) and per slot, then spread over the tables' keys
once their month is over, and written while the next months are drawn. The
venues' months (`VenueMonths`) are summed apart, in the same process, which is not
the one that writes the events (demo_writes.py).
tests/indicators/test_seed_demo.py checks that they equal what `store.rebuild_all()`
writes."""

from indicators.enums import EventRole
from indicators.figures.store import FIGURE_FIELDS, key_columns
from indicators.models import (
    DailyFigures,
    MonthlyFigures,
    PartnerDailyFigures,
    PartnerMonthlyFigures,
    VenueMonth,
)

ORGANISED, CO_ORGANISED = EventRole.ORGANISED.value, EventRole.CO_ORGANISED.value


def columns(model):
    """The columns of `rows`' tuples: the key, then the sums."""
    return [*key_columns(model), *FIGURE_FIELDS[model]]


class DemoFigures:
    """Add each drawn event of a month with `add`; `take_rows()` then gives the
    daily and monthly tables' rows of what was added (the venues' are
    `VenueMonths`') and forgets it. A process takes a month's rows before it draws
    the next (no event to come can change them: each month is drawn whole), so
    memory holds a month of sums, whatever the number of events."""

    def __init__(self, status):
        self.status = status
        # The sums are kept per day and per what the rows' keys read of a kind (its
        # initiative, format, organiser, its audiences: the audience of each of its
        # rows, and the first of them): (day, class) → sums, the sums being
        # [events, then people, women and known of each audience's slot].
        self._days = {}
        # (day, class, co-organiser) → the same sums, for the co-organisers' rows.
        self._co_organized = {}
        self._classes = {}

    def add(self, day, kind, co_organizers, lines):
        """Adds an event of `day`, its date as ISO text (2026-12-04): its rows take
        it as COPY reads it, and it sorts as dates do."""
        if not lines:  # counted in no row
            return
        kind_class = self._classes.get(kind)
        if kind_class is None:
            audiences = tuple(audience for audience, *_ in kind.sizes)
            kind_class = self._classes[kind] = (
                kind.initiative_pk,
                kind.format,
                kind.organizer_pk,
                (audiences, min(audiences)),
            )
        key = (day, kind_class)
        sums = self._days.get(key)
        if sums is None:
            sums = self._days[key] = [0] * (1 + 3 * len(lines))
        _add(sums, lines)
        for partner in co_organizers:
            key = (day, kind_class, partner)
            sums = self._co_organized.get(key)
            if sums is None:
                sums = self._co_organized[key] = [0] * (1 + 3 * len(lines))
            _add(sums, lines)

    def take_rows(self):
        """{model: {key: sums}} of the daily and monthly tables for the events added
        since the last call, keys and sums tuples in the order of `columns(model)`.
        Those events are forgotten."""
        days, self._days = self._days, {}
        co_organized, self._co_organized = self._co_organized, {}
        status = self.status
        daily, partners = {}, {}
        for (day, (initiative, format, organizer, audiences)), sums in days.items():
            for audience, counted in _slots(audiences, sums):
                _sum(daily, (day, initiative, format, status, audience), counted)
                _sum(partners, (day, organizer, ORGANISED, initiative, status, audience), counted)
        for (day, (initiative, _, _, audiences), partner), sums in co_organized.items():
            for audience, counted in _slots(audiences, sums):
                _sum(partners, (day, partner, CO_ORGANISED, initiative, status, audience), counted)
        months = {day: day[:8] + "01" for day, _ in days}
        return {
            DailyFigures: daily,
            PartnerDailyFigures: partners,
            MonthlyFigures: _per_month(daily, months),
            PartnerMonthlyFigures: _per_month(partners, months),
        }


class VenueMonths:
    """The venues' monthly rows (`VenueMonth`) of the drawn events, summed as
    `DemoFigures` sums the others: `add` each event with count lines in its month
    (its first day as ISO text), then `take_rows(venue_of)`."""

    def __init__(self, status):
        self.status = status
        # (month, kind, place) → events
        self._events = {}
        # place → its venue; kind → (its initiative, its audiences)
        self._venues, self._kinds = {}, {}

    def add(self, month, kind, place):
        key = (month, kind, place)
        self._events[key] = self._events.get(key, 0) + 1

    def take_rows(self, venue_of):
        """{VenueMonth: {key: (events,)}} of the events added since the last call,
        then forgotten; `venue_of(name, commune)` gives a place's venue id, asked
        once a place."""
        events, self._events = self._events, {}
        status, rows, venues, kinds = self.status, {}, self._venues, self._kinds
        for (event_month, kind, place), count in events.items():
            venue = venues.get(place)
            if venue is None:
                venue = venues[place] = venue_of(place[0], place[1])
            initiative_audiences = kinds.get(kind)
            if initiative_audiences is None:
                audiences = tuple(audience for audience, *_ in kind.sizes)
                initiative_audiences = kinds[kind] = (kind.initiative_pk, audiences)
            initiative, audiences = initiative_audiences
            for audience in audiences:
                key = (event_month, venue, initiative, status, audience)
                rows[key] = rows.get(key, 0) + count
        return {VenueMonth: {key: (count,) for key, count in rows.items()}}


def _add(sums, lines):
    """Adds one event's lines to its group's sums."""
    sums[0] += 1
    slot = 1
    for _, people, women in lines:
        sums[slot] += people
        if women is not None:
            sums[slot + 1] += women
            sums[slot + 2] += people
        slot += 3


def _slots(audiences, sums):
    """(audience, (events, first_events, people, women, known)) of a group's sums,
    `audiences` being (its events' audiences, the first of them): each of its events
    has a line of each of those."""
    events = sums[0]
    audiences, first = audiences
    if len(audiences) == 1:  # most groups
        return ((first, (events, events, *sums[1:4])),)
    return tuple(
        (
            audience,
            (events, events if audience == first else 0, *sums[3 * index + 1 : 3 * index + 4]),
        )
        for index, audience in enumerate(audiences)
    )


def _sum(rows, key, sums):
    """Adds the (events, first_events, people, women, known) `sums` to the row of
    `key`."""
    total = rows.get(key)
    if total is None:
        rows[key] = sums
    else:
        rows[key] = (
            total[0] + sums[0],
            total[1] + sums[1],
            total[2] + sums[2],
            total[3] + sums[3],
            total[4] + sums[4],
        )


def _per_month(daily, months):
    """Daily rows summed per month, as `store._rolled_up` does."""
    monthly = {}
    for key, sums in daily.items():
        _sum(monthly, (months[key[0]], *key[1:]), sums)
    return monthly

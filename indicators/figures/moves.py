"""The stored figures of events whose status alone changed (the list's « Valider »,
« Soumettre pour validation », « Renvoyer pour correction »): moved, not summed again.

An event that changes status and nothing else leaves the rows of its old status
with exactly what it brought them — one event, its lines' people, women and known
— and brings the same to the rows of its new status. So the rows of the events'
keys are read, the events' own lines are added to or taken from them, and only
those rows are written (their months' roll-ups summed again from them, as `store`
does): a hundred events cost their own lines, where summing their
keys again read every event of their days, partners and venues' months (a quarter
of a second a table at a million events, and ten times that at ten million).

Exact as long as the rows were: each row is the sum of its events' lines, under
the months' locks that every refresh takes (`store`), and the events are locked
by the action, which changes neither their lines nor their co-organisers. A row
that would not hold — missing, or left with fewer than no events — is a row that
had drifted: then the keys are summed again, as `store.refresh_events` does."""

from collections import Counter, defaultdict

from django.db.models import F, Q

from indicators.enums import EventRole
from indicators.figures import store
from indicators.models import (
    AudienceCount,
    AwarenessEvent,
    DailyFigures,
    PartnerDailyFigures,
    Venue,
    VenueMonth,
)


def move(events, old_statuses):
    """Moves the figures of these events (saved with their new status) from the rows
    of their old status, `old_statuses` {event id: status}, to those of the new.
    Within the caller's transaction."""
    moved = [event for event in events if old_statuses[event.pk] != event.status]
    if not moved:
        return
    keys = {store.event_key(event) for event in moved} | {
        store.event_key(event)._replace(status=old_statuses[event.pk]) for event in moved
    }
    store.lock_months({key.date.replace(day=1) for key in keys})
    deltas = _deltas(moved, old_statuses)
    if deltas is None:
        store.rebuild_keys(keys)
        return
    changes = [_changes(model, rows, delta) for model, (rows, delta) in deltas.items()]
    if None in changes:
        store.rebuild_keys(keys)
        return
    # Each row changed is deleted and written anew (an UPDATE of many rows with
    # different values is a CASE per row and field, slower to build than to run).
    for model, (replaced, created) in zip(deltas, changes, strict=True):
        model.objects.filter(pk__in=replaced).delete()
        model.objects.bulk_create(created)
    store.rebuild_month_keys(keys)


def _deltas(events, old_statuses):
    """{model: (its stored rows of the events' keys, the change of each row's sums)},
    a row named by its key; None if a place counted is no venue."""
    ids = [event.pk for event in events]
    lines = defaultdict(list)
    for event_id, audience, people, women in AudienceCount.objects.filter(
        event_id__in=ids
    ).values_list("event_id", "audience_id", "people", "women"):
        lines[event_id].append((audience, people, women))
    co_organizers = defaultdict(list)
    through = AwarenessEvent.co_organizers.through.objects.filter(awarenessevent_id__in=ids)
    for event_id, partner in through.values_list("awarenessevent_id", "partner_id"):
        co_organizers[event_id].append(partner)
    counted = [event for event in events if lines[event.pk]]
    places = {(event.venue_name, event.commune) for event in counted}
    venues = {}
    if places:
        venue_rows = Venue.objects.filter(store._one_of([F("name"), F("commune")], places))
        venues = {
            (name, commune): pk
            for pk, name, commune in venue_rows.values_list("pk", "name", "commune")
        }
    if len(venues) < len(places):
        return None
    daily, partner, venue = Counter(), Counter(), Counter()
    for event in counted:
        for status, sign in ((old_statuses[event.pk], -1), (event.status, 1)):
            for audience, sums in _sums(lines[event.pk]):
                signed = tuple(sign * value for value in sums)
                _add(
                    daily, (event.date, event.initiative_id, event.format, status, audience), signed
                )
                credited = [(event.organizer_id, EventRole.ORGANISED)] + [
                    (co, EventRole.CO_ORGANISED) for co in co_organizers[event.pk]
                ]
                for partner_id, role in credited:
                    key = (
                        event.date,
                        partner_id,
                        role.value,
                        event.initiative_id,
                        status,
                        audience,
                    )
                    _add(partner, key, signed)
                month = event.date.replace(day=1)
                place = venues[event.venue_name, event.commune]
                _add(venue, (month, place, event.initiative_id, status, audience), signed[:1])
    return {
        DailyFigures: (_stored(DailyFigures, daily), daily),
        PartnerDailyFigures: (_stored(PartnerDailyFigures, partner), partner),
        VenueMonth: (_stored(VenueMonth, venue), venue),
    }


def _sums(lines):
    """(audience, (events, first_events, people, women, known)) of the event's rows,
    one an audience (one line an audience): it is the first events of its first
    audience's row only."""
    first = min(audience for audience, _, _ in lines)
    return [
        (
            audience,
            (1, int(audience == first), people, women or 0, 0 if women is None else people),
        )
        for audience, people, women in lines
    ]


def _add(counter, key, sums):
    counter[key] = tuple(
        a + b for a, b in zip(counter.get(key, (0,) * len(sums)), sums, strict=True)
    )


def _stored(model, delta):
    """{key: row} of the model's stored rows among the delta's keys (every audience
    of their key without the audience, read through its index)."""
    fields = store.key_columns(model)
    without_audience = {key[:-1] for key in delta}
    first = fields[0]
    rows = model.objects.filter(
        Q(**{f"{first}__in": sorted({key[0] for key in delta})}),
        store._one_of([F(name) for name in fields[:-1]], without_audience),
    )
    return {tuple(getattr(row, name) for name in fields): row for row in rows}


def _changes(model, rows, delta):
    """(ids of the stored rows the delta changes, the rows that replace them) once
    the delta is added, a row left without events replaced by none; None if a row
    would not hold."""
    sums = store.FIGURE_FIELDS[model]
    replaced, created = [], []
    for key, change in delta.items():
        if not any(change):
            continue
        row = rows.get(key)
        values = list(change)
        if row is not None:
            replaced.append(row.pk)
            values = [getattr(row, name) + value for name, value in zip(sums, change, strict=True)]
        if min(values) < 0 or (values[0] == 0 and any(values)):
            return None
        if values[0]:
            fields = dict(zip(store.key_columns(model), key, strict=True))
            created.append(model(**fields, **dict(zip(sums, values, strict=True))))
    return replaced, created

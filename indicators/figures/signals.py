"""The receivers that keep the stored figures in step with every `.save()`,
`.delete()` and co-organisers' change of an event or a count line (see `store`):
each refreshes the rows of the keys (`store.EventKey`) its events had before the
change and have after it."""

from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from indicators.figures.store import KEY_FIELDS, EventKey, event_key, event_keys, refresh_events
from indicators.models import AudienceCount, AwarenessEvent

# What the figures read of an event and of a line: a save that changes none of it
# (a title, a note, a validation comment) leaves the figures as they are. The
# organiser is not in the key: the partners' rows of its date, initiative and
# status are all summed again.
EVENT_FIELDS_SUMMED = (*KEY_FIELDS, "organizer_id")
LINE_FIELDS_SUMMED = ("event_id", "audience_id", "people", "women")


def _row_before_save(instance, fields):
    """The instance's row as the database holds it before this save, or None."""
    if instance.pk is None or instance._state.adding:
        return None
    return type(instance).objects.filter(pk=instance.pk).values_list(*fields).first()


def _remember_event(sender, instance, raw=False, **kwargs):
    instance._stored_figures = _row_before_save(instance, EVENT_FIELDS_SUMMED)


def _event_saved(sender, instance, created, **kwargs):
    # A new event has no count lines yet: nothing to sum until they come.
    stored = getattr(instance, "_stored_figures", None)
    if created or stored == tuple(getattr(instance, name) for name in EVENT_FIELDS_SUMMED):
        return
    keys = {event_key(instance)}
    if stored:
        keys.add(EventKey(*stored[: len(KEY_FIELDS)]))
    refresh_events(keys)


def _event_deleted(sender, instance, **kwargs):
    refresh_events({event_key(instance)})


def _remember_line(sender, instance, raw=False, **kwargs):
    instance._stored_figures = _row_before_save(instance, LINE_FIELDS_SUMMED)


def _line_saved(sender, instance, **kwargs):
    stored = getattr(instance, "_stored_figures", None)
    if stored == tuple(getattr(instance, name) for name in LINE_FIELDS_SUMMED):
        return
    if stored is None or stored[0] == instance.event_id:
        refresh_events(_line_keys(instance))
    else:
        refresh_events(_keys_of({instance.event_id, stored[0]}))


def _line_deleted(sender, instance, origin=None, **kwargs):
    # Deleted with its event (one event or a queryset of them): the event's own
    # signal refreshes its rows, once rather than once per line.
    deleting_events = isinstance(origin, AwarenessEvent) or (
        isinstance(origin, QuerySet) and origin.model is AwarenessEvent
    )
    if not deleting_events:
        refresh_events(_line_keys(instance))


def _line_keys(line):
    if AudienceCount.event.is_cached(line):
        return {event_key(line.event)}
    return _keys_of({line.event_id})


def _keys_of(event_ids):
    return event_keys(AwarenessEvent.objects.filter(pk__in=event_ids))


def _co_organizers_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear", "post_clear"):
        return
    if not reverse:
        if action != "pre_clear":
            refresh_events({event_key(instance)})
        return
    # From the partner's side: the events are the ones named, or all of the
    # partner's, noted before a clear.
    if action == "pre_clear":
        instance._cleared_keys = event_keys(instance.co_organized_events.all())
    elif action == "post_clear":
        refresh_events(getattr(instance, "_cleared_keys", set()))
    else:
        refresh_events(_keys_of(pk_set))


def connect():
    pre_save.connect(_remember_event, sender=AwarenessEvent)
    post_save.connect(_event_saved, sender=AwarenessEvent)
    post_delete.connect(_event_deleted, sender=AwarenessEvent)
    pre_save.connect(_remember_line, sender=AudienceCount)
    post_save.connect(_line_saved, sender=AudienceCount)
    post_delete.connect(_line_deleted, sender=AudienceCount)
    m2m_changed.connect(_co_organizers_changed, sender=AwarenessEvent.co_organizers.through)

"""The receivers that keep the stored figures in step with every `.save()`,
`.delete()` and co-organisers' change of an event or a count line (see `store`)."""

from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from indicators.figures.store import refresh_days
from indicators.models import AudienceCount, AwarenessEvent


def _event_dates(event_ids):
    return set(AwarenessEvent.objects.filter(pk__in=event_ids).values_list("date", flat=True))


# What the figures read of an event and of a line: a save that changes none of it
# (a title, a note, a validation comment) leaves the figures as they are.
EVENT_FIELDS_SUMMED = (
    "date",
    "initiative_id",
    "format",
    "status",
    "organizer_id",
    "venue_name",
    "commune",
)
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
    refresh_days({instance.date, stored[0] if stored else None})


def _event_deleted(sender, instance, **kwargs):
    refresh_days({instance.date})


def _remember_line(sender, instance, raw=False, **kwargs):
    instance._stored_figures = _row_before_save(instance, LINE_FIELDS_SUMMED)


def _line_saved(sender, instance, **kwargs):
    stored = getattr(instance, "_stored_figures", None)
    if stored == tuple(getattr(instance, name) for name in LINE_FIELDS_SUMMED):
        return
    if stored is None or stored[0] == instance.event_id:
        refresh_days({_line_date(instance)})
    else:
        refresh_days(_event_dates({instance.event_id, stored[0]}))


def _line_deleted(sender, instance, origin=None, **kwargs):
    # Deleted with its event (one event or a queryset of them): the event's own
    # signal refreshes the day, once rather than once per line.
    deleting_events = isinstance(origin, AwarenessEvent) or (
        isinstance(origin, QuerySet) and origin.model is AwarenessEvent
    )
    if not deleting_events:
        refresh_days({_line_date(instance)})


def _line_date(line):
    if AudienceCount.event.is_cached(line):
        return line.event.date
    return AwarenessEvent.objects.filter(pk=line.event_id).values_list("date", flat=True).first()


def _co_organizers_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "pre_clear", "post_clear"):
        return
    if not reverse:
        if action != "pre_clear":
            refresh_days({instance.date})
        return
    # From the partner's side: the events are the ones named, or all of the
    # partner's, noted before a clear.
    if action == "pre_clear":
        instance._cleared_dates = set(instance.co_organized_events.values_list("date", flat=True))
    elif action == "post_clear":
        refresh_days(getattr(instance, "_cleared_dates", set()))
    else:
        refresh_days(_event_dates(pk_set))


def connect():
    pre_save.connect(_remember_event, sender=AwarenessEvent)
    post_save.connect(_event_saved, sender=AwarenessEvent)
    post_delete.connect(_event_deleted, sender=AwarenessEvent)
    pre_save.connect(_remember_line, sender=AudienceCount)
    post_save.connect(_line_saved, sender=AudienceCount)
    post_delete.connect(_line_deleted, sender=AudienceCount)
    m2m_changed.connect(_co_organizers_changed, sender=AwarenessEvent.co_organizers.through)

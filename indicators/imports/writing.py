"""Writing a checked import: every event, line and co-organiser in bulk, with
their history, in one transaction whose days' figures are refreshed once. The
caller empties the public pages' cache after its commit (`confirmation`)."""

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from indicators import credits
from indicators.figures import store
from indicators.models import AudienceCount, AwarenessEvent

REASON_MAX_LENGTH = 100  # the history's column
# bulk_update writes a CASE WHEN per field with a branch per object, which takes
# PostgreSQL minutes over thousands of objects at once: hence small batches, and
# only the fields that changed.
UPDATE_BATCH = 500
# Ids per IN (...) query, under SQLite's and PostgreSQL's limits on parameters.
IDS_PER_QUERY = 5000


def in_chunks(ids):
    ids = list(ids)
    for start in range(0, len(ids), IDS_PER_QUERY):
        yield ids[start : start + IDS_PER_QUERY]


def write(result, file_name):
    """Writes a checked import (`changes.EventImport`) in one transaction, with its
    history and an admin log entry per event."""
    user = result.user
    reason = f"Import du fichier « {file_name} »"[:REASON_MAX_LENGTH]
    history = {"default_user": user, "default_change_reason": reason}
    changes = [*result.created, *result.updated]
    created = [change.event for change in result.created]
    updated = [change.event for change in result.updated]
    now = timezone.now()
    # The days whose figures change: the events' new dates and, for those moved,
    # their old ones (the bulk writes below send no signal).
    days = {event.date for event in [*created, *updated]}
    with transaction.atomic(), store.collecting() as touched:
        for chunk in in_chunks([event.pk for event in updated]):
            days.update(AwarenessEvent.objects.filter(pk__in=chunk).values_list("date", flat=True))
        touched.update(days)
        if created:
            bulk_create_with_history(created, AwarenessEvent, **history)
        if updated:
            # A save like any other: a form open on one of these events is now stale.
            versions = {}
            for chunk in in_chunks([event.pk for event in updated]):
                events = AwarenessEvent.objects.filter(pk__in=chunk)
                events.update(updated_by=user, updated_at=now, version=F("version") + 1)
                versions.update(events.values_list("pk", "version"))
            for event in updated:
                event.updated_by, event.updated_at = user, now
                event.version = versions.get(event.pk, event.version)
            # Without fields (lines changed, not the event), only the history is written.
            fields = sorted({name for change in result.updated for name in change.changed_fields})
            bulk_update_with_history(
                updated, AwarenessEvent, fields, batch_size=UPDATE_BATCH, **history
            )
        _write_co_organizers(result)
        # Locked already: created by this transaction, or updated by it above.
        credits.credit(_credited_anew(changes), locked=True)
        if new_lines := [line for change in changes for line in change.lines_to_create]:
            bulk_create_with_history(new_lines, AudienceCount, **history)
        if changed_lines := [line for change in changes for line in change.lines_to_update]:
            bulk_update_with_history(
                changed_lines,
                AudienceCount,
                ["people", "women"],
                batch_size=UPDATE_BATCH,
                **history,
            )
        # Deleted with their signals, which record each deletion in the history.
        removed = [line.pk for change in changes for line in change.lines_to_delete]
        for chunk in in_chunks(removed):
            AudienceCount.objects.filter(pk__in=chunk).delete()
        LogEntry.objects.log_actions(
            user.pk, created, ADDITION, f"Créée par l'import du fichier « {file_name} »."
        )
        LogEntry.objects.log_actions(
            user.pk, updated, CHANGE, f"Modifiée par l'import du fichier « {file_name} »."
        )


def _credited_anew(changes):
    """The events whose organiser, date, initiative or co-organisers the import
    wrote: their credits (`indicators.credits`) are written again."""
    return [
        change.event.pk
        for change in changes
        if change.is_new
        or change.co_organizers_changed
        or change.changed_fields & {"date", "organizer", "initiative"}
    ]


def _write_co_organizers(result):
    through = AwarenessEvent.co_organizers.through
    replaced = [change.event.pk for change in result.updated if change.co_organizers_changed]
    for chunk in in_chunks(replaced):
        through.objects.filter(awarenessevent_id__in=chunk).delete()
    through.objects.bulk_create(
        through(awarenessevent_id=change.event.pk, partner_id=partner.pk)
        for change in [*result.created, *result.updated]
        if change.is_new or change.co_organizers_changed
        for partner in change.co_organizers
    )

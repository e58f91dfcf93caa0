"""Finding and restoring deleted events, from their change history.

An event's count lines are deleted with it (in the same request, a moment before
the event itself); restoring the event brings back the lines deleted in that
moment and its co-organisers as they were at its last save."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from indicators import workflow
from indicators.models import AudienceCount, AwarenessEvent

# Lines deleted this long before their event count as deleted with it.
CASCADE_WINDOW = datetime.timedelta(seconds=5)
LISTED = 200


def _check_permission(request, model_admin):
    if not workflow.may_restore(request.user):
        raise PermissionDenied


def deleted_records():
    """The deletion record of each event that is deleted and not restored since."""
    return (
        AwarenessEvent.history.filter(history_type="-")
        .exclude(id__in=AwarenessEvent.objects.values("pk"))
        .select_related("history_user", "initiative", "organizer")
        .order_by("-history_date")
    )


def deleted_list(request, model_admin):
    _check_permission(request, model_admin)
    records = list(deleted_records()[:LISTED])
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": AwarenessEvent._meta,
        "title": "Actions de sensibilisation supprimées",
        "records": records,
        "listed": LISTED,
    }
    return TemplateResponse(request, "indicators/admin/deleted_events.html", context)


def restore(request, history_id, model_admin):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    _check_permission(request, model_admin)
    record = deleted_records().filter(history_id=history_id).first()
    if record is None:
        raise Http404("Cette action n'est pas (ou plus) supprimée.")
    with transaction.atomic():
        event = _restore_event(record)
    messages.success(
        request,
        f"L'action « {event.title} » du {event.date:%d/%m/%Y} est restaurée, avec ses "
        f"{event.counts.count()} ligne(s) de comptage.",
    )
    return redirect(reverse("admin:indicators_awarenessevent_change", args=[event.pk]))


def _restore_event(record):
    event = record.instance
    event._change_reason = workflow.RESTORED_REASON
    event.save(force_insert=True)
    last_saved = (
        AwarenessEvent.history.filter(id=record.id, history_date__lt=record.history_date)
        .exclude(history_type="-")
        .order_by("-history_date")
        .first()
    )
    if last_saved is not None:
        event.co_organizers.set(last_saved.co_organizers.values_list("partner_id", flat=True))
    deleted_lines = AudienceCount.history.filter(
        event_id=record.id,
        history_type="-",
        history_date__gte=record.history_date - CASCADE_WINDOW,
        history_date__lte=record.history_date,
    )
    for line_record in deleted_lines:
        line = line_record.instance
        line._change_reason = "Restaurée avec son action"
        line.save(force_insert=True)
    return event

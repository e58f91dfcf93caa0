"""Finding and restoring deleted events, from their change history.

An event's count lines are deleted with it (in the same request, a moment before
the event itself); restoring the event brings back the lines it had when it was
deleted and its co-organisers as they were at its last save, unless one of them
was deleted or no longer works in the event's territory since. Only an event's
latest deletion is listed and restored: an older one would bring back stale
figures."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from indicators import history, workflow
from indicators.figures import store
from indicators.models import AwarenessEvent
from initiatives.models import Initiative
from partners.models import Partner
from territories import scoping

LISTED = 200


def _check_permission(request, model_admin):
    if not workflow.may_restore(request.user):
        raise PermissionDenied


def _visible(records, user):
    """The records of the events of `user`'s territories, those whose initiative is
    deleted too included (restore() refuses them, saying why): their territory is
    the one their initiative's deletion names in its own history. Without a plan
    left to say it, only the accounts that read every territory list them."""
    condition = scoping.visible_condition(records.model, user)
    if not condition:  # the national network, superusers: every record
        return records
    gone = ~Exists(Initiative.objects.filter(pk=OuterRef("initiative_id")))
    theirs = Exists(
        scoping.in_territories(
            Initiative.history.filter(id=OuterRef("initiative_id"), history_type="-"),
            scoping.account_territories(user),
        )
    )
    return records.filter(condition | (gone & theirs))


def deleted_records(user=None):
    """The deletion record of each event that is deleted and not restored since:
    the event's latest record (of the territories `user` reads, when given)."""
    latest = (
        AwarenessEvent.history.filter(id=OuterRef("id"))
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    records = AwarenessEvent.history.all()
    if user is not None:
        records = _visible(records, user)
    return (
        records.filter(history_type="-", history_id=Subquery(latest))
        .exclude(id__in=AwarenessEvent.objects.values("pk"))
        .select_related("history_user", "initiative", "organizer")
        .order_by("-history_date")
    )


def deleted_list(request, model_admin):
    _check_permission(request, model_admin)
    records = list(deleted_records(request.user)[:LISTED])
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
    deleted_url = reverse("admin:indicators_awarenessevent_deleted")
    with transaction.atomic(), store.collecting():
        # Two restores of one event wait for each other here; the second then finds
        # the event back and restores nothing.
        record = (
            _visible(AwarenessEvent.history.all(), request.user)
            .select_for_update(of=("self",))
            .filter(history_id=history_id, history_type="-")
            .first()
        )
        if record is None:
            raise Http404("Cette action n'est pas (ou plus) supprimée.")
        if AwarenessEvent.objects.filter(pk=record.id).exists():
            messages.error(request, workflow.RESTORE_CONFLICT)
            return redirect(reverse("admin:indicators_awarenessevent_change", args=[record.id]))
        if not deleted_records(request.user).filter(history_id=history_id).exists():
            messages.error(request, workflow.NOT_THE_LATEST_DELETION)
            return redirect(deleted_url)
        # Its initiative held in its plan, whose territory the organisers are checked
        # against, until the restore commits (Initiative.objects.held): first, so that
        # one deleted meanwhile is named as missing.
        Initiative.objects.filter(pk=record.initiative_id).held()
        lines = history.lines_at(record)
        co_organizers = history.co_organizers_at(record)
        if missing := history.missing_references(record, lines, co_organizers):
            messages.error(request, workflow.missing_message(missing))
            return redirect(deleted_url)
        organisers = Partner.objects.filter(pk__in={record.organizer_id, *co_organizers})
        organisers = list(organisers.order_by("name", "pk"))
        if outside := workflow.outside_the_territory(record.initiative_id, organisers):
            messages.error(request, workflow.left_the_territory_message(outside))
            return redirect(deleted_url)
        event = _restore_event(record, lines, co_organizers)
    messages.success(
        request,
        f"L'action « {event.title} » du {event.date:%d/%m/%Y} est restaurée, avec ses "
        f"{len(lines)} ligne(s) de comptage.",
    )
    return redirect(reverse("admin:indicators_awarenessevent_change", args=[event.pk]))


def _restore_event(record, lines, co_organizers):
    event = record.instance
    # A form left open on the event before its deletion shows an older version.
    event.version = record.version + 1
    event._change_reason = workflow.RESTORED_REASON
    event.save(force_insert=True)
    event.co_organizers.set(co_organizers)
    for line_record in lines:
        line = line_record.instance
        line._change_reason = workflow.RESTORED_REASON
        line.save(force_insert=True)
    return event

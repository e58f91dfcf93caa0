"""The staff overview of the count being entered: what awaits validation, what
lacks its figures, each partner's year, and the year's progress against targets.

A handful of queries whatever the number of events: the lists are single queries
and every figure comes from `indicators.stats`."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone

from feminisation.access import sees_all_events
from indicators.communes import names_to_link
from indicators.enums import EventStatus
from indicators.figures import stats
from indicators.models import AwarenessEvent
from initiatives.models import ActionPlan

LIST_LIMIT = 100


def overview(request, model_admin):
    if not (sees_all_events(request.user) and model_admin.has_view_permission(request)):
        raise PermissionDenied
    today = timezone.localdate()
    plan = ActionPlan.objects.current()
    events = AwarenessEvent.objects.select_related("initiative", "organizer")
    awaiting = events.filter(status=EventStatus.SUBMITTED).with_totals().order_by("date", "pk")
    without_counts = events.without_counts(today).order_by("-date", "-pk")
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Tableau de suivi de la saisie",
        "subtitle": None,
        "opts": model_admin.opts,
        "today": today,
        "plan": plan,
        "year": today.year,
        "awaiting": _limited(awaiting),
        "without_counts": _limited(without_counts),
        # The free-text communes no official commune matched (`load_communes`).
        "communes_to_link": names_to_link(limit=LIST_LIMIT),
        "list_limit": LIST_LIMIT,
        "statuses": _statuses(plan, today.year),
        "partners": [],
        "progress": [],
    }
    if plan is not None:
        year_scope = stats.Scope(
            plan, start=datetime.date(today.year, 1, 1), end=datetime.date(today.year, 12, 31)
        )
        context["partners"] = stats.by_partner(year_scope, public=False)
        context["progress"] = stats.target_progress(plan, today.year)
    return render(request, "indicators/admin/overview.html", context)


def _limited(events):
    """The first LIST_LIMIT events and how many there are in all (counted only when
    the list is cut)."""
    rows = list(events[:LIST_LIMIT])
    total = len(rows) if len(rows) < LIST_LIMIT else events.count()
    return {"rows": rows, "total": total, "is_cut": total > len(rows)}


def _statuses(plan, year):
    """The plan's events of the year in each status, in the workflow's order."""
    if plan is None:
        return []
    counts = dict(
        AwarenessEvent.objects.for_plan(plan)
        .filter(date__year=year)
        .values_list("status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return [(status, counts.get(status.value, 0)) for status in EventStatus]

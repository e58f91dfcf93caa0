"""The staff overview of the count being entered: what awaits validation, what
lacks its figures, each partner's year, and the year's progress against targets.

A handful of queries whatever the number of events: the lists are single queries
and every figure comes from `indicators.stats`."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from feminisation.access import sees_all_events
from indicators.communes import names_to_link
from indicators.enums import EventStatus
from indicators.figures import stats
from indicators.models import AwarenessEvent
from territories import plans as plans_of
from territories import scoping

LIST_LIMIT = 100


def overview(request, model_admin):
    user = request.user
    if not (sees_all_events(user) and model_admin.has_view_permission(request)):
        raise PermissionDenied
    today = timezone.localdate()
    # An account of several territories reads one territory's plan at a time.
    plans = plans_of.current_plans(user)
    plan = _chosen_plan(plans, request.GET.get(plans_of.PARAMETER))
    events = AwarenessEvent.objects.visible_to(user)
    if plan is not None and len(plans) > 1:
        events = scoping.in_territories(events, [plan.territory_id])
    events = events.select_related("initiative", "organizer")
    awaiting = events.filter(status=EventStatus.SUBMITTED).with_totals().order_by("date", "pk")
    without_counts = events.without_counts(today).order_by("-date", "-pk")
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Tableau de suivi de la saisie",
        "subtitle": plan.territory.name if len(plans) > 1 else None,
        "opts": model_admin.opts,
        "today": today,
        "plan": plan,
        "plans": plans if len(plans) > 1 else [],
        "territory_parameter": plans_of.PARAMETER,
        "year": today.year,
        "awaiting": _limited(awaiting),
        "without_counts": _limited(without_counts),
        # The free-text communes no official commune matched (`load_communes`).
        "communes_to_link": names_to_link(limit=LIST_LIMIT, events=events),
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


def _chosen_plan(plans, slug):
    """The plan of the territory named in the address, else the first one's; an
    unknown name is answered with a 404, not with another territory's figures."""
    if not slug:
        return plans[0] if plans else None
    plan = next((plan for plan in plans if plan.territory.slug == slug), None)
    if plan is None:
        raise Http404("Aucun de vos territoires n'a cet identifiant, ou il n'a pas de plan publié.")
    return plan


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

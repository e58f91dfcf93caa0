"""The admin home's to-do list: what waits for each role, each item linking to the
events list narrowed to exactly the events it counts.

Territory staff validate what partners submit and chase what is missing; partners
correct what staff returned and finish their drafts; managers read the year's
figures against the targets. Each task's condition is the events queryset's, and
serves both the count on the home and the list's « Par tâche à faire » filter
(TodoFilter), so the two always agree. The counts take one query per group of tasks, whatever
the number of events."""

import datetime
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from feminisation.access import can_export, can_validate, organisation_ids, sees_all_events
from feminisation.formatting import noun
from indicators import workflow
from indicators.enums import EventStatus
from indicators.figures import stats
from indicators.models import AwarenessEventQuerySet
from territories.middleware import sole_territory
from territories.plans import current_plans

# The to-do filter's name in the events list's address.
PARAMETER = "a_faire"
# Where each condition on the events is written.
Events = AwarenessEventQuerySet


@dataclass(frozen=True)
class Task:
    key: str  # the filter's value in the list's address
    label: str  # « À valider »
    # What the counted events are: (singular, plural).
    what: tuple
    nothing: str  # said when there is none
    # The condition on the events, for an account at a moment.
    condition: object
    # Counts the task's events apart, given the events, the account and the moment;
    # None: counted with the other tasks of its query, by `condition`.
    counted_by: object = None


SUBMITTED = Task(
    "a_valider",
    "À valider",
    ("action soumise, à valider ou renvoyer", "actions soumises, à valider ou renvoyer"),
    "Rien à valider",
    lambda user, now: Q(status=EventStatus.SUBMITTED),
)
WITHOUT_COUNTS = Task(
    "sans_chiffres",
    "Actions sans chiffres",
    ("action passée sans ligne de comptage", "actions passées sans ligne de comptage"),
    "Toutes les actions passées ont leurs chiffres",
    lambda user, now: Events.without_counts_condition(timezone.localdate(now)),
    # The staff see every event: counted from the daily figures, where seeking them
    # would read every event and every line.
    counted_by=lambda events, user, now: stats.past_events_without_counts(
        timezone.localdate(now), user
    ),
)
STALE_DRAFTS = Task(
    "brouillons_anciens",
    "Brouillons de plus de 30 jours",
    (
        "brouillon créé il y a plus de 30 jours, jamais soumis",
        "brouillons créés il y a plus de 30 jours, jamais soumis",
    ),
    "Aucun brouillon de plus de 30 jours",
    lambda user, now: Events.stale_draft_condition(now),
)
# A partner's tasks are about the events its organisations organise (a co-organiser
# sees an event but cannot correct it), in years not closed (which only the staff
# still change).
RETURNED = Task(
    "a_corriger",
    "À corriger",
    (
        "action renvoyée par l'équipe du territoire, avec son commentaire",
        "actions renvoyées par l'équipe du territoire, avec leur commentaire",
    ),
    "Rien à corriger",
    lambda user, now: (
        Events.organised_by_condition(user)
        & Events.in_open_year_condition()
        & Q(status=EventStatus.RETURNED)
    ),
)
DRAFTS = Task(
    "brouillons",
    "Brouillons",
    ("brouillon à compléter puis soumettre", "brouillons à compléter puis soumettre"),
    "Aucun brouillon",
    lambda user, now: (
        Events.organised_by_condition(user)
        & Events.in_open_year_condition()
        & Q(status=EventStatus.DRAFT)
    ),
)
OWN_WITHOUT_COUNTS = Task(
    "passees_sans_chiffres",
    "Actions passées sans chiffres",
    ("action passée dont les chiffres manquent", "actions passées dont les chiffres manquent"),
    "Toutes vos actions passées ont leurs chiffres",
    lambda user, now: (
        Events.organised_by_condition(user)
        & Events.in_open_year_condition()
        & Events.without_counts_condition(timezone.localdate(now))
    ),
)

# Each role's tasks in the order the home lists them, and the groups of them each
# counted in one query. The staff's submitted events and drafts are few, found
# through the (status, date) index; their past events without figures are counted
# apart. A partner's events are few: one query.
STAFF_TASKS = (SUBMITTED, WITHOUT_COUNTS, STALE_DRAFTS)
STAFF_QUERIES = ((SUBMITTED, STALE_DRAFTS),)
PARTNER_TASKS = (RETURNED, DRAFTS, OWN_WITHOUT_COUNTS)
PARTNER_QUERIES = (PARTNER_TASKS,)


def tasks(user):
    """The account's tasks; none for managers, who only read."""
    return _role(user)[0]


def _role(user):
    if can_validate(user):
        return STAFF_TASKS, STAFF_QUERIES
    if sees_all_events(user):
        return (), ()
    if user.has_perm(workflow.CHANGE) and organisation_ids(user):
        return PARTNER_TASKS, PARTNER_QUERIES
    return (), ()


def counts(events, user, now):
    """{task key: how many of `events` it keeps}, one query per group of tasks (each
    reads only the events one of its tasks keeps), and those of the tasks counted
    apart."""
    tasks, groups = _role(user)
    found = {task.key: task.counted_by(events, user, now) for task in tasks if task.counted_by}
    for group in groups:
        conditions = {task.key: task.condition(user, now) for task in group}
        found.update(
            events.filter(reduce(or_, conditions.values()))
            .order_by()
            .aggregate(
                **{key: Count("pk", filter=condition) for key, condition in conditions.items()}
            )
        )
    return found


@dataclass(frozen=True)
class Item:
    task: Task
    count: int
    url: str

    @property
    def description(self):
        return noun(self.count, *self.task.what)


def todo_list(events, user, now=None):
    """The account's to-do items on the home, each with its count and the list's
    address narrowed to its events; [] for an account without tasks."""
    now = now or timezone.now()
    found = counts(events, user, now)
    changelist = reverse("admin:indicators_awarenessevent_changelist")
    return [
        Item(task, found[task.key], f"{changelist}?{PARAMETER}={task.key}") for task in tasks(user)
    ]


def all_done(items):
    return not any(item.count for item in items)


def year_figures(today, plan):
    """For managers: a plan's figures this year, and its targets for the year with
    what has been reached (no plan published: no figures)."""
    year = today.year
    if plan is None:
        return {"year": year, "plan": None, "totals": None, "progress": []}
    scope = stats.Scope(plan, start=datetime.date(year, 1, 1), end=datetime.date(year, 12, 31))
    return {
        "year": year,
        "plan": plan,
        "totals": stats.totals(scope),
        "progress": stats.target_progress(plan, year),
    }


class HomeMixin:
    """For AwarenessEventAdmin: what the admin home shows of the events (see
    feminisation.admin_site.AdminSite.index)."""

    def home_context(self, request):
        user = request.user
        if not self.has_view_permission(request):
            return {}
        items = todo_list(self.visible_events(request), user)
        context = {"todo": items, "todo_all_done": all_done(items), "may_export": can_export(user)}
        if sees_all_events(user) and not can_validate(user):
            # Each territory's plan, for an account of several (the national network).
            today = timezone.localdate()
            plans = current_plans(user) or [None]
            context["year_figures"] = [year_figures(today, plan) for plan in plans]
            context["several_plans"] = len(plans) > 1
            # On an instance of several territories, `/` lists them: a territory's
            # dashboard is at its own address, whatever the account reads.
            context["sites_per_territory"] = sole_territory() is None
        return context

"""The events list's filters and its change list: each filter keeps the events
without joining a to-many relation, so the list never needs DISTINCT."""

import json

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.contrib.admin.utils import (
    build_q_object_from_lookup_parameters,
    lookup_spawns_duplicates,
    quote,
)
from django.contrib.admin.views.main import (
    ALL_VAR,
    ERROR_FLAG,
    IS_FACETS_VAR,
    ORDER_VAR,
    PAGE_VAR,
    ChangeList,
)
from django.core.exceptions import EmptyResultSet, ValidationError
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.functional import cached_property

from feminisation.access import organisation_ids, sees_all_events
from indicators.admin import todo
from indicators.models import AudienceCount, AwarenessEvent, CreditedCoOrganizer, EventCredit
from partners.models import Partner
from territories import scoping
from territories.admin import ScopedRelatedFilter


class TodoFilter(admin.SimpleListFilter):
    """The events of each item of the admin home's to-do list (indicators.admin.todo),
    among the account's own tasks: the list shows what the home counts."""

    title = "tâche à faire"
    parameter_name = todo.PARAMETER

    def lookups(self, request, model_admin):
        return [(task.key, task.label) for task in todo.tasks(request.user)]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        task = next((task for task in todo.tasks(request.user) if task.key == self.value()), None)
        if task is None:
            raise IncorrectLookupParameters(self.value())
        return queryset.filter(task.condition(request.user, timezone.now()))


class CommuneToLinkFilter(admin.SimpleListFilter):
    """The events whose commune is still a free text, all of them or those of one
    name (the overview links each name left to link here)."""

    title = "commune"
    parameter_name = "commune_a_rattacher"
    ALL = "toutes"

    def lookups(self, request, model_admin):
        choices = [(self.ALL, "À rattacher")]
        if self.value() not in (None, self.ALL):
            choices.append((self.value(), f"À rattacher : « {self.value()} »"))
        return choices

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        queryset = queryset.without_official_commune()
        return queryset if value == self.ALL else queryset.filter(commune=value)


class ChoicesOnceMixin:
    """With facets, Django builds the list's filters again for each filter's counts,
    and a related filter reads its choices each time: read them once per request."""

    def field_choices(self, field, request, model_admin):
        cache = request.__dict__.setdefault("_filter_choices", {})
        key = (type(self), self.field_path)
        if key not in cache:
            cache[key] = super().field_choices(field, request, model_admin)
        return cache[key]


class RelatedFilter(ChoicesOnceMixin, ScopedRelatedFilter):
    """Offers the initiatives of the account's territories."""


class SemiJoinFilter(admin.RelatedFieldListFilter):
    """A filter through a to-many relation (an event's count lines, its co-organisers)
    that keeps the events whose id is among the relation's matching rows.

    Django joins the relation instead: an event is listed once per matching row, and
    the list then needs DISTINCT. `link_model` is the relation's table, `link_event`
    its field naming the event and `link_target` the one naming the filtered object;
    the query string is Django's own (`counts__audience__id__exact=…`)."""

    link_model = link_event = link_target = None

    def queryset(self, request, queryset):
        rows = self.link_model._default_manager
        chosen = {
            self.link_target + key.removeprefix(self.field_path): values
            for key, values in self.used_parameters.items()
            if key != self.lookup_kwarg_isnull
        }
        try:
            if chosen:
                matching = rows.filter(build_q_object_from_lookup_parameters(chosen))
                queryset = queryset.filter(pk__in=matching.values(self.link_event))
            if self.lookup_kwarg_isnull in self.used_parameters:
                linked = rows.filter(**{f"{self.link_target}__isnull": False})
                linked = linked.values(self.link_event)
                if self.used_parameters[self.lookup_kwarg_isnull][-1]:
                    queryset = queryset.exclude(pk__in=linked)
                else:
                    queryset = queryset.filter(pk__in=linked)
        except (ValueError, ValidationError) as error:
            raise IncorrectLookupParameters(error) from error
        return queryset


class AudienceFilter(ChoicesOnceMixin, SemiJoinFilter):
    """Offers every audience; keeps the events with a count line for it."""

    link_model, link_event, link_target = AudienceCount, "event", "audience"


class NamedPartnersFilter(admin.RelatedOnlyFieldListFilter):
    """Offers only the partners of the events the user may see.

    Django reads the distinct partners of a join of every visible event; asking each
    of the few partners whether a visible event names it costs an index probe each.
    Only the partners working in the account's territories are offered. Staff see
    every event: an organiser is then any partner that organises one, a
    co-organiser any partner of the link table. A partner's account: the organisers
    of the events credited to its organisations, read off their credits'
    (organizer, partner) index (`EventCredit`), and their co-organisers off
    (co_organizer, partner) (`CreditedCoOrganizer`)."""

    def field_choices(self, field, request, model_admin):
        user = request.user
        if sees_all_events(user):
            if field.many_to_many:
                link = field.remote_field.through._default_manager
                named = link.filter(**{field.m2m_reverse_field_name(): OuterRef("pk")})
            else:
                named = AwarenessEvent.objects.filter(**{self.field_path: OuterRef("pk")})
        elif field.many_to_many:
            named = CreditedCoOrganizer.objects.filter(
                partner__in=organisation_ids(user), co_organizer=OuterRef("pk")
            )
        else:
            named = EventCredit.objects.of_partners(
                organisation_ids(user), scoping.account_initiatives(user)
            ).filter(organizer=OuterRef("pk"))
        return field.get_choices(
            include_blank=False,
            limit_choices_to=Q(Exists(named)) & scoping.visible_condition(Partner, user),
            ordering=self.field_admin_ordering(field, request, model_admin),
        )


class OrganizerFilter(ChoicesOnceMixin, NamedPartnersFilter):
    """The organisers of the events the user may see."""


class CoOrganizerFilter(ChoicesOnceMixin, SemiJoinFilter, NamedPartnersFilter):
    """The co-organisers of the events the user may see, and « - » for the events
    without any; keeps the events one of whose co-organisers is chosen."""

    link_model = AwarenessEvent.co_organizers.through
    link_event, link_target = "awarenessevent", "partner"


class EventChangeList(ChangeList):
    """The events' list, without DISTINCT.

    When a lookup through a to-many relation may match an event twice, Django adds
    DISTINCT on every column, the totals' subqueries included: PostgreSQL then
    computes the totals of every matching event before keeping a page, and again for
    the page's count, the date hierarchy and each facet (seconds at 100,000 events).
    The to-many filters are semi-joins (SemiJoinFilter) and the search is written
    without joins: neither lists an event twice. A to-many lookup typed in the
    address (`counts__audience__id__in=1,2`) may: the events whose id matches are
    then kept, each once, and the totals are computed for the page's rows only."""

    def get_filters(self, request):
        specs, has_filters, lookups, may_have_duplicates, has_active_filters = super().get_filters(
            request
        )
        # Django says so of any filter whose path crosses a to-many relation.
        may_have_duplicates = may_have_duplicates and (
            any(lookup_spawns_duplicates(self.lookup_opts, key) for key in lookups)
            or any(
                spec.used_parameters and lookup_spawns_duplicates(self.lookup_opts, spec.field_path)
                for spec in specs
                if isinstance(spec, admin.FieldListFilter) and not isinstance(spec, SemiJoinFilter)
            )
        )
        # The bounds of the year, month or day chosen in the date hierarchy (Django
        # gives them as datetimes).
        field = self.lookup_opts.get_field(self.date_hierarchy)
        self.date_bounds = {
            f"day_in_order__{name}": field.get_prep_value(lookups[key][-1])
            for name in ("gte", "lt")
            if (key := f"{self.date_hierarchy}__{name}") in lookups
        }
        return specs, has_filters, lookups, may_have_duplicates, has_active_filters

    def get_queryset(self, request, exclude_parameters=None):
        events = super().get_queryset(request, exclude_parameters)
        if (date := events.date_in_order()) != "date":
            # The chosen period narrows a partner's credits' index range too.
            # Named by an alias, it is read through the credits already joined.
            events = events.alias(day_in_order=F(date)).filter(**self.date_bounds)
        if not events.query.distinct:
            return events
        matching = events.order_by().values("pk")
        matching.query.distinct = False  # IN (…) lists each event once already
        return self.apply_select_related(self.root_queryset.filter(pk__in=matching)).order_by(
            *events.query.order_by
        )

    def url_for_result(self, result):
        # Django's link to each row's form, reversed once for the page rather than
        # twice a row (the date and the title link to it).
        before, after = self._change_url_around_pk
        return f"{before}{quote(result.pk)}{after}"

    @cached_property
    def _change_url_around_pk(self):
        placeholder = "PK"
        url = super().url_for_result(self.model(pk=placeholder))
        before, _, after = url.rpartition(placeholder)
        return before, after

    def get_ordering(self, request, queryset):
        """Django's order, a partner's events ordered by their credits' date (the
        events' own, kept equal): the order of its credits' index."""
        ordering = super().get_ordering(request, queryset)
        date = queryset.date_in_order()
        if date == "date":
            return ordering
        swapped = {"date": date, "-date": f"-{date}"}
        return [
            swapped.get(field, field) if isinstance(field, str) else field for field in ordering
        ]

    def get_results(self, request):
        super().get_results(request)
        # « environ 1 000 000 actions »: the templates say when the count is estimated.
        self.result_count_estimated = getattr(self.paginator, "estimated", False)

    def date_navigation(self):
        """Django's date hierarchy, whose first level lists the years of the list's
        events: on PostgreSQL read off the date index, one probe per year (a loose
        index scan), where Django reads the year of every event (a scan of the
        table, ~350 ms at 1,000,000 events). A partner's list is its own events:
        their years only. A chosen year, month or day is Django's."""
        field = self.date_hierarchy
        if any(key.startswith(f"{field}__") for key in self.params):
            return date_hierarchy(self)
        if connections[self.queryset.db].vendor == "postgresql":
            years = _years(self.queryset, field)
        else:
            # Django's query (the distinct years of the events), without its first
            # one (the first and last dates).
            years = [day.year for day in self.queryset.dates(field, "year")]
        return {
            "show": bool(years),
            "back": None,
            "choices": [
                {
                    "link": self.get_query_string({f"{field}__year": year}, [f"{field}__"]),
                    "title": str(year),
                }
                for year in years
            ],
        }


def _years(queryset, field):
    """The years of `queryset`'s dates, in order: a recursive query that jumps from
    each year's first date to the next year's, each step one index probe (of the
    credits' index for a partner's events)."""
    if field == "date":
        field = queryset.date_in_order()
    # Named by an annotation, the date is read through the joins the queryset has
    # (a filter on a to-many path would join the credits a second time).
    events = queryset.annotate(day=F(field)).order_by("day").values("day")
    first = events[:1]
    next_year = RawSQL("make_date(years.year + 1, 1, 1)", ())
    following = events.filter(day__gte=next_year)[:1]
    connection = connections[queryset.db]
    try:
        first_sql, first_params = first.query.get_compiler(connection=connection).as_sql()
        next_sql, next_params = following.query.get_compiler(connection=connection).as_sql()
    except EmptyResultSet:  # a partner's account without organisation
        return []
    sql = (
        "WITH RECURSIVE years(year) AS ("
        f"SELECT extract(year FROM ({first_sql}))::int "
        f"UNION ALL SELECT extract(year FROM ({next_sql}))::int "
        "FROM years WHERE years.year IS NOT NULL"
        ") SELECT year FROM years WHERE year IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (*first_params, *next_params))
        return [year for (year,) in cursor.fetchall()]


# Query string parameters that do not narrow the list.
NOT_FILTERS = {ALL_VAR, ERROR_FLAG, IS_FACETS_VAR, ORDER_VAR, PAGE_VAR}
# Below this many events (as estimated), the list's events are counted exactly.
EXACT_COUNT_BELOW = 10_000


class EventPaginator(Paginator):
    """Counts the events of a list without filters nor search by the planner's
    estimate on PostgreSQL, as healthchecks' LargeTablePaginator does with the
    table's statistics (a partner's: of its credits' index range): COUNT(*) reads
    every event the list shows (~60 ms at 1,000,000 events for the staff). The
    exact count below EXACT_COUNT_BELOW, and whenever the list is filtered.

    `partners` are the account's organisations (None for the staff, who see every
    event); `estimable` says whether the list is unfiltered; `user` narrows the
    estimate to the account's territories."""

    def __init__(self, *args, partners=None, estimable=False, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.partners = partners
        self.user = user
        self.estimable = estimable
        self.estimated = False

    @cached_property
    def count(self):
        events = self.object_list
        connection = connections[events.db]
        if (
            not self.estimable
            or connection.vendor != "postgresql"
            or self.partners == []  # an account without organisation sees no event
        ):
            return super().count
        if self.partners is None:
            rows = events.model._default_manager.all()
            if self.user is not None:
                # The account's territories' events only (the estimate of a join).
                rows = scoping.visible_to(rows, self.user)
        else:
            # A range of the credits' index, in the account's territories; an event
            # credited to two of the account's organisations counts twice in the
            # estimate.
            initiatives = None if self.user is None else scoping.account_initiatives(self.user)
            rows = EventCredit.objects.of_partners(self.partners, initiatives)
        estimate = _planned_rows(rows, connection)
        if estimate >= EXACT_COUNT_BELOW:
            self.estimated = True
            return estimate
        if self.partners is not None and len(self.partners) == 1:
            # One partner's events are its credits, one each: counted off the index.
            return rows.count()
        return super().count


def _planned_rows(queryset, connection):
    """The planner's estimate of the rows of `queryset`: no row read."""
    try:
        sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    except EmptyResultSet:  # an account without territory
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return round(plan[0]["Plan"]["Plan Rows"])


def is_unfiltered(request):
    """Whether the list shows every event the account sees (no filter, no search)."""
    return not (set(request.GET) - NOT_FILTERS)


def events_paginator(request, queryset, per_page, orphans=0, allow_empty_first_page=True):
    user = request.user
    return EventPaginator(
        queryset,
        per_page,
        orphans,
        allow_empty_first_page,
        partners=None if sees_all_events(user) else organisation_ids(user),
        estimable=is_unfiltered(request),
        user=user,
    )

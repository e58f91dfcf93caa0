"""The events list's filters and its change list: each filter keeps the events
without joining a to-many relation, so the list never needs DISTINCT."""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.contrib.admin.utils import (
    build_q_object_from_lookup_parameters,
    lookup_spawns_duplicates,
)
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.db.models import Exists, Max, Min, OuterRef, Q
from django.utils import timezone

from feminisation.access import sees_all_events
from indicators.admin import todo
from indicators.models import AudienceCount, AwarenessEvent


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


class RelatedFilter(ChoicesOnceMixin, admin.RelatedFieldListFilter):
    """Offers every initiative."""


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
    Staff see every event: a co-organiser is then any partner of the link table."""

    def field_choices(self, field, request, model_admin):
        if field.many_to_many and sees_all_events(request.user):
            link = field.remote_field.through._default_manager
            named = link.filter(**{field.m2m_reverse_field_name(): OuterRef("pk")})
        else:
            events = model_admin.visible_events(request)
            named = events.filter(**{self.field_path: OuterRef("pk")})
        return field.get_choices(
            include_blank=False,
            limit_choices_to=Q(Exists(named)),
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
        return specs, has_filters, lookups, may_have_duplicates, has_active_filters

    def get_queryset(self, request, exclude_parameters=None):
        events = super().get_queryset(request, exclude_parameters)
        if not events.query.distinct:
            return events
        matching = events.order_by().values("pk")
        matching.query.distinct = False  # IN (…) lists each event once already
        return self.apply_select_related(self.root_queryset.filter(pk__in=matching)).order_by(
            *events.query.order_by
        )

    def date_navigation(self):
        """Django's date hierarchy, whose first level lists every year from the
        list's first event to its last: two index probes, where Django reads the
        year of every event (a scan of the table, ~200 ms at 1,000,000 events). A
        partner's list is its own events: their years only. A year without events
        between two others, rare in a plan, lists nothing when chosen."""
        field = self.date_hierarchy
        if any(key.startswith(f"{field}__") for key in self.params):
            return date_hierarchy(self)
        dates = self.queryset.aggregate(first=Min(field), last=Max(field))
        if dates["first"] is None:
            return {"show": False, "back": None, "choices": []}
        years = range(dates["first"].year, dates["last"].year + 1)
        return {
            "show": True,
            "back": None,
            "choices": [
                {
                    "link": self.get_query_string({f"{field}__year": year}, [f"{field}__"]),
                    "title": str(year),
                }
                for year in years
            ],
        }

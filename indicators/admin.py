from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import (
    build_q_object_from_lookup_parameters,
    lookup_spawns_duplicates,
)
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import path
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.text import smart_split, unescape_string_literal

from feminisation.admin import ConstraintMessageInlineFormSet, HistoryAdmin
from indicators import daily, export_views, overview, stats, validation
from indicators.enums import EventStatus
from indicators.forms import AwarenessEventAdminForm, EventActionForm
from indicators.imports import EventImportMixin
from indicators.models import AudienceCount, AwarenessEvent, ClosedYear, Target, sees_all_events
from indicators.partner_access import PartnerAccessMixin, can_validate
from indicators.templatetags.figures import counted, number
from initiatives.models import ActionPlan
from partners.models import Partner


class TrackedByAdminMixin:
    """Shows who created and who last changed an object, and when, read-only, and
    records the logged-in user as one or the other on every save."""

    tracking_fields = ("created_at", "created_by", "updated_at", "updated_by")

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), *self.tracking_fields)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


class AudienceCountInline(admin.TabularInline):
    model = AudienceCount
    formset = ConstraintMessageInlineFormSet
    fields = ("audience", "people", "women")
    extra = 1

    class Media:
        # Adds « Total : N personnes, dont M femmes ou filles » under the lines, kept up
        # to date as they are typed.
        js = ["admin_extra/count_total.js"]
        css = {"all": ["admin_extra/admin_extra.css"]}

    def get_queryset(self, request):
        # Each saved line is titled with its audience.
        return super().get_queryset(request).select_related("audience")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "audience":
            # Read the audiences once per page, not once per line (and through
            # iter(), which list() would precede with a COUNT query).
            formfield.choices = list(iter(formfield.choices))
        return formfield


class AwaitingValidationFilter(admin.SimpleListFilter):
    title = "validation"
    parameter_name = "a_valider"

    def lookups(self, request, model_admin):
        return [("oui", "À valider")]

    def queryset(self, request, queryset):
        if self.value() == "oui":
            return queryset.filter(status=EventStatus.SUBMITTED)
        return queryset


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


MAIN_FIELDSET = (None, {"fields": ("initiative", "title", "date", "format", "notes")})
PLACE_FIELDSET = ("Lieu", {"fields": ("venue_name", "commune")})
ORGANISATION_FIELDSET = ("Organisation", {"fields": ("organizer", "co_organizers")})
RETURNED_FIELDSET = (
    "À corriger",
    {
        "fields": ("review_comment",),
        "description": "L'équipe du territoire vous a renvoyé cette action avec ce "
        "commentaire. Corrigez-la, puis enregistrez-la « Soumise, à valider ».",
    },
)
TOTAL_FIELDSET = ("Bilan", {"fields": ("total",)})
TRACKING_FIELDSET = (
    "Suivi",
    {
        "fields": (
            "created_at",
            "created_by",
            "updated_at",
            "updated_by",
            "validated_at",
            "validated_by",
        )
    },
)
PARTNER_STATUSES = (EventStatus.DRAFT, EventStatus.SUBMITTED)
EVENT_SEARCH_FIELDS = ("title", "venue_name", "commune")
PARTNER_SEARCH_FIELDS = ("name", "short_name")
DEMOTED_REASON = "Modifiée par le partenaire : à valider de nouveau"


@admin.register(AwarenessEvent)
class AwarenessEventAdmin(EventImportMixin, PartnerAccessMixin, TrackedByAdminMixin, HistoryAdmin):
    """The events, their count lines inline, the validation workflow's actions and
    side effects, and the pages of the staff (overview, deleted events). Who may
    reach which event is PartnerAccessMixin's."""

    form = AwarenessEventAdminForm
    action_form = EventActionForm
    actions = (
        validation.submit_for_validation,
        validation.validate,
        validation.return_for_correction,
        "export_selection",
    )
    change_list_template = "indicators/admin/event_change_list.html"
    list_display = (
        "date",
        "title",
        "initiative",
        "format",
        "commune",
        "organizer",
        "status",
        "people_total",
        "women_total",
    )
    list_display_links = ("date", "title")
    list_filter = (
        AwaitingValidationFilter,
        "status",
        ("initiative", RelatedFilter),
        "format",
        ("counts__audience", AudienceFilter),
        ("organizer", OrganizerFilter),
        ("co_organizers", CoOrganizerFilter),
    )
    # Each filter's counts (facets) read every visible event, one query per filter:
    # shown on demand, by the « Afficher les nombres » link.
    show_facets = admin.ShowFacets.ALLOW
    # Searched by get_search_results: each word in an event's own fields, or in the
    # name of its organiser or of one of its co-organisers.
    search_fields = (
        *EVENT_SEARCH_FIELDS,
        *(f"organizer__{name}" for name in PARTNER_SEARCH_FIELDS),
        *(f"co_organizers__{name}" for name in PARTNER_SEARCH_FIELDS),
    )
    date_hierarchy = "date"
    list_select_related = ("initiative", "organizer")
    autocomplete_fields = ("initiative", "organizer", "co_organizers")
    radio_fields = {"status": admin.VERTICAL}
    readonly_fields = ("total", "validated_at", "validated_by")
    inlines = (AudienceCountInline,)

    @admin.action(description="Exporter la sélection (CSV pour Excel)", permissions=["view"])
    def export_selection(self, request, queryset):
        # The selection is already narrowed to the events this user may see.
        return export_views.events_response(queryset, today=timezone.localdate())

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("suivi/", wrap(self.overview_view), name=f"{info}_overview"),
            path("supprimees/", wrap(self.deleted_view), name=f"{info}_deleted"),
            path(
                "supprimees/<int:history_id>/restaurer/",
                wrap(self.restore_view),
                name=f"{info}_restore",
            ),
            *super().get_urls(),
        ]

    def overview_view(self, request):
        return overview.overview(request, model_admin=self)

    # The recovery of deleted events is written alongside, in its own module.
    def deleted_view(self, request):
        from indicators import deleted_events

        return deleted_events.deleted_list(request, model_admin=self)

    def restore_view(self, request, history_id):
        from indicators import deleted_events

        return deleted_events.restore(request, history_id, model_admin=self)

    def visible_events(self, request):
        """The events this user may see, without the totals' subqueries."""
        return super().get_queryset(request)

    def get_queryset(self, request):
        return self.visible_events(request).with_totals()

    def get_changelist(self, request, **kwargs):
        return EventChangeList

    def get_search_results(self, request, queryset, search_term):
        """Django's search on search_fields (each word, or "quoted phrase", in one of
        the fields), with the partners' names matched in the partners' own table of a
        few rows: the events are then kept by their organiser's or co-organisers' ids.
        Django would join every event to its organiser and co-organisers, list an
        event once per matching co-organiser and need DISTINCT."""
        if not search_term:
            return queryset, False
        co_organised = AwarenessEvent.co_organizers.through.objects
        for word in smart_split(search_term):
            if word.startswith(('"', "'")) and word[0] == word[-1]:
                word = unescape_string_literal(word)
            partners = Partner.objects.filter(
                Q.create(
                    [(f"{name}__icontains", word) for name in PARTNER_SEARCH_FIELDS], connector=Q.OR
                )
            ).values("pk")
            queryset = queryset.filter(
                Q.create(
                    [(f"{name}__icontains", word) for name in EVENT_SEARCH_FIELDS], connector=Q.OR
                )
                | Q(organizer__in=partners)
                | Q(pk__in=co_organised.filter(partner__in=partners).values("awarenessevent"))
            )
        return queryset, False

    def workflow_counts(self, request):
        """The events awaiting validation or correction: few, found through the
        (status, date) index where counting with FILTER would read every event."""
        counts = dict(
            self.visible_events(request)
            .filter(status__in=(EventStatus.SUBMITTED, EventStatus.RETURNED))
            .order_by()
            .values_list("status")
            .annotate(events=Count("pk"))
        )
        return {
            "submitted": counts.get(EventStatus.SUBMITTED, 0),
            "returned": counts.get(EventStatus.RETURNED, 0),
        }

    def changelist_view(self, request, extra_context=None):
        sees_all = sees_all_events(request.user)
        context = {
            # Counted when the list is shown, not when an action is run from it.
            "workflow_counts": SimpleLazyObject(lambda: self.workflow_counts(request)),
            "show_overview_link": sees_all,
            "show_deleted_link": sees_all and self.has_add_permission(request),
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)

    # An event, its lines and its co-organisers are saved one by one: their days'
    # figures are refreshed once, at the end of the request's transaction.

    def changeform_view(self, request, *args, **kwargs):
        if request.method != "POST":
            return super().changeform_view(request, *args, **kwargs)
        with daily.collecting():
            return super().changeform_view(request, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        if request.method != "POST":
            return super().delete_view(request, *args, **kwargs)
        with daily.collecting():
            return super().delete_view(request, *args, **kwargs)

    # The form: what each role is offered.

    def get_fieldsets(self, request, obj=None):
        staff = sees_all_events(request.user)
        # The comment is for an event sent back to its partner, after it was entered;
        # the partner reads it at the top of the form.
        status_fields = ("status", "review_comment") if staff and obj else ("status",)
        fieldsets = [
            MAIN_FIELDSET,
            PLACE_FIELDSET,
            ORGANISATION_FIELDSET,
            ("Validation", {"fields": status_fields}),
        ]
        if obj is None:
            # Nothing is saved or counted yet on the add form.
            return fieldsets
        if not staff and obj.status == EventStatus.RETURNED:
            fieldsets.insert(0, RETURNED_FIELDSET)
        return [*fieldsets, TOTAL_FIELDSET, TRACKING_FIELDSET, *self.reason_fieldsets(request, obj)]

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if not can_validate(request.user):
            return (*readonly, "review_comment")
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        # modelform_factory builds a new class on each call: this stays per request.
        form.may_edit_closed_years = can_validate(request.user)
        return form

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status":
            if can_validate(request.user):
                kwargs["help_text"] = (
                    "Seules les actions validées comptent dans les chiffres publics. Pour "
                    "renvoyer l'action au partenaire, choisissez « À corriger » et dites-lui "
                    "quoi corriger dans le commentaire."
                )
            else:
                kwargs["choices"] = [(status.value, status.label) for status in PARTNER_STATUSES]
                kwargs["help_text"] = (
                    "Gardez l'action en brouillon tant qu'elle n'est pas complète, puis "
                    "choisissez « Soumise, à valider » : l'équipe du territoire la vérifie "
                    "avant qu'elle compte dans les chiffres publics."
                )
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        return {"date": timezone.localdate(), **super().get_changeform_initial_data(request)}

    # Saving: the workflow's side effects, recorded in the history.

    def save_model(self, request, obj, form, change):
        user = request.user
        stored, status = form.stored_status, obj.status
        if not can_validate(user):
            if stored == EventStatus.VALIDATED:
                # Whether a partner changed anything, their count lines included, is
                # only known in save_related: the event is saved there, once.
                return
        elif status != stored and status == EventStatus.VALIDATED:
            obj.validate(user)
            obj._change_reason = validation.VALIDATED_REASON
        elif status != stored and status == EventStatus.RETURNED:
            obj.return_for_correction(obj.review_comment)
            obj._change_reason = validation.returned_reason(obj.review_comment)
        elif status != stored and stored == EventStatus.VALIDATED:
            obj.validated_at = obj.validated_by = None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        obj = form.instance
        if not can_validate(request.user) and form.stored_status == EventStatus.VALIDATED:
            if form.has_changed() or any(formset.has_changed() for formset in formsets):
                # Back to the status chosen in the form: submitted unless they chose draft.
                obj.validated_at = obj.validated_by = None
                obj._change_reason = DEMOTED_REASON
            else:
                obj.status = EventStatus.VALIDATED
            super().save_model(request, obj, form, change)
        super().save_related(request, form, formsets, change)

    def save_formset(self, request, form, formset, change):
        # The count lines' history says why, as the event's does.
        if reason := getattr(form.instance, "_change_reason", None):
            for line_form in formset.forms:
                line_form.instance._change_reason = reason
        super().save_formset(request, form, formset, change)

    # The list's columns.

    @admin.display(description="personnes", ordering="total_people")
    def people_total(self, event):
        return number(event.total_people)

    @admin.display(description="dont femmes", ordering="total_women")
    def women_total(self, event):
        # None (no line knows its women) shows as the admin's empty value.
        return None if event.total_women is None else number(event.total_women)

    @admin.display(description="total")
    def total(self, event):
        totals = stats.event_figures(event)
        women = counted(totals.women, "femme ou fille", "femmes ou filles")
        text = f"{counted(totals.people, 'personne', 'personnes')}, dont {women}"
        if unknown := totals.people_with_unknown_women:
            text += f" (sexe non renseigné pour {counted(unknown, 'personne', 'personnes')})"
        return text


@admin.register(Target)
class TargetAdmin(HistoryAdmin):
    list_display = ("year", "plan", "initiative", "audience", "people", "women")
    list_display_links = ("year", "plan")
    list_filter = ("year", "plan", "audience", "initiative")
    search_fields = ("initiative__title", "audience__name", "plan__title")
    list_select_related = ("plan", "initiative", "audience")
    autocomplete_fields = ("initiative", "audience")
    fieldsets = (
        (None, {"fields": ("plan", "year")}),
        ("Périmètre", {"fields": ("initiative", "audience")}),
        ("Objectif", {"fields": ("people", "women")}),
    )


@admin.register(ClosedYear)
class ClosedYearAdmin(admin.ModelAdmin):
    """Closing a past year makes its events read-only for partners; deleting the
    closure reopens it. A closure itself is never edited."""

    list_display = ("year", "plan", "closed_at", "closed_by")
    list_filter = ("plan",)
    list_select_related = ("plan", "closed_by")
    fields = ("plan", "year", "closed_at", "closed_by")
    readonly_fields = ("closed_at", "closed_by")

    def has_change_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        return self.fields if obj else ("plan", "year")

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["help_texts"] = {
            "year": "Une année passée : ses actions ne pourront plus être modifiées par les "
            "partenaires. Pour rouvrir l'année, supprimez sa clôture."
        }
        return super().get_form(request, obj, change, **kwargs)

    def get_changeform_initial_data(self, request):
        return {
            "plan": ActionPlan.objects.current(),
            "year": timezone.localdate().year - 1,
            **super().get_changeform_initial_data(request),
        }

    def save_model(self, request, obj, form, change):
        obj.closed_by = request.user
        super().save_model(request, obj, form, change)

"""The events in the admin: their list, form and count lines, and the staff's pages
beside them (overview, deleted events)."""

from functools import partial

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import smart_split, unescape_string_literal

from feminisation.access import can_validate, sees_all_events
from feminisation.admin import ConstraintMessageInlineFormSet, HistoryAdmin
from feminisation.formatting import counted, number
from indicators import history, workflow
from indicators.admin import actions as workflow_actions
from indicators.admin import overview, todo
from indicators.admin.access import PartnerAccessMixin
from indicators.admin.forms import AwarenessEventAdminForm, EventActionForm
from indicators.admin.imports import EventImportMixin
from indicators.admin.list_filters import (
    AudienceFilter,
    CommuneToLinkFilter,
    CoOrganizerFilter,
    EventChangeList,
    OrganizerFilter,
    RelatedFilter,
    TodoFilter,
    events_paginator,
)
from indicators.admin.review import ReviewChangesMixin
from indicators.admin.todo import HomeMixin
from indicators.enums import EventStatus
from indicators.exports import xlsx
from indicators.figures import stats, store
from indicators.models import AudienceCount, AwarenessEvent
from indicators.views import exports
from partners.models import Partner
from territories.admin import TerritoryScopedAdminMixin


class AudienceCountInline(TerritoryScopedAdminMixin, admin.TabularInline):
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


MAIN_FIELDSET = (None, {"fields": ("initiative", "title", "date", "format", "notes")})
PLACE_FIELDSET = ("Lieu", {"fields": ("venue_name", "official_commune")})
ORGANISATION_FIELDSET = ("Organisation", {"fields": ("organizer", "co_organizers")})
RETURNED_FIELDSET = (
    "À corriger",
    {
        "fields": ("review_comment",),
        "description": "L'équipe du territoire vous a renvoyé cette action avec ce "
        "commentaire. Corrigez-la, puis choisissez « Soumise, à valider » et enregistrez.",
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
EVENT_SEARCH_FIELDS = ("title", "venue_name", "commune")
PARTNER_SEARCH_FIELDS = ("name", "short_name")


@admin.register(AwarenessEvent)
class AwarenessEventAdmin(
    EventImportMixin,
    HomeMixin,
    ReviewChangesMixin,
    PartnerAccessMixin,
    TerritoryScopedAdminMixin,
    HistoryAdmin,
):
    """The events, their count lines inline, the validation workflow's actions and
    side effects, and the pages of the staff (overview, deleted events). Who may
    reach which event is PartnerAccessMixin's."""

    form = AwarenessEventAdminForm
    action_form = EventActionForm
    # A save locks its event itself, to compare versions (`_refuse_stale`).
    locks_its_record = True
    actions = (
        workflow_actions.submit_for_validation,
        workflow_actions.validate,
        workflow_actions.return_for_correction,
        "export_selection",
        "export_selection_xlsx",
    )
    change_list_template = "indicators/admin/event_change_list.html"
    list_display = (
        "event_date",
        "title",
        "initiative",
        "format",
        "commune",
        "organizer",
        "status",
        "people_total",
        "women_total",
    )
    list_display_links = ("event_date", "title")
    list_filter = (
        TodoFilter,
        "status",
        ("initiative", RelatedFilter),
        "format",
        ("counts__audience", AudienceFilter),
        ("organizer", OrganizerFilter),
        ("co_organizers", CoOrganizerFilter),
        CommuneToLinkFilter,
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
    # Its years are read off the date index (EventChangeList.date_navigation).
    date_hierarchy = "date"
    # A filtered list says « N résultats (Tout afficher) », without counting every
    # event again (~40 ms at 1,000,000 events) for « (M au total) ».
    show_full_result_count = False
    list_select_related = ("initiative", "organizer")
    autocomplete_fields = ("initiative", "organizer", "co_organizers", "official_commune")
    radio_fields = {"status": admin.VERTICAL}
    readonly_fields = (
        "total",
        "validated_at",
        "validated_by",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
    )
    inlines = (AudienceCountInline,)
    # The version the form shows goes with the reason, on the form of a change that
    # can be saved.
    reason_fieldset = ("Motif de la modification", {"fields": ("change_reason", "seen_version")})
    object_history_form_template = "admin/history/event_version_form.html"

    @admin.action(description="Exporter la sélection (CSV pour Excel)", permissions=["export"])
    def export_selection(self, request, queryset):
        # The selection is already narrowed to the events this user may see.
        return exports.events_response(queryset, today=timezone.localdate(), user=request.user)

    @admin.action(
        description="Exporter la sélection (classeur Excel .xlsx)", permissions=["export"]
    )
    def export_selection_xlsx(self, request, queryset):
        try:
            return exports.events_response(
                queryset, today=timezone.localdate(), user=request.user, chosen_format=xlsx.KEY
            )
        except xlsx.TooManyRows as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return None

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
        from indicators.admin import deleted

        return deleted.deleted_list(request, model_admin=self)

    def restore_view(self, request, history_id):
        from indicators.admin import deleted

        return deleted.restore(request, history_id, model_admin=self)

    def visible_events(self, request):
        """The events this user may see, without the totals' subqueries."""
        return super().get_queryset(request)

    def get_queryset(self, request):
        return self.visible_events(request).with_totals()

    def get_changelist(self, request, **kwargs):
        return EventChangeList

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        # An unfiltered list's events counted by an estimate (« environ N »).
        return events_paginator(request, queryset, per_page, orphans, allow_empty_first_page)

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
        (status, date) index where counting every event with FILTER would read them
        all. A partner's to correct are those its home counts (todo.RETURNED: those it
        organises, in years not closed), and link to the same task."""
        user = request.user
        returned, returned_url = Q(status=EventStatus.RETURNED), "?status__exact=a_corriger"
        if not sees_all_events(user):
            returned = todo.RETURNED.condition(user, timezone.now())
            returned_url = f"?{todo.PARAMETER}={todo.RETURNED.key}"
        counts = (
            self.visible_events(request)
            .filter(status__in=(EventStatus.SUBMITTED, EventStatus.RETURNED))
            .aggregate(
                submitted=Count("pk", filter=Q(status=EventStatus.SUBMITTED)),
                returned=Count("pk", filter=returned),
            )
        )
        return {**counts, "returned_url": returned_url}

    def changelist_view(self, request, extra_context=None):
        sees_all = sees_all_events(request.user)
        context = {
            # Counted when the list is shown, not when an action is run from it.
            "workflow_counts": SimpleLazyObject(lambda: self.workflow_counts(request)),
            "show_overview_link": sees_all,
            "show_deleted_link": workflow.may_restore(request.user),
            "listed_at_field": workflow_actions.LISTED_AT,
            "listed_at": timezone.now().isoformat(),
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)

    # An event, its lines and its co-organisers are saved one by one: their days'
    # figures are refreshed once, at the end of the request's transaction.

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        with store.collecting():
            if object_id is not None and (refused := self._refuse_stale(request, object_id)):
                return refused
            return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, *args, **kwargs):
        if request.method != "POST":
            return super().delete_view(request, *args, **kwargs)
        with store.collecting():
            return super().delete_view(request, *args, **kwargs)

    # Two people editing the same event: the form carries the version it shows; the
    # save locks the event's row, and a form shown before someone else's save saves
    # nothing and says what that save changed.

    def row_hidden_inputs(self, event):
        # The version each row shows, for the list's actions to compare.
        return format_html(
            '<input type="hidden" name="{}" value="{}">',
            f"{workflow_actions.VERSION_PREFIX}{event.pk}",
            event.version,
        )

    def _refuse_stale(self, request, object_id, revert=False):
        """Locks the event until the save's transaction ends; when the form shows an
        older version than the stored one, answers with a redirect to the form (the
        stored version, and a message saying what changed since) and saves nothing.
        None lets the save go on (Django refuses what the account may not do)."""
        try:
            pk = self.model._meta.pk.to_python(unquote(object_id))
        except ValidationError:
            return None
        stored = (
            self.model.objects.select_for_update()
            .filter(pk=pk)
            .values_list("version", flat=True)
            .first()
        )
        seen = _posted_version(request)
        if stored is None or not workflow.edit_conflict(seen, stored):
            return None
        event = self.get_object(request, str(pk))
        if event is None or not self.has_change_permission(request, event):
            return None
        if revert and not self.has_view_history_or_change_history_permission(request, event):
            return None
        self.message_user(
            request, self._conflict_message(request, event, seen, revert), messages.ERROR
        )
        return HttpResponseRedirect(request.path)

    def _conflict_message(self, request, event, seen, revert):
        if seen is None:
            return workflow.FORM_WITHOUT_VERSION
        intro, again = (
            (workflow.REVERT_CONFLICT, workflow.REVERT_CONFLICT_AGAIN)
            if revert
            else (workflow.EDIT_CONFLICT, workflow.EDIT_CONFLICT_AGAIN)
        )
        saves = history.saves_since(event.pk, seen, partial(self.field_changes, request))
        if saves:
            told = format_html_join(
                "",
                "<p>{}</p><ul>{}</ul>",
                (
                    (
                        workflow.saved_by_message(save.user, history.when(save.date), save.reason),
                        mark_safe("".join(history.change_items(save.changes))),
                    )
                    for save in saves
                ),
            )
        else:
            told = format_html("<p>{}</p>", workflow.CONFLICT_UNKNOWN_CHANGES)
        return format_html("<p>{}</p>{}<p>{}</p>", intro, told, again)

    # The history: the count lines' changes beside the event's, and « Rétablir » a
    # version with its lines.

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        records = list(historical_records)
        if not records:
            return
        newest = max(records, key=lambda record: record.history_date)
        following = (
            self.model.history.filter(id=newest.id, history_date__gt=newest.history_date)
            .order_by("history_date")
            .first()
        )
        lines = history.line_changes(newest.id, records, following)
        for record in records:
            record.history_delta_changes = [
                *getattr(record, "history_delta_changes", ()),
                *lines[record.history_id],
            ]

    def _may_revert(self, request, record):
        if not sees_all_events(request.user):
            return False
        event = self.get_object(request, str(record.id))
        return event is not None and self.has_change_permission(request, event)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        record = _version(self.model, object_id, version_id)
        if record is None:
            return super().history_form_view(request, object_id, version_id, extra_context)
        lines = history.lines_at(record)
        names = history.audience_names({line.audience_id for line in lines})
        context = {
            "version_lines": [
                f"{names[line.audience_id]} : {history.line_figures(line.people, line.women)}"
                for line in sorted(lines, key=lambda line: (names[line.audience_id], line.id))
            ],
            **(extra_context or {}),
        }
        request._live_version = (
            self.model.objects.filter(pk=record.id).values_list("version", flat=True).first()
        )
        if request.method != "POST" or not self._may_revert(request, record):
            # Shown, or refused by the package's and HistoryAdmin's checks.
            return super().history_form_view(request, object_id, version_id, context)
        with store.collecting():
            if refused := self._refuse_stale(request, object_id, revert=True):
                return refused
            if missing := history.missing_references(record, lines):
                self.message_user(
                    request, workflow.missing_message(missing, reverting=True), messages.ERROR
                )
                return HttpResponseRedirect(request.path)
            request._reverted_record = record
            return super().history_form_view(request, object_id, version_id, context)

    def delete_queryset(self, request, queryset):
        # The list's « Supprimer » action: else each event would rebuild its month,
        # and take its month's lock, one after the other in the order of deletion.
        with store.collecting():
            super().delete_queryset(request, queryset)

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
        form.user = request.user
        # Reverting to a version is a change of the event as it is stored now.
        form.live_version = getattr(request, "_live_version", None)
        return form

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status":
            kwargs["choices"] = [
                (status.value, status.label) for status in workflow.status_choices(request.user)
            ]
            if can_validate(request.user):
                kwargs["help_text"] = (
                    "Seules les actions validées comptent dans les chiffres publics. Pour "
                    "renvoyer l'action au partenaire, choisissez « À corriger » et dites-lui "
                    "quoi corriger dans le commentaire."
                )
            else:
                kwargs["help_text"] = (
                    "Gardez l'action en brouillon tant qu'elle n'est pas complète, puis "
                    "choisissez « Soumise, à valider » : l'équipe du territoire la vérifie "
                    "avant qu'elle compte dans les chiffres publics."
                )
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        return {"date": timezone.localdate(), **super().get_changeform_initial_data(request)}

    # Saving: one path, whatever the role. The status the edit leaves, and what goes
    # with it, is the workflow's; it depends on whether anything changed, count lines
    # included, which the formsets built for this request say.

    def _create_formsets(self, request, obj, change):
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        request._event_formsets = formsets
        return formsets, inline_instances

    def save_model(self, request, obj, form, change):
        user = request.user
        if not change:
            obj.created_by = user
        obj.updated_by = user
        formsets = getattr(request, "_event_formsets", ())
        changed = form.has_changed() or any(formset.has_changed() for formset in formsets)
        notice = workflow.apply_edit(
            obj, user, form.stored_status, obj.status, changed, comment=obj.review_comment
        )
        if notice:
            request._workflow_notice = notice
        # The reason typed in the form, else the workflow's (validated, returned…).
        super().save_model(request, obj, form, change)
        if (record := getattr(request, "_reverted_record", None)) is not None:
            history.restore_lines(obj, record, getattr(obj, "_change_reason", None))

    def save_formset(self, request, form, formset, change):
        # The count lines' history says why, as the event's does.
        if reason := getattr(form.instance, "_change_reason", None):
            for line_form in formset.forms:
                line_form.instance._change_reason = reason
        super().save_formset(request, form, formset, change)

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        # The save's success message says what the edit did to the status.
        if level == messages.SUCCESS and (notice := getattr(request, "_workflow_notice", None)):
            message, level = f"{message} {notice}", messages.WARNING
        super().message_user(request, message, level, *args, **kwargs)

    # The list's columns.

    @admin.display(description="date", ordering="date")
    def event_date(self, event):
        # « 14/03/2025 » keeps to one line in a narrow column, where « 14 mars 2025 »
        # takes three.
        return date_format(event.date, "SHORT_DATE_FORMAT")

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


def _posted_version(request):
    try:
        return int(request.POST["seen_version"])
    except (KeyError, ValueError):
        return None


def _version(model, object_id, version_id):
    """The record of the history that a version's URL names, or None."""
    try:
        return model.history.filter(id=unquote(object_id), history_id=version_id).first()
    except (ValueError, ValidationError):
        return None

"""Admin pieces shared by the apps."""

import dataclasses
import datetime

from django import forms
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models, router, transaction
from django.db.models import UniqueConstraint
from django.utils import formats
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from feminisation import validators
from feminisation.access import sees_all_events

# « www.example.fr » is taken as https://, as Django 6 will do by default.
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


class LabelledInlineFormSet(forms.BaseInlineFormSet):
    """A tabular inline names its columns, not its inputs: each input, the empty
    form's that « Ajouter une ligne » copies included, carries its column's name for
    screen readers."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for field in form.fields.values():
            # A select with its « add » and « change » links is wrapped.
            widget = getattr(field.widget, "widget", field.widget)
            if field.label and not widget.is_hidden:
                widget.attrs.setdefault("aria-label", str(field.label))


class ConstraintMessageInlineFormSet(LabelledInlineFormSet):
    """Says a duplicate between two lines with the unique constraint's own French
    message, where Django would name the raw fields (« …en double dans audience »)."""

    def get_unique_error_message(self, unique_check):
        for constraint in self.model._meta.constraints:
            if (
                isinstance(constraint, UniqueConstraint)
                and set(constraint.fields) == set(unique_check)
                and constraint.violation_error_message != constraint.default_violation_error_message
            ):
                return constraint.violation_error_message
        return super().get_unique_error_message(unique_check)


class ChangeReasonForm(forms.ModelForm):
    """A model form with the optional reason that the history records with a change."""

    change_reason = forms.CharField(
        label="Motif de la modification",
        required=False,
        # The history's column is 100 characters long.
        max_length=100,
        help_text="Facultatif : il est gardé dans l'historique, avec votre nom et la date.",
        validators=[validators.single_line],
    )


class ChangeDisplay(HistoricalRecordContextHelper):
    """The history's « before → after » as the forms say it: a choice's label, oui or
    non, a French date, names for links (« CAPSO, Région » for co-organisers, where
    the package says « [CAPSO] »), and « — » for nothing (the package says « Deleted
    utilisateur (pk=None) » for an empty link)."""

    def context_for_delta_changes(self, delta):
        # A model may name fields whose change another field already says
        # (`history_said_by`: an event's official commune, whose name is its text):
        # shown only when that other field did not change.
        said_by = getattr(self.model, "history_said_by", {})
        changed = {change.field for change in delta.changes}
        kept = [change for change in delta.changes if said_by.get(change.field) not in changed]
        delta = dataclasses.replace(delta, changes=kept)
        # Each change may carry a note (who and why, when not the row's).
        return [{**change, "note": ""} for change in super().context_for_delta_changes(delta)]

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        field = self.model._meta.get_field(change.field)
        if isinstance(value, list):
            return ", ".join(sorted(str(item) for item in value)) or "—"
        if value is None or value == "" or (isinstance(value, DeletedObject) and value.pk is None):
            return "—"
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, bool):
            return "oui" if value else "non"
        if isinstance(value, datetime.date):
            return formats.localize(value)
        return value


class HistoryAdmin(SimpleHistoryAdmin):
    """The « Historique » of django-simple-history, with an optional reason typed on
    the change form. The history (what every version said, who changed it) is for
    users who see all the plan's data: a partner's account never reads it."""

    form = ChangeReasonForm
    object_history_template = "admin/history/object_history.html"
    object_history_list_template = "admin/history/object_history_list.html"
    object_history_form_template = "admin/history/version_form.html"
    reason_fieldset = ("Motif de la modification", {"fields": ("change_reason",)})
    revert_reason = "Retour à une version antérieure"

    def get_fieldsets(self, request, obj=None):
        return [*super().get_fieldsets(request, obj), *self.reason_fieldsets(request, obj)]

    def reason_fieldsets(self, request, obj):
        """The reason's fieldset, on the form of a change that can be saved."""
        if obj is None or not self.has_change_permission(request, obj):
            return []
        return [self.reason_fieldset]

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("change_reason")
        url_name = getattr(request.resolver_match, "url_name", "")
        reverting = url_name.endswith("_simple_history")
        if not reason and reverting:
            reason = self.revert_reason
        if reason:
            obj._change_reason = reason
        super().save_model(request, obj, form, change)
        if reverting:
            self._relations_through_save_related(request, form)

    def _relations_through_save_related(self, request, form):
        """django-simple-history saves a version's relations with the form's
        save_m2m, not through save_related, where an admin keeps the links the
        account may not change (a shared partner's accounts and territories of
        other territories): its call goes there."""
        save_m2m = form.save_m2m

        def save_related():
            form.save_m2m = save_m2m
            self.save_related(request, form, [], change=True)

        form.save_m2m = save_related

    def has_view_history_or_change_history_permission(self, request, obj=None):
        if not sees_all_events(request.user):
            return False
        return super().has_view_history_or_change_history_permission(request, obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["hide_history_link"] = not self.has_view_history_or_change_history_permission(
            request, obj
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_historical_record_context_helper(self, request, historical_record):
        return ChangeDisplay(self.model, historical_record)

    def field_changes(self, request, old_record, new_record):
        """What changed from one version to another, as the history page says it."""
        delta = new_record.diff_against(old_record, foreign_keys_are_objs=True)
        helper = self.get_historical_record_context_helper(request, new_record)
        return helper.context_for_delta_changes(delta)

    def history_view_title(self, request, obj):
        return f"Historique de « {obj} »"

    def history_form_view_title(self, request, obj):
        return f"Version de « {obj} »"

    def revert_disabled(self, request, obj=None):
        # No « Rétablir » on a version of a deleted object (see history_form_view).
        if obj is not None and not self.model._default_manager.filter(pk=obj.pk).exists():
            return True
        return super().revert_disabled(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # The package checks only the view permission, even to revert on POST; and
        # it would bring back a deleted object from any of its versions, without its
        # lines: a deleted object is restored from its own page, or not at all.
        # Its submit line reads this variable, which it never sets.
        extra_context = {"onclick_attrib": "", **(extra_context or {})}
        if request.method != "POST":
            return super().history_form_view(request, object_id, version_id, extra_context)
        # A revert is a save like the change form's, in one transaction as Django's
        # admin saves: the checks that hold a record until the save commits (an
        # initiative held in its plan) hold nothing without one, and the record and
        # its relations are written together or not at all.
        with transaction.atomic(using=router.db_for_write(self.model)):
            obj = self.get_object(request, unquote(object_id))
            if obj is None or not (
                sees_all_events(request.user) and self.has_change_permission(request, obj)
            ):
                raise PermissionDenied
            return super().history_form_view(request, object_id, version_id, extra_context)


class ReferenceDataAdminMixin:
    """Partner accounts may view partners, initiatives and audiences only so that
    the event form's autocompletes work (Django's autocomplete asks the related
    admin for the view permission). Their lists, forms and history pages, and their
    entries on the admin index, are for the users who see all the plan's data."""

    def has_view_permission(self, request, obj=None):
        if not super().has_view_permission(request, obj):
            return False
        return sees_all_events(request.user) or (
            request.resolver_match is not None
            and request.resolver_match.view_name == f"{self.admin_site.name}:autocomplete"
        )

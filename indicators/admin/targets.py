"""The year's targets and the closed years."""

from django import forms
from django.contrib import admin
from django.utils import timezone

from feminisation.admin import HistoryAdmin
from indicators import workflow
from indicators.models import ClosedYear, Target
from territories.admin import TerritoryScopedAdminMixin
from territories.plans import plan_for


@admin.register(Target)
class TargetAdmin(TerritoryScopedAdminMixin, HistoryAdmin):
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


class ClosedYearForm(forms.ModelForm):
    def clean(self):
        cleaned_data = super().clean()
        if plan := cleaned_data.get("plan"):
            # Waits for the saves of the plan's events under way, which read whether
            # their year is closed, and holds off the next ones until the closure is
            # committed; a closure of the same year saved meanwhile is then seen by
            # the uniqueness check that follows.
            workflow.hold_closures([plan.pk])
        return cleaned_data


@admin.register(ClosedYear)
class ClosedYearAdmin(TerritoryScopedAdminMixin, admin.ModelAdmin):
    """Closing a past year makes its events read-only for partners; deleting the
    closure reopens it. A closure itself is never edited."""

    form = ClosedYearForm
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
            # An account of several territories chooses the plan.
            "plan": plan_for(request.user),
            "year": timezone.localdate().year - 1,
            **super().get_changeform_initial_data(request),
        }

    def save_model(self, request, obj, form, change):
        obj.closed_by = request.user
        super().save_model(request, obj, form, change)

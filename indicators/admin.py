from django.contrib import admin
from django.utils import timezone

from feminisation.admin import ConstraintMessageInlineFormSet
from indicators import stats
from indicators.forms import AwarenessEventAdminForm
from indicators.models import AudienceCount, AwarenessEvent, Target
from indicators.templatetags.figures import number


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


def counted(count, singular, plural):
    """« 1 personne », « 0 personne », « 12 personnes »: French plural starts at 2."""
    return f"{number(count)} {singular if count < 2 else plural}"


class AudienceCountInline(admin.TabularInline):
    model = AudienceCount
    formset = ConstraintMessageInlineFormSet
    fields = ("audience", "people", "women")
    extra = 1

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


EVENT_FIELDSETS = (
    (None, {"fields": ("initiative", "title", "date", "format", "status", "notes")}),
    ("Lieu", {"fields": ("venue_name", "commune")}),
    ("Organisation", {"fields": ("organizer", "co_organizers")}),
)


@admin.register(AwarenessEvent)
class AwarenessEventAdmin(TrackedByAdminMixin, admin.ModelAdmin):
    form = AwarenessEventAdminForm
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
        "status",
        "initiative",
        "format",
        "counts__audience",
        ("organizer", admin.RelatedOnlyFieldListFilter),
        ("co_organizers", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = (
        "title",
        "venue_name",
        "commune",
        "organizer__name",
        "organizer__short_name",
        "co_organizers__name",
        "co_organizers__short_name",
    )
    date_hierarchy = "date"
    list_select_related = ("initiative", "organizer")
    autocomplete_fields = ("initiative", "organizer", "co_organizers")
    readonly_fields = ("total",)
    add_fieldsets = EVENT_FIELDSETS
    fieldsets = (
        *EVENT_FIELDSETS,
        ("Bilan", {"fields": ("total",)}),
        ("Suivi", {"fields": ("created_at", "created_by", "updated_at", "updated_by")}),
    )
    inlines = (AudienceCountInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).with_totals()

    def get_fieldsets(self, request, obj=None):
        # Nothing is saved or counted yet on the add form.
        return self.fieldsets if obj else self.add_fieldsets

    def get_changeform_initial_data(self, request):
        return {"date": timezone.localdate(), **super().get_changeform_initial_data(request)}

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
class TargetAdmin(admin.ModelAdmin):
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

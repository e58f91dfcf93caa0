from django.contrib import admin
from django.db.models import Count, Q

from feminisation.admin import (
    HTTPS_URLS,
    ConstraintMessageInlineFormSet,
    HistoryAdmin,
    LabelledInlineFormSet,
    ReferenceDataAdminMixin,
)
from initiatives.models import (
    Achievement,
    ActionPlan,
    Audience,
    Initiative,
    InitiativeLink,
    PlanLink,
    PlanPartner,
)
from partners.models import Contact
from territories.admin import SharedRecordAdminMixin, TerritoryScopedAdminMixin
from territories.models import Territory


class PlanPartnerInline(TerritoryScopedAdminMixin, admin.TabularInline):
    model = PlanPartner
    formset = ConstraintMessageInlineFormSet
    fields = ("partner", "role")
    autocomplete_fields = ("partner",)
    extra = 1

    def get_queryset(self, request):
        # Each saved line is titled with its partner.
        return super().get_queryset(request).select_related("partner")


class PlanLinkInline(admin.TabularInline):
    model = PlanLink
    formset = LabelledInlineFormSet
    formfield_overrides = HTTPS_URLS
    fields = ("label", "url", "order")
    extra = 1


@admin.register(ActionPlan)
class ActionPlanAdmin(TerritoryScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "title",
        "territory",
        "start_date",
        "end_date",
        "is_published",
        "initiatives_count",
    )
    list_filter = ("is_published", "territory")
    search_fields = ("title", "territory__name")
    date_hierarchy = "start_date"
    # Counting initiatives groups the rows, which drops the model's default ordering.
    ordering = ("-start_date",)
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("contacts",)
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("title", "slug", "territory", "is_published")}),
        ("Période", {"fields": ("start_date", "end_date")}),
        (
            "Contenu",
            {"fields": ("summary", "finding", "objectives", "indicator", "obstacles", "quote")},
        ),
        ("Contacts", {"fields": ("contacts",)}),
        ("Suivi", {"fields": ("created_at", "updated_at")}),
    )
    inlines = (PlanPartnerInline, PlanLinkInline)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(initiatives_count=Count("initiatives", distinct=True))
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "contacts":
            # Each selected contact is shown with its partner's name.
            kwargs["queryset"] = Contact.objects.select_related("partner")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description="initiatives", ordering="initiatives_count")
    def initiatives_count(self, plan):
        return plan.initiatives_count


@admin.register(Audience)
class AudienceAdmin(
    ReferenceDataAdminMixin, SharedRecordAdminMixin, TerritoryScopedAdminMixin, admin.ModelAdmin
):
    list_display = ("name", "short_name", "women_label", "order")
    list_filter = ("initiatives",)
    search_fields = ("name", "short_name")
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = (
        (None, {"fields": ("name", "short_name", "slug", "order")}),
        ("Présentation", {"fields": ("description", "women_label")}),
    )

    def sharing_territories(self, audience):
        # Every territory shares the audiences: those whose initiatives or targets
        # name one use it.
        return Territory.objects.filter(
            Q(plans__initiatives__audiences=audience) | Q(plans__targets__audience=audience)
        )


class InitiativeLinkInline(admin.TabularInline):
    model = InitiativeLink
    formset = LabelledInlineFormSet
    formfield_overrides = HTTPS_URLS
    fields = ("label", "url", "order")
    extra = 1


class AchievementInline(admin.TabularInline):
    model = Achievement
    formset = LabelledInlineFormSet
    formfield_overrides = HTTPS_URLS
    fields = ("date", "title", "quantity", "url")
    show_change_link = True
    extra = 1


@admin.register(Initiative)
class InitiativeAdmin(ReferenceDataAdminMixin, TerritoryScopedAdminMixin, HistoryAdmin):
    list_display = ("number", "title", "plan", "status", "lead_partners_list")
    list_display_links = ("number", "title")
    list_filter = ("plan", "status", ("lead_partners", admin.RelatedOnlyFieldListFilter))
    search_fields = ("title", "summary", "plan__title")
    list_select_related = ("plan",)
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("lead_partners", "associated_partners", "audiences")
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("plan", "number", "title", "slug", "status", "start_date")}),
        ("Présentation", {"fields": ("summary", "description")}),
        (
            "Partenaires et publics",
            {"fields": ("lead_partners", "associated_partners", "audiences")},
        ),
        ("Suivi", {"fields": ("created_at", "updated_at")}),
    )
    inlines = (InitiativeLinkInline, AchievementInline)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("lead_partners")

    @admin.display(description="partenaires pilotes")
    def lead_partners_list(self, initiative):
        return ", ".join(str(partner) for partner in initiative.lead_partners.all())


@admin.register(Achievement)
class AchievementAdmin(TerritoryScopedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "initiative", "date", "quantity")
    list_filter = ("initiative__plan", "initiative")
    search_fields = ("title", "description", "initiative__title")
    date_hierarchy = "date"
    list_select_related = ("initiative",)
    autocomplete_fields = ("initiative",)
    formfield_overrides = HTTPS_URLS
    fieldsets = (
        (None, {"fields": ("initiative", "title", "date")}),
        ("Détails", {"fields": ("description", "quantity", "url")}),
    )

from django.contrib import admin
from django.db.models import Count, Exists, OuterRef, Q
from django.forms.formsets import DELETION_FIELD_NAME

from accounts import rules
from feminisation.admin import (
    HTTPS_URLS,
    HistoryAdmin,
    LabelledInlineFormSet,
    ReferenceDataAdminMixin,
)
from partners.models import Contact, Partner
from territories import scoping
from territories.admin import SharedRecordAdminMixin, TerritoryScopedAdminMixin, lock_for_deletion
from territories.models import Territory

TERRITORIES_FIELDSET = (
    "Territoires",
    {
        "fields": ("territories",),
        "description": "Les territoires où ce partenaire agit : leurs équipes le voient.",
    },
)


def contact_territories(contact):
    """The territories where the contact's partner works, and whose plans list it
    (`contact` a Contact, or a reference to one in a subquery)."""
    return Territory.objects.filter(Q(partners__contacts=contact) | Q(plans__contacts=contact))


class ContactFormSet(LabelledInlineFormSet):
    """« Supprimer » greyed out on the contacts the account may not delete, those in
    `undeletable` (their ids, set for each request by ContactInline.get_formset): a
    disabled box keeps its initial value, whatever the request sends."""

    undeletable = frozenset()

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if form.instance.pk is not None and form.instance.pk in self.undeletable:
            box = form.fields[DELETION_FIELD_NAME]
            box.disabled = True
            box.widget.attrs["title"] = (
                "Ce contact figure aussi sur le plan d'un autre territoire : "
                "seule son équipe peut le supprimer."
            )


class ContactInline(TerritoryScopedAdminMixin, admin.TabularInline):
    model = Contact
    formset = ContactFormSet
    fields = ("full_name", "job_title", "email", "phone", "is_public")
    extra = 1

    def get_queryset(self, request):
        # Each saved contact is titled with its name, which includes its partner's.
        return super().get_queryset(request).select_related("partner")

    def has_delete_permission(self, request, obj=None):
        # `obj` is the partner: working in another territory, it is that
        # territory's, and so are its contacts.
        return super().has_delete_permission(request, obj) and (
            obj is None or not scoping.reaches_beyond(obj.territories.all(), request.user)
        )

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None and formset.can_delete:
            if request.method == "POST":
                # Locked before their rule is read, as ContactAdmin's deletions are
                # (SharedRecordAdminMixin): a plan that lists one meanwhile waits.
                lock_for_deletion(Contact, list(obj.contacts.values_list("pk", flat=True)))
            # A contact that another territory's plan lists is that territory's
            # too (ContactAdmin.has_delete_permission): the others may go.
            # In one query, whatever the number of contacts.
            territories = scoping.beyond(contact_territories(OuterRef("pk")), request.user)
            formset.undeletable = frozenset(
                obj.contacts.filter(Exists(territories)).values_list("pk", flat=True)
            )
        return formset


@admin.register(Partner)
class PartnerAdmin(
    ReferenceDataAdminMixin, SharedRecordAdminMixin, TerritoryScopedAdminMixin, HistoryAdmin
):
    list_display = ("name", "short_name", "kind", "is_public", "contacts_count")
    list_filter = ("kind", "is_public")
    search_fields = ("name", "short_name")
    # Counting contacts groups the rows, which drops the model's default ordering:
    # the autocompletes would page through partners in no order.
    ordering = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    formfield_overrides = HTTPS_URLS
    readonly_fields = ("created_at", "updated_at")
    filter_horizontal = ("members", "territories")
    fieldsets = (
        (None, {"fields": ("name", "short_name", "slug", "kind")}),
        ("Présentation", {"fields": ("description", "website", "is_public")}),
        ("Comptes de saisie", {"fields": ("members",)}),
        ("Suivi", {"fields": ("created_at", "updated_at")}),
    )
    inlines = (ContactInline,)

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(contacts_count=Count("contacts", distinct=True))
        )

    # The territories it works in: those of the account that enters it (chosen among
    # them when it has several), the others it works in kept as they were.

    def _givable_territory_ids(self, request):
        if not hasattr(request, "_givable_territory_ids"):
            request._givable_territory_ids = list(
                Territory.objects.givable_by(request.user).values_list("pk", flat=True)
            )
        return request._givable_territory_ids

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if len(self._givable_territory_ids(request)) < 2:
            return fieldsets
        return [*fieldsets[:1], TERRITORIES_FIELDSET, *fieldsets[1:]]

    def lock_for_deletion(self, pks):
        super().lock_for_deletion(pks)
        # Its contacts go with it: another territory's plan may list one.
        lock_for_deletion(
            Contact, list(Contact.objects.filter(partner__in=pks).values_list("pk", flat=True))
        )

    def sharing_territories(self, partner):
        # Deleted, it would leave their events, initiatives and accounts.
        return partner.territories.all()

    # The accounts offered are those this user may change (accounts.rules): staff
    # attach partner accounts, never a superuser, a colleague, a manager, nor an
    # account that also belongs to another territory (whose organisations are that
    # territory's staff's to change too).

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "members":
            kwargs["queryset"] = rules.changeable_accounts(request.user)
        if db_field.name == "territories":
            kwargs["queryset"] = Territory.objects.filter(
                pk__in=self._givable_territory_ids(request)
            )
            kwargs["required"] = True
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        # The members this user may not change are not in the form: kept as they were.
        if change and "members" in form.cleaned_data:
            unchangeable = form.instance.members.exclude(
                pk__in=rules.changeable_accounts(request.user).values("pk")
            )
            form.cleaned_data["members"] = [*form.cleaned_data["members"], *unchangeable]
        givable = self._givable_territory_ids(request)
        if "territories" in form.cleaned_data:
            others = form.instance.territories.exclude(pk__in=givable) if change else []
            form.cleaned_data["territories"] = [*form.cleaned_data["territories"], *others]
        super().save_related(request, form, formsets, change)
        if not change and "territories" not in form.cleaned_data and len(givable) == 1:
            form.instance.territories.add(givable[0])

    @admin.display(description="contacts", ordering="contacts_count")
    def contacts_count(self, partner):
        return partner.contacts_count


@admin.register(Contact)
class ContactAdmin(SharedRecordAdminMixin, TerritoryScopedAdminMixin, admin.ModelAdmin):
    list_display = ("full_name", "job_title", "partner", "email", "phone", "is_public")
    list_filter = ("is_public", "partner__kind")
    search_fields = ("full_name", "job_title", "email", "partner__name", "partner__short_name")
    autocomplete_fields = ("partner",)
    fieldsets = (
        (None, {"fields": ("partner", "full_name", "job_title")}),
        ("Coordonnées", {"fields": ("email", "phone", "is_public")}),
    )

    def get_queryset(self, request):
        # A contact is named after its partner, in the list and in the autocomplete
        # that the plans use.
        return super().get_queryset(request).select_related("partner")

    def sharing_territories(self, contact):
        return contact_territories(contact)

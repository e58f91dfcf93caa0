"""The territories in the admin, and the narrowing of every admin to the account's
territories (`TerritoryScopedAdminMixin`): its lists, forms, choices, filters,
autocompletes and object permissions all read through `territories.scoping`.

Superusers create and edit territories (their EPCIs, their accounts); the staff,
managers and the national network read theirs (the national network: every one)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import get_fields_from_path, quote, unquote
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import router, transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from simple_history.manager import SIMPLE_HISTORY_REVERSE_ATTR_NAME

from feminisation.admin import ConstraintMessageInlineFormSet
from feminisation.grammar import Noun, capfirst, listed
from geography.models import Commune
from territories import scoping
from territories.models import Epci, Territory


class ScopedRelatedFilter(admin.RelatedFieldListFilter):
    """Offers only the related records of the account's territories (an initiative,
    a plan, a partner of another territory is never named)."""

    def field_choices(self, field, request, model_admin):
        return field.get_choices(
            include_blank=False,
            ordering=self.field_admin_ordering(field, request, model_admin),
            limit_choices_to=scoping.visible_condition(field.related_model, request.user),
        )


class ScopedRelatedOnlyFilter(admin.RelatedOnlyFieldListFilter):
    """Django's filter among the records the listed ones name, without those of the
    territories the account does not read (an account of two territories belongs to
    organisations of both)."""

    def field_choices(self, field, request, model_admin):
        named = model_admin.get_queryset(request).distinct().values_list(f"{self.field_path}__pk")
        return field.get_choices(
            include_blank=False,
            ordering=self.field_admin_ordering(field, request, model_admin),
            limit_choices_to=Q(pk__in=named)
            & scoping.visible_condition(field.related_model, request.user),
        )


def scoped_filter(model, item):
    """A list filter named by its path (« plan », « initiative__plan ») made a
    ScopedRelatedFilter when it offers records of territories; Django's
    RelatedOnlyFieldListFilter a ScopedRelatedOnlyFilter."""
    if isinstance(item, tuple) and item[1] is admin.RelatedOnlyFieldListFilter:
        return (item[0], ScopedRelatedOnlyFilter)
    if not isinstance(item, str):
        return item
    try:
        field = get_fields_from_path(model, item)[-1]
    except (FieldDoesNotExist, LookupError):
        return item
    if field.is_relation and scoping.is_scoped(field.related_model):
        return (item, ScopedRelatedFilter)
    return item


class TerritoryScopedAdminMixin:
    """For a ModelAdmin or an inline: only the records of the account's territories
    (every one for the national network and superusers), in its list, its forms'
    choices (autocompletes ask the related admin's get_queryset), its filters and
    its object permissions (a history page reaches its object another way)."""

    def get_queryset(self, request):
        return self.in_account_territories(super().get_queryset(request), request.user)

    def in_account_territories(self, queryset, user):
        return scoping.visible_to(queryset, user)

    # Whether the admin's saves lock their record themselves (the events').
    locks_its_record = False

    def get_object(self, request, object_id, from_field=None):
        # A form sent (a save, a deletion) locks its record first: a save waits for
        # a deletion under way, then finds the record gone (Django says so, and
        # writes nothing) where it would have written it again as new, its links
        # and lines lost.
        if request.method == "POST" and from_field is None and not self.locks_its_record:
            lock_for_change(self.model, _pks(self.model, [object_id]))
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            scoping.mark_visible(obj, request.user)
            if not self.has_change_permission(request):
                # Its form is read-only: it lists its links, not its field's choices.
                scoping.narrow_links(obj, request.user)
        return obj

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (
            obj is None or scoping.is_visible(obj, request.user)
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or scoping.is_visible(obj, request.user)
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or scoping.is_visible(obj, request.user)
        )

    def get_list_filter(self, request):
        return [scoped_filter(self.model, item) for item in super().get_list_filter(request)]

    # The history (the admins that keep one): a version is its record's, read by the
    # accounts that read the record now. A record moved to another territory (an
    # event to another territory's initiative) takes its versions along: the new
    # territory reads them all, the old one none, as for its history's list.

    def has_view_history_or_change_history_permission(self, request, obj=None):
        return super().has_view_history_or_change_history_permission(
            request, self._as_it_stands(obj)
        )

    def _as_it_stands(self, obj):
        """The record a version `obj` is of, as stored now; a deleted one's latest
        record (its deletion) says its territory."""
        record = getattr(obj, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None)
        if record is None:
            return obj
        stored = self.model._base_manager.filter(pk=obj.pk).first()
        if stored is not None:
            return stored
        latest = (
            type(record)
            ._default_manager.filter(**{self.model._meta.pk.attname: obj.pk})
            .order_by("-history_date", "-history_id")
            .first()
        )
        return obj if latest is None else latest.instance

    def revert_disabled(self, request, obj=None):
        # A version of the record in a territory the account does not read (before
        # it was moved) is shown, and not offered to put back.
        return super().revert_disabled(request, obj) or (
            obj is not None and not self.has_change_permission(request, obj)
        )

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # An address whose ids are not numbers names no version: django-simple-history
        # would look it up as is (a 500).
        try:
            self.model._meta.pk.to_python(unquote(object_id))
            int(version_id)
        except (ValidationError, ValueError) as error:
            raise Http404("Cette version n'existe pas.") from error
        return super().history_form_view(request, object_id, version_id, extra_context)

    # A posted id of another territory's record is not among the field's choices:
    # Django refuses it (« Sélectionnez un choix valide… ») and saves nothing.

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        self._narrow_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        self._narrow_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _narrow_choices(self, db_field, request, kwargs):
        model = db_field.related_model
        if not scoping.is_scoped(model):
            return
        queryset = kwargs.get("queryset")
        if queryset is None:
            queryset = self.get_field_queryset(kwargs.get("using"), db_field, request)
        if queryset is None:
            queryset = model._default_manager.using(kwargs.get("using")).all()
        kwargs["queryset"] = scoping.visible_to(queryset, request.user)


class SharedRecordAdminMixin:
    """For a record several territories may share (a partner, a contact, an
    audience): once another territory uses it (`sharing_territories`), it is that
    territory's too, and only an account of all of them, or that sees every
    territory, may delete it.

    A deletion locks the records it takes (FOR UPDATE) before it reads that rule for
    them, until it commits. A territory that starts using one meanwhile is then
    either seen, and the deletion refused, or made to wait for it, and its own save
    refused: its link's key is checked when it commits
    (feminisation.views.crossed_another_transaction). Read without the lock, the
    rule could say « Alpha's only » while Bravo's save commits, and the deletion
    would take Bravo's link with it, Bravo being told it was saved.

    A deletion refused by this rule alone (the record started being used elsewhere
    after the page was shown, or the address was typed) says which territories use
    it, instead of a page that says the account has no access."""

    def sharing_territories(self, obj):
        """The territories (a queryset) that `obj` works in or is used by."""
        raise NotImplementedError

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or not scoping.reaches_beyond(self.sharing_territories(obj), request.user)
        )

    def delete_view(self, request, object_id, extra_context=None):
        with transaction.atomic(using=router.db_for_write(self.model)):
            if request.method == "POST":
                self.lock_for_deletion(_pks(self.model, [unquote(object_id)]))
            obj = self.get_object(request, unquote(object_id))
            if self._refuse_shared(request, [obj]):
                opts = self.model._meta
                return HttpResponseRedirect(
                    reverse(
                        f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                        args=[quote(obj.pk)],
                    )
                )
            return super().delete_view(request, object_id, extra_context)

    def response_action(self, request, queryset):
        # The list's « Supprimer » action reads its rule and deletes in one
        # transaction, as the deletion page does.
        if request.POST.get("action") != "delete_selected":
            return super().response_action(request, queryset)
        with transaction.atomic(using=router.db_for_write(self.model)):
            if request.POST.get("select_across") == "1":
                pks = list(queryset.order_by().values_list("pk", flat=True))
            else:
                pks = _pks(self.model, request.POST.getlist(helpers.ACTION_CHECKBOX_NAME))
            self.lock_for_deletion(pks)
            if self._refuse_shared(request, queryset.filter(pk__in=pks)):
                return HttpResponseRedirect(request.get_full_path())
            return super().response_action(request, queryset)

    def lock_for_deletion(self, pks):
        """Locks the records `pks`, and in a subclass the shared records their
        deletion takes with them."""
        lock_for_deletion(self.model, pks)

    def _refuse_shared(self, request, objs):
        """Whether, the account being allowed to delete these records but for
        another territory using some of them, it was told so: a message for each,
        naming those territories. Nothing is deleted then."""
        noun = Noun.of(self.model)
        refused = False
        for obj in objs:
            if obj is None or not super().has_delete_permission(request, obj):
                continue  # Django's own answer (not found, no access) stands
            others = scoping.beyond(self.sharing_territories(obj), request.user)
            names = sorted(set(others.values_list("name", flat=True)))
            if not names:
                continue
            refused = True
            territories = listed(f"« {name} »" for name in names)
            if len(names) > 1:
                using = f"les territoires {territories} s'en servent aussi"
                theirs = "ces territoires"
            else:
                using = f"le territoire {territories} s'en sert aussi"
                theirs = "ce territoire"
            messages.error(
                request,
                f"{capfirst(noun.the)} « {obj} » n'a pas été {noun.agreed('supprimé')} : "
                f"{using}. Seul un compte qui appartient aussi à {theirs} "
                f"peut {noun.pronoun} supprimer.",
            )
        return refused


def _pks(model, values):
    """The primary keys among `values` (as a request sends them); the others name
    no record to lock."""
    pks = []
    for value in values:
        try:
            pks.append(model._meta.pk.to_python(value))
        except ValidationError:
            continue
    return pks


def lock_for_deletion(model, pks):
    """Within a transaction on PostgreSQL: locks these records until it ends (in
    the order of their ids), as their deletion would, but before it reads what uses
    them. Elsewhere (SQLite writes one transaction at a time), nothing."""
    _lock(model, pks, no_key=False)


def lock_for_change(model, pks):
    """As `lock_for_deletion`, in the mode of an update: a deletion waits for it,
    and it for a deletion; the saves that only link to the records go through."""
    _lock(model, pks, no_key=True)


def _lock(model, pks, no_key):
    connection = transaction.get_connection(router.db_for_write(model))
    if not pks or connection.vendor != "postgresql" or not connection.in_atomic_block:
        return
    rows = model._base_manager.filter(pk__in=pks).order_by("pk")
    list(rows.select_for_update(no_key=no_key).values_list("pk", flat=True))


class EpciForm(forms.ModelForm):
    class Meta:
        model = Epci
        fields = ("siren", "name")

    def clean_siren(self):
        siren = self.cleaned_data["siren"]
        if not (len(siren) == 9 and siren.isdigit()):
            return siren  # the model's validator says how a SIREN is written
        # Once the official communes are loaded, an EPCI none of them names is a typo.
        communes = Commune.objects.all()
        if communes.exists() and not communes.filter(epci_siren=siren).exists():
            raise forms.ValidationError(
                "Aucune commune officielle n'appartient à l'intercommunalité de SIREN "
                f"{siren} : vérifiez le numéro (9 chiffres, celui de l'EPCI)."
            )
        return siren


class EpciInline(admin.TabularInline):
    model = Epci
    form = EpciForm
    formset = ConstraintMessageInlineFormSet
    fields = ("siren", "name")
    extra = 1


@admin.register(Territory)
class TerritoryAdmin(TerritoryScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "region", "epcis_count", "members_count")
    list_filter = ("region",)
    search_fields = ("name", "slug", "region")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at", "updated_at")
    filter_horizontal = ("members",)
    fieldsets = (
        (None, {"fields": ("name", "slug", "region")}),
        ("Comptes", {"fields": ("members",)}),
        ("Suivi", {"fields": ("created_at", "updated_at")}),
    )
    inlines = (EpciInline,)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                epcis_count=Count("epcis", distinct=True),
                members_count=Count("members", distinct=True),
            )
        )

    @admin.display(description="intercommunalités", ordering="epcis_count")
    def epcis_count(self, territory):
        return territory.epcis_count

    @admin.display(description="comptes", ordering="members_count")
    def members_count(self, territory):
        return territory.members_count

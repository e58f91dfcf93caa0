"""The accounts in the admin, in place of Django's stock user admin.

Superusers manage every account with Django's full form. The territory staff manage
partner accounts only (accounts.rules), with a form that has no other field to give:
name, e-mail, user name, organisations, active or not, and a link by e-mail to
choose the password. Whatever a request posts besides is not read, and what staff
save is always a partner account in the « Partenaires » group. Every save is one
version in the account's history (accounts.models)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, UserChangeForm, UsernameField
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from accounts import password_links, rules
from accounts.models import MEMBERSHIPS, history
from feminisation import validators
from feminisation.admin import ChangeDisplay
from feminisation.formatting import counted
from partners.models import Partner

User = get_user_model()

LINK_HELP = (
    "Un courriel part à l'adresse ci-dessus avec un lien pour choisir le mot de passe "
    "(valable trois jours, une seule fois)."
)
NAME_FIELDS = ("username", "first_name", "last_name", "email")
ADMIN_PASSWORD_REASON = "Mot de passe changé dans l'administration"


class AccountFormMixin(forms.Form):
    """The account's organisations (Partner.members, seen from the account) and the
    password link, on both roles' forms."""

    organisations = forms.ModelMultipleChoiceField(
        Partner.objects.all(),
        required=False,
        label="Organisations",
        widget=FilteredSelectMultiple("organisations", is_stacked=False),
        help_text="Les partenaires dont ce compte saisit les actions : il ne voit que les leurs.",
    )
    send_password_link = forms.BooleanField(
        label="Envoyer un lien pour choisir le mot de passe", required=False, help_text=LINK_HELP
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in NAME_FIELDS:
            if name in self.fields:
                self.fields[name].validators.append(validators.single_line)
        if self.instance.pk is not None and "organisations" in self.fields:
            self.fields["organisations"].initial = list(
                self.instance.partner_organisations.values_list("pk", flat=True)
            )


class PartnerAccountForm(AccountFormMixin, forms.ModelForm):
    """All the territory staff may give an account: nothing that empowers it."""

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email", "is_active")
        field_classes = {"username": UsernameField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["email"].help_text = "Le lien pour choisir le mot de passe y est envoyé."
        if self.instance.pk is None:
            self.fields["send_password_link"].initial = True

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("send_password_link") and cleaned.get("is_active") is False:
            self.add_error(
                "send_password_link", "Un compte désactivé ne reçoit pas de lien : réactivez-le."
            )
        return cleaned


class FullAccountForm(AccountFormMixin, UserChangeForm):
    """Django's own form, for superusers, with the organisations and the link."""


class AdminSetPasswordForm(AdminPasswordChangeForm):
    def save(self, commit=True):
        self.user._change_reason = ADMIN_PASSWORD_REASON
        return super().save(commit)


PARTNER_FIELDSETS = (
    (None, {"fields": ("username",)}),
    ("Personne", {"fields": ("first_name", "last_name", "email")}),
    ("Organisations", {"fields": ("organisations",)}),
)
PARTNER_ADD_FIELDSETS = (*PARTNER_FIELDSETS, ("Mot de passe", {"fields": ("send_password_link",)}))
PARTNER_CHANGE_FIELDSETS = (
    *PARTNER_FIELDSETS,
    ("Accès", {"fields": ("is_active", "password_status", "send_password_link")}),
    ("Dates", {"fields": ("last_login", "date_joined")}),
)


admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(SimpleHistoryAdmin, UserAdmin):
    form = FullAccountForm
    change_password_form = AdminSetPasswordForm
    object_history_list_template = "accounts/admin/history_list.html"
    list_display = ("username", "full_name", "email", "organisations_list", "is_active")
    search_fields = ("username", "first_name", "last_name", "email")
    actions = ("send_password_links",)
    readonly_fields = ("last_login", "date_joined")

    # Who reaches which account: accounts.rules, for every list, form and URL.

    def get_queryset(self, request):
        accounts = super().get_queryset(request).prefetch_related("partner_organisations")
        return rules.manageable_accounts(request.user, accounts)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (
            obj is None or rules.may_manage(request.user, obj)
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or rules.may_manage(request.user, obj)
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or rules.may_manage(request.user, obj)
        )

    def user_change_password(self, request, id, form_url=""):
        # Staff send a link: the person chooses the password, nobody else knows it.
        if not rules.manages_every_account(request.user):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    # The forms: Django's for superusers, the partner account's for staff.

    def get_form(self, request, obj=None, **kwargs):
        if not rules.manages_every_account(request.user):
            kwargs["form"] = PartnerAccountForm
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if not rules.manages_every_account(request.user):
            return PARTNER_CHANGE_FIELDSETS if obj else PARTNER_ADD_FIELDSETS
        if obj is None:
            return self.add_fieldsets
        return (
            *self.fieldsets,
            ("Organisations", {"fields": ("organisations",)}),
            ("Mot de passe", {"fields": ("send_password_link",)}),
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        response = super().render_change_form(request, context, add, change, form_url, obj)
        if add and not rules.manages_every_account(request.user):
            response.template_name = "accounts/admin/partner_account_add_form.html"
        return response

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not rules.manages_every_account(request.user):
            return (*self.readonly_fields, "password_status")
        return super().get_readonly_fields(request, obj)

    def get_list_filter(self, request):
        if rules.manages_every_account(request.user):
            return ("is_staff", "is_superuser", "is_active", "groups")
        return ("is_active", ("partner_organisations", admin.RelatedOnlyFieldListFilter))

    # Saving: the account and its memberships, then one version of it.

    def save_model(self, request, obj, form, change):
        obj.skip_history_when_saving = True
        if not rules.manages_every_account(request.user):
            rules.make_partner_account(obj)
            if not change:
                obj.set_unusable_password()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        account = form.instance
        if "organisations" in form.cleaned_data:
            account.partner_organisations.set(form.cleaned_data["organisations"])
        if not rules.manages_every_account(request.user):
            account.groups.set([rules.partners_group()])
        del account.skip_history_when_saving
        history.record(account, "~" if change else "+")
        if form.cleaned_data.get("send_password_link"):
            self.send_password_link(request, account)

    def send_password_link(self, request, account):
        if reason := password_links.refusal(account):
            self.message_user(request, f"Aucun lien envoyé : {reason}.", messages.WARNING)
            return
        try:
            password_links.send(request, account)
        except password_links.PasswordLinkError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(
                request, f"Un lien pour choisir le mot de passe est envoyé à {account.email}."
            )

    @admin.action(
        description="Envoyer un lien pour choisir le mot de passe", permissions=["change"]
    )
    def send_password_links(self, request, queryset):
        sent, refused = 0, []
        for account in queryset:
            reason = password_links.refusal(account)
            if reason is None:
                try:
                    password_links.send(request, account)
                except password_links.PasswordLinkError as error:
                    reason = str(error)
                else:
                    sent += 1
                    continue
            refused.append(f"{account.get_username()} ({reason})")
        text = f"{counted(sent, 'lien envoyé', 'liens envoyés')}."
        if refused:
            text += f" Aucun lien pour : {', '.join(refused)}."
        self.message_user(request, text, messages.WARNING if refused else messages.SUCCESS)

    # The history: who changed what, and never a revert (a version would bring back
    # the roles and the password of its day).

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        raise PermissionDenied

    def history_view_title(self, request, obj):
        return f"Historique du compte « {obj} »"

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        previous = None
        for current in historical_records:
            if previous is not None:
                previous.history_delta_changes = self.changes(previous, current)
            previous = current

    def changes(self, new, old):
        delta = new.diff_against(old, foreign_keys_are_objs=False)
        display = ChangeDisplay(User, new)
        changes = display.context_for_delta_changes(delta)
        for name in MEMBERSHIPS:
            before, after = getattr(old, name), getattr(new, name)
            if before != after:
                label = new._meta.get_field(name).verbose_name
                changes.append(
                    {"field": label.capitalize(), "old": before or "—", "new": after or "—"}
                )
        return changes

    # The list's columns and the form's read-only field.

    @admin.display(description="nom", ordering="last_name")
    def full_name(self, account):
        return account.get_full_name()

    @admin.display(description="organisations")
    def organisations_list(self, account):
        return ", ".join(str(partner) for partner in account.partner_organisations.all())

    @admin.display(description="mot de passe")
    def password_status(self, account):
        if account.has_usable_password():
            return "Choisi par la personne."
        return "Pas encore choisi : envoyez un lien."

"""The accounts in the admin, in place of Django's stock user admin.

Superusers manage every account with Django's full form. The territory staff manage
partner accounts only (accounts.rules), with a form that has no other field to give:
name, e-mail, user name (taken from the e-mail when left empty), organisations,
active or not, and the invitation by e-mail to choose the password
(accounts.invitations). Whatever a request posts besides is not read, and what staff
save is always a partner account in the « Partenaires » group. No two accounts share
an e-mail address, which logs in as well as the user name (accounts.login). Every
save is one version in the account's history (accounts.models)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, UserChangeForm, UsernameField
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from simple_history.admin import SimpleHistoryAdmin

from accounts import invitations, rules
from accounts.models import MEMBERSHIPS, history
from feminisation import validators
from feminisation.admin import ChangeDisplay
from feminisation.formatting import counted
from partners.models import Partner
from territories import scoping
from territories.admin import ScopedRelatedOnlyFilter
from territories.models import Territory

User = get_user_model()

INVITATION_HELP = (
    "Un courriel part à l'adresse ci-dessus avec un lien pour choisir le mot de passe "
    "(valable sept jours, une seule fois)."
)
USERNAME_HELP = (
    "Laissez vide : il est tiré de l'adresse électronique. La personne se connecte avec "
    "l'un ou l'autre."
)
EMAIL_HELP = "L'invitation y est envoyée ; la personne peut aussi se connecter avec."
EMAIL_TAKEN = (
    "Un autre compte a déjà cette adresse électronique : chaque compte a la sienne, "
    "qui sert aussi à se connecter."
)
NAME_FIELDS = ("username", "first_name", "last_name", "email")
ADMIN_PASSWORD_REASON = "Mot de passe changé dans l'administration"


class AccountFormMixin(forms.Form):
    """The account's organisations (Partner.members, seen from the account) and
    territories (Territory.members), the invitation, and an e-mail address of its
    own, on both roles' forms. The admin sets `user` (who fills the form) and
    `territory_ids` (the territories it may give) on the class it builds for each
    request: both lists offer only what that account may give."""

    user = None
    territory_ids = ()

    organisations = forms.ModelMultipleChoiceField(
        Partner.objects.all(),
        required=False,
        label="Organisations",
        widget=FilteredSelectMultiple("organisations", is_stacked=False),
        help_text="Les partenaires dont ce compte saisit les actions : il ne voit que les leurs.",
    )
    territories = forms.ModelMultipleChoiceField(
        Territory.objects.all(),
        required=False,
        label="Territoires",
        widget=FilteredSelectMultiple("territoires", is_stacked=False),
        help_text="Le compte ne voit que les données de ces territoires.",
    )
    send_invitation = forms.BooleanField(
        label="Envoyer l'invitation par courriel", required=False, help_text=INVITATION_HELP
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in NAME_FIELDS:
            if name in self.fields:
                self.fields[name].validators.append(validators.single_line)
        if "organisations" in self.fields and self.user is not None:
            self.fields["organisations"].queryset = scoping.visible_to(
                Partner.objects.all(), self.user
            )
        if "territories" in self.fields:
            self.fields["territories"].queryset = Territory.objects.filter(
                pk__in=self.territory_ids
            )
        if self.instance.pk is not None and "organisations" in self.fields:
            self.fields["organisations"].initial = list(
                self.instance.partner_organisations.values_list("pk", flat=True)
            )
        if self.instance.pk is not None and "territories" in self.fields:
            self.fields["territories"].initial = list(
                self.instance.territories.filter(pk__in=self.territory_ids).values_list(
                    "pk", flat=True
                )
            )

    def clean_email(self):
        email = self.cleaned_data.get("email")
        if email and User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(EMAIL_TAKEN, code="email_taken")
        return email


class PartnerAccountForm(AccountFormMixin, forms.ModelForm):
    """All the territory staff may give an account: nothing that empowers it."""

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email", "is_active")
        field_classes = {"username": UsernameField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "email" not in self.fields:
            return  # shown read-only: an account staff see but do not change (rules.may_change)
        self.fields["email"].required = True
        self.fields["email"].help_text = EMAIL_HELP
        if self.instance.pk is None:
            # An invitation: who, to which address, for which organisations.
            self.fields["username"].required = False
            self.fields["username"].help_text = USERNAME_HELP
            for name in ("first_name", "last_name", "organisations"):
                self.fields[name].required = True
            self.fields["organisations"].error_messages["required"] = (
                "Choisissez au moins une organisation : le compte saisit ses actions."
            )
            self.fields["send_invitation"].initial = True
        else:
            self.fields["send_invitation"].label = "Renvoyer l'invitation par courriel"
        if len(self.territory_ids) < 2:
            # Staff of one territory: the accounts they open belong to it (the admin's
            # save), and they give no other.
            del self.fields["territories"]
        else:
            # Staff of several say which of theirs the account belongs to.
            self.fields["territories"].required = True
            self.fields["territories"].error_messages["required"] = (
                "Choisissez au moins un territoire : le compte n'en voit que les données."
            )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("username") and cleaned.get("email") and "username" not in self.errors:
            cleaned["username"] = invitations.username_from_email(cleaned["email"])
        if cleaned.get("send_invitation") and cleaned.get("is_active") is False:
            self.add_error(
                "send_invitation", "Un compte désactivé ne reçoit pas d'invitation : réactivez-le."
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
TERRITORIES_FIELDSET = ("Territoires", {"fields": ("territories",)})
PARTNER_ADD_FIELDSETS = (*PARTNER_FIELDSETS, ("Invitation", {"fields": ("send_invitation",)}))
PARTNER_CHANGE_FIELDSETS = (
    *PARTNER_FIELDSETS,
    ("Accès", {"fields": ("is_active", "password_status", "send_invitation")}),
    ("Dates", {"fields": ("last_login", "date_joined")}),
)
# An account the staff see but do not change (rules.may_change): its values, and why.
PARTNER_VIEW_FIELDSETS = (
    (None, {"fields": ("username", "shared_account")}),
    ("Personne", {"fields": ("first_name", "last_name", "email")}),
    ("Organisations", {"fields": ("organisations_list",)}),
    ("Accès", {"fields": ("is_active", "password_status")}),
    ("Dates", {"fields": ("last_login", "date_joined")}),
)


admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(SimpleHistoryAdmin, UserAdmin):
    form = FullAccountForm
    change_password_form = AdminSetPasswordForm
    object_history_list_template = "accounts/admin/history_list.html"
    list_display = (
        "username",
        "full_name",
        "email",
        "organisations_list",
        "invitation_status",
        "is_active",
    )
    search_fields = ("username", "first_name", "last_name", "email")
    actions = ("send_invitations",)
    readonly_fields = ("last_login", "date_joined")

    # Who reaches which account: accounts.rules, for every list, form and URL.

    def get_queryset(self, request):
        # Its organisations of other territories are not named (an account may belong
        # to two territories).
        organisations = scoping.visible_to(Partner.objects.all(), request.user)
        accounts = (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("partner_organisations", queryset=organisations))
        )
        return rules.manageable_accounts(request.user, accounts)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (
            obj is None or rules.may_manage(request.user, obj)
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or rules.may_change(request.user, obj)
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or rules.may_change(request.user, obj)
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
        form = super().get_form(request, obj, **kwargs)
        # modelform_factory builds a new class on each call: this stays per request.
        form.user = request.user
        form.territory_ids = self._givable_territory_ids(request)
        return form

    def _givable_territory_ids(self, request):
        """The territories this account may give, read once per request."""
        if not hasattr(request, "_givable_territory_ids"):
            request._givable_territory_ids = list(
                rules.givable_territories(request.user).values_list("pk", flat=True)
            )
        return request._givable_territory_ids

    def get_fieldsets(self, request, obj=None):
        if not rules.manages_every_account(request.user):
            if obj is not None and not rules.may_change(request.user, obj):
                return PARTNER_VIEW_FIELDSETS
            fieldsets = PARTNER_CHANGE_FIELDSETS if obj else PARTNER_ADD_FIELDSETS
            if len(self._givable_territory_ids(request)) < 2:
                # Staff of one territory: the accounts they open belong to it.
                return fieldsets
            return (*fieldsets[:3], TERRITORIES_FIELDSET, *fieldsets[3:])
        if obj is None:
            return self.add_fieldsets
        return (
            *self.fieldsets,
            ("Organisations", {"fields": ("organisations",)}),
            TERRITORIES_FIELDSET,
            ("Invitation", {"fields": ("send_invitation",)}),
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
            return ("is_staff", "is_superuser", "is_active", InvitationFilter, "groups")
        return (
            "is_active",
            InvitationFilter,
            ("partner_organisations", ScopedRelatedOnlyFilter),
        )

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
        user = request.user
        if "organisations" in form.cleaned_data:
            # The organisations of other territories, which the form does not show, stay.
            kept = account.partner_organisations.exclude(
                pk__in=scoping.visible_to(Partner.objects.all(), user).values("pk")
            )
            account.partner_organisations.set([*form.cleaned_data["organisations"], *kept])
        self._save_territories(request, form, change)
        if not rules.manages_every_account(user):
            account.groups.set([rules.partners_group()])
        del account.skip_history_when_saving
        history.record(account, "~" if change else "+")
        if form.cleaned_data.get("send_invitation"):
            self.send_invitation(request, account)

    def _save_territories(self, request, form, change):
        """The territories chosen among those this account may give (the others the
        account belongs to stay); an account opened by someone who gives one
        territory only (staff of one territory; a superuser of an instance of one)
        belongs to it."""
        account, givable = form.instance, self._givable_territory_ids(request)
        if "territories" in form.cleaned_data:
            kept = account.territories.exclude(pk__in=givable)
            account.territories.set([*form.cleaned_data["territories"], *kept])
        elif not change and len(givable) == 1:
            account.territories.add(givable[0])

    def send_invitation(self, request, account):
        if reason := invitations.refusal(account):
            self.message_user(request, f"Aucune invitation envoyée : {reason}.", messages.WARNING)
            return
        try:
            invitations.send(request, account)
        except invitations.InvitationError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(
                request,
                f"L'invitation est envoyée à {account.email} : son lien pour choisir le mot "
                "de passe vaut sept jours.",
            )

    @admin.action(description="Renvoyer l'invitation", permissions=["change"])
    def send_invitations(self, request, queryset):
        sent, refused = 0, []
        for account in queryset:
            reason = invitations.refusal(account)
            if reason is None:
                try:
                    invitations.send(request, account)
                except invitations.InvitationError as error:
                    reason = str(error)
                else:
                    sent += 1
                    continue
            refused.append(f"{account.get_username()} ({reason})")
        text = f"{counted(sent, 'invitation envoyée', 'invitations envoyées')}."
        if refused:
            text += f" Aucune invitation pour : {', '.join(refused)}."
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

    @admin.display(description="invitation")
    def invitation_status(self, account):
        return "acceptée" if invitations.accepted(account) else "en attente"

    @admin.display(description="modification")
    def shared_account(self, account):
        return (
            "Ce compte appartient aussi à un territoire dont vous n'êtes pas membre : "
            "seule une équipe membre de tous ses territoires peut le modifier."
        )

    @admin.display(description="mot de passe")
    def password_status(self, account):
        if account.has_usable_password():
            return "Choisi par la personne."
        return "Pas encore choisi : invitation en attente."


class InvitationFilter(admin.SimpleListFilter):
    title = "invitation"
    parameter_name = "invitation"

    def lookups(self, request, model_admin):
        return (("en-attente", "En attente"), ("acceptee", "Acceptée"))

    def queryset(self, request, queryset):
        if self.value() == "en-attente":
            return queryset.filter(invitations.pending())
        if self.value() == "acceptee":
            return queryset.exclude(invitations.pending())
        return queryset

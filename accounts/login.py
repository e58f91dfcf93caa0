"""Logging in with one's e-mail address or user name.

The user name is looked up first, exactly, as Django does. Failing that, an
identifier with an @ is an e-mail address, read whatever its case: the one active
account that has it logs in. Two active accounts sharing it is ambiguous; the
address then logs in neither (a warning names them), never the wrong one: the user
admin refuses an address already used (accounts.admin), so only older data or
another way in can create the case.

Every refusal says the same thing, whether the account exists or not, and costs the
same time (a password hashed either way). django-axes, before this backend,
locks the identifier as typed; an address whatever its case."""

import logging

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

logger = logging.getLogger(__name__)

User = get_user_model()

EMAIL_MAX_LENGTH = 254


def account_for(identifier):
    """The account an identifier names, or None: nobody, or several accounts."""
    try:
        return User._default_manager.get_by_natural_key(identifier)
    except User.DoesNotExist:
        pass
    if "@" not in identifier:
        return None
    accounts = list(
        User._default_manager.filter(email__iexact=identifier.strip(), is_active=True).order_by(
            "pk"
        )[:10]
    )
    if len(accounts) > 1:
        logger.warning(
            "Login by e-mail refused: accounts %s share the address typed; give each its own.",
            ", ".join(str(account.pk) for account in accounts),
        )
        return None
    return accounts[0] if accounts else None


class EmailOrUsernameBackend(ModelBackend):
    """Django's ModelBackend (its permissions, its inactive accounts refused), with
    the e-mail address as a second identifier."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        account = account_for(username)
        if account is None:
            # As long as for a wrong password (Django's defence against timing).
            User().set_password(password)
            return None
        if account.check_password(password) and self.user_can_authenticate(account):
            return account
        return None


def lockout_identifier(request, credentials=None):
    """AXES_USERNAME_CALLABLE: what axes locks after repeated failures, the
    identifier typed; an address whatever its case, since it logs in whatever its
    case."""
    if credentials:
        identifier = credentials.get("username")
    else:
        identifier = getattr(request, "POST", {}).get("username")
    if identifier and "@" in identifier:
        return identifier.strip().lower()
    return identifier


class LoginForm(AdminAuthenticationForm):
    """The admin's login form, whose identifier is an address or a user name, and
    whose refusal tells nothing about which was wrong, or whether the account
    exists."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": (
            "Identifiant ou mot de passe incorrect. Vérifiez-les (le mot de passe "
            "distingue majuscules et minuscules), ou choisissez « Mot de passe "
            "oublié ? »."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.label = "Adresse électronique ou nom d'utilisateur"
        field.max_length = EMAIL_MAX_LENGTH
        field.widget.attrs["maxlength"] = str(EMAIL_MAX_LENGTH)

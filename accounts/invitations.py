"""Staff invite a partner: they create the account with a name, an e-mail and its
organisations, and the person receives an invitation by e-mail with a link to choose
a password, valid seven days.

The link is Django's reset token, made by a generator of its own (its own salt, its
own validity): an invitation link is no reset link, nor the reverse. Like Django's,
the token no longer works once the password is chosen or the person has logged in.
Forgotten passwords are accounts.password_links' business: the person asks for the
link herself."""

from datetime import timedelta

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from feminisation.formatting import counted, moment

User = get_user_model()

VALIDITY = timedelta(days=7)
SUBJECT_TEMPLATE = "accounts/emails/invitation_subject.txt"
TEXT_TEMPLATE = "accounts/emails/invitation.txt"
HTML_TEMPLATE = "accounts/emails/invitation.html"
# Django's UnicodeUsernameValidator accepts letters, digits and @.+-_ only.
USERNAME_MAX_LENGTH = User._meta.get_field("username").max_length


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset tokens, valid for VALIDITY rather than PASSWORD_RESET_TIMEOUT."""

    key_salt = "accounts.invitations.InvitationTokenGenerator"
    validity = VALIDITY

    def check_token(self, user, token):
        # Django's check, which reads its age limit from the settings: the same
        # steps with this generator's.
        if not (user and token):
            return False
        try:
            timestamp = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        age = self._num_seconds(self._now()) - timestamp
        return age <= self.validity.total_seconds()


invitation_token_generator = InvitationTokenGenerator()


class InvitationError(Exception):
    """The e-mail could not be sent; the message says why, in French."""


def pending():
    """The accounts whose owner has not accepted the invitation: never chose a
    password, never logged in."""
    return Q(password__startswith=UNUSABLE_PASSWORD_PREFIX, last_login__isnull=True)


def accepted(account):
    return account.has_usable_password() or account.last_login is not None


def username_from_email(email):
    """A user name nobody has yet (whatever the case), from the address's local part:
    « lea.martin », then « lea.martin-2 », « lea.martin-3 »…"""
    local_part = email.rpartition("@")[0] or email
    base = "".join(
        char if char.isalnum() or char in ".+-_" else "-" for char in local_part.lower()
    ).strip("-.")
    base = (base or "partenaire")[: USERNAME_MAX_LENGTH - 10]
    taken = {
        name.lower()
        for name in User.objects.filter(username__istartswith=base).values_list(
            "username", flat=True
        )
    }
    candidate, suffix = base, 1
    while candidate in taken:
        suffix += 1
        candidate = f"{base}-{suffix}"
    return candidate


def refusal(account):
    """Why no invitation can be sent to this account, or None."""
    if not account.is_active:
        return "le compte est désactivé"
    if not account.email:
        return "le compte n'a pas d'adresse électronique"
    if account.has_usable_password():
        return (
            "la personne a déjà choisi son mot de passe : « Mot de passe oublié ? » sur la "
            "page de connexion lui en fait choisir un autre"
        )
    return None


def send(request, account):
    """Sends the invitation, from request.user; raises InvitationError if the e-mail
    cannot be sent. The account's organisations are read: save them first."""
    token = invitation_token_generator.make_token(account)
    uid = urlsafe_base64_encode(force_bytes(account.pk))
    inviter = request.user
    organisations = [str(partner) for partner in account.partner_organisations.all()]
    context = {
        "user": account,
        "site_name": admin.site.site_title,
        "inviter": inviter.get_full_name() or inviter.get_username(),
        "organisations": ", ".join(organisations),
        "organisations_count": len(organisations),
        "link": request.build_absolute_uri(
            reverse("invitation_accept", kwargs={"uidb64": uid, "token": token})
        ),
        "login_url": request.build_absolute_uri(reverse("admin:login")),
        "expires": moment(timezone.now() + VALIDITY),
        "validity": counted(VALIDITY.days, "jour", "jours"),
    }
    subject = "".join(loader.render_to_string(SUBJECT_TEMPLATE, context).splitlines())
    message = EmailMultiAlternatives(
        subject, loader.render_to_string(TEXT_TEMPLATE, context), to=[account.email]
    )
    message.attach_alternative(loader.render_to_string(HTML_TEMPLATE, context), "text/html")
    try:
        message.send()
    except (OSError, ValueError) as error:  # smtplib's errors are OSErrors
        raise InvitationError(
            f"Le courriel à {account.email} n'a pas pu être envoyé ({error}) : vérifiez "
            "l'adresse, ou le réglage EMAIL_URL du serveur."
        ) from error

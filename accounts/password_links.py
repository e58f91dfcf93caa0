"""Choosing one's password with a link received by e-mail, in French, with Django's
reset views: the invitation's link (accounts.invitations, seven days) under
/compte/invitation/…, the forgotten password's (Django's default generator,
PASSWORD_RESET_TIMEOUT: three days) under /compte/mot-de-passe/…. Both links work
once, and no longer once the password is chosen or the person has logged in.

« Mot de passe oublié ? » asks for an address and answers the same page whatever
it is: whether an account has it is never told. Only an active account with a
password gets the e-mail; an address gets at most REQUESTS_PER_HOUR of them."""

import hashlib
import logging

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.contrib.auth.views import (
    PasswordResetCompleteView,
    PasswordResetConfirmView,
    PasswordResetDoneView,
    PasswordResetView,
)
from django.core.cache import cache
from django.urls import reverse_lazy

from accounts import invitations
from feminisation.formatting import counted

logger = logging.getLogger(__name__)

INVITATION_REASON = "Invitation acceptée : mot de passe choisi avec le lien reçu par courriel"
RESET_REASON = "Nouveau mot de passe choisi avec le lien « Mot de passe oublié ? »"
REQUESTS_PER_HOUR = 3
RATE_WINDOW = 60 * 60


def within_rate_limit(email):
    """Counts a request for `email`: False past REQUESTS_PER_HOUR in the hour that
    its first request opened. The count lives in the cache; when the cache does not
    answer, the request is let through (and logged): the form still works, without
    its limit, as the site does without its cache (feminisation.cache)."""
    key = "forgotten-password:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()
    try:
        cache.add(key, 0, RATE_WINDOW)
        count = cache.incr(key)
    except Exception:
        logger.warning(
            "The cache does not answer: a forgotten-password request is not rate limited.",
            exc_info=True,
        )
        return True
    return count <= REQUESTS_PER_HOUR


class ForgottenPasswordForm(PasswordResetForm):
    """Django's form: an e-mail to each active account of the address that has a
    password (an invitation not yet accepted is renewed by the staff), none to the
    others, and a sending failure logged, never shown. Here, within the limit."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Adresse électronique"

    def save(self, **kwargs):
        if within_rate_limit(self.cleaned_data["email"]):
            super().save(**kwargs)
        else:
            logger.info("Forgotten password: an address asked too often, no e-mail sent.")


class ChosenPasswordForm(SetPasswordForm):
    reason = None

    def save(self, commit=True):
        # The account's history says who chose the password: the person themself.
        self.user._change_reason = self.reason
        self.user._history_user = self.user
        return super().save(commit)


class InvitationPasswordForm(ChosenPasswordForm):
    reason = INVITATION_REASON


class ResetPasswordForm(ChosenPasswordForm):
    reason = RESET_REASON


def reset_validity():
    return counted(settings.PASSWORD_RESET_TIMEOUT // (24 * 3600), "jour", "jours")


class AdminLookMixin:
    """The pages look like the admin, where the person goes next."""

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "site_header": admin.site.site_header,
            "site_title": admin.site.site_title,
            "reset_validity": reset_validity(),
            "invitation_validity": counted(invitations.VALIDITY.days, "jour", "jours"),
        }


class ForgottenPasswordView(AdminLookMixin, PasswordResetView):
    form_class = ForgottenPasswordForm
    template_name = "accounts/forgotten_password.html"
    title = "Mot de passe oublié"
    subject_template_name = "accounts/emails/password_reset_subject.txt"
    email_template_name = "accounts/emails/password_reset.txt"
    html_email_template_name = "accounts/emails/password_reset.html"
    success_url = reverse_lazy("forgotten_password_sent")

    def form_valid(self, form):
        self.extra_email_context = {
            "site_name": admin.site.site_title,
            "validity": reset_validity(),
        }
        return super().form_valid(form)


class ForgottenPasswordSentView(AdminLookMixin, PasswordResetDoneView):
    template_name = "accounts/forgotten_password_sent.html"
    title = "Vérifiez votre messagerie"


class ChoosePasswordView(AdminLookMixin, PasswordResetConfirmView):
    """The forgotten password's link."""

    template_name = "accounts/choose_password.html"
    title = "Choisir un nouveau mot de passe"
    form_class = ResetPasswordForm
    extra_context = {"invitation": False}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not context["validlink"]:
            context["title"] = "Ce lien ne fonctionne plus"
        return context


class AcceptInvitationView(ChoosePasswordView):
    """The invitation's link."""

    token_generator = invitations.invitation_token_generator
    title = "Choisir votre mot de passe"
    form_class = InvitationPasswordForm
    extra_context = {"invitation": True}


class PasswordChosenView(AdminLookMixin, PasswordResetCompleteView):
    template_name = "accounts/password_chosen.html"
    title = "Mot de passe enregistré"

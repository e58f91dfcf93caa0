"""A link by e-mail to choose one's password: Django's reset tokens and views,
under /compte/mot-de-passe/, in French.

Staff send one to a partner account they create (it has no password yet) or to one
that lost its password; the link works once, for PASSWORD_RESET_TIMEOUT (three
days), and no longer once the password is chosen or the person has logged in."""

from django.contrib import admin
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.views import PasswordResetCompleteView, PasswordResetConfirmView
from django.core.mail import EmailMultiAlternatives
from django.template import loader

SUBJECT_TEMPLATE = "accounts/password_link_subject.txt"
EMAIL_TEMPLATE = "accounts/password_link_email.txt"
CHOSEN_REASON = "Mot de passe choisi avec le lien reçu par courriel"


class PasswordLinkError(Exception):
    """The e-mail could not be sent; the message says why, in French."""


class PasswordLinkForm(PasswordResetForm):
    """Django's reset e-mail, to the given account: one without a password yet too,
    which Django's « forgotten password » form leaves out. Sending errors are
    raised, where Django's form only logs them."""

    def __init__(self, account):
        super().__init__({"email": account.email})
        self.account = account

    def get_users(self, email):
        return [self.account]

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        try:
            EmailMultiAlternatives(subject, body, from_email, [to_email]).send()
        except (OSError, ValueError) as error:  # smtplib's errors are OSErrors
            raise PasswordLinkError(
                f"Le courriel à {to_email} n'a pas pu être envoyé ({error}) : vérifiez "
                "l'adresse, ou le réglage EMAIL_URL du serveur."
            ) from error


def refusal(account):
    """Why no link can be sent to this account, or None."""
    if not account.is_active:
        return "le compte est désactivé"
    if not account.email:
        return "le compte n'a pas d'adresse électronique"
    return None


def send(request, account):
    """Sends the link; raises PasswordLinkError if the e-mail cannot be sent."""
    form = PasswordLinkForm(account)
    if not form.is_valid():
        raise PasswordLinkError(f"L'adresse « {account.email} » n'est pas valide.")
    form.save(
        request=request,
        use_https=request.is_secure(),
        subject_template_name=SUBJECT_TEMPLATE,
        email_template_name=EMAIL_TEMPLATE,
        token_generator=default_token_generator,
    )


class ChosenPasswordForm(SetPasswordForm):
    def save(self, commit=True):
        # The account's history says who chose the password: the person themself.
        self.user._change_reason = CHOSEN_REASON
        self.user._history_user = self.user
        return super().save(commit)


class AdminLookMixin:
    """The pages look like the admin, where the person goes next."""

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "site_header": admin.site.site_header,
            "site_title": admin.site.site_title,
        }


class ChoosePasswordView(AdminLookMixin, PasswordResetConfirmView):
    form_class = ChosenPasswordForm
    template_name = "accounts/choose_password.html"
    title = "Choisir votre mot de passe"


class PasswordChosenView(AdminLookMixin, PasswordResetCompleteView):
    template_name = "accounts/password_chosen.html"
    title = "Mot de passe enregistré"

"""Which e-mails each account receives: the « Mes notifications » page of the admin,
and the link at the bottom of every e-mail that turns its kind off without logging
in.

The link is signed (django.core.signing, with SECRET_KEY): it names the account and
the kind of e-mail, and nobody can write one for another account. It opens a page
that asks for a click, and only that POST changes anything: mail scanners open the
links of the e-mails they check, and must not unsubscribe anyone."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.models import NotificationKind, NotificationSettings
from feminisation.emails import absolute_url

SALT = "accounts.notification_settings.unsubscribe"
INVALID_LINK = (
    "Ce lien de désinscription n'est pas valide : il a sans doute été coupé ou modifié en "
    "chemin. Copiez-le en entier depuis le courriel, ou réglez vos courriels dans l'espace de "
    "saisie, page « Mes notifications »."
)
SAVED = "Vos préférences de courriel sont enregistrées."


def unsubscribe_token(account, kind):
    return signing.dumps({"compte": account.pk, "courriels": str(kind)}, salt=SALT)


def unsubscribe_url(account, kind):
    token = unsubscribe_token(account, kind)
    return absolute_url(reverse("notifications_unsubscribe", args=[token]))


def settings_url():
    return absolute_url(reverse("notification_settings"))


def _read_token(token):
    """(account, kind) named by a valid link, or None."""
    try:
        data = signing.loads(token, salt=SALT)
        kind = NotificationKind(data["courriels"])
        account = get_user_model().objects.filter(pk=data["compte"]).first()
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    return None if account is None else (account, kind)


class NotificationSettingsForm(forms.ModelForm):
    class Meta:
        model = NotificationSettings
        fields = ["status_changes", "weekly_reminders"]
        labels = {
            "status_changes": "Quand une action change de statut",
            "weekly_reminders": "Le récapitulatif de la semaine",
        }


def _page_context(request, title):
    return {**admin.site.each_context(request), "title": title, "subtitle": None}


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request):
    current = NotificationSettings.for_user(request.user)
    form = NotificationSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, SAVED)
        return redirect("notification_settings")
    return render(
        request,
        "accounts/notification_settings.html",
        {**_page_context(request, "Mes notifications"), "form": form},
    )


@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    found = _read_token(token)
    context = {
        "site_header": admin.site.site_header,
        "site_title": admin.site.site_title,
        "title": "Ne plus recevoir ces courriels",
    }
    if found is None:
        # A page, as for a password link that no longer works: the person reads why.
        return render(request, "accounts/unsubscribe.html", {**context, "error": INVALID_LINK})
    account, kind = found
    context.update(account=account, kind=kind.value)
    if request.method == "POST":
        NotificationSettings.for_user(account).turn_off(kind)
        context["done"] = True
    return render(request, "accounts/unsubscribe.html", context)

"""Each person chooses the e-mails they receive: « Mes notifications » in the admin's
user tools, and a link at the bottom of every e-mail that turns its kind off after
one click, without logging in."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from accounts.models import NotificationKind, NotificationSettings
from accounts.notification_settings import unsubscribe_token
from indicators.enums import EventStatus
from tests.notifications.test_status_emails import event_of

pytestmark = pytest.mark.django_db

SETTINGS_URL = reverse("notification_settings")
CHANGELIST_URL = reverse("admin:indicators_awarenessevent_changelist")


def settings_of(account):
    """As stored now."""
    return NotificationSettings.objects.filter(user=account).first() or NotificationSettings()


def unsubscribe_url(account, kind):
    return reverse("notifications_unsubscribe", args=[unsubscribe_token(account, kind)])


def test_the_admin_links_to_my_notifications_beside_the_password(client, partner):
    partner.set_password("un mot de passe assez long")
    partner.save()
    client.force_login(partner)

    response = client.get(reverse("admin:index"))

    assertContains(response, f'<a href="{SETTINGS_URL}">Mes notifications</a>', html=True)
    links = re.findall(r'<a href="([^"]+)">', response.content.decode().split('id="user-tools"')[1])
    assert links.index(SETTINGS_URL) + 1 == links.index(reverse("admin:password_change"))


def test_everything_is_on_until_turned_off(client, partner, django_assert_max_num_queries):
    client.force_login(partner)

    with django_assert_max_num_queries(6):
        response = client.get(SETTINGS_URL)

    assertContains(response, "<h1>Mes notifications</h1>", html=True)
    assertContains(response, "claire@example.fr")
    form = response.context["form"]
    assert form["status_changes"].value() is True
    assert form["weekly_reminders"].value() is True
    assert not NotificationSettings.objects.exists()


def test_turning_reminders_off_keeps_the_status_emails(client, partner):
    client.force_login(partner)

    response = client.post(SETTINGS_URL, {"status_changes": "on"}, follow=True)

    assertContains(response, "Vos préférences de courriel sont enregistrées.")
    saved = settings_of(partner)
    assert (saved.status_changes, saved.weekly_reminders) == (True, False)


def test_the_settings_need_a_login(client):
    response = client.get(SETTINGS_URL)

    assertRedirects(response, f"{reverse('admin:login')}?next={SETTINGS_URL}")


def test_an_emails_link_asks_for_a_click_before_turning_anything_off(client, partner):
    url = unsubscribe_url(partner, NotificationKind.STATUS_CHANGES)

    response = client.get(url)

    assertContains(response, "ne recevra plus les courriels envoyés quand une action est soumise")
    assertContains(
        response,
        '<input type="submit" class="default" value="Ne plus recevoir ces courriels">',
        html=True,
    )
    assert settings_of(partner).status_changes is True  # a mail scanner's visit changes nothing

    response = client.post(url)

    assertContains(response, "C'est fait : le compte <strong>claire</strong> ne recevra plus")
    saved = settings_of(partner)
    assert (saved.status_changes, saved.weekly_reminders) == (False, True)


def test_the_link_of_an_email_turns_off_its_kind_only(
    client, partner, staff, arc, initiative, django_capture_on_commit_callbacks
):
    event = event_of(arc, initiative, EventStatus.SUBMITTED)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            CHANGELIST_URL,
            {"action": "validate", "_selected_action": [event.pk], "index": 0},
        )
    client.logout()
    [email] = mail.outbox
    link = re.search(r"Ne plus recevoir ces courriels : (\S+)", email.body)[1]
    assert link.startswith("https://mixite.example.fr/compte/notifications/desinscription/")

    response = client.post(link.removeprefix("https://mixite.example.fr"))

    assert response.status_code == 200, response.content.decode()

    saved = settings_of(partner)
    assert (saved.status_changes, saved.weekly_reminders) == (False, True)


@pytest.mark.parametrize(
    "token",
    [
        "nimportequoi",
        # A valid token for another account, its signature left as it was.
        "tampered",
    ],
)
def test_a_tampered_link_is_refused_in_french(client, partner, staff, token):
    if token == "tampered":
        genuine = unsubscribe_token(partner, NotificationKind.STATUS_CHANGES)
        other = unsubscribe_token(staff, NotificationKind.STATUS_CHANGES)
        token = other.split(":")[0] + ":" + genuine.split(":", 1)[1]
    url = reverse("notifications_unsubscribe", args=[token])

    for response in (client.get(url), client.post(url)):
        assertContains(
            response,
            "<p class='errornote'>Ce lien de désinscription n'est pas valide : il a sans doute "
            "été coupé ou modifié en chemin. Copiez-le en entier depuis le courriel, ou réglez "
            "vos courriels dans l'espace de saisie, page « Mes notifications ».</p>",
            html=True,
        )
        assertNotContains(response, 'value="Ne plus recevoir ces courriels"')
    assert not NotificationSettings.objects.exists()


def test_unsubscribing_reaches_no_page_of_the_admin(client, partner):
    """The link works without a login, and gives nothing else away."""
    response = client.get(unsubscribe_url(partner, NotificationKind.WEEKLY_REMINDERS))

    assertContains(response, "le récapitulatif de la semaine")
    assertNotContains(response, 'id="user-tools"')

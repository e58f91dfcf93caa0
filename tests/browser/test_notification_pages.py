"""« Mes notifications » and the unsubscribe page, as a partner reaches them: from the
admin's user tools, and from the link of an e-mail, without logging in."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import NotificationKind, NotificationSettings
from accounts.notification_settings import unsubscribe_token
from feminisation.access import PARTNERS
from tests.browser.admin import PASSWORD, log_in
from tests.browser.test_accessibility import AXE_OPTIONS, describe

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture(scope="module")
def partner(site, django_db_blocker):
    """Committed, for the live server to see; the site's clean-up deletes it."""
    with django_db_blocker.unblock():
        account = get_user_model().objects.create_user(
            "claire", "claire@example.fr", PASSWORD, is_staff=True
        )
        account.groups.add(Group.objects.get(name=PARTNERS))
        return account


def assert_accessible(page):
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    if violations:
        pytest.fail(f"axe on {page.url}:\n{describe(violations)}", pytrace=False)


def test_a_partner_turns_the_reminders_off_from_the_admin(page, partner, django_db_blocker):
    log_in(page, partner.username)

    with page.expect_navigation():
        page.get_by_role("link", name="Mes notifications").click()
    assert_accessible(page)
    page.get_by_label("Le récapitulatif de la semaine").uncheck()
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer").click()

    assert page.get_by_text("Vos préférences de courriel sont enregistrées.").is_visible()
    with django_db_blocker.unblock():
        saved = NotificationSettings.objects.get(user=partner)
        assert (saved.status_changes, saved.weekly_reminders) == (True, False)


def test_the_unsubscribe_page_is_accessible(page, partner):
    token = unsubscribe_token(partner, NotificationKind.STATUS_CHANGES)
    response = page.goto(reverse("notifications_unsubscribe", args=[token]))

    assert response.status == 200
    assert_accessible(page)

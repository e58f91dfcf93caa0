"""axe-core on the admin pages partners use every day — the home, the list of their
events, the event form (new and returned) — at 1280 and 375 px."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from feminisation import access
from indicators.enums import EventStatus
from indicators.models import AwarenessEvent
from tests.browser.admin import PASSWORD, log_in
from tests.browser.pages import PARTNER_SLUG
from tests.browser.test_accessibility import AXE_OPTIONS, describe
from tests.indicators.accounts import user_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture(scope="module")
def partner(site, django_db_blocker):
    """Committed, for the live server to see; the site's clean-up deletes it. One of
    its organisation's events is returned for correction (not one of the journey's
    partner, whose to-do list that test reads)."""
    with django_db_blocker.unblock():
        event = (
            AwarenessEvent.objects.exclude(organizer__slug=PARTNER_SLUG)
            .select_related("organizer")
            .order_by("pk")
            .first()
        )
        account = user_in(access.PARTNERS, "partenaire-axe", organisations=[event.organizer])
        account.set_password(PASSWORD)
        account.save()
        event.status = EventStatus.RETURNED
        event.review_comment = "Précisez le nombre de filles."
        event.save()
        return account, event


def pages(event):
    return [
        reverse("admin:index"),
        reverse("admin:indicators_awarenessevent_changelist"),
        reverse("admin:indicators_awarenessevent_add"),
        reverse("admin:indicators_awarenessevent_change", args=[event.pk]),
    ]


@pytest.mark.parametrize("width", [1280, 375])
def test_axe_finds_no_wcag_violation_on_the_partners_admin_pages(page, partner, width):
    account, event = partner
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, account.username)

    failures = []
    for path in pages(event):
        response = page.goto(path)
        assert response.status == 200, f"GET {path} answered {response.status}"
        if violations := Axe().run(page, options=AXE_OPTIONS).response["violations"]:
            failures.append(f"{path}:\n{describe(violations)}")

    if failures:
        pytest.fail(f"axe at {width} px:\n" + "\n".join(failures), pytrace=False)

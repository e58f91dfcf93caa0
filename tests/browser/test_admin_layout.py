"""The admin at the sizes people use it, in Chromium: the events list fits 1280 px
with its main columns, its title clear of the buttons, and a partner records and
submits an event on a 375 px phone."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from feminisation import access
from indicators.enums import EventStatus
from indicators.models import AwarenessEvent
from partners.models import Partner
from tests.browser.admin import PASSWORD, log_in
from tests.indicators.accounts import user_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
MAIN_COLUMNS = ["event_date", "title", "initiative", "organizer", "status", "people_total"]


@pytest.fixture(scope="module")
def accounts(site, django_db_blocker):
    """Committed, for the live server to see; the site's clean-up deletes them."""
    with django_db_blocker.unblock():
        staff = get_user_model().objects.create_superuser(
            "equipe-layout", "equipe-layout@example.fr", PASSWORD
        )
        partner = user_in(
            access.PARTNERS,
            "partenaire-layout",
            organisations=[Partner.objects.order_by("pk").first()],
        )
        partner.set_password(PASSWORD)
        partner.save()
        return {"staff": staff, "partner": partner}


def overlap(page, first, second):
    """Whether the boxes of two elements overlap."""
    return page.evaluate(
        """([a, b]) => {
            const r = document.querySelector(a).getBoundingClientRect();
            const s = document.querySelector(b).getBoundingClientRect();
            return r.left < s.right && s.left < r.right && r.top < s.bottom && s.top < r.bottom;
        }""",
        [first, second],
    )


def test_the_events_list_shows_its_main_columns_without_scrolling_at_1280(page, accounts):
    page.set_viewport_size(DESKTOP)
    log_in(page, accounts["staff"].username)
    page.goto(reverse("admin:indicators_awarenessevent_changelist"))

    widths = page.evaluate(
        """() => {
            const table = document.querySelector('#result_list');
            const box = table.closest('.results');
            return [table.scrollWidth, box.clientWidth, document.documentElement.scrollWidth,
                    document.documentElement.clientWidth];
        }"""
    )
    assert widths[0] <= widths[1], widths
    assert widths[2] <= widths[3], widths
    for column in MAIN_COLUMNS:
        assert page.locator(f"th.column-{column}").is_visible(), column
    assert not page.locator("th.column-format").is_visible()
    assert not overlap(page, "#content h1", ".object-tools")


def test_a_partner_records_and_submits_an_event_on_a_phone(page, accounts):
    page.set_viewport_size(PHONE)
    log_in(page, accounts["partner"].username)
    page.goto(reverse("admin:indicators_awarenessevent_add"))

    def page_fits():
        return page.evaluate(
            "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )

    assert page_fits()
    # The initiative's autocomplete: typed into, then chosen.
    page.locator("#id_initiative + .select2").click()
    page.locator(".select2-container--open .select2-search__field").fill("")
    page.locator(".select2-results__option").first.click()
    page.fill("#id_title", "Forum sur téléphone")
    page.fill("#id_date", "14/03/2025")
    page.select_option("#id_format", index=1)
    page.fill("#id_venue_name", "Salle des fêtes")
    # The commune's autocomplete, among the official communes.
    page.locator("#id_official_commune + .select2").click()
    page.locator(".select2-container--open .select2-search__field").fill("Helfaut")
    option = page.locator(".select2-results__option--highlighted")
    expect(option).to_contain_text("Helfaut")
    option.click()
    assert page_fits()
    line = page.locator("#counts-group tr.form-row").first
    line.locator("select").select_option(index=1)
    line.locator("input[name$='-people']").fill("12")
    line.locator("input[name$='-women']").fill("7")
    assert page.locator(".count-live-total").inner_text().startswith("Total : 12 personnes")
    # The women's column within the screen, not in a table that scrolls sideways.
    assert page.evaluate(
        "() => { const t = document.querySelector('#counts-group .tabular');"
        " return t.scrollWidth <= t.clientWidth; }"
    )
    assert line.locator("input[name$='-women']").bounding_box()["x"] + 20 < PHONE["width"]
    page.check(f"input[name=status][value={EventStatus.SUBMITTED}]")
    assert page_fits()
    save = page.locator("input[name=_save]")
    save.scroll_into_view_if_needed()
    assert save.is_visible()
    with page.expect_navigation():
        save.click()

    event = AwarenessEvent.objects.get(title="Forum sur téléphone")
    assert event.status == EventStatus.SUBMITTED
    assert list(event.counts.values_list("people", "women")) == [(12, 7)]
    assert page_fits()

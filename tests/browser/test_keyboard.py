import pytest

from tests.browser.focus import focus_is_visible, focused_skip_link_target
from tests.browser.pages import CURRENT_YEAR, DASHBOARD

pytestmark = [pytest.mark.browser, pytest.mark.django_db, pytest.mark.anonymous]

FILTER_FIELDS = ["annee", "du", "au", "initiative", "public", "submit"]
# Generous: the header, the headline figures and Chromium's three stops inside
# each date field all come before the filters.
MAX_TABS = 150

# What a Tab stop is, for this test: a filter field's name, or null outside the form.
FOCUSED_FILTER = """() => {
    const element = document.activeElement;
    if (!element || !element.closest("form#filtres")) return null;
    return element.type === "submit" ? "submit" : element.name;
}"""


def tab_until(page, field, key="Tab"):
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        if page.evaluate(FOCUSED_FILTER) == field:
            return
    pytest.fail(f"{key} never reached the filter field {field!r}")


def test_keyboard_user_skips_to_content_then_reaches_each_filter(visit):
    page = visit(DASHBOARD)

    page.keyboard.press("Tab")
    assert focused_skip_link_target(page) == "main"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.closest('main') !== null"), (
        "Enter on the skip link did not move focus into main"
    )

    reached, invisible = [], []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        field = page.evaluate(FOCUSED_FILTER)
        if field is None and reached:
            break
        if field is not None and (not reached or reached[-1] != field):
            reached.append(field)
            if not focus_is_visible(page):
                invisible.append(field)

    assert reached == FILTER_FIELDS
    assert not invisible, f"no visible focus indicator on {invisible}"


def test_keyboard_user_filters_the_dashboard_by_year(visit):
    page = visit(DASHBOARD)
    options = page.locator("form#filtres select[name=annee] option").evaluate_all(
        "options => options.map(o => ({value: o.value, label: o.label, selected: o.selected}))"
    )
    years = [option for option in options if option["value"] and not option["selected"]]
    assert years, f"no other year to choose among {options}"
    year = next((o for o in years if o["value"] == str(CURRENT_YEAR)), years[0])

    tab_until(page, "annee")
    page.keyboard.type(year["label"])
    assert page.locator("select[name=annee]").input_value() == year["value"]
    tab_until(page, "submit")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert f"annee={year['value']}" in page.url

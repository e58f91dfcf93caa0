"""The dashboard's SVG charts in Chromium: accessible with their tables open, legible
on a phone, printed with their bars and values."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.pages import DASHBOARD
from tests.browser.test_accessibility import AXE_OPTIONS, describe

pytestmark = [pytest.mark.browser, pytest.mark.django_db, pytest.mark.anonymous]

SIZES = [(1280, 800), (375, 667)]


def open_every_table(page):
    summaries = page.locator(".chart__details summary")
    for i in range(summaries.count()):
        summaries.nth(i).click()
    return summaries.count()


@pytest.mark.parametrize(("width", "height"), SIZES, ids=["1280", "375"])
def test_axe_finds_no_violation_in_the_charts_and_their_open_tables(visit, page, width, height):
    page.set_viewport_size({"width": width, "height": height})
    visit(DASHBOARD)
    assert open_every_table(page) == 7

    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]

    if violations:
        pytest.fail(f"axe on / at {width} px:\n{describe(violations)}", pytrace=False)


def test_on_a_phone_the_charts_fit_the_screen_and_their_text_stays_legible(visit, page):
    page.set_viewport_size({"width": 375, "height": 667})
    visit(DASHBOARD)

    charts = page.locator(".chart-svg")
    assert charts.count() >= 7
    widths = charts.evaluate_all("svgs => svgs.map(svg => svg.getBoundingClientRect().right)")
    assert max(widths) <= 375
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    sizes = page.locator(".chart-svg text").evaluate_all(
        "texts => texts.map(t => parseFloat(getComputedStyle(t).fontSize))"
    )
    assert min(sizes) >= 12


def test_printed_charts_keep_their_bars_and_printed_values(visit, page):
    visit(DASHBOARD)
    page.emulate_media(media="print")

    bars = page.locator("#par-initiative .chart-svg__bar")
    assert bars.count() >= 1
    assert bars.first.evaluate("bar => getComputedStyle(bar).printColorAdjust") == "exact"
    monthly = page.locator("#par-mois .chart-svg__value")
    assert monthly.count() == 12
    assert monthly.first.is_visible()

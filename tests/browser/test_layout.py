import pytest

from tests.browser.pages import DASHBOARD, PUBLIC_PAGES

pytestmark = [pytest.mark.browser, pytest.mark.django_db, pytest.mark.anonymous]

PHONE = {"width": 375, "height": 812}
# WCAG 1.4.10 Reflow: 320 CSS px, a 1280 px screen zoomed to 400 %.
NARROWEST = {"width": 320, "height": 640}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# The outermost elements that stick out name the culprit (a table, an image…).
HORIZONTAL_OVERFLOW = """() => {
    const overflow = document.documentElement.scrollWidth - window.innerWidth;
    if (overflow <= 0) return null;
    const describe = element => element.tagName.toLowerCase()
        + (element.id ? "#" + element.id : "")
        + [...element.classList].map(name => "." + name).join("");
    const wide = [...document.body.querySelectorAll("*")]
        .filter(element => element.getBoundingClientRect().right > window.innerWidth);
    const outermost = wide.filter(element => !wide.includes(element.parentElement));
    return `${overflow} px too wide: ${outermost.slice(0, 5).map(describe).join(", ")}`;
}"""


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_page_fits_a_narrow_phone_without_horizontal_scrolling(visit, page, path):
    for viewport in (PHONE, NARROWEST):
        page.set_viewport_size(viewport)
        visit(path)

        overflow = page.evaluate(HORIZONTAL_OVERFLOW)

        if overflow:
            pytest.fail(f"{path} at {viewport['width']} px: {overflow}", pytrace=False)


def test_dashboard_screenshot_on_a_phone(visit, page, tmp_path):
    page.set_viewport_size(PHONE)
    visit(DASHBOARD)
    screenshot = tmp_path / "dashboard-375.png"

    page.screenshot(path=screenshot, full_page=True)

    assert screenshot.read_bytes().startswith(PNG_SIGNATURE)
    assert screenshot.stat().st_size > 1000


def test_printed_dashboard_keeps_the_figures_and_drops_the_skip_link(visit, page):
    visit(DASHBOARD)

    page.emulate_media(media="print")

    assert page.locator(".skip-link").is_hidden()
    figures = page.locator("[data-figure]")
    assert figures.count() >= 3
    for figure in figures.all():
        assert figure.is_visible(), figure.get_attribute("data-figure")

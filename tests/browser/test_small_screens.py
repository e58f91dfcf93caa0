"""Small screens and frames: wide tables scroll inside their own focusable region,
with a visible cue, never the page; the counter fits the README's 320 by 220 frame."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.focus import focus_is_visible
from tests.browser.pages import DASHBOARD, EMBED, INITIATIVE_EMBED, PARTNER, TERRITORY
from tests.browser.test_accessibility import AXE_OPTIONS, describe

pytestmark = [pytest.mark.browser, pytest.mark.django_db, pytest.mark.anonymous]

PHONE = {"width": 375, "height": 667}
FRAME = {"width": 320, "height": 220}
PAGES_WITH_TABLES = [
    DASHBOARD,
    "/actions/",
    PARTNER,
    "/initiatives/reseau-verrelles/",
    TERRITORY,
    "/donnees-personnelles/",
]

# Each table region: its accessible name, whether it overflows, and whether the
# « Faites défiler le tableau → » hint above the table shows.
REGIONS = """() => [...document.querySelectorAll(".table-scroll")].map(region => {
    const hint = getComputedStyle(region, "::before");
    const label = document.getElementById(region.getAttribute("aria-labelledby") || "");
    return {
        role: region.getAttribute("role"),
        tabindex: region.getAttribute("tabindex"),
        name: label ? label.textContent.trim() : "",
        overflows: region.scrollWidth > region.clientWidth,
        // A chart's table waits, unrendered, behind « Voir les données ».
        shown: region.checkVisibility(),
        hint: hint.visibility === "visible" && parseFloat(hint.height) > 0
            ? hint.content : null,
    };
})"""
PAGE_OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
# A scroll timeline follows the layout a frame late: what a reader sees is the state
# after the next frames, not the one right after the load.
NEXT_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
HINT = '"Faites défiler le tableau →" / ""'


@pytest.mark.parametrize("path", PAGES_WITH_TABLES)
def test_a_wide_table_scrolls_in_its_named_focusable_region_with_a_cue(visit, page, path):
    page.set_viewport_size(PHONE)
    visit(path)
    page.evaluate(NEXT_FRAMES)

    regions = page.evaluate(REGIONS)

    assert regions, f"{path}: no table"
    for region in regions:
        assert (region["role"], region["tabindex"]) == ("region", "0"), (path, region)
        assert region["name"], (path, region)
        # The cue shows exactly when there is something to scroll to.
        if region["shown"]:
            assert region["hint"] == (HINT if region["overflows"] else None), (path, region)
    assert page.evaluate(PAGE_OVERFLOW) <= 0


def test_a_keyboard_user_scrolls_the_communes_table_and_not_the_page(visit, page):
    page.set_viewport_size(PHONE)
    visit(TERRITORY)
    region = page.get_by_role("region", name="Personnes sensibilisées par commune")
    assert region.evaluate("region => region.scrollWidth > region.clientWidth")

    region.focus()
    assert focus_is_visible(page)
    for _ in range(5):
        page.keyboard.press("ArrowRight")

    # Chromium scrolls smoothly: the table moves over a few frames.
    page.wait_for_function("region => region.scrollLeft > 0", arg=region.element_handle())
    assert page.evaluate("() => window.scrollX") == 0
    assert page.evaluate(PAGE_OVERFLOW) <= 0


def test_a_table_that_fits_shows_no_cue(visit, page):
    visit(TERRITORY)  # 1280 px wide

    epcis = page.get_by_role("region", name="Personnes sensibilisées par intercommunalité")

    assert not epcis.evaluate("region => region.scrollWidth > region.clientWidth")
    assert epcis.evaluate('region => getComputedStyle(region, "::before").visibility') == "hidden"


def test_axe_finds_no_wcag_violation_on_the_territory_page_on_a_phone(visit, page):
    page.set_viewport_size(PHONE)
    visit(TERRITORY)

    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]

    if violations:
        pytest.fail(f"axe on {TERRITORY} at 375 px:\n{describe(violations)}", pytrace=False)


def link_box_inside_the_frame(page, name):
    link = page.get_by_role("link", name=name)
    box = link.bounding_box()
    assert box is not None, f"no « {name} » link"
    inside = (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= FRAME["width"]
        and box["y"] + box["height"] <= FRAME["height"]
    )
    assert inside, box
    # Nothing to scroll to either: the frame shows the whole counter.
    overflow = page.evaluate(
        "() => [document.documentElement.scrollWidth - innerWidth,"
        " document.documentElement.scrollHeight - innerHeight]"
    )
    assert overflow[0] <= 0 and overflow[1] <= 0, overflow


@pytest.mark.parametrize(
    ("path", "link"),
    [
        (EMBED, "Voir le tableau de bord (nouvelle fenêtre)"),
        (INITIATIVE_EMBED, "Voir l'initiative (nouvelle fenêtre)"),
        # The longest title of the demo plan's initiatives.
        (
            f"{EMBED}?initiative=elles-bougent-sciences-ingenieur-feminin",
            "Voir l'initiative (nouvelle fenêtre)",
        ),
    ],
)
def test_the_counter_fits_a_320_by_220_frame_with_its_link(visit, page, path, link):
    page.set_viewport_size(FRAME)
    visit(path)

    link_box_inside_the_frame(page, link)


def test_an_unknown_initiatives_counter_says_so_and_still_fits(page):
    page.set_viewport_size(FRAME)

    response = page.goto(f"{EMBED}?initiative={'x' * 60}")

    assert response.status == 400
    assert page.get_by_role("heading", name="Cette adresse contient une erreur").is_visible()
    link_box_inside_the_frame(page, "Voir les initiatives (nouvelle fenêtre)")


def test_the_initiatives_counter_shows_that_initiatives_count(visit, page):
    plan_count = visit(EMBED).locator(".embed__number").inner_text()
    initiative_count = visit(INITIATIVE_EMBED).locator(".embed__number").inner_text()

    assert page.get_by_text("par l'initiative « Réseau Verr'Elles »").is_visible()
    assert int(initiative_count.replace("\u202f", "")) < int(plan_count.replace("\u202f", ""))

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.focus import focused_skip_link_target
from tests.browser.pages import EMBED, PARTNER, PUBLIC_PAGES, SITE_PAGES, UNUSABLE_PERIOD

pytestmark = [pytest.mark.browser, pytest.mark.django_db, pytest.mark.anonymous]

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def describe(violations):
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            target = " ".join(map(str, node["target"]))
            lines.append(f"    {target}: {node['html'][:150]}")
    return "\n".join(lines)


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_axe_finds_no_wcag_violation(visit, path):
    page = visit(path)

    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]

    if violations:
        pytest.fail(f"axe on {path}:\n{describe(violations)}", pytrace=False)


@pytest.mark.parametrize("path", SITE_PAGES)
def test_page_has_the_landmarks_a_screen_reader_user_jumps_between(visit, path):
    page = visit(path)

    assert page.locator("html").get_attribute("lang") == "fr", path
    assert page.locator("h1").count() == 1, f"{path}: one h1 expected"
    for role in ("banner", "main", "contentinfo"):
        assert page.get_by_role(role).count() == 1, f"{path}: one {role} landmark expected"


@pytest.mark.parametrize("path", SITE_PAGES)
def test_skip_link_is_the_first_stop_and_leads_to_main(visit, path):
    page = visit(path)

    page.keyboard.press("Tab")

    assert focused_skip_link_target(page) == "main", path


def test_every_page_has_its_own_title(visit):
    titles = {}
    for path in [*SITE_PAGES, EMBED]:
        titles[path] = visit(path).title().strip()

    assert all(titles.values()), titles
    assert len(set(titles.values())) == len(titles), titles


def test_embedded_counter_declares_its_language(visit):
    page = visit(EMBED)

    assert page.locator("html").get_attribute("lang") == "fr"


def test_a_filter_the_form_cannot_use_is_announced_with_its_field(visit):
    page = visit(UNUSABLE_PERIOD)
    end = page.get_by_label("Au", exact=True)

    expect(end).to_have_attribute("aria-invalid", "true")
    # What a screen reader reads after the field's name.
    expect(end).to_have_accessible_description("La date de début doit précéder la date de fin.")
    expect(page.get_by_label("Du (ou une période)", exact=True)).not_to_have_attribute(
        "aria-invalid", "true"
    )


# The public pages of issue 15 on a phone; the dashboard (test_headline,
# test_dashboard_charts) and /territoire/ (test_small_screens) are checked there.
@pytest.mark.parametrize("path", ["/actions/?page=2", PARTNER, "/mentions-legales/"])
def test_axe_finds_no_wcag_violation_on_a_phone(visit, page, path):
    page.set_viewport_size({"width": 375, "height": 667})
    visit(path)

    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]

    if violations:
        pytest.fail(f"axe on {path} at 375 px:\n{describe(violations)}", pytrace=False)

"""A real Chromium, driven by Playwright, against the live test server.

One browser per run (starting Chromium costs about a second on two cores), a
fresh context per test so that no cookie, cache or focus leaks between tests.
"""

import io
import os
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.management import call_command

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path():
    return Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))


def _unavailable(message):
    """Skipped on a developer's machine; on CI a run without its browser tests is a failure."""
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message.splitlines()[0])


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import Error, sync_playwright

    executable = chromium_path()
    if not executable.is_file():
        _unavailable(
            f"Chromium introuvable à {executable} : installez-le (apt-get install chromium)"
        )
    # Playwright's sync API runs an event loop in the test's thread, which
    # Django takes for async code and would refuse ORM calls from.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            try:
                chromium = playwright.chromium.launch(
                    executable_path=executable, args=CHROMIUM_ARGS
                )
            except Error as error:
                _unavailable(f"Chromium ne démarre pas ({executable}) : {error.message}")
            yield chromium
            chromium.close()


@pytest.fixture
def demo_data(transactional_db):
    """The plan and 60 validated events, committed so the live server sees them."""
    for cache in caches.all():
        cache.clear()
    call_command("load_plan", stdout=io.StringIO())
    call_command("seed_demo", "--events", "60", "--seed", "1", stdout=io.StringIO())
    yield
    for cache in caches.all():
        cache.clear()


@pytest.fixture
def context(browser, live_server, demo_data):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def visit(page):
    """Open a path and insist on a 200: a 404 or 500 should not pass as a layout test."""

    def visit(path):
        response = page.goto(path)
        assert response.status == 200, f"GET {path} answered {response.status}"
        return page

    return visit

"""A real Chromium, driven by Playwright, against the live test server.

One browser and one live server per run (starting Chromium costs about a second on
two cores) over data seeded once, a fresh context per test so that no cookie,
cache or focus leaks between tests; the tests of a module marked `anonymous`, which
read public pages signed out, share one context and each opens its own page.
"""

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, connections

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
            # While Playwright's event loop runs, Django's connections belong to the
            # loop's context, not to the thread: close the one opened meanwhile, or
            # it would hold the test database open when the run drops it.
            connections.close_all()


def row_counts():
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.django_table_names(include_views=False):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
        return counts


@pytest.fixture(scope="package")
def site(django_db_setup, django_db_blocker):
    """A live server over the plan, the official communes and 60 validated events,
    committed once for all the browser tests, which mostly read them: seeding and
    emptying the database around each test took two thirds of their time.
    Afterwards the tables that filled up are emptied, and every other table must be
    as it was, for the tests that follow."""
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        before = row_counts()
        call_command("load_plan", stdout=io.StringIO())
        call_command("load_communes", departments=["59", "62"], stdout=io.StringIO())
        call_command("seed_demo", "--events", "60", "--seed", "1", stdout=io.StringIO())
    server = LiveServer("localhost")
    yield server
    server.stop()
    with django_db_blocker.unblock():
        filled = [table for table, count in row_counts().items() if count and not before[table]]
        connection.ops.execute_sql_flush(
            connection.ops.sql_flush(no_style(), filled, allow_cascade=True)
        )
        assert row_counts() == before


def _new_context(browser, site):
    return browser.new_context(base_url=site.url, locale="fr-FR")


@pytest.fixture(scope="module")
def anonymous_context(browser, site):
    """One context for the tests of a module marked `anonymous`: they read public
    pages without signing in, set no cookie, and each opens its own page (its own
    focus, viewport and media); sharing the context saves creating one a test."""
    context = _new_context(browser, site)
    yield context
    assert context.cookies() == [], "a test of an `anonymous` module set a cookie"
    context.close()


@pytest.fixture
def context(request, browser, site):
    if request.node.get_closest_marker("anonymous"):
        yield request.getfixturevalue("anonymous_context")
        return
    context = _new_context(browser, site)
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    yield page
    page.close()


@pytest.fixture
def visit(page):
    """Open a path and insist on a 200: a 404 or 500 should not pass as a layout test."""

    def visit(path):
        response = page.goto(path)
        assert response.status == 200, f"GET {path} answered {response.status}"
        return page

    return visit

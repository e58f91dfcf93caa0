import os

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.urls import set_script_prefix
from hypothesis import HealthCheck, settings

from feminisation import cache as public_cache

# How hard the property tests search: on CI 15 examples a test (40, then 30, then 20
# as the suite grew against its 6-minute budget; each example writes to the
# database, twice over with SQLite and PostgreSQL: 30 examples a test in all, the
# curated explicit examples besides); on a developer's machine 10, for a quick
# edit-test loop.
# HYPOTHESIS_PROFILE=ci reproduces CI's search locally. No deadline: each example
# writes to the database, and a loaded machine would fail it for being slow; the
# function-scoped fixtures (the database, the client) serve every example on
# purpose, each example rolling back what it wrote.
_PROPERTY_TESTS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}
settings.register_profile("ci", max_examples=15, print_blob=True, **_PROPERTY_TESTS)
settings.register_profile("dev", max_examples=10, **_PROPERTY_TESTS)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") == "true" else "dev")
)


DATABASE_FIXTURES = {"db", "transactional_db", "django_db_setup", "live_server"}


def pytest_collection_modifyitems(config, items):
    """A test that cannot reach the database (no django_db mark, no database
    fixture: pytest-django blocks its queries) checks the same thing on SQLite and
    on PostgreSQL: `make test` runs it once, in its SQLite half."""
    if connection.vendor != "postgresql":
        return
    kept, once = [], []
    for item in items:
        uses_database = item.get_closest_marker("django_db") or DATABASE_FIXTURES & set(
            getattr(item, "fixturenames", ())
        )
        (kept if uses_database else once).append(item)
    if once:
        config.hook.pytest_deselected(items=once)
        items[:] = kept


@pytest.fixture(autouse=True)
def empty_cache(monkeypatch):
    """Public pages are cached: each test starts from an empty cache, which no
    earlier test has seen fail."""
    monkeypatch.setattr(public_cache, "_cache", public_cache._TolerantCache())
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def root_script_prefix():
    """A request to a territory's site (/territoires/<slug>/…) makes its prefix the
    script prefix, which Django's WSGI handler resets at the next request but the
    test client does not: each test starts, and ends, at the site's root."""
    set_script_prefix("/")
    yield
    set_script_prefix("/")


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """The database for data a module's tests share and only read: built once (per
    xdist worker) in a transaction that stays open while the module's tests run, each
    in a savepoint of it that rolls back what the test wrote, then rolled back itself.
    Rebuilding the same accounts and events for each cell of a permission matrix was
    a third of the suite's time. A module fixture that builds such data depends on this
    one and is read through `tests.shared.fresh`; a transactional test (which commits and empties
    the tables) cannot run inside it: see `roles_after_flush`."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        # As Django marks its TestCase's blocks: a durable block of the code under
        # test nests in it as it does in a test's own transaction.
        outer._from_testcase = True
        outer.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def roles_after_flush(request, django_db_blocker):
    """A transactional test ends by emptying every table, and Django puts back only
    the content types and permissions: the groups the roles migration created would
    be gone for the tests that follow it in the process, whatever xdist hands the
    worker next: `pytest_runtest_teardown` puts them back once its tables are emptied."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker and marker.kwargs.get("transaction")) or {
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    if transactional and connection.in_atomic_block:
        pytest.fail(
            "A transactional test runs inside a transaction left open, such as a module's "
            "shared data (module_db): move it to a module of its own.",
            pytrace=False,
        )
    if transactional:
        request.node.stash[_ROLES_BACK] = django_db_blocker


_ROLES_BACK = pytest.StashKey()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Once a transactional test's fixtures are torn down, its tables emptied, the
    roles are put back for the tests that follow (see `roles_after_flush`)."""
    result = yield
    # After the last test, the test database itself is gone.
    blocker = item.stash.get(_ROLES_BACK, None)
    if blocker and nextitem is not None:
        with blocker.unblock():
            _create_roles()
    return result


def _create_roles():
    from django.contrib.auth.models import Group, Permission

    from feminisation.access import create_roles

    create_roles(Group, Permission)


@pytest.fixture
def communes(db):
    """The real communes that the forms and files of the tests name (Arques,
    Saint-Omer, Longuenesse…), by name: the official communes an event's commune
    is chosen among."""
    from tests.geography.factories import real_communes

    return {commune.name: commune for commune in real_communes()}

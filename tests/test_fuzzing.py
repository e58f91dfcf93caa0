"""Arbitrary query strings on every public and export URL: the answer is a page
or a clear refusal, never a server error (the test client re-raises any
exception a view lets through, so a 500 fails the test with its traceback)."""

import datetime
import io
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.urls import URLResolver, get_resolver, resolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feminisation import access
from tests.browser.pages import PUBLIC_PAGES
from tests.indicators.accounts import user_in
from tests.public_urls import (
    API_URLS,
    API_WITH_PARAMETERS,
    EXPORTS,
    PUBLIC_URLS,
    REDIRECTS,
    REPORTS,
    SIGNED_IN_PAGES,
    UNKNOWN_API_URLS,
)

pytestmark = pytest.mark.django_db

KNOWN = [
    "annee",
    "du",
    "au",
    "initiative",
    "public",
    "organisateur",
    "statut",
    "par",
    "selon",
    "format",
]
VALUES = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.dates().map(str),
    st.sampled_from(
        [
            "2025",
            "reseau-verrelles",
            "filles",
            "validee",
            "toutes",
            "mois",
            "initiative,public",
            "excel",
            "csv",
            "2025-02-30",
            "2025-01-01",
            "2025-12-31",
            "0",
            "-1",
            "\x00",
        ]
    ),
)
QUERIES = st.lists(
    st.tuples(st.one_of(st.sampled_from(KNOWN), st.text(max_size=12)), VALUES), max_size=6
)
FILES = [
    *EXPORTS,
    "/donnees/compteurs.csv",
    "/donnees/compteurs.json",
    "/donnees/graphiques/par-mois.csv",
    "/donnees/graphiques/inconnu.csv",
]
ALLOWED = {200, 302, 400, 403, 404}
EXAMPLES = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def plan_with_events():
    call_command("load_plan", stdout=io.StringIO())
    call_command("seed_demo", "--events", "40", "--seed", "3", stdout=io.StringIO())


def get(client, path, query):
    response = client.get(f"{path}?{urlencode(query, doseq=True)}")
    if response.streaming:
        b"".join(response.streaming_content)
    return response


@pytest.mark.parametrize("path", sorted({page.split("?")[0] for page in PUBLIC_PAGES}))
@EXAMPLES
@given(query=QUERIES)
def test_public_pages_never_fail_on_any_query_string(client, plan_with_events, path, query):
    assert get(client, path, query).status_code in ALLOWED


PERIODS = st.fixed_dictionaries(
    {},
    optional={
        "annee": st.sampled_from(["2024", "2025"]),
        "du": st.dates(datetime.date(2024, 1, 1), datetime.date(2025, 12, 31)).map(str),
        "au": st.dates(datetime.date(2024, 1, 1), datetime.date(2025, 12, 31)).map(str),
    },
)


@EXAMPLES
@given(period=PERIODS)
def test_a_readable_period_shows_the_dashboard_with_an_error_only_when_unusable(
    client, plan_with_events, period
):
    response = client.get("/", period)

    assert response.status_code == 200
    unusable = ("annee" in period and ("du" in period or "au" in period)) or (
        period.get("du", "") > period.get("au", "9999")
    )
    assert ('class="errorlist"' in response.content.decode()) == unusable


@pytest.fixture
def manager_client(client):
    client.force_login(user_in(access.MANAGERS, "responsable"))
    return client


@pytest.mark.parametrize("path", FILES)
@EXAMPLES
@given(query=QUERIES)
def test_exports_never_fail_on_any_query_string(manager_client, plan_with_events, path, query):
    assert get(manager_client, path, query).status_code in ALLOWED


# Each parameter the public pages and files read, given values that broke one once
# or that a database refuses: a NUL byte, an integer beyond 64 bits, 5,000 digits
# (more than int() reads), dates out of range or impossible, a value given twice.
HUGE = "99999999999999999999"
HOSTILE_VALUES = ["\x00", HUGE, "9" * 5000, "99999-01-01", "2025-02-30", "é✓😀", "-1", " "]


def hostile_queries():
    for name in KNOWN:
        for value in HOSTILE_VALUES:
            yield {name: value}
        yield {name: ["2025", "2025"]}


def explains(response):
    """Whether a 400 says what to correct: the site's page, or the API's JSON message."""
    if response["Content-Type"] == "application/json":
        return bool(response.json().get("detail"))
    return "Cette adresse contient une erreur" in response.content.decode()


def failures(client, paths):
    """Every query string answered otherwise than by the page or a French 400."""
    failed = []
    for path in paths:
        for query in hostile_queries():
            address = f"{path}?{urlencode(query, doseq=True)}"
            response = get(client, path, query)
            if response.status_code == 400:
                if not explains(response):
                    failed.append(f"{address[:120]}: 400 without its French page")
            elif response.status_code != 200:
                failed.append(f"{address[:120]}: {response.status_code}")
    return failed


def route_names(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace != "admin":
                yield from route_names(pattern.url_patterns)
        else:
            yield pattern.name


def test_the_public_addresses_cover_every_route_but_the_admin_and_the_exports():
    exports = {resolve(url).url_name for url in [*EXPORTS, *REPORTS, *SIGNED_IN_PAGES]}
    public = {
        resolve(url.split("?")[0]).url_name
        for url in [*PUBLIC_URLS, *API_URLS, *REDIRECTS, *UNKNOWN_API_URLS]
    }

    assert public == set(route_names(get_resolver().url_patterns)) - exports


def test_no_public_page_or_file_fails_on_a_hostile_parameter(client, plan_with_events):
    paths = sorted({url.split("?")[0] for url in [*PUBLIC_URLS, *API_WITH_PARAMETERS]})

    assert failures(client, paths) == []


def test_no_export_fails_on_a_hostile_parameter(manager_client, plan_with_events):
    assert failures(manager_client, [*EXPORTS, *SIGNED_IN_PAGES]) == []

"""Every public page makes as many SQL queries with 5,000 events as with none:
the work of a page never grows with the data, only the database's sums do."""

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.browser.pages import PUBLIC_PAGES

pytestmark = pytest.mark.django_db

FILTERED = ["/?annee=2025&initiative=reseau-verrelles&public=filles"]


def count_queries(client, path):
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def seed(events, seed):
    call_command("seed_demo", "--events", str(events), "--seed", str(seed), stdout=io.StringIO())


@pytest.mark.parametrize("path", PUBLIC_PAGES + FILTERED)
def test_query_count_is_the_same_with_0_100_and_5000_events(
    client, path, django_assert_num_queries
):
    call_command("load_plan", stdout=io.StringIO())
    without_events = count_queries(client, path)

    seed(100, seed=1)
    cache.clear()
    with django_assert_num_queries(without_events):
        assert client.get(path).status_code == 200

    seed(4900, seed=2)
    cache.clear()
    with django_assert_num_queries(without_events):
        assert client.get(path).status_code == 200

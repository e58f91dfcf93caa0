"""The cache is an accelerator, not a single point of failure: when every call to it
fails, the public pages are computed without it, admin saves are kept, the failure
is logged once a minute, and /sante/ says so while answering 200."""

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from feminisation import cache as public_cache
from indicators.models import AudienceCount
from tests.browser.pages import PUBLIC_PAGES
from tests.cache_backends import Unreachable
from tests.indicators.admin_forms import form_data
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import ActionPlanFactory, InitiativeFactory

ROOT = Path(__file__).resolve().parent.parent
UNREACHABLE = {"default": {"BACKEND": "tests.cache_backends.Unreachable"}}
# Every public page, and the open data files.
PAGES = [
    *PUBLIC_PAGES,
    "/donnees/compteurs.csv",
    "/donnees/compteurs.csv?format=excel",
    "/donnees/compteurs.json",
    "/donnees/actions.csv",
    "/donnees/graphiques/par-mois.csv",
]


class Clock:
    """feminisation.cache's clock, moved by hand."""

    def __init__(self):
        self.now = 1_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(public_cache, "monotonic", clock)
    return clock


@pytest.fixture
def cache_down(settings):
    """Returns a function that stops the cache; the test's end restores it."""
    working = settings.CACHES

    def stop():
        Unreachable.calls = 0
        settings.CACHES = UNREACHABLE

    def restart():
        settings.CACHES = working

    stop.restart = restart
    return stop


@pytest.fixture
def demo_plan():
    call_command("load_plan", stdout=io.StringIO())
    call_command("seed_demo", "--events", 20, "--seed", "1", stdout=io.StringIO())


@pytest.fixture
def event():
    """A validated event of the current plan: 40 + 10 people."""
    event = AwarenessEventFactory(initiative=InitiativeFactory(plan=ActionPlanFactory()))
    AudienceCountFactory(event=event, people=40, women=20)
    AudienceCountFactory(event=event, people=10, women=5)
    return event


def people_on_the_dashboard(client):
    html = client.get(reverse("home")).content.decode()
    start = html.index('data-figure="people">') + len('data-figure="people">')
    return html[start : html.index("<", start)]


def change_the_first_line(admin_client, event, people):
    change_url = reverse("admin:indicators_awarenessevent_change", args=[event.pk])
    data = form_data(admin_client.get(change_url), **{"counts-0-people": people})
    return admin_client.post(change_url, data)


def cache_warnings(caplog):
    return [
        record
        for record in caplog.records
        if record.name == "feminisation.cache" and record.levelno == logging.WARNING
    ]


def content(response):
    """A page's bytes; the events file is streamed (and kept by the cache once sent)."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.django_db
def test_every_public_page_is_served_as_usual_without_the_cache(client, demo_plan, cache_down):
    with_the_cache = {path: content(client.get(path)) for path in PAGES}

    cache_down()

    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        assert content(response) == with_the_cache[path], path
    assert Unreachable.calls > 0


@pytest.mark.django_db
def test_the_failure_is_logged_once_a_minute(client, clock, cache_down, caplog):
    ActionPlanFactory()
    cache_down()

    # Tried again every RETRY_AFTER seconds, failing each time.
    for _ in range(6):
        assert client.get("/plan/").status_code == 200
        clock.now += public_cache.RETRY_AFTER
    assert Unreachable.calls == 6
    assert len(cache_warnings(caplog)) == 1

    assert clock.now == 1_000 + 60
    client.get("/plan/")
    assert len(cache_warnings(caplog)) == 2


@pytest.mark.django_db
def test_health_says_the_cache_is_unavailable_and_the_site_up(client, cache_down):
    cache_down()

    response = client.get("/sante/")

    assert response.status_code == 200
    assert response.json() == {"statut": "ok", "cache": "indisponible"}
    assert b"cache.internal" not in response.content


@pytest.mark.django_db(transaction=True)  # the admin's transaction commits, as in production
def test_an_admin_save_is_kept_and_shows_as_soon_as_the_cache_is_back(
    admin_client, client, clock, event, cache_down
):
    assert people_on_the_dashboard(client) == "50"  # now in the cache
    cache_down()

    response = change_the_first_line(admin_client, event, 45)

    assert response.status_code == 302
    assert AudienceCount.objects.filter(event=event, people=45).exists()
    assert people_on_the_dashboard(client) == "55"
    # Back with the dashboard it kept from before the save: the save's new version
    # is written first.
    cache_down.restart()
    clock.now += public_cache.RETRY_AFTER
    assert people_on_the_dashboard(client) == "55"


def production_caches(cache_url):
    """CACHES as feminisation.settings builds them from CACHE_URL."""
    inherited = {name: os.environ[name] for name in ("PATH", "HOME") if name in os.environ}
    script = "import json, feminisation.settings as s; print(json.dumps(s.CACHES))"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**inherited, "ENV_FILE": os.devnull, "DEBUG": "true", "CACHE_URL": cache_url},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.django_db(transaction=True)
def test_with_cache_url_at_a_stopped_redis_the_site_works(
    admin_client, client, event, settings, caplog
):
    # Nothing listens on port 1 of the loopback.
    settings.CACHES = production_caches("redis://127.0.0.1:1/0")
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"

    assert people_on_the_dashboard(client) == "50"
    assert change_the_first_line(admin_client, event, 45).status_code == 302
    assert people_on_the_dashboard(client) == "55"
    assert client.get("/sante/").json() == {"statut": "ok", "cache": "indisponible"}
    assert "Connection refused" in str(cache_warnings(caplog)[0].exc_info[1])

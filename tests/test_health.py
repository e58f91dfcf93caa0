"""/sante/, the load balancers' health check: 200 while the database answers, 503
when it does not, whatever the Host and the scheme, with no cookie, no cache and
nothing but its status (and the cache's, which does not change it) in the body."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError, connection

ROOT = Path(__file__).resolve().parent.parent
HEALTH = "/sante/"


def assert_never_cached_and_cookieless(response):
    assert "no-store" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]
    assert not response.cookies


@pytest.mark.django_db
def test_up_when_the_database_answers(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(HEALTH)

    assert response.status_code == 200
    assert response.json() == {"statut": "ok", "cache": "ok"}
    assert_never_cached_and_cookieless(response)


@pytest.mark.django_db
def test_answers_the_load_balancer_by_address_and_in_plain_http(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get(HEALTH, HTTP_HOST="10.0.0.7:8000")

    assert response.status_code == 200
    assert response.json() == {"statut": "ok", "cache": "ok"}


@pytest.mark.django_db
def test_only_the_health_check_skips_the_host_check(client):
    assert client.get("/plan/", HTTP_HOST="10.0.0.7:8000").status_code == 400


@pytest.mark.django_db
def test_down_when_the_database_refuses(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError('connection to server at "db.internal" failed: password=secret')

    monkeypatch.setattr(connection, "cursor", refuse)

    response = client.get(HEALTH)

    assert response.status_code == 503
    assert response.json() == {"statut": "indisponible"}
    assert b"secret" not in response.content
    assert b"db.internal" not in response.content
    assert_never_cached_and_cookieless(response)


# A real unreachable PostgreSQL: nothing listens on port 1 of the loopback.
UNREACHABLE = """
import django, json
django.setup()
from django.test import Client
client = Client(HTTP_HOST="localhost")
answers = {}
for path in ("/sante/", "/", "/plan/"):
    response = client.get(path)
    answers[path] = [response.status_code, response.content.decode()]
print(json.dumps(answers))
"""


def test_with_postgresql_unreachable_health_and_public_pages_answer_503():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": "postgres://fem:mot-de-passe-secret@127.0.0.1:1/fem",
    }
    result = subprocess.run(
        [sys.executable, "-c", UNREACHABLE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout)

    status, body = answers[HEALTH]
    assert (status, json.loads(body)) == (503, {"statut": "indisponible"})
    for path in ("/", "/plan/"):
        status, body = answers[path]
        assert status == 503, path
        assert "<h1>Le site est momentanément indisponible</h1>" in body
        assert "mot-de-passe-secret" not in body
        assert "Traceback" not in body

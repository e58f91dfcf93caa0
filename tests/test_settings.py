"""Start-up refuses a configuration that would be unsafe or that it cannot read, and
the production configuration passes Django's deployment checks."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = secrets.token_urlsafe(50)
# What a production server sets, and nothing of the developer's environment.
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": STRONG_KEY,
    "ALLOWED_HOSTS": "mixite.example.fr",
    "SITE_URL": "https://mixite.example.fr",
}
# Only what any process needs: none of the developer's or the test run's variables
# (the browser tests, for one, set DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy
# rightly refuses).
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")


def run(*args, **env):
    """Run Python in a fresh interpreter, as `manage.py` or gunicorn would, without
    the developer's .env file or environment."""
    inherited = {name: os.environ[name] for name in INHERITED if name in os.environ}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**inherited, "ENV_FILE": os.devnull, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def start(**env):
    return run("-c", "import feminisation.settings", **env)


def test_debug_off_without_secret_key_stops_with_a_clear_message():
    result = start(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY est obligatoire quand DEBUG est désactivé" in result.stderr


def test_debug_off_with_a_strong_secret_key_starts():
    result = start(DEBUG="false", SECRET_KEY=STRONG_KEY, SITE_URL="https://mixite.example.fr")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("changeme", "elle compte 8 caractères, il en faut au moins 50."),
        ("x" * 64, "elle compte trop peu de caractères différents (1), il en faut au moins 5."),
        (
            "django-insecure-" + STRONG_KEY,
            "c'est une clé de développement générée par Django",
        ),
    ],
    ids=["short", "repetitive", "django-insecure"],
)
def test_debug_off_refuses_a_weak_secret_key(key, reason):
    result = start(DEBUG="false", SECRET_KEY=key)

    assert result.returncode != 0
    assert "SECRET_KEY est trop faible pour la production : " + reason in result.stderr
    assert key not in result.stderr


def test_debug_off_without_site_url_stops_with_a_clear_message():
    """The e-mails' links start from it, and no default could guess the public name."""
    result = start(DEBUG="false", SECRET_KEY=STRONG_KEY)

    assert result.returncode != 0
    assert "SITE_URL est obligatoire quand DEBUG est désactivé" in result.stderr


def test_site_url_defaults_to_runserver_in_development_and_loses_its_final_slash():
    assert settings_seen("SITE_URL", DEBUG="true") == {"SITE_URL": "http://127.0.0.1:8000"}
    assert settings_seen("SITE_URL", **{**PRODUCTION, "SITE_URL": "https://mixite.fr/"}) == {
        "SITE_URL": "https://mixite.fr"
    }


def test_debug_on_accepts_any_key_for_development():
    result = start(DEBUG="true", SECRET_KEY="dev")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "mysqlx://nowhere"),
        ("DATABASE_URL", "not a url"),
        ("CACHE_URL", "nosuchcache://"),
        ("DEBUG", "peut-être"),
        ("HTTPS", "peut-être"),
        ("CONN_MAX_AGE", "une minute"),
        ("CONN_MAX_AGE", "-1"),
        ("AXES_FAILURE_LIMIT", "0"),
        ("AXES_COOLOFF_MINUTES", "quinze"),
        ("SECURE_HSTS_SECONDS", "un an"),
        ("SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto: https"),
        ("LOG_LEVEL", "bavard"),
        ("API_RATE_LIMIT", "120 par minute"),
        ("LEGAL_PUBLISHER_PHONE", "voir le site"),
        ("LEGAL_HOST_PHONE", "standard"),
        ("LEGAL_HOST_WEBSITE", "hebergeur.example.fr"),
        ("LEGAL_HOST_WEBSITE", "ftp://hebergeur.example.fr/"),
        ("SITE_URL", "mixite.example.fr"),
        ("SITE_URL", "https://mixite.example.fr/admin/"),
    ],
)
def test_a_malformed_variable_is_named_at_start_up(name, value):
    result = start(**{"DEBUG": "true", name: value})
    assert result.returncode != 0
    assert f"Variable d'environnement {name} invalide" in result.stderr


def settings_seen(*names, **env):
    script = (
        "import json, feminisation.settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {list(names)!r}}}, default=str))"
    )
    result = run("-c", script, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    "url", ["redis://:secret@redis.internal:6379/1", "rediscache://redis.internal:6379/1"]
)
def test_a_redis_cache_url_selects_djangos_redis_cache(url):
    caches = settings_seen("CACHES", DEBUG="true", CACHE_URL=url)["CACHES"]

    assert caches["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert caches["default"]["LOCATION"].startswith("redis://")
    assert caches["default"]["LOCATION"].endswith("redis.internal:6379/1")


def test_a_redis_that_does_not_answer_costs_a_second_unless_the_url_says_otherwise():
    default = settings_seen("CACHES", DEBUG="true", CACHE_URL="redis://redis.internal:6379/1")
    chosen = settings_seen(
        "CACHES", DEBUG="true", CACHE_URL="redis://redis.internal:6379/1?socket_timeout=3"
    )

    assert default["CACHES"]["default"]["OPTIONS"] == {
        "socket_connect_timeout": 1,
        "socket_timeout": 1,
    }
    assert chosen["CACHES"]["default"]["OPTIONS"] == {
        "socket_connect_timeout": 1,
        "socket_timeout": 3,
    }


def test_without_cache_url_the_cache_is_in_local_memory():
    caches = settings_seen("CACHES", DEBUG="true")["CACHES"]

    assert caches["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_production_defaults_are_the_hardened_ones():
    seen = settings_seen(
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_PROXY_SSL_HEADER",
        "SESSION_ENGINE",
        "DATABASES",
        **PRODUCTION,
        DATABASE_URL="postgres://fem:secret@db.internal:5432/fem",
    )

    assert seen["SECURE_SSL_REDIRECT"] is True
    assert seen["SECURE_HSTS_SECONDS"] == 31_536_000
    assert seen["SESSION_COOKIE_SECURE"] is seen["CSRF_COOKIE_SECURE"] is True
    assert seen["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert seen["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"
    database = seen["DATABASES"]["default"]
    assert (database["CONN_MAX_AGE"], database["CONN_HEALTH_CHECKS"]) == (60, True)
    assert database["OPTIONS"]["connect_timeout"] == 5


def test_development_speaks_plain_http():
    seen = settings_seen("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", DEBUG="true")

    assert seen == {"SECURE_SSL_REDIRECT": False, "SECURE_HSTS_SECONDS": 0}


def test_production_settings_pass_the_deployment_checks(tmp_path):
    result = run(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **PRODUCTION,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_without_https_the_deployment_checks_fail(tmp_path):
    """The check above is not vacuous: it sees a production without HTTPS."""
    result = run(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **PRODUCTION,
        HTTPS="false",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )

    assert result.returncode != 0
    assert "security.W008" in result.stderr + result.stdout


SERVE_SITE_CSS = """
import django, json
django.setup()
from django.templatetags.static import static
from django.test import Client
url = static("css/site.css")
response = Client(HTTP_HOST="mixite.example.fr").get(url, secure=True, HTTP_ACCEPT_ENCODING="gzip")
print(json.dumps({"url": url, "status": response.status_code, "headers": dict(response.headers)}))
"""


def test_collectstatic_then_whitenoise_serves_compressed_files_cached_for_ever(tmp_path):
    env = {
        **PRODUCTION,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "DJANGO_SETTINGS_MODULE": "feminisation.settings",
    }
    collected = run("manage.py", "collectstatic", "--noinput", **env)
    assert collected.returncode == 0, collected.stderr

    served = run("-c", SERVE_SITE_CSS, **env)
    assert served.returncode == 0, served.stderr
    answer = json.loads(served.stdout)

    # A name that changes with the content, so it can be cached for ever.
    assert answer["url"].startswith("/static/css/site.") and answer["url"] != "/static/css/site.css"
    assert answer["status"] == 200
    assert answer["headers"]["Content-Encoding"] == "gzip"
    assert "immutable" in answer["headers"]["Cache-Control"]
    assert "max-age=315360000" in answer["headers"]["Cache-Control"]

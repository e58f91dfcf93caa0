"""Start-up refuses a configuration that would be unsafe or that it cannot read."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def start(**env):
    """Import the settings in a fresh interpreter, as `manage.py` or gunicorn would,
    without the developer's .env file."""
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    return subprocess.run(
        [sys.executable, "-c", "import feminisation.settings"],
        cwd=ROOT,
        env={**clean, "ENV_FILE": os.devnull, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_debug_off_without_secret_key_stops_with_a_clear_message():
    result = start(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY est obligatoire quand DEBUG est désactivé" in result.stderr


def test_debug_off_with_a_secret_key_starts():
    result = start(DEBUG="false", SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "mysqlx://nowhere"),
        ("DATABASE_URL", "not a url"),
        ("CACHE_URL", "nosuchcache://"),
        ("DEBUG", "peut-être"),
    ],
)
def test_a_malformed_variable_is_named_at_start_up(name, value):
    result = start(**{"DEBUG": "true", name: value})
    assert result.returncode != 0
    assert f"Variable d'environnement {name} invalide" in result.stderr

"""`create_demo_admin` gives `make run` a working admin login, and nothing else ever."""

import re
from io import StringIO
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.urls import reverse

pytestmark = pytest.mark.django_db


def create_demo_admin():
    out = StringIO()
    call_command("create_demo_admin", stdout=out)
    return out.getvalue()


def printed_password(output):
    match = re.fullmatch(
        r"Compte de démonstration : identifiant « admin », mot de passe « (\S+) » — "
        r"http://127\.0\.0\.1:8000/admin/\n",
        output,
    )
    assert match, output
    return match.group(1)


def logs_in_as_admin(client, password):
    """Through the admin's login form, as a person would: django-axes refuses
    `client.login()`, which authenticates without a request."""
    response = client.post(reverse("admin:login"), {"username": "admin", "password": password})
    return response.status_code == 302 and "_auth_user_id" in client.session


def database_claims(vendor):
    """The only thing the command asks of the database engine is its vendor, so the
    PostgreSQL run can test the SQLite path and the SQLite run the refusal."""
    return mock.patch.object(connections[DEFAULT_DB_ALIAS], "vendor", vendor)


@pytest.fixture
def demo_settings(settings):
    settings.DEBUG = True
    with database_claims("sqlite"):
        yield settings


def test_printed_password_logs_in_as_superuser(demo_settings, client):
    password = printed_password(create_demo_admin())

    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert logs_in_as_admin(client, password)


def test_rerun_resets_the_password_of_the_existing_admin(demo_settings, client):
    get_user_model().objects.create_user("admin", password="ancien-mot-de-passe-oublié")

    password = printed_password(create_demo_admin())

    assert get_user_model().objects.filter(username="admin").count() == 1
    assert not logs_in_as_admin(client, "ancien-mot-de-passe-oublié")
    assert logs_in_as_admin(client, password)
    assert get_user_model().objects.get(username="admin").is_superuser


def test_each_run_prints_a_new_password(demo_settings):
    assert printed_password(create_demo_admin()) != printed_password(create_demo_admin())


def test_refuses_with_debug_off(settings):
    settings.DEBUG = False

    with database_claims("sqlite"), pytest.raises(CommandError, match="DEBUG est désactivé"):
        create_demo_admin()

    assert not get_user_model().objects.exists()


def test_refuses_on_postgresql(settings):
    settings.DEBUG = True

    with (
        database_claims("postgresql"),
        pytest.raises(CommandError, match="que sur la base SQLite de développement"),
    ):
        create_demo_admin()

    assert not get_user_model().objects.exists()


def test_runs_only_on_the_real_database_if_it_is_sqlite(settings):
    settings.DEBUG = True

    if connections[DEFAULT_DB_ALIAS].vendor == "sqlite":
        printed_password(create_demo_admin())
        assert get_user_model().objects.filter(username="admin").exists()
    else:
        with pytest.raises(CommandError, match="pas sur une base postgresql"):
            create_demo_admin()
        assert not get_user_model().objects.exists()

"""After a restore, the public pages show the restored figures, not those cached
from the database it replaced (the replacing itself: tests/test_backup.py)."""

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command

from feminisation import backups
from feminisation.cache import VERSION_KEY

pytestmark = pytest.mark.django_db


def test_a_restore_renders_the_public_pages_again(
    monkeypatch, tmp_path, django_capture_on_commit_callbacks
):
    restored = []
    monkeypatch.setattr(backups, "restore", lambda settings, path: restored.append(path))
    cache.set(VERSION_KEY, "pages-of-the-replaced-database", None)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("restore_database", str(tmp_path / "sauvegarde.sqlite3"), "--noinput")

    assert restored == [str(tmp_path / "sauvegarde.sqlite3")]
    assert cache.get(VERSION_KEY) != "pages-of-the-replaced-database"


def test_a_refused_restore_keeps_the_cached_pages(
    monkeypatch, tmp_path, django_capture_on_commit_callbacks
):
    def refuse(settings, path):
        raise backups.BackupError("Ce fichier n'est pas une sauvegarde SQLite.")

    monkeypatch.setattr(backups, "restore", refuse)
    cache.set(VERSION_KEY, "pages-of-the-kept-database", None)

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(CommandError, match="n'est pas une sauvegarde SQLite"),
    ):
        call_command("restore_database", str(tmp_path / "notes.txt"), "--noinput")

    assert cache.get(VERSION_KEY) == "pages-of-the-kept-database"

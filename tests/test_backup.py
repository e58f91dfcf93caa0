"""`make backup` and `make restore` on the SQLite path, run once for real: the same
management commands, in their own processes, on database files of their own, with
the umask of a usual server (022: files readable by everyone unless said otherwise)."""

import os
import re
import sqlite3
import stat
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from django.db import connection

# The SQLite path, whatever the database of the run: the PostgreSQL half would only
# repeat it.
pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite path: runs in the SQLite half of the suite"
)

ROOT = Path(__file__).resolve().parent.parent
MARKER = "Partenaire sauvegardé"
SERVER_UMASK = 0o022


def manage(*args, database, stdin=None):
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "ENV_FILE": os.devnull,
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{database}",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        umask=SERVER_UMASK,
    )


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def query(database, sql):
    with closing(sqlite3.connect(database)) as connection:
        return connection.execute(sql).fetchall()


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A migrated SQLite database with the plan and one partner of our own, made in
    one process (each start of Django costs a second)."""
    database = tmp_path_factory.mktemp("source") / "db.sqlite3"
    result = manage(
        "shell",
        "-c",
        "from django.core.management import call_command; "
        "call_command('migrate', interactive=False, verbosity=0); "
        "call_command('load_plan'); "
        "from partners.models import Partner; "
        f"Partner.objects.create(name={MARKER!r}, slug='sauvegarde', kind='entreprise')",
        database=database,
    )
    assert result.returncode == 0, result.stderr
    return database


def back_up(source, directory):
    result = manage("backup_database", "--output-dir", str(directory), database=source)
    assert result.returncode == 0, result.stderr
    return Path(result.stdout.removeprefix("Sauvegarde écrite : ").strip()), result.stderr


@pytest.fixture(scope="module")
def backup(source, tmp_path_factory):
    """A backup into a folder that the command creates."""
    path, warnings = back_up(source, tmp_path_factory.mktemp("backups") / "sauvegardes")
    assert warnings == ""
    return path


def test_the_backup_is_a_dated_sqlite_file(backup):
    assert re.fullmatch(r"mixite-industrie-\d{4}-\d{2}-\d{2}-\d{6}\.sqlite3", backup.name)
    assert backup.read_bytes().startswith(b"SQLite format 3\x00")


def test_the_backup_is_readable_by_its_owner_only_in_a_folder_of_its_own(backup):
    assert mode(backup) == 0o600
    assert mode(backup.parent) == 0o700
    # Nothing else left beside it (SQLite's journal).
    assert list(backup.parent.iterdir()) == [backup]


def test_an_open_folder_is_named_and_older_backups_in_it_are_closed(source, tmp_path):
    tmp_path.chmod(0o755)
    older = tmp_path / "mixite-industrie-2020-01-02-030405.sqlite3"
    older.write_bytes(b"SQLite format 3\x00")
    older.chmod(0o644)
    other = tmp_path / "notes.txt"
    other.write_text("pas une sauvegarde")
    other.chmod(0o644)

    path, warnings = back_up(source, tmp_path)

    assert mode(path) == 0o600
    assert mode(older) == 0o600
    assert mode(other) == 0o644
    # A folder that may be shared keeps its mode, but the operator is told.
    assert mode(tmp_path) == 0o755
    assert f"Le dossier {tmp_path} est ouvert à d'autres comptes (droits 755)" in warnings
    assert f"chmod 700 {tmp_path}" in warnings
    assert f"{older} était lisible par d'autres comptes : il ne l'est plus." in warnings


def test_a_backup_restored_into_a_new_database_has_the_data(source, backup, tmp_path):
    restored = tmp_path / "restored.sqlite3"

    result = manage("restore_database", str(backup), "--noinput", database=restored)

    assert result.returncode == 0, result.stderr
    assert "Base restaurée depuis" in result.stdout
    assert query(restored, "SELECT name FROM partners_partner WHERE slug = 'sauvegarde'") == [
        (MARKER,)
    ]
    count_initiatives = "SELECT count(*) FROM initiatives_initiative"
    assert query(restored, count_initiatives) == query(source, count_initiatives)
    assert query(restored, count_initiatives)[0][0] > 0
    # Complete: the application finds every migration applied.
    assert manage("migrate", "--check", database=restored).returncode == 0


def test_restore_asks_before_replacing_the_data(backup, tmp_path):
    target = tmp_path / "keep.sqlite3"

    result = manage("restore_database", str(backup), database=target, stdin="non\n")

    assert result.returncode != 0
    assert "Restauration annulée." in result.stderr
    assert not target.exists() or query(target, "SELECT count(*) FROM sqlite_master") == [(0,)]


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("rien à voir")

    result = manage(
        "restore_database", str(not_a_backup), "--noinput", database=tmp_path / "db.sqlite3"
    )

    assert result.returncode != 0
    assert "n'est pas une sauvegarde SQLite" in result.stderr

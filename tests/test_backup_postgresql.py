"""`make backup` on the PostgreSQL path: pg_dump writes into a file readable by its
owner only, whatever the umask of the process."""

import datetime
import os
import stat

import pytest
from django.db import connection

from feminisation import backups

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="pg_dump: runs in the PostgreSQL half of the suite",
    ),
    pytest.mark.django_db,
]


@pytest.fixture
def server_umask():
    """The umask of a usual server: files readable by everyone unless said otherwise."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_a_dump_is_readable_by_its_owner_only_in_a_folder_of_its_own(tmp_path, server_umask):
    directory = tmp_path / "sauvegardes"
    now = datetime.datetime(2026, 1, 2, 3, 4, 5)

    path, warnings = backups.back_up(connection.settings_dict, directory, now)

    assert path == directory / "mixite-industrie-2026-01-02-030405.dump"
    assert path.read_bytes().startswith(backups.PG_CUSTOM_HEADER)
    assert (mode(path), mode(directory)) == (0o600, 0o700)
    assert warnings == []
    # The process's own umask is given back.
    assert os.umask(0o022) == 0o022


def test_a_failed_dump_leaves_no_file(tmp_path, server_umask):
    database = {**connection.settings_dict, "NAME": "base_qui_n_existe_pas"}

    with pytest.raises(backups.BackupError, match="pg_dump a échoué"):
        backups.back_up(database, tmp_path, datetime.datetime(2026, 1, 2, 3, 4, 5))

    assert list(tmp_path.iterdir()) == []

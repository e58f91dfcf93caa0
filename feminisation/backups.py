"""Backups of the whole database, behind `make backup` and `make restore`.

PostgreSQL: pg_dump's custom format (compressed, restored by pg_restore, table by
table). SQLite: SQLite's online backup API, which copies a consistent state even
while the site writes, where `cp` could copy a file half-way through a write.
The connection comes from the `DATABASES` entry; a password goes to pg_dump through
its environment, never on its command line (which `ps` shows to every user)."""

import os
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"
PG_CUSTOM_HEADER = b"PGDMP"
NAME_PREFIX = "mixite-industrie"


class BackupError(Exception):
    """A backup or a restore that cannot be done, said in French for the operator."""


def _vendor(database):
    engine = database["ENGINE"]
    if engine.endswith("sqlite3"):
        if str(database["NAME"]) in ("", ":memory:") or "mode=memory" in str(database["NAME"]):
            raise BackupError("Une base SQLite en mémoire ne se sauvegarde pas.")
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise BackupError(f"Moteur de base de données non pris en charge : {engine}.")


def _postgres_environment(database):
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if database.get(key):
            env[variable] = str(database[key])
    options = database.get("OPTIONS", {})
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    if options.get("connect_timeout"):
        env["PGCONNECT_TIMEOUT"] = str(options["connect_timeout"])
    return env


def _run(command, database):
    try:
        result = subprocess.run(
            command,
            env=_postgres_environment(database),
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError as error:
        raise BackupError(
            f"{command[0]} est introuvable : installez le client PostgreSQL "
            "(paquet postgresql-client), de la même version que le serveur ou plus récent."
        ) from error
    if result.returncode != 0:
        raise BackupError(f"{command[0]} a échoué :\n{result.stderr.strip()}")


def _sqlite_copy(source, target):
    """Copies one SQLite database into another through the online backup API."""
    with closing(sqlite3.connect(source)) as origin, closing(sqlite3.connect(target)) as copy:
        origin.backup(copy)


def back_up(database, directory, now):
    """Writes a dated backup of `database` (a DATABASES entry) into `directory`
    and returns its path."""
    vendor = _vendor(database)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    suffix = ".sqlite3" if vendor == "sqlite" else ".dump"
    target = directory / f"{NAME_PREFIX}-{now:%Y-%m-%d-%H%M%S}{suffix}"
    if target.exists():
        raise BackupError(f"{target} existe déjà : relancez la sauvegarde dans une seconde.")

    if vendor == "sqlite":
        source = Path(database["NAME"])
        if not source.is_file():
            raise BackupError(f"La base SQLite {source} n'existe pas.")
        _sqlite_copy(source, target)
    else:
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={target}",
                f"--dbname={database['NAME']}",
            ],
            database,
        )
    return target


def restore(database, backup):
    """Replaces the content of `database` with that of `backup`, a file made by
    back_up() for the same kind of database."""
    vendor = _vendor(database)
    backup = Path(backup)
    if not backup.is_file():
        raise BackupError(f"La sauvegarde {backup} n'existe pas.")
    with backup.open("rb") as file:
        header = file.read(len(SQLITE_HEADER))

    if vendor == "sqlite":
        if not header.startswith(SQLITE_HEADER):
            raise BackupError(f"{backup} n'est pas une sauvegarde SQLite.")
        _sqlite_copy(backup, database["NAME"])
    else:
        if not header.startswith(PG_CUSTOM_HEADER):
            raise BackupError(f"{backup} n'est pas une sauvegarde pg_dump (format custom).")
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={database['NAME']}",
                str(backup),
            ],
            database,
        )

"""Backups of the whole database, behind `make backup` and `make restore`.

PostgreSQL: pg_dump's custom format (compressed, restored by pg_restore, table by
table). SQLite: SQLite's online backup API, which copies a consistent state even
while the site writes, where `cp` could copy a file half-way through a write.
The connection comes from the `DATABASES` entry; a password goes to pg_dump through
its environment, never on its command line (which `ps` shows to every user).

A backup holds password hashes, contacts and sessions: it is readable by its owner
only (0600), from its first byte, in a folder of its own (0700), whatever the umask
of the process; so is any file that SQLite or pg_dump creates on the way."""

import os
import sqlite3
import stat
import subprocess
from contextlib import closing, contextmanager
from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"
PG_CUSTOM_HEADER = b"PGDMP"
NAME_PREFIX = "mixite-industrie"
FILE_MODE = 0o600
FOLDER_MODE = 0o700
# Removed from the mode of every file created while a backup is written.
PRIVATE_UMASK = 0o077


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
            umask=PRIVATE_UMASK,
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


@contextmanager
def _private_umask():
    """Files created meanwhile in this process (SQLite's journal…) are the owner's
    only. The umask is the process's: a management command is a process of its own."""
    previous = os.umask(PRIVATE_UMASK)
    try:
        yield
    finally:
        os.umask(previous)


def _folder(directory):
    """Creates the folder 0700 if missing. An existing folder keeps its mode: it may
    be shared (/var/backups…), and the backups in it are 0600 anyway; the warnings
    say what is open to other accounts. Older backups of ours are made 0600."""
    warnings = []
    if not directory.exists():
        directory.mkdir(parents=True, mode=FOLDER_MODE)
        directory.chmod(FOLDER_MODE)
        return warnings
    if not directory.is_dir():
        raise BackupError(f"{directory} n'est pas un dossier.")
    mode = stat.S_IMODE(directory.stat().st_mode)
    if mode & PRIVATE_UMASK:
        warnings.append(
            f"Le dossier {directory} est ouvert à d'autres comptes (droits {mode:o}) : "
            f"ils voient les noms des sauvegardes. Pour le réserver : chmod 700 {directory}"
        )
    for older in sorted(directory.glob(f"{NAME_PREFIX}-*")):
        if older.is_file() and stat.S_IMODE(older.stat().st_mode) & PRIVATE_UMASK:
            try:
                older.chmod(FILE_MODE)
            except OSError:
                warnings.append(f"{older} est lisible par d'autres comptes : chmod 600 {older}")
            else:
                warnings.append(f"{older} était lisible par d'autres comptes : il ne l'est plus.")
    return warnings


def _create_private(target):
    """Creates the empty backup file, 0600; fails if it exists (two backups in the
    same second). pg_dump and SQLite write into it and keep its mode."""
    try:
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        raise BackupError(
            f"{target} existe déjà : relancez la sauvegarde dans une seconde."
        ) from None
    try:
        os.fchmod(descriptor, FILE_MODE)
    finally:
        os.close(descriptor)


def back_up(database, directory, now):
    """Writes a dated backup of `database` (a DATABASES entry) into `directory`;
    returns its path and the warnings about the folder (French)."""
    vendor = _vendor(database)
    directory = Path(directory)
    suffix = ".sqlite3" if vendor == "sqlite" else ".dump"
    target = directory / f"{NAME_PREFIX}-{now:%Y-%m-%d-%H%M%S}{suffix}"
    if vendor == "sqlite":
        source = Path(database["NAME"])
        if not source.is_file():
            raise BackupError(f"La base SQLite {source} n'existe pas.")

    with _private_umask():
        warnings = _folder(directory)
        _create_private(target)
        try:
            if vendor == "sqlite":
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
        except BaseException:
            target.unlink(missing_ok=True)
            raise
    return target, warnings


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

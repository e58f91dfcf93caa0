"""Confirming a previewed import: the file waits in `ImportPreview` between the two
requests; the confirmation claims it and writes it in one transaction.

Two confirmations of one file (a double click, two tabs) import it once: the
claim is a DELETE in the import's transaction, which the second one waits for and
then finds nothing. Two imports at once (two staff with the same file, two files
naming the same new event) could each match the file against the events before
the other commits and both create the event: every confirmation therefore takes
one PostgreSQL advisory lock, held until its commit, before it matches the file
against the recorded events again. Imports are rare (a few a week) and take
seconds: queueing them costs nothing, where a lock per event would have to be
taken on events that do not exist yet. Saves in the admin do not take it.

Nor does the file overwrite unseen what someone saved after its preview: the
preview keeps the version of each recorded event it showed changes to; the
confirmation locks those events (as the admin's form does before saving one) and
imports nothing if one of them has moved on. Nor into another plan than the
preview's: a plan of the territory published since would read the file's
initiative numbers as its own."""

import enum
from dataclasses import dataclass

from django.db import OperationalError, connection, transaction

from feminisation.cache import invalidate_public_pages
from indicators.imports.changes import EventImport
from indicators.imports.files import FileFormatError, read_table
from indicators.imports.writing import in_chunks
from indicators.models import AwarenessEvent, ImportPreview

# pg_advisory_xact_lock's key, any bigint no other lock uses: "imports" in ASCII.
IMPORT_LOCK = 0x696D706F727473
# Longer than most imports hold the lock; short enough that waiting, then writing
# the largest file (20,000 lines, ~12 s), stays under gunicorn's 30 s.
LOCK_WAIT = "15s"
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE when lock_timeout passes


class Outcome(enum.Enum):
    IMPORTED = "imported"
    ALREADY_IMPORTED = "already imported"  # or cancelled, or replaced by another file
    NOTHING_TO_CHANGE = "nothing to change"  # another import wrote the same meanwhile
    EXPIRED = "expired"
    CHANGED_SINCE_PREVIEW = "changed since preview"  # the file is no longer valid
    EDITED_SINCE_PREVIEW = "edited since preview"  # someone saved an event it changes
    PLAN_CHANGED = "plan changed"  # the territory's current plan is no longer the preview's
    BUSY = "busy"  # another import held the lock for too long


@dataclass
class Confirmation:
    outcome: Outcome
    file_name: str = ""
    result: EventImport = None
    table: object = None
    edited: tuple = ()  # the events saved since the preview
    plan: object = None  # the preview's, when another has replaced it


class _Invalid(Exception):
    """Rolls back the claim: a file refused at confirmation stays pending."""


def confirm(user, token):
    """Imports the account's pending file named by `token`, if it is still there,
    still valid, and not claimed by another confirmation."""
    preview = ImportPreview.objects.filter(user=user, token=token).select_related("plan").first()
    if preview is None:
        return Confirmation(Outcome.ALREADY_IMPORTED)
    if preview.is_expired:
        preview.delete()
        return Confirmation(Outcome.EXPIRED, preview.file_name)
    file_name, versions, plan = preview.file_name, preview.versions, preview.plan
    try:
        table = read_table(bytes(preview.content))
    except FileFormatError:  # read at upload: only if the limits became stricter since
        preview.delete()
        return Confirmation(Outcome.EXPIRED, file_name)
    del preview  # its content: up to 10 MB, no longer needed
    try:
        with transaction.atomic():
            _lock_imports()
            if not ImportPreview.claim(user, token):
                return Confirmation(Outcome.ALREADY_IMPORTED, file_name)
            edited = _edited_since(versions)
            result = EventImport(user, table, plan.territory_id).check()
            if result.plan is not None and result.plan.pk != plan.pk:
                return Confirmation(Outcome.PLAN_CHANGED, file_name, plan=plan)
            if not result.is_valid:
                raise _Invalid(result)
            if edited:
                return Confirmation(Outcome.EDITED_SINCE_PREVIEW, file_name, edited=edited)
            if not (result.created or result.updated):
                return Confirmation(Outcome.NOTHING_TO_CHANGE, file_name, result, table)
            result.apply(file_name)
    except _Invalid as invalid:
        return Confirmation(Outcome.CHANGED_SINCE_PREVIEW, file_name, invalid.args[0], table)
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            return Confirmation(Outcome.BUSY, file_name)
        raise
    # Bulk writes send no signal: the public pages would still show the old figures.
    invalidate_public_pages()
    return Confirmation(Outcome.IMPORTED, file_name, result, table)


def _edited_since(versions):
    """Locks, until the import's commit, the recorded events the preview showed
    changes to (in the order of their ids, as every writer does); returns the ids
    of those saved or deleted since the preview, whose changes the file would
    overwrite unseen."""
    ids = sorted(int(pk) for pk in versions)
    stored = {}
    for chunk in in_chunks(ids):
        events = AwarenessEvent.objects.filter(pk__in=chunk).order_by("pk").select_for_update()
        stored.update(events.values_list("pk", "version"))
    return tuple(pk for pk in ids if stored.get(pk) != versions[str(pk)])


def _lock_imports():
    """Waits for any other import's transaction to end (PostgreSQL only: SQLite
    writes one transaction at a time anyway)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'")
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])
        cursor.execute("SET LOCAL lock_timeout TO DEFAULT")

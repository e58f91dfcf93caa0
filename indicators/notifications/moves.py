"""The e-mail that follows an event's move, to whoever acts next: submitted → the
territory staff; returned for correction → the organiser's accounts, with the
staff's comment; validated → the organiser's accounts.

Every move goes through `workflow.set_status` (the form, the list's actions, the
import, a revert), which notes it here. The moves of a transaction are gathered and
announced once, after its commit: one e-mail per person and kind of move, listing
its events (a validation of 40 events from the list is one e-mail per person, not
40). A rolled back transaction drops its moves with its on_commit callback; at the
commit, a move is announced only if the event is stored with the status it was
moved to, so that a status set and then not saved (a refused import, an import's
preview) says nothing.

Sending never fails the save that caused it: the save is committed already, and a
failure is logged. Nobody receives an e-mail about their own act."""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils.formats import date_format

from accounts.models import NotificationKind
from feminisation import emails
from feminisation.formatting import counted
from indicators.enums import EventStatus
from indicators.imports.writing import in_chunks
from indicators.models import AwarenessEvent
from indicators.notifications import mail

logger = logging.getLogger(__name__)

KIND = NotificationKind.STATUS_CHANGES
# Per status announced: the subject for one event and the subject for several.
SUBJECTS = {
    EventStatus.SUBMITTED: ("Action à valider : {title}", "Actions à valider : {count}"),
    EventStatus.RETURNED: ("Action à corriger : {title}", "Actions à corriger : {count}"),
    EventStatus.VALIDATED: ("Action validée : {title}", "Actions validées : {count}"),
}
TEMPLATES = {
    EventStatus.SUBMITTED: "notifications/submitted",
    EventStatus.RETURNED: "notifications/returned",
    EventStatus.VALIDATED: "notifications/validated",
}
# What an e-mail shows of each event, besides its own fields, and its plan: the
# accounts of its territory alone are told of it.
SHOWN = ("initiative", "organizer", "initiative__plan")


@dataclass
class Move:
    event: AwarenessEvent
    status: str
    actor: object  # the account that moved it


class _Moves:
    """The moves of one transaction: registered with on_commit when the first one
    is noted, and called once, after the commit."""

    def __init__(self):
        self.moves = []
        self.done = False

    def __call__(self):
        self.done = True
        try:
            emails.send_all(messages(self.moves))
        except Exception:
            # The save is committed: whatever fails here must not reach its author.
            logger.exception("The e-mails of %s status move(s) were not sent.", len(self.moves))


def note(event, status, actor):
    """Called by workflow.set_status for every move. A move outside a transaction is
    not saved by the code that made it (every write of an event is atomic: its
    save(), the import's write), only looked at (the import's preview)."""
    if status not in SUBJECTS:
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return
    _pending(connection).moves.append(Move(event, status, actor))


def _pending(connection):
    """The moves of the current transaction: the callback it has registered, if it is
    still there (Django drops it with the savepoint or transaction that rolls back)."""
    for _savepoints, callback, _robust in connection.run_on_commit:
        # Done: run by a test's captureOnCommitCallbacks, which leaves it listed.
        if isinstance(callback, _Moves) and not callback.done:
            return callback
    moves = _Moves()
    transaction.on_commit(moves)
    return moves


def _saved(moves):
    """[(event as stored, move)] for the moves that the commit kept: the event is
    stored with the status it was moved to (its last move, when moved twice)."""
    last = {move.event.pk: move for move in moves if move.event.pk is not None}
    stored = {}
    for chunk in in_chunks(last):
        events = AwarenessEvent.objects.filter(pk__in=chunk)
        stored.update((event.pk, event) for event in events.select_related(*SHOWN))
    return [
        (stored[pk], move)
        for pk, move in last.items()
        if pk in stored and stored[pk].status == move.status
    ]


def messages(moves):
    """The e-mails announcing the moves: one per person and status."""
    saved = _saved(moves)
    if not saved:
        return []
    # {account id: (account, {status: [(event, actor)]})}
    inboxes = {}

    def deliver(account, status, event, actor):
        if actor is not None and account.pk == actor.pk:
            return
        _account, by_status = inboxes.setdefault(account.pk, (account, {}))
        by_status.setdefault(status, []).append((event, actor))

    submitted = any(move.status == EventStatus.SUBMITTED for _event, move in saved)
    staff = mail.staff_accounts(KIND) if submitted else []
    to_organisers = {
        event.organizer_id for event, move in saved if move.status != EventStatus.SUBMITTED
    }
    organisers = mail.organisers_accounts(KIND, to_organisers) if to_organisers else {}
    for event, move in saved:
        if move.status == EventStatus.SUBMITTED:
            accounts = staff
        else:
            accounts = organisers.get(event.organizer_id, [])
        territory = mail.territory_of(event)
        for reader in accounts:
            if reader.reads(territory):
                deliver(reader.account, move.status, event, move.actor)
    return [
        _message(account, status, sorted(events, key=lambda item: (item[0].date, item[0].pk)))
        for account, by_status in inboxes.values()
        for status, events in by_status.items()
    ]


def _message(account, status, moved):
    one, several = SUBJECTS[status]
    first = moved[0][0]
    if len(moved) == 1:
        subject = one.format(title=f"{first.title} ({date_format(first.date, 'd/m/Y')})")
    else:
        subject = several.format(count=counted(len(moved), "action", "actions"))
    shown, left_out = mail.listed(moved)
    actors = sorted({_name(actor) for _event, actor in moved if actor is not None})
    context = {
        "events": [
            {"event": event, "url": mail.event_url(event), "comment": event.review_comment}
            for event, _actor in shown
        ],
        "count": len(moved),
        "counted": counted(len(moved), "action", "actions"),
        "left_out": left_out,
        "actors": ", ".join(actors),
        "list_url": _list_url(status),
    }
    return mail.email(account, KIND, subject, TEMPLATES[status], context)


def _list_url(status):
    """The list of the e-mail's events and the others like them: the recipient's task
    on the admin home where there is one (the staff's to validate, the partner's to
    correct: those it organises, as the home counts them)."""
    if status == EventStatus.SUBMITTED:
        return mail.events_url(a_faire="a_valider")
    if status == EventStatus.RETURNED:
        return mail.events_url(a_faire="a_corriger")
    return mail.events_url(status__exact=status)


def _name(account):
    return account.get_full_name() or account.get_username()

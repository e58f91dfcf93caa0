"""The weekly reminder (`manage.py send_reminders`): to each account, what waits
for it, in one e-mail, and none when nothing waits.

- a partner's account: its organisations' events returned for correction, its
  drafts, and its past events without any count line;
- a territory staff's account: the events waiting for validation, how many and the
  ones waiting longest.

A handful of queries whatever the number of accounts and events: the accounts, the
partners' events and the staff's list are each read once and shared out here."""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, Window
from django.db.models.functions import RowNumber

from accounts.models import NotificationKind
from feminisation.formatting import counted
from indicators.enums import EventStatus
from indicators.models import AudienceCount, AwarenessEvent
from indicators.notifications import mail

KIND = NotificationKind.WEEKLY_REMINDERS
# The events waiting for validation that the staff's reminder lists, longest first;
# and each of a partner's lists, earliest first, the others counted and linked to.
OLDEST_LISTED = 10
TEMPLATE = "notifications/reminder"


@dataclass
class Reminder:
    account: object
    awaiting: list = field(default_factory=list)  # for the staff, the oldest ones
    awaiting_count: int = 0
    returned: list = field(default_factory=list)
    drafts: list = field(default_factory=list)
    without_counts: list = field(default_factory=list)

    @property
    def summary(self):
        """« 3 actions à valider, 1 action à corriger, 2 brouillons »."""
        parts = []
        if self.awaiting_count:
            parts.append(f"{counted(self.awaiting_count, 'action', 'actions')} à valider")
        if self.returned:
            parts.append(f"{counted(len(self.returned), 'action', 'actions')} à corriger")
        if self.drafts:
            parts.append(counted(len(self.drafts), "brouillon", "brouillons"))
        if self.without_counts:
            without = counted(len(self.without_counts), "action passée", "actions passées")
            parts.append(f"{without} sans chiffres")
        return ", ".join(parts)

    def email(self):
        context = {
            "awaiting": [_item(event) for event in self.awaiting],
            "awaiting_count": self.awaiting_count,
            "awaiting_counted": counted(self.awaiting_count, "action", "actions"),
            "awaiting_url": mail.events_url(a_faire="a_valider"),
            "returned": _listed(self.returned, "a_corriger"),
            "drafts": _listed(self.drafts, "brouillons"),
            "without_counts": _listed(self.without_counts, "passees_sans_chiffres"),
            "summary": self.summary,
        }
        subject = f"À faire cette semaine : {self.summary}"
        return mail.email(self.account, KIND, subject, TEMPLATE, context)


def _listed(events, task):
    """One of a partner's lists: its OLDEST_LISTED first events, and for the others
    « 12 autres » and the admin's list of that task (indicators/admin/todo.py)."""
    more = len(events) - OLDEST_LISTED
    return {
        "listed": [_item(event) for event in events[:OLDEST_LISTED]],
        "count": len(events),
        "more": counted(more, "autre", "autres") if more > 0 else "",
        "url": mail.events_url(a_faire=task),
    }


def _item(event):
    return {
        "event": event,
        "url": mail.event_url(event),
        "needs_counts": getattr(event, "needs_counts", False),
    }


def reminders(today):
    """The reminders to send, one per account with something waiting, in the order
    of the accounts' ids."""
    found = {}

    def reminder(account):
        return found.setdefault(account.pk, Reminder(account))

    _staff_part(reminder)
    _partner_part(reminder, today)
    return [found[pk] for pk in sorted(found)]


def _staff_part(reminder):
    """Each staff account: the events of its territories waiting for validation,
    how many and the oldest ones, from one count per territory and the oldest of
    each territory, read once for every account."""
    staff = mail.staff_accounts(KIND)
    if not staff:
        return
    awaiting = AwarenessEvent.objects.filter(status=EventStatus.SUBMITTED)
    territory = "initiative__plan__territory"
    counts = dict(
        awaiting.order_by()
        .values(territory)
        .annotate(count=Count("pk"))
        .values_list(territory, "count")
    )
    if not counts:
        return
    first = [F("updated_at").asc(), F("pk").asc()]
    oldest = list(
        awaiting.select_related("initiative__plan", "organizer")
        .annotate(rank=Window(RowNumber(), partition_by=F(territory), order_by=first))
        .filter(rank__lte=OLDEST_LISTED)
        .order_by("updated_at", "pk")
    )
    for reader in staff:
        count = sum(number for pk, number in counts.items() if reader.reads(pk))
        if not count:
            continue
        entry = reminder(reader.account)
        entry.awaiting_count = count
        entry.awaiting = [event for event in oldest if reader.reads(mail.territory_of(event))][
            :OLDEST_LISTED
        ]


def _partner_part(reminder, today):
    accounts = mail.organisers_accounts(KIND)
    if not accounts:
        return
    events = (
        AwarenessEvent.objects.filter(organizer_id__in=accounts)
        .filter(
            Q(status__in=(EventStatus.RETURNED, EventStatus.DRAFT))
            | AwarenessEvent.objects.without_counts_condition(today)
        )
        # The same events as the home's tasks (indicators/admin/todo.py): a closed
        # year's are the staff's to change.
        .filter(AwarenessEvent.objects.in_open_year_condition())
        .annotate(has_counts=Exists(AudienceCount.objects.filter(event=OuterRef("pk"))))
        .select_related("initiative__plan", "organizer")
        .order_by("date", "pk")
    )
    for event in events:
        event.needs_counts = event.date < today and not event.has_counts
        territory = mail.territory_of(event)
        for reader in accounts[event.organizer_id]:
            # Only the events of the territories the account reads.
            if not reader.reads(territory):
                continue
            entry = reminder(reader.account)
            if event.status == EventStatus.RETURNED:
                entry.returned.append(event)
            elif event.status == EventStatus.DRAFT:
                entry.drafts.append(event)
            else:
                entry.without_counts.append(event)

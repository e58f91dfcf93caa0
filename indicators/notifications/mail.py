"""What the events' e-mails share: who receives them, their absolute links and the
footer that lets each person turn them off."""

from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.models import accepting
from accounts.notification_settings import settings_url, unsubscribe_url
from feminisation import emails
from feminisation.access import TERRITORY_STAFF
from partners.models import Partner
from territories import scoping

# An e-mail lists this many events at most, then links to the list with the rest.
MAX_LISTED = 20


def event_url(event):
    return emails.absolute_url(reverse("admin:indicators_awarenessevent_change", args=[event.pk]))


def events_url(**filters):
    """The admin's list of events, filtered as its own filters do (`a_faire="a_valider"`,
    `status__exact=…`)."""
    url = reverse("admin:indicators_awarenessevent_changelist")
    return emails.absolute_url(f"{url}?{urlencode(filters)}" if filters else url)


def staff_accounts(kind):
    """The territory staff's accounts that accept `kind`: the group's members only,
    superusers outside it included neither; each a `scoping.Reader`, told only of
    the events of the territories it reads (read in the same query)."""
    staff = get_user_model().objects.filter(groups__name=TERRITORY_STAFF)
    rows = accepting(staff, kind).annotate(**scoping.reach()).distinct().order_by("pk")
    return list(scoping.readers(rows).values())


def organisers_accounts(kind, partner_ids=None):
    """{partner id: its accounts (Partner.members) that accept `kind`}, for the given
    partners or all of them, in one query; each a `scoping.Reader`, told only of
    the events of the territories it reads."""
    accounts = accepting(get_user_model().objects.all(), kind)
    memberships = Partner.members.through.objects.filter(user__in=accounts)
    if partner_ids is not None:
        memberships = memberships.filter(partner_id__in=partner_ids)
    memberships = list(
        memberships.select_related("user").annotate(**scoping.reach("user")).order_by("user_id")
    )
    readers = scoping.readers(memberships, account=lambda membership: membership.user)
    found = {}
    for membership in memberships:
        partner_readers = found.setdefault(membership.partner_id, [])
        reader = readers[membership.user_id]
        if not any(known is reader for known in partner_readers):
            partner_readers.append(reader)
    return found


def territory_of(event):
    """The territory of an event read with its initiative's plan."""
    return event.initiative.plan.territory_id


def email(account, kind, subject, template, context):
    """The e-mail `template` to `account`, with the footer's links to turn `kind` off
    and to the account's settings."""
    unsubscribe = unsubscribe_url(account, kind)
    context = {**context, "unsubscribe_url": unsubscribe, "settings_url": settings_url()}
    return emails.message(account, subject, template, context, unsubscribe_url=unsubscribe)


def listed(items):
    """The first MAX_LISTED items and how many are left out."""
    return items[:MAX_LISTED], max(len(items) - MAX_LISTED, 0)

"""`manage.py send_reminders`, the weekly e-mail of what waits for each account:
partners their returned events, drafts and past events without figures; staff the
events waiting for validation. Nobody with nothing pending, nobody who turned it
off; --dry-run sends nothing; a handful of queries whatever the numbers."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import NotificationSettings
from feminisation import access
from indicators.enums import EventStatus
from tests.indicators.accounts import user_in
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.notifications.conftest import with_email
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db

SITE = "https://mixite.example.fr"
CHANGELIST_URL = reverse("admin:indicators_awarenessevent_changelist")
# The staff's accounts, the events waiting for validation (how many, the oldest),
# the partners' accounts and their events.
QUERIES = 5


def event(organizer, initiative, status, title, date, counted=True):
    made = AwarenessEventFactory(
        organizer=organizer, initiative=initiative, status=status, title=title, date=date
    )
    if counted:
        AudienceCountFactory(event=made)
    return made


def change_url(event):
    return reverse("admin:indicators_awarenessevent_change", args=[event.pk])


def send(*args):
    out = io.StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def by_address():
    found = {}
    for email in mail.outbox:
        [address] = email.to
        assert address not in found, f"two reminders to {address}"
        found[address] = email
    return found


@pytest.fixture
def waiting(arc, capso, initiative):
    """Arc France has one event of each kind waiting; CAPSO nothing."""
    past = datetime.date(2025, 3, 14)
    soon = timezone.localdate() + datetime.timedelta(days=10)
    return {
        "returned": event(arc, initiative, EventStatus.RETURNED, "Forum à corriger", past),
        "draft": event(arc, initiative, EventStatus.DRAFT, "Atelier en préparation", soon, False),
        "old_draft": event(arc, initiative, EventStatus.DRAFT, "Visite oubliée", past, False),
        "without_counts": event(
            arc, initiative, EventStatus.SUBMITTED, "Salon sans chiffres", past, False
        ),
        "validated": event(arc, initiative, EventStatus.VALIDATED, "Visite comptée", past),
        "capso": event(capso, initiative, EventStatus.VALIDATED, "Collège", past),
    }


def test_each_account_gets_what_waits_for_it_and_nobody_else_gets_anything(
    partner, colleague, other_partner, staff, staff_colleague, bystanders, waiting
):
    NotificationSettings.objects.create(user=colleague, weekly_reminders=False)
    NotificationSettings.objects.create(user=staff_colleague, status_changes=False)

    output = send()

    # CAPSO has nothing waiting; Paul turned the reminders off (not the status e-mails
    # that his staff colleague turned off); the bystanders are neither staff nor
    # partners, or cannot receive anything.
    assert sorted(by_address()) == ["claire@example.fr", "equipe2@example.fr", "equipe@example.fr"]
    claire = by_address()["claire@example.fr"]
    assert claire.subject == (
        "À faire cette semaine : 1 action à corriger, 2 brouillons, 1 action passée sans chiffres"
    )
    body = claire.body
    assert body.startswith("Bonjour Claire,\n")
    for key in ("returned", "draft", "old_draft", "without_counts"):
        assert f"{SITE}{change_url(waiting[key])}" in body
    assert "- Visite oubliée — 14/03/2025, Arc France (chiffres à saisir)" in body
    assert "Visite comptée" not in body and "Collège" not in body
    assert body.index("À CORRIGER") < body.index("BROUILLONS") < body.index("SANS CHIFFRES")
    assert "<h2>À corriger</h2>" in claire.alternatives[0][0]

    nadia = by_address()["equipe@example.fr"]
    assert nadia.subject == "À faire cette semaine : 1 action à valider"
    assert "1 action attend votre validation." in nadia.body
    assert f"Toutes les actions à valider : {SITE}{CHANGELIST_URL}?a_faire=a_valider" in nadia.body
    assert "Ne plus recevoir ces courriels : " in nadia.body

    assert "claire <claire@example.fr> : 1 action à corriger, 2 brouillons" in output
    assert output.endswith("3 courriels envoyés.\n")


def test_nothing_pending_sends_nothing(partner, staff, arc, initiative):
    event(arc, initiative, EventStatus.VALIDATED, "Visite comptée", datetime.date(2025, 3, 14))
    event(arc, initiative, EventStatus.SUBMITTED, "Demain", timezone.localdate(), False)
    # Today's event is not past yet: nothing for the partner; the staff have it to validate.
    NotificationSettings.objects.create(user=staff, weekly_reminders=False)

    output = send()

    assert mail.outbox == []
    assert output == "Rien n'attend personne : aucun courriel à envoyer.\n"


def test_a_dry_run_says_who_would_get_what_and_sends_nothing(partner, staff, waiting):
    output = send("--dry-run")

    assert mail.outbox == []
    assert output.splitlines() == [
        "claire <claire@example.fr> : 1 action à corriger, 2 brouillons, 1 action passée sans "
        "chiffres.",
        "equipe <equipe@example.fr> : 1 action à valider.",
        "Essai : 2 courriels à envoyer, aucun envoyé.",
    ]


def test_the_staff_see_how_many_wait_and_the_oldest_ones(staff, arc, initiative):
    for number in range(12):
        event(arc, initiative, EventStatus.SUBMITTED, f"Action {number}", datetime.date(2025, 1, 1))

    send()

    [email] = mail.outbox
    assert (
        "12 actions attendent votre validation. Les 10 qui attendent depuis le plus longtemps"
    ) in email.body
    assert email.body.count("- Action ") == 10
    assert "- Action 0 —" in email.body and "- Action 11 —" not in email.body


def test_a_partner_sees_its_first_drafts_and_how_many_others_wait(partner, arc, initiative):
    """A partner with many drafts reads the ten earliest, and the others counted with
    a link to its « Brouillons » list: an e-mail, not the whole list."""
    for number in range(13):
        day = datetime.date(2025, 1, 1) + datetime.timedelta(days=number)
        event(arc, initiative, EventStatus.DRAFT, f"Brouillon {number}", day, False)
    event(arc, initiative, EventStatus.RETURNED, "Forum à corriger", datetime.date(2025, 3, 14))

    send()

    [email] = mail.outbox
    assert email.subject == "À faire cette semaine : 1 action à corriger, 13 brouillons"
    assert email.body.count("- Brouillon ") == 10
    assert "- Brouillon 0 —" in email.body and "- Brouillon 10 —" not in email.body
    assert f"… et 3 autres : {SITE}{CHANGELIST_URL}?a_faire=brouillons" in email.body
    # The list with nothing more to show has no such line.
    assert email.body.count("… et ") == 1
    html = email.alternatives[0][0]
    assert f'Et <a href="{SITE}{CHANGELIST_URL}?a_faire=brouillons">3 autres</a>' in html


def test_a_mail_server_failure_is_reported_to_cron(partner, staff, waiting, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_status_emails.RefusingBackend"

    with pytest.raises(CommandError, match="2 courriels sur 2 n'ont pas pu être envoyés"):
        send()


@pytest.mark.parametrize("partners", [1, 15])
def test_the_queries_do_not_grow_with_the_accounts_and_events(
    partners, staff, initiative, django_assert_num_queries
):
    for number in range(partners):
        organisation = PartnerFactory(name=f"Partenaire {number}")
        with_email(user_in(access.PARTNERS, f"compte-{number}", organisations=[organisation]))
        for status in (EventStatus.DRAFT, EventStatus.RETURNED, EventStatus.SUBMITTED):
            event(organisation, initiative, status, "Action", datetime.date(2025, 3, 14), False)

    with django_assert_num_queries(QUERIES):
        send()

    assert len(mail.outbox) == partners + 1


def test_a_closed_years_events_are_not_asked_of_the_partner(partner, arc, initiative, waiting):
    """Once 2025 is closed, only the staff change its events: the partner's reminder
    no longer asks it to correct, finish or count them; a later draft remains."""
    from indicators.models import ClosedYear

    ClosedYear.objects.create(plan=initiative.plan, year=2025)

    send()

    claire = by_address()["claire@example.fr"]
    assert claire.subject == "À faire cette semaine : 1 brouillon"
    assert "Atelier en préparation" in claire.body
    for title in ("Forum à corriger", "Visite oubliée", "Salon sans chiffres"):
        assert title not in claire.body

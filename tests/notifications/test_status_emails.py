"""The e-mail that follows a move of an event to whoever acts next — submitted: the
territory staff; returned: the organiser's accounts, with the comment; validated:
the organiser's accounts — whatever moved it (form, list action, import), sent
after the commit, one per person for a whole bulk action, never failing the save."""

import datetime
import logging
import re

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.urls import reverse

from accounts.models import NotificationSettings
from indicators import workflow
from indicators.enums import EventStatus
from indicators.models import AwarenessEvent
from tests.indicators.admin_forms import form_data
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import AudienceFactory

pytestmark = pytest.mark.django_db

SITE = "https://mixite.example.fr"
CHANGELIST_URL = reverse("admin:indicators_awarenessevent_changelist")
MAX_QUERIES = 70
# Announcing the moves of a transaction, whatever their number: the events, the
# staff's accounts, the organisers' accounts.
ANNOUNCE_QUERIES = 3


def change_url(event):
    return reverse("admin:indicators_awarenessevent_change", args=[event.pk])


def run_action(client, action, events, **extra):
    return client.post(
        CHANGELIST_URL,
        {"action": action, "_selected_action": [event.pk for event in events], "index": 0, **extra},
    )


def event_of(organizer, initiative, status=EventStatus.DRAFT, **fields):
    fields.setdefault("date", datetime.date(2025, 3, 14))
    fields.setdefault("title", "Visite de la verrerie")
    event = AwarenessEventFactory(
        organizer=organizer, initiative=initiative, status=status, **fields
    )
    AudienceCountFactory(event=event, people=20, women=12)
    return event


def inbox():
    """{address: [e-mails]} of the outbox."""
    found = {}
    for email in mail.outbox:
        for address in email.to:
            found.setdefault(address, []).append(email)
    return found


def html_of(email):
    [(content, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    return content


def test_a_submitted_event_is_announced_to_each_staff_account_after_the_commit(
    client,
    partner,
    staff,
    staff_colleague,
    bystanders,
    arc,
    initiative,
    django_capture_on_commit_callbacks,
):
    event = event_of(arc, initiative)
    client.force_login(partner)

    with django_capture_on_commit_callbacks() as callbacks:
        run_action(client, "submit_for_validation", [event])

    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert sorted(inbox()) == ["equipe2@example.fr", "equipe@example.fr"]
    [email] = inbox()["equipe@example.fr"]
    assert email.subject == "Action à valider : Visite de la verrerie (14/03/2025)"
    link = f"{SITE}{change_url(event)}"
    assert email.body.startswith(
        "Bonjour Nadia,\n\nUne action vient d'être soumise pour validation par Claire :\n"
    )
    assert (
        "- Visite de la verrerie — 14/03/2025, 1. Réseau Verr'Elles, organisée par Arc France\n"
        f"  {link}\n"
    ) in email.body
    assert f"Toutes les actions à valider : {SITE}{CHANGELIST_URL}?a_faire=a_valider" in email.body
    assert "équipe du territoire" in email.body
    html = html_of(email)
    assert f'<a href="{link}">Visite de la verrerie</a>' in html
    assert '<html lang="fr">' in html
    assert email.extra_headers["List-Unsubscribe"].startswith(f"<{SITE}/compte/notifications/")


def test_a_returned_event_is_announced_to_its_organisers_accounts_with_the_comment(
    client,
    partner,
    colleague,
    other_partner,
    staff,
    arc,
    initiative,
    django_capture_on_commit_callbacks,
):
    event = event_of(arc, initiative, EventStatus.SUBMITTED)
    client.force_login(staff)
    data = form_data(
        client.get(change_url(event)),
        status=EventStatus.RETURNED,
        review_comment="Il manque le nombre de filles.\nEt le lieu exact.",
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change_url(event), data)

    assert response.status_code == 302
    assert sorted(inbox()) == ["claire@example.fr", "paul@example.fr"]  # not CAPSO's, not staff
    [email] = inbox()["claire@example.fr"]
    assert email.subject == "Action à corriger : Visite de la verrerie (14/03/2025)"
    assert "L'équipe du territoire vous renvoie cette action pour correction" in email.body
    comment = "Commentaire de l'équipe : Il manque le nombre de filles.\nEt le lieu exact."
    assert comment in email.body
    assert f"{SITE}{change_url(event)}" in email.body
    assert "Il manque le nombre de filles.<br>Et le lieu exact." in html_of(email)


def test_a_validated_event_is_announced_to_its_organisers_accounts(
    client, partner, staff, arc, initiative, django_capture_on_commit_callbacks
):
    event = event_of(arc, initiative, EventStatus.SUBMITTED)
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        run_action(client, "validate", [event])

    [email] = mail.outbox
    assert email.to == ["claire@example.fr"]
    assert email.subject == "Action validée : Visite de la verrerie (14/03/2025)"
    assert "elle compte désormais dans les chiffres publics du plan" in email.body
    assert "Action validée" in html_of(email)


def test_a_bulk_action_sends_each_person_one_email_listing_the_events(
    client,
    partner,
    colleague,
    staff,
    arc,
    initiative,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    events = [
        event_of(arc, initiative, EventStatus.SUBMITTED, title=f"Visite {number}")
        for number in range(40)
    ]
    client.force_login(staff)

    with django_capture_on_commit_callbacks() as callbacks:
        run_action(client, "validate", events)
    with django_assert_max_num_queries(ANNOUNCE_QUERIES):
        for callback in callbacks:
            callback()

    assert sorted(inbox()) == ["claire@example.fr", "paul@example.fr"]
    [email] = inbox()["claire@example.fr"]
    assert email.subject == "Actions validées : 40 actions"
    assert "ces 40 actions : elles comptent désormais" in email.body
    assert email.body.count("- Visite ") == 20
    assert f"Et 20 autres : {SITE}{CHANGELIST_URL}?status__exact=validee" in email.body


def test_events_returned_in_bulk_link_to_the_partners_task(
    client, partner, staff, arc, initiative, django_capture_on_commit_callbacks
):
    """The 20 listed, then the partner's « À corriger » task: exactly the events it
    has to correct, where the status alone would list its co-organised ones too."""
    events = [
        event_of(arc, initiative, EventStatus.SUBMITTED, title=f"Visite {number}")
        for number in range(25)
    ]
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        run_action(client, "return_for_correction", events, commentaire="Précisez le lieu.")

    [email] = inbox()["claire@example.fr"]
    assert email.body.count("- Visite ") == 20
    assert f"Et 5 autres : {SITE}{CHANGELIST_URL}?a_faire=a_corriger" in email.body


def test_nobody_is_told_of_their_own_act(
    client, staff, staff_colleague, arc, initiative, django_capture_on_commit_callbacks
):
    """Staff may submit an event for a partner: the others are told, not them."""
    event = event_of(arc, initiative)
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        run_action(client, "submit_for_validation", [event])

    assert list(inbox()) == ["equipe2@example.fr"]


def test_a_rolled_back_move_sends_nothing(
    partner, staff, arc, initiative, django_capture_on_commit_callbacks
):
    event = event_of(arc, initiative)

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        workflow.perform(workflow.SUBMIT, event, partner)
        event.save()
        raise RuntimeError("the save fails after the move")

    assert mail.outbox == []
    assert AwarenessEvent.objects.get().status == EventStatus.DRAFT


def test_a_status_set_but_not_saved_sends_nothing(
    partner, staff, arc, initiative, django_capture_on_commit_callbacks
):
    event = event_of(arc, initiative)

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        workflow.perform(workflow.SUBMIT, event, partner)

    assert mail.outbox == []


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("the mail server is down")


class UnreachableBackend(BaseEmailBackend):
    def open(self):
        raise TimeoutError("the mail server does not answer")

    def send_messages(self, email_messages):
        raise AssertionError("never reached")


@pytest.mark.parametrize("backend", [RefusingBackend, UnreachableBackend])
def test_a_mail_server_failure_is_logged_and_the_save_kept(
    client,
    partner,
    staff,
    arc,
    initiative,
    settings,
    caplog,
    backend,
    django_capture_on_commit_callbacks,
):
    settings.EMAIL_BACKEND = f"{__name__}.{backend.__name__}"
    event = event_of(arc, initiative)
    client.force_login(partner)

    with (
        caplog.at_level(logging.ERROR, logger="feminisation.emails"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            CHANGELIST_URL,
            {"action": "submit_for_validation", "_selected_action": [event.pk], "index": 0},
            follow=True,
        )

    assert response.status_code == 200
    assert "1 action soumise pour validation." in response.content.decode()
    event.refresh_from_db()
    assert event.status == EventStatus.SUBMITTED
    [record] = caplog.records
    assert record.exc_info is not None
    assert "staff@" not in record.getMessage() and "equipe@" not in record.getMessage()


def test_an_account_that_turned_them_off_receives_none(
    client, partner, staff, staff_colleague, arc, initiative, django_capture_on_commit_callbacks
):
    NotificationSettings.objects.create(user=staff, status_changes=False)
    NotificationSettings.objects.create(user=staff_colleague, weekly_reminders=False)
    event = event_of(arc, initiative)
    client.force_login(partner)

    with django_capture_on_commit_callbacks(execute=True):
        run_action(client, "submit_for_validation", [event])

    assert list(inbox()) == ["equipe2@example.fr"]


@pytest.mark.usefixtures("communes")
def test_an_event_added_as_submitted_through_the_form_is_announced(
    client, partner, staff, arc, initiative, django_capture_on_commit_callbacks
):
    client.force_login(partner)
    add_url = reverse("admin:indicators_awarenessevent_add")
    data = form_data(
        client.get(add_url),
        initiative=initiative.pk,
        title="Forum des métiers",
        format="forum",
        venue_name="Salle Vauban",
        official_commune="62040",  # Arques
        date="20/05/2025",
        status=EventStatus.SUBMITTED,
        **{"counts-0-audience": AudienceFactory().pk, "counts-0-people": 12},
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(add_url, data)

    assert response.status_code == 302
    event = AwarenessEvent.objects.get()
    [email] = mail.outbox
    assert email.subject == "Action à valider : Forum des métiers (20/05/2025)"
    assert f"{SITE}{change_url(event)}" in email.body


IMPORT_URL = reverse("admin:indicators_awarenessevent_import")
IMPORT_HEADERS = (
    "date,initiative,intitulé,format,lieu,commune,organisateur,co-organisateurs,public,"
    "personnes,dont femmes,statut"
)


def import_file(client, *rows):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = "\r\n".join([IMPORT_HEADERS, *rows]).encode()
    preview = client.post(IMPORT_URL, {"file": SimpleUploadedFile("actions.csv", content)})
    assert preview.context["token"], preview.content.decode()
    return preview, lambda: client.post(IMPORT_URL, {"token": preview.context["token"]})


@pytest.mark.usefixtures("communes")
def test_an_import_announces_its_moves_once_confirmed(
    client, partner, staff, arc, initiative, django_capture_on_commit_callbacks
):
    AudienceFactory(short_name="Filles", name="Filles")
    client.force_login(staff)
    rows = [
        f"14/03/2025,{initiative.number},Visite {number},Visite d'entreprise,Arc,Arques,"
        "Arc France,,Filles,24,13,Validée"
        for number in (1, 2)
    ]

    with django_capture_on_commit_callbacks(execute=True):
        _preview, confirm = import_file(client, *rows)
    assert mail.outbox == []  # the preview saves nothing, and says nothing

    with django_capture_on_commit_callbacks(execute=True):
        confirm()

    assert AwarenessEvent.objects.filter(status=EventStatus.VALIDATED).count() == 2
    [email] = mail.outbox
    assert email.to == ["claire@example.fr"]
    assert email.subject == "Actions validées : 2 actions"
    for event in AwarenessEvent.objects.all():
        assert f"{SITE}{change_url(event)}" in email.body


def test_an_email_link_is_absolute_on_site_url(
    client, partner, staff, arc, initiative, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://saisie.territoire.fr"
    event = event_of(arc, initiative)
    client.force_login(partner)

    with django_capture_on_commit_callbacks(execute=True):
        run_action(client, "submit_for_validation", [event])

    links = re.findall(r"https?://\S+", mail.outbox[0].body)
    assert links
    assert all(link.startswith("https://saisie.territoire.fr/") for link in links)


@pytest.mark.django_db(transaction=True)
def test_real_transactions_send_after_their_commit_and_forget_a_rollback(
    client, partner, staff, arc, initiative
):
    """Without the test's enclosing transaction: what a server does."""
    first, second, third = (
        event_of(arc, initiative, title=title) for title in ("Première", "Deuxième", "Troisième")
    )
    client.force_login(partner)

    run_action(client, "submit_for_validation", [first])

    assert [email.subject for email in mail.outbox] == ["Action à valider : Première (14/03/2025)"]
    mail.outbox.clear()

    with pytest.raises(RuntimeError), transaction.atomic():
        workflow.perform(workflow.SUBMIT, second, partner)
        second.save()
        raise RuntimeError("rolled back")
    assert mail.outbox == []

    run_action(client, "submit_for_validation", [third])

    assert [email.subject for email in mail.outbox] == ["Action à valider : Troisième (14/03/2025)"]

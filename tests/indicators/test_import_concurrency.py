"""Imports confirmed at the same instant, on PostgreSQL with real transactions: each
thread has its own connection and client, a barrier releases them together, and
every scenario runs several rounds. A file confirmed twice (a double click, two
tabs) imports once; the same event sent by two imports at once is created once;
and the stored figures stay the sums of the lines."""

import csv
import functools
import io

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test import Client
from django.urls import reverse, reverse_lazy

from feminisation.access import TERRITORY_STAFF
from indicators.figures import store
from indicators.imports import confirmation
from indicators.models import AwarenessEvent, ImportPreview
from tests import concurrency
from tests.indicators.accounts import user_in
from tests.indicators.admin_forms import form_data
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import ActionPlanFactory, AudienceFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent transactions: this test runs in the PostgreSQL half of the suite",
    ),
]

IMPORT_URL = reverse_lazy("admin:indicators_awarenessevent_import")
ROUNDS = 4
HEADERS = [
    "date",
    "initiative",
    "intitulé",
    "format",
    "lieu",
    "commune",
    "organisateur",
    "public",
    "personnes",
    "dont femmes",
]


@pytest.fixture
def plan_data():
    initiative = InitiativeFactory(plan=ActionPlanFactory(), number=1)
    girls = AudienceFactory(name="Filles", short_name="Filles")
    arc = PartnerFactory(name="Arc France")
    # A venue already known, as most are.
    event = AwarenessEventFactory(
        initiative=initiative, organizer=arc, venue_name="Arc France", commune="Arques"
    )
    AudienceCountFactory(event=event, audience=girls)


def event_file(*titles, reference=None):
    stream = io.StringIO()
    writer = csv.writer(stream, delimiter=";")
    writer.writerow([*HEADERS, "référence"])
    for title in titles:
        writer.writerow(
            [
                "14/03/2025",
                "1",
                title,
                "Visite d'entreprise",
                "Arc France",
                "Arques",
                "Arc France",
                "Filles",
                "24",
                "13",
                reference or "",
            ]
        )
    return stream.getvalue().encode()


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def previewed(client, content):
    response = client.post(IMPORT_URL, {"file": SimpleUploadedFile("actions.csv", content)})
    token = response.context["token"]
    assert token, response.context.get("errors")
    return token


def at_once(*posts):
    """Each (client, data) confirmation posted at the same instant: the messages each
    response gives, in the order given."""

    def confirmation(client, data):
        response = client.post(IMPORT_URL, data)
        return [str(message) for message in get_messages(response.wsgi_request)]

    return concurrency.all_succeeded(
        concurrency.at_once(
            *(functools.partial(confirmation, client, data) for client, data in posts)
        )
    )


def count_of(title):
    return AwarenessEvent.objects.filter(title=title).count()


def test_a_file_confirmed_twice_at_once_is_imported_once(plan_data):
    staff = user_in(TERRITORY_STAFF, "equipe")
    for round_ in range(ROUNDS):
        title = f"Visite n° {round_}"
        first = client_of(staff)
        token = previewed(first, event_file(title))
        # A double click: the same account, the same page, two requests.
        second = Client()
        second.cookies = first.cookies

        said = at_once((first, {"token": token}), (second, {"token": token}))

        assert count_of(title) == 1, f"round {round_}: {said}"
        assert sorted(messages[-1].split(" :")[0] for messages in said) == [
            "Ce fichier a déjà été importé, ou son aperçu n'est plus valable (annulé, "
            "remplacé par un autre fichier ou expiré)",
            "Import du fichier « actions.csv » terminé",
        ], said
        assert not ImportPreview.objects.exists()
    assert store.days_that_differ() == []


def test_two_accounts_confirming_the_same_file_at_once_create_its_event_once(plan_data):
    accounts = [user_in(TERRITORY_STAFF, name) for name in ("equipe", "collegue")]
    for round_ in range(ROUNDS):
        title = f"Visite n° {round_}"
        clients = [client_of(account) for account in accounts]
        tokens = [previewed(client, event_file(title)) for client in clients]

        said = at_once(
            *((client, {"token": token}) for client, token in zip(clients, tokens, strict=True))
        )

        assert count_of(title) == 1, f"round {round_}: {said}"
        assert sorted(messages[-1] for messages in said) == [
            "Ce fichier a déjà été importé : les actions de « actions.csv » sont déjà "
            "enregistrées à l'identique, rien n'a été modifié.",
            "Import du fichier « actions.csv » terminé : 1 action créée, 0 action mise à jour.",
        ], said
    assert store.days_that_differ() == []


def test_two_files_naming_the_same_new_event_create_it_once(plan_data):
    accounts = [user_in(TERRITORY_STAFF, name) for name in ("equipe", "collegue")]
    for round_ in range(ROUNDS):
        shared, own = f"Visite n° {round_}", f"Atelier n° {round_}"
        clients = [client_of(account) for account in accounts]
        tokens = [
            previewed(clients[0], event_file(shared)),
            previewed(clients[1], event_file(own, shared)),
        ]

        said = at_once(
            *((client, {"token": token}) for client, token in zip(clients, tokens, strict=True))
        )

        assert (count_of(shared), count_of(own)) == (1, 1), f"round {round_}: {said}"
    assert store.days_that_differ() == []


def test_an_import_waits_for_another_then_gives_up_with_its_file_kept(plan_data, monkeypatch):
    monkeypatch.setattr(confirmation, "LOCK_WAIT", "200ms")
    client = client_of(user_in(TERRITORY_STAFF, "equipe"))
    token = previewed(client, event_file("Visite"))
    other_import = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with other_import.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [confirmation.IMPORT_LOCK])

        response = client.post(IMPORT_URL, {"token": token})

        assert [str(message) for message in get_messages(response.wsgi_request)] == [
            "Un autre import est en cours d'écriture : rien n'a été importé. Déposez de "
            "nouveau le fichier dans un instant."
        ]
        assert count_of("Visite") == 0
        assert ImportPreview.objects.filter(token=token).exists()
    finally:
        other_import.close()
    client.post(IMPORT_URL, {"token": token})
    assert count_of("Visite") == 1


def test_an_import_and_a_form_saving_the_same_event_at_once_overwrite_nothing(plan_data):
    """The import locks the events its preview showed changes to, and imports nothing
    if one was saved since; the form refuses a save of a version the import moved."""
    importer, editor = user_in(TERRITORY_STAFF, "equipe"), user_in(TERRITORY_STAFF, "collegue")
    event = AwarenessEvent.objects.get()
    change_url = reverse("admin:indicators_awarenessevent_change", args=[event.pk])
    for round_ in range(ROUNDS):
        from_file, from_form = f"Titre du fichier {round_}", f"Titre du formulaire {round_}"
        import_client, form_client = client_of(importer), client_of(editor)
        token = previewed(import_client, event_file(from_file, reference=event.pk))
        form = form_data(form_client.get(change_url), title=from_form)
        version = AwarenessEvent.objects.get().version

        imported, saved = concurrency.all_succeeded(
            concurrency.at_once(
                functools.partial(import_client.post, IMPORT_URL, {"token": token}),
                functools.partial(form_client.post, change_url, form),
            )
        )

        event.refresh_from_db()
        assert event.title in (from_file, from_form), event.title
        assert event.version == version + 1, f"round {round_}: both or neither saved"
        said = [str(message) for message in get_messages(imported.wsgi_request)]
        if event.title == from_file:
            assert said[-1].startswith("Import du fichier « actions.csv » terminé"), said
            assert saved.url == change_url  # the form shown again, with the import's save
        else:
            assert said[-1].startswith("Depuis l'aperçu, quelqu'un a enregistré"), said
            assert saved.url == reverse("admin:indicators_awarenessevent_changelist")
    assert store.days_that_differ() == []

"""Two people editing the same event: the second save, made from a form that shows
an older version, saves nothing and says what the first one changed; every write
counts as a new version."""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains

from feminisation import access
from indicators import workflow
from indicators.enums import EventStatus
from indicators.figures import store
from indicators.models import AudienceCount, AwarenessEvent
from tests.indicators.accounts import user_in
from tests.indicators.admin_forms import form_data
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import AudienceFactory
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db

CHANGELIST_URL = reverse("admin:indicators_awarenessevent_changelist")
# A save refused for its version: the session, the user, the event locked, the
# event read for the permissions, its history since that version (the event's, its
# co-organisers' at each version, its lines', the audiences' names).
MAX_CONFLICT_QUERIES = 30
# Paris is two hours ahead of UTC in summer.
SAVED_AT_UTC = datetime.datetime(2026, 7, 1, 12, 5, tzinfo=datetime.UTC)
SAVED_AT_PARIS = "01/07/2026 à 14:05"


def change_url(event):
    return reverse("admin:indicators_awarenessevent_change", args=[event.pk])


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def organizer():
    return PartnerFactory(name="Arc France", short_name="")


@pytest.fixture
def girls():
    return AudienceFactory(short_name="Collégiennes")


@pytest.fixture
def event(organizer, girls):
    event = AwarenessEventFactory(title="Forum des métiers", organizer=organizer, submitted=True)
    AudienceCountFactory(event=event, audience=girls, people=120, women=64)
    return event


@pytest.fixture
def validator(client):
    client.force_login(user_in(access.TERRITORY_STAFF, "sophie"))
    return client


@pytest.fixture
def partner(organizer):
    client = Client()
    client.force_login(user_in(access.PARTNERS, "claire", organisations=[organizer]))
    return client


def shift_history(event, to):
    """Moves the event's and its lines' history so that its latest record is dated
    `to`, keeping their order: the times a message shows are then known."""
    shift = to - event.history.first().history_date
    for records in (event.history.all(), AudienceCount.history.filter(event_id=event.pk)):
        for record in records:
            record.history_date += shift
            record.save()


def test_a_save_from_an_older_form_saves_nothing_and_says_what_changed(
    validator, partner, event, django_assert_max_num_queries
):
    # The validator opens the form; the partner corrects the title and a count.
    seen_by_validator = form_data(validator.get(change_url(event)), status=EventStatus.VALIDATED)
    corrected = form_data(
        partner.get(change_url(event)),
        title="Forum des métiers de l'industrie",
        change_reason="Comptage de la feuille d'émargement",
        **{"counts-0-people": 125, "counts-0-women": 66},
    )
    assert partner.post(change_url(event), corrected).status_code == 302
    shift_history(event, SAVED_AT_UTC)

    with django_assert_max_num_queries(MAX_CONFLICT_QUERIES):
        response = validator.post(change_url(event), seen_by_validator)

    # Back to the form, which now shows the partner's version.
    assert (response.status_code, response.url) == (302, change_url(event))
    [message] = messages_of(response)
    assert message == (
        f"<p>{escape(workflow.EDIT_CONFLICT)}</p>"
        f"<p>Enregistrée par claire le {SAVED_AT_PARIS} (motif : Comptage de la feuille "
        "d&#x27;émargement) :</p><ul>"
        "<li><strong>Intitulé :</strong> Forum des métiers&nbsp;&rarr;&nbsp;Forum des métiers de "
        "l&#x27;industrie</li>"
        "<li><strong>Modifiée par :</strong> —&nbsp;&rarr;&nbsp;claire</li>"
        "<li><strong>Ligne de comptage :</strong> Collégiennes : 120 personnes, dont 64 femmes "
        "ou filles&nbsp;&rarr;&nbsp;Collégiennes : 125 personnes, dont 66 femmes ou filles</li>"
        "</ul>"
        f"<p>{escape(workflow.EDIT_CONFLICT_AGAIN)}</p>"
    )
    event.refresh_from_db()
    # Nothing of the validator's save: the event was not validated with a content
    # its validator never saw, and the partner's correction is kept.
    assert (event.title, event.status, event.version) == (
        "Forum des métiers de l'industrie",
        EventStatus.SUBMITTED,
        2,
    )
    assert list(event.counts.values_list("people", "women")) == [(125, 66)]
    assert event.history.count() == 2
    shown = validator.get(change_url(event))
    # The message reads as a list of changes on the form (not as escaped HTML).
    assertContains(
        shown,
        "<li><strong>Intitulé :</strong> Forum des métiers&nbsp;&rarr;&nbsp;Forum des métiers "
        "de l&#x27;industrie</li>",
    )
    assert shown.context["adminform"].form["seen_version"].value() == 2
    # Saved again from the version it now shows, the validation goes through.
    response = validator.post(change_url(event), form_data(shown, status=EventStatus.VALIDATED))
    assert (response.status_code, response.url) == (302, CHANGELIST_URL)
    event.refresh_from_db()
    assert (event.status, event.version) == (EventStatus.VALIDATED, 3)
    assert store.days_that_differ() == []


def test_a_conflict_names_the_co_organisers_and_the_lines_added(validator, event, girls):
    form = form_data(validator.get(change_url(event)), title="Autre intitulé")
    # Saved in code as the admin saves: the event, its co-organisers, its lines.
    event.notes = "Relu au téléphone"
    event.save()
    event.co_organizers.add(PartnerFactory(name="Communauté d'agglomération", short_name="CAPSO"))
    AudienceCountFactory(
        event=event, audience=AudienceFactory(short_name="Parents"), people=8, women=None
    )

    response = validator.post(change_url(event), form)

    [message] = messages_of(response)
    assert "<li><strong>Co-organisateurs :</strong> —&nbsp;&rarr;&nbsp;CAPSO</li>" in message
    assert (
        "<li><strong>Ligne de comptage :</strong> —&nbsp;&rarr;&nbsp;Parents : 8 personnes, "
        "nombre de femmes non renseigné</li>" in message
    )
    event.refresh_from_db()
    assert event.title == "Forum des métiers"


def test_a_form_without_its_version_saves_nothing(validator, event):
    response = validator.post(
        change_url(event),
        form_data(validator.get(change_url(event)), seen_version=None, title="Sans version"),
    )

    assert messages_of(response) == [workflow.FORM_WITHOUT_VERSION]
    event.refresh_from_db()
    assert event.title == "Forum des métiers"


def test_an_account_that_may_not_change_the_event_learns_nothing_of_it(event):
    other = Client()
    other.force_login(user_in(access.PARTNERS, "autre", organisations=[PartnerFactory()]))
    event.title = "Titre corrigé"
    event.save()

    response = other.post(change_url(event), {"seen_version": 1, "title": "Piraté"})

    # Refused as before (the event is not found), and not told what changed.
    assert (response.status_code, response.url) == (302, reverse("admin:index"))
    assert not any("Titre corrigé" in message for message in messages_of(response))
    event.refresh_from_db()
    assert event.title == "Titre corrigé"


def test_every_write_makes_a_new_version(validator, event, girls):
    versions = [event.version]
    # An admin save that changes only a count line.
    validator.post(
        change_url(event),
        form_data(validator.get(change_url(event)), **{"counts-0-people": 121}),
    )
    event.refresh_from_db()
    versions.append(event.version)
    # A list action.
    validator.post(
        CHANGELIST_URL,
        {"action": "validate", "_selected_action": [event.pk], "index": 0},
    )
    event.refresh_from_db()
    versions.append(event.version)
    # A save in code, from an instance read before the last one.
    stale = AwarenessEvent.objects.get(pk=event.pk)
    event.save()
    stale.save()
    event.refresh_from_db()
    versions.append(event.version)

    assert versions == [1, 2, 3, 5]
    assert list(event.history.values_list("version", flat=True))[:3] == [5, 4, 3]


def test_select_all_leaves_an_event_changed_since_the_list_was_shown(
    validator, partner, event, organizer, girls
):
    untouched = AwarenessEventFactory(title="Atelier", organizer=organizer, submitted=True)
    AudienceCountFactory(event=untouched, audience=girls, people=30, women=16)
    listing = validator.get(CHANGELIST_URL).content.decode()
    listed_at = re.search(r'name="listed_at" value="([^"]+)"', listing).group(1)
    corrected = form_data(partner.get(change_url(event)), title="Forum corrigé")
    partner.post(change_url(event), corrected)

    # « Tout sélectionner »: every event the filters match, with no row's version.
    response = validator.post(
        CHANGELIST_URL,
        {
            "action": "validate",
            "select_across": 1,
            "_selected_action": [untouched.pk],
            "index": 0,
            "listed_at": listed_at,
        },
    )

    assert messages_of(response) == [
        "1 action validée. 1 laissée telle quelle : 1 modifiée par quelqu'un d'autre "
        "depuis l'affichage de la liste."
    ]
    event.refresh_from_db()
    untouched.refresh_from_db()
    assert (event.status, untouched.status) == (EventStatus.SUBMITTED, EventStatus.VALIDATED)


def test_the_list_leaves_an_event_changed_since_it_was_shown(validator, partner, event):
    listing = validator.get(CHANGELIST_URL)
    assert f'<input type="hidden" name="version_{event.pk}" value="1">' in listing.content.decode()
    corrected = form_data(partner.get(change_url(event)), title="Forum corrigé")
    partner.post(change_url(event), corrected)

    response = validator.post(
        CHANGELIST_URL,
        {
            "action": "validate",
            "_selected_action": [event.pk],
            "index": 0,
            f"version_{event.pk}": 1,
        },
    )

    assert messages_of(response) == [
        "Aucune action modifiée. 1 laissée telle quelle : 1 modifiée par quelqu'un d'autre "
        "depuis l'affichage de la liste."
    ]
    event.refresh_from_db()
    assert (event.title, event.status) == ("Forum corrigé", EventStatus.SUBMITTED)

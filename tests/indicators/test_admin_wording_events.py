"""The event form and its messages in the plan's words: a partner sees the true
status of an event returned to them, the save and delete messages name the action,
and the delete confirmation names what goes with it."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains

from feminisation import access
from indicators.enums import EventStatus
from indicators.models import AwarenessEvent
from tests.indicators.accounts import user_in
from tests.indicators.admin_forms import form_data
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def change_url(event):
    return reverse("admin:indicators_awarenessevent_change", args=[event.pk])


@pytest.fixture
def returned(client):
    """An event returned « à corriger » to its organiser, whose account is logged in."""
    organisation = PartnerFactory()
    client.force_login(user_in(access.PARTNERS, "partenaire", organisations=[organisation]))
    event = AwarenessEventFactory(
        organizer=organisation, status=EventStatus.RETURNED, review_comment="La date ?"
    )
    AudienceCountFactory(event=event, people=10, women=4)
    return event


def test_a_partner_sees_the_true_status_of_an_event_to_correct(client, returned):
    response = client.get(change_url(returned))

    status = response.context["adminform"].form["status"]
    assert status.value() == EventStatus.RETURNED
    assert [value for value, _label in status.field.choices] == [
        EventStatus.RETURNED,
        EventStatus.DRAFT,
        EventStatus.SUBMITTED,
    ]
    assertContains(response, "À corriger (statut actuel)")


def test_saving_without_choosing_a_status_keeps_the_event_to_correct(client, returned):
    response = client.get(change_url(returned))

    client.post(change_url(returned), form_data(response, title="Titre corrigé"))

    returned.refresh_from_db()
    assert (returned.title, returned.status) == ("Titre corrigé", EventStatus.RETURNED)


def test_choosing_submitted_sends_the_corrected_event_back_for_validation(client, returned):
    response = client.get(change_url(returned))

    client.post(change_url(returned), form_data(response, status=EventStatus.SUBMITTED))

    returned.refresh_from_db()
    assert returned.status == EventStatus.SUBMITTED


def test_save_messages_name_the_action_in_the_feminine(admin_client):
    event = AwarenessEventFactory(title="Forum des métiers")
    AudienceCountFactory(event=event)
    response = admin_client.get(change_url(event))

    response = admin_client.post(change_url(event), form_data(response), follow=True)

    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        f"L'action de sensibilisation « {event} » a été modifiée."
    ]


def test_the_add_form_and_list_say_nouvelle_and_choisissez(admin_client):
    response = admin_client.get(reverse("admin:indicators_awarenessevent_add"))
    assertContains(response, "<h1>Nouvelle action de sensibilisation</h1>", html=True)
    assertContains(response, "Ajouter une ligne de comptage")

    response = admin_client.get(reverse("admin:indicators_awarenessevent_changelist"))
    assertContains(response, escape("Choisissez l'action de sensibilisation à modifier"))
    assertContains(response, "Ajouter une action de sensibilisation")


def test_the_delete_confirmation_names_the_lines_not_the_link_tables(admin_client):
    event = AwarenessEventFactory(title="Forum", co_organizers=[PartnerFactory()])
    AudienceCountFactory.create_batch(2, event=event)

    response = admin_client.get(reverse("admin:indicators_awarenessevent_delete", args=[event.pk]))

    assertContains(
        response,
        escape(f"Supprimer l'action de sensibilisation « {event} » et ses 2 lignes de comptage ?"),
    )
    assertNotContains(response, "Relation")
    assertNotContains(response, "object (")

    response = admin_client.post(
        reverse("admin:indicators_awarenessevent_delete", args=[event.pk]),
        {"post": "yes"},
        follow=True,
    )
    assert not AwarenessEvent.objects.filter(pk=event.pk).exists()
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        f"L'action de sensibilisation « {event} » a été supprimée."
    ]


def test_the_count_lines_come_right_under_the_events_identity(admin_client):
    """The figures that matter, with their live total, before the place, the
    organisers and the validation (Django puts inlines after every fieldset)."""
    for url in (
        reverse("admin:indicators_awarenessevent_add"),
        change_url(AudienceCountFactory().event),
    ):
        page = admin_client.get(url).content.decode()

        title, counts = page.index('id="id_title"'), page.index('id="counts-group"')
        place = page.index(">Lieu</h2>")
        assert title < counts < place
        assert page.count('id="counts-group"') == 1


def test_the_lists_delete_action_asks_with_the_names_and_counts(admin_client):
    events = AwarenessEventFactory.create_batch(2, co_organizers=[PartnerFactory()])
    for event in events:
        AudienceCountFactory.create_batch(2, event=event)

    response = admin_client.post(
        reverse("admin:indicators_awarenessevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk for event in events]},
    )

    assertContains(response, "Supprimer 2 actions de sensibilisation et 4 lignes de comptage ?")
    assertNotContains(response, "objet")
    assertNotContains(response, "Relation")


def test_each_row_of_the_list_offers_its_event_to_the_actions_and_links_to_its_form(
    admin_client,
):
    event = AwarenessEventFactory(title="Forum des métiers")

    response = admin_client.get(reverse("admin:indicators_awarenessevent_changelist"))

    assertContains(
        response,
        f'<input type="checkbox" name="_selected_action" value="{event.pk}" '
        f'class="action-select" aria-label="Choisir pour une action : {escape(event)}">',
        html=True,
    )
    page = response.content.decode()
    # The date and the title both open the event's form.
    assert page.count(f'href="{change_url(event)}"') == 2
    assert "Select this object" not in page

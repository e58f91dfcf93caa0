import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from feminisation import access
from indicators import workflow
from indicators.figures import store
from indicators.models import AudienceCount, AwarenessEvent
from tests.indicators.accounts import user_in as user_in_group
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import AudienceFactory
from tests.partners.factories import PartnerFactory
from tests.shared import collected

pytestmark = pytest.mark.django_db

DELETED_URL = reverse("admin:indicators_awarenessevent_deleted")
EARLIER = timezone.now() - datetime.timedelta(hours=1)


@pytest.fixture
def staff_client(client):
    client.force_login(user_in_group(access.TERRITORY_STAFF, "equipe"))
    return client


@pytest.fixture
@collected
def deleted_event():
    """An event with two lines and a co-organiser, deleted by mistake."""
    event = AwarenessEventFactory(
        title="Forum des métiers de Longuenesse", co_organizers=[PartnerFactory(name="CORIF")]
    )
    AudienceCountFactory(
        event=event, audience=AudienceFactory(short_name="Filles"), people=40, women=25
    )
    AudienceCountFactory(
        event=event, audience=AudienceFactory(short_name="Prescripteurs"), people=6, women=None
    )
    pk = event.pk
    event.delete()
    return pk


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def restore_url(pk):
    record = AwarenessEvent.history.filter(id=pk, history_type="-").latest("history_date")
    return reverse("admin:indicators_awarenessevent_restore", args=[record.history_id])


def test_staff_find_a_deleted_event_and_restore_it_whole(staff_client, deleted_event):
    listing = staff_client.get(DELETED_URL)
    assertContains(listing, '<th scope="row">Forum des métiers de Longuenesse</th>', html=True)

    response = staff_client.post(restore_url(deleted_event))

    event = AwarenessEvent.objects.get(pk=deleted_event)
    assert response.status_code == 302
    assert response.url == reverse("admin:indicators_awarenessevent_change", args=[event.pk])
    assert sorted(event.counts.values_list("people", "women")) == [(6, None), (40, 25)]
    assert [p.name for p in event.co_organizers.all()] == ["CORIF"]
    assert event.history.first().history_change_reason == "Restaurée après suppression"
    # Once restored, it is no longer listed as deleted.
    assertNotContains(
        staff_client.get(DELETED_URL),
        '<th scope="row">Forum des métiers de Longuenesse</th>',
        html=True,
    )


def test_a_line_deleted_long_before_the_event_stays_deleted(staff_client):
    event = AwarenessEventFactory()
    kept = AudienceCountFactory(event=event, people=12)
    removed_by_hand = AudienceCountFactory(event=event, people=99)
    removed_pk = removed_by_hand.pk
    removed_by_hand.delete()
    # Recorded an hour earlier than the event's deletion, in the order they were made.
    for records, minutes in [
        (AwarenessEvent.history.filter(id=event.pk), 0),
        (AudienceCount.history.filter(history_type="+"), 1),
        (AudienceCount.history.filter(id=removed_pk, history_type="-"), 2),
    ]:
        records.update(history_date=EARLIER + datetime.timedelta(minutes=minutes))
    pk = event.pk
    event.delete()

    staff_client.post(restore_url(pk))

    assert list(AudienceCount.objects.filter(event_id=pk).values_list("pk", flat=True)) == [kept.pk]


def test_restoring_needs_a_post(staff_client, deleted_event):
    assert staff_client.get(restore_url(deleted_event)).status_code == 405
    assert not AwarenessEvent.objects.filter(pk=deleted_event).exists()


def test_an_event_restored_already_is_not_restored_twice(staff_client, deleted_event):
    url = restore_url(deleted_event)
    staff_client.post(url, follow=True)

    response = staff_client.post(url)

    assert response.status_code == 302
    assert messages_of(response) == [
        "Cette action vient d'être restaurée par quelqu'un d'autre : rien n'a été fait."
    ]
    assert AwarenessEvent.objects.filter(pk=deleted_event).count() == 1
    assert AudienceCount.objects.filter(event_id=deleted_event).count() == 2


@pytest.mark.parametrize("group", [access.MANAGERS, access.PARTNERS])
def test_only_territory_staff_see_and_restore_deleted_events(client, deleted_event, group):
    client.force_login(user_in_group(group, "quelquun"))

    assert client.get(DELETED_URL).status_code == 403
    assert client.post(restore_url(deleted_event)).status_code == 403
    assert not AwarenessEvent.objects.filter(pk=deleted_event).exists()


def test_only_the_latest_deletion_is_listed_and_it_brings_back_the_latest_counts(
    staff_client, deleted_event
):
    staff_client.post(restore_url(deleted_event))
    event = AwarenessEvent.objects.get(pk=deleted_event)
    line = event.counts.get(people=40)
    line.people, line.women = 45, 27
    line.save()
    event.title = "Forum des métiers de Longuenesse, recompté"
    event.save()
    event.delete()
    latest, older = AwarenessEvent.history.filter(id=deleted_event, history_type="-")

    listing = staff_client.get(DELETED_URL)

    assert [record.history_id for record in listing.context["records"]] == [latest.history_id]
    assertContains(listing, ">Restaurer</button>", count=1)
    # The older deletion's address, kept in a page left open, restores nothing.
    older_url = reverse("admin:indicators_awarenessevent_restore", args=[older.history_id])
    response = staff_client.post(older_url)
    assert messages_of(response) == [workflow.NOT_THE_LATEST_DELETION]
    assert not AwarenessEvent.objects.filter(pk=deleted_event).exists()

    staff_client.post(restore_url(deleted_event))

    event = AwarenessEvent.objects.get(pk=deleted_event)
    assert event.title == "Forum des métiers de Longuenesse, recompté"
    assert sorted(event.counts.values_list("people", "women")) == [(6, None), (45, 27)]
    assert store.days_that_differ() == []


def test_a_restored_event_makes_a_form_left_open_before_its_deletion_stale(
    staff_client, deleted_event
):
    version_when_deleted = AwarenessEvent.history.get(id=deleted_event, history_type="-").version

    staff_client.post(restore_url(deleted_event))

    assert AwarenessEvent.objects.get(pk=deleted_event).version == version_when_deleted + 1


@pytest.mark.parametrize(
    ("deleted", "missing"),
    [
        pytest.param("organizer", "l'organisateur « Arc France »", id="organizer"),
        pytest.param("co_organizer", "le co-organisateur « CORIF »", id="co-organizer"),
        pytest.param("initiative", "l'initiative « Réseau Verr'Elles »", id="initiative"),
    ],
)
def test_an_event_whose_partner_was_deleted_since_is_not_restored(staff_client, deleted, missing):
    corif = PartnerFactory(name="CORIF")
    event = AwarenessEventFactory(
        organizer=PartnerFactory(name="Arc France"),
        initiative__title="Réseau Verr'Elles",
        co_organizers=[corif],
    )
    AudienceCountFactory(event=event, people=40, women=25)
    pk, organizer, initiative = event.pk, event.organizer, event.initiative
    event.delete()
    {"organizer": organizer, "co_organizer": corif, "initiative": initiative}[deleted].delete()

    response = staff_client.post(restore_url(pk))

    assert (response.status_code, response.url) == (302, DELETED_URL)
    assert messages_of(response) == [workflow.missing_message([missing])]
    assert not AwarenessEvent.objects.filter(pk=pk).exists()
    assert not AudienceCount.objects.filter(event_id=pk).exists()


def test_an_event_whose_audience_was_deleted_since_is_not_restored(staff_client, deleted_event):
    audience = AudienceCount.history.get(
        event_id=deleted_event, people=6, history_type="+"
    ).audience
    audience_pk = audience.pk
    audience.delete()

    response = staff_client.post(restore_url(deleted_event))

    assert messages_of(response) == [workflow.missing_message([f"le public n° {audience_pk}"])]
    assert not AwarenessEvent.objects.filter(pk=deleted_event).exists()

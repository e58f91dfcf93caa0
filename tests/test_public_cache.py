"""The public pages' cache is emptied once per transaction, after it commits: a
page rendered while a save is in flight is not kept once the save is committed, and
a transaction rolled back empties nothing."""

import datetime
import threading

import pytest
from django.db import connection, connections, transaction
from django.urls import reverse

from indicators.models import AudienceCount
from tests.cache_backends import CountingVersionWrites
from tests.indicators.admin_forms import form_data
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import ActionPlanFactory, AudienceFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory
from tests.territories.factories import TerritoryFactory

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent transactions: this test runs in the PostgreSQL half of the suite",
)


@pytest.fixture
def version_writes(settings):
    """How many times the pages' version has been written since the test began."""
    settings.CACHES = {
        "default": {"BACKEND": "tests.cache_backends.CountingVersionWrites", "LOCATION": "counted"}
    }
    CountingVersionWrites.version_writes = 0
    return lambda: CountingVersionWrites.version_writes


@pytest.fixture
def event():
    """A validated event of the current plan, with two count lines."""
    plan = ActionPlanFactory(start_date=datetime.date(2024, 1, 1))
    event = AwarenessEventFactory(initiative=InitiativeFactory(plan=plan))
    AudienceCountFactory(event=event, people=40, women=20)
    AudienceCountFactory(event=event, people=10, women=5)
    return event


def people_on_the_dashboard(client):
    html = client.get(reverse("home")).content.decode()
    start = html.index('data-figure="people">') + len('data-figure="people">')
    return html[start : html.index("<", start)]


@pytest.mark.django_db(transaction=True)  # the admin's transaction commits, as in production
def test_an_admin_save_of_an_event_and_its_lines_replaces_the_version_once(
    admin_client, event, version_writes
):
    change_url = reverse("admin:indicators_awarenessevent_change", args=[event.pk])
    co_organizer = PartnerFactory(name="CAPSO")
    new_audience = AudienceFactory()
    # The title, a line changed, one deleted, one added, and a co-organiser.
    data = form_data(
        admin_client.get(change_url),
        title="Forum des métiers",
        co_organizers=[co_organizer.pk],
        change_reason="Comptage corrigé",
        **{
            "counts-0-people": 45,
            "counts-1-DELETE": "on",
            "counts-2-audience": new_audience.pk,
            "counts-2-people": 8,
            "counts-2-women": 3,
        },
    )
    writes_before = version_writes()

    response = admin_client.post(change_url, data)

    assert response.status_code == 302
    assert sorted(AudienceCount.objects.values_list("people", flat=True)) == [8, 45]
    assert list(event.co_organizers.all()) == [co_organizer]
    assert version_writes() - writes_before == 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_empties_nothing_and_the_next_commit_empties_once(version_writes):
    TerritoryFactory()  # the partner's

    def writes():
        return version_writes() - before

    before = version_writes()
    partner = PartnerFactory()
    assert writes() == 1  # outside a transaction: at once

    with pytest.raises(RuntimeError), transaction.atomic():
        partner.save()
        raise RuntimeError("the request failed after the save")
    with transaction.atomic():
        try:
            with transaction.atomic():
                partner.save()
                raise RuntimeError("a savepoint rolled back")
        except RuntimeError:
            pass
    assert writes() == 1

    with transaction.atomic():
        partner.save()
        assert writes() == 1  # not before the commit
        PartnerFactory()
        partner.delete()
    assert writes() == 2


ROUNDS = 5


def save_then_wait(line, people, saved, rendered, errors):
    """Saves `line` in a transaction that commits only once `rendered` is set, in
    this thread's own connection."""
    try:
        with transaction.atomic():
            line.people = people
            line.save()
            saved.set()
            assert rendered.wait(timeout=10), "the page was never rendered"
    except BaseException as error:
        errors.append(error)
        saved.set()
    finally:
        connections.close_all()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_page_rendered_while_a_save_is_in_flight_is_not_kept_after_the_commit(client, event):
    line = event.counts.get(people=40)
    errors = []

    for round_ in range(ROUNDS):
        before = 50 + round_
        saved, rendered = threading.Event(), threading.Event()
        writer = threading.Thread(
            target=save_then_wait, args=(line, 40 + round_ + 1, saved, rendered, errors)
        )
        writer.start()
        assert saved.wait(timeout=10)
        during = people_on_the_dashboard(client)
        rendered.set()
        writer.join()
        assert errors == []

        assert (during, people_on_the_dashboard(client)) == (str(before), str(before + 1))

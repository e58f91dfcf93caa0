"""Two people writing the same event at the same instant, for real: two threads,
each with its own PostgreSQL connection, released together by a barrier, round
after round. Exactly one write wins, the other is told in French and changes
nothing, and the stored figures stay equal to the lines."""

import functools

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from feminisation import access
from indicators import workflow
from indicators.enums import EventStatus
from indicators.figures import store
from indicators.models import AudienceCount, AwarenessEvent, DailyFigures
from tests import concurrency
from tests.indicators.accounts import user_in
from tests.indicators.admin_forms import form_data
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import AudienceFactory
from tests.partners.factories import PartnerFactory

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent transactions: this test runs in the PostgreSQL half of the suite",
    ),
    # Committed for real, as in production: each thread sees the others' commits.
    pytest.mark.django_db(transaction=True),
]

ROUNDS = 4
CHANGELIST_URL = reverse("admin:indicators_awarenessevent_changelist")


def change_url(event):
    return reverse("admin:indicators_awarenessevent_change", args=[event.pk])


def restore_url(record):
    return reverse("admin:indicators_awarenessevent_restore", args=[record.history_id])


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def at_once(*posts):
    """Each post, (client, url, data), made at the same instant: their responses, or
    the exception each raised."""
    return concurrency.at_once(
        *(functools.partial(client.post, url, data) for client, url, data in posts)
    )


def messages_of(response):
    # Each round logs in afresh: no message is left from the round before.
    return [str(message) for message in get_messages(response.wsgi_request)]


def assert_figures_equal_the_lines(event):
    assert store.days_that_differ() == []
    # The day's rows, every audience's.
    stored = DailyFigures.objects.filter(date=event.date).aggregate(people=Sum("people"))
    lines = AudienceCount.objects.filter(event__date=event.date).aggregate(people=Sum("people"))
    assert stored == lines


def test_a_partner_correcting_and_a_validator_validating_at_once_never_mix():
    organizer = PartnerFactory(name="Arc France")
    claire = user_in(access.PARTNERS, "claire", organisations=[organizer])
    sophie = user_in(access.TERRITORY_STAFF, "sophie")
    audience = AudienceFactory(short_name="Collégiennes")
    for round_ in range(ROUNDS):
        partner, validator = logged_in(claire), logged_in(sophie)
        event = AwarenessEventFactory(
            title="Forum des métiers", organizer=organizer, submitted=True
        )
        AudienceCountFactory(event=event, audience=audience, people=120, women=64)
        correction = form_data(
            partner.get(change_url(event)),
            title=f"Forum des métiers, corrigé ({round_})",
            **{"counts-0-people": 125, "counts-0-women": 66},
        )
        validation = form_data(validator.get(change_url(event)), status=EventStatus.VALIDATED)

        corrected, validated = at_once(
            (partner, change_url(event), correction),
            (validator, change_url(event), validation),
        )

        assert not isinstance(corrected, Exception), corrected
        assert not isinstance(validated, Exception), validated
        saved = [
            response
            for response in (corrected, validated)
            if response.status_code == 302 and response.url == CHANGELIST_URL
        ]
        refused = [
            response
            for response in (corrected, validated)
            if response.status_code == 302 and response.url == change_url(event)
        ]
        # Exactly one save, and the other told so with what changed.
        assert (len(saved), len(refused)) == (1, 1)
        [message] = messages_of(refused[0])
        assert escape(workflow.EDIT_CONFLICT) in message
        event.refresh_from_db()
        counts = list(event.counts.values_list("people", "women"))
        if saved[0] is validated:
            # Validated with exactly what its validator saw; the correction waits.
            assert (event.status, event.title, counts) == (
                EventStatus.VALIDATED,
                "Forum des métiers",
                [(120, 64)],
            )
        else:
            # The correction kept whole, and not validated behind the validator's back.
            assert (event.status, event.title, counts) == (
                EventStatus.SUBMITTED,
                f"Forum des métiers, corrigé ({round_})",
                [(125, 66)],
            )
        assert event.version == 2
        assert_figures_equal_the_lines(event)


def test_two_people_saving_the_same_event_at_once_lose_nothing():
    sophie = user_in(access.TERRITORY_STAFF, "sophie")
    malik = user_in(access.TERRITORY_STAFF, "malik")
    audience = AudienceFactory(short_name="Collégiennes")
    for round_ in range(ROUNDS):
        first, second = logged_in(sophie), logged_in(malik)
        event = AwarenessEventFactory(title="Forum des métiers")
        AudienceCountFactory(event=event, audience=audience, people=120, women=64)
        by_first = form_data(
            first.get(change_url(event)), title=f"Titre de Sophie ({round_})", notes=""
        )
        by_second = form_data(
            second.get(change_url(event)), **{"counts-0-people": 130, "counts-0-women": 70}
        )

        responses = at_once(
            (first, change_url(event), by_first),
            (second, change_url(event), by_second),
        )

        assert not any(isinstance(response, Exception) for response in responses), responses
        winners = [response.url == CHANGELIST_URL for response in responses]
        assert sorted(winners) == [False, True]
        event.refresh_from_db()
        title_and_counts = (event.title, list(event.counts.values_list("people", "women")))
        if winners[0]:
            assert title_and_counts == (f"Titre de Sophie ({round_})", [(120, 64)])
        else:
            assert title_and_counts == ("Forum des métiers", [(130, 70)])
        assert event.version == 2
        assert event.history.count() == 2
        assert_figures_equal_the_lines(event)


def test_two_restores_of_the_same_event_at_once_restore_it_once():
    sophie = user_in(access.TERRITORY_STAFF, "sophie")
    malik = user_in(access.TERRITORY_STAFF, "malik")
    for _ in range(ROUNDS):
        first, second = logged_in(sophie), logged_in(malik)
        event = AwarenessEventFactory(co_organizers=[PartnerFactory()])
        AudienceCountFactory(event=event, people=40, women=25)
        AudienceCountFactory(event=event, people=6, women=None)
        pk = event.pk
        event.delete()
        record = AwarenessEvent.history.get(id=pk, history_type="-")

        responses = at_once(
            (first, restore_url(record), {}),
            (second, restore_url(record), {}),
        )

        assert not any(isinstance(response, Exception) for response in responses), responses
        assert [response.status_code for response in responses] == [302, 302]
        said = sorted(message for response in responses for message in messages_of(response))
        assert len(said) == 2
        assert said[0] == workflow.RESTORE_CONFLICT
        assert said[1].startswith("L'action « ")
        assert AwarenessEvent.objects.filter(pk=pk).count() == 1
        assert sorted(
            AudienceCount.objects.filter(event_id=pk).values_list("people", flat=True)
        ) == [6, 40]
        assert AwarenessEvent.objects.get(pk=pk).co_organizers.count() == 1
        assert store.days_that_differ() == []

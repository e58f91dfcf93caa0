"""The date the open data says its figures were last updated: that of the last
change to a validated action of the plan, whatever else is written."""

import datetime
import json
from contextlib import contextmanager
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from feminisation import formatting
from indicators import workflow
from indicators.enums import EventStatus
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import InitiativeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def at(django_capture_on_commit_callbacks):
    """`with at(2026, 3, 2, 9, 15):` writes at that local time, and commits (which
    tells the public pages' cache)."""

    @contextmanager
    def writing_at(*when):
        moment = timezone.make_aware(datetime.datetime(*when))
        with (
            django_capture_on_commit_callbacks(execute=True),
            mock.patch("django.utils.timezone.now", return_value=moment),
        ):
            yield

    return writing_at


def updated_shown(client):
    """The date the open data page shows, and the JSON's."""
    page = client.get(reverse("open_data"))
    data = json.loads(client.get(reverse("open_counts_json")).content)
    return page, data["mis_a_jour_le"]


def test_the_open_data_says_when_a_validated_action_last_changed(client, plan, at):
    initiative = InitiativeFactory(plan=plan)
    with at(2026, 3, 2, 9, 15):
        event = AwarenessEventFactory(initiative=initiative)
        AudienceCountFactory(event=event, people=40)
    with at(2026, 3, 4, 17, 40):  # later, a draft: the public figures do not move
        AudienceCountFactory(event=AwarenessEventFactory(initiative=initiative, draft=True))

    page, updated = updated_shown(client)

    assertContains(
        page,
        '<p class="updated">Chiffres mis à jour le '
        '<time datetime="2026-03-02T09:15:00+01:00">2 mars 2026 à 9 h 15</time>.</p>',
        html=True,
    )
    assert updated == "2026-03-02T09:15:00+01:00"

    with at(2026, 5, 6, 8, 30):  # sent back to its organiser: it leaves the figures
        workflow.set_status(event, EventStatus.RETURNED, None, "À compléter")
        event.save()
    assert updated_shown(client)[1] == "2026-05-06T08:30:00+02:00"

    with at(2026, 5, 7, 10, 0):  # corrected as a draft: still nothing public
        event.title = "Intervention au lycée"
        event.status = EventStatus.DRAFT
        event.save()
    assert updated_shown(client)[1] == "2026-05-06T08:30:00+02:00"


def test_deleting_a_validated_action_moves_the_update_date_but_not_another_plans(client, plan, at):
    with at(2026, 1, 5, 14, 0):
        event = AwarenessEventFactory(initiative=InitiativeFactory(plan=plan))
    with at(2026, 1, 6, 14, 0):
        AwarenessEventFactory()  # another plan's
    assert updated_shown(client)[1] == "2026-01-05T14:00:00+01:00"

    with at(2026, 2, 1, 11, 5):
        event.delete()

    assert updated_shown(client)[1] == "2026-02-01T11:05:00+01:00"


def test_without_any_validated_action_there_is_no_update_date(client, plan):
    AwarenessEventFactory(initiative=InitiativeFactory(plan=plan), draft=True)

    page, updated = updated_shown(client)

    assert updated is None
    assert "mis à jour le" not in page.content.decode()


def test_the_update_time_is_written_in_french_in_local_time():
    late_in_utc = datetime.datetime(2026, 2, 28, 23, 5, tzinfo=datetime.UTC)

    assert formatting.moment(late_in_utc) == "1er mars 2026 à 0 h 05"

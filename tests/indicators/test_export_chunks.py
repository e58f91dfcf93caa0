"""The events export read a chunk of events at a time, in the order of the (date, id)
index (`indicators.exports.chunks`): the bytes of a single sorted query, in the same
order, whatever the chunks' size, on SQLite (the Python writer) and on PostgreSQL
(COPY); and one snapshot for the whole download, which a write made meanwhile does
not change."""

import datetime
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from feminisation import access
from indicators.enums import EventStatus
from indicators.exports import chunks, datasets, open_files, pg_copy, writer, xlsx
from indicators.figures import store, tables
from indicators.figures.scope import Scope
from indicators.models import AwarenessEvent
from tests.concurrency import all_succeeded, at_once
from tests.indicators.accounts import user_in
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import AudienceFactory
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a snapshot across queries is PostgreSQL's REPEATABLE READ: the PostgreSQL half",
)

ALL = tuple(EventStatus.values)
DAY = datetime.date(2025, 3, 1)


@pytest.fixture
def crowded(world, plan):
    """The conftest's world, plus events that share their date (so that chunks end
    in the middle of a day), created out of date order, with up to three lines (two
    of the same rank, the name settling their order), co-organisers, or no line."""
    with store.collecting():
        return _crowded(world)


def _crowded(world):
    girls, prescribers = world["filles"], world["prescripteurs"]
    parents = AudienceFactory(name="Parents", order=girls.order)  # the rank of the girls
    partners = [PartnerFactory(name=name) for name in ("Zéphyr", "Alpha", "Méca")]
    dates = [DAY, DAY + datetime.timedelta(days=1), DAY, DAY - datetime.timedelta(days=1), DAY]
    dates += [DAY + datetime.timedelta(days=1), DAY, DAY, DAY - datetime.timedelta(days=400)]
    for number, date in enumerate(dates):
        event = AwarenessEventFactory(
            initiative=world["corif"] if number % 2 else world["verrelles"],
            date=date,
            status=ALL[number % len(ALL)],
            title=f"Action {number}",
            co_organizers=partners[: number % 4],
        )
        for audience in [girls, parents, prescribers][: number % 4]:
            AudienceCountFactory(event=event, audience=audience, people=10 + number, women=number)
    return {**world, "parents": parents}


def reference(plan, dialect, audience=None):
    """The file of a single sorted query: the Python writer's `event_rows`."""
    events = Scope(plan, statuses=ALL, audience=audience).events()
    rows = datasets.event_rows(events, audience)
    return "".join(writer.lines(datasets.EVENT_COLUMNS, rows, dialect)).encode()


def download(response):
    assert response.status_code == 200, response.content[:300]
    return b"".join(response.streaming_content)


def chunk_sizes(monkeypatch, first, largest):
    monkeypatch.setattr(chunks, "FIRST_EVENTS", first)
    monkeypatch.setattr(chunks, "MAX_EVENTS", largest)


@pytest.mark.parametrize(("first", "largest"), [(1, 1), (2, 3), (1000, 16_000)])
def test_the_chunks_give_the_bytes_of_a_single_sorted_query(
    client, plan, crowded, monkeypatch, first, largest
):
    chunk_sizes(monkeypatch, first, largest)
    client.force_login(user_in(access.MANAGERS, "responsable"))
    for key, dialect in writer.DIALECTS.items():
        query = {"statut": "toutes", "format": key}

        assert download(client.get(reverse("export_events"), query)) == reference(plan, dialect)
        assert download(
            client.get(reverse("export_events"), {**query, "public": "filles"})
        ) == reference(plan, dialect, crowded["filles"])


def test_the_chunks_follow_the_index_each_twice_the_last(plan, crowded, monkeypatch):
    """The plan's 15 events: chunks of 2, 4, 4, 4, then the last one; two queries a
    chunk."""
    chunk_sizes(monkeypatch, 2, 4)
    events = Scope(plan, statuses=ALL).events()
    in_order = list(events.order_by("date", "pk").values_list("pk", flat=True))

    with CaptureQueriesContext(connection) as queries:
        parts = [
            list(part.order_by("date", "pk").values_list("pk", flat=True))
            for part in chunks.chunks(events)
        ]

    assert [len(part) for part in parts] == [2, 4, 4, 4, 1]
    assert [pk for part in parts for pk in part] == in_order
    assert len(queries.captured_queries) == 2 * len(parts)


def test_one_copy_a_chunk(client, crowded, monkeypatch):
    chunk_sizes(monkeypatch, 2, 4)
    client.force_login(user_in(access.MANAGERS, "responsable"))

    with CaptureQueriesContext(connection) as queries:
        download(client.get(reverse("export_events"), {"statut": "toutes"}))

    copies = [q for q in queries.captured_queries if q["sql"].startswith("COPY (")]
    assert len(copies) == (5 if connection.vendor == "postgresql" else 0)


@pytest.mark.parametrize(("first", "largest"), [(1, 1), (2, 3)])
def test_the_open_data_file_of_actions_is_that_of_a_single_sorted_query(
    client, plan, crowded, monkeypatch, first, largest
):
    """Read a few days at a time: a day is never split, and the days follow each
    other."""
    chunk_sizes(monkeypatch, first, largest)
    for key, dialect in writer.DIALECTS.items():
        rows = tables.public_event_rows(Scope(plan))
        expected = "".join(writer.lines(open_files.EVENT_FIELDS, rows, dialect)).encode()

        assert download(client.get(reverse("open_events_csv"), {"format": key})) == expected
        assert expected.count(b"Action") == 2  # the validated ones among them


def _sheet_cells(content):
    book = openpyxl.load_workbook(io.BytesIO(content))
    return list(book.worksheets[0].iter_rows(values_only=True))


def test_the_workbook_has_the_cells_of_a_single_sorted_query(client, plan, crowded, monkeypatch):
    chunk_sizes(monkeypatch, 1, 2)
    client.force_login(user_in(access.MANAGERS, "responsable"))
    response = client.get(reverse("export_events"), {"statut": "toutes", "format": "xlsx"})
    assert response.status_code == 200
    events = Scope(plan, statuses=ALL).events()
    expected = io.BytesIO()
    about = xlsx.About(sheet="Actions", title="Actions", extracted_at=timezone.now())
    xlsx.write(expected, datasets.EVENT_COLUMNS, datasets.event_rows(events), about)

    cells = _sheet_cells(b"".join(response.streaming_content))

    assert cells == _sheet_cells(expected.getvalue())
    assert len(cells) > 12


@pytest.mark.skipif(
    connection.vendor == "postgresql",
    reason="test_export_copy's test_a_download_stopped_half_way_… checks it on PostgreSQL",
)
@pytest.mark.django_db(transaction=True)  # autocommit, as in production
def test_a_download_stopped_half_way_ends_its_transaction(client, crowded, monkeypatch):
    chunk_sizes(monkeypatch, 1, 1)
    monkeypatch.setattr(pg_copy, "BLOCK_ROWS", 1)
    # Not a group's member: a transactional test may run after another has emptied
    # the groups that migrations create.
    client.force_login(get_user_model().objects.create_superuser("equipe"))
    response = client.get(reverse("export_events"), {"statut": "toutes", "format": "csv"})
    blocks = iter(response.streaming_content)
    next(blocks), next(blocks), next(blocks)  # the header, two rows: within the snapshot
    assert connection.in_atomic_block

    response.close()  # as the server does when the client goes away

    assert not connection.in_atomic_block
    # Writable again: the download's transaction was read-only.
    assert AwarenessEvent.objects.filter(title="Action 0").update(title="Action zéro") == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_an_event_saved_during_a_download_is_in_it_once_as_it_was(client, plan, crowded):
    """Between two chunks, another connection moves a sent event after the others,
    an event still to send before the first, deletes one still to send and adds
    one: read chunk by chunk without a snapshot, the first would come twice and the
    others be lost or added. The download is the file of its first instant."""
    events = AwarenessEvent.objects.for_plan(plan).order_by("date", "pk")
    first, *_, to_move, to_delete, last = list(events)
    client.force_login(get_user_model().objects.create_superuser("equipe"))
    query = {"statut": "toutes", "format": "csv"}
    before = download(client.get(reverse("export_events"), query))

    def write():
        later = last.date + datetime.timedelta(days=30)
        AwarenessEvent.objects.filter(pk=first.pk).update(date=later, title="Déplacée après")
        earlier = first.date - datetime.timedelta(days=30)
        AwarenessEvent.objects.filter(pk=to_move.pk).update(date=earlier, title="Déplacée avant")
        AwarenessEvent.objects.filter(pk=to_delete.pk).delete()
        AwarenessEventFactory(initiative=crowded["verrelles"], date=later, title="Nouvelle")

    with pytest.MonkeyPatch.context() as patch:
        chunk_sizes(patch, 2, 2)
        response = client.get(reverse("export_events"), query)
        blocks = iter(response.streaming_content)
        sent = [next(blocks), next(blocks)]  # the header, the first chunk's rows
        all_succeeded(at_once(write))
        sent += list(blocks)
    response.close()

    assert b"".join(sent) == before
    after = download(client.get(reverse("export_events"), query))
    assert after != before
    for title in (b"D\xc3\xa9plac\xc3\xa9e apr\xc3\xa8s", b"D\xc3\xa9plac\xc3\xa9e avant"):
        assert after.count(title) == 1
        assert title not in before

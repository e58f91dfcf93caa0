"""On PostgreSQL the events export is written by COPY: the very bytes of the Python
writer (`writer`, the reference and SQLite's path), for every dialect, filter
and kind of text. The suite also runs on PostgreSQL, so the tests that need it are
skipped on SQLite only."""

import csv
import datetime
import io
import itertools
import re
import zipfile

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg.pq import TransactionStatus

from feminisation import access
from indicators.enums import EventFormat, EventStatus
from indicators.exports import datasets, pg_copy, writer, xlsx, xlsx_copy
from indicators.figures import store
from indicators.models import AwarenessEvent
from tests.indicators.accounts import user_in
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import AudienceFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="COPY is PostgreSQL's: this test runs in the PostgreSQL half of the suite",
)

DIALECTS = [writer.EXCEL_FR, writer.STANDARD]

# Everything that a CSV writer, a spreadsheet or COPY treats apart.
TRICKY = [
    "guillemets \"doubles\" et 'simples'",
    "point-virgule ; et virgule , ensemble",
    "retour\nà la ligne",
    "retour chariot\rseul",
    "fin de ligne Windows\r\n",
    "\ttabulation en tête",
    "\rretour chariot en tête",
    "au milieu\td'une tabulation",
    "=SOMME(A1:A3)",
    "+33 3 21 00 00 00",
    "-10 %",
    "@cellule",
    "'déjà une apostrophe",
    "accents éèêàçÉ œ ß",
    "emoji 👩\u200d🔧🏭",
    "",
    " espaces autour ",
    "\\.",
    "barre \\ oblique \\n littérale \\\\",
    '"',
    ";",
    "\b\f\v contrôles",
    "séparateur \x1f1 d'unité \x1f0\r\x1f",
    "%s %(nom)s %%",
    '=1;"2",\r\n3',
    # Formulas behind spaces, invisible characters or a line break (NUL aside:
    # PostgreSQL's text never holds it).
    " =SOMME(A1:A3)",
    "\r@SOMME(1+1)",
    "\x01=1+1",
    "\xa0+33",
    "\u200b=1+1",
    "titre\r@SOMME(1+1)*cmd|' /C calc'!A0",
    # What XML escapes, or a workbook reads as an escape.
    "<b>chevrons</b> & esperluette &amp;",
    "_x000D_ déjà comme Excel l'écrit",
]


def python_bytes(events, dialect, audience=None):
    rows = datasets.event_rows(events, audience)
    return "".join(writer.lines(datasets.EVENT_COLUMNS, rows, dialect)).encode()


def copy_bytes(events, dialect, audience=None):
    source = datasets.event_copy_source(events, audience)
    return b"".join(pg_copy.lines(datasets.EVENT_COLUMNS, [source], dialect, events.db))


def download(response):
    assert response.status_code == 200, response.content[:300]
    assert response.streaming
    return b"".join(response.streaming_content)


def copies(queries):
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith("COPY (")]


@pytest.fixture
def tricky(world, plan):
    """The conftest's world, plus events whose every text is tricky, of every
    status and format, with and without lines, co-organisers and editor."""
    with store.collecting():
        return _tricky(world, plan)


def _tricky(world, plan):
    editor = get_user_model().objects.create_user('=ed"i;t,eur\n')
    partners = [
        PartnerFactory(name=name, slug=f"tricky-{number}") for number, name in enumerate(TRICKY)
    ]
    initiative = InitiativeFactory(plan=plan, title='=Initiative "piégée";\r\n', slug="piegee")
    audiences = [
        world["filles"],
        world["prescripteurs"],
        # Same rank as the girls: the name settles the order.
        AudienceFactory(name="-Parents ; tuteurs", order=world["filles"].order),
        AudienceFactory(name='Enseignants "PP"\n', order=99),
    ]
    formats, statuses = list(EventFormat), list(EventStatus)
    for number, text in enumerate(TRICKY):
        event = AwarenessEventFactory(
            initiative=initiative if number % 3 else world["verrelles"],
            date=datetime.date(2024 + number % 2, 1 + number % 12, 1 + number % 28),
            title=text,
            venue_name=TRICKY[-1 - number],
            commune=TRICKY[(number * 7) % len(TRICKY)],
            format=formats[number % len(formats)],
            status=statuses[number % len(statuses)],
            organizer=partners[number],
            co_organizers=partners[number + 1 : number + 1 + number % 4],
            updated_by=editor if number % 2 else None,
        )
        for audience in audiences[: number % 5]:
            women = None if number % 3 == 0 else number
            AudienceCountFactory(event=event, audience=audience, people=number + 5, women=women)
    # Winter and summer time, and the minute before midnight in Paris.
    stamps = [
        datetime.datetime(2025, 1, 15, 22, 59, tzinfo=datetime.UTC),
        datetime.datetime(2025, 7, 15, 21, 59, tzinfo=datetime.UTC),
        datetime.datetime(2025, 3, 30, 1, 30, tzinfo=datetime.UTC),
    ]
    for number, pk in enumerate(AwarenessEvent.objects.order_by("pk").values_list("pk", flat=True)):
        AwarenessEvent.objects.filter(pk=pk).update(updated_at=stamps[number % len(stamps)])
    return {**world, "partners": partners, "initiative": initiative, "audiences": audiences}


def test_the_invisible_characters_below_127_are_the_controls_and_the_space():
    """What the SQL of the formula guard takes for granted."""
    assert {char for char in writer.INVISIBLE if ord(char) < 127} == {chr(c) for c in range(33)}


def test_lines_end_as_the_dialect_says_and_line_breaks_in_cells_stay():
    block = pg_copy._block([b'a,"b\rc"\n', b"d\n"], writer.STANDARD)
    assert block == b'a,"b\rc"\nd\n'
    block = pg_copy._block([b'a;"b\nc"\n', b"d\n"], writer.EXCEL_FR)
    assert block == b'a;"b\nc"\r\nd\r\n'


def test_the_view_uses_copy_on_postgresql_only(client, world):
    client.force_login(user_in(access.MANAGERS, "responsable"))

    with CaptureQueriesContext(connection) as queries:
        download(client.get(reverse("export_events")))

    assert bool(copies(queries)) == (connection.vendor == "postgresql")


def test_the_audience_filter_keeps_that_audiences_lines(client, world):
    """On both databases (the Python writer's join once referred to a table it had
    not joined yet)."""
    client.force_login(user_in(access.MANAGERS, "responsable"))
    text = download(client.get(reverse("export_events"), {"public": "filles", "format": "csv"}))
    rows = list(csv.reader(io.StringIO(text.decode(), newline="")))
    audience, people = rows[0].index("public"), rows[0].index("personnes")

    assert {row[audience] for row in rows[1:]} == {world["filles"].name}
    assert [int(row[people]) for row in rows[1:]] == [20, 30, 10]


@postgresql_only
@pytest.mark.parametrize("dialect", DIALECTS, ids=lambda d: d.key)
def test_copy_writes_the_python_writers_bytes(tricky, dialect):
    events = AwarenessEvent.objects.all()
    expected = python_bytes(events, dialect)

    assert copy_bytes(events, dialect) == expected
    assert expected.count(dialect.lineterminator.encode()) > len(TRICKY)
    for audience in tricky["audiences"]:
        assert copy_bytes(events, dialect, audience) == python_bytes(events, dialect, audience)


# A cell that a spreadsheet could run: a formula sign behind nothing but spaces and
# invisible characters (written apart from `writer`, whose guard it checks).
RUNNABLE = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060\ufeff]*[=+\-@]")


@postgresql_only
def test_no_cell_runs_as_a_formula_and_line_breaks_stay_in_quoted_cells(tricky):
    events = AwarenessEvent.objects.all()
    rows = len(list(datasets.event_rows(events)))

    for dialect, path in itertools.product(DIALECTS, [python_bytes, copy_bytes]):
        text = path(events, dialect).decode().removeprefix("\ufeff")
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=dialect.delimiter))
        assert len(records) == 1 + rows, (dialect.key, path.__name__)
        runnable = [cell for record in records[1:] for cell in record if RUNNABLE.match(cell)]
        assert runnable == [], (dialect.key, path.__name__)
        # Read line by line, no line that starts outside a quoted cell starts a formula.
        for line_break in re.finditer(r"(\r\n|\r|\n)(?=[=+\-@])", text):
            assert text[: line_break.start()].count('"') % 2 == 1, (dialect.key, path.__name__)


@postgresql_only
@pytest.mark.parametrize(
    "query",
    [
        {},
        {"statut": "toutes"},
        {"statut": "brouillon"},
        {"statut": "a_corriger", "annee": "2024"},
        {"statut": "toutes", "du": "2024-03-01", "au": "2025-02-28"},
        {"statut": "toutes", "du": "2025-01-01"},
        {"statut": "toutes", "initiative": "piegee"},
        {"statut": "toutes", "public": "filles"},
        {"statut": "toutes", "organisateur": "tricky-2"},
        {"statut": "toutes", "initiative": "piegee", "public": "prescripteurs", "annee": "2024"},
        {"annee": "2025", "organisateur": "tricky-4", "public": "filles"},
    ],
)
def test_the_view_streams_the_same_bytes_from_copy(client, tricky, monkeypatch, query):
    client.force_login(user_in(access.MANAGERS, "responsable"))
    # Both dialects over the same events: the events take longer to create than the
    # downloads.
    for dialect, start in (("excel", b"\xef\xbb\xbfdate;"), ("csv", b"date,")):
        dialect_query = {**query, "format": dialect}
        with monkeypatch.context() as patch:
            with CaptureQueriesContext(connection) as queries:
                copied = download(client.get(reverse("export_events"), dialect_query))
            copy_statements = copies(queries)  # before the next request empties the log
            patch.setattr(pg_copy, "can_copy", lambda using: False)
            with CaptureQueriesContext(connection) as queries:
                written = download(client.get(reverse("export_events"), dialect_query))

        assert len(copy_statements) == 1, dialect
        assert not copies(queries), dialect
        assert copied == written, dialect
        assert copied.startswith(start), dialect


@postgresql_only
def test_the_admin_selection_is_copied_within_a_partners_own_events(client, tricky, monkeypatch):
    partner = tricky["partners"][3]
    client.force_login(user_in(access.PARTNERS, "partenaire", organisations=[partner]))
    everything = list(AwarenessEvent.objects.values_list("pk", flat=True))

    def export():
        response = client.post(
            reverse("admin:indicators_awarenessevent_changelist"),
            {"action": "export_selection", "_selected_action": everything},
        )
        return download(response)

    with CaptureQueriesContext(connection) as queries:
        copied = export()
    copy_statements = copies(queries)
    monkeypatch.setattr(pg_copy, "can_copy", lambda using: False)
    written = export()

    assert len(copy_statements) == 1
    assert copied == written
    everyones = python_bytes(AwarenessEvent.objects.all(), writer.EXCEL_FR)
    assert len(writer.header(datasets.EVENT_COLUMNS, writer.EXCEL_FR)) < len(copied)
    assert len(copied) < len(everyones)


@postgresql_only
@pytest.mark.django_db(transaction=True)  # autocommit, as in production
def test_a_download_stopped_half_way_leaves_the_connection_usable(client, tricky, monkeypatch):
    monkeypatch.setattr(pg_copy, "BLOCK_ROWS", 2)
    # Not a group's member: a transactional test may run after another has emptied
    # the groups that migrations create.
    client.force_login(get_user_model().objects.create_superuser("equipe"))
    response = client.get(reverse("export_events"), {"statut": "toutes"})
    blocks = iter(response.streaming_content)
    next(blocks), next(blocks)  # the header, two rows

    response.close()  # as the server does when the client goes away

    assert AwarenessEvent.objects.filter(status=EventStatus.DRAFT).exists()
    assert connection.connection.info.transaction_status == TransactionStatus.IDLE


# Any text PostgreSQL stores (no NUL, no lone surrogate), with the characters that
# matter made frequent.
TEXT = st.one_of(
    st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=30),
    st.text(st.sampled_from("=+-@\t\r\n\x1f01;,\"'\\. éà👩\xa0\u200b\x7f"), max_size=12),
    st.sampled_from(TRICKY),
)
EVENT = st.fixed_dictionaries(
    {
        "date": st.dates(min_value=datetime.date(1, 1, 1)),
        "updated_at": st.datetimes(
            min_value=datetime.datetime(1971, 1, 1),
            max_value=datetime.datetime(2099, 12, 31),
            timezones=st.just(datetime.UTC),
        ),
        "title": TEXT,
        "venue_name": TEXT,
        "commune": TEXT,
        "organizer": TEXT,
        "co_organizers": st.lists(TEXT, max_size=3),
        "lines": st.lists(
            st.tuples(st.integers(0, 3), st.integers(0, 10**6), st.booleans()), max_size=3
        ),
        "editor": st.one_of(st.none(), TEXT.filter(bool)),
    }
)


@postgresql_only
@settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    initiative_title=TEXT,
    audience_names=st.lists(TEXT, min_size=1, max_size=4, unique=True),
    events=st.lists(EVENT, min_size=1, max_size=3),
)
def test_any_text_gives_the_same_bytes(plan, initiative_title, audience_names, events):
    # Partner names are unique whatever their case: each gets a different ending.
    numbers = itertools.count()

    def unique(name):
        return f"{name} {next(numbers)}"

    with transaction.atomic():
        initiative = InitiativeFactory(plan=plan, title=initiative_title)
        audiences = [AudienceFactory(name=name, order=len(name) % 2) for name in audience_names]
        for number, fields in enumerate(events):
            editor = fields["editor"] and get_user_model().objects.create_user(
                f"{number}{fields['editor']}"
            )
            event = AwarenessEventFactory(
                initiative=initiative,
                date=fields["date"],
                title=fields["title"],
                venue_name=fields["venue_name"],
                commune=fields["commune"],
                organizer=PartnerFactory(name=unique(fields["organizer"])),
                co_organizers=[
                    PartnerFactory(name=unique(name)) for name in fields["co_organizers"]
                ],
                updated_by=editor or None,
            )
            AwarenessEvent.objects.filter(pk=event.pk).update(updated_at=fields["updated_at"])
            chosen = {audiences[index % len(audiences)]: line for index, *line in fields["lines"]}
            for audience, (people, known) in chosen.items():
                AudienceCountFactory(
                    event=event,
                    audience=audience,
                    people=people,
                    women=people // 2 if known else None,
                )

        all_events = AwarenessEvent.objects.all()
        for dialect in DIALECTS:
            assert copy_bytes(all_events, dialect) == python_bytes(all_events, dialect)
            assert copy_bytes(all_events, dialect, audiences[0]) == python_bytes(
                all_events, dialect, audiences[0]
            )
        transaction.set_rollback(True)


def workbook_cells(write, *args):
    """Every cell of a workbook's data sheet, as openpyxl reads them back. A text is
    read as openpyxl reads a shared string (without `x005F_`, which escapes a `_`
    that would start an escape such as `_x000D_`), whether it is one or the cell
    holds it: openpyxl reads the latter as written."""
    output = io.BytesIO()
    write(output, *args)
    book = openpyxl.load_workbook(output)
    rows = book.worksheets[0].iter_rows(values_only=True)
    unescaped = [[_unescaped(value) for value in row] for row in rows]
    return unescaped, book, output


def _unescaped(value):
    return value.replace("x005F_", "") if isinstance(value, str) else value


@postgresql_only
def test_copy_writes_the_cells_of_the_python_workbook(tricky, monkeypatch):
    events = AwarenessEvent.objects.all()
    about = xlsx.About(sheet="Actions", title="Actions", extracted_at=timezone.now())
    columns = datasets.EVENT_COLUMNS
    expected, _, _ = workbook_cells(xlsx.write, columns, datasets.event_rows(events), about)
    copied = (xlsx_copy.write, columns, [datasets.event_copy_source(events)], about, events.db)
    cells, book, output = workbook_cells(*copied)

    assert len(cells) > len(TRICKY)
    assert cells == expected
    data = book.worksheets[0]
    assert data.freeze_panes == "A2"
    assert data.auto_filter.ref == data.dimensions == f"A1:P{len(cells)}"  # from the cells
    assert data["A2"].number_format == "dd/mm/yyyy"
    assert data[f"N{len(cells)}"].number_format == "dd/mm/yyyy hh:mm"
    # A text that Excel would read as a line break escapes its first « _ ».
    shared = zipfile.ZipFile(output).read("xl/sharedStrings.xml").decode()
    assert "_x005F_x000D_ déjà comme Excel l'écrit" in shared
    for audience in tricky["audiences"]:
        assert (
            workbook_cells(
                xlsx_copy.write,
                columns,
                [datasets.event_copy_source(events, audience)],
                about,
                events.db,
            )[0]
            == workbook_cells(xlsx.write, columns, datasets.event_rows(events, audience), about)[0]
        )
    # Beyond so many shared strings, the new texts are written in their cells.
    monkeypatch.setattr(xlsx_copy, "SHARED_LIMIT", 5)
    assert workbook_cells(*copied)[0] == expected

"""Importing events from a spreadsheet in the admin: the formats Excel in French
writes, the preview before anything is saved, the errors of each line in French,
all or nothing, no duplicates on re-import, and a partner kept to its own
organisation's events."""

import csv
import datetime
import io

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DatabaseError
from django.db.models import F
from django.urls import reverse_lazy
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from feminisation.access import MANAGERS, PARTNERS, TERRITORY_STAFF
from feminisation.cache import VERSION_KEY
from indicators import credits
from indicators.enums import EventFormat, EventStatus
from indicators.imports import confirmation, writing
from indicators.models import AudienceCount, AwarenessEvent, ClosedYear, ImportPreview
from indicators.sheet import COLUMNS
from tests.indicators import accounts
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import ActionPlanFactory, AudienceFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory

# Every file names real communes: the import finds them among the official ones.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("communes")]

# Lazy, so that an admin without EventImportMixin fails these tests, not the
# collection of the whole suite.
IMPORT_URL = reverse_lazy("admin:indicators_awarenessevent_import")
TEMPLATE_URL = reverse_lazy("admin:indicators_awarenessevent_import_template")
CHANGELIST_URL = reverse_lazy("admin:indicators_awarenessevent_changelist")

HEADERS = [
    "date",
    "initiative",
    "intitulé",
    "format",
    "lieu",
    "commune",
    "organisateur",
    "co-organisateurs",
    "public",
    "personnes",
    "dont femmes",
]

# session, user, the user's and its groups' permissions, the import page's lists
# (current plan, its initiatives, the audiences)
PAGE_QUERIES = 7
# The page's, the partners for the organiser's drop-down list
TEMPLATE_QUERIES = 8
# The page's (the account's current plans read once for the page and the check),
# plus what the check reads once per file, whatever its length: the plan's
# initiatives held in it (Initiative.objects.held), initiatives of every plan,
# audiences, partners, the territory's communes, closed years, recorded events
CHECK_QUERIES = 14
# A valid file with new actions (those these tests keep) reads once more the
# recorded events that look like them (possible duplicates).
DUPLICATE_QUERIES = 1
# Then the expired files purged and the file kept for its confirmation, or (nothing to
# confirm) the account's pending file deleted with the expired ones.
KEEP_QUERIES = 2
DISCARD_QUERIES = 1


@pytest.fixture
def plan():
    return ActionPlanFactory(title="Plan mixité")


@pytest.fixture
def verrelles(plan):
    return InitiativeFactory(
        plan=plan, number=1, title="Réseau Verr'Elles", slug="reseau-verrelles"
    )


@pytest.fixture
def girls():
    return AudienceFactory(name="Filles", short_name="Filles", slug="filles")


@pytest.fixture
def prescribers():
    return AudienceFactory(
        name="Prescripteurs de formation et d'emploi",
        short_name="Prescripteurs",
        slug="prescripteurs",
    )


@pytest.fixture
def arc():
    return PartnerFactory(name="Arc France", slug="arc-france")


@pytest.fixture
def capital_filles():
    return PartnerFactory(name="Capital Filles", slug="capital-filles")


@pytest.fixture
def data(verrelles, girls, prescribers, arc, capital_filles):
    """The plan's data the rows name."""


def user_in(django_user_model, group, username, organisations=()):
    return accounts.user_in(group, username, organisations=organisations)


@pytest.fixture
def staff(django_user_model):
    return user_in(django_user_model, TERRITORY_STAFF, "equipe")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def partner_client(client, django_user_model, arc):
    client.force_login(user_in(django_user_model, PARTNERS, "verrelles", [arc]))
    return client


def row(**values):
    """A valid row of the Verr'Elles visit, with some values replaced."""
    return {
        "date": "14/03/2025",
        "initiative": "1",
        "intitulé": "Visite de la verrerie",
        "format": "Visite d'entreprise",
        "lieu": "Arc France",
        "commune": "Arques",
        "organisateur": "Arc France",
        "co-organisateurs": "",
        "public": "Filles",
        "personnes": "24",
        "dont femmes": "13",
        **values,
    }


TWO_EVENTS = [
    row(),
    row(public="Prescripteurs", personnes="6", **{"dont femmes": ""}),
    row(
        date="2025-04-02",
        intitulé="Intervention au Lycée Ribot",
        format="intervention_scolaire",
        lieu="Lycée Alexandre Ribot",
        commune="Saint-Omer",
        **{"co-organisateurs": "Capital Filles"},
    ),
]


def csv_file(rows, *, delimiter=",", encoding="utf-8", headers=HEADERS):
    stream = io.StringIO()
    writer = csv.DictWriter(stream, headers, delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return stream.getvalue().encode(encoding)


def xlsx_file(rows, headers=HEADERS):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for values in rows:
        sheet.append([values.get(header) for header in headers])
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def upload(client, content, name="actions.csv", queries=None, kept=True):
    """Posts a file to check; `queries` (django_assert_num_queries) counts them, for a
    file `kept` for its confirmation or not."""
    data = {"file": SimpleUploadedFile(name, content)}
    if queries is None:
        return client.post(IMPORT_URL, data)
    with queries(CHECK_QUERIES + (KEEP_QUERIES + DUPLICATE_QUERIES if kept else DISCARD_QUERIES)):
        return client.post(IMPORT_URL, data)


def confirm(client, preview):
    assert preview.context["token"], "the preview offers no confirmation"
    return client.post(IMPORT_URL, {"token": preview.context["token"]})


def imported_events():
    return {
        (event.date, event.title, event.commune): sorted(
            (line.audience.slug, line.people, line.women) for line in event.counts.all()
        )
        for event in AwarenessEvent.objects.prefetch_related("counts__audience")
    }


EXPECTED_TWO_EVENTS = {
    (datetime.date(2025, 3, 14), "Visite de la verrerie", "Arques"): [
        ("filles", 24, 13),
        ("prescripteurs", 6, None),
    ],
    (datetime.date(2025, 4, 2), "Intervention au Lycée Ribot", "Saint-Omer"): [
        ("filles", 24, 13),
    ],
}


def test_a_valid_csv_is_previewed_then_imported_on_confirmation(
    staff_client, staff, data, capital_filles, django_assert_num_queries
):
    preview = upload(staff_client, csv_file(TWO_EVENTS), queries=django_assert_num_queries)

    assert not AwarenessEvent.objects.exists()
    assertContains(preview, "Aperçu : rien n'est encore enregistré")
    assertContains(
        preview,
        "Le fichier « actions.csv » est valide (3 lignes lues) : 2 actions à créer, "
        "0 à mettre à jour, 0 déjà à jour.",
    )
    assertContains(preview, "<td>2, 3</td>", html=True)
    assertContains(preview, "<li>Prescripteurs : 6</li>", html=True)
    assertContains(preview, "<li>Filles : 24 dont 13</li>", html=True)
    assertContains(preview, '<input type="submit" class="default" value="Confirmer l\'import">')

    response = confirm(staff_client, preview)

    assertRedirects(response, CHANGELIST_URL, fetch_redirect_response=False)
    assert imported_events() == EXPECTED_TWO_EVENTS
    school = AwarenessEvent.objects.get(commune="Saint-Omer")
    assert school.format == EventFormat.SCHOOL_INTERVENTION
    assert list(school.co_organizers.all()) == [capital_filles]
    assert school.status == EventStatus.DRAFT
    assert (school.created_by, school.updated_by) == (staff, staff)
    # The import is in the history and the admin log, by whom and why.
    record = school.history.get()
    assert record.history_user == staff
    assert record.history_change_reason == "Import du fichier « actions.csv »"
    assert AudienceCount.history.filter(history_user=staff).count() == 3
    assert LogEntry.objects.filter(action_flag=ADDITION, user=staff).count() == 2
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        "Import du fichier « actions.csv » terminé : 2 actions créées, 0 action mise à jour."
    ]


def test_an_xlsx_workbook_with_date_and_number_cells_is_imported(staff_client, data):
    # Excel stores dates and numbers as such, not as text.
    march, april = datetime.datetime(2025, 3, 14), datetime.datetime(2025, 4, 2)
    rows = [
        {**TWO_EVENTS[0], "date": march, "personnes": 24, "dont femmes": 13},
        {**TWO_EVENTS[1], "date": march, "personnes": 6.0, "dont femmes": None},
        {**TWO_EVENTS[2], "date": april, "personnes": 24, "dont femmes": 13.0},
    ]

    preview = upload(staff_client, xlsx_file(rows), "actions.xlsx")
    confirm(staff_client, preview)

    assert imported_events() == EXPECTED_TWO_EVENTS


def test_cells_merged_over_an_events_lines_give_each_line_their_value(staff_client, data):
    # A spreadsheet's usual layout: the action's cells merged down over its lines,
    # one per audience. Excel keeps the value in the first cell only.
    content = xlsx_file(
        [TWO_EVENTS[0], {**TWO_EVENTS[1], **dict.fromkeys(HEADERS[:8])}, TWO_EVENTS[2]]
    )
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.active
    for column in "ABCDEFGH":
        sheet.merge_cells(f"{column}2:{column}3")
    stream = io.BytesIO()
    workbook.save(stream)

    preview = upload(staff_client, stream.getvalue(), "actions.xlsx")

    assertContains(preview, "2 actions à créer")
    assertContains(preview, "<td>2, 3</td>", html=True)
    confirm(staff_client, preview)
    assert imported_events() == EXPECTED_TWO_EVENTS


def merged_workbook(rows, *ranges, headers=HEADERS, blank_lines=()):
    """An XLSX of these rows (after `blank_lines` empty lines), cells merged over
    `ranges`."""
    workbook = load_workbook(io.BytesIO(xlsx_file(rows, headers)))
    sheet = workbook.active
    for line in sorted(blank_lines):
        sheet.insert_rows(line)
    for cells in ranges:
        sheet.merge_cells(cells)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


@pytest.mark.parametrize(("column", "header"), [("J", "personnes"), ("K", "dont femmes")])
def test_a_number_merged_over_an_actions_lines_is_not_each_lines(
    staff_client, data, column, header
):
    # 30 people over both audiences is not 30 girls and 30 prescribers: the file
    # says which cell to unmerge, and nothing is imported.
    rows = [TWO_EVENTS[0], {**TWO_EVENTS[1], header: None}]
    content = merged_workbook(rows, f"{column}2:{column}3")

    response = upload(staff_client, content, "actions.xlsx")

    assertContains(
        response,
        f"<tr><td>3</td><td>La cellule « {header} » est fusionnée avec celle de la ligne 2 : "
        "un nombre ne vaut que pour une ligne. Défusionnez-la et donnez le nombre de chaque "
        "public sur sa ligne.</td></tr>",
        html=True,
    )
    assert not AwarenessEvent.objects.exists()


def test_an_audience_merged_over_two_actions_is_each_ones(staff_client, data):
    # Sorted by audience, « Filles » merged over the lines of two actions.
    rows = [TWO_EVENTS[2], {**TWO_EVENTS[0], "public": None}, TWO_EVENTS[1]]
    content = merged_workbook(rows, "I2:I3")

    preview = upload(staff_client, content, "actions.xlsx")
    confirm(staff_client, preview)

    assert imported_events() == EXPECTED_TWO_EVENTS


def test_a_title_merged_down_or_a_spacer_line_under_a_merge_is_a_blank_line(staff_client, data):
    # « date » merged over lines 1 and 2 for looks; the first action's date merged
    # over its two lines and the blank line under them.
    rows = [TWO_EVENTS[0], {**TWO_EVENTS[1], "date": None}, TWO_EVENTS[2]]
    content = merged_workbook(rows, "A1:A2", "A3:A5", blank_lines=[2, 5])

    preview = upload(staff_client, content, "actions.xlsx")
    confirm(staff_client, preview)

    assert imported_events() == EXPECTED_TWO_EVENTS


def test_a_cell_merged_across_columns_stays_in_its_first_column(staff_client, data):
    # « Filles » merged over « public » and « personnes »: the line has no number of
    # people, rather than « Filles » people.
    content = xlsx_file([{**TWO_EVENTS[0], "personnes": None}])
    workbook = load_workbook(io.BytesIO(content))
    workbook.active.merge_cells("I2:J2")
    stream = io.BytesIO()
    workbook.save(stream)

    response = upload(staff_client, stream.getvalue(), "actions.xlsx")

    assertContains(
        response,
        "<tr><td>2</td><td>La colonne « personnes » est vide : elle est obligatoire.</td></tr>",
        html=True,
    )
    assert not AwarenessEvent.objects.exists()


def test_a_windows_1252_semicolon_file_keeps_its_accents(staff_client, data):
    content = csv_file(TWO_EVENTS, delimiter=";", encoding="cp1252")
    assert "Lycée".encode("cp1252") in content and b"Saint-Omer" in content

    preview = upload(staff_client, content)
    confirm(staff_client, preview)

    assert imported_events() == EXPECTED_TWO_EVENTS


def test_a_file_neither_utf8_nor_windows_1252_is_refused_in_french(staff_client, data):
    # 0x81 is defined by neither, here in the header, whose separator is guessed first.
    content = b"date;initiative;intitul\x81\n14/03/2025;1;Visite\n"

    response = upload(staff_client, content)

    assertContains(response, "Fichier illisible : enregistrez-le au format .xlsx")
    assert not AwarenessEvent.objects.exists()


def test_a_utf8_file_with_a_byte_order_mark_is_imported(staff_client, data):
    preview = upload(staff_client, csv_file(TWO_EVENTS, delimiter=";", encoding="utf-8-sig"))
    confirm(staff_client, preview)

    assert imported_events() == EXPECTED_TWO_EVENTS


INVALID_ROWS = [
    # line 2: valid, but not imported since other lines are not
    row(),
    row(initiative="9", intitulé="Autre initiative"),
    row(public="Lycéens", intitulé="Autre"),
    row(date="31/02/2025"),
    row(personnes="-4", **{"dont femmes": ""}, intitulé="Négatif"),
    row(personnes="10", **{"dont femmes": "12"}, intitulé="Trop de femmes"),
    row(personnes="8", **{"dont femmes": ""}),  # Filles again for the event of line 2
    row(format="Conférence", intitulé="Conférence"),
    row(organisateur="Inconnue SA", intitulé="Inconnue"),
]


def test_a_file_with_invalid_rows_imports_nothing_and_says_why_line_by_line(
    staff_client, data, django_assert_num_queries
):
    response = upload(
        staff_client, csv_file(INVALID_ROWS), queries=django_assert_num_queries, kept=False
    )

    assertContains(response, "Rien n'a été importé")
    assertContains(
        response, "<p>Le fichier « actions.csv » (9 lignes lues) contient 8 erreurs.</p>", html=True
    )
    errors = [(error.line, error.message) for error in response.context["result"].errors]
    assert errors == [
        (
            3,
            "Initiative inconnue : « 9 ». Indiquez le numéro (1), l'identifiant ou le titre "
            "exact d'une initiative du plan en cours.",
        ),
        (4, "Public inconnu : « Lycéens ». Publics possibles : Filles, Prescripteurs."),
        (
            5,
            "Date illisible : « 31/02/2025 ». Écrivez-la JJ/MM/AAAA (par exemple 14/03/2025) "
            "ou AAAA-MM-JJ.",
        ),
        (6, "Le nombre de personnes ne peut pas être négatif."),
        (7, "Le nombre de femmes (12) ne peut pas dépasser le nombre de personnes (10)."),
        (
            8,
            "Le public « Filles » figure déjà ligne 2 pour la même action : une seule ligne "
            "par public.",
        ),
        (
            9,
            "Format inconnu : « Conférence ». Formats possibles : "
            + ", ".join(EventFormat.labels)
            + ".",
        ),
        (
            10,
            "Partenaire organisateur inconnu : « Inconnue SA ». Écrivez le nom, le nom court "
            "ou l'identifiant d'un partenaire enregistré qui travaille sur le territoire "
            "« Flandre Pays de Saint-Omer ».",
        ),
    ]
    assertContains(
        response,
        "<tr><td>6</td><td>Le nombre de personnes ne peut pas être négatif.</td></tr>",
        html=True,
    )
    assert response.context.get("token") is None
    assertNotContains(response, "Confirmer l'import")
    assert not AwarenessEvent.objects.exists()


def test_lines_are_numbered_as_the_spreadsheet_shows_them(staff_client, data, capital_filles):
    corif = PartnerFactory(name="CORIF", slug="corif")
    content = csv_file(
        [
            # A cell typed on two lines (Alt+Entrée) is one row of the spreadsheet…
            row(**{"co-organisateurs": "Capital Filles\nCORIF", "remarque": "à revoir"}),
            {},  # … and a blank row is a row.
            row(personnes="douze", intitulé="Autre visite"),
        ],
        headers=[*HEADERS, "remarque"],
    )

    response = upload(staff_client, content)

    errors = [(error.line, error.message) for error in response.context["result"].errors]
    assert errors == [(4, "Le nombre de personnes doit être un nombre entier : « douze ».")]
    assert response.context["ignored_headers"] == ["remarque"]
    created = {change.lines[0]: change for change in response.context["result"].created}
    assert created[2].co_organizers == [capital_filles, corif]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_title_above_the_columns_titles_is_skipped_and_said(staff_client, data, file_format):
    # A spreadsheet's title and a blank line above the table, its titles on line 3.
    rows = [
        {"date": "Actions de sensibilisation 2025"},
        dict.fromkeys(HEADERS),
        dict(zip(HEADERS, HEADERS, strict=True)),
        *TWO_EVENTS[:2],
        {**TWO_EVENTS[2], "personnes": "douze"},
    ]
    if file_format == "csv":
        content = csv_file(rows, headers=HEADERS).split(b"\r\n", 1)[1]
    else:
        workbook = load_workbook(io.BytesIO(xlsx_file(rows)))
        workbook.active.delete_rows(1)
        stream = io.BytesIO()
        workbook.save(stream)
        content = stream.getvalue()

    response = upload(staff_client, content, f"actions.{file_format}")

    errors = [(error.line, error.message) for error in response.context["result"].errors]
    assert errors == [(6, "Le nombre de personnes doit être un nombre entier : « douze ».")]
    assert (
        "Les numéros de ligne sont ceux du tableur : la ligne 3 porte les titres des colonnes."
        in " ".join(response.content.decode().split())
    )


def test_the_lines_above_the_columns_titles_are_named_in_the_preview(staff_client, data):
    rows = [
        {"date": "Actions de Verr'Elles"},
        dict(zip(HEADERS, HEADERS, strict=True)),
        *TWO_EVENTS,
    ]
    content = csv_file(rows, headers=HEADERS).split(b"\r\n", 1)[1]

    preview = upload(staff_client, content)
    confirm(staff_client, preview)

    assertContains(
        preview, "Titres des colonnes lus sur la ligne 2 : la ligne 1, au-dessus, est ignorée."
    )
    assert imported_events() == EXPECTED_TWO_EVENTS


def test_actions_above_the_columns_titles_are_not_notes(staff_client, data):
    # Sorted without its titles line: two actions end up above it.
    content = csv_file([TWO_EVENTS[0], dict(zip(HEADERS, HEADERS, strict=True)), TWO_EVENTS[1]])
    content = content.split(b"\r\n", 1)[1]

    response = upload(staff_client, content)

    assertContains(response, "Colonnes obligatoires absentes de la première ligne : « date »")
    assert not AwarenessEvent.objects.exists()


def test_a_titles_line_under_a_title_that_misses_a_column_is_named(staff_client, data):
    titles = dict(zip(HEADERS, HEADERS, strict=True))
    content = csv_file([{"date": "Actions 2025"}, {**titles, "date": "Dat"}, TWO_EVENTS[0]])
    content = content.split(b"\r\n", 1)[1]

    response = upload(staff_client, content)

    assertContains(
        response, "Colonnes obligatoires absentes de la ligne 2, celle des titres : « date »."
    )


def test_a_title_with_a_comma_above_a_semicolon_file(staff_client, data):
    stream = io.StringIO()
    writer = csv.writer(stream, delimiter=";", lineterminator="\r\n")
    writer.writerows([HEADERS, *([event[header] for header in HEADERS] for event in TWO_EVENTS)])
    content = ("Bilan 2025, Saint-Omer\r\n" + stream.getvalue()).encode()

    preview = upload(staff_client, content)
    confirm(staff_client, preview)

    assert imported_events() == EXPECTED_TWO_EVENTS


def test_missing_columns_are_named(staff_client, data):
    response = upload(staff_client, csv_file([{"date": "14/03/2025"}], headers=["date"]))

    assertContains(response, "Colonnes obligatoires absentes de la première ligne : « initiative »")
    assert not AwarenessEvent.objects.exists()


def test_re_importing_the_same_file_creates_no_duplicates(staff_client, data):
    content = csv_file(TWO_EVENTS)
    confirm(staff_client, upload(staff_client, content))

    again = upload(staff_client, content)

    assertContains(
        again,
        "Le fichier « actions.csv » est valide (3 lignes lues) : 0 action à créer, "
        "0 à mettre à jour, 2 déjà à jour.",
    )
    assertContains(again, "Rien à importer")
    assert again.context.get("token") is None
    assert imported_events() == EXPECTED_TWO_EVENTS


def test_a_changed_file_updates_the_recorded_event_and_the_preview_says_how(staff_client, data):
    confirm(staff_client, upload(staff_client, csv_file(TWO_EVENTS)))
    visit = AwarenessEvent.objects.get(commune="Arques")
    # Same event (same date, title, organiser, venue and commune, whatever the case):
    # one figure corrected, the prescribers' line dropped.
    changed = [row(personnes="25", intitulé="VISITE de la verrerie"), TWO_EVENTS[2]]

    preview = upload(staff_client, csv_file(changed))

    assertContains(preview, "0 action à créer, 1 à mettre à jour, 1 déjà à jour.")
    assert preview.context["updated"][0].event.pk == visit.pk
    for change in (
        "intitulé : « Visite de la verrerie » → « VISITE de la verrerie »",
        "Filles (24 personnes, dont 13) → 25 personnes, dont 13",
        "public retiré : Prescripteurs (6 personnes)",
    ):
        assertContains(preview, f"<li>{change}</li>", html=True)

    confirm(staff_client, preview)

    assert AwarenessEvent.objects.count() == 2
    visit.refresh_from_db()
    assert visit.title == "VISITE de la verrerie"
    assert list(visit.counts.values_list("people", "women")) == [(25, 13)]
    assert visit.history.first().history_type == "~"
    # A new version, as any save: a form left open on the event is now stale.
    assert (visit.version, visit.history.first().version) == (2, 2)


def test_a_reference_updates_an_event_whose_title_and_date_change(
    staff_client, verrelles, girls, arc
):
    event = AwarenessEventFactory(initiative=verrelles, organizer=arc)
    AudienceCountFactory(event=event, audience=girls)

    preview = upload(
        staff_client,
        csv_file([row(référence=str(event.pk))], headers=[*HEADERS, "référence"]),
    )
    confirm(staff_client, preview)

    event.refresh_from_db()
    assert AwarenessEvent.objects.get() == event
    assert (event.title, event.date) == ("Visite de la verrerie", datetime.date(2025, 3, 14))


def test_the_events_an_import_creates_or_moves_are_credited_to_their_partners(
    staff_client, data, arc, capital_filles
):
    confirm(staff_client, upload(staff_client, csv_file(TWO_EVENTS)))
    assert credits.rows_that_differ() == 0
    ribot = AwarenessEvent.objects.get(commune="Saint-Omer")
    assert sorted(ribot.credits.values_list("partner", flat=True)) == sorted(
        [arc.pk, capital_filles.pk]
    )

    moved = row(
        référence=str(ribot.pk),
        date="2025-05-02",
        organisateur="Capital Filles",
        **{"co-organisateurs": "Arc France"},
    )
    confirm(staff_client, upload(staff_client, csv_file([moved], headers=[*HEADERS, "référence"])))

    assert credits.rows_that_differ() == 0
    assert sorted(ribot.credits.values_list("partner", "date", "organizer")) == sorted(
        (partner.pk, datetime.date(2025, 5, 2), capital_filles.pk)
        for partner in (arc, capital_filles)
    )


def test_an_event_an_import_moves_to_another_initiative_is_credited_there(
    staff_client, data, plan, girls
):
    other = InitiativeFactory(plan=plan, number=2, title="Portraits", slug="portraits")
    other.audiences.add(girls)
    confirm(staff_client, upload(staff_client, csv_file([row()])))
    event = AwarenessEvent.objects.get()

    moved = row(référence=str(event.pk), initiative="2")
    confirm(staff_client, upload(staff_client, csv_file([moved], headers=[*HEADERS, "référence"])))

    assert set(event.credits.values_list("initiative", flat=True)) == {other.pk}
    assert credits.rows_that_differ() == 0


def test_an_event_saved_after_the_preview_is_not_overwritten_by_the_import(
    staff_client, verrelles, girls, arc
):
    event = AwarenessEventFactory(initiative=verrelles, organizer=arc, title="Visite")
    AudienceCountFactory(event=event, audience=girls, people=20)
    preview = upload(
        staff_client,
        csv_file([row(référence=str(event.pk))], headers=[*HEADERS, "référence"]),
    )
    # Meanwhile, someone corrects the event in its form.
    event.title = "Visite corrigée"
    event.save()

    response = confirm(staff_client, preview)

    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        "Depuis l'aperçu, quelqu'un a enregistré des actions que le fichier « actions.csv » "
        f"modifie (n° {event.pk}) : rien n'a été importé, pour ne pas écraser ces "
        "modifications. Déposez de nouveau le fichier : le nouvel aperçu partira des "
        "actions telles qu'elles sont maintenant."
    ]
    event.refresh_from_db()
    assert (event.title, event.version) == ("Visite corrigée", 2)
    assert list(event.counts.values_list("people", flat=True)) == [20]
    assert not ImportPreview.objects.exists()
    # Uploaded again, the file is previewed against the corrected event, and imported.
    confirm(
        staff_client,
        upload(
            staff_client, csv_file([row(référence=str(event.pk))], headers=[*HEADERS, "référence"])
        ),
    )
    event.refresh_from_db()
    assert event.title == "Visite de la verrerie"


def test_a_partner_cannot_import_another_organisations_event(partner_client, data):
    rows = [row(), row(organisateur="Capital Filles", intitulé="Atelier robotique")]

    response = upload(partner_client, csv_file(rows))

    errors = [(error.line, error.message) for error in response.context["result"].errors]
    assert errors == [
        (
            3,
            "Vous ne pouvez enregistrer que les actions organisées par votre organisation "
            "(Arc France) : « Capital Filles » n'en fait pas partie.",
        )
    ]
    assert not AwarenessEvent.objects.exists()


def test_a_partner_imports_its_own_events_but_cannot_validate_them(partner_client, data):
    header = [*HEADERS, "statut"]
    refused = upload(partner_client, csv_file([row(statut="validée")], headers=header))
    assertContains(
        refused,
        "<td>Seule l'équipe du territoire valide les actions : choisissez « brouillon » ou "
        "« soumise ».</td>",
        html=True,
    )

    preview = upload(partner_client, csv_file([row(statut="soumise")], headers=header))
    confirm(partner_client, preview)

    assert AwarenessEvent.objects.get().status == EventStatus.SUBMITTED


def test_a_partner_cannot_import_into_a_closed_year(partner_client, plan, data):
    ClosedYear.objects.create(plan=plan, year=2024)

    response = upload(partner_client, csv_file([row(date="15/11/2024")]))

    assertContains(
        response,
        "<td>L'année 2024 est clôturée : seule l'équipe du territoire peut encore y "
        "enregistrer ou modifier des actions.</td>",
        html=True,
    )
    assert not AwarenessEvent.objects.exists()


def test_staff_may_validate_through_an_import(staff_client, staff, data):
    header = [*HEADERS, "statut"]
    confirm(staff_client, upload(staff_client, csv_file([row(statut="Validée")], headers=header)))

    event = AwarenessEvent.objects.get()
    assert (event.status, event.validated_by) == (EventStatus.VALIDATED, staff)


def test_an_import_refreshes_the_public_pages(
    staff_client, data, django_capture_on_commit_callbacks
):
    cache.set(VERSION_KEY, "before-the-import", None)

    with django_capture_on_commit_callbacks(execute=True):
        confirm(staff_client, upload(staff_client, csv_file(TWO_EVENTS)))

    assert cache.get(VERSION_KEY) != "before-the-import"


def test_confirming_twice_imports_once(staff_client, data):
    preview = upload(staff_client, csv_file(TWO_EVENTS))
    confirm(staff_client, preview)

    response = confirm(staff_client, preview)

    assertRedirects(response, IMPORT_URL, fetch_redirect_response=False)
    assert imported_events() == EXPECTED_TWO_EVENTS
    assert messages_of(response)[-1].startswith("Ce fichier a déjà été importé")


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def age_pending_files(minutes):
    ImportPreview.objects.update(created_at=F("created_at") - datetime.timedelta(minutes=minutes))


@pytest.mark.parametrize(
    ("minutes_later", "imported", "message"),
    [
        (59, EXPECTED_TWO_EVENTS, "Import du fichier « actions.csv » terminé"),
        (61, {}, "L'aperçu du fichier « actions.csv » a expiré (il attend une heure au plus)"),
    ],
    ids=["59 min", "61 min"],
)
def test_a_preview_can_be_confirmed_for_an_hour(
    staff_client, data, minutes_later, imported, message
):
    preview = upload(staff_client, csv_file(TWO_EVENTS))
    age_pending_files(minutes_later)

    response = confirm(staff_client, preview)

    assert imported_events() == imported
    assert messages_of(response)[0].startswith(message)
    assert not ImportPreview.objects.exists()


def test_a_plan_published_after_the_preview_does_not_receive_the_file(
    staff_client, plan, data, girls
):
    # The new plan numbers its initiatives from 1 too: « 1 » would now name another.
    preview = upload(staff_client, csv_file([row()]))
    new_plan = ActionPlanFactory(territory=plan.territory, start_date=datetime.date(2026, 1, 1))
    InitiativeFactory(plan=new_plan, number=1, title="Autre initiative").audiences.add(girls)

    response = confirm(staff_client, preview)

    assert not AwarenessEvent.objects.exists()
    assert messages_of(response) == [
        "Le plan d'action du territoire a changé depuis l'aperçu du fichier « actions.csv » "
        "(« Plan mixité » n'est plus le plan en cours) : rien n'a été importé. Déposez "
        "de nouveau le fichier : son aperçu montrera les actions dans le plan en cours."
    ]
    assert not ImportPreview.objects.exists()


def test_the_pending_file_is_kept_in_the_database_until_confirmed(staff_client, staff, data):
    content = csv_file(TWO_EVENTS)

    preview = upload(staff_client, content)

    pending = ImportPreview.objects.get()
    assert (pending.user, pending.file_name, bytes(pending.content)) == (
        staff,
        "actions.csv",
        content,
    )
    assertContains(preview, f'<input type="hidden" name="token" value="{pending.token}">')
    confirm(staff_client, preview)
    assert not ImportPreview.objects.exists()


def test_cancelling_a_preview_deletes_its_file(staff_client, data):
    preview = upload(staff_client, csv_file(TWO_EVENTS))
    assertContains(preview, '<input type="submit" name="cancel" value="Annuler">', html=True)

    cancelled = staff_client.post(
        IMPORT_URL, {"token": preview.context["token"], "cancel": "Annuler"}
    )

    assertRedirects(cancelled, IMPORT_URL, fetch_redirect_response=False)
    assert messages_of(cancelled) == ["Import annulé : le fichier déposé a été effacé."]
    assert not ImportPreview.objects.exists()
    response = confirm(staff_client, preview)
    assert messages_of(response)[-1].startswith("Ce fichier a déjà été importé, ou son aperçu")
    assert not AwarenessEvent.objects.exists()


def test_a_new_upload_replaces_the_pending_file(staff_client, data):
    first = upload(staff_client, csv_file(TWO_EVENTS[:2]), "visite.csv")
    second = upload(staff_client, csv_file(TWO_EVENTS[2:]), "lycee.csv")

    assert ImportPreview.objects.get().file_name == "lycee.csv"
    # The page of the first file, left open, imports nothing.
    confirm(staff_client, first)
    assert not AwarenessEvent.objects.exists()
    confirm(staff_client, second)
    assert AwarenessEvent.objects.get().commune == "Saint-Omer"


def test_a_file_with_nothing_to_import_discards_the_pending_one(staff_client, data):
    upload(staff_client, csv_file(TWO_EVENTS))

    upload(staff_client, csv_file(INVALID_ROWS))

    assert not ImportPreview.objects.exists()


def test_one_pending_file_per_account_and_expired_ones_purged_on_any_upload(
    staff_client, plan, data, django_user_model, arc
):
    partner = user_in(django_user_model, PARTNERS, "verrelles", [arc])
    other = user_in(django_user_model, PARTNERS, "capital", [arc])
    ImportPreview.keep(partner, "ancien.csv", b"date", plan)
    age_pending_files(61)
    ImportPreview.keep(other, "recent.csv", b"date", plan)

    upload(staff_client, csv_file(TWO_EVENTS))

    assert sorted(ImportPreview.objects.values_list("file_name", flat=True)) == [
        "actions.csv",
        "recent.csv",
    ]


def test_a_failed_import_keeps_its_pending_file(staff_client, data, monkeypatch):
    preview = upload(staff_client, csv_file(TWO_EVENTS))

    def fail(result):
        raise DatabaseError("connexion perdue")

    with monkeypatch.context() as patch:
        patch.setattr(writing, "_write_co_organizers", fail)
        with pytest.raises(DatabaseError):
            confirm(staff_client, preview)

    assert not AwarenessEvent.objects.exists()
    assert ImportPreview.objects.exists()
    confirm(staff_client, preview)
    assert imported_events() == EXPECTED_TWO_EVENTS


class BrokenCache(BaseCache):
    """A cache whose server is down: every call raises."""

    def __init__(self, location, params):
        super().__init__(params)

    def __getattribute__(self, name):
        if name in {"get", "set", "add", "delete", "get_many", "set_many", "has_key", "clear"}:
            raise ConnectionError("cache injoignable")
        return super().__getattribute__(name)


def test_the_import_does_not_need_the_cache(staff_client, data, settings, monkeypatch):
    settings.CACHES = {"default": {"BACKEND": f"{__name__}.BrokenCache"}}
    with pytest.raises(ConnectionError):
        cache.get("anything")
    # Emptying the public pages' cache after the import is the cache's own business
    # (feminisation.cache tolerates a failure): here, only that it is asked for.
    invalidated = []
    monkeypatch.setattr(confirmation, "invalidate_public_pages", lambda: invalidated.append(True))

    confirm(staff_client, upload(staff_client, csv_file(TWO_EVENTS)))

    assert imported_events() == EXPECTED_TWO_EVENTS
    assert invalidated == [True]


def test_the_template_is_documented_and_can_be_filled_and_imported(
    staff_client, data, django_assert_num_queries
):
    with django_assert_num_queries(PAGE_QUERIES):
        page = staff_client.get(IMPORT_URL)
    assertContains(page, f'<a href="{TEMPLATE_URL}">télécharger le modèle Excel (.xlsx)</a>')
    assertContains(
        page,
        '<tr><th scope="row">co-organisateurs</th><td>non</td><td>Les autres partenaires '
        "de l'action, séparés par un point-virgule « ; ». Laissez vide s'il n'y en a pas.</td>"
        "<td>Capital Filles ; CORIF</td></tr>",
        html=True,
    )

    assertContains(
        page,
        "<li><strong>Limites.</strong> 10 Mo, 20\u202f000 lignes (titres compris), 50 colonnes "
        "remplies et 5\u202f000 caractères par cellule ; un classeur décompressé ne dépasse pas "
        "25 Mo. Au-delà, le fichier est refusé avec un message qui dit quelle limite il "
        "dépasse : découpez-le en plusieurs fichiers.</li>",
        html=True,
    )

    with django_assert_num_queries(TEMPLATE_QUERIES):
        response = staff_client.get(TEMPLATE_URL)

    assert response["Content-Disposition"] == 'attachment; filename="modele-import-actions.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    assert [cell.value for cell in sheet[1]] == [column.header for column in COLUMNS]
    # Filled in with the values its drop-down lists offer.
    choices = {
        column[0].value: [cell.value for cell in column[1:] if cell.value]
        for column in workbook["Valeurs possibles"].iter_cols()
    }
    assert choices["initiative"] == ["1. Réseau Verr'Elles"]
    sheet.append(
        [
            datetime.date(2025, 3, 14),
            choices["initiative"][0],
            "Visite de la verrerie",
            choices["format"][1],
            "Arc France",
            "Arques",
            "Arc France",
            None,
            choices["public"][0],
            24,
            13,
            choices["statut"][1],
        ]
    )
    stream = io.BytesIO()
    workbook.save(stream)

    confirm(staff_client, upload(staff_client, stream.getvalue(), "modele-import-actions.xlsx"))

    assert imported_events() == {
        (datetime.date(2025, 3, 14), "Visite de la verrerie", "Arques"): [("filles", 24, 13)]
    }
    assert AwarenessEvent.objects.get().status == EventStatus.SUBMITTED


def test_the_csv_template_is_what_excel_in_french_opens(staff_client, data):
    response = staff_client.get(TEMPLATE_URL, {"format": "csv"})

    assert (
        response.content
        == ("\ufeff" + ";".join(column.header for column in COLUMNS) + "\r\n").encode()
    )


def test_the_change_list_links_to_the_import_for_those_who_may_import(staff_client):
    response = staff_client.get(CHANGELIST_URL)

    assertContains(response, f'<li><a href="{IMPORT_URL}">Importer un fichier</a></li>', html=True)


def test_managers_may_not_import(client, django_user_model):
    client.force_login(user_in(django_user_model, MANAGERS, "responsable"))

    assert client.get(IMPORT_URL).status_code == 403
    assert client.get(TEMPLATE_URL).status_code == 403
    assertNotContains(client.get(CHANGELIST_URL), "Importer un fichier")


@pytest.mark.parametrize("events", [2, 200])
def test_checking_a_file_costs_the_same_queries_whatever_its_length(
    staff_client, data, django_assert_num_queries, events
):
    rows = [row(intitulé=f"Visite n° {number}") for number in range(events)]

    response = upload(staff_client, csv_file(rows), queries=django_assert_num_queries)

    assert len(response.context["result"].created) == events


def test_a_validated_event_a_partner_changes_goes_back_for_validation(
    partner_client, verrelles, girls, arc
):
    event = AwarenessEventFactory(
        initiative=verrelles,
        organizer=arc,
        date=datetime.date(2025, 3, 14),
        title="Visite de la verrerie",
        format=EventFormat.COMPANY_VISIT,
        venue_name="Arc France",
        commune="Arques",
    )
    AudienceCountFactory(event=event, audience=girls, people=24, women=13)
    header = [*HEADERS, "statut"]

    # Unchanged, it stays validated, whatever the file's status says.
    unchanged = upload(partner_client, csv_file([row(statut="soumise")], headers=header))
    assertContains(unchanged, "Rien à importer")

    preview = upload(partner_client, csv_file([row(personnes="30")], headers=header))
    assertContains(preview, "<li>statut : Validée → Soumise, à valider</li>", html=True)
    confirm(partner_client, preview)

    event.refresh_from_db()
    assert event.status == EventStatus.SUBMITTED
    assert list(event.counts.values_list("people", flat=True)) == [30]


def test_a_file_that_became_invalid_after_its_preview_is_not_imported(partner_client, plan, data):
    preview = upload(partner_client, csv_file(TWO_EVENTS[:1]))
    ClosedYear.objects.create(plan=plan, year=2025)

    response = confirm(partner_client, preview)

    assertContains(response, "Les données ont changé depuis l'aperçu", html=False)
    assert not AwarenessEvent.objects.exists()


def test_a_partners_template_offers_only_its_organisations(partner_client, data):
    response = partner_client.get(TEMPLATE_URL)

    values = load_workbook(io.BytesIO(response.content))["Valeurs possibles"]
    organisers = next(column for column in values.iter_cols() if column[0].value == "organisateur")
    assert [cell.value for cell in organisers[1:] if cell.value] == ["Arc France"]


def test_the_nightly_purge_deletes_expired_files_only(staff, plan, django_user_model, arc):
    ImportPreview.keep(staff, "oublie.csv", b"date", plan)
    partner = user_in(django_user_model, PARTNERS, "verrelles", [arc])
    ImportPreview.keep(partner, "en-cours.csv", b"", plan)
    ImportPreview.objects.filter(user=staff).update(
        created_at=timezone.now() - datetime.timedelta(minutes=61)
    )
    output = io.StringIO()

    call_command("purge_import_previews", stdout=output)

    assert output.getvalue() == "Fichiers d'import expirés effacés : 1.\n"
    assert list(ImportPreview.objects.values_list("file_name", flat=True)) == ["en-cours.csv"]


def test_a_huge_number_in_a_workbook_is_quoted_as_the_spreadsheet_writes_it(staff_client, data):
    content = xlsx_file([row(date=1e300, initiative=45000.0)])

    response = upload(staff_client, content, name="actions.xlsx")

    messages = [error.message for error in response.context["result"].errors]
    assert messages == [
        "Date illisible : « 1e+300 ». Écrivez-la JJ/MM/AAAA (par exemple 14/03/2025) "
        "ou AAAA-MM-JJ.",
        # A whole number stays the integer the spreadsheet shows.
        "Initiative inconnue : « 45000 ». Indiquez le numéro (1), l'identifiant ou le "
        "titre exact d'une initiative du plan en cours.",
    ]

"""The exports as Excel workbooks (`?format=xlsx`), read back with openpyxl, and the
names every downloaded file gets."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from feminisation import access
from indicators import sheet
from indicators.exports import xlsx
from indicators.models import AwarenessEvent
from indicators.views import downloads
from tests.indicators.accounts import user_in as user_in_group
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.indicators.sums import expected
from tests.indicators.test_exports import download as csv_text
from tests.indicators.test_exports import parse

pytestmark = pytest.mark.django_db

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def manager_client(client):
    client.force_login(user_in_group(access.MANAGERS, "responsable"))
    return client


def workbook(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX_TYPE
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return openpyxl.load_workbook(io.BytesIO(content))


def rows_of(data_sheet):
    return [list(row) for row in data_sheet.iter_rows(values_only=True)]


def number(cell):
    """A CSV cell as the workbook holds it: a number if it is one, None if empty."""
    for kind in (int, float):
        try:
            return kind(cell.replace(",", "."))
        except ValueError:
            pass
    return cell or None


def about_text(book):
    """The « À propos » sheet's cells, one line of text per row."""
    return [
        " | ".join(str(value) for value in row if value is not None)
        for row in book["À propos"].iter_rows(values_only=True)
    ]


def test_the_events_workbook_has_typed_cells_a_frozen_header_and_a_filter(manager_client, world):
    event = AwarenessEventFactory(
        initiative=world["verrelles"],
        date=datetime.date(2025, 4, 1),
        title='=HYPERLINK("http://example.com","cliquez")',
        venue_name="@SOMME(A1)",
    )
    AudienceCountFactory(event=event, audience=world["filles"], people=5, women=None)

    book = workbook(manager_client.get(reverse("export_events"), {"format": "xlsx"}))

    assert book.sheetnames == ["Actions", "À propos"]
    actions = book["Actions"]
    rows = rows_of(actions)
    header, body = rows[0], rows[1:]
    assert header == [column.header for column in sheet.EXPORT_COLUMNS]
    assert actions.freeze_panes == "A2"
    assert actions.auto_filter.ref == f"A1:{actions.cell(1, len(header)).column_letter}{len(rows)}"
    assert actions.column_dimensions["C"].width > actions.column_dimensions["A"].width
    # As many rows as the CSV export.
    csv_rows = parse(csv_text(manager_client.get(reverse("export_events"))))
    assert len(body) == len(csv_rows) - 1

    column = {name: header.index(name) for name in header}
    row = next(row for row in body if "HYPERLINK" in row[column["intitulé"]])
    assert row[column["intitulé"]] == '=HYPERLINK("http://example.com","cliquez")'
    assert row[column["lieu"]] == "@SOMME(A1)"
    cells = actions[body.index(row) + 2]
    assert cells[column["intitulé"]].data_type == "s"  # text, not a formula
    assert cells[column["date"]].value == datetime.datetime(2025, 4, 1)
    assert cells[column["date"]].number_format == "dd/mm/yyyy"
    assert isinstance(row[column["modifiée le"]], datetime.datetime)
    assert row[column["personnes"]] == 5 and isinstance(row[column["référence"]], int)
    assert row[column["dont femmes"]] is None  # unknown is not zero
    assert row[column["statut"]] == "Validée"


def test_the_counts_workbook_totals_equal_the_dashboard_and_it_says_what_it_holds(
    manager_client, world
):
    query = {"format": "xlsx", "annee": "2025", "par": "annee", "selon": "initiative"}
    response = manager_client.get(reverse("export_counts"), query)
    book = workbook(response)

    rows = rows_of(book["Compteurs"])
    header, total = rows[0], rows[-1]
    sums = expected(world, year=2025)
    assert total[0] == "Total"
    assert total[header.index("personnes sensibilisées")] == sums["people"]
    assert sum(row[header.index("personnes sensibilisées")] for row in rows[1:-1]) == sums["people"]
    assert rows[1][header.index("début de la période")] == datetime.datetime(2025, 1, 1)
    share = total[header.index("part des femmes (%)")]
    assert share == round(100 * sums["women"] / sums["known"], 1)
    dashboard = manager_client.get(reverse("home"), {"annee": "2025"})
    assert f'data-figure="people">{sums["people"]}<' in dashboard.content.decode()

    about = about_text(book)
    assert about[0].startswith("Personnes sensibilisées par période — ")
    assert any(line.startswith("Extrait le | ") and "2" in line for line in about)
    for line in (
        "Période | En 2025",
        "Initiative | Toutes les initiatives",
        "Statut des actions | Validées (chiffres publics)",
        "Découpage des compteurs | Par année (avec objectifs)",
        "Ventilé aussi | par initiative",
        downloads.WOMEN_KNOWN,
        downloads.VALIDATED_ONLY,
    ):
        assert line in about
    assert response["Content-Disposition"] == (
        'attachment; filename="compteurs-par-annee-par-initiative-2025.xlsx"'
    )


def test_the_partners_workbook_has_the_csv_numbers(manager_client, world):
    book = workbook(manager_client.get(reverse("export_partners"), {"format": "xlsx"}))
    csv_rows = parse(csv_text(manager_client.get(reverse("export_partners"))))

    rows = rows_of(book["Partenaires"])
    assert rows[0] == csv_rows[0]
    # The same cells, as numbers where the CSV has figures (a decimal comma there).
    assert rows[1:] == [[number(cell) for cell in row] for row in csv_rows[1:]]
    assert isinstance(rows[1][0], int)


def test_the_open_data_workbook_carries_the_licence(client, world):
    response = client.get(reverse("open_counts_csv"), {"format": "xlsx"})
    book = workbook(response)

    rows = rows_of(book["Compteurs"])
    people = rows[0].index("personnes_sensibilisees")
    assert sum(row[people] for row in rows[1:]) == expected(world)["people"]
    about = about_text(book)
    assert any(line.startswith("Licence Ouverte / Open Licence version 2.0") for line in about)
    assert "Source | http://testserver/" in about
    assert response["Content-Disposition"] == (
        'attachment; filename="mixite-industrie-compteurs.xlsx"'
    )


@pytest.mark.parametrize("value", ["pdf", "", "XLSX"])
def test_the_open_data_in_an_unknown_format_answers_400_in_french(client, world, value):
    response = client.get(reverse("open_counts_csv"), {"format": value})

    assertContains(response, "Le format doit être « csv », « excel » ou « xlsx ».", status_code=400)


def test_the_admin_selection_exports_as_a_workbook(client, world):
    client.force_login(user_in_group(access.MANAGERS, "responsable"))
    selected = list(AwarenessEvent.objects.values_list("pk", flat=True)[:2])
    response = client.post(
        reverse("admin:indicators_awarenessevent_changelist"),
        {"action": "export_selection_xlsx", "_selected_action": selected},
    )

    book = workbook(response)
    header, *body = rows_of(book["Actions"])
    assert {row[header.index("référence")] for row in body} == set(selected)
    assert "Sélection | Les actions cochées dans la liste de l'administration" in about_text(book)
    assert response["Content-Disposition"] == 'attachment; filename="actions-selection.xlsx"'


@pytest.mark.parametrize(
    ("name", "query", "expected_name"),
    [
        (
            "export_events",
            {"annee": "2026", "initiative": "reseau-verrelles"},
            "actions-2026-reseau-verrelles",
        ),
        ("export_counts", {"par": "mois", "annee": "2025"}, "compteurs-par-mois-2025"),
        ("export_partners", {"du": "2024-01-01", "au": "2026-12-31"}, "partenaires-2024-2026"),
        (
            "export_events",
            {"du": "2025-01-15", "au": "2025-06-30", "public": "filles", "statut": "a_corriger"},
            "actions-du-2025-01-15-au-2025-06-30-filles-a-corriger",
        ),
        (
            "export_events",
            {"du": "2025-03-01", "statut": "toutes"},
            "actions-depuis-le-2025-03-01-toutes",
        ),
        (
            "export_counts",
            {"selon": "initiative,public"},
            "compteurs-par-mois-par-initiative-par-public",
        ),
    ],
)
def test_file_names_say_what_they_hold(manager_client, world, name, query, expected_name):
    partner = world["rows"][0][2]
    if name == "export_partners":
        query = {**query, "organisateur": partner.slug}
        expected_name = f"{expected_name}-{partner.slug}"
    today = timezone.localdate()

    workbook_name = manager_client.get(reverse(name), {**query, "format": "xlsx"})
    csv_name = manager_client.get(reverse(name), query)
    workbook_name.close()
    csv_name.close()

    assert workbook_name["Content-Disposition"] == f'attachment; filename="{expected_name}.xlsx"'
    # A CSV file has no « À propos » sheet to say when it was extracted: its name does.
    assert csv_name["Content-Disposition"] == (
        f'attachment; filename="{expected_name}-extrait-le-{today:%Y-%m-%d}.csv"'
    )


def test_the_export_page_offers_the_workbook(manager_client, world):
    response = manager_client.get(reverse("exports"))

    assertContains(response, '<option value="xlsx">Classeur Excel (.xlsx)</option>', html=True)


def test_a_workbook_longer_than_a_sheet_is_refused_in_french_and_the_csv_still_given(
    manager_client, world, monkeypatch
):
    rows = len(parse(csv_text(manager_client.get(reverse("export_events"))))) - 1
    # A sheet holding its header and exactly these rows: the workbook is made.
    monkeypatch.setattr(xlsx, "SHEET_ROWS", rows + 1)
    book = workbook(manager_client.get(reverse("export_events"), {"format": "xlsx"}))
    assert len(rows_of(book["Actions"])) == rows + 1

    # One row fewer than they need: refused, with a way out.
    monkeypatch.setattr(xlsx, "SHEET_ROWS", rows)
    response = manager_client.get(reverse("export_events"), {"format": "xlsx"})

    assertContains(
        response,
        f"Ce classeur compterait plus de {rows - 1} lignes, le maximum d&#x27;une feuille "
        "Excel : choisissez une période plus courte, ou un fichier CSV, qui n&#x27;a pas de "
        "limite.",
        status_code=400,
    )
    assert len(parse(csv_text(manager_client.get(reverse("export_events"))))) == rows + 1


def test_a_selection_too_long_for_a_sheet_is_refused_with_a_message(client, world, monkeypatch):
    monkeypatch.setattr(xlsx, "SHEET_ROWS", 2)
    client.force_login(user_in_group(access.MANAGERS, "responsable"))
    selected = list(AwarenessEvent.objects.values_list("pk", flat=True))
    response = client.post(
        reverse("admin:indicators_awarenessevent_changelist"),
        {"action": "export_selection_xlsx", "_selected_action": selected},
        follow=True,
    )

    assertContains(response, "Ce classeur compterait plus de 1 ligne, le maximum")
    assert response.redirect_chain[-1][0].startswith(
        reverse("admin:indicators_awarenessevent_changelist")
    )


def test_open_data_too_long_for_a_sheet_is_refused_in_french(client, world, monkeypatch):
    monkeypatch.setattr(xlsx, "SHEET_ROWS", 2)

    response = client.get(reverse("open_events_csv"), {"format": "xlsx"})

    assertContains(response, "le maximum d&#x27;une feuille Excel", status_code=400)
    assert client.get(reverse("open_events_csv")).status_code == 200

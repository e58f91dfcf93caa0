import csv
import datetime
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains

from feminisation import access
from indicators.figures import store
from indicators.models import AwarenessEvent
from tests.indicators.accounts import user_in as user_in_group
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory, TargetFactory
from tests.indicators.sums import expected

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]

EXPORTS = ["exports", "export_events", "export_counts", "export_partners"]


@pytest.fixture
def manager_client(client):
    client.force_login(user_in_group(access.MANAGERS, "responsable"))
    return client


def download(response):
    assert response.status_code == 200, response.content[:300]
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8")
    return response.content.decode("utf-8")


def parse(text, dialect="excel"):
    if dialect == "excel":
        assert text.startswith("\ufeff")
        return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))
    assert not text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=","))


@pytest.mark.parametrize("name", EXPORTS)
def test_anonymous_visitors_are_sent_to_the_login_page(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize("name", EXPORTS)
def test_a_partner_account_without_organisation_may_not_export(client, plan, name):
    # Those with one export their own events: tests/indicators/test_partner_exports.py.
    client.force_login(user_in_group(access.PARTNERS, "quelquun"))
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("group", [access.MANAGERS, access.TERRITORY_STAFF])
@pytest.mark.parametrize("name", EXPORTS)
def test_managers_and_territory_staff_may_export(client, world, group, name):
    client.force_login(user_in_group(group, "quelquun"))
    response = client.get(reverse(name))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("query", "scope"),
    [
        ({}, {}),
        ({"annee": "2025"}, {"year": 2025}),
        ({"initiative": "portraits-corif", "par": "trimestre"}, {"initiative": "corif"}),
        ({"public": "filles", "par": "annee", "selon": "initiative"}, {"audience": "filles"}),
        (
            {"du": "2024-01-01", "au": "2025-06-30", "selon": "initiative,public"},
            {"start": datetime.date(2024, 1, 1), "end": datetime.date(2025, 6, 30)},
        ),
    ],
)
def test_counts_totals_equal_the_dashboard_and_the_database(manager_client, world, query, scope):
    rows = parse(download(manager_client.get(reverse("export_counts"), query)))
    header, body, total = rows[0], rows[1:-1], rows[-1]
    people = header.index("personnes sensibilisées")
    sums = expected(world, **scope)

    assert total[0] == "Total"
    assert int(total[people]) == sums["people"]
    assert sum(int(row[people]) for row in body) == sums["people"]
    dashboard = manager_client.get(
        reverse("home"), {k: v for k, v in query.items() if k not in ("par", "selon")}
    )
    assert f'data-figure="people">{sums["people"]}<' in dashboard.content.decode()


def test_excel_and_standard_dialects_parse_back_to_the_same_cells(manager_client, world):
    excel = download(manager_client.get(reverse("export_counts"), {"par": "annee"}))
    standard = download(
        manager_client.get(reverse("export_counts"), {"par": "annee", "format": "csv"})
    )

    assert "\r\n" in excel
    assert "\r\n" not in standard
    excel_rows, standard_rows = parse(excel, "excel"), parse(standard, "csv")
    assert excel_rows[0] == standard_rows[0]
    first_2025 = next(row for row in excel_rows if row[0] == "2025")
    first_2025_std = next(row for row in standard_rows if row[0] == "2025")
    # Dates and decimals follow each dialect; counts are the same numbers.
    assert first_2025[1] == "01/01/2025"
    assert first_2025_std[1] == "2025-01-01"
    share = excel_rows[0].index("part des femmes (%)")
    sums = expected(world, year=2025)
    value = round(100 * sums["women"] / sums["known"], 1)
    assert first_2025[share] == f"{value:.1f}".replace(".", ",")
    assert first_2025_std[share] == f"{value:.1f}"


def test_yearly_counts_carry_the_target_and_the_progress(manager_client, world, plan):
    TargetFactory(plan=plan, year=2025, people=200)
    rows = parse(download(manager_client.get(reverse("export_counts"), {"par": "annee"})))
    header = rows[0]
    row_2025 = next(row for row in rows if row[0] == "2025")
    people = int(row_2025[header.index("personnes sensibilisées")])

    assert row_2025[header.index("objectif de personnes")] == "200"
    progress = f"{round(100 * people / 200, 1):.1f}".replace(".", ",")
    assert row_2025[header.index("avancement (%)")] == progress


def test_a_period_that_cuts_the_year_gives_its_target_without_a_progress(
    manager_client, world, plan
):
    """The year's target is measured over the whole year, as on the dashboard: the
    row of a period from September on holds only part of the year's people, and
    gives no progress of its own rather than one the dashboard contradicts."""
    TargetFactory(plan=plan, year=2025, people=200)
    query = {"par": "annee", "du": "2025-09-01", "au": "2025-12-31"}
    rows = parse(download(manager_client.get(reverse("export_counts"), query)))
    header = rows[0]
    row_2025 = next(row for row in rows if row[0] == "2025")

    assert row_2025[header.index("objectif de personnes")] == "200"
    assert row_2025[header.index("avancement (%)")] == ""


def test_event_rows_one_per_line_with_co_organisers(manager_client, world):
    rows = parse(download(manager_client.get(reverse("export_events"), {"format": "csv"})), "csv")
    header, body = rows[0], rows[1:]
    lines = sum(len(lines) for *_, lines in world["rows"])

    assert len(body) == lines
    assert header[:3] == ["date", "initiative", "intitulé"]
    co = header.index("co-organisateurs")
    assert sorted({row[co] for row in body}) == ["", "Arc France", "CAPSO"]
    assert {row[header.index("statut")] for row in body} == {"Validée"}


def test_all_statuses_on_request(manager_client, world):
    everything = parse(download(manager_client.get(reverse("export_events"), {"statut": "toutes"})))
    statuses = {row[everything[0].index("statut")] for row in everything[1:]}
    assert statuses == {"Validée", "Brouillon", "Soumise, à valider"}


def test_text_cells_are_protected_against_formulas(manager_client, world):
    event = AwarenessEventFactory(
        initiative=world["verrelles"],
        title='=HYPERLINK("http://example.com","cliquez")',
        commune="+33 Saint-Omer",
        venue_name="@SOMME(A1)",
    )
    AudienceCountFactory(event=event, audience=world["filles"], people=5, women=None)

    rows = parse(download(manager_client.get(reverse("export_events"))))
    header = rows[0]
    row = next(row for row in rows if "HYPERLINK" in row[header.index("intitulé")])

    assert row[header.index("intitulé")].startswith("'=")
    assert row[header.index("commune")] == "'+33 Saint-Omer"
    assert row[header.index("lieu")] == "'@SOMME(A1)"
    assert row[header.index("personnes")] == "5"
    assert row[header.index("dont femmes")] == ""


def test_partners_are_credited_per_year(manager_client, world):
    rows = parse(download(manager_client.get(reverse("export_partners"))))
    header = rows[0]
    table = {(row[0], row[1]): row for row in rows[1:]}

    arc_2025 = table[("2025", "Arc France")]
    assert arc_2025[header.index("actions organisées")] == "1"
    assert arc_2025[header.index("actions co-organisées")] == "1"
    assert arc_2025[header.index("personnes sensibilisées")] == str(30 + 15)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"par": "semaine"}, "La période « semaine » n'existe pas"),
        ({"selon": "commune"}, "Impossible de ventiler selon « commune »"),
        ({"format": "xls"}, "Le format « xls » n'existe pas"),
        ({"statut": "perdue"}, "Le statut « perdue » n'existe pas"),
        ({"organisateur": "inconnu"}, "Aucun partenaire ne correspond à « inconnu »"),
        ({"annee": "vingt"}, "L'année « vingt » n'est pas valide"),
        ({"statut": ["validee", "toutes"]}, "Le filtre « statut » est donné plusieurs fois"),
        ({"selon": "initiative,\x00"}, "Impossible de ventiler selon « \x00 »"),
    ],
)
@pytest.mark.parametrize("name", EXPORTS)
def test_bad_parameters_answer_400_in_french(manager_client, world, name, query, message):
    response = manager_client.get(reverse(name), query)

    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")


def test_checkboxes_and_a_comma_list_ask_for_the_same_breakdown(manager_client, world):
    checkboxes = manager_client.get(reverse("export_counts"), {"selon": ["initiative", "public"]})
    comma_list = manager_client.get(reverse("export_counts"), {"selon": " public , initiative"})

    rows = parse(download(checkboxes))
    assert {"initiative", "public cible"} <= set(rows[0])
    assert parse(download(comma_list)) == rows


UNUSABLE = [
    (
        {"annee": "2025", "au": "2025-06-30"},
        "annee",
        "Choisissez soit une année, soit des dates de début et de fin.",
    ),
    (
        {"du": "2025-06-01", "au": "2025-01-01"},
        "au",
        "La date de début doit précéder la date de fin.",
    ),
]


@pytest.mark.parametrize(("query", "field", "message"), UNUSABLE)
def test_the_export_page_shows_a_choice_it_cannot_use_beside_the_field(
    manager_client, world, query, field, message
):
    partner = world["rows"][0][2]
    response = manager_client.get(
        reverse("exports"),
        {**query, "organisateur": partner.slug, "statut": "toutes", "selon": "initiative,public"},
    )

    assert response.status_code == 200
    assertContains(
        response,
        f'<ul class="errorlist" id="export-{field}_error"><li>{message}</li></ul>',
        html=True,
    )
    assertContains(response, 'aria-invalid="true"', count=1)
    assertContains(response, f'aria-describedby="export-{field}_error"', count=1)
    assertContains(response, "<title>Erreur : Exports des chiffres", count=1)
    for name, value in query.items():
        if name == "annee":
            assertContains(
                response, f'<option value="{value}" selected>{value}</option>', html=True
            )
        else:
            assertContains(response, f'name="{name}" value="{value}"')
    assertContains(
        response, f'<option value="{partner.slug}" selected>{partner.name}</option>', html=True
    )
    assertContains(response, '<option value="toutes" selected>Toutes</option>', html=True)
    for index, choice in enumerate(["initiative", "public"]):
        assertContains(
            response,
            f'<input type="checkbox" name="selon" value="{choice}" id="export-selon_{index}"'
            " checked>",
            html=True,
        )


@pytest.mark.parametrize(("query", "field", "message"), UNUSABLE)
@pytest.mark.parametrize("name", ["export_events", "export_counts", "export_partners"])
def test_a_file_cannot_show_the_form_so_an_unusable_choice_answers_400(
    manager_client, world, name, query, field, message
):
    response = manager_client.get(reverse(name), query)

    assertContains(response, message, status_code=400)


@pytest.mark.parametrize(("query", "field", "message"), UNUSABLE)
def test_a_charts_data_with_an_unusable_choice_answers_400(client, world, query, field, message):
    response = client.get(reverse("chart_data", args=["par-mois"]), query)

    assertContains(response, message, status_code=400)


@pytest.mark.parametrize("name", ["export_events", "export_counts", "export_partners"])
def test_query_count_does_not_grow_with_rows(
    manager_client, world, name, django_assert_num_queries
):
    with CaptureQueriesContext(connection) as few:
        download(manager_client.get(reverse(name)))
    with store.collecting():
        for _ in range(30):
            event = AwarenessEventFactory(initiative=world["corif"], co_organizers=[])
            AudienceCountFactory(event=event, audience=world["filles"])

    with django_assert_num_queries(len(few.captured_queries)):
        download(manager_client.get(reverse(name)))


def test_open_data_has_the_validated_counts_and_no_personal_data(client, world):
    AwarenessEventFactory(initiative=world["verrelles"], notes="Appeler Mme Martin au 06 00 00 00")
    text = download(client.get(reverse("open_counts_csv")))
    rows = parse(text, "csv")
    people = rows[0].index("personnes_sensibilisees")

    assert sum(int(row[people]) for row in rows[1:]) == expected(world)["people"]
    assert "Martin" not in text

    data = json.loads(client.get(reverse("open_counts_json")).content)
    assert data["licence"].startswith("Licence Ouverte")
    assert (
        sum(row["personnes_sensibilisees"] for row in data["donnees"])
        == (expected(world)["people"])
    )


def test_the_open_data_names_the_site_each_visitor_asked_for(client, world, settings):
    settings.ALLOWED_HOSTS = ["mixite.exemple.fr", "www.mixite.exemple.fr"]
    sources = [
        json.loads(client.get(reverse("open_counts_json"), HTTP_HOST=host).content)["source"]
        for host in ("www.mixite.exemple.fr", "mixite.exemple.fr")  # the first one cached
    ]

    assert sources == ["http://www.mixite.exemple.fr/", "http://mixite.exemple.fr/"]


def test_each_dashboard_chart_links_to_its_own_data(client, world):
    dashboard = client.get(reverse("home"), {"annee": "2025"}).content.decode()
    url = reverse("chart_data", args=["par-initiative"]) + "?annee=2025"
    assert f'href="{url}"' in dashboard

    rows = parse(download(client.get(url)), "csv")
    people = {row[0]: int(row[1]) for row in rows[1:]}
    assert (
        people[world["verrelles"].title]
        == expected(world, year=2025, initiative="verrelles")["people"]
    )


def test_the_admin_selection_export_stays_within_a_partners_own_events(client, world):
    arc = world["rows"][0][2]
    partner_account = user_in_group(access.PARTNERS, "verrelles", organisations=[arc])
    client.force_login(partner_account)
    everything = list(AwarenessEvent.objects.values_list("pk", flat=True))

    response = client.post(
        reverse("admin:indicators_awarenessevent_changelist"),
        {"action": "export_selection", "_selected_action": everything},
    )

    rows = parse(download(response))
    header = rows[0]
    organiser, co_organisers = header.index("organisateur"), header.index("co-organisateurs")
    # Arc France's own events, and those it co-organises: never CAPSO's others.
    assert rows[1:]
    assert all(
        row[organiser] == "Arc France" or "Arc France" in row[co_organisers].split(" ; ")
        for row in rows[1:]
    )
    visible = AwarenessEvent.objects.visible_to(partner_account)
    lines = sum(max(event.counts.count(), 1) for event in visible)
    assert len(rows) - 1 == lines
    assert lines < sum(max(e.counts.count(), 1) for e in AwarenessEvent.objects.all())


def test_a_charts_data_in_excel_format_has_the_same_numbers_in_the_excel_dialect(client, world):
    url = reverse("chart_data", args=["par-initiative"])
    standard = parse(download(client.get(url)), "csv")
    response = client.get(url, {"format": "excel"})
    excel = parse(download(response), "excel")  # the BOM, semicolons

    assert response.content.endswith(b"\r\n")
    assert len(excel) == len(standard) > 1
    assert excel[0] == standard[0]
    for excel_row, standard_row in zip(excel[1:], standard[1:], strict=True):
        # The share of women has a decimal comma; every other cell is the same.
        assert excel_row[:-1] == standard_row[:-1]
        assert excel_row[-1] == standard_row[-1].replace(".", ",")
    assert any("," in row[-1] for row in excel[1:])


@pytest.mark.parametrize("value", ["xlsx", "", "EXCEL"])
def test_a_charts_data_in_an_unknown_format_answers_400_in_french(client, world, value):
    response = client.get(reverse("chart_data", args=["par-mois"]), {"format": value})

    assertContains(response, "Le format doit être « csv » ou « excel ».", status_code=400)


def test_each_dashboard_chart_offers_its_data_for_excel_too(client, world):
    dashboard = client.get(reverse("home"), {"annee": "2025"}).content.decode()
    url = reverse("chart_data", args=["par-initiative"]) + "?annee=2025&amp;format=excel"

    assert f'href="{url}"' in dashboard


def test_a_month_where_nobodys_sex_is_known_leaves_its_women_empty(manager_client, world):
    """Unknown is not zero: « dont femmes ou filles » is empty, as the share is, for
    the month of an action whose lines say nothing of women."""
    event = AwarenessEventFactory(initiative=world["verrelles"], date=datetime.date(2023, 2, 7))
    AudienceCountFactory(event=event, audience=world["filles"], people=12, women=None)
    query = {"par": "mois", "du": "2023-02-01", "au": "2023-02-28", "format": "csv"}
    header, month, total = parse(
        download(manager_client.get(reverse("export_counts"), query)), "csv"
    )

    assert month[header.index("personnes sensibilisées")] == "12"
    for name in ("dont femmes ou filles", "part des femmes (%)"):
        assert month[header.index(name)] == total[header.index(name)] == ""

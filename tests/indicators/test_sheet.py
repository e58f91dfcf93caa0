"""The events spreadsheet is one sheet: the events export, in either CSV dialect or
saved as XLSX, edited and imported back through the admin, updates its events in
place; untouched, it changes nothing; and the import's template has its columns."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse, reverse_lazy
from openpyxl import Workbook, load_workbook
from pytest_django.asserts import assertContains

from feminisation.access import PARTNERS, TERRITORY_STAFF
from indicators.enums import EventFormat, EventStatus
from indicators.models import AwarenessEvent
from tests.indicators.accounts import user_in
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import AudienceFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory
from tests.shared import collected

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse_lazy("admin:indicators_awarenessevent_import")
TEMPLATE_URL = reverse_lazy("admin:indicators_awarenessevent_import_template")
CHANGELIST_URL = reverse_lazy("admin:indicators_awarenessevent_changelist")
# After the columns the import reads: who changed the event last, then its commune's
# INSEE code (which, read back, settles two communes of the same name).
EXPORT_ONLY_HEADERS = ["modifiée le", "modifiée par", "code INSEE"]
# The export's CSV dialects, and the Excel dialect's file opened and saved as XLSX.
KINDS = ["excel", "csv", "xlsx"]


@pytest.fixture
@collected
def events(plan):
    """Events of every status, with two count lines, one, or none yet; women
    unknown; co-organisers; texts that a spreadsheet would take for formulas."""
    verrelles = InitiativeFactory(plan=plan, number=1, title="Réseau Verr'Elles", slug="verrelles")
    portraits = InitiativeFactory(plan=plan, number=2, title="Portraits", slug="portraits")
    girls = AudienceFactory(name="Filles", short_name="Filles", slug="filles")
    prescribers = AudienceFactory(
        name="Prescripteurs de formation et d'emploi", short_name="Prescripteurs"
    )
    arc = PartnerFactory(name="Arc France", slug="arc-france")
    capital = PartnerFactory(name="Capital Filles", slug="capital-filles")
    corif = PartnerFactory(name="CORIF", slug="corif")

    def event(title, date, status, organizer, lines, **fields):
        recorded = AwarenessEventFactory(
            title=title, date=date, status=status, organizer=organizer, **fields
        )
        for audience, people, women in lines:
            AudienceCountFactory(event=recorded, audience=audience, people=people, women=women)
        return recorded

    return {
        "visit": event(
            "Visite de la verrerie",
            datetime.date(2025, 3, 14),
            EventStatus.VALIDATED,
            arc,
            [(girls, 24, 13), (prescribers, 6, None)],
            initiative=verrelles,
            format=EventFormat.COMPANY_VISIT,
            venue_name="Arc France",
            commune="Arques",
            co_organizers=[capital, corif],
        ),
        "forum": event(
            "=Forum des métiers",
            datetime.date(2025, 4, 2),
            EventStatus.SUBMITTED,
            capital,
            [(girls, 40, 22)],
            initiative=portraits,
            format=EventFormat.FORUM,
            venue_name="-Salle des fêtes",
            co_organizers=[arc],
        ),
        "workshop": event(
            "Atelier robotique",
            datetime.date(2025, 6, 20),
            EventStatus.DRAFT,
            arc,
            [],
            initiative=verrelles,
            format=EventFormat.WORKSHOP,
        ),
        "screening": event(
            "Projection des portraits",
            datetime.date(2025, 5, 20),
            EventStatus.RETURNED,
            arc,
            [(girls, 15, None)],
            initiative=portraits,
            format=EventFormat.PORTRAIT_SCREENING,
        ),
        "girls": girls,
    }


@pytest.fixture
def staff_client(client):
    client.force_login(user_in(TERRITORY_STAFF, "equipe"))
    return client


@pytest.fixture
def partner_client(client, events):
    arc = events["visit"].organizer
    client.force_login(user_in(PARTNERS, "verrelles", organisations=[arc]))
    return client


def content_of(response):
    assert response.status_code == 200, response.content[:300]
    return b"".join(response.streaming_content)


def exported(client, kind):
    """The events export of every status, as a table: its header and rows."""
    dialect = "csv" if kind == "csv" else "excel"
    response = client.get(reverse("export_events"), {"statut": "toutes", "format": dialect})
    return table(content_of(response), dialect)


def exported_selection(client, events):
    """The export of events selected in the admin's list (a partner's only export)."""
    response = client.post(
        CHANGELIST_URL,
        {"action": "export_selection", "_selected_action": [event.pk for event in events]},
    )
    return table(content_of(response), "excel")


def table(content, dialect):
    text = content.decode("utf-8")
    if dialect == "excel":
        assert text.startswith("\ufeff")
        text = text[1:]
    delimiter = ";" if dialect == "excel" else ","
    header, *rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return header, [dict(zip(header, row, strict=True)) for row in rows]


def saved_as(kind, header, rows):
    """The file as a spreadsheet saves it: CSV in the export's dialect, or XLSX with
    numbers and dates as such, as Excel reads them from the CSV."""
    if kind == "xlsx":
        workbook = Workbook()
        workbook.active.append(header)
        for row in rows:
            workbook.active.append([excel_value(row[name]) for name in header])
        stream = io.BytesIO()
        workbook.save(stream)
        return "evenements.xlsx", stream.getvalue()
    delimiter, terminator, bom = (";", "\r\n", "\ufeff") if kind == "excel" else (",", "\n", "")
    stream = io.StringIO()
    writer = csv.writer(stream, delimiter=delimiter, lineterminator=terminator)
    writer.writerow(header)
    writer.writerows([row[name] for name in header] for row in rows)
    return "evenements.csv", (bom + stream.getvalue()).encode()


def excel_value(text):
    if re.fullmatch(r"[0-9]+", text):
        return int(text)
    if re.fullmatch(r"[0-9]{2}/[0-9]{2}/[0-9]{4}( [0-9]{2}:[0-9]{2})?", text):
        return datetime.datetime.strptime(text[:10], "%d/%m/%Y")
    return text


def edited(rows, event, **cells):
    """The rows, with some cells of every row of `event` replaced."""
    return [{**row, **cells} if row["référence"] == str(event.pk) else row for row in rows]


def upload(client, name, content):
    stream = io.BytesIO(content)
    stream.name = name
    return client.post(IMPORT_URL, {"file": stream})


def recorded():
    """Every event as stored, with its count lines and co-organisers."""
    return {
        event.pk: (
            {
                name: getattr(event, name)
                for name in (
                    "initiative_id",
                    "date",
                    "title",
                    "format",
                    "venue_name",
                    "commune",
                    "organizer_id",
                    "status",
                    "validated_by_id",
                    "validated_at",
                    "updated_at",
                )
            },
            sorted((c.audience_id, c.people, c.women) for c in event.counts.all()),
            sorted(partner.pk for partner in event.co_organizers.all()),
        )
        for event in AwarenessEvent.objects.prefetch_related("counts", "co_organizers")
    }


@pytest.mark.parametrize("kind", KINDS)
def test_an_untouched_export_imports_as_already_up_to_date(staff_client, events, kind):
    header, rows = exported(staff_client, kind)
    before = recorded()

    response = upload(staff_client, *saved_as(kind, header, rows))

    assertContains(
        response, "(5 lignes lues) : 0 action à créer, 0 à mettre à jour, 4 déjà à jour."
    )
    assertContains(response, "Rien à importer")
    assert response.context["ignored_headers"] == []
    assert recorded() == before


def test_an_untouched_workbook_export_imports_as_already_up_to_date(staff_client, events):
    """The export as a workbook (`format=xlsx`): dates, numbers and its « À propos »
    sheet, which the import passes over."""
    workbook = staff_client.get(reverse("export_events"), {"statut": "toutes", "format": "xlsx"})
    before = recorded()

    response = upload(staff_client, "actions.xlsx", content_of(workbook))

    assertContains(
        response, "(5 lignes lues) : 0 action à créer, 0 à mettre à jour, 4 déjà à jour."
    )
    assert response.context["ignored_headers"] == []
    assert recorded() == before


@pytest.mark.parametrize("kind", KINDS)
def test_an_edited_export_updates_its_events_in_place(staff_client, events, kind):
    header, rows = exported(staff_client, kind)
    visit, forum, workshop = events["visit"], events["forum"], events["workshop"]
    rows = edited(rows, visit, intitulé="Visite de la verrerie d'Arques")
    rows = edited(rows, forum, personnes="42")
    # An event without figures yet: its one row gets them.
    rows = edited(rows, workshop, public="Filles", personnes="12", **{"dont femmes": "7"})
    before = recorded()

    preview = upload(staff_client, *saved_as(kind, header, rows))

    assertContains(preview, "0 action à créer, 3 à mettre à jour, 1 déjà à jour.")
    for change in (
        "intitulé : « Visite de la verrerie » → « Visite de la verrerie d'Arques »",
        "Filles (40 personnes, dont 22) → 42 personnes, dont 22",
        "public ajouté : Filles (12 personnes, dont 7)",
    ):
        assertContains(preview, f"<li>{change}</li>", html=True)

    staff_client.post(IMPORT_URL, {"token": preview.context["token"]})

    after = recorded()
    assert after.keys() == before.keys()
    assert after[events["screening"].pk] == before[events["screening"].pk]
    visit_fields, visit_lines, visit_co_organizers = after[visit.pk]
    assert visit_fields["title"] == "Visite de la verrerie d'Arques"
    assert (visit_lines, visit_co_organizers) == before[visit.pk][1:]
    assert after[forum.pk][1] == [(events["girls"].pk, 42, 22)]
    assert after[forum.pk][0]["title"] == "=Forum des métiers"
    assert after[workshop.pk][1] == [(events["girls"].pk, 12, 7)]
    # The territory team's import keeps each status, and who validated.
    for event in (visit, forum, workshop):
        unchanged = ("status", "validated_by_id", "validated_at", "date", "venue_name")
        assert {name: after[event.pk][0][name] for name in unchanged} == {
            name: before[event.pk][0][name] for name in unchanged
        }


@pytest.mark.parametrize("kind", ["excel", "xlsx"])
def test_a_partner_re_imports_its_own_events_export(partner_client, events, kind):
    own = [events["visit"], events["workshop"], events["screening"]]
    header, rows = exported_selection(partner_client, own)
    before = recorded()

    untouched = upload(partner_client, *saved_as(kind, header, rows))

    # « Validée » and « À corriger » restate the events' statuses: nothing is refused.
    assertContains(untouched, "0 action à créer, 0 à mettre à jour, 3 déjà à jour.")
    assert recorded() == before

    visit = str(events["visit"].pk)
    rows = [
        {**row, "personnes": "30"}
        if (row["référence"], row["public"]) == (visit, "Filles")
        else row
        for row in rows
    ]
    preview = upload(partner_client, *saved_as(kind, header, rows))

    assertContains(preview, "0 action à créer, 1 à mettre à jour, 2 déjà à jour.")
    # As in the admin: a validated event that its partner changes is checked again.
    assertContains(preview, "<li>statut : Validée → Soumise, à valider</li>", html=True)
    partner_client.post(IMPORT_URL, {"token": preview.context["token"]})

    visit = AwarenessEvent.objects.get(pk=events["visit"].pk)
    assert visit.status == EventStatus.SUBMITTED
    assert sorted(visit.counts.values_list("people", flat=True)) == [6, 30]
    assert AwarenessEvent.objects.count() == len(before)


def test_a_partners_export_with_co_organised_events_re_imports_but_changes_only_its_own(
    partner_client, events
):
    forum = events["forum"]  # Capital Filles's, co-organised by Arc France
    header, rows = exported_selection(partner_client, [events["visit"], forum])
    before = recorded()

    untouched = upload(partner_client, *saved_as("excel", header, rows))

    assertContains(untouched, "0 action à créer, 0 à mettre à jour, 2 déjà à jour.")
    refused = upload(
        partner_client, *saved_as("excel", header, edited(rows, forum, personnes="41"))
    )
    assertContains(
        refused,
        f"Action n° {forum.pk} : Cette action est organisée par « Capital Filles » : seuls son "
        "organisateur et l&#x27;équipe du territoire peuvent la modifier ou la supprimer.",
    )
    assert "token" not in refused.context
    assert recorded() == before


def test_a_partner_may_not_validate_through_an_exported_status(partner_client, events):
    header, rows = exported_selection(partner_client, [events["workshop"]])

    rows = edited(rows, events["workshop"], statut="Validée")

    response = upload(partner_client, *saved_as("excel", header, rows))

    assertContains(
        response,
        "<td>Seule l'équipe du territoire valide les actions : choisissez « brouillon » ou "
        "« soumise ».</td>",
        html=True,
    )
    assert AwarenessEvent.objects.get(pk=events["workshop"].pk).status == EventStatus.DRAFT


def test_an_event_whose_rows_disagree_is_refused_not_duplicated(staff_client, events):
    header, rows = exported(staff_client, "excel")
    visit_rows = [row for row in rows if row["référence"] == str(events["visit"].pk)]
    visit_rows[0]["intitulé"] = "Visite de la verrerie d'Arques"
    before = recorded()

    response = upload(staff_client, *saved_as("excel", header, rows))

    assert [error.line for error in response.context["errors"]] == [3]
    assertContains(response, "sa colonne « intitulé » diffère")
    assert recorded() == before


def test_the_import_template_has_the_exports_columns(staff_client, events):
    export_header, _rows = exported(staff_client, "excel")

    csv_template = staff_client.get(TEMPLATE_URL, {"format": "csv"}).content.decode("utf-8-sig")
    xlsx_template = load_workbook(io.BytesIO(staff_client.get(TEMPLATE_URL).content))

    template_header = next(csv.reader(io.StringIO(csv_template), delimiter=";"))
    assert export_header == [*template_header, *EXPORT_ONLY_HEADERS]
    assert [cell.value for cell in xlsx_template.worksheets[0][1]] == template_header

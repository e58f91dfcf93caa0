"""Partners export their own data: every account, every export file, every format
of the form, each file holding the account's rows and never another organisation's.

The formats come from the export form itself: a format added to it (XLSX) is in the
matrix at once, and needs only its reader in READERS."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from feminisation import access
from indicators.enums import EventStatus
from indicators.models import AudienceCount, AwarenessEvent
from indicators.views.filters import ExportFilterForm
from tests.indicators.accounts import user_in
from tests.indicators.factories import (
    AudienceCountFactory,
    AwarenessEventFactory,
    TargetFactory,
)
from tests.initiatives.factories import AudienceFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory
from tests.shared import collected

pytestmark = pytest.mark.django_db

FORMATS = [key for key, _ in ExportFilterForm.base_fields["format"].choices]
FILES = ["export_events", "export_counts", "export_partners"]


def _csv_reader(delimiter, bom):
    def read(content):
        text = content.decode("utf-8")
        assert text.startswith("\ufeff") == bom
        return list(
            csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=delimiter)
        )

    return read


def _xlsx_rows(content):
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [[_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]


def _text(value):
    """A spreadsheet's cell as the CSV files write it, for the comparisons below."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# A file's rows as lists of text cells, the header first, for each format of the form.
READERS = {
    "excel": _csv_reader(";", bom=True),
    "csv": _csv_reader(",", bom=False),
    "xlsx": _xlsx_rows,
}


def rows_of(response, file_format):
    assert response.status_code == 200, response.content[:300]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert file_format in READERS, f"Add a reader for the « {file_format} » format."
    return READERS[file_format](content)


@pytest.fixture
@collected
def world(plan):
    """Four organisations, validated events alone and joint, events at other
    statuses, and another plan's event of the same organisation."""
    initiative = InitiativeFactory(plan=plan, number=1, slug="reseau-verrelles")
    girls = AudienceFactory(slug="filles")
    arc = PartnerFactory(name="Arc France", slug="arc-france")
    capso = PartnerFactory(name="CAPSO", slug="capso")
    elles = PartnerFactory(name="Elles Bougent", slug="elles-bougent")
    capital = PartnerFactory(name="Capital Filles", slug="capital-filles")
    # (organiser, co-organisers, status, people, women)
    rows = [
        (arc, [], EventStatus.VALIDATED, 20, 12),
        (arc, [capso], EventStatus.VALIDATED, 30, 18),
        (capso, [], EventStatus.VALIDATED, 15, 9),
        (capso, [capital], EventStatus.VALIDATED, 10, None),
        (elles, [], EventStatus.VALIDATED, 7, 3),
        (arc, [], EventStatus.DRAFT, 100, 50),
        (capso, [], EventStatus.SUBMITTED, 50, 25),
        (elles, [arc], EventStatus.RETURNED, 40, 20),
    ]
    for index, (organizer, co_organizers, status, people, women) in enumerate(rows):
        event = AwarenessEventFactory(
            initiative=initiative,
            date=datetime.date(2025, 1 + index, 10),
            title=f"Action {index}",
            organizer=organizer,
            co_organizers=co_organizers,
            status=status,
        )
        AudienceCountFactory(event=event, audience=girls, people=people, women=women)
    AudienceCountFactory(event=AwarenessEventFactory(organizer=arc), people=999)
    return {"plan": plan, "arc": arc, "capso": capso, "elles": elles, "capital": capital}


ACCOUNTS = {
    "partner_a": (access.PARTNERS, ["arc"]),
    "partner_b": (access.PARTNERS, ["capso"]),
    "partner_two_organisations": (access.PARTNERS, ["arc", "elles"]),
    "co_organiser": (access.PARTNERS, ["capital"]),
    "manager": (access.MANAGERS, []),
    "staff": (access.TERRITORY_STAFF, []),
}


def logged_in(client, world, account):
    group, organisations = ACCOUNTS[account]
    user = user_in(group, account, organisations=[world[name] for name in organisations])
    client.force_login(user)
    return user


def expected_events(world, user, statuses=(EventStatus.VALIDATED,)):
    """What the admin shows the account, of the plan, at these statuses."""
    return AwarenessEvent.objects.visible_to(user).filter(
        initiative__plan=world["plan"], status__in=statuses
    )


def own_names(world, account):
    return {world[name].name for name in ACCOUNTS[account][1]}


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    for name in FILES:
        for file_format in FORMATS:
            response = client.get(reverse(name), {"format": file_format})
            assert response.status_code == 302, (name, file_format)
            assert response.url.startswith(reverse("admin:login"))


def check_events_file(client, world, account, user, file_format):
    for statut, statuses in [("validee", (EventStatus.VALIDATED,)), ("toutes", EventStatus.values)]:
        events = expected_events(world, user, statuses)
        rows = rows_of(
            client.get(reverse("export_events"), {"format": file_format, "statut": statut}),
            file_format,
        )
        header, body = rows[0], rows[1:]
        references = {int(row[header.index("référence")]) for row in body}
        assert references == set(events.values_list("pk", flat=True)), (statut, file_format)
        if ACCOUNTS[account][1]:
            organisers = header.index("organisateur"), header.index("co-organisateurs")
            for row in body:
                named = {row[organisers[0]], *row[organisers[1]].split(" ; ")}
                assert named & own_names(world, account), (row, file_format)


def check_counts_file(client, world, user, file_format):
    lines = AudienceCount.objects.filter(event__in=expected_events(world, user))
    people = sum(lines.values_list("people", flat=True))
    for par in ("mois", "annee"):
        rows = rows_of(
            client.get(reverse("export_counts"), {"format": file_format, "par": par}),
            file_format,
        )
        header, body, total = rows[0], rows[1:-1], rows[-1]
        column = header.index("personnes sensibilisées")
        assert total[0] == "Total"
        assert int(total[column]) == people, (file_format, par)
        assert sum(int(row[column]) for row in body) == people, (file_format, par)


def check_partners_file(client, world, account, file_format):
    rows = rows_of(client.get(reverse("export_partners"), {"format": file_format}), file_format)
    header, body = rows[0], rows[1:]
    partners = {row[header.index("partenaire")] for row in body}
    if ACCOUNTS[account][1]:
        # A joint event's other partner (CAPSO beside Arc France, on Capital
        # Filles' joint event) is not in the file.
        assert partners == own_names(world, account), file_format
    else:
        assert partners == {"Arc France", "CAPSO", "Elles Bougent", "Capital Filles"}


@pytest.mark.parametrize("account", ACCOUNTS)
def test_each_account_exports_its_own_rows_only(client, world, account):
    """The events file: the events the admin shows the account (validated by default,
    every status on request); the counts: their sums; the partners file: the
    account's own organisations. In every format."""
    user = logged_in(client, world, account)
    for file_format in FORMATS:
        check_events_file(client, world, account, user, file_format)
        check_counts_file(client, world, user, file_format)
        check_partners_file(client, world, account, file_format)


def test_a_partners_yearly_counts_are_not_set_against_the_plans_target(client, world):
    TargetFactory(plan=world["plan"], year=2025, people=100)
    logged_in(client, world, "partner_a")

    rows = rows_of(client.get(reverse("export_counts"), {"par": "annee", "format": "csv"}), "csv")

    header, row_2025 = rows[0], rows[1]
    assert row_2025[header.index("personnes sensibilisées")] == str(20 + 30)
    assert row_2025[header.index("objectif de personnes")] == ""
    assert row_2025[header.index("avancement (%)")] == ""


def test_a_partner_with_two_organisations_has_a_row_for_each_and_may_pick_one(client, world):
    logged_in(client, world, "partner_two_organisations")
    rows = rows_of(client.get(reverse("export_partners"), {"format": "csv"}), "csv")
    header = rows[0]
    table = {row[header.index("partenaire")]: row for row in rows[1:]}

    arc = table["Arc France"]
    assert arc[header.index("actions organisées")] == "2"
    assert arc[header.index("actions co-organisées")] == "0"
    assert arc[header.index("personnes sensibilisées")] == str(20 + 30)
    assert table["Elles Bougent"][header.index("personnes sensibilisées")] == "7"

    rows = rows_of(
        client.get(reverse("export_events"), {"format": "csv", "organisateur": "elles-bougent"}),
        "csv",
    )
    assert {row[rows[0].index("intitulé")] for row in rows[1:]} == {"Action 4"}


def test_a_partner_cannot_name_another_organisation(client, world):
    logged_in(client, world, "partner_a")

    for name in FILES:
        response = client.get(reverse(name), {"organisateur": "capso"})

        assertContains(
            response,
            "Vos exports ne contiennent que les actions de vos organisations : le filtre "
            "« organisateur » ne peut nommer que l&#x27;une d&#x27;elles, pas « capso ».",
            status_code=400,
        )


def test_an_account_without_organisation_is_told_why_and_offered_no_export(client, world):
    client.force_login(user_in(access.PARTNERS, "sans-organisation"))

    for name in ["exports", *FILES]:
        response = client.get(reverse(name))
        assertContains(response, access.NO_ORGANISATION.replace("'", "&#x27;"), status_code=403)
    home = client.get(reverse("admin:index"))
    listing = client.get(reverse("admin:indicators_awarenessevent_changelist"))

    assertNotContains(home, reverse("exports") + '"')
    actions = [value for value, _ in listing.context["action_form"].fields["action"].choices]
    assert "export_selection" not in actions


def test_the_page_tells_a_partner_what_its_exports_hold(client, world):
    logged_in(client, world, "partner_a")

    response = client.get(reverse("exports"))

    assertContains(
        response,
        "Vos exports ne contiennent que les actions organisées ou co-organisées par Arc France :",
    )
    # One organisation: nothing to choose among; the targets are the plan's, and so
    # is the annual report (managers and staff only).
    assertNotContains(response, 'name="organisateur"')
    assertNotContains(response, "objectif")
    assertNotContains(response, "Bilan annuel")


def test_a_partner_with_two_organisations_picks_among_its_own(client, world):
    logged_in(client, world, "partner_two_organisations")

    response = client.get(reverse("exports"))

    assertContains(response, "par Arc France ou Elles Bougent :")
    options = response.context["form"].fields["organisateur"].choices
    assert [label for _, label in options] == [
        "Toutes vos organisations",
        "Arc France",
        "Elles Bougent",
    ]


def test_the_admin_home_links_to_the_exports(client, world):
    for account, link in [("partner_a", "Mes exports"), ("manager", "Exporter les chiffres")]:
        logged_in(client, world, account)

        response = client.get(reverse("admin:index"))

        assertContains(
            response, f'<a href="{reverse("exports")}"><strong>{link}</strong></a>', html=True
        )

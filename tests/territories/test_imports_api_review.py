"""Review of the import and of the API, as an attacker and a demanding user, on an
instance of two territories (Alpha and Bravo, tests/territories/test_admin_scoping)."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from indicators.models import AwarenessEvent, ImportPreview
from indicators.sheet import COLUMNS
from tests.initiatives.factories import AudienceFactory
from tests.territories.test_admin_scoping import (
    IMPORT_HEADER,
    IMPORT_URL,
    account,
    two_territories,
)

pytestmark = pytest.mark.django_db

SHEET = "xl/worksheets/sheet1.xml"


@pytest.fixture
def world():
    world = two_territories()
    AudienceFactory(name="Filles", slug="filles", short_name="Filles")
    return world


def _workbook_whose_first_row_reads(cell_xml):
    """A workbook saved by openpyxl (titles and one valid row of Alpha), whose first
    data cell is replaced by `cell_xml`: XML a damaged or hand-made file may hold,
    that openpyxl only reads while the rows are iterated."""
    workbook = Workbook()
    workbook.active.append([column.header for column in COLUMNS])
    workbook.active.append(
        [
            "14/03/2025",
            "Initiative Alpha",
            "Visite",
            "Visite d'entreprise",
            "Usine",
            "Saint-Omer",
            "Partenaire Alpha",
            None,
            "Filles",
            10,
            5,
        ]
    )
    stream = io.BytesIO()
    workbook.save(stream)
    with zipfile.ZipFile(stream) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts[SHEET].decode()
    start = sheet.index('<c r="A2"')
    end = sheet.index("</c>", start) + len("</c>")
    parts[SHEET] = (sheet[:start] + cell_xml + sheet[end:]).encode()
    damaged = io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return damaged.getvalue()


@pytest.mark.parametrize(
    "cell",
    [
        '<c r="A2" t="s"><v>9999</v></c>',  # a shared text that does not exist
        '<c r="A2"><v>abc</v></c>',  # a number that is not one
        '<c r="A2"><v>nan</v></c>',
        '<c r="A2" t="b"><v>oui</v></c>',  # a boolean that is not one
        '<c r="A2" t="d"><v>hier</v></c>',  # an ISO date that is not one
        '<c r="2A"><v>1</v></c>',  # a cell reference the wrong way round
    ],
)
def test_a_workbook_whose_rows_are_damaged_is_refused_in_french(client, world, cell):
    client.force_login(account("staff", world))
    content = _workbook_whose_first_row_reads(cell)

    response = client.post(IMPORT_URL, {"file": SimpleUploadedFile("actions.xlsx", content)})

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "Classeur illisible : enregistrez-le de nouveau au format .xlsx, ou en CSV."
    ]
    assert not ImportPreview.objects.exists()
    assert not AwarenessEvent.objects.filter(title="Visite").exists()


def test_a_file_previewed_for_a_territory_the_account_has_left_says_so(client, world):
    staff = account("staff", world)
    world["bravo"]["territory"].members.add(staff)
    client.force_login(staff)
    row = (
        "14/03/2025;Initiative Bravo;Visite;Visite d'entreprise;Usine;Hazebrouck;"
        "Partenaire Bravo;;Filles;10;5\n"
    )
    upload = SimpleUploadedFile("actions.csv", (IMPORT_HEADER + row).encode())
    preview = client.post(IMPORT_URL, {"file": upload, "territory": "territoire-bravo"})
    token = preview.context["token"]
    world["bravo"]["territory"].members.remove(staff)

    response = client.post(IMPORT_URL, {"token": token})

    # Bravo's plan is still published: the account no longer reads it.
    assert [error.message for error in response.context["errors"]] == [
        "Votre compte n'appartient plus au territoire de ce fichier : il n'y importe rien."
    ]
    assert not AwarenessEvent.objects.filter(title="Visite").exists()

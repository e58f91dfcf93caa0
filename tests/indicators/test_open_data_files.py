"""The open data: the validated events as a file of their own, and datapackage.json,
which describes every open-data file with the same declarations the files are
written from."""

import csv
import datetime
import io
import json
import re
from urllib.parse import urlsplit

import openpyxl
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.enums import EventStatus
from indicators.exports import open_files
from tests.indicators.accounts import user_in
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import AudienceFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory
from tests.shared import collected

pytestmark = pytest.mark.django_db


def body(response):
    assert response.status_code == 200, response.content[:300]
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def local(url):
    """A resource's absolute address, as the test client asks for it."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture
@collected
def events(plan):
    initiative = InitiativeFactory(plan=plan, title="Réseau Verr'Elles")
    girls, adults = AudienceFactory(), AudienceFactory()
    arc = PartnerFactory(name="Arc France")
    hidden = PartnerFactory(name="Fonderie discrète", hidden=True)
    editor = user_in("Équipe territoire", "claire.editrice")
    joint = AwarenessEventFactory(
        initiative=initiative,
        date=datetime.date(2025, 3, 4),
        title="Visite de la verrerie",
        organizer=arc,
        co_organizers=[hidden],
        notes="Rappeler Mme Martin au 06 00 00 00",
        updated_by=editor,
    )
    AudienceCountFactory(event=joint, audience=girls, people=20, women=12)
    AudienceCountFactory(event=joint, audience=adults, people=5, women=None)
    alone = AwarenessEventFactory(
        initiative=initiative, date=datetime.date(2025, 5, 6), title="Forum", organizer=hidden
    )
    AudienceCountFactory(event=alone, audience=girls, people=8, women=None)
    for status in (EventStatus.DRAFT, EventStatus.SUBMITTED, EventStatus.RETURNED):
        AudienceCountFactory(
            event=AwarenessEventFactory(initiative=initiative, status=status, title="Pas publique"),
            audience=girls,
        )
    AudienceCountFactory(event=AwarenessEventFactory(title="Autre plan"), audience=girls)
    return {"joint": joint, "alone": alone, "initiative": initiative}


def read_csv(content, resource):
    text = content.decode(resource["encoding"])
    dialect = resource["dialect"]
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=dialect["delimiter"]))


def read_xlsx(content, resource):
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    rows = book[resource["dialect"]["sheetName"]].iter_rows(values_only=True)
    return [list(row) for row in rows]


def assert_typed(value, field):
    """`value` (a CSV cell, a workbook's cell or a JSON value) is of the field's
    declared type."""
    if value in ("", None):
        return
    if field["type"] == "date" and isinstance(value, datetime.date):
        return  # a workbook's date cell
    if field["type"] == "integer":
        assert isinstance(value, int) or re.fullmatch(r"-?\d+", value), (field, value)
    elif field["type"] == "date":
        if isinstance(value, str) and "format" in field:
            datetime.datetime.strptime(value, field["format"])
        else:
            datetime.date.fromisoformat(value)
    elif field["type"] == "yearmonth":
        assert re.fullmatch(r"\d{4}-\d{2}", value), (field, value)
    else:
        assert field["type"] == "string" and isinstance(value, str), (field, value)


def test_the_datapackage_describes_every_open_data_file(client, events):
    package = json.loads(body(client.get(reverse("open_datapackage"))))
    resources = {local(resource["path"]): resource for resource in package["resources"]}

    assert package["licenses"] == [
        {"name": "etalab-2.0", "title": open_files.LICENCE, "path": open_files.LICENCE_URL}
    ]
    assert package["title"] == events["initiative"].plan.title
    page = body(client.get(reverse("open_data"))).decode()
    offered = set(re.findall(r'href="(/donnees/[^"/]+\.(?:csv|json)[^"]*)"', page))
    offered = {url.replace("&amp;", "&") for url in offered} - {reverse("open_datapackage")}
    assert offered == set(resources)

    for url, resource in resources.items():
        fields = resource["schema"]["fields"]
        names = [field["name"] for field in fields]
        assert all(field["title"] and field["description"] for field in fields), url
        assert resource["path"].startswith("http://testserver/")
        content = body(client.get(url))
        if resource["format"] in ("csv", "xlsx"):
            reader = read_csv if resource["format"] == "csv" else read_xlsx
            header, *rows = reader(content, resource)
            assert header == names, url
            records = [dict(zip(header, row, strict=True)) for row in rows]
        else:
            records = json.loads(content)["donnees"]
            assert all(list(record) == names for record in records), url
        assert records, url
        for record in records:
            for field in fields:
                assert_typed(record[field["name"]], field)


def test_the_events_file_has_the_validated_events_public_fields_only(client, events):
    content = body(client.get(reverse("open_events_csv"))).decode()
    header, *rows = csv.reader(io.StringIO(content, newline=""))
    records = [dict(zip(header, row, strict=True)) for row in rows]

    assert header == [field.header for field in open_files.EVENT_FIELDS]
    assert records == [
        {
            "territoire": "Flandre Pays de Saint-Omer",
            "territoire_identifiant": "flandre-pays-de-saint-omer",
            "date": "2025-03-04",
            "intitule": "Visite de la verrerie",
            "initiative": "Réseau Verr'Elles",
            "format": events["joint"].get_format_display(),
            "commune": "Saint-Omer",
            "code_insee": "62765",
            "siren_epci": "200069037",
            "organisateurs": "Arc France ; Autre partenaire",
            "personnes_sensibilisees": "25",
            "dont_femmes_ou_filles": "12",
            "personnes_dont_le_sexe_est_connu": "20",
        },
        {
            "territoire": "Flandre Pays de Saint-Omer",
            "territoire_identifiant": "flandre-pays-de-saint-omer",
            "date": "2025-05-06",
            "intitule": "Forum",
            "initiative": "Réseau Verr'Elles",
            "format": events["alone"].get_format_display(),
            "commune": "Saint-Omer",
            "code_insee": "62765",
            "siren_epci": "200069037",
            "organisateurs": "Autre partenaire",
            "personnes_sensibilisees": "8",
            "dont_femmes_ou_filles": "",
            "personnes_dont_le_sexe_est_connu": "0",
        },
    ]
    data = json.loads(body(client.get(reverse("open_events_json"))))
    for text in (content, json.dumps(data, ensure_ascii=False)):
        for private in ("Fonderie discrète", "Martin", "claire.editrice", "Pas publique"):
            assert private not in text
    assert data["licence"] == open_files.LICENCE
    assert [record["date"] for record in data["donnees"]] == ["2025-03-04", "2025-05-06"]
    assert data["donnees"][1]["dont_femmes_ou_filles"] is None


def test_the_events_files_queries_do_not_grow_with_the_events(
    client, events, django_assert_num_queries
):
    urls = [reverse("open_events_csv"), reverse("open_events_json")]
    few = []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            body(client.get(url))
        few.append(len(queries.captured_queries))
    for _ in range(6):
        event = AwarenessEventFactory(
            initiative=events["initiative"], co_organizers=[PartnerFactory(), PartnerFactory()]
        )
        AudienceCountFactory(event=event)
    cache.clear()  # the writes' commit would have; a test's transaction never commits

    for url, count in zip(urls, few, strict=True):
        with django_assert_num_queries(count):
            assert body(client.get(url)).count(b"Intervention au coll") == 6


def test_the_events_file_is_streamed_then_served_from_the_cache(
    client, events, django_assert_num_queries
):
    first = client.get(reverse("open_events_csv"), {"format": "excel"})
    assert first.streaming
    content = body(first)

    with django_assert_num_queries(0):
        again = client.get(reverse("open_events_csv"), {"format": "excel"})

    assert not again.streaming
    assert again.content == content
    assert again["Content-Disposition"] == first["Content-Disposition"]
    assert content.startswith("\ufeff".encode())


def test_an_unknown_format_answers_400_in_french(client, events):
    response = client.get(reverse("open_events_csv"), {"format": "xls"})

    assert response.status_code == 400
    assert "Le format doit être « csv », « excel » ou « xlsx »." in response.content.decode()

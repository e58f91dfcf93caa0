"""The exports and the open data of an instance of several territories: a territory
without a published plan is neither offered nor exported (its refusal says why);
the national counts follow French alphabetical order; each file's name says its
territory (and keeps today's name on an instance of one); a repeated `format` is
refused in French, as every other repeated parameter."""

import csv
import datetime
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from feminisation import access
from tests.indicators.accounts import user_in
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import ActionPlanFactory, AudienceFactory, InitiativeFactory
from tests.territories.factories import TerritoryFactory

pytestmark = pytest.mark.django_db

FLANDRE = "flandre-pays-de-saint-omer"
NO_PLAN = "Aucun plan d&#x27;action n&#x27;est publié pour le territoire « Vallée de la Bresle »."
# Its dash an en dash, as the territory writes it.
EVREUX = "Évreux \N{EN DASH} Vernon"
REPEATED_FORMAT = "Le paramètre « format » est donné plusieurs fois : gardez-en un seul."


def _territory_with_events(territory, people, audience):
    plan = ActionPlanFactory(territory=territory, start_date=datetime.date(2024, 1, 1))
    initiative = InitiativeFactory(plan=plan, number=1)
    for month in (3, 4):
        event = AwarenessEventFactory(initiative=initiative, date=datetime.date(2025, month, 10))
        AudienceCountFactory(event=event, audience=audience, people=people, women=None)
    return plan


@pytest.fixture
def audience(db):
    return AudienceFactory(slug="filles")


@pytest.fixture
def flandre(audience):
    return _territory_with_events(TerritoryFactory(), 10, audience).territory


@pytest.fixture
def several(flandre, audience):
    """Flandre, EVREUX (after « Flandre » in the database's collation,
    before it in French), Alsace Nord, and the Vallée de la Bresle without a
    published plan."""
    evreux = TerritoryFactory(name=EVREUX, slug="evreux-vernon")
    alsace = TerritoryFactory(name="Alsace Nord", slug="alsace-nord")
    bresle = TerritoryFactory(name="Vallée de la Bresle", slug="vallee-de-la-bresle")
    _territory_with_events(evreux, 20, audience)
    _territory_with_events(alsace, 30, audience)
    ActionPlanFactory(territory=bresle, draft=True)
    return {"flandre": flandre, "evreux": evreux, "alsace": alsace, "bresle": bresle}


def _manager_of(*territories):
    return user_in(access.MANAGERS, "responsable", territories=territories)


def _name(response):
    assert response.status_code == 200, response.content[:300]
    # Read to the end: the test client then closes a workbook's temporary file.
    if response.streaming:
        b"".join(response.streaming_content)
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="'), disposition
    return disposition.removeprefix('attachment; filename="').removesuffix('"')


def _csv_rows(response):
    assert response.status_code == 200, response.content[:300]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


# A territory without a published plan.


def test_the_territory_choice_offers_only_the_territories_with_a_published_plan(client, several):
    client.force_login(_manager_of(*several.values()))

    response = client.get(reverse("exports"))

    assert response.status_code == 200
    offered = [value for value, _label, _selected in response.context["territory_choices"]]
    assert offered == ["alsace-nord", "evreux-vernon", FLANDRE]


def test_the_national_networks_choice_leaves_out_a_territory_without_a_plan(client, several):
    client.force_login(user_in(access.NATIONAL_NETWORK, "reseau", territories=[]))

    response = client.get(reverse("exports"))

    offered = [value for value, _label, _selected in response.context["territory_choices"]]
    assert offered == ["alsace-nord", "evreux-vernon", FLANDRE, "tous"]


@pytest.mark.parametrize("name", ["exports", "export_counts", "export_events", "export_partners"])
def test_a_territory_without_a_published_plan_is_refused_saying_why(client, several, name):
    client.force_login(_manager_of(*several.values()))

    response = client.get(reverse(name), {"territoire": "vallee-de-la-bresle"})

    assert response.status_code == 404
    assert "Content-Disposition" not in response
    assertions = response.content.decode()
    assert NO_PLAN in assertions
    assert "<h1>Rien à exporter</h1>" in assertions
    assert "faute de frappe" not in assertions


def test_the_annual_report_of_a_territory_without_a_plan_says_there_is_nothing_to_report(
    client, several
):
    client.force_login(_manager_of(*several.values()))

    response = client.get(
        reverse("annual_report", args=[timezone.localdate().year]),
        {"territoire": "vallee-de-la-bresle"},
    )

    assert response.status_code == 404
    page = response.content.decode()
    assert NO_PLAN in page
    assert "<h1>Rien à exporter</h1>" in page
    assert "Cette adresse contient une erreur" not in page


def test_the_exports_of_a_territorys_site_without_a_plan_say_why(client, several):
    client.force_login(_manager_of(several["bresle"]))

    response = client.get("/territoires/vallee-de-la-bresle/exports/compteurs.csv")

    assert response.status_code == 404
    assert NO_PLAN in response.content.decode()


# The national counts, in French alphabetical order.


def test_the_national_counts_list_the_territories_in_french_order(client, several):
    order = ["Alsace Nord", EVREUX, "Flandre Pays de Saint-Omer"]

    rows = _csv_rows(client.get("/national/donnees/compteurs.csv"))

    for month in ("2025-03", "2025-04"):
        assert [row["territoire"] for row in rows if row["mois"] == month] == order
    data = json.loads(client.get("/national/donnees/compteurs.json").content)
    assert [record["territoire"] for record in data["donnees"]] == order * 2


def test_every_territorys_counts_export_follows_the_same_order(client, several):
    client.force_login(user_in(access.NATIONAL_NETWORK, "reseau", territories=[]))

    response = client.get(
        reverse("export_counts"), {"territoire": "tous", "format": "csv", "par": "mois"}
    )

    names = [row["territoire"] for row in _csv_rows(response)]
    assert names == [
        *["Alsace Nord"] * 3,
        *[EVREUX] * 3,
        *["Flandre Pays de Saint-Omer"] * 3,
        "Tous les territoires",
    ]


# File names.


def test_an_account_of_two_territories_downloads_two_names(client, several):
    client.force_login(_manager_of(several["flandre"], several["evreux"]))
    today = timezone.localdate()
    names = {
        slug: [
            _name(client.get(reverse(file), {"territoire": slug, "annee": "2025", **query}))
            for file, query in (
                ("export_counts", {"format": "xlsx", "par": "annee"}),
                ("export_partners", {"format": "xlsx"}),
                ("export_events", {"format": "csv"}),
            )
        ]
        for slug in (FLANDRE, "evreux-vernon")
    }

    assert names == {
        slug: [
            f"compteurs-par-annee-{slug}-2025.xlsx",
            f"partenaires-{slug}-2025.xlsx",
            f"actions-{slug}-2025-extrait-le-{today:%Y-%m-%d}.csv",
        ]
        for slug in (FLANDRE, "evreux-vernon")
    }


def test_a_territorys_site_names_its_exports_too(client, several):
    client.force_login(_manager_of(several["evreux"]))

    response = client.get("/territoires/evreux-vernon/exports/compteurs.csv", {"format": "xlsx"})

    assert _name(response) == "compteurs-par-mois-evreux-vernon.xlsx"


def test_an_account_of_one_territory_among_several_gets_its_name_at_the_root(client, several):
    client.force_login(_manager_of(several["evreux"]))

    response = client.get(reverse("export_partners"), {"format": "xlsx"})

    assert _name(response) == "partenaires-evreux-vernon.xlsx"


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("donnees/compteurs.csv", "mixite-industrie-{slug}-compteurs.csv"),
        ("donnees/compteurs.csv?format=xlsx", "mixite-industrie-{slug}-compteurs.xlsx"),
        ("donnees/actions.csv?format=excel", "mixite-industrie-{slug}-actions.csv"),
        ("donnees/actions.csv?format=xlsx", "mixite-industrie-{slug}-actions.xlsx"),
        ("donnees/graphiques/par-mois.csv", "par-mois-{slug}-{today:%Y-%m-%d}.csv"),
    ],
)
def test_a_territorys_open_files_say_its_name(client, several, path, name):
    today = timezone.localdate()

    for slug in (FLANDRE, "evreux-vernon"):
        response = client.get(f"/territoires/{slug}/{path}")
        assert _name(response) == name.format(slug=slug, today=today)


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/donnees/compteurs.csv", "mixite-industrie-compteurs.csv"),
        ("/donnees/actions.csv?format=xlsx", "mixite-industrie-actions.xlsx"),
        ("/donnees/graphiques/par-mois.csv", "par-mois-{today:%Y-%m-%d}.csv"),
        (f"/territoires/{FLANDRE}/donnees/compteurs.csv", "mixite-industrie-compteurs.csv"),
    ],
)
def test_an_instance_of_one_territory_keeps_its_names(client, flandre, path, name):
    assert _name(client.get(path)) == name.format(today=timezone.localdate())


def test_an_instance_of_one_territory_keeps_its_export_names(client, flandre):
    client.force_login(_manager_of(flandre))

    response = client.get(reverse("export_counts"), {"format": "xlsx", "annee": "2025"})

    assert _name(response) == "compteurs-par-mois-2025.xlsx"


def test_the_national_open_files_keep_their_names(client, several):
    response = client.get("/national/donnees/actions.csv")

    assert _name(response) == "mixite-industrie-national-actions.csv"


# A repeated format.


@pytest.mark.parametrize(
    "path",
    [
        "/donnees/compteurs.csv",
        "/donnees/actions.csv",
        "/donnees/graphiques/par-mois.csv",
        f"/territoires/{FLANDRE}/donnees/actions.csv",
        "/national/donnees/compteurs.csv",
        "/national/donnees/actions.csv",
        "/national/territoires.csv",
    ],
)
@pytest.mark.parametrize("formats", [("csv", "xlsx"), ("xlsx", "xlsx"), ("excel", "csv")])
def test_a_repeated_format_is_refused_in_french(client, flandre, path, formats):
    response = client.get(path, {"format": list(formats)})

    assert response.status_code == 400
    assert REPEATED_FORMAT in response.content.decode()
    assert "Content-Disposition" not in response


def test_a_repeated_format_of_an_export_is_refused_too(client, flandre):
    client.force_login(_manager_of(flandre))

    response = client.get(reverse("export_counts"), {"format": ["csv", "xlsx"]})

    assert response.status_code == 400
    assert "« format » est donné plusieurs fois" in response.content.decode()

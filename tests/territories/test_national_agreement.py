"""The national page, its files, the open data and the API write a territory's
figures alike: its rate per 1,000 inhabitants rounded by the one rule (halves up,
from the decimal writing), its EPCIs' SIRENs in one order."""

import csv
import io

import pytest
from django.template.defaultfilters import floatformat
from hypothesis import given
from hypothesis import strategies as st

from feminisation import formatting
from tests.geography.factories import CommuneFactory
from tests.initiatives.factories import ActionPlanFactory
from tests.territories.factories import EpciFactory, TerritoryFactory
from tests.territories.test_national import THIS_YEAR, _csv, _events, _territory, rows_of

pytestmark = pytest.mark.django_db


def _national_csv(client):
    response = client.get("/national/territoires.csv")
    assert response.status_code == 200
    return {row["identifiant"]: row for row in csv.DictReader(io.StringIO(response.text))}


def test_a_rate_on_a_half_reads_the_same_on_the_page_in_the_files_and_the_api(client):
    # 1,914 people for 46,400 inhabitants: 41.25 per 1,000, which round() halves to
    # 41.2 (to even) and the page to 41,3.
    halfway = _territory("Audomarois", "audomarois", "Hauts-de-France", [46400])
    _events(ActionPlanFactory(territory=halfway), [(THIS_YEAR, 1914, 900)])
    _territory("Sans plan", "sans-plan", "Bretagne", [1000])

    page = rows_of(client.get("/national/"))
    files = _national_csv(client)
    excel = client.get("/national/territoires.csv", {"format": "excel"}).content
    api = client.get("/api/v1/territoires/").json()

    assert page.rows["audomarois"]["pour-1000"] == "41,3"
    assert files["audomarois"]["pour_1000_habitants"] == "41.3"
    assert "41,3" in excel.decode("utf-8-sig")
    assert api["territoires"][0]["pour_1000_habitants"] == 41.3
    # The national total: the same territory's people over the same inhabitants.
    assert page.rows["total"]["pour-1000"] == "41,3"
    assert files[""]["pour_1000_habitants"] == "41.3"
    assert api["total"]["pour_1000_habitants"] == 41.3


@given(people=st.integers(0, 10**7), population=st.integers(1, 10**8))
def test_the_pages_floatformat_rounds_a_rate_as_the_files_do(people, population):
    value = 1000 * people / population
    assert floatformat(value, "1u") == f"{formatting.rate(value):.1f}"


def test_the_national_files_and_the_open_data_list_the_sirens_in_one_order(client):
    """In SIREN order, which is not the EPCIs' names'."""
    territory = TerritoryFactory(name="Deux EPCI", slug="deux-epci", region="Grand Est")
    for siren, name in [("200000009", "Communauté A"), ("200000001", "Communauté Z")]:
        EpciFactory(territory=territory, siren=siren, name=name)
        CommuneFactory(code=siren[-5:], epci_siren=siren, epci_name=name, population=100)
    _events(ActionPlanFactory(territory=territory), [(THIS_YEAR, 10, 5)])
    TerritoryFactory(other=True)

    national = _national_csv(client)["deux-epci"]["sirens_epci"]
    api = client.get("/api/v1/territoires/").json()["territoires"]
    open_data = {
        row["territoire_identifiant"]: row["sirens_epci"]
        for row in _csv(client, "/national/donnees/compteurs.csv")
    }

    assert national == "200000001 ; 200000009"
    assert open_data["deux-epci"] == national
    assert next(line for line in api if line["identifiant"] == "deux-epci")["sirens_epci"] == [
        "200000001",
        "200000009",
    ]

"""A review of the public pages of an instance with several territories, as a
visitor and as an attacker would read them: the order of the territories wherever
they are listed, a population that is only partly known, the links of each site,
and the French of the national and territory pages. The territories are
test_national's (Flandre, Alsace Nord, Ardennes, Vallée de la Bresle)."""

import csv
import io
import re
from html import unescape

import openpyxl
import pytest

from indicators.figures import stats
from tests.geography.factories import CommuneFactory
from tests.indicators.factories import TargetFactory
from tests.initiatives.factories import ActionPlanFactory
from tests.territories import test_national as national
from tests.territories.test_national import THIS_YEAR, TODAY, _events, _territory, rows_of

# test_national's fixtures: its four territories, built once for the module.
shared_territories = national.shared_territories
territories = national.territories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_territories")]

NNBSP = "\u202f"


def _csv_slugs(client, **query):
    response = client.get("/national/territoires.csv", query)
    return [record["identifiant"] for record in csv.DictReader(io.StringIO(response.text))]


def _xlsx_slugs(client):
    response = client.get("/national/territoires.csv", {"format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    header, *rows = book["Territoires"].iter_rows(values_only=True)
    return [row[header.index("identifiant")] or "" for row in rows]


def test_a_name_with_an_accent_is_listed_in_alphabetical_order_everywhere(territories, client):
    """« Évreux » comes between « Ardennes » and « Flandre » on the list of
    territories and in the national files, as on the national page and in the API,
    not after « Vallée » (the database's byte order)."""
    evreux = _territory(
        "Évreux Portes de Normandie", "evreux-portes-de-normandie", "Normandie", [50000]
    )
    _events(ActionPlanFactory(territory=evreux), [(THIS_YEAR, 10, 5)])
    expected = [
        "alsace-nord",
        "ardennes",
        "evreux-portes-de-normandie",
        "flandre-pays-de-saint-omer",
        "vallee-de-la-bresle",
    ]

    assert list(rows_of(client.get("/national/")).rows) == [*expected, "total"]
    api = client.get("/api/v1/territoires/").json()["territoires"]
    assert [line["identifiant"] for line in api] == expected
    assert list(rows_of(client.get("/")).rows) == expected
    rows, _ = stats.by_territory(today=TODAY)
    assert [row.territory.slug for row in rows] == expected
    # The total last.
    assert _csv_slugs(client) == [*expected, ""]
    assert _xlsx_slugs(client) == [*expected, ""]


def test_a_population_partly_unknown_leaves_the_rate_unknown(territories, client):
    """One commune of Alsace Nord without its population: the territory's
    population is not known (as an intercommunality's on its territory page), rather
    than the others' sum, which would inflate its rate; the national rate leaves it
    out, as it leaves out the Ardennes."""
    alsace = territories["alsace"]
    epci = alsace.epcis.order_by("siren").first()
    CommuneFactory(
        code="99999",
        name="Commune sans population",
        epci_siren=epci.siren,
        epci_name=epci.name,
        population=None,
    )

    rows, total = stats.by_territory(today=TODAY)
    row = next(row for row in rows if row.territory == alsace)
    assert (row.population, row.per_thousand) == (None, None)
    assert alsace.population() is None
    # Flandre's 10,000 inhabitants and 150 people (the Bresle, without a published
    # plan, has no figures to count its inhabitants against).
    assert (total.population, total.per_thousand) == (10000, 1000 * 150 / 10000)

    page = rows_of(client.get("/national/")).rows
    assert (page["alsace-nord"]["habitants"], page["alsace-nord"]["pour-1000"]) == ("—", "—")
    assert page["total"]["habitants"] == f"10{NNBSP}000"
    by_slug = {
        record["identifiant"]: record
        for record in csv.DictReader(io.StringIO(client.get("/national/territoires.csv").text))
    }
    alsace_line = by_slug["alsace-nord"]
    assert (alsace_line["population"], alsace_line["pour_1000_habitants"]) == ("", "")


def test_a_target_nearly_reached_is_not_written_100_in_the_files(territories, client):
    """9,999 people out of 10,000: the page says 99 %, as the dashboard, because a
    target never reads reached before it is; the files say 99.9, not 100.0."""
    zeta = _territory("Zeta", "zeta", "Bretagne", [1000])
    plan = ActionPlanFactory(territory=zeta)
    _events(plan, [(THIS_YEAR, 9999, 5000)])
    TargetFactory(plan=plan, year=TODAY.year, people=10000)

    assert rows_of(client.get("/national/")).rows["zeta"]["objectif"] == f"99{NNBSP}%"
    assert f"99{NNBSP}%" in client.get("/territoires/zeta/").text
    by_slug = {
        record["identifiant"]: record
        for record in csv.DictReader(io.StringIO(client.get("/national/territoires.csv").text))
    }
    assert by_slug["zeta"]["objectif_atteint_pourcent"] == "99.9"
    # A target passed keeps its figure; the others round as before.
    assert by_slug["alsace-nord"]["objectif_atteint_pourcent"] == "150.0"
    assert by_slug["flandre-pays-de-saint-omer"]["objectif_atteint_pourcent"] == "25.0"


SITE_PAGES = ["", "plan/", "initiatives/", "partenaires/", "actions/", "territoire/", "donnees/"]


def _links(html):
    """The site's own addresses a page's main content links to."""
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    for href in re.findall(r'href="([^"#]+)"', main):
        href = unescape(href)
        if href.startswith("/") and not href.startswith(("/static/", "/admin/", "/compte/")):
            yield href


@pytest.mark.parametrize("slug", ["alsace-nord", "vallee-de-la-bresle"])
@pytest.mark.parametrize("page", SITE_PAGES)
def test_no_link_of_a_territorys_site_leads_to_a_missing_page(territories, client, slug, page):
    """The open data page linked the API's documentation under the territory's
    prefix (/territoires/<slug>/api/v1/docs/, a 404), and, for a territory whose
    plan is not published, files that do not exist."""
    url = f"/territoires/{slug}/{page}"
    response = client.get(url)
    assert response.status_code == 200

    missing = []
    for link in set(_links(response.text)):
        answer = client.get(link)
        if answer.streaming:
            b"".join(answer.streaming_content)
        if answer.status_code == 404:
            missing.append(link)
    assert missing == [], url


def test_the_open_data_of_a_territory_links_the_instances_api_and_national_files(
    territories, client
):
    html = client.get("/territoires/alsace-nord/donnees/").text

    assert 'href="/api/v1/docs/"' in html
    assert 'href="/national/donnees/"' in html
    assert "/territoires/alsace-nord/api/" not in html


def test_the_open_data_of_a_territory_without_a_published_plan_says_so(territories, client):
    response = client.get("/territoires/vallee-de-la-bresle/donnees/")

    assert response.status_code == 200
    assert "Aucun plan d'action n'est encore publié" in response.text
    assert "compteurs.csv" not in response.text


def test_the_national_page_writes_a_target_of_one_person_in_the_singular(territories, client):
    tiny = _territory("Petit territoire", "petit-territoire", "Bretagne", [500])
    plan = ActionPlanFactory(territory=tiny)
    _events(plan, [(THIS_YEAR, 1, 1)])
    TargetFactory(plan=plan, year=TODAY.year, people=1)

    html = client.get("/national/").text
    assert "de 1 personnes" not in html
    assert "de 1 personne<" in html
    assert "de 400 personnes<" in html


def test_the_territory_page_agrees_with_its_number_of_intercommunalities(territories, client):
    """Alsace Nord's events took place in one intercommunality (Arques'), with its
    two communes: « 1 intercommunalité et ses 2 communes », not « leurs »; the
    Ardennes', in none: no « 0 intercommunalité et leurs 0 commune »."""
    alsace = client.get("/territoires/alsace-nord/territoire/").text
    assert "1 intercommunalité et ses 2 communes" in alsace

    ardennes = client.get("/territoires/ardennes/territoire/").text
    assert "0 intercommunalité" not in ardennes
    assert "aucune pour l'instant" in ardennes


def test_the_api_documentation_of_several_territories_tries_each_answer_for_one(client):
    """On an instance of several territories `territoire` is required: the examples
    and « Essayer » links name one (the first with a published plan), where they
    answered 400."""
    html = client.get("/api/v1/docs/").content.decode()
    tried = [unescape(href) for href in re.findall(r'Essayer : <a href="([^"]+)"', html)]

    assert len(tried) >= 5
    assert all(client.get(href).status_code == 200 for href in tried), tried
    assert "/api/v1/chiffres/?territoire=alsace-nord" in tried
    assert "/api/v1/territoires/" in tried  # every territory's figures: no parameter
    assert "curl http://testserver/api/v1/chiffres/?territoire=alsace-nord" in unescape(html)

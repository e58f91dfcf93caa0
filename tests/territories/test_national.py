"""The instance's pages when it serves several territories: `/` lists them with their
headline figures, `/national/` compares them side by side (sortable, with the
national total), as do its CSV and XLSX files and /api/v1/territoires/; the open
data of each territory, and of all of them, carries the official codes."""

import csv
import datetime
import io
import json
from html.parser import HTMLParser

import openpyxl
import pytest
from django.core.cache import cache
from django.utils import timezone

from indicators.enums import EventStatus
from indicators.figures import stats
from tests.geography.factories import CommuneFactory
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory, TargetFactory
from tests.initiatives.factories import ActionPlanFactory, AudienceFactory, InitiativeFactory
from tests.shared import collected, fresh
from tests.territories.factories import EpciFactory, TerritoryFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_territories")]

TODAY = timezone.localdate()
THIS_YEAR = datetime.date(TODAY.year, 1, 1)
LAST_YEAR = datetime.date(TODAY.year - 1, 6, 1)


def _territory(name, slug, region, populations):
    """A territory with an EPCI per population given, each with one commune of that
    population."""
    territory = TerritoryFactory(name=name, slug=slug, region=region)
    # The seed territory's factory gives it its real EPCIs: only these count here.
    territory.epcis.all().delete()
    for population in populations:
        epci = EpciFactory(territory=territory)
        CommuneFactory(
            code=f"{int(epci.siren) % 100000:05d}",
            name=f"Commune de {epci.name}",
            epci_siren=epci.siren,
            epci_name=epci.name,
            population=population,
        )
    return territory


def _events(plan, lines, *, commune="Saint-Omer"):
    """One validated event per (date, people, women)."""
    initiative = InitiativeFactory(plan=plan)
    audience = AudienceFactory()
    events = []
    for date, people, women in lines:
        event = AwarenessEventFactory(initiative=initiative, date=date, commune=commune)
        AudienceCountFactory(event=event, audience=audience, people=people, women=women)
        events.append(event)
    return events


@pytest.fixture
def territories(db, shared_territories):
    return fresh(shared_territories)


@pytest.fixture(scope="module")
def shared_territories(module_db):
    """Four territories with known figures:
    - Flandre (seed): 150 people (100 this year, 60 women; 50 last year, sex unknown),
      10,000 inhabitants, this year's target 400 (25 %);
    - Alsace Nord: 300 people this year (90 women) in 3 events, 25,000 inhabitants
      over two EPCIs, target 200 (150 %); its older plan's event does not count;
    - Ardennes: 40 people, 40 women, no EPCI (population unknown), no target;
    - Vallée de la Bresle: 1,000 inhabitants, no published plan."""
    flandre = _territory(
        "Flandre Pays de Saint-Omer", "flandre-pays-de-saint-omer", "Hauts-de-France", [6000, 4000]
    )
    alsace = _territory("Alsace Nord", "alsace-nord", "Grand Est", [20000, 5000])
    ardennes = _territory("Ardennes", "ardennes", "Grand Est", [])
    bresle = _territory("Vallée de la Bresle", "vallee-de-la-bresle", "Normandie", [1000])

    flandre_plan = ActionPlanFactory(territory=flandre, title="Plan de Flandre")
    _events(flandre_plan, [(THIS_YEAR, 100, 60), (LAST_YEAR, 50, None)])
    draft = _events(flandre_plan, [(THIS_YEAR, 1000, 500)])[0]
    draft.status = EventStatus.DRAFT
    draft.save()
    TargetFactory(plan=flandre_plan, year=TODAY.year, people=400)

    older = ActionPlanFactory(territory=alsace, start_date=datetime.date(2020, 1, 1))
    _events(older, [(datetime.date(2021, 5, 5), 7, 7)])
    alsace_plan = ActionPlanFactory(territory=alsace, title="Plan d'Alsace Nord")
    _events(alsace_plan, [(THIS_YEAR, 100, 30)] * 3, commune="Arques")
    TargetFactory(plan=alsace_plan, year=TODAY.year, people=200)

    ardennes_plan = ActionPlanFactory(territory=ardennes, title="Plan des Ardennes")
    _events(ardennes_plan, [(THIS_YEAR, 40, 40)], commune="Lieu-dit sans commune")
    ActionPlanFactory(territory=bresle, draft=True)
    return {"flandre": flandre, "alsace": alsace, "ardennes": ardennes, "bresle": bresle}


class _Rows(HTMLParser):
    """{data-territory: {data-column: text}} of the rows that carry them, visually
    hidden text left out; and the headers' sort links in order."""

    def __init__(self):
        super().__init__()
        self.rows, self.sort_links = {}, []
        self._row = self._column = None
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-territory" in attrs:
            self._row = self.rows.setdefault(attrs["data-territory"], {})
        if "data-column" in attrs and self._row is not None:
            self._column = attrs["data-column"]
            self._row[self._column] = ""
        if "data-sort" in attrs:
            self.sort_links.append(attrs["href"])
        if tag == "span" and "visually-hidden" in attrs.get("class", ""):
            self._hidden += 1

    def handle_endtag(self, tag):
        if tag in ("td", "dd"):
            self._column = None
        elif tag in ("tr", "li"):
            self._row = None
        elif tag == "span" and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if self._column is not None and not self._hidden:
            self._row[self._column] += data.strip()


def rows_of(response):
    assert response.status_code == 200, response.content[:500]
    parser = _Rows()
    parser.feed(response.content.decode())
    return parser


NNBSP = "\u202f"


def test_figures_per_territory_and_national_total(territories, django_assert_num_queries):
    # the territories with their population and current plan; the headline's sums
    # per territory; this year's plan-wide targets
    with django_assert_num_queries(3):
        rows, total = stats.by_territory(today=TODAY)

    by_slug = {row.territory.slug: row for row in rows}
    flandre, alsace = by_slug["flandre-pays-de-saint-omer"], by_slug["alsace-nord"]
    ardennes, bresle = by_slug["ardennes"], by_slug["vallee-de-la-bresle"]
    assert (flandre.totals.people, flandre.totals.women, flandre.totals.events) == (150, 60, 2)
    assert flandre.totals.women_share == 0.6
    assert flandre.population == 10000
    assert flandre.per_thousand == 15
    assert flandre.progress.share == 0.25
    assert (alsace.totals.people, alsace.totals.women, alsace.totals.events) == (300, 90, 3)
    assert alsace.population == 25000
    assert alsace.per_thousand == 12
    assert alsace.progress.share == 1.5
    assert (ardennes.totals.people, ardennes.population, ardennes.per_thousand) == (40, None, None)
    assert ardennes.progress is None
    # Without a published plan, its figures are unknown, not zero.
    assert bresle.headline is None
    assert (bresle.totals.people, bresle.totals.events, bresle.per_thousand) == (None, None, None)
    assert bresle.population == 1000
    # The territory's own count agrees with the grouped one.
    assert [row.population for row in rows] == [row.territory.population() for row in rows]

    assert (total.totals.people, total.totals.women, total.totals.events) == (490, 190, 6)
    assert total.totals.women_share == 190 / 440
    # Ardennes' people count nowhere in the rate: its population is unknown; nor do
    # the Bresle's 1,000 inhabitants, without a published plan to count against them.
    assert total.population == 35000
    assert total.per_thousand == 1000 * 450 / 35000
    assert total.progress_share == 400 / 600


def test_the_dashboard_and_the_national_row_agree(territories, client):
    """A territory's row is its dashboard's headline: the same rule, the same sums."""
    plan = territories["alsace"].plans.get(title="Plan d'Alsace Nord")
    progress = stats.target_progress(plan, TODAY.year)
    headline = stats.headline(stats.Scope(plan), today=TODAY, progress=progress)
    rows, _ = stats.by_territory(today=TODAY)
    row = next(row for row in rows if row.territory == territories["alsace"])

    assert row.totals == headline.totals
    assert row.headline.this_year == headline.this_year
    assert row.progress.share == headline.progress.share
    assert row.progress.reached == headline.progress.reached


def test_home_lists_the_territories_with_their_figures(
    territories, client, django_assert_num_queries
):
    # the sole territory, if there is one; then `by_territory`'s three queries
    with django_assert_num_queries(4):
        page = rows_of(client.get("/"))

    html = client.get("/").content.decode()
    for territory in territories.values():
        assert f'<a href="/territoires/{territory.slug}/">{territory.name}</a>' in html
    assert page.rows["flandre-pays-de-saint-omer"] == {
        "personnes": "150",
        "femmes": f"60{NNBSP}%",
        "pour-1000": "15,0",
        "objectif": f"25{NNBSP}%",
    }
    assert page.rows["alsace-nord"]["objectif"] == f"150{NNBSP}%"
    assert page.rows["ardennes"]["pour-1000"] == "—"
    assert page.rows["vallee-de-la-bresle"] == {}
    assert "Son plan d'action n'est pas encore publié." in html
    assert 'href="/national/"' in html


def test_a_territory_site_keeps_its_dashboard(territories, client):
    response = client.get("/territoires/alsace-nord/")

    assert response.status_code == 200
    assert "<h1>Les Territoires d'Industrie</h1>" not in response.content.decode()


def test_the_national_page_shows_each_territory_and_the_total(territories, client):
    page = rows_of(client.get("/national/"))

    assert page.rows["flandre-pays-de-saint-omer"] == {
        "actions": "2",
        "personnes": "150",
        "femmes": f"60{NNBSP}%",
        "habitants": f"10{NNBSP}000",
        "pour-1000": "15,0",
        "objectif": f"25{NNBSP}%",
    }
    assert page.rows["alsace-nord"] == {
        "actions": "3",
        "personnes": "300",
        "femmes": f"30{NNBSP}%",
        "habitants": f"25{NNBSP}000",
        "pour-1000": "12,0",
        "objectif": f"150{NNBSP}%",
    }
    assert page.rows["ardennes"]["habitants"] == "—"
    assert page.rows["ardennes"]["objectif"] == "—"
    # Without a published plan: its figures unknown, its inhabitants out of the total.
    assert page.rows["vallee-de-la-bresle"] == {
        "actions": "—",
        "personnes": "—",
        "femmes": "—",
        "habitants": f"1{NNBSP}000",
        "pour-1000": "—",
        "objectif": "—",
    }
    assert page.rows["total"] == {
        "actions": "6",
        "personnes": "490",
        "femmes": f"43{NNBSP}%",
        "habitants": f"35{NNBSP}000",
        "pour-1000": "12,9",
        "objectif": f"66{NNBSP}%",
    }


ORDERS = {
    "territoire": ["alsace-nord", "ardennes", "flandre-pays-de-saint-omer", "vallee-de-la-bresle"],
    "-territoire": ["vallee-de-la-bresle", "flandre-pays-de-saint-omer", "ardennes", "alsace-nord"],
    "region": ["alsace-nord", "ardennes", "flandre-pays-de-saint-omer", "vallee-de-la-bresle"],
    "-region": ["vallee-de-la-bresle", "flandre-pays-de-saint-omer", "alsace-nord", "ardennes"],
    # Unknown values last, either way: the Bresle has no published plan.
    "actions": ["ardennes", "flandre-pays-de-saint-omer", "alsace-nord", "vallee-de-la-bresle"],
    "-actions": ["alsace-nord", "flandre-pays-de-saint-omer", "ardennes", "vallee-de-la-bresle"],
    "personnes": ["ardennes", "flandre-pays-de-saint-omer", "alsace-nord", "vallee-de-la-bresle"],
    "-personnes": ["alsace-nord", "flandre-pays-de-saint-omer", "ardennes", "vallee-de-la-bresle"],
    "femmes": ["alsace-nord", "flandre-pays-de-saint-omer", "ardennes", "vallee-de-la-bresle"],
    "-femmes": ["ardennes", "flandre-pays-de-saint-omer", "alsace-nord", "vallee-de-la-bresle"],
    "habitants": ["vallee-de-la-bresle", "flandre-pays-de-saint-omer", "alsace-nord", "ardennes"],
    "-habitants": ["alsace-nord", "flandre-pays-de-saint-omer", "vallee-de-la-bresle", "ardennes"],
    "pour-1000": ["alsace-nord", "flandre-pays-de-saint-omer", "ardennes", "vallee-de-la-bresle"],
    "-pour-1000": ["flandre-pays-de-saint-omer", "alsace-nord", "ardennes", "vallee-de-la-bresle"],
    "objectif": ["flandre-pays-de-saint-omer", "alsace-nord", "ardennes", "vallee-de-la-bresle"],
    "-objectif": ["alsace-nord", "flandre-pays-de-saint-omer", "ardennes", "vallee-de-la-bresle"],
}


def _order(page):
    return [slug for slug in page.rows if slug != "total"]


@pytest.mark.parametrize("tri", list(ORDERS))
def test_the_national_page_sorts_by_each_column_both_ways(territories, client, tri):
    page = rows_of(client.get("/national/", {"tri": tri}))

    assert _order(page) == ORDERS[tri]
    # The total stays last, whatever the order.
    assert list(page.rows)[-1] == "total"


def test_a_column_header_links_to_its_other_direction(territories, client):
    page = rows_of(client.get("/national/", {"tri": "-personnes"}))

    # Names first from A to Z, figures largest first; the sorted column reversed.
    assert page.sort_links == [
        "?tri=territoire",
        "?tri=region",
        "?tri=-actions",
        "?tri=personnes",
        "?tri=-femmes",
        "?tri=-habitants",
        "?tri=-pour-1000",
        "?tri=-objectif",
    ]
    html = client.get("/national/", {"tri": "-personnes"}).content.decode()
    assert 'aria-sort="descending"' in html


@pytest.mark.parametrize(
    "tri",
    [
        "",
        "-",
        "--personnes",
        "personnes-",
        "Personnes",
        "personnes;DROP TABLE",
        "x" * 5000,
        "\x00",
        "pour 1000",
        "%",
        "<script>",
        "é",
        "-territoire-",
    ],
)
def test_a_hostile_sort_is_ignored(territories, client, tri):
    response = client.get("/national/", {"tri": tri})

    assert _order(rows_of(response)) == ORDERS["territoire"]
    assert "<script>" not in response.content.decode().split("<main", 1)[1].replace(
        "&lt;script&gt;", ""
    )


def test_a_repeated_sort_reads_its_last_value(territories, client):
    page = rows_of(client.get("/national/?tri=territoire&tri=-personnes"))

    assert _order(page) == ORDERS["-personnes"]


FILE_ROWS = {
    "flandre-pays-de-saint-omer": {
        "actions_validees": 2,
        "personnes_sensibilisees": 150,
        "dont_femmes_ou_filles": 60,
        "personnes_dont_le_sexe_est_connu": 100,
        "population": 10000,
        "objectif_personnes": 400,
        "personnes_sensibilisees_dans_l_annee": 100,
    },
    "alsace-nord": {
        "actions_validees": 3,
        "personnes_sensibilisees": 300,
        "dont_femmes_ou_filles": 90,
        "personnes_dont_le_sexe_est_connu": 300,
        "population": 25000,
        "objectif_personnes": 200,
        "personnes_sensibilisees_dans_l_annee": 300,
    },
}


def test_the_csv_file_has_the_pages_figures(territories, client):
    response = client.get("/national/territoires.csv")
    assert response.status_code == 200
    records = list(csv.DictReader(io.StringIO(response.content.decode())))

    by_slug = {record["identifiant"]: record for record in records}
    for slug, figures in FILE_ROWS.items():
        assert {name: int(by_slug[slug][name]) for name in figures} == figures
    assert by_slug["flandre-pays-de-saint-omer"]["part_des_femmes_pourcent"] == "60.0"
    assert by_slug["flandre-pays-de-saint-omer"]["pour_1000_habitants"] == "15.0"
    assert by_slug["alsace-nord"]["objectif_atteint_pourcent"] == "150.0"
    assert len(by_slug["alsace-nord"]["sirens_epci"].split(" ; ")) == 2
    assert by_slug["ardennes"]["population"] == ""
    total = records[-1]
    assert total["territoire"] == "Total national"
    assert (total["personnes_sensibilisees"], total["population"]) == ("490", "35000")
    # Two thirds of the target: rounded down, as the pages and every file round progress.
    assert (total["pour_1000_habitants"], total["objectif_atteint_pourcent"]) == ("12.9", "66.6")
    # Without a published plan: empty, not zero.
    bresle = by_slug["vallee-de-la-bresle"]
    assert [bresle[name] for name in ("actions_validees", "personnes_sensibilisees")] == ["", ""]
    assert (bresle["population"], bresle["pour_1000_habitants"]) == ("1000", "")


def test_the_excel_csv_and_the_workbook(territories, client):
    excel = client.get("/national/territoires.csv", {"format": "excel"}).content.decode("utf-8-sig")
    header, *lines = csv.reader(io.StringIO(excel), delimiter=";")
    assert lines[-1][header.index("pour_1000_habitants")] == "12,9"

    response = client.get("/national/territoires.csv", {"format": "xlsx"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    header, *rows = book["Territoires"].iter_rows(values_only=True)
    by_slug = {row[header.index("identifiant")]: row for row in rows if row[1]}
    for slug, figures in FILE_ROWS.items():
        assert {name: by_slug[slug][header.index(name)] for name in figures} == figures
    assert rows[-1][header.index("personnes_sensibilisees")] == 490
    assert "À propos" in book.sheetnames


def test_an_unknown_file_format_answers_400_in_french(territories, client):
    response = client.get("/national/territoires.csv", {"format": "ods"})

    assert response.status_code == 400
    assert "Le format doit être « csv », « excel » ou « xlsx »." in response.content.decode()


def test_the_api_has_the_same_figures(territories, client):
    response = client.get("/api/v1/territoires/", {"tri": "-personnes"})
    assert response.status_code == 200
    data = response.json()

    assert [line["identifiant"] for line in data["territoires"]] == ORDERS["-personnes"]
    assert data["tri"] == "-personnes"
    assert data["annee_objectif"] == TODAY.year
    alsace = data["territoires"][0]
    assert alsace["adresse"] == "http://testserver/territoires/alsace-nord/"
    assert (alsace["personnes_sensibilisees"], alsace["dont_femmes_ou_filles"]) == (300, 90)
    assert (alsace["part_des_femmes"], alsace["population"]) == (0.3, 25000)
    assert (alsace["pour_1000_habitants"], alsace["avancement"]) == (12.0, 1.5)
    assert len(alsace["sirens_epci"]) == 2
    assert data["territoires"][2]["pour_1000_habitants"] is None
    assert data["total"]["personnes_sensibilisees"] == 490
    assert data["total"]["pour_1000_habitants"] == 12.9
    bresle = data["territoires"][-1]
    assert bresle["identifiant"] == "vallee-de-la-bresle"
    assert (bresle["actions"], bresle["personnes_sensibilisees"]) == (None, None)
    assert data["total"]["avancement"] == 0.6666  # 400 / 600, rounded down as everywhere
    # An unknown order is ignored, as on the page.
    assert client.get("/api/v1/territoires/", {"tri": "n'importe"}).json()["tri"] == "territoire"


@collected
def _extra_territories(first, last):
    for number in range(first, last):
        territory = _territory(f"Territoire {number}", f"territoire-{number}", "Bretagne", [900])
        plan = ActionPlanFactory(territory=territory)
        _events(plan, [(THIS_YEAR, 10, 5)])
        TargetFactory(plan=plan, year=TODAY.year, people=50)


@pytest.mark.parametrize(
    "url, queries",
    [
        # the territories with their population and current plan; the sums per
        # territory; the targets; the page's header asks for the sole territory
        ("/national/", 4),
        # and the territories' EPCIs
        ("/national/territoires.csv", 4),
        ("/national/territoires.csv?format=xlsx", 4),
        ("/api/v1/territoires/", 4),
        # the sole territory, if any, then the national page's three
        ("/", 4),
    ],
)
def test_the_national_queries_do_not_grow_with_the_territories(
    client, django_assert_num_queries, url, queries
):
    """2 territories, then 5: the same queries, one per breakdown."""
    _extra_territories(0, 2)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
    _extra_territories(2, 5)
    cache.clear()
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200
    assert "Territoire 4" in response.content.decode("utf-8", "replace") or url.endswith("xlsx")


# Open data: each territory's files hold its rows only, the national ones every
# territory's; every row says its territory and the official codes.


def _csv(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(content.decode())))


def test_a_territory_open_data_holds_its_rows_with_their_codes(territories, client):
    events = _csv(client, "/territoires/alsace-nord/donnees/actions.csv")
    counts = _csv(client, "/territoires/alsace-nord/donnees/compteurs.csv")

    assert {row["territoire_identifiant"] for row in events} == {"alsace-nord"}
    assert len(events) == 3
    assert {(row["commune"], row["code_insee"], row["siren_epci"]) for row in events} == {
        ("Arques", "62040", "200069037")
    }
    sirens = " ; ".join(sorted(territories["alsace"].epcis.values_list("siren", flat=True)))
    assert {(row["territoire"], row["sirens_epci"]) for row in counts} == {("Alsace Nord", sirens)}
    assert sum(int(row["personnes_sensibilisees"]) for row in counts) == 300
    package = client.get("/territoires/alsace-nord/donnees/datapackage.json").json()
    assert package["name"] == "mixite-industrie-alsace-nord"
    assert package["title"] == "Plan d'Alsace Nord"
    assert all(
        resource["path"].startswith("http://testserver/territoires/alsace-nord/donnees/")
        for resource in package["resources"]
    )


def test_the_national_open_data_holds_every_territory(territories, client):
    events = _csv(client, "/national/donnees/actions.csv")
    counts = _csv(client, "/national/donnees/compteurs.csv")

    assert sorted(row["territoire_identifiant"] for row in events) == [
        "alsace-nord",
        "alsace-nord",
        "alsace-nord",
        "ardennes",
        "flandre-pays-de-saint-omer",
        "flandre-pays-de-saint-omer",
    ]
    unlinked = next(row for row in events if row["territoire_identifiant"] == "ardennes")
    assert (unlinked["code_insee"], unlinked["siren_epci"]) == ("", "")
    per_territory = {}
    for row in counts:
        key = row["territoire_identifiant"]
        per_territory[key] = per_territory.get(key, 0) + int(row["personnes_sensibilisees"])
    assert per_territory == {"flandre-pays-de-saint-omer": 150, "alsace-nord": 300, "ardennes": 40}
    data = json.loads(client.get("/national/donnees/compteurs.json").content)
    assert data["territoire"] == "Tous les territoires"
    assert sum(record["personnes_sensibilisees"] for record in data["donnees"]) == 490


def test_the_national_datapackage_describes_the_national_files(territories, client):
    package = client.get("/national/donnees/datapackage.json").json()

    assert package["name"] == "mixite-industrie-national"
    for resource in package["resources"]:
        path = resource["path"].removeprefix("http://testserver")
        assert path.startswith("/national/donnees/"), path
        if resource["format"] != "csv" or "?" in path:
            continue
        rows = _csv(client, path)
        assert list(rows[0]) == [field["name"] for field in resource["schema"]["fields"]]
        assert {"territoire", "territoire_identifiant"} <= set(rows[0])
    page = client.get("/national/donnees/").content.decode()
    assert 'href="/national/donnees/actions.csv"' in page


@pytest.mark.parametrize(
    "url", ["/national/donnees/actions.csv", "/national/donnees/compteurs.csv"]
)
def test_the_national_open_data_queries_do_not_grow_with_the_territories(
    client, django_assert_num_queries, url
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _extra_territories(0, 2)
    with CaptureQueriesContext(connection) as few:
        before = {row["territoire_identifiant"] for row in _csv(client, url)}
    _extra_territories(2, 5)
    cache.clear()
    with django_assert_num_queries(len(few.captured_queries)):
        assert len({row["territoire_identifiant"] for row in _csv(client, url)}) == len(before) + 3

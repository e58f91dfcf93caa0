"""The annual report (« Bilan annuel ») and the counts export as a manager sends them
to the funders: a plan that has not started, French dates, the links of a territory's
report on an instance of several territories, progress towards a target."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from feminisation import access
from indicators.figures import store
from tests.indicators.accounts import user_in
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory, TargetFactory
from tests.indicators.test_partner_exports import rows_of
from tests.initiatives.factories import AchievementFactory, ActionPlanFactory, InitiativeFactory
from tests.territories.factories import TerritoryFactory

pytestmark = [pytest.mark.django_db]

URL = reverse("annual_report", args=[2025])
PEOPLE = {"a": 41, "b": 7373}


def _plan_with_an_event(territory, people, **plan):
    plan = ActionPlanFactory(
        territory=territory, **{"start_date": datetime.date(2024, 1, 1), **plan}
    )
    event = AwarenessEventFactory(
        initiative=InitiativeFactory(plan=plan), date=datetime.date(2025, 3, 3)
    )
    AudienceCountFactory(event=event, people=people, women=None)
    return plan


@pytest.fixture
def manager(client):
    client.force_login(user_in(access.MANAGERS, "responsable"))
    return client


# A year the report cannot be made for ---------------------------------------------------


def test_a_current_plan_that_starts_after_today_has_no_report_rather_than_a_500(manager):
    """A territory publishes its next plan before it starts: it becomes the current
    one, with no year yet; the years of the plan it follows keep their reports."""
    territory = TerritoryFactory()
    _plan_with_an_event(territory, 10)
    ActionPlanFactory(territory=territory, start_date=datetime.date(2099, 1, 1))

    response = manager.get(reverse("annual_report", args=[2099]))

    assertContains(response, "Le plan commence en 2099", status_code=404)
    assert manager.get(URL).context["report"].totals.people == 10


def test_a_plan_of_one_year_is_said_to_cover_that_year(manager):
    _plan_with_an_event(
        TerritoryFactory(),
        10,
        start_date=datetime.date(2025, 1, 1),
        end_date=datetime.date(2025, 12, 31),
    )

    response = manager.get(reverse("annual_report", args=[2024]))

    assertContains(
        response,
        "Le plan couvre l&#x27;année 2025 : il n&#x27;y a pas de bilan pour 2024.",
        status_code=404,
    )


# French dates ---------------------------------------------------------------------------


def test_the_first_of_a_month_is_written_1er(manager, monkeypatch):
    """« 1er avril 2025 », not « 1 avril 2025 »: an achievement's date, and the day
    the figures of a year not over are those of."""
    plan = _plan_with_an_event(TerritoryFactory(), 10)
    AchievementFactory(
        initiative=plan.initiatives.get(), date=datetime.date(2025, 4, 1), title="Charte signée"
    )
    june_first = datetime.datetime(2025, 6, 1, 8, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: june_first)

    body = manager.get(URL).content.decode()

    assert "Charte signée</strong>, 1er avril 2025" in body
    assert "les chiffres sont ceux du 1er juin 2025." in body
    assert re.search(r"\b1 (avril|juin) 2025", body) is None


# The links of a territory's report ------------------------------------------------------


@pytest.fixture
def two_territories(db):
    """Territory A, the instance's first, and territory B, each with its plan."""
    with store.collecting():
        a, b = TerritoryFactory(), TerritoryFactory(other=True, name="Pays de Bétheville")
        return {"a": _plan_with_an_event(a, PEOPLE["a"]), "b": _plan_with_an_event(b, PEOPLE["b"])}


def _links(response):
    assert response.status_code == 200
    body = response.content.decode()
    return [
        href.replace("&amp;", "&")
        for href in re.findall(r'href="([^"#]+)"', body)
        if "/static/" not in href
    ]


@pytest.mark.parametrize("role", ["national", "staff_of_b"])
def test_the_report_of_territory_b_links_to_bs_pdf_dashboard_and_chart_data(
    client, two_territories, role
):
    """At the instance's root, its links were the root's: its PDF refused (the
    territory was not in the address), its dashboard the list of territories, and
    the data of its charts those of the instance's first territory, A."""
    b = two_territories["b"].territory
    if role == "national":
        client.force_login(user_in(access.NATIONAL_NETWORK, "reseau", territories=[]))
        query = {"territoire": b.slug}
    else:
        client.force_login(user_in(access.TERRITORY_STAFF, "equipe-b", territories=[b]))
        query = {}

    links = _links(client.get(URL, query))

    [pdf] = [link for link in links if "format=pdf" in link]
    response = client.get(pdf)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-pays-de-betheville.pdf"')
    [dashboard] = [link for link in links if link.endswith("/?annee=2025")]
    response = client.get(dashboard, follow=True)
    assert response.context["plan"] == two_territories["b"]
    [exports] = [link for link in links if link.endswith("/exports/")]
    assertContains(client.get(exports), "Territoire exporté : <strong>Pays de Bétheville</strong>")
    data = [link for link in links if "/graphiques/" in link]
    assert len(data) >= 6
    for link in data:
        assert str(PEOPLE["a"]) not in _cells(client.get(link, follow=True)), link
    cumulative = next(link for link in data if "cumul.csv" in link)
    assert str(PEOPLE["b"]) in _cells(client.get(cumulative, follow=True))


def _cells(response):
    """Every cell of a chart's CSV (a number compared whole: a name generated by a
    factory may hold its digits)."""
    text = response.content.decode("utf-8-sig")
    return {cell for row in csv.reader(io.StringIO(text)) for cell in row}


# The counts export, against the report's targets ----------------------------------------


def test_the_counts_export_never_reads_100_percent_before_the_target_is_reached(manager):
    """The report, the dashboard and every page round progress down (99 %): the
    counts file said 100.0 for 9,999 people out of 10,000."""
    plan = _plan_with_an_event(TerritoryFactory(), 9999)
    TargetFactory(plan=plan, year=2025, people=10000)

    report = manager.get(URL)
    assertContains(report, '<td class="num">99\u202f%</td>', html=True)
    rows = rows_of(manager.get(reverse("export_counts"), {"par": "annee", "format": "csv"}), "csv")

    header = rows[0]
    [year] = [row for row in rows if row[0] == "2025"]
    assert year[header.index("objectif de personnes")] == "10000"
    assert float(year[header.index("avancement (%)")]) < 100

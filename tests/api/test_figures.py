"""The API's figures are the dashboard's, for the same filters: both ask the stats
module, with the scope the dashboard's form reads."""

import datetime

import pytest
from django.utils import timezone

from indicators.figures import stats
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory

pytestmark = pytest.mark.django_db

FILTER_SETS = [
    {},
    {"annee": "2025"},
    {"du": "2025-01-01", "au": "2025-06-30"},
    {"initiative": "reseau-verrelles"},
    {"public": "filles", "annee": "2025"},
    {"initiative": "portraits-corif", "public": "prescripteurs", "du": "2025-06-01"},
]


def figures(row):
    """A row of the API as the stats module's names."""
    return (
        row["actions"],
        row["personnes_sensibilisees"],
        row["dont_femmes_ou_filles"],
        row["personnes_dont_le_sexe_est_connu"],
    )


def stats_figures(row):
    # Women unknown (null) where nobody's sex is known, as the pages' « — ».
    return (row.events, row.people, row.known_women, row.people_with_known_women)


def test_the_api_figures_are_the_dashboards(client, api_world):
    # One test for every filter set: the plan is built once.
    for query in FILTER_SETS:
        assert_same_figures(client, api_world["plan"], query)


def assert_same_figures(client, plan, query):
    dashboard = client.get("/", query).context
    scope = dashboard["filters"].scope(plan)
    today = timezone.localdate()

    totals = client.get("/api/v1/chiffres/", query).json()
    assert figures(totals) == stats_figures(dashboard["totals"])
    assert (totals["lieux_touches"], totals["partenaires_impliques"]) == (
        dashboard["venues"],
        dashboard["partners"],
    )
    assert totals["filtres"]["initiative"] == query.get("initiative")

    for path, rows in [
        ("par-initiative", stats.by_initiative(scope)),
        ("par-format", stats.by_format(scope)),
        ("par-partenaire", stats.by_partner(scope)),
        # The dashboard's audiences chart reads each audience's total from here.
        ("par-public", [e.total for e in stats.by_audience_and_quarter(scope, today=today)]),
    ]:
        answer = client.get(f"/api/v1/chiffres/{path}/", query).json()["lignes"]
        assert [figures(row) for row in answer] == [stats_figures(row) for row in rows], path
        assert [row["libelle"] for row in answer] == [row.label for row in rows], path

    months = client.get("/api/v1/chiffres/par-mois/", query).json()["lignes"]
    expected = stats.by_month(scope, today=today)
    assert [(m["mois"], m["personnes_sensibilisees"], m["cumul_personnes"]) for m in months] == [
        (f"{m.month:%Y-%m}", m.people, m.cumulative_people) for m in expected
    ]

    targets = client.get("/api/v1/chiffres/objectifs/", query).json()
    assert targets["annee"] == dashboard["target_year"]
    assert [(t["objectif_personnes"], t["personnes_sensibilisees"]) for t in targets["lignes"]] == [
        (p.target.people, p.reached.people) for p in dashboard["progress"]
    ]


def test_the_figures_hold_known_sums(client, api_world):
    """Against numbers counted by hand (tests/api/conftest.py): validated events only,
    the unpublished partner counted under « Autres partenaires »."""
    totals = client.get("/api/v1/chiffres/").json()
    by_partner = client.get("/api/v1/chiffres/par-partenaire/").json()["lignes"]
    targets = client.get("/api/v1/chiffres/objectifs/?annee=2025").json()["lignes"]

    assert figures(totals) == (4, 84, 41, 70)
    assert totals["part_des_femmes"] == round(41 / 70, 4)
    assert [(row["identifiant"], row["libelle"], row["actions"]) for row in by_partner] == [
        ("arc-france", "Arc France", 3),
        (None, stats.UNPUBLISHED_PARTNERS, 3),
    ]
    assert [
        (t["initiative"], t["objectif_personnes"], t["personnes_sensibilisees"]) for t in targets
    ] == [
        (None, 100, 60),
        ("reseau-verrelles", 40, 30),
    ]
    assert datetime.datetime.fromisoformat(totals["mis_a_jour_le"]).tzinfo is not None


def test_the_months_and_quarters_hold_an_event_dated_before_the_plans_start(
    client, api_world, plan
):
    """The plan starts on 01/01/2024; an action of November 2023 (an initiative may
    have begun before its plan) counts in the totals, and so in the months and the
    audiences' quarters, which add up to them."""
    before = AwarenessEventFactory(
        initiative=api_world["verrelles"],
        date=datetime.date(2023, 11, 20),
        title="Action d'avant le plan",
    )
    AudienceCountFactory(event=before, audience=api_world["girls"], people=7, women=4)

    totals = client.get("/api/v1/chiffres/").json()
    months = client.get("/api/v1/chiffres/par-mois/").json()["lignes"]

    assert months[0]["mois"] == "2023-11"
    assert months[0]["personnes_sensibilisees"] == 7
    assert sum(m["personnes_sensibilisees"] for m in months) == totals["personnes_sensibilisees"]
    assert months[-1]["cumul_personnes"] == totals["personnes_sensibilisees"]
    scope = client.get("/").context["filters"].scope(plan)
    audiences = stats.by_audience_and_quarter(scope, today=timezone.localdate())
    assert audiences[0].quarters[0].quarter == datetime.date(2023, 10, 1)
    for audience in audiences:
        assert sum(q.people for q in audience.quarters) == audience.total.people

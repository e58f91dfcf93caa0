"""The territory's page: people reached per intercommunality (EPCI) and per
commune, per 1,000 inhabitants, and the communes no action has reached."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from indicators.figures import stats
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import AudienceFactory, InitiativeFactory
from tests.shared import collected

pytestmark = pytest.mark.django_db

CAPSO = "CA du Pays de Saint-Omer"
LUMBRES = "CC du Pays de Lumbres"
# The populations of tests/geography/factories.py: the six communes of the CAPSO
# among the real communes stored (Saint-Omer, Arques, Longuenesse, Blendecques,
# Aire-sur-la-Lys, Éperlecques), and Lumbres.
CAPSO_POPULATION = 14382 + 9431 + 10548 + 4859 + 9598 + 3737
LUMBRES_POPULATION = 3579


@pytest.fixture
@collected
def places(plan, communes):
    """Validated events in Saint-Omer, Arques, Lumbres and in a commune typed before
    the official communes (Moulle, not linked); what must not count elsewhere."""
    verrelles = InitiativeFactory(plan=plan, number=1, slug="reseau-verrelles")
    corif = InitiativeFactory(plan=plan, number=2, slug="portraits-corif")
    girls = AudienceFactory(slug="filles", short_name="Élèves")
    prescribers = AudienceFactory(slug="prescripteurs", short_name="Prescripteurs")
    rows = [
        (
            verrelles,
            "Saint-Omer",
            datetime.date(2025, 3, 5),
            [(girls, 20, 12), (prescribers, 10, None)],
        ),
        (corif, "Arques", datetime.date(2025, 6, 1), [(girls, 30, 15)]),
        (verrelles, "Lumbres", datetime.date(2024, 9, 1), [(girls, 5, 5)]),
        (corif, "Moulle", datetime.date(2025, 2, 1), [(girls, 7, 3)]),
    ]
    for initiative, commune, date, lines in rows:
        event = AwarenessEventFactory(initiative=initiative, commune=commune, date=date)
        for audience, people, women in lines:
            AudienceCountFactory(event=event, audience=audience, people=people, women=women)
    # Neither a draft (Hazebrouck) nor another plan's event (Lille) widens the
    # territory or adds to it.
    AudienceCountFactory(
        event=AwarenessEventFactory(initiative=verrelles, commune="Hazebrouck", draft=True),
        audience=girls,
        people=100,
    )
    AudienceCountFactory(
        event=AwarenessEventFactory(initiative__plan__draft=True, commune="Lille"), people=999
    )
    return {"verrelles": verrelles, "filles": girls, "prescripteurs": prescribers}


def test_people_per_epci_and_commune_with_their_rate_per_1000_inhabitants(plan, places):
    territory = stats.territory(stats.Scope(plan))

    assert [(p.label, p.events, p.people, p.women, p.population) for p in territory.epcis] == [
        (CAPSO, 2, 60, 27, CAPSO_POPULATION),
        (LUMBRES, 1, 5, 5, LUMBRES_POPULATION),
    ]
    assert territory.epcis[0].per_thousand == pytest.approx(60_000 / CAPSO_POPULATION)
    assert [(p.label, p.epci, p.people, p.population) for p in territory.communes] == [
        ("Arques", CAPSO, 30, 9431),
        ("Saint-Omer", CAPSO, 30, 14382),
        ("Lumbres", LUMBRES, 5, 3579),
    ]
    assert territory.communes[0].per_thousand == pytest.approx(30_000 / 9431)
    assert territory.people == 72
    assert territory.commune_count == 7


def test_events_without_an_official_commune_count_apart(plan, places):
    unlinked = stats.territory(stats.Scope(plan)).unlinked

    assert (unlinked.label, unlinked.events, unlinked.people, unlinked.women) == (
        "Commune non rattachée",
        1,
        7,
        3,
    )
    assert unlinked.per_thousand is None


def test_the_communes_never_reached_are_those_of_the_territorys_epcis(plan, places):
    territory = stats.territory(stats.Scope(plan))

    # Not Hazebrouck nor Lille: no validated event of the plan took place in their EPCI.
    assert territory.not_reached == [
        (CAPSO, ["Aire-sur-la-Lys", "Blendecques", "Éperlecques", "Longuenesse"])
    ]
    assert territory.not_reached_count == 4


def test_the_filters_narrow_the_figures_not_the_territory(plan, places):
    territory = stats.territory(
        stats.Scope(plan, start=datetime.date(2024, 1, 1), end=datetime.date(2024, 12, 31))
    )

    assert [(p.label, p.people) for p in territory.epcis] == [(LUMBRES, 5), (CAPSO, 0)]
    assert territory.epcis[1].per_thousand == 0
    assert [p.label for p in territory.communes] == ["Lumbres"]
    assert territory.unlinked is None
    assert territory.not_reached_count == 6


def test_an_audience_counts_its_own_lines(plan, places):
    territory = stats.territory(stats.Scope(plan, audience=places["prescripteurs"]))

    assert [(p.label, p.events, p.people, p.women_share) for p in territory.communes] == [
        ("Saint-Omer", 1, 10, None)
    ]


def test_a_population_unknown_leaves_the_rate_unknown(plan, places, communes):
    communes["Éperlecques"].population = None
    communes["Éperlecques"].save()

    capso = stats.territory(stats.Scope(plan)).epcis[0]

    assert (capso.population, capso.per_thousand) == (None, None)


def test_homonyms_are_told_apart_by_their_postal_code(plan, places, communes):
    AwarenessEventFactory(initiative=places["verrelles"], official_commune=communes["Saint-Aubin"])
    territory = stats.territory(stats.Scope(plan))

    assert (
        CAPSO,
        ["Aire-sur-la-Lys", "Blendecques", "Éperlecques", "Longuenesse"],
    ) in territory.not_reached
    assert ("CA des Deux Baies en Montreuillois", ["Saint-Aubin"]) in territory.not_reached


def test_no_event_no_territory(plan):
    territory = stats.territory(stats.Scope(plan))

    assert (territory.epcis, territory.communes, territory.not_reached, territory.unlinked) == (
        [],
        [],
        [],
        None,
    )


EPCI_ROW = (
    '<tr><th scope="row">{label}</th><td class="chart__value">'
    '<span class="chart__number">{people}</span>'
    '<progress class="chart__bar" max="100" value="{width}" aria-hidden="true">{width} %</progress>'
    '</td><td class="num">{events}</td><td class="num">{women}</td><td class="num">{share}</td>'
    '<td class="num">{population}</td><td class="num">{rate}</td></tr>'
)


def test_the_page_shows_each_epci_with_its_bar_and_rate(client, places):
    response = client.get(reverse("territory"))

    assertContains(
        response,
        EPCI_ROW.format(
            label=CAPSO,
            people=60,
            width=100,
            events=2,
            women=27,
            share="54\u202f%",
            population="52\u202f555",
            rate="1,1",
        ),
        html=True,
    )
    assertContains(
        response,
        EPCI_ROW.format(
            label="Commune non rattachée",
            people=7,
            width=12,
            events=1,
            women=3,
            share="43\u202f%",
            population="—",
            rate="—",
        ),
        html=True,
    )
    assertContains(
        response,
        '<p class="chart__summary">72 personnes sensibilisées au total ; le plus grand '
        f"nombre : {CAPSO} (60).</p>",
        html=True,
    )


def test_a_place_where_no_ones_sex_is_known_counts_no_women(client, places):
    # Ten prescribers in Saint-Omer, whose sex is not known.
    response = client.get(reverse("territory"), {"public": "prescripteurs"})

    assertContains(
        response,
        EPCI_ROW.format(
            label=CAPSO,
            people=10,
            width=100,
            events=1,
            women="—",
            share="—",
            population="52\u202f555",
            rate="0,2",
        ),
        html=True,
    )


def test_the_page_lists_the_communes_never_reached(client, places):
    response = client.get(reverse("territory"))

    assertContains(response, '<h2 id="not-reached-title">Communes jamais touchées</h2>', html=True)
    assertContains(
        response,
        "<p>4 communes du territoire sur 7 n'ont accueilli aucune action validée depuis le "
        "début du plan.</p>",
        html=True,
    )
    assertContains(
        response,
        '<ul class="commune-names" aria-labelledby="sans-action-1"><li>Aire-sur-la-Lys</li>'
        "<li>Blendecques</li><li>Éperlecques</li><li>Longuenesse</li></ul>",
        html=True,
    )
    assertNotContains(response, "Hazebrouck")
    assertNotContains(response, "Lille")


def test_the_page_follows_the_dashboards_filters(client, places):
    response = client.get(reverse("territory"), {"annee": "2024", "initiative": "reseau-verrelles"})

    assertContains(
        response,
        '<p class="chart__summary">5 personnes sensibilisées au total ; le plus grand '
        f"nombre : {LUMBRES} (5).</p>",
        html=True,
    )
    assertContains(
        response,
        "<p>6 communes du territoire sur 7 n'ont accueilli aucune action validée en 2024 "
        "dans ce périmètre.</p>",
        html=True,
    )
    assertNotContains(response, "Commune non rattachée")


def test_one_commune_reached_is_said_in_the_singular(client, places):
    response = client.get(reverse("territory"), {"annee": "2024"})

    assertContains(response, "1 commune touchée.")


def test_an_unreadable_filter_answers_400_in_french(client, places):
    response = client.get(reverse("territory"), {"annee": "abc"})

    assert response.status_code == 400
    assertContains(response, "année", status_code=400)


def test_the_dashboard_and_the_navigation_lead_to_it(client, places):
    response = client.get(reverse("home"), {"annee": "2025"})

    assertContains(
        response,
        '<a href="/territoire/?annee=2025">Voir les personnes sensibilisées par '
        "intercommunalité et par commune</a>",
        html=True,
    )
    assertContains(
        client.get(reverse("territory")),
        '<a href="/territoire/" aria-current="page">Le territoire</a>',
        html=True,
    )


def test_a_population_loaded_anew_shows_on_the_next_request(
    client, places, tmp_path, django_capture_on_commit_callbacks
):
    assertContains(client.get(reverse("territory")), '<td class="num">14\u202f382</td>', html=True)
    newer = tmp_path / "communes.csv"
    newer.write_text(
        "code,nom,departement,codes_postaux,epci_siren,epci_nom,population\n"
        "62765,Saint-Omer,62,62500,200069037,CA du Pays de Saint-Omer,15000\n"
    )

    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_communes", file=newer, stdout=io.StringIO())

    response = client.get(reverse("territory"))
    assertContains(response, '<td class="num">15\u202f000</td>', html=True)
    assertNotContains(response, "14\u202f382")

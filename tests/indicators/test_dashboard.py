import datetime
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from tests.indicators.factories import (
    AudienceCountFactory,
    AwarenessEventFactory,
    TargetFactory,
)
from tests.indicators.sums import expected
from tests.initiatives.factories import ActionPlanFactory

pytestmark = pytest.mark.django_db


def figure(response, name):
    """The text of a headline figure, as a visitor reads it."""
    html = response.content.decode()
    marker = f'data-figure="{name}">'
    start = html.index(marker) + len(marker)
    return html[start : html.index("<", start)]


@pytest.mark.parametrize(
    ("query", "scope"),
    [
        ({}, {}),
        ({"annee": "2025"}, {"year": 2025}),
        (
            {"du": "2025-01-01", "au": "2025-06-30"},
            {"start": datetime.date(2025, 1, 1), "end": datetime.date(2025, 6, 30)},
        ),
        ({"initiative": "portraits-corif"}, {"initiative": "corif"}),
        ({"public": "prescripteurs"}, {"audience": "prescripteurs"}),
        (
            {"annee": "2025", "initiative": "reseau-verrelles", "public": "filles"},
            {"year": 2025, "initiative": "verrelles", "audience": "filles"},
        ),
    ],
)
def test_figures_equal_the_sums_of_validated_lines_for_each_filter(client, world, query, scope):
    sums = expected(world, **scope)

    response = client.get(reverse("home"), query)

    assert response.status_code == 200
    assert figure(response, "people") == str(sums["people"])
    assert figure(response, "women") == str(sums["women"])
    assert figure(response, "events") == str(sums["events"])
    share = f"{round(100 * sums['women'] / sums['known'])}\u202f%"
    assert figure(response, "women-share") == share


def test_partners_are_credited_for_the_events_they_co_organise(client, world):
    response = client.get(reverse("home"))

    assert figure(response, "partners") == "2"
    # Arc France organised 24 + 30 and co-organised 15; CAPSO organised 15 + 15
    # and co-organised 30.
    assertContains(
        response,
        '<th scope="row">Arc France</th>',
        html=True,
    )
    html = response.content.decode()
    table = html[html.index('id="par-partenaire"') :]
    assert table.index("Arc France") < table.index("CAPSO")
    assert '<span class="chart__number">69</span>' in table
    assert '<span class="chart__number">60</span>' in table


def test_monthly_chart_covers_the_last_twelve_months(client, plan):
    response = client.get(reverse("home"))

    html = response.content.decode()
    monthly = html[html.index('id="par-mois"') : html.index('id="cumul"')]
    assert monthly.count('<th scope="row">') == 12
    today = timezone.localdate()
    assert f"{today.year}</th>" in monthly


def test_this_years_target_shows_progress_in_words(client, world, plan):
    year = timezone.localdate().year
    event = AwarenessEventFactory(initiative=world["verrelles"], date=datetime.date(year, 1, 15))
    AudienceCountFactory(event=event, audience=world["filles"], people=250, women=150)
    TargetFactory(plan=plan, year=year, people=1000, women=600)

    response = client.get(reverse("home"))

    assertContains(response, f'<h2 id="targets-title">Objectifs {year}</h2>', html=True)
    assertContains(response, "<strong>250</strong> personnes sensibilisées sur un objectif de")
    assertContains(response, "dont 150 femmes ou filles sur un objectif de 600 (25\u202f%)")


def test_latest_events_show_no_internal_notes(client, world):
    AwarenessEventFactory(
        initiative=world["verrelles"], title="Forum des métiers", notes="Contact : 06 12 34 56 78"
    )

    response = client.get(reverse("home"))

    assertContains(response, '<th scope="row">Forum des métiers</th>', html=True)
    assertNotContains(response, "06 12 34 56 78")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"annee": "deux mille"}, "L'année « deux mille » n'est pas valide"),
        ({"annee": "1999"}, "L'année « 1999 » n'est pas valide"),
        ({"du": "2025-02-30"}, "La date de début « 2025-02-30 » n'est pas valide"),
        (
            {"du": "2025-06-01", "au": "2025-01-01"},
            "La date de début doit précéder la date de fin.",
        ),
        ({"annee": "2025", "du": "2025-01-01"}, "Choisissez soit une année, soit des dates"),
        ({"initiative": "inconnue"}, "Aucune initiative du plan ne correspond à « inconnue »."),
        ({"initiative": "a\x00b"}, "Aucune initiative du plan ne correspond"),
        ({"public": "<script>"}, "Aucun public cible ne correspond à « <script> »."),
        ({"annee": ["2024", "2025"]}, "Le filtre « annee » est donné plusieurs fois"),
    ],
)
def test_an_invalid_filter_answers_400_in_french_within_the_layout(client, world, query, message):
    response = client.get(reverse("home"), query)

    assert response.status_code == 400
    assert message in unescape(response.content.decode())
    assertContains(
        response, "<h1>Cette adresse contient une erreur</h1>", html=True, status_code=400
    )
    assertContains(response, 'href="/"', status_code=400)


def test_home_without_a_published_plan_says_so(client):
    ActionPlanFactory(draft=True)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assertContains(response, "Aucun plan d'action n'est encore publié")


def test_a_change_saved_in_the_admin_shows_on_the_next_request(
    client, world, django_assert_num_queries
):
    first = client.get(reverse("home"))
    with django_assert_num_queries(0):
        cached = client.get(reverse("home"))
    assert cached.content == first.content

    line = world["verrelles"].events.validated().first().counts.first()
    line.people += 7
    line.save()

    assert figure(client.get(reverse("home")), "people") == str(int(figure(first, "people")) + 7)


def test_each_filter_combination_is_cached_on_its_own(client, world):
    everything = figure(client.get(reverse("home")), "people")
    in_2025 = figure(client.get(reverse("home"), {"annee": "2025"}), "people")

    assert everything == str(expected(world)["people"])
    assert in_2025 == str(expected(world, year=2025)["people"])


def test_the_dashboard_cannot_be_framed_but_the_counter_can(client, world):
    assert client.get(reverse("home")).headers["X-Frame-Options"] == "DENY"

    response = client.get(reverse("embed_counter"))

    assert "X-Frame-Options" not in response.headers
    assertContains(
        response, f'<span class="embed__number">{expected(world)["people"]}</span>', html=True
    )
    assertContains(response, 'target="_blank"')


def chart(response, chart_id):
    html = response.content.decode()
    start = html.index(f'id="{chart_id}"')
    return html[start : html.index("</figure>", start)]


def test_breakdowns_by_initiative_audience_and_format_add_up(client, world):
    response = client.get(reverse("home"))

    by_initiative = chart(response, "par-initiative")
    verrelles = expected(world, initiative="verrelles")["people"]
    corif = expected(world, initiative="corif")["people"]
    assert f'<span class="chart__number">{verrelles}</span>' in by_initiative
    assert f'<span class="chart__number">{corif}</span>' in by_initiative
    by_audience = chart(response, "par-public")
    girls = expected(world, audience="filles")["people"]
    prescribers = expected(world, audience="prescripteurs")["people"]
    assert f'<span class="chart__number">{girls}</span>' in by_audience
    assert f'<span class="chart__number">{prescribers}</span>' in by_audience
    # Every event here is a school intervention: one bar holds everything.
    assert f'<span class="chart__number">{expected(world)["people"]}</span>' in chart(
        response, "par-format"
    )

import datetime
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from feminisation.formatting import month_label
from tests.indicators.charts import chart_html, data_table
from tests.indicators.factories import (
    AudienceCountFactory,
    AwarenessEventFactory,
    TargetFactory,
)
from tests.indicators.sums import expected
from tests.initiatives.factories import InitiativeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]


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
    _, rows = data_table(chart_html(response, "par-partenaire"))
    assert [row[:2] for row in rows] == [["Arc France", "69"], ["CAPSO", "60"]]


def test_monthly_chart_covers_the_last_twelve_months(client, plan):
    event = AwarenessEventFactory(
        initiative=InitiativeFactory(plan=plan), date=timezone.localdate()
    )
    AudienceCountFactory(event=event, people=8, women=3)

    response = client.get(reverse("home"))

    _, rows = data_table(chart_html(response, "par-mois"))
    assert len(rows) == 12
    assert rows[-1][0] == month_label(timezone.localdate())
    assert rows[-1][1] == "8"


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
        ({"annee": "abc"}, "L'année « abc » n'est pas valide : choisissez une année entre 2000"),
        ({"annee": "1999"}, "L'année « 1999 » n'est pas valide"),
        ({"annee": "2" * 5000}, "L'année « 2222"),
        ({"du": "2025-02-30"}, "La date de début « 2025-02-30 » n'est pas valide"),
        ({"au": "1999-12-31"}, "La date de fin doit être comprise entre 2000 et 2100."),
        ({"initiative": "inconnue"}, "Aucune initiative du plan ne correspond à « inconnue »."),
        ({"initiative": "a\x00b"}, "Aucune initiative du plan ne correspond"),
        ({"public": "<script>"}, "Aucun public cible ne correspond à « <script> »."),
        ({"annee": ["2024", "2025"]}, "Le filtre « annee » est donné plusieurs fois"),
        ({"du": ["2025-01-01", "abc"]}, "Le filtre « du » est donné plusieurs fois"),
        # Unreadable beats unusable: the year and dates are not the problem to tell.
        ({"annee": "2025", "du": "abc"}, "La date de début « abc » n'est pas valide"),
    ],
)
def test_an_unreadable_filter_answers_400_in_french_within_the_layout(
    client, world, query, message
):
    response = client.get(reverse("home"), query)

    assert response.status_code == 400
    assert message in unescape(response.content.decode())
    assertContains(
        response, "<h1>Cette adresse contient une erreur</h1>", html=True, status_code=400
    )
    assertContains(response, 'href="/"', status_code=400)


def test_values_are_read_stripped(client, world):
    response = client.get(reverse("home"), {"annee": " 2025 ", "initiative": "reseau-verrelles "})

    assert response.status_code == 200
    assert figure(response, "people") == str(
        expected(world, year=2025, initiative="verrelles")["people"]
    )
    assertContains(response, '<option value="2025" selected>2025</option>', html=True)


def test_a_year_outside_the_plan_is_listed_as_chosen(client, world):
    response = client.get(reverse("home"), {"annee": "2001"})

    assert figure(response, "people") == "0"
    assertContains(response, '<option value="2001" selected>2001</option>', html=True)


def error_beside(field_id, message):
    return f'<ul class="errorlist" id="{field_id}_error"><li>{message}</li></ul>'


@pytest.mark.parametrize(
    ("query", "field", "message", "kept"),
    [
        (
            {"annee": "2025", "du": "2025-01-01"},
            "annee",
            "Choisissez soit une année, soit des dates de début et de fin.",
            [
                '<option value="2025" selected>2025</option>',
                '<input type="date" name="du" value="2025-01-01" id="filtre-du">',
            ],
        ),
        (
            {"du": "2025-06-01", "au": "2025-01-01"},
            "au",
            "La date de début doit précéder la date de fin.",
            [
                '<input type="date" name="du" value="2025-06-01" id="filtre-du">',
                '<input type="date" name="au" value="2025-01-01" id="filtre-au"'
                ' aria-invalid="true" aria-describedby="filtre-au_error">',
            ],
        ),
    ],
)
def test_a_choice_the_form_cannot_use_shows_the_dashboard_with_the_error_beside_the_field(
    client, world, query, field, message, kept, django_assert_num_queries
):
    with CaptureQueriesContext(connection) as usable:
        client.get(reverse("home"), {"initiative": "reseau-verrelles"})

    with django_assert_num_queries(len(usable)):
        response = client.get(reverse("home"), {**query, "initiative": "reseau-verrelles"})

    assert response.status_code == 200
    title = world["verrelles"].title
    assertContains(response, error_beside(f"filtre-{field}", message), html=True)
    for html in kept:
        assertContains(response, html, html=True)
    assertContains(
        response, f'<option value="reseau-verrelles" selected>{title}</option>', html=True
    )
    assertContains(response, "<title>Erreur : Tableau de bord", count=1)
    # The period is dropped, the initiative kept: its figures since the plan began.
    assert figure(response, "people") == str(expected(world, initiative="verrelles")["people"])
    assertContains(
        response,
        f'<span class="headline__scope">depuis le début du plan · {title}</span>',
        html=True,
    )
    data_url = reverse("chart_data", args=["par-public"]) + "?initiative=reseau-verrelles"
    assertContains(response, f'href="{data_url}"')


def test_a_year_with_an_end_before_the_start_shows_both_errors(client, world):
    response = client.get(
        reverse("home"), {"annee": "2025", "du": "2025-06-01", "au": "2025-01-01"}
    )

    assertContains(
        response,
        error_beside(
            "filtre-annee", "Choisissez soit une année, soit des dates de début et de fin."
        ),
        html=True,
    )
    assertContains(
        response,
        error_beside("filtre-au", "La date de début doit précéder la date de fin."),
        html=True,
    )
    assert figure(response, "people") == str(expected(world)["people"])


def test_a_change_saved_in_the_admin_shows_on_the_next_request(
    client, world, django_assert_num_queries, django_capture_on_commit_callbacks
):
    first = client.get(reverse("home"))
    with django_assert_num_queries(0):
        cached = client.get(reverse("home"))
    assert cached.content == first.content

    line = world["verrelles"].events.validated().first().counts.first()
    line.people += 7
    with django_capture_on_commit_callbacks(execute=True):  # the save commits
        line.save()

    assert figure(client.get(reverse("home")), "people") == str(int(figure(first, "people")) + 7)


def test_each_filter_combination_is_cached_on_its_own(client, world):
    everything = figure(client.get(reverse("home")), "people")
    in_2025 = figure(client.get(reverse("home"), {"annee": "2025"}), "people")

    assert everything == str(expected(world)["people"])
    assert in_2025 == str(expected(world, year=2025)["people"])


CHART_LINK = re.compile(r'href="(/donnees/graphiques/[^"]*)"')


@pytest.mark.parametrize(
    ("query", "links_query"),
    [
        ("annee=2025", "?annee=2025"),
        ("du=2025-01-01&au=2025-06-30", "?du=2025-01-01&amp;au=2025-06-30"),
        # A year and dates: the form says so, the figures are the whole plan's.
        ("du=2025-01-01&annee=2025", ""),
    ],
)
def test_a_cached_page_links_its_charts_with_the_filters_it_read_only(
    client, world, django_assert_num_queries, query, links_query
):
    """The page is cached by the filters it reads: a parameter it does not read,
    given by its first visitor, must not reach the next one through the links."""
    first = client.get(f"/?utm_x=evil%22%3E&{query}&pirate_param=%3Cb%3E")
    with django_assert_num_queries(0):
        second = client.get(f"/?{query}")

    assert second.content == first.content
    html = second.content.decode()
    assert "utm_x" not in html
    assert "evil" not in html
    assert "pirate_param" not in html
    links = CHART_LINK.findall(html)
    # Each chart's data in the two formats: the standard CSV, then the Excel one.
    assert len(links) == 14
    for csv_link, excel_link in zip(links[::2], links[1::2], strict=True):
        assert csv_link.endswith(f".csv{links_query}"), links
        assert excel_link == csv_link + ("&amp;" if links_query else "?") + "format=excel"


def test_the_dashboard_cannot_be_framed_but_the_counter_can(client, world):
    assert client.get(reverse("home")).headers["X-Frame-Options"] == "DENY"

    response = client.get(reverse("embed_counter"))

    assert "X-Frame-Options" not in response.headers
    assertContains(
        response, f'<span class="embed__number">{expected(world)["people"]}</span>', html=True
    )
    assertContains(response, 'target="_blank"')


def test_breakdowns_by_initiative_audience_and_format_add_up(client, world):
    response = client.get(reverse("home"))

    def people(chart_id):
        return {row[0]: row[1] for row in data_table(chart_html(response, chart_id))[1]}

    assert people("par-initiative") == {
        world["verrelles"].title: str(expected(world, initiative="verrelles")["people"]),
        world["corif"].title: str(expected(world, initiative="corif")["people"]),
    }
    by_audience = people("par-public")
    assert by_audience[world["filles"].name] == str(expected(world, audience="filles")["people"])
    assert by_audience[world["prescripteurs"].name] == str(
        expected(world, audience="prescripteurs")["people"]
    )
    # Every event here is a school intervention: one bar holds everything.
    assert people("par-format") == {
        "Intervention en établissement scolaire": str(expected(world)["people"])
    }


def test_latest_actions_show_the_chosen_audiences_people_and_women(client, world):
    event = AwarenessEventFactory(
        initiative=world["verrelles"], title="Forum des métiers", date=datetime.date(2025, 12, 1)
    )
    AudienceCountFactory(event=event, audience=world["filles"], people=120, women=70)
    AudienceCountFactory(event=event, audience=world["prescripteurs"], people=15, women=6)
    row = (
        '<tr><td>01/12/2025</td><th scope="row">Forum des métiers</th>'
        f"<td>{world['verrelles'].title}</td><td>Intervention en établissement scolaire</td>"
        '<td>Saint-Omer</td><td class="num">{people}</td><td class="num">{women}</td></tr>'
    )

    everyone = client.get(reverse("home"))
    prescribers = client.get(reverse("home"), {"public": "prescripteurs"})
    girls = client.get(reverse("home"), {"public": "filles", "annee": "2025"})

    assertContains(everyone, row.format(people=135, women=76), html=True)
    assertContains(prescribers, row.format(people=15, women=6), html=True)
    assertContains(girls, row.format(people=120, women=70), html=True)


def test_figures_above_one_are_written_in_the_plural(client, world):
    response = client.get(reverse("home"))

    for label in (
        "personnes sensibilisées depuis le début du plan",
        "femmes ou filles",
        "actions de sensibilisation validées",
        "lieux touchés (établissements, entreprises…)",
        "partenaires impliqués",
    ):
        assertContains(response, f"<dt>{label}</dt>", html=True)


def target_labels(response):
    html = response.content.decode()
    return re.findall(r'<p class="target__label">([^<]*)</p>', unescape(html))


@pytest.fixture
def targets(world, plan):
    """This year's targets: the plan's, each initiative's, Verr'Elles' for girls, and
    the girls' across the plan; and one for last year."""
    year = timezone.localdate().year
    for initiative, audience in [
        (None, world["filles"]),
        (world["corif"], None),
        (world["verrelles"], world["filles"]),
        (None, None),
        (world["verrelles"], None),
    ]:
        TargetFactory(plan=plan, year=year, initiative=initiative, audience=audience)
    TargetFactory(plan=plan, year=year - 1, initiative=world["corif"])
    return year


def test_objectives_come_plan_first_then_per_initiative_then_per_audience(client, world, targets):
    verrelles, corif = world["verrelles"].title, world["corif"].title

    response = client.get(reverse("home"))

    assert target_labels(response) == [
        "Tout le plan",
        verrelles,
        f"{verrelles} · Filles",
        corif,
        world["filles"].name,
    ]


@pytest.mark.parametrize(
    ("query", "labels"),
    [
        ({"initiative": "reseau-verrelles"}, ["{verrelles}", "{verrelles} · Filles"]),
        ({"public": "filles"}, ["{verrelles} · Filles", "{filles}"]),
        ({"initiative": "portraits-corif", "public": "filles"}, []),
    ],
)
def test_only_the_objectives_within_the_filters_show(client, world, targets, query, labels):
    names = {"verrelles": world["verrelles"].title, "filles": world["filles"].name}

    response = client.get(reverse("home"), query)

    assert target_labels(response) == [label.format(**names) for label in labels]
    if not labels:
        assertContains(
            response,
            f"<p>Aucun objectif n'est fixé pour {targets} dans ce périmètre.</p>",
            html=True,
        )


@pytest.mark.parametrize(
    "period", ["annee={year}", "du={year}-03-01&au={year}-04-30", "au={year}-06-30"]
)
def test_the_objectives_are_those_of_the_chosen_period(client, world, targets, period):
    last_year = targets - 1

    response = client.get(reverse("home") + "?" + period.format(year=last_year))

    assertContains(response, f'<h2 id="targets-title">Objectifs {last_year}</h2>', html=True)
    assert target_labels(response) == [world["corif"].title]

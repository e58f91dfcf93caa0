"""The dashboard's SVG charts: what each draws equals its data table and its CSV,
for the filters chosen; the share of women and girls per audience and quarter."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from indicators.figures import stats
from tests.indicators.charts import SVG, chart_html, data_table, drawings, printed_values, texts
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory, TargetFactory
from tests.indicators.sums import expected
from tests.partners.factories import PartnerFactory
from tests.shared import collected

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]

CHARTS = [
    "par-mois",
    "cumul",
    "part-des-femmes",
    "par-initiative",
    "par-public",
    "par-format",
    "par-partenaire",
]
BREAKDOWNS = ["par-mois", "par-initiative", "par-public", "par-format", "par-partenaire"]
NOTHING = "Aucune personne sensibilisée sur cette période."


@pytest.fixture
@collected
def this_month(world):
    """An event today, so that the last twelve months and this year have one."""
    event = AwarenessEventFactory(initiative=world["corif"], date=timezone.localdate())
    AudienceCountFactory(event=event, audience=world["filles"], people=12, women=5)


@pytest.mark.parametrize("query", [{}, {"annee": "2025"}, {"public": "filles"}])
def test_each_chart_is_an_svg_image_named_by_its_title_and_description(
    client, world, this_month, query
):
    response = client.get(reverse("home"), query)

    for chart_id in CHARTS:
        svgs = drawings(chart_html(response, chart_id))
        assert svgs, chart_id
        for svg in svgs:
            assert svg.get("role") == "img"
            title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
            assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
            assert title.text and desc.text, chart_id
            # No inline style: the Content-Security-Policy would block it.
            assert not [node for node in svg.iter() if "style" in node.attrib], chart_id


@pytest.mark.parametrize("query", [{}, {"annee": "2025"}, {"initiative": "portraits-corif"}])
@pytest.mark.parametrize("chart_id", BREAKDOWNS)
def test_the_values_a_chart_prints_are_its_tables(client, world, this_month, chart_id, query):
    fragment = chart_html(client.get(reverse("home"), query), chart_id)

    (svg,) = drawings(fragment)
    headers, rows = data_table(fragment)

    assert headers[1] == "Personnes sensibilisées"
    assert printed_values(svg) == [row[1] for row in rows]
    if chart_id != "par-mois":
        labels = texts(svg, "chart-svg__label")
        assert " ".join(labels) == " ".join(row[0] for row in rows)


def test_the_breakdowns_print_the_sums_of_validated_lines(client, world):
    response = client.get(reverse("home"))

    def people(chart_id):
        return {row[0]: row[1] for row in data_table(chart_html(response, chart_id))[1]}

    assert people("par-initiative") == {
        world["verrelles"].title: str(expected(world, initiative="verrelles")["people"]),
        world["corif"].title: str(expected(world, initiative="corif")["people"]),
    }
    assert {name: n for name, n in people("par-public").items() if n != "0"} == {
        world["filles"].name: str(expected(world, audience="filles")["people"]),
        world["prescripteurs"].name: str(expected(world, audience="prescripteurs")["people"]),
    }
    # Arc France organised 24 + 30 and co-organised 15; CAPSO organised 15 + 15 and
    # co-organised 30: a joint event counts for each, and the page says so.
    assert people("par-partenaire") == {"Arc France": "69", "CAPSO": "60"}
    assert "Une action menée à plusieurs est comptée pour chacun de ses partenaires" in (
        chart_html(response, "par-partenaire")
    )


def shares(response):
    """{audience: [(quarter, printed share)]} from the drawing, and the same from
    the table."""
    fragment = chart_html(response, "part-des-femmes")
    drawn = {}
    for svg in drawings(fragment):
        audience = svg.find(f"{SVG}title").text
        ticks, years = texts(svg, "chart-svg__tick"), texts(svg, "chart-svg__year")
        drawn[audience] = list(zip(ticks, printed_values(svg), strict=True))
        assert years[0].isdigit()
    table = {}
    for audience, quarter, *_, share in data_table(fragment)[1]:
        table.setdefault(audience, []).append((quarter.split()[0], share))
    return drawn, table


def test_the_share_of_women_per_audience_and_quarter(client, world):
    response = client.get(reverse("home"), {"annee": "2025"})

    drawn, table = shares(response)

    girls, prescribers = world["filles"].name, world["prescripteurs"].name
    # Girls: 30 of whom 18 women in February; in November 10 whose sex is unknown.
    # Prescribers: 15 of whom 9 in June, 5 of whom 2 in November.
    assert table == {
        girls: [("T1", "60\u202f%"), ("T2", "—"), ("T3", "—"), ("T4", "—")],
        prescribers: [("T1", "—"), ("T2", "60\u202f%"), ("T3", "—"), ("T4", "40\u202f%")],
    }
    assert drawn == table


def test_the_share_chart_follows_the_audience_filter(client, world):
    response = client.get(reverse("home"), {"annee": "2025", "public": "prescripteurs"})

    drawn, table = shares(response)

    assert list(drawn) == list(table) == [world["prescripteurs"].name]


@pytest.mark.parametrize(
    "scope",
    [
        {},
        {"start": datetime.date(2025, 2, 1), "end": datetime.date(2025, 11, 30)},
        {"initiative": "corif"},
        {"audience": "filles"},
        {"precomputed": False},
    ],
)
def test_the_audiences_quarters_add_up_to_by_audience(world, plan, scope):
    scope = stats.Scope(plan, **{name: world.get(value, value) for name, value in scope.items()})

    audiences = stats.by_audience_and_quarter(scope, today=datetime.date(2026, 1, 1))

    assert [entry.total for entry in audiences] == stats.by_audience(scope)
    for entry in audiences:
        assert sum(q.people for q in entry.quarters) == entry.total.people
        assert sum(q.women for q in entry.quarters) == entry.total.women


def test_the_quarters_run_from_the_plans_start_to_today(world, plan):
    audiences = stats.by_audience_and_quarter(stats.Scope(plan), today=datetime.date(2026, 2, 2))

    quarters = [q.label for q in audiences[0].quarters]
    assert quarters == [
        *("T1 2024", "T2 2024", "T3 2024", "T4 2024"),
        *("T1 2025", "T2 2025", "T3 2025", "T4 2025"),
        "T1 2026",
    ]
    girls = next(entry for entry in audiences if entry.total.key == world["filles"])
    assert [q.women_share for q in girls.quarters] == [0.6, *[None] * 3, 0.6, *[None] * 4]


def test_the_quarters_run_on_to_an_event_dated_after_today(world, plan):
    """An action dated later than today (entered ahead) counts in the totals: its
    quarter is drawn too, and the quarters add up to the totals."""
    audiences = stats.by_audience_and_quarter(stats.Scope(plan), today=datetime.date(2025, 5, 2))

    assert audiences[0].quarters[-1].label == "T4 2025"
    for audience in audiences:
        assert sum(q.people for q in audience.quarters) == audience.total.people


def test_the_cumul_of_the_year_is_drawn_against_its_target(client, world, plan):
    year = timezone.localdate().year
    event = AwarenessEventFactory(initiative=world["verrelles"], date=datetime.date(year, 1, 15))
    AudienceCountFactory(event=event, audience=world["filles"], people=250, women=150)
    TargetFactory(plan=plan, year=year, people=1000, women=600)

    response = client.get(reverse("home"))

    fragment = chart_html(response, "cumul")
    (svg,) = drawings(fragment)
    headers, rows = data_table(fragment)
    assert headers[2:] == [f"Cumul depuis le 1er janvier {year}", f"Objectif {year}"]
    assert rows[0][1:] == ["250", "250", "1\u202f000"]
    assert printed_values(svg) == [rows[-1][2]] == ["250"]
    assert texts(svg, "chart-svg__target-label") == [f"Objectif {year} : 1\u202f000"]
    assert svg.find(f".//{SVG}line[@class='chart-svg__target']") is not None
    assertContains(
        response,
        f'<p class="chart__summary">Le cumul atteint 250 personnes sensibilisées fin {rows[-1][0]},'
        f" soit 25\u202f% de l'objectif {year} (1\u202f000).</p>",
        html=True,
    )


def test_a_target_for_the_whole_plan_is_not_drawn_for_one_initiative(
    client, world, plan, this_month
):
    year = timezone.localdate().year
    TargetFactory(plan=plan, year=year, people=1000)

    fragment = chart_html(client.get(reverse("home"), {"initiative": "portraits-corif"}), "cumul")

    assert "chart-svg__target" not in fragment
    assert "Objectif" not in data_table(fragment)[0]


def test_a_period_with_nothing_says_so_in_french_instead_of_empty_frames(client, world):
    response = client.get(reverse("home"), {"annee": "2001"})

    for chart_id in CHARTS:
        fragment = chart_html(response, chart_id)
        assert drawings(fragment) == [], chart_id
        assert "Voir les données" not in fragment
    assertContains(response, f'<p class="chart__summary">{NOTHING}</p>', count=7, html=True)
    assertNotContains(response, "Le sexe des personnes sensibilisées n'est connu")


def test_a_period_where_no_ones_sex_is_known_says_so_and_counts_no_women(client, world):
    # In November 2025, 10 girls whose sex is not known.
    query = {"du": "2025-11-01", "au": "2025-11-30", "public": "filles"}
    response = client.get(reverse("home"), query)

    assertContains(
        response,
        '<p class="chart__summary">Le sexe des personnes sensibilisées n\'est connu pour aucun '
        "trimestre de cette période.</p>",
        html=True,
    )
    # Unknown is not zero: no women counted where nobody's sex is known.
    for chart_id in BREAKDOWNS:
        rows = data_table(chart_html(response, chart_id))[1]
        assert rows and all(row[-2:] == ["—", "—"] for row in rows), chart_id
    for chart_id, row in (
        ("par-initiative", [world["corif"].title, "10", "", ""]),
        ("part-des-femmes", [world["filles"].name, "T4 2025", "10", "", "0", ""]),
    ):
        file = csv_rows(client.get(reverse("chart_data", args=[chart_id]), query))
        assert row in file[1:], chart_id


def test_each_table_is_behind_see_the_data(client, world):
    response = client.get(reverse("home"))

    assertContains(
        response,
        '<summary>Voir les données<span class="visually-hidden"> du graphique '
        "« Personnes sensibilisées par initiative »</span></summary>",
        html=True,
    )
    assertNotContains(response, "<details open")


def csv_rows(response):
    return [line.split(",") for line in response.content.decode("utf-8-sig").splitlines()]


@pytest.mark.parametrize("query", ["annee=2025", "annee=2025&public=prescripteurs"])
def test_the_share_charts_csv_has_the_tables_numbers_for_the_same_filters(client, world, query):
    page = client.get(f"/?{query}")
    url = reverse("chart_data", args=["part-des-femmes"]) + f"?{query}"
    assert f'href="{url.replace("&", "&amp;")}"' in page.content.decode()

    rows = csv_rows(client.get(url))

    table = data_table(chart_html(page, "part-des-femmes"))[1]
    assert rows[0] == [
        "Public cible",
        "Trimestre",
        "Personnes sensibilisées",
        "dont femmes ou filles",
        "personnes dont le sexe est connu",
        "part des femmes (%)",
    ]
    # An unknown count of women is written « — » on the page, left empty in the file.
    assert [row[:5] for row in rows[1:]] == [
        [cell if cell != "—" else "" for cell in row[:5]] for row in table
    ]
    assert [row[5] for row in rows[1:]] == [
        share.replace("\u202f%", ".0") if share != "—" else "" for *_, share in table
    ]


def test_the_cumul_csv_has_the_target(client, world, plan):
    TargetFactory(plan=plan, year=2025, people=500)

    rows = csv_rows(client.get(reverse("chart_data", args=["cumul"]), {"annee": "2025"}))

    assert rows[0] == [
        "Mois",
        "Personnes sensibilisées",
        "Cumul depuis le 1er janvier 2025",
        "Objectif 2025",
    ]
    assert rows[2] == ["février 2025", "30", "30", "500"]
    assert rows[-1] == ["décembre 2025", "0", "60", "500"]


def test_a_name_in_a_charts_table_is_text_not_markup(client, world):
    """The tables are written by `charts.table_rows`, which escapes what it writes."""
    partner = PartnerFactory(name="Atelier <b>Arques</b> & Cie", is_public=True)
    event = AwarenessEventFactory(
        initiative=world["corif"], date=datetime.date(2025, 5, 6), organizer=partner
    )
    AudienceCountFactory(event=event, audience=world["filles"], people=9, women=4)

    fragment = chart_html(client.get(reverse("home"), {"annee": "2025"}), "par-partenaire")

    assert "<b>Arques</b>" not in fragment
    _, rows = data_table(fragment)
    assert ["Atelier <b>Arques</b> & Cie", "9"] in [row[:2] for row in rows]

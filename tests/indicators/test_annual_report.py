"""The annual report for the funders (/exports/bilan/<année>/): its figures are the
dashboard's for that year, in the page and in its PDF."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader
from pytest_django.asserts import assertContains, assertNotContains

from feminisation import access
from feminisation.formatting import percent
from tests.indicators.accounts import user_in
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory, TargetFactory
from tests.initiatives.factories import AchievementFactory, ActionPlanFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]

URL = reverse("annual_report", args=[2025])


@pytest.fixture
def manager_client(client):
    client.force_login(user_in(access.MANAGERS, "responsable"))
    return client


def plain(text):
    """Spaces as a reader sees them: French numbers and shares use no-break spaces."""
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


def test_the_pdf_holds_the_dashboards_figures_for_the_year(manager_client, client, world, plan):
    """One PDF for the whole module (WeasyPrint takes a second): a joint event counted
    once in the totals and credited to both partners, an unknown sex left out of the
    share, a target, an achievement of the year."""
    TargetFactory(plan=plan, year=2025, people=120)
    AchievementFactory(
        initiative=world["verrelles"], date=datetime.date(2025, 4, 2), title="Charte signée"
    )
    dashboard = manager_client.get(reverse("home"), {"annee": "2025"}).context
    totals = dashboard["totals"]
    assert (totals.events, totals.people, totals.women) == (3, 60, 29)

    response = manager_client.get(URL, {"format": "pdf"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="bilan-2025-flandre-pays-de-saint-omer.pdf"'
    )
    reader = PdfReader(io.BytesIO(response.content))
    pages = [plain(page.extract_text()) for page in reader.pages]
    text = " ".join(pages)
    assert f"Page 1 sur {len(pages)}" in pages[0]
    assert "Produit le " in pages[0]
    assert (
        f"En 2025, {totals.people} personnes ont été sensibilisées aux métiers de l'industrie "
        f"par {totals.events} actions validées, dont {plain(percent(totals.women_share))} "
        "de femmes et de filles parmi les personnes dont le sexe est connu"
    ) in text
    assert f"{dashboard['venues']} lieux touchés" in text
    assert f"{dashboard['partners']} partenaires impliqués" in text
    assert "sexe non renseigné pour 10 personnes" in text
    # The target: 60 reached out of 120.
    assert "Tout le plan 120 60 50 %" in text
    assert "Charte signée" in text
    # The joint events: counted once above, in full for each of their partners.
    assert "Arc France 2 45 " in text
    assert "CAPSO 3 60 " in text
    # The annex, oldest first.
    assert text.index("10/02/2025") < text.index("20/06/2025") < text.index("03/11/2025")


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_partner_accounts_may_not_see_the_report(client, world):
    client.force_login(user_in(access.PARTNERS, "partenaire"))
    assert client.get(URL).status_code == 403
    assert client.get(URL, {"format": "pdf"}).status_code == 403


def test_territory_staff_see_the_report(client, world):
    client.force_login(user_in(access.TERRITORY_STAFF, "equipe"))
    assert client.get(URL).status_code == 200


def test_the_page_has_every_section_the_year_before_and_the_annex(manager_client, world):
    response = manager_client.get(URL)

    assert response.status_code == 200
    for section in ("chiffres", "objectifs", "publics", "initiatives", "partenaires", "methode"):
        assertContains(response, f'<section id="{section}"')
    # Girls: 18 women among the 30 people whose sex is known, as in 2024 (12 of 20).
    report = response.context["report"]
    girls = next(row for row in report.audiences if row.current.key == world["filles"])
    assert (girls.current.women_share, girls.previous.women_share) == (0.6, 0.6)
    assert girls.share_change == 0
    # The prescribers' sex was not known in 2024: no change to show.
    prescribers = next(row for row in report.audiences if row.current.key == world["prescripteurs"])
    assert prescribers.previous.women_share is None
    assert prescribers.share_change is None
    assertContains(response, '<td class="num">stable</td>', html=True)
    # The headline's comparison: the whole of 2024.
    assertContains(response, "par rapport à 2024 (24)")
    rows = response.content.decode().split('data-report-table="actions"')[1].count("<tr>")
    assert rows == 1 + 3  # the header, then the year's three events
    assertContains(response, "<td>Arc France, CAPSO</td>", html=True)
    assertContains(response, '<td class="num">—</td>', html=True)


def test_the_page_makes_as_many_queries_whatever_the_number_of_events(manager_client, world):
    with CaptureQueriesContext(connection) as few:
        assert manager_client.get(URL).status_code == 200
    for day in range(1, 6):
        event = AwarenessEventFactory(
            initiative=world["corif"],
            date=datetime.date(2025, 5, day),
            co_organizers=[world["rows"][0][2]],
        )
        AudienceCountFactory(event=event, audience=world["filles"])
    with CaptureQueriesContext(connection) as many:
        response = manager_client.get(URL)
    assert response.context["report"].totals.events == 8
    assert len(many) == len(few)


@pytest.mark.parametrize(
    ("year", "message"),
    [
        (2023, "Le plan couvre les années 2024 à"),
        (2024 + 10, "Le plan couvre les années 2024 à"),
    ],
)
def test_a_year_outside_the_plan_has_no_report(manager_client, world, year, message):
    response = manager_client.get(reverse("annual_report", args=[year]))
    assertContains(response, message, status_code=404)


def test_a_year_of_the_territorys_previous_plan_has_that_plans_report(manager_client, world, plan):
    """Funders ask for last year's report once the next plan has begun: it is the
    plan's that ran that year, linked from the exports page with the new plan's."""
    before = manager_client.get(URL).context["report"]
    plan.end_date = datetime.date(2025, 12, 31)
    plan.save()
    ActionPlanFactory(
        territory=plan.territory, title="Plan 2026-2030", start_date=datetime.date(2026, 1, 1)
    )

    response = manager_client.get(URL)

    assert response.status_code == 200
    assert response.context["report"].totals == before.totals
    assertContains(response, f'<p class="report-cover__plan">{plan.title}</p>', html=True)
    assertNotContains(response, "Plan 2026-2030")
    # The public dashboard and its charts' data now show the next plan: no link to
    # them, and the report says why.
    assertNotContains(response, 'href="/?annee=2025"')
    assertNotContains(response, "/donnees/graphiques/")
    assertContains(response, "que le tableau de bord public ne montre plus")
    exports = manager_client.get(reverse("exports"))
    for year in (2026, 2025, 2024):
        assertContains(
            exports, f'<a href="{reverse("annual_report", args=[year])}">Bilan {year}</a>'
        )


def test_a_year_of_two_plans_has_a_report_for_each(manager_client, world, plan):
    """A plan ends in June, the next begins in July: each has its report for the
    year, named on the exports page."""
    plan.end_date = datetime.date(2025, 6, 30)
    plan.save()
    summer = ActionPlanFactory(
        territory=plan.territory, title="Plan de l'été", start_date=datetime.date(2025, 7, 1)
    )

    exports = manager_client.get(reverse("exports"))

    for named in (summer, plan):
        assertContains(
            exports,
            f'<a href="{URL}?plan={named.slug}">Bilan 2025 — {named.title}</a>',
            html=True,
        )
    assertContains(exports, f'<a href="{reverse("annual_report", args=[2024])}">Bilan 2024</a>')
    before = manager_client.get(URL, {"plan": plan.slug})
    assert before.context["report"].plan == plan
    assert before.context["report"].totals.events == 3
    assertContains(before, f'href="{URL}?format=pdf&amp;plan={plan.slug}"')
    # The plan that began in July has no validated event in this territory yet.
    assertContains(
        manager_client.get(URL, {"plan": summer.slug}), "Aucune action validée", status_code=404
    )


def test_a_plan_without_an_end_date_ends_when_the_next_one_begins(manager_client, world, plan):
    ActionPlanFactory(territory=plan.territory, start_date=datetime.date(2026, 1, 1))

    exports = manager_client.get(reverse("exports"))

    for year in (2026, 2025, 2024):
        assertContains(
            exports,
            f'<a href="{reverse("annual_report", args=[year])}">Bilan {year}</a>',
            count=1,
            html=True,
        )
    assertNotContains(exports, "?plan=")


def test_a_report_of_a_year_of_two_plans_has_a_file_name_of_its_own(manager_client, world, plan):
    plan.end_date = datetime.date(2025, 6, 30)
    plan.save()
    ActionPlanFactory(territory=plan.territory, start_date=datetime.date(2025, 7, 1))

    response = manager_client.get(URL, {"plan": plan.slug, "format": "pdf"})

    assert response["Content-Disposition"] == (
        f'attachment; filename="bilan-2025-flandre-pays-de-saint-omer-{plan.slug}.pdf"'
    )


def test_an_empty_plan_is_no_plan_and_two_are_refused(manager_client, world, plan):
    assert manager_client.get(URL, {"plan": ""}).context["report"].plan == plan
    response = manager_client.get(URL, {"plan": [plan.slug, plan.slug]})
    assertContains(response, "Le paramètre « plan » est donné plusieurs fois", status_code=400)


@pytest.mark.parametrize(
    "slug",
    ["inconnu", "plan\x00", "autre-territoire", "x" * 5000],
    ids=["unknown", "nul", "another territory's", "5,000 characters"],
)
def test_a_plan_that_is_not_one_of_the_territorys_has_no_report(manager_client, world, plan, slug):
    ActionPlanFactory(slug="autre-territoire", territory__other=True)

    response = manager_client.get(URL, {"plan": slug})

    assertContains(response, "n&#x27;a pas de plan d&#x27;action publié", status_code=404)


def test_a_year_without_validated_events_says_so(manager_client, world, plan):
    plan.start_date = datetime.date(2023, 1, 1)
    plan.save()
    response = manager_client.get(reverse("annual_report", args=[2023]), {"format": "pdf"})
    assertContains(response, "de chiffres en 2023 : le bilan", status_code=404)


@pytest.mark.parametrize("query", ["format=docx", "format=pdf&format=html"])
def test_an_unknown_format_is_a_bad_request(manager_client, world, query):
    response = manager_client.get(f"{URL}?{query}")
    assertContains(response, "Le format du bilan doit être", status_code=400)


def test_a_year_that_is_not_a_number_is_not_found(manager_client, world):
    assert manager_client.get("/exports/bilan/deux-mille/").status_code == 404
    assert manager_client.get("/exports/bilan/99999999999999999999/").status_code == 404


def test_the_exports_page_links_to_each_years_report(manager_client, world):
    response = manager_client.get(reverse("exports"))
    assertContains(response, f'href="{URL}?format=pdf"')
    assertContains(response, f'<a href="{reverse("annual_report", args=[2024])}">Bilan 2024</a>')

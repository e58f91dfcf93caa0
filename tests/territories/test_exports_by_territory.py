"""Two territories on one instance: every account of territory A, whatever its role,
gets A's rows and none of B's from every export file in every format, the annual
report and the API; asking for B is refused in French; the national network reads
both, one at a time or all at once. The files are read, not only their status."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feminisation import access
from indicators.views import chosen_territory
from territories import scoping
from tests.indicators.accounts import user_in
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory, TargetFactory
from tests.indicators.test_partner_exports import FILES, FORMATS, rows_of
from tests.initiatives.factories import ActionPlanFactory, AudienceFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory
from tests.shared import fresh
from tests.territories.factories import TerritoryFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_two_territories")]

# What each territory's rows say, and nothing of the other's does.
MARKS = {
    "a": {"title": "Forum d'Arques", "partner": "Atelier Arques", "people": 41},
    "b": {"title": "Forum de Bétheville", "partner": "Atelier Bétheville", "people": 7373},
}
SHARED = "Réseau des deux territoires"


def _territory_world(territory, key, girls, shared):
    marks = MARKS[key]
    plan = ActionPlanFactory(territory=territory, start_date=datetime.date(2024, 1, 1))
    initiative = InitiativeFactory(plan=plan, number=1, slug=f"initiative-{key}")
    own = PartnerFactory(name=marks["partner"], slug=f"atelier-{key}", territories=[territory])
    for organizer, title in ((own, marks["title"]), (shared, f"{marks['title']} en réseau")):
        event = AwarenessEventFactory(
            initiative=initiative,
            date=datetime.date(2025, 3, 10),
            title=title,
            organizer=organizer,
        )
        AudienceCountFactory(event=event, audience=girls, people=marks["people"], women=None)
    TargetFactory(plan=plan, year=2025, people=marks["people"] * 10)
    return {"plan": plan, "partner": own}


@pytest.fixture
def two_territories(db, shared_two_territories):
    return fresh(shared_two_territories)


@pytest.fixture(scope="module")
def shared_two_territories(module_db):
    a = TerritoryFactory()
    b = TerritoryFactory(other=True, name="Pays de Bétheville", slug="betheville")
    girls = AudienceFactory(slug="filles")
    # A partner organisation that works in both territories.
    shared = PartnerFactory(name=SHARED, slug="reseau-commun", territories=[a, b])
    return {
        "a": a,
        "b": b,
        "shared": shared,
        "in_a": _territory_world(a, "a", girls, shared),
        "in_b": _territory_world(b, "b", girls, shared),
    }


def account(world, role):
    if role == "national":
        return user_in(access.NATIONAL_NETWORK, "reseau", territories=[])
    if role == "partner":
        organisations = [world["in_a"]["partner"], world["shared"]]
        return user_in(access.PARTNERS, "partenaire", organisations=organisations)
    group = {"staff": access.TERRITORY_STAFF, "manager": access.MANAGERS}[role]
    return user_in(group, role)


ROLES_OF_A = ["staff", "manager", "partner"]


def text_of(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def read(response, file_format):
    """The file's rows, read to the end: the test client then closes the response (a
    workbook's temporary file with it)."""
    return rows_of(response, file_format)


def cells(response, file_format):
    return {cell for row in read(response, file_format) for cell in row}


def assert_only(found, key):
    """`found` (the cells of a file) holds territory `key`'s marks and none of the
    other's: a name within a cell, a number as a whole cell."""
    other = "b" if key == "a" else "a"
    assert any(_has(found, mark) for mark in _marks(key))
    for mark in _marks(other):
        assert not _has(found, mark)


def _marks(key):
    """A territory's title, partner and people, alone or its two events summed."""
    marks = MARKS[key]
    return [marks["title"], marks["partner"], str(marks["people"]), str(2 * marks["people"])]


def _has(found, mark):
    if mark.isdigit():
        return mark in found
    return any(mark in cell for cell in found)


@pytest.mark.parametrize("role", ROLES_OF_A)
@pytest.mark.parametrize("file_format", FORMATS)
@pytest.mark.parametrize("name", FILES)
def test_an_account_of_a_exports_a_and_nothing_of_b(
    client, two_territories, role, file_format, name
):
    client.force_login(account(two_territories, role))
    query = {"format": file_format, "statut": "toutes"}
    for url in (reverse(name), f"/territoires/{two_territories['a'].slug}{reverse(name)}"):
        assert_only(cells(client.get(url, query), file_format), "a")
    # Its own territory named on the page's choice: the same.
    found = cells(
        client.get(reverse(name), {**query, "territoire": "flandre-pays-de-saint-omer"}),
        file_format,
    )
    assert_only(found, "a")


@pytest.mark.parametrize("role", ROLES_OF_A)
@pytest.mark.parametrize("name", [*FILES, "exports"])
def test_an_account_of_a_asking_for_b_is_refused_in_french(client, two_territories, role, name):
    client.force_login(account(two_territories, role))
    b = two_territories["b"]
    for response in (
        client.get(reverse(name), {"territoire": b.slug}),
        client.get(f"/territoires/{b.slug}{reverse(name)}"),
    ):
        assert response.status_code == 403
        body = text_of(response)
        assert scoping.not_yours(b).replace("'", "&#x27;") in body
        for mark in MARKS["b"].values():
            assert str(mark) not in body


@pytest.mark.parametrize("role", ROLES_OF_A)
def test_only_the_national_network_exports_every_territory(client, two_territories, role):
    client.force_login(account(two_territories, role))
    response = client.get(reverse("export_events"), {"territoire": "tous"})
    assert response.status_code == 403
    assert "Seul le réseau national exporte" in text_of(response)


def test_a_territory_that_does_not_exist_is_a_400(client, two_territories):
    client.force_login(account(two_territories, "manager"))
    response = client.get(reverse("export_counts"), {"territoire": "atlantide"})
    assert response.status_code == 400
    assert "Aucun territoire ne correspond à « atlantide »" in text_of(response)


@pytest.mark.parametrize("file_format", FORMATS)
@pytest.mark.parametrize("name", FILES)
def test_the_national_network_exports_each_territory(client, two_territories, file_format, name):
    client.force_login(account(two_territories, "national"))
    query = {"format": file_format, "statut": "toutes"}
    for key in ("a", "b"):
        slug = two_territories[key].slug
        assert_only(
            cells(client.get(reverse(name), {**query, "territoire": slug}), file_format), key
        )
        assert_only(
            cells(client.get(f"/territoires/{slug}{reverse(name)}", query), file_format), key
        )


@pytest.mark.parametrize("file_format", FORMATS)
@pytest.mark.parametrize("name", FILES)
def test_the_national_network_exports_every_territory_at_once(
    client, two_territories, file_format, name
):
    client.force_login(account(two_territories, "national"))
    response = client.get(reverse(name), {"format": file_format, "territoire": "tous"})
    assert "tous-territoires" in response["Content-Disposition"]
    rows = read(response, file_format)
    assert rows[0][0] == "territoire"
    by_territory = {}
    for row in rows[1:]:
        by_territory.setdefault(row[0], set()).update(row)
    a, b = two_territories["a"].name, two_territories["b"].name
    # Each territory's rows name it, and only its own marks.
    assert set(by_territory) - {"Tous les territoires"} == {a, b}
    assert_only(by_territory[a], "a")
    assert_only(by_territory[b], "b")
    if name == "export_events":
        titles = {row[rows[0].index("intitulé")] for row in rows[1:]}
        assert {MARKS["a"]["title"], MARKS["b"]["title"]} <= titles
    if name == "export_counts":
        total = next(row for row in rows if row[0] == "Tous les territoires")
        people = total[rows[0].index("personnes sensibilisées")]
        assert people == str(2 * (MARKS["a"]["people"] + MARKS["b"]["people"]))


def test_a_national_file_without_a_territory_asks_to_choose_one(client, two_territories):
    client.force_login(account(two_territories, "national"))
    response = client.get(reverse("export_events"))
    assert response.status_code == 400
    assert "choisissez celui à exporter" in text_of(response)


def test_the_export_page_offers_the_national_network_each_territory_and_all(
    client, two_territories
):
    client.force_login(account(two_territories, "national"))
    page = client.get(reverse("exports"))
    assert page.status_code == 200
    body = text_of(page)
    for territory in (two_territories["a"], two_territories["b"]):
        assert f'<option value="{territory.slug}"' in body
    assert '<option value="tous">Tous les territoires</option>' in body
    # The first territory shown; its report carries the choice.
    assert "Territoire exporté : <strong>Flandre Pays de Saint-Omer</strong>" in body
    assert "?territoire=flandre-pays-de-saint-omer" in body
    every = text_of(client.get(reverse("exports"), {"territoire": "tous"}))
    assert "Territoires exportés : <strong>tous</strong>" in every
    assert "Bilan 2025" not in every


@pytest.mark.parametrize("role", ["staff", "manager"])
def test_the_export_page_of_an_account_of_one_territory_offers_no_choice(
    client, two_territories, role
):
    client.force_login(account(two_territories, role))
    body = text_of(client.get(reverse("exports")))
    assert 'name="territoire"' not in body
    assert "Territoire exporté : <strong>Flandre Pays de Saint-Omer</strong>" in body
    assert MARKS["b"]["partner"] not in body


@pytest.mark.parametrize("role", ["staff", "manager"])
def test_the_annual_report_is_the_accounts_territorys(client, two_territories, role):
    client.force_login(account(two_territories, role))
    for url in (
        reverse("annual_report", args=[2025]),
        f"/territoires/{two_territories['a'].slug}{reverse('annual_report', args=[2025])}",
    ):
        body = text_of(client.get(url))
        assert MARKS["a"]["partner"] in body
        for mark in MARKS["b"].values():
            assert str(mark) not in body
    b = two_territories["b"]
    for response in (
        client.get(reverse("annual_report", args=[2025]), {"territoire": b.slug}),
        client.get(f"/territoires/{b.slug}{reverse('annual_report', args=[2025])}"),
    ):
        assert response.status_code == 403
        assert MARKS["b"]["partner"] not in text_of(response)
        assert "n&#x27;a pas accès aux chiffres du territoire « Pays de Bétheville »" in (
            text_of(response)
        )


def test_the_national_network_reads_each_territorys_report(client, two_territories):
    client.force_login(account(two_territories, "national"))
    url = reverse("annual_report", args=[2025])
    for key in ("a", "b"):
        body = text_of(client.get(url, {"territoire": two_territories[key].slug}))
        assert MARKS[key]["partner"] in body
        assert MARKS["b" if key == "a" else "a"]["partner"] not in body
    response = client.get(url, {"territoire": "tous"})
    assert response.status_code == 400
    assert chosen_territory.ONE_TERRITORY.replace("'", "&#x27;") in text_of(response)
    assert client.get(url).status_code == 400


API_ENDPOINTS = ["api_plan", "api_partners", "api_actions", "api_totals", "api_by_partner"]


@pytest.mark.parametrize("name", API_ENDPOINTS)
def test_the_api_answers_for_the_territory_asked_and_no_other(client, two_territories, name):
    for key in ("a", "b"):
        response = client.get(reverse(name), {"territoire": two_territories[key].slug})
        assert response.status_code == 200
        body = response.content.decode()
        other = MARKS["b" if key == "a" else "a"]
        assert other["partner"] not in body and other["title"] not in body
        if name in ("api_partners", "api_by_partner"):
            assert MARKS[key]["partner"] in body
    if name == "api_totals":
        answer = client.get(reverse(name), {"territoire": two_territories["b"].slug}).json()
        assert answer["personnes_sensibilisees"] == 2 * MARKS["b"]["people"]


@pytest.mark.parametrize("name", API_ENDPOINTS)
def test_the_api_of_several_territories_needs_one(client, two_territories, name):
    response = client.get(reverse(name))
    assert response.status_code == 400
    assert "précisez lequel avec le paramètre « territoire »" in response.json()["detail"]
    response = client.get(reverse(name), {"territoire": "atlantide"})
    assert response.status_code == 400
    assert response.json()["detail"] == "Aucun territoire ne correspond à « atlantide »."


@pytest.mark.parametrize("path", ["/exports/", "/exports/evenements.csv", "/exports/bilan/2025/"])
def test_a_territorys_exports_send_an_anonymous_visitor_to_the_instances_login(
    client, two_territories, path
):
    url = f"/territoires/{two_territories['b'].slug}{path}"
    response = client.get(url)
    assert response.status_code == 302
    login, _, query = response.url.partition("?")
    assert login == reverse("admin:login")
    assert query == f"next={url}"
    assert client.get(response.url).status_code == 200


def test_every_territory_in_one_workbook_must_fit_its_sheet(client, two_territories, monkeypatch):
    """Two rows a territory: a sheet of four rows below its header holds them all, of
    three each territory's but not both."""
    from indicators.exports import xlsx

    client.force_login(account(two_territories, "national"))
    query = {"format": "xlsx", "territoire": "tous"}
    monkeypatch.setattr(xlsx, "SHEET_ROWS", 5)
    assert len(read(client.get(reverse("export_events"), query), "xlsx")) == 5
    monkeypatch.setattr(xlsx, "SHEET_ROWS", 4)
    response = client.get(reverse("export_events"), query)
    assert response.status_code == 400
    assert "Ce classeur compterait plus de 3 lignes" in text_of(response)
    slug = two_territories["b"].slug
    response = client.get(reverse("export_events"), {**query, "territoire": slug})
    assert len(read(response, "xlsx")) == 3


def _queries(client, name, query):
    with CaptureQueriesContext(connection) as captured:
        read(client.get(reverse(name), query), "csv")
    return len(captured.captured_queries)


def _fourth_territory_with_more_rows(world, girls):
    fourth = _territory_world(TerritoryFactory(other=True), "a", girls, world["shared"])
    for day in range(1, 6):
        event = AwarenessEventFactory(
            initiative=fourth["plan"].initiatives.get(),
            date=datetime.date(2025, 4, day),
            organizer=fourth["partner"],
        )
        AudienceCountFactory(event=event, audience=girls)


@pytest.mark.parametrize("name", ["export_events", "export_partners"])
def test_every_territory_costs_the_same_queries_per_territory(
    client, two_territories, name, django_assert_num_queries
):
    """Each territory adds the queries of its own export, whatever its rows: never a
    query per row."""
    client.force_login(account(two_territories, "national"))
    query = {"format": "csv", "territoire": "tous"}
    girls = AudienceFactory(slug="filles-et-femmes")
    two = _queries(client, name, query)
    _territory_world(TerritoryFactory(other=True), "a", girls, two_territories["shared"])
    three = _queries(client, name, query)
    _fourth_territory_with_more_rows(two_territories, girls)

    with django_assert_num_queries(three + (three - two)):
        read(client.get(reverse(name), query), "csv")


@pytest.mark.parametrize("period", ["mois", "trimestre", "annee"])
def test_every_territorys_counts_cost_the_same_queries_for_any_number_of_territories(
    client, two_territories, period, django_assert_num_queries
):
    """The counts of every territory are read for all at once: 200 territories cost
    what two do."""
    client.force_login(account(two_territories, "national"))
    query = {"format": "csv", "territoire": "tous", "par": period}
    girls = AudienceFactory(slug="filles-et-femmes")
    two = _queries(client, "export_counts", query)
    _territory_world(TerritoryFactory(other=True), "a", girls, two_territories["shared"])
    _fourth_territory_with_more_rows(two_territories, girls)

    with django_assert_num_queries(two):
        read(client.get(reverse("export_counts"), query), "csv")


@pytest.mark.parametrize(
    "query",
    [
        {"par": "annee"},
        {"par": "annee", "selon": "initiative,public"},
        {"par": "mois", "statut": "toutes"},
        {"par": "trimestre", "annee": "2025", "public": "filles"},
        {"par": "annee", "organisateur": "reseau-commun"},
    ],
)
def test_every_territorys_counts_are_each_territorys_own_file_one_after_the_other(
    client, two_territories, query
):
    """Each territory's rows and total, with its own targets, as its own export gives
    them, then the total of both."""
    client.force_login(account(two_territories, "national"))
    query = {**query, "format": "csv"}
    every = read(client.get(reverse("export_counts"), {**query, "territoire": "tous"}), "csv")
    expected = []
    for key in ("a", "b"):
        territory = two_territories[key]
        own = read(
            client.get(reverse("export_counts"), {**query, "territoire": territory.slug}), "csv"
        )
        assert own[0] == every[0][1:]
        expected += [[territory.name, *row] for row in own[1:]]
    assert every[1:-1] == expected
    total = every[-1]
    assert total[0] == "Tous les territoires"
    people = every[0].index("personnes sensibilisées")
    assert int(total[people]) == sum(int(row[people]) for row in expected if row[1] == "Total")


def test_each_territorys_yearly_counts_carry_its_own_plans_target(client, two_territories):
    client.force_login(account(two_territories, "national"))
    query = {"format": "csv", "territoire": "tous", "par": "annee"}

    rows = read(client.get(reverse("export_counts"), query), "csv")

    target = rows[0].index("objectif de personnes")
    assert [(row[0], row[target]) for row in rows[1:] if row[1] == "2025"] == [
        (two_territories[key].name, str(MARKS[key]["people"] * 10)) for key in ("a", "b")
    ]


def test_a_refusal_on_another_territorys_site_links_to_the_instances_admin(client, two_territories):
    client.force_login(account(two_territories, "manager"))
    response = client.get(f"/territoires/{two_territories['b'].slug}/exports/")
    assert response.status_code == 403
    admin = reverse("admin:index")
    assert f'<a href="{admin}">revenez à l\'espace de saisie</a>' in text_of(response)
    assert client.get(admin).status_code == 200


@pytest.mark.parametrize("role", ROLES_OF_A)
def test_a_selection_holding_bs_events_exports_only_as_for_an_account_of_a(two_territories, role):
    """The admin's export of a selection keeps an account's territories even when it
    is handed every event."""
    from indicators.models import AwarenessEvent
    from indicators.views import exports

    user = account(two_territories, role)
    response = exports.events_response(
        AwarenessEvent.objects.all(),
        today=datetime.date(2026, 1, 5),
        user=user,
        chosen_format="csv",
    )
    assert_only(cells(response, "csv"), "a")


def test_every_territory_comes_in_french_alphabetical_order(client, two_territories):
    for name, slug in (("Zèbre", "zebre"), ("Évreux", "evreux")):
        territory = TerritoryFactory(name=name, slug=slug)
        ActionPlanFactory(territory=territory, start_date=datetime.date(2024, 1, 1))
    client.force_login(account(two_territories, "national"))
    # « Évreux » among the E, not after the Z as the database's order has it.
    expected = ["Évreux", "Flandre Pays de Saint-Omer", "Pays de Bétheville", "Zèbre"]

    query = {"territoire": "tous", "format": "csv"}
    rows = read(client.get(reverse("export_counts"), query), "csv")
    page = text_of(client.get(reverse("exports")))

    assert list(dict.fromkeys(row[0] for row in rows[1:-1])) == expected
    offered = [page.index(f">{name}</option>") for name in expected]
    assert offered == sorted(offered)

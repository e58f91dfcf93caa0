"""Each territory's public site at /territoires/<slug>/ shows its own plan and
nothing of another's; an instance with one territory keeps serving it at its root
too, one with several sends its root's territory pages to the list of territories."""

import json

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import ActionPlanFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory
from tests.shared import collected
from tests.territories.factories import TerritoryFactory

pytestmark = pytest.mark.django_db


def content(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_an_instance_without_territories_says_no_plan_is_published(client, db):
    response = client.get("/")

    assert response.status_code == 200
    assert response.templates[0].name == "indicators/no_plan.html"


def site(territory, path="/"):
    return f"/territoires/{territory.slug}{path}"


def build(territory, *, word, people):
    """A territory's plan, initiative, organiser and validated event: `word` names
    them all, `people` were reached."""
    plan = ActionPlanFactory(territory=territory, title=f"Plan {word}", slug=f"plan-{word}")
    initiative = InitiativeFactory(plan=plan, title=f"Initiative {word}", slug=f"initiative-{word}")
    organizer = PartnerFactory(name=f"Partenaire {word}", slug=f"partenaire-{word}")
    event = AwarenessEventFactory(initiative=initiative, organizer=organizer, title=f"Forum {word}")
    AudienceCountFactory(event=event, people=people, women=people // 2)
    return {"territory": territory, "plan": plan, "event": event, "word": word, "people": people}


@pytest.fixture
@collected
def two():
    return (
        build(TerritoryFactory(), word="audomarois", people=40),
        build(TerritoryFactory(other=True), word="vosgien", people=7),
    )


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/plan/",
        "/initiatives/",
        "/initiatives/initiative-{word}/",
        "/actions/",
        "/partenaires/",
        "/partenaires/partenaire-{word}/",
        "/territoire/",
        "/donnees/",
        "/embed/compteur/",
        "/embed/compteur/?initiative=initiative-{word}",
    ],
)
def test_each_site_shows_its_own_plan_and_nothing_of_the_others(client, two, path):
    for shown, other in (two, reversed(two)):
        response = client.get(site(shown["territory"], path.format(word=shown["word"])))

        assert response.status_code == 200, path
        assert shown["territory"].name in response.text, path
        assert other["territory"].name not in response.text, path
        assert other["word"] not in response.text, path


def test_each_site_counts_its_own_events(client, two):
    for shown in two:
        people = f'<span class="embed__number">{shown["people"]}</span>'
        assertContains(client.get(site(shown["territory"], "/embed/compteur/")), people, html=True)
        plan_page = client.get(site(shown["territory"], "/plan/"))
        assertContains(plan_page, f'<span data-figure="people">{shown["people"]}</span>', html=True)
        actions = client.get(site(shown["territory"], "/actions/"))
        assertContains(actions, f"Forum {shown['word']}")
        data = json.loads(client.get(site(shown["territory"], "/donnees/compteurs.json")).content)
        assert data["territoire"] == shown["territory"].name
        assert sum(row["personnes_sensibilisees"] for row in data["donnees"]) == shown["people"]


def test_another_territorys_initiative_or_partner_is_not_found(client, two):
    _, vosgien = two

    initiative = client.get(site(vosgien["territory"], "/initiatives/initiative-audomarois/"))
    partner = client.get(site(vosgien["territory"], "/partenaires/partenaire-audomarois/"))
    embed = client.get(
        site(vosgien["territory"], "/embed/compteur/"), {"initiative": "initiative-audomarois"}
    )

    assertContains(initiative, "Initiative introuvable", status_code=404)
    assertContains(partner, "Partenaire introuvable", status_code=404)
    assert embed.status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/territoires/inconnu/",
        "/territoires/inconnu/plan/",
        "/territoires/flandre-pays-de-saint-omer/mentions-legales/",
        "/territoires/flandre-pays-de-saint-omer/admin/",
        "/territoires/flandre-pays-de-saint-omer/national/",
    ],
)
def test_an_unknown_territory_or_a_page_outside_its_site_is_a_french_404(client, two, path):
    response = client.get(path)

    assertContains(response, "<h1>Page introuvable</h1>", status_code=404, html=True)
    assert '<html lang="fr">' in response.text


ROOT_PAGES = [
    "/plan/",
    "/initiatives/",
    "/initiatives/initiative-audomarois/",
    "/actions/",
    "/partenaires/",
    "/partenaires/partenaire-audomarois/",
    "/territoire/",
    "/donnees/",
    "/donnees/compteurs.csv",
    "/donnees/compteurs.json",
    "/donnees/actions.csv",
    "/donnees/actions.json",
    "/donnees/datapackage.json",
    "/donnees/graphiques/par-mois.csv",
    "/embed/compteur/",
]


@pytest.mark.parametrize("path", ROOT_PAGES)
def test_with_several_territories_a_page_at_the_root_is_the_first_territorys(client, two, path):
    """The links and embedded counters published while the instance served one
    territory keep leading to its pages once it serves several."""
    first = two[0]["territory"]

    response = client.get(path, {"annee": "2025"})

    assertRedirects(response, site(first, path) + "?annee=2025", fetch_redirect_response=False)
    assert client.get(response["Location"]).status_code == 200


def test_with_several_territories_the_embedded_counter_at_the_root_still_shows_its_figures(
    client, two
):
    response = client.get("/embed/compteur/", follow=True)

    assert response.status_code == 200
    # The first territory's people, not the second's.
    assertContains(response, ">40<")
    assertNotContains(response, ">47<")


def test_with_several_territories_the_root_lists_them(client, two):
    response = client.get("/")

    assert response.status_code == 200
    for built in two:
        assertContains(response, site(built["territory"]))


@pytest.mark.parametrize("path", [*ROOT_PAGES, "/"])
def test_with_one_territory_its_site_is_at_the_root_and_under_its_prefix(client, path):
    territory = build(TerritoryFactory(), word="audomarois", people=40)["territory"]

    at_the_root = client.get(path)
    prefixed = client.get(site(territory, path))

    assert at_the_root.status_code == prefixed.status_code == 200, path
    # The same page, its links within its own site.
    prefix = f"/territoires/{territory.slug}/".encode()
    assert content(prefixed).replace(prefix, b"/") == content(at_the_root), path


def test_the_header_names_the_territory_and_links_to_the_list_when_there_are_several(client, two):
    audomarois, _ = two

    response = client.get(site(audomarois["territory"], "/plan/"))

    assertContains(
        response,
        '<span class="brand__territory"> — Flandre Pays de Saint-Omer</span>',
        html=True,
    )
    assertContains(response, '<a href="/">Tous les territoires</a>', html=True)
    assertContains(response, "Plan d'action du Territoire d'Industrie Flandre Pays de Saint-Omer")


def test_with_one_territory_there_is_no_list_to_link_to(client):
    territory = build(TerritoryFactory(), word="audomarois", people=40)["territory"]

    for path in ("/plan/", site(territory, "/plan/")):
        response = client.get(path)
        assertContains(response, "Flandre Pays de Saint-Omer")
        assertNotContains(response, "Tous les territoires")


def test_a_territorys_site_links_the_instances_pages_at_the_root(client, two):
    audomarois, _ = two

    response = client.get(site(audomarois["territory"], "/"))

    for url in ("/mentions-legales/", "/accessibilite/", "/donnees-personnelles/", "/admin/"):
        assertContains(response, f'href="{url}"')
    for url in ("/plan/", "/initiatives/", "/partenaires/", "/territoire/", "/donnees/"):
        assertContains(response, f'href="/territoires/flandre-pays-de-saint-omer{url}"')


def test_the_embed_links_back_to_its_territorys_site(client, two):
    _, vosgien = two
    slug = vosgien["territory"].slug

    counter = client.get(site(vosgien["territory"], "/embed/compteur/"))
    initiative = client.get(
        site(vosgien["territory"], "/embed/compteur/"), {"initiative": "initiative-vosgien"}
    )

    assertContains(counter, f'href="http://testserver/territoires/{slug}/"')
    assertContains(
        initiative, f'href="http://testserver/territoires/{slug}/initiatives/initiative-vosgien/"'
    )


def test_the_legal_pages_of_an_instance_with_several_territories_name_none(client, two):
    response = client.get(reverse("legal_notice"))

    assertContains(response, "les plans d'action des Territoires d'Industrie")
    assertNotContains(response, "Plan audomarois")
    assertContains(response, '<a href="/">Tous les territoires</a>', html=True)

import datetime
from html import unescape

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from indicators.figures import store
from indicators.models import AwarenessEvent
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.partners.factories import PartnerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]

ROW = (
    '<tr><td><time datetime="{iso}">{date}</time></td><th scope="row">{title}</th>'
    "<td>{initiative}</td><td>Intervention en établissement scolaire</td><td>{commune}</td>"
    '<td>{organisers}</td><td class="num">{people}</td><td class="num">{women}</td></tr>'
)


def row(event, organisers, people, women, commune="Saint-Omer"):
    return ROW.format(
        iso=event.date.isoformat(),
        date=event.date.strftime("%d/%m/%Y"),
        title=event.title,
        initiative=event.initiative.title,
        commune=commune,
        organisers=organisers,
        people=people,
        women=women,
    )


def titles(response):
    html = unescape(response.content.decode())
    return [part.split("</th>")[0] for part in html.split('<th scope="row">')[1:]]


@pytest.fixture
def forum(world):
    """A joint event in Arques, its co-organisers an unpublished partner and CAPSO."""
    event = AwarenessEventFactory(
        initiative=world["verrelles"],
        title="Forum des métiers",
        date=datetime.date(2025, 12, 1),
        commune="Arques",
        organizer=PartnerFactory(name="Arc France Industrie"),
        co_organizers=[PartnerFactory(name="Entreprise discrète", hidden=True)],
        notes="Contact : 06 12 34 56 78",
        review_comment="Revoir le nombre de prescripteurs",
    )
    AudienceCountFactory(event=event, audience=world["filles"], people=120, women=70)
    AudienceCountFactory(event=event, audience=world["prescripteurs"], people=15, women=6)
    return event


def test_lists_every_validated_action_of_the_plan_newest_first(client, world, forum):
    response = client.get(reverse("action_list"))

    assertContains(
        response,
        row(forum, "Arc France Industrie, Autre partenaire", 135, 76, commune="Arques"),
        html=True,
    )
    validated = AwarenessEvent.objects.for_plan(world["verrelles"].plan).validated()
    assert titles(response) == [event.title for event in validated.order_by("-date", "-pk")]
    assertContains(response, '<h2 id="list-title">5 actions validées', status_code=200)


def test_women_are_counted_among_the_people_whose_sex_is_known(client, world, forum):
    """Unknown is not zero: 70 girls beside 135 people, 15 of them of unknown sex,
    would read as about half; nobody's sex known reads « — », not « 0 »."""
    forum.counts.filter(audience=world["prescripteurs"]).update(women=None)
    unknown = AwarenessEventFactory(
        initiative=world["verrelles"],
        title="Visite sans détail",
        date=datetime.date(2025, 11, 30),
        organizer=forum.organizer,
    )
    AudienceCountFactory(event=unknown, audience=world["filles"], people=12, women=None)

    response = client.get(reverse("action_list"))

    assertContains(
        response,
        row(
            forum,
            "Arc France Industrie, Autre partenaire",
            135,
            "70 (sexe connu pour 120)",
            commune="Arques",
        ),
        html=True,
    )
    assertContains(response, row(unknown, "Arc France Industrie", 12, "—"), html=True)


def test_shows_no_internal_note_nor_review_comment_nor_unpublished_partner(client, forum):
    response = client.get(reverse("action_list"))

    for secret in ("06 12 34 56 78", "Revoir le nombre", "Entreprise discrète"):
        assertNotContains(response, secret)


def test_the_audience_filter_shows_that_audiences_people_and_women(client, world, forum):
    prescribers = client.get(reverse("action_list"), {"public": "prescripteurs"})
    girls = client.get(reverse("action_list"), {"public": "filles", "annee": "2025"})

    organisers = "Arc France Industrie, Autre partenaire"
    assertContains(prescribers, row(forum, organisers, 15, 6, commune="Arques"), html=True)
    assertContains(girls, row(forum, organisers, 120, 70, commune="Arques"), html=True)
    # Only the events that reached prescribers, in 2024 and 2025.
    assert len(titles(prescribers)) == 4
    assert len(titles(girls)) == 3


def test_women_not_counted_read_as_unknown_not_as_zero(client, world, forum):
    AudienceCount = forum.counts.model
    AudienceCount.objects.filter(event=forum).update(women=None)  # the list sums the lines

    response = client.get(reverse("action_list"), {"commune": "Arques"})

    organisers = "Arc France Industrie, Autre partenaire"
    assertContains(response, row(forum, organisers, 135, "—", commune="Arques"), html=True)


def test_the_commune_filter_lists_that_communes_actions_only(client, world, forum):
    response = client.get(reverse("action_list"), {"commune": "Arques"})

    assert titles(response) == ["Forum des métiers"]
    assertContains(response, '<option value="Arques" selected>Arques</option>', html=True)
    assertContains(response, '<option value="Saint-Omer">Saint-Omer</option>', html=True)


def test_filters_combine(client, world, forum):
    response = client.get(
        reverse("action_list"), {"initiative": "portraits-corif", "commune": "Saint-Omer"}
    )

    assert len(titles(response)) == 2
    assertNotContains(response, "Forum des métiers")


def test_an_unpublished_organiser_is_not_named(client, world):
    AudienceCountFactory(
        event=AwarenessEventFactory(
            initiative=world["corif"],
            title="Visite d'usine",
            organizer=PartnerFactory(name="Usine secrète", hidden=True),
        )
    )

    response = client.get(reverse("action_list"))

    assertNotContains(response, "Usine secrète")
    assertContains(response, "<td>Autre partenaire</td>", html=True)


def test_pages_of_fifty_newest_first(client, world):
    last = datetime.date(2025, 12, 31)
    with store.collecting():
        for day in range(120):
            AudienceCountFactory(
                event=AwarenessEventFactory(
                    initiative=world["verrelles"],
                    title=f"Action {day:03}",
                    date=last - datetime.timedelta(days=day),
                ),
                audience=world["filles"],
            )

    page_one = client.get(reverse("action_list"), {"annee": "2025"})
    page_three = client.get(reverse("action_list"), {"annee": "2025", "page": "3"})
    beyond = client.get(reverse("action_list"), {"annee": "2025", "page": "9"})

    # 120 new events and the world's 3 validated ones of 2025.
    assert titles(page_one)[:2] == ["Action 000", "Action 001"]
    assert len(titles(page_one)) == 50
    assertContains(page_one, "Page 1 sur 3 : actions 1 à 50.")
    assertContains(
        page_one, '<a href="?annee=2025&amp;page=2" rel="next">Page suivante</a>', html=True
    )
    assert len(titles(page_three)) == 23
    assertContains(
        page_three, '<a href="?annee=2025&amp;page=2" rel="prev">Page précédente</a>', html=True
    )
    assertContains(
        page_three, '<a href="?annee=2025&amp;page=3" aria-current="page">3</a>', html=True
    )
    assert titles(beyond) == titles(page_three)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"page": "deux"}, "La page « deux » n'existe pas"),
        ({"page": "0"}, "La page « 0 » n'existe pas"),
        ({"page": "9" * 5000}, "La page « 9999"),
        ({"page": ["1", "2"]}, "Le filtre « page » est donné plusieurs fois"),
        ({"commune": "Paris"}, "Aucune action validée n'a eu lieu à « Paris »."),
        ({"commune": "a\x00b"}, "Aucune action validée n'a eu lieu à"),
        ({"annee": "abc"}, "L'année « abc » n'est pas valide"),
        ({"public": "<script>"}, "Aucun public cible ne correspond à « <script> »."),
    ],
)
def test_an_unreadable_filter_answers_400_in_french(client, world, query, message):
    response = client.get(reverse("action_list"), query)

    assert response.status_code == 400
    assert message in unescape(response.content.decode())


def test_a_draft_events_commune_is_not_a_choice(client, world):
    AwarenessEventFactory(initiative=world["verrelles"], commune="Longuenesse", draft=True)

    response = client.get(reverse("action_list"), {"commune": "Longuenesse"})

    assert response.status_code == 400


def test_the_dashboard_and_the_initiative_page_link_to_the_list_with_their_filters(client, world):
    dashboard = client.get(reverse("home"), {"annee": "2025", "public": "filles"})
    initiative = client.get(reverse("initiative_detail", args=["reseau-verrelles"]))

    assertContains(dashboard, 'href="/actions/?annee=2025&amp;public=filles"')
    assertContains(initiative, 'href="/actions/?initiative=reseau-verrelles"')

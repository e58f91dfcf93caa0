"""The public pages' cache per territory: a write in one territory renders that
territory's pages (and the instance's: the list, the national and legal pages) again
on their next request, and leaves every other territory's pages cached; a write of
shared data renders them all again."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feminisation.cache import invalidate_public_pages
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import ActionPlanFactory, AudienceFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory
from tests.territories.factories import TerritoryFactory

pytestmark = pytest.mark.django_db

PAGES = ["/", "/plan/", "/initiatives/", "/partenaires/", "/embed/compteur/"]
LEGAL = "/mentions-legales/"


def answered_early(response):
    """Whether the cache answered: the session middleware never saw the request."""
    return not hasattr(response.wsgi_request, "session")


def people(response):
    html = response.content.decode()
    start = html.index('data-figure="people">') + len('data-figure="people">')
    return html[start : html.index("<", start)]


class World:
    def __init__(self):
        self.a, self.b = TerritoryFactory(), TerritoryFactory(other=True)
        self.events = {}
        for territory in (self.a, self.b):
            plan = ActionPlanFactory(territory=territory)
            event = AwarenessEventFactory(initiative=InitiativeFactory(plan=plan))
            AudienceCountFactory(event=event, people=40, women=20)
            self.events[territory.slug] = event

    def pages(self, territory):
        return [f"/territoires/{territory.slug}{page}" for page in PAGES]


@pytest.fixture
def world(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        world = World()
    for territory in (world.a, world.b):
        for page in world.pages(territory):
            assert client.get(page).status_code == 200
    client.get(LEGAL)
    return world


def assert_cached(client, pages, django_assert_num_queries):
    for page in pages:
        with django_assert_num_queries(0):
            response = client.get(page)
        assert answered_early(response), page


def assert_rendered_again(client, pages):
    for page in pages:
        assert not answered_early(client.get(page)), page


def test_a_save_in_one_territory_leaves_the_others_pages_cached(
    client, world, django_capture_on_commit_callbacks, django_assert_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        line = world.events[world.a.slug].counts.get()
        line.people = 47
        line.save()

    assert_cached(client, world.pages(world.b), django_assert_num_queries)
    assert_rendered_again(client, [*world.pages(world.a), LEGAL])
    assert people(client.get(f"/territoires/{world.a.slug}/")) == "47"
    assert people(client.get(f"/territoires/{world.b.slug}/")) == "40"


def test_moving_an_event_to_another_territory_renders_both_again(
    client, world, django_capture_on_commit_callbacks
):
    event = world.events[world.a.slug]
    event.refresh_from_db()  # as the admin reads it
    event.initiative = world.events[world.b.slug].initiative

    with django_capture_on_commit_callbacks(execute=True):
        event.save()

    assert_rendered_again(client, [*world.pages(world.a), *world.pages(world.b)])
    assert people(client.get(f"/territoires/{world.b.slug}/")) == "80"


def test_deleting_an_event_with_its_lines_leaves_the_others_pages_cached(
    client, world, django_capture_on_commit_callbacks, django_assert_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        world.events[world.a.slug].delete()  # with its count lines

    assert_cached(client, world.pages(world.b), django_assert_num_queries)
    assert_rendered_again(client, world.pages(world.a))


def test_shared_data_and_the_territories_render_every_page_again(
    client, world, django_capture_on_commit_callbacks
):
    for write in (AudienceFactory, lambda: TerritoryFactory(other=True)):
        with django_capture_on_commit_callbacks(execute=True):
            write()

        assert_rendered_again(client, [*world.pages(world.a), *world.pages(world.b), LEGAL])


def test_a_partner_renders_again_the_territories_it_works_in(
    client, world, django_capture_on_commit_callbacks, django_assert_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        PartnerFactory(territories=[world.b])

    assert_cached(client, world.pages(world.a), django_assert_num_queries)
    assert_rendered_again(client, world.pages(world.b))


def test_a_relation_changed_from_either_side_names_the_events_territory(
    client, world, django_capture_on_commit_callbacks, django_assert_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        partner = PartnerFactory(territories=[world.b])
    with django_capture_on_commit_callbacks(execute=True):
        world.events[world.b.slug].co_organizers.add(partner)
    assert_cached(client, world.pages(world.a), django_assert_num_queries)
    assert_rendered_again(client, world.pages(world.b))

    with django_capture_on_commit_callbacks(execute=True):
        partner.co_organized_events.remove(world.events[world.b.slug])
    assert_cached(client, world.pages(world.a), django_assert_num_queries)
    assert_rendered_again(client, world.pages(world.b))


def test_a_bulk_write_names_its_territory_or_renders_every_page_again(
    client, world, django_capture_on_commit_callbacks, django_assert_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        invalidate_public_pages(territories=[world.a])
    assert_cached(client, world.pages(world.b), django_assert_num_queries)
    assert_rendered_again(client, [*world.pages(world.a), LEGAL])

    with django_capture_on_commit_callbacks(execute=True):
        invalidate_public_pages(records=[world.events[world.b.slug]])
    assert_cached(client, world.pages(world.a), django_assert_num_queries)
    assert_rendered_again(client, world.pages(world.b))

    with django_capture_on_commit_callbacks(execute=True):
        invalidate_public_pages()
    assert_rendered_again(client, [*world.pages(world.a), *world.pages(world.b)])


def test_an_api_answer_about_one_territory_stays_cached_while_another_is_written(
    client, world, django_capture_on_commit_callbacks, django_assert_num_queries
):
    def totals(territory):
        return client.get("/api/v1/chiffres/", {"territoire": territory.slug})

    for territory in (world.a, world.b):
        assert totals(territory).json()["personnes_sensibilisees"] == 40
    with django_capture_on_commit_callbacks(execute=True):
        line = world.events[world.a.slug].counts.get()
        line.people = 47
        line.save()

    # B's answer, from the cache: no query (the rate limit is counted in the cache).
    with django_assert_num_queries(0):
        assert totals(world.b).json()["personnes_sensibilisees"] == 40
    assert totals(world.a).json()["personnes_sensibilisees"] == 47

    with django_capture_on_commit_callbacks(execute=True):
        AudienceFactory()  # shared data: every territory's answers are computed again
    with CaptureQueriesContext(connection) as queries:
        assert totals(world.b).json()["personnes_sensibilisees"] == 40
    assert queries.captured_queries

"""Every public page makes as many SQL queries with 5,000 events as with none:
the work of a page never grows with the data, only the database's sums do.

This is the one query-count test of each public page. The plan, and its events
for each size, are written once for the whole module (seeding 5,000 events takes
a second or more) inside a transaction that each test's own transaction nests in;
rolling it back afterwards leaves the database as empty as the other tests expect.
"""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from pytest_django.asserts import assertContains

from feminisation.formatting import number
from indicators.enums import EventStatus
from indicators.figures import store
from indicators.models import AudienceCount, AwarenessEvent
from initiatives.models import ActionPlan, Initiative
from partners.models import Partner
from tests.browser.pages import (
    CURRENT_YEAR,
    DASHBOARD,
    EMBED,
    INITIATIVE_EMBED,
    PARTNER,
    PUBLIC_PAGES,
    TERRITORY,
    UNUSABLE_PERIOD,
)
from tests.indicators.factories import TargetFactory
from tests.initiatives.factories import ActionPlanFactory
from tests.partners.factories import ContactFactory, PartnerFactory
from tests.territories.factories import TerritoryFactory

SIZES = [0, 100, 5000]
# One event in so many gets an organiser and a co-organiser of its own, whom only
# that event credits: the partner page lists them all (2 and 100 more partners).
OWN_PARTNERS_EVERY = 50
VERRELLES = "/initiatives/reseau-verrelles/"

# The queries of each page, whatever the number of events (and of territories):
# each first reads its territory (the instance's sole one at the root, by its slug
# under /territoires/<slug>/), then what the comment says.
QUERIES = {
    # current plan; the headline's sums (totals, this year, this year and last year
    # up to today's date, in one query); the last update (the events' history);
    # venues; partners; targets (+ their figures); per month; per audience and
    # quarter (figures + audiences); per initiative and format in one query (+ the
    # initiatives); per partner; the filter choices (initiatives, audiences); latest
    # events
    DASHBOARD: 17,
    # the same: the headline compares the chosen year up to today's date
    f"/?annee={CURRENT_YEAR}": 17,
    # the same, dates compared with the same dates a year earlier, but the targets'
    # figures: last year has no target
    f"/?du={CURRENT_YEAR - 1}-03-01&au={CURRENT_YEAR - 1}-09-30": 16,
    # the same but the targets' figures (no target in 2025), and the chosen
    # initiative and audience
    "/?annee=2025&initiative=reseau-verrelles&public=filles": 18,
    # an end before the start: the form and its error, with the whole plan's figures
    UNUSABLE_PERIOD: 17,
    # current plan, audiences (+ their initiatives in the plan), stakeholders,
    # supporters, public contacts (+ partner), links, the plan-wide sums with the
    # number of events
    "/plan/": 9,
    # current plan, its initiatives (+ lead partners, + associated partners,
    # + audiences), then stats.by_initiative: the initiatives, the sums per initiative
    "/initiatives/": 8,
    # current plan, the initiative (+ lead partners, + associated partners,
    # + audiences, + achievements, + links), the number of events with the sums, the
    # sums per month, the audiences and the sums per audience, the latest events
    VERRELLES: 13,
    # current plan, the validated events' communes, their number, the page's events
    # (+ initiative, organiser), the page's co-organisers, the filter choices
    # (initiatives, audiences)
    "/actions/": 8,
    # the same, and the chosen audience; a page beyond the last is the last
    "/actions/?public=filles&page=3": 9,
    # current plan, the sums credited to organisers and co-organisers (one query on
    # the partners' daily figures), the partners (with their role in the plan), their
    # led and associated initiatives
    "/partenaires/": 6,
    # current plan, the partner (with its role in the plan), its led and associated
    # initiatives, its sums per year (one query on the partners' daily figures), its
    # latest events
    PARTNER: 7,
    # current plan, the sums per official commune, the events per official commune,
    # the territory's communes, the filter choices (initiatives, audiences)
    TERRITORY: 7,
    # the same, and the chosen initiative and audience
    "/territoire/?annee=2025&initiative=reseau-verrelles&public=filles": 9,
    # current plan, its first public contact with an e-mail address
    "/accessibilite/": 3,
    "/donnees-personnelles/": 3,
    "/mentions-legales/": 3,
    # current plan, the last change to a validated event (its history)
    "/donnees/": 3,
    # current plan, its totals
    EMBED: 3,
    # A chart's data: current plan, this year's targets (+ their figures, for the
    # cumulative chart's target), then every dashboard chart's sums: per month, per
    # audience and quarter (+ audiences), per initiative and format (+ initiatives),
    # per partner
    "/donnees/graphiques/cumul.csv": 10,
    # current plan, the initiative, its totals
    INITIATIVE_EMBED: 4,
}


@pytest.fixture(scope="module", params=SIZES, ids=lambda size: f"{size}-events")
def events(request, django_db_setup, django_db_blocker):
    """The demo plan, with something in every relation a public page reads, and
    `size` validated events."""
    size = request.param
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_plan", stdout=io.StringIO())
        # seed_demo links its events to the official communes (the territory's page).
        call_command("load_communes", departments=["59", "62"], stdout=io.StringIO())
        plan = ActionPlan.objects.current()
        verrelles = plan.initiatives.get(slug="reseau-verrelles")
        # What the demo plan leaves out: this year's targets, a public contact, an
        # associated partner for Verr'Elles.
        TargetFactory(plan=plan, year=timezone.localdate().year)
        TargetFactory(plan=plan, year=timezone.localdate().year, initiative=verrelles)
        plan.contacts.add(ContactFactory(public=True))
        verrelles.associated_partners.add(PartnerFactory())
        if size:
            call_command("seed_demo", "--events", size, "--seed", "1", stdout=io.StringIO())
            give_partners_of_their_own(size // OWN_PARTNERS_EVERY)
        yield size
        transaction.set_rollback(True)


def own_partners(count):
    """The slugs of the organisers and of the co-organisers of their own."""
    numbers = range(count)
    return [f"organisateur-{n}" for n in numbers], [f"coorganisateur-{n}" for n in numbers]


def give_partners_of_their_own(count):
    """A new organiser and a new co-organiser for each of the first `count` events,
    written in bulk like seed_demo's events (a save each would double the seeding)."""
    events = list(AwarenessEvent.objects.order_by("pk")[:count])
    organizers, co_organizers = (
        Partner.objects.bulk_create(PartnerFactory.build(slug=slug) for slug in slugs)
        for slugs in own_partners(count)
    )
    for event, organizer in zip(events, organizers, strict=True):
        event.organizer = organizer
    AwarenessEvent.objects.bulk_update(events, ["organizer"])
    CoOrganizer = AwarenessEvent.co_organizers.through
    CoOrganizer.objects.bulk_create(
        CoOrganizer(awarenessevent_id=event.pk, partner_id=partner.pk)
        for event, partner in zip(events, co_organizers, strict=True)
    )
    store.refresh_days({event.date for event in events})


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "queries"), QUERIES.items(), ids=list(QUERIES))
def test_query_count_is_the_same_with_0_100_and_5000_events(
    client, events, path, queries, django_assert_num_queries
):
    with django_assert_num_queries(queries):
        response = client.get(path)

    assert response.status_code == 200


SITE = "/territoires/flandre-pays-de-saint-omer"
# The instance's pages, outside every territory's site.
INSTANCE_PAGES = {"/accessibilite/", "/donnees-personnelles/", "/mentions-legales/"}
SITE_QUERIES = {path: queries for path, queries in QUERIES.items() if path not in INSTANCE_PAGES}


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "queries"), SITE_QUERIES.items(), ids=list(SITE_QUERIES))
def test_a_territorys_site_beside_another_makes_as_many_queries(
    client, events, path, queries, django_assert_num_queries
):
    ActionPlanFactory(territory=TerritoryFactory(other=True), title="Un autre plan")

    with django_assert_num_queries(queries):
        response = client.get(SITE + path)

    assert response.status_code == 200


@pytest.mark.django_db
def test_the_pages_show_every_seeded_event(client, events):
    """The counts above are taken on pages that do show the events and partners."""
    lines = AudienceCount.objects.filter(event__status=EventStatus.VALIDATED)

    def people(**filters):
        return number(lines.filter(**filters).aggregate(total=Sum("people"))["total"] or 0)

    dashboard = client.get(DASHBOARD)
    assertContains(dashboard, f'<dd data-figure="people">{people()}</dd>', html=True)
    if events:
        headline = f'<strong data-headline="people">{people()} personnes</strong>'
        assertContains(dashboard, headline, html=True)
    else:
        assertContains(dashboard, "aucune personne n'a été sensibilisée")
    assertContains(client.get(EMBED), f'<span class="embed__number">{people()}</span>', html=True)
    assertContains(client.get("/plan/"), f'<span data-figure="people">{people()}</span>', html=True)
    initiatives = client.get("/initiatives/")
    for slug in Initiative.objects.values_list("slug", flat=True):
        reached = people(event__initiative__slug=slug)
        assertContains(
            initiatives, f'<dd data-initiative-people="{slug}">{reached}</dd>', html=True
        )
    verrelles = people(event__initiative__slug="reseau-verrelles")
    assertContains(client.get(VERRELLES), f'<dd data-figure="people">{verrelles}</dd>', html=True)
    if events:
        # Every event in its commune's row (seed_demo's communes are all official ones).
        territory = client.get(TERRITORY).content.decode()
        assert f"{people()} personnes sensibilisées au total" in territory
        assert "Commune non rattachée" not in territory
    validated = AwarenessEvent.objects.filter(status=EventStatus.VALIDATED).count()
    actions = client.get("/actions/").content.decode()
    assert f"{number(validated)} action" in actions
    assert actions.count('<th scope="row">') == min(validated, 50)
    listed = client.get("/partenaires/").content.decode()
    organizers, co_organizers = own_partners(events // OWN_PARTNERS_EVERY)
    anchors = [f'id="partenaire-{slug}"' for slug in organizers + co_organizers]
    assert [anchor for anchor in anchors if anchor not in listed] == []
    # The partner page's total: organised and co-organised events and their people.
    capso = Partner.objects.get(slug="capso")
    credited = [
        lines.filter(**{role: capso}).aggregate(
            events=Count("event", distinct=True),
            people=Sum("people", default=0),
            women=Sum("women", default=0),
        )
        for role in ("event__organizer", "event__co_organizers")
    ]
    if credited[0]["events"] or credited[1]["events"]:
        cells = [
            credited[0]["events"],
            credited[1]["events"],
            credited[0]["people"] + credited[1]["people"],
            credited[0]["women"] + credited[1]["women"],
        ]
        assertContains(
            client.get(PARTNER),
            '<tr data-partner-year="total"><th scope="row">Total</th>'
            + "".join(f'<td class="num">{number(cell)}</td>' for cell in cells)
            + "</tr>",
            html=True,
        )


def test_every_public_page_has_its_query_count():
    assert set(PUBLIC_PAGES) <= QUERIES.keys()

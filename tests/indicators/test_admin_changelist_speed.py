"""The events' list in the admin: each filter's counts (facets) on demand, its
filters, search, totals and actions working for every role, over one world of events
its tests share (test_admin_changelist_queries.py counts its queries)."""

import datetime
from urllib.parse import urlencode

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.db import connection
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from feminisation import access
from indicators.enums import EventStatus
from tests.indicators.accounts import user_in
from tests.indicators.changelist_queries import CHANGELIST_QUERIES, ESTIMATE
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import AudienceFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory
from tests.shared import fresh

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_lists")]

CHANGELIST_URL = reverse("admin:indicators_awarenessevent_changelist")


@pytest.fixture(autouse=True)
def uncached_content_types():
    """The admin reads content types through a process-wide cache: empty it so that
    each test counts the same queries whatever ran before."""
    ContentType.objects.clear_cache()


@pytest.fixture
def world(db, shared_lists):
    return fresh(shared_lists)


@pytest.fixture(scope="module")
def shared_lists(module_db):
    """Three events over two years: one reaches girls and prescribers, with two
    co-organisers; one reaches girls only, without co-organisers; one, submitted,
    reaches prescribers, with one co-organiser. Each is organised by another partner."""
    initiative = InitiativeFactory()
    girls = AudienceFactory(name="Collégiennes", short_name="Filles")
    prescribers = AudienceFactory(name="Prescripteurs", short_name="Prescripteurs")
    arc = PartnerFactory(name="Arc France", short_name="Arc")
    capso = PartnerFactory(name="CAPSO", short_name="Agglo")
    ribot = PartnerFactory(name="Lycée Alexandre Ribot", short_name="Ribot")
    pascal = PartnerFactory(name="Lycée Blaise Pascal", short_name="Pascal")
    glass = AwarenessEventFactory(
        initiative=initiative,
        date=datetime.date(2025, 3, 14),
        title="Découverte des métiers du verre",
        venue_name="Verrerie",
        commune="Arques",
        organizer=arc,
        co_organizers=[ribot, pascal],
    )
    AudienceCountFactory(event=glass, audience=girls, people=20, women=12)
    AudienceCountFactory(event=glass, audience=prescribers, people=5, women=None)
    forum = AwarenessEventFactory(
        initiative=initiative,
        date=datetime.date(2024, 10, 2),
        title="Forum des métiers",
        venue_name="Salle des fêtes",
        commune="Longuenesse",
        organizer=capso,
    )
    AudienceCountFactory(event=forum, audience=girls, people=40, women=30)
    portraits = AwarenessEventFactory(
        initiative=initiative,
        date=datetime.date(2025, 5, 20),
        title="Portraits de femmes de l'industrie",
        venue_name="Médiathèque",
        commune="Saint-Omer",
        organizer=ribot,
        co_organizers=[capso],
        submitted=True,
    )
    AudienceCountFactory(event=portraits, audience=prescribers, people=8, women=3)
    return {
        "glass": glass,
        "forum": forum,
        "portraits": portraits,
        "girls": girls,
        "prescribers": prescribers,
        "arc": arc,
        "capso": capso,
        "ribot": ribot,
        "pascal": pascal,
    }


def listed(response):
    return list(response.context["cl"].result_list)


def page_rows(response):
    """Per listed event: its title, people and women, as the list shows them."""
    cl = response.context["cl"]
    admin = cl.model_admin
    return [
        (event.title, admin.people_total(event), admin.women_total(event))
        for event in cl.result_list
    ]


def filter_spec(response, field_path):
    return next(
        spec
        for spec in response.context["cl"].filter_specs
        if getattr(spec, "field_path", None) == field_path
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's estimate")
def test_a_large_list_says_its_count_is_an_estimate(admin_client, monkeypatch, world):
    # Past the threshold, the planner's estimate (here, of an unanalysed table).
    monkeypatch.setattr("indicators.admin.list_filters.EXACT_COUNT_BELOW", 0)

    response = admin_client.get(CHANGELIST_URL)

    cl = response.context["cl"]
    assert cl.result_count_estimated
    assertContains(response, f"environ {cl.result_count} actions de sensibilisation")
    # Filtered, the events are counted.
    response = admin_client.get(CHANGELIST_URL, {"status__exact": EventStatus.SUBMITTED})
    assert not response.context["cl"].result_count_estimated
    assert response.context["cl"].result_count == 1


# Counts per filter value, on demand ----------------------------------------------


def test_the_counts_per_filter_value_are_shown_on_demand(admin_client, world):
    response = admin_client.get(CHANGELIST_URL)

    assert not response.context["cl"].add_facets
    assertContains(response, "Afficher les nombres")
    assertNotContains(response, "Arc (1)")

    response = admin_client.get(CHANGELIST_URL, {"_facets": "True"})

    assert response.context["cl"].add_facets
    assertContains(response, "Masquer les nombres")
    assertContains(response, "Arc (1)")
    # Audiences (by their short names): girls in two events, prescribers in two.
    assertContains(response, "Filles (2)")
    assertContains(response, "Prescripteurs (2)")
    # Co-organisers (by their short names): Pascal co-organises one event, and one
    # event has none (the admin's empty value, « - »).
    assertContains(response, "Pascal (1)</a>")
    assertContains(response, 'co_organizers__isnull=True">- (1)</a>')


def test_the_counts_on_demand_follow_the_other_filters(admin_client, world):
    response = admin_client.get(
        CHANGELIST_URL, {"_facets": "True", "counts__audience__id__exact": world["girls"].pk}
    )

    assert listed(response) == [world["glass"], world["forum"]]
    # The organisers of the two events with girls, one each.
    assertContains(response, "Arc (1)")
    assertContains(response, "Agglo (1)")
    # The audiences count the events of the other filters' choices.
    assertContains(response, "Filles (2)")


# Filters --------------------------------------------------------------------------


def test_the_audience_filter_lists_each_event_once_with_all_its_people(admin_client, world):
    response = admin_client.get(CHANGELIST_URL, {"counts__audience__id__exact": world["girls"].pk})

    # Newest first; the totals are the events' own, all audiences included.
    assert page_rows(response) == [
        ("Découverte des métiers du verre", "25", "12"),
        ("Forum des métiers", "40", "30"),
    ]
    assert response.context["cl"].result_count == 2


def test_the_co_organiser_filter_offers_the_co_organisers_and_events_without_any(
    admin_client, world
):
    response = admin_client.get(CHANGELIST_URL)

    # Partners show by their short names, in the order of their names.
    spec = filter_spec(response, "co_organizers")
    assert [name for _, name in spec.lookup_choices] == ["Agglo", "Ribot", "Pascal"]
    organizers = filter_spec(response, "organizer")
    assert [name for _, name in organizers.lookup_choices] == ["Arc", "Agglo", "Ribot"]

    response = admin_client.get(CHANGELIST_URL, {"co_organizers__id__exact": world["ribot"].pk})
    assert page_rows(response) == [("Découverte des métiers du verre", "25", "12")]

    response = admin_client.get(CHANGELIST_URL, {"co_organizers__isnull": "True"})
    assert listed(response) == [world["forum"]]

    response = admin_client.get(CHANGELIST_URL, {"co_organizers__isnull": "False"})
    assert listed(response) == [world["portraits"], world["glass"]]


def test_the_filters_combine(admin_client, world):
    response = admin_client.get(
        CHANGELIST_URL,
        {
            "counts__audience__id__exact": world["prescribers"].pk,
            "co_organizers__id__exact": world["capso"].pk,
            "status__exact": EventStatus.SUBMITTED,
        },
    )

    assert page_rows(response) == [("Portraits de femmes de l'industrie", "8", "3")]


def test_a_to_many_lookup_typed_in_the_address_lists_each_event_once(admin_client, world):
    both = f"{world['girls'].pk},{world['prescribers'].pk}"

    response = admin_client.get(CHANGELIST_URL, {"counts__audience__id__in": both})

    assert listed(response) == [world["portraits"], world["glass"], world["forum"]]
    assert response.context["cl"].result_count == 3
    assertContains(response, '<td class="field-people_total">25</td>', count=1, html=True)


def test_an_unreadable_filter_value_says_so_as_django_does(admin_client, world):
    response = admin_client.get(CHANGELIST_URL, {"counts__audience__id__exact": "filles"})

    assertRedirects(response, f"{CHANGELIST_URL}?e=1", fetch_redirect_response=False)


def test_the_date_hierarchy_and_the_status_filters_still_narrow_the_list(admin_client, world):
    response = admin_client.get(CHANGELIST_URL)
    assertContains(response, "?date__year=2024")
    assertContains(response, "?date__year=2025")

    response = admin_client.get(CHANGELIST_URL, {"date__year": 2025})
    assert listed(response) == [world["portraits"], world["glass"]]

    response = admin_client.get(CHANGELIST_URL, {"a_faire": "a_valider"})
    assert listed(response) == [world["portraits"]]


# Search ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("terms", "titles"),
    [
        # The event's own fields: its title, venue and commune.
        ("verre", ["Découverte des métiers du verre"]),
        ("médiathèque", ["Portraits de femmes de l'industrie"]),
        ("longuenesse", ["Forum des métiers"]),
        # Its organiser's or a co-organiser's name or short name.
        ("arc", ["Découverte des métiers du verre"]),
        ("agglo", ["Portraits de femmes de l'industrie", "Forum des métiers"]),
        ("ribot", ["Portraits de femmes de l'industrie", "Découverte des métiers du verre"]),
        # Every word must match, each in any of the fields.
        ("lycée arques", ["Découverte des métiers du verre"]),
        ("métiers capso", ["Forum des métiers"]),
        # A quoted phrase is one term.
        ('"métiers du"', ["Découverte des métiers du verre"]),
        ('"du verre" forum', []),
    ],
)
def test_the_search_reads_the_events_and_their_partners_names(admin_client, world, terms, titles):
    response = admin_client.get(CHANGELIST_URL, {"q": terms})

    assert [event.title for event in listed(response)] == titles
    assert response.context["cl"].result_count == len(titles)


def test_an_event_matched_by_two_co_organisers_is_listed_once_with_its_totals(admin_client, world):
    # « Lycée » names both co-organisers of the glass event, and the organiser of
    # the portraits.
    response = admin_client.get(CHANGELIST_URL, {"q": "Lycée"})

    assert page_rows(response) == [
        ("Portraits de femmes de l'industrie", "8", "3"),
        ("Découverte des métiers du verre", "25", "12"),
    ]


# What the list shows ---------------------------------------------------------------


def test_the_list_shows_the_totals_the_actions_and_what_awaits(admin_client, world):
    AwarenessEventFactory(status=EventStatus.RETURNED)

    response = admin_client.get(CHANGELIST_URL)

    assertContains(response, '<td class="field-people_total">25</td>', html=True)
    assertContains(response, '<td class="field-women_total">12</td>', html=True)
    assertContains(response, '<td class="field-people_total">40</td>', html=True)
    assertContains(response, "1 action soumise, en attente de validation")
    assertContains(response, "1 action à corriger")
    actions = [name for name, _ in response.context["action_form"].fields["action"].choices]
    assert {
        "submit_for_validation",
        "validate",
        "return_for_correction",
        "export_selection",
    } <= set(actions)


def test_the_list_sorts_by_its_totals(admin_client, world):
    response = admin_client.get(CHANGELIST_URL, {"o": "-8"})

    assert [people for _, people, _ in page_rows(response)] == ["40", "25", "8"]


# A partner's account -----------------------------------------------------------------


@pytest.fixture
def arc_client(client, world):
    client.force_login(user_in(access.PARTNERS, "arc-france", organisations=[world["arc"]]))
    return client


def test_a_partner_lists_searches_and_filters_only_its_organisations_events(
    arc_client, django_assert_max_num_queries, world
):
    # A partner's own organisation co-organises: ribot co-organises the glass event.
    other = AwarenessEventFactory(organizer=world["capso"], title="Atelier verre", submitted=True)
    AudienceCountFactory(event=other, audience=world["girls"])

    # And the account's permissions (two queries), organisations and territories'
    # initiatives.
    with django_assert_max_num_queries(CHANGELIST_QUERIES + ESTIMATE + 4):
        response = arc_client.get(CHANGELIST_URL)
    assert listed(response) == [world["glass"]]
    # Nothing submitted among its events.
    assertNotContains(response, "en attente de validation")
    co_organizers = filter_spec(response, "co_organizers")
    assert [name for _, name in co_organizers.lookup_choices] == ["Ribot", "Pascal"]

    response = arc_client.get(CHANGELIST_URL, {"q": "verre"})
    assert listed(response) == [world["glass"]]

    response = arc_client.get(CHANGELIST_URL, {"counts__audience__id__exact": world["girls"].pk})
    assert page_rows(response) == [("Découverte des métiers du verre", "25", "12")]

    response = arc_client.get(CHANGELIST_URL, {"co_organizers__id__exact": world["capso"].pk})
    assert listed(response) == []


def test_a_partner_sees_the_events_its_organisation_co_organises(client, world):
    client.force_login(user_in(access.PARTNERS, "ribot", organisations=[world["ribot"]]))

    response = client.get(CHANGELIST_URL)

    assert listed(response) == [world["portraits"], world["glass"]]
    assertContains(response, "1 action soumise, en attente de validation")
    response = client.get(CHANGELIST_URL, {"q": "Pascal"})
    assert listed(response) == [world["glass"]]


@pytest.mark.parametrize(
    "query",
    [{"q": "Lycée"}, {"co_organizers__isnull": "False"}],
    ids=["search", "filter"],
)
def test_an_action_on_all_the_filtered_events_runs_on_each_once(admin_client, world, query):
    """« Sélectionner les N actions »: the action runs on the list's whole queryset."""
    response = admin_client.post(
        f"{CHANGELIST_URL}?{urlencode(query)}",
        {
            "action": "validate",
            "select_across": "1",
            "index": "0",
            "_selected_action": [world["glass"].pk],
        },
    )

    assert response.status_code == 302
    world["portraits"].refresh_from_db()
    assert world["portraits"].status == EventStatus.VALIDATED
    messages = [str(message) for message in get_messages(response.wsgi_request)]
    # Each of the two events once: the submitted one validated, the other left as is.
    assert messages == ["1 action validée. 1 laissée telle quelle : 1 déjà validée."]


def test_a_partners_year_navigation_names_only_the_years_of_its_events(arc_client, world):
    """The years are read from the events the account sees: another partner's year
    (CAPSO's forum, 2024) is not hinted at."""
    response = arc_client.get(CHANGELIST_URL)

    assertContains(response, "?date__year=2025")
    assertNotContains(response, "?date__year=2024")

"""The daily, partner and venue figures stay exact when several people write at
once: real transactions on PostgreSQL (each thread has its own connection),
released together by a barrier, round after round; after each round every stored
figure equals the sum of the lines, and the public dashboard shows it."""

import datetime

import pytest
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from geography.models import Commune
from indicators.enums import EventFormat, EventStatus
from indicators.figures import store
from indicators.models import AudienceCount, AwarenessEvent, Venue
from tests import concurrency
from tests.indicators.admin_forms import form_data
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import ActionPlanFactory, AudienceFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent transactions: this test runs in the PostgreSQL half of the suite",
    ),
    pytest.mark.django_db(transaction=True),
]

ROUNDS = 6
DAY = datetime.date(2025, 11, 20)
KNOWN_VENUE, OTHER_VENUE, COMMUNE = "Collège Jules Ferry", "Usine du Pont", "Arques"
ADD_URL = reverse("admin:indicators_awarenessevent_add")


@pytest.fixture
def world(django_user_model, communes):
    plan = ActionPlanFactory(start_date=datetime.date(2025, 1, 1))
    # Places already known (a new one is test_a_new_venue_used_twice_at_once's).
    for name in (KNOWN_VENUE, OTHER_VENUE):
        Venue.objects.create(name=name, commune=COMMUNE)
    return {
        "initiative": InitiativeFactory(plan=plan),
        "audience": AudienceFactory(),
        "partners": PartnerFactory.create_batch(2),
        # Two members of staff, each in a browser of their own.
        "staff": [
            django_user_model.objects.create_superuser(f"equipe{n}", f"equipe{n}@example.org")
            for n in range(2)
        ],
    }


def browsers(world):
    clients = []
    for user in world["staff"]:
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


def at_once(*writes):
    concurrency.all_succeeded(concurrency.at_once(*writes))


def saved(client, url, data):
    def post():
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]

    return post


def add_form(world, *, date, people, venue_name=KNOWN_VENUE, commune=COMMUNE):
    """The admin's add form for a validated event with one count line, as posted
    (the commune chosen by its INSEE code)."""
    return {
        "initiative": world["initiative"].pk,
        "title": "Découverte des métiers du verre",
        "date": date.isoformat(),
        "format": EventFormat.COMPANY_VISIT,
        "status": EventStatus.VALIDATED,
        "venue_name": venue_name,
        "official_commune": Commune.objects.get(name=commune).code,
        "organizer": world["partners"][0].pk,
        "co_organizers": [world["partners"][1].pk],
        "notes": "",
        "counts-TOTAL_FORMS": 1,
        "counts-INITIAL_FORMS": 0,
        "counts-MIN_NUM_FORMS": 0,
        "counts-MAX_NUM_FORMS": 1000,
        "counts-0-audience": world["audience"].pk,
        "counts-0-people": people,
        "counts-0-women": people // 2,
    }


def figure(response, name):
    html = response.content.decode()
    marker = f'data-figure="{name}">'
    start = html.index(marker) + len(marker)
    return html[start : html.index("<", start)]


def assert_figures_exact(first, last):
    """Every stored figure equals the sums of the lines, and the public dashboard
    shows, for the period, the people, events and venues of the validated events."""
    assert store.days_that_differ() == []
    assert store.venues_missing() == 0
    events = AwarenessEvent.objects.filter(date__range=(first, last), status=EventStatus.VALIDATED)
    people = AudienceCount.objects.filter(event__in=events).aggregate(people=Sum("people"))
    page = Client().get(reverse("home"), {"du": first.isoformat(), "au": last.isoformat()})
    assert page.status_code == 200
    assert figure(page, "people") == str(people["people"] or 0)
    assert figure(page, "events") == str(events.count())
    assert figure(page, "venues") == str(events.values("venue_name", "commune").distinct().count())


def test_two_staff_saving_lines_of_two_events_of_the_same_day_at_once(world):
    events = [
        AwarenessEventFactory(
            initiative=world["initiative"],
            organizer=partner,
            date=DAY,
            venue_name=KNOWN_VENUE,
            commune=COMMUNE,
        )
        for partner in world["partners"]
    ]
    for event in events:
        AudienceCountFactory(event=event, audience=world["audience"], people=40, women=20)
    clients = browsers(world)
    url = [reverse("admin:indicators_awarenessevent_change", args=[e.pk]) for e in events]

    for people in range(41, 41 + ROUNDS):
        forms = [
            form_data(client.get(u), **{"counts-0-people": people})
            for client, u in zip(clients, url, strict=True)
        ]
        at_once(*(saved(c, u, f) for c, u, f in zip(clients, url, forms, strict=True)))

        assert_figures_exact(DAY, DAY)
        assert figure(Client().get(reverse("home"), {"du": DAY, "au": DAY}), "people") == str(
            2 * people
        )


def test_two_validated_events_created_at_once_on_the_same_day(world):
    clients = browsers(world)

    for round_ in range(ROUNDS):
        day = DAY + datetime.timedelta(days=round_)
        at_once(
            *(
                saved(c, ADD_URL, add_form(world, date=day, people=30 + n))
                for n, c in enumerate(clients)
            )
        )

        assert AwarenessEvent.objects.filter(date=day).count() == 2
        assert_figures_exact(day, day)


def test_two_days_of_the_same_month_written_at_once(world):
    """Both rebuild the month's venues."""
    clients = browsers(world)

    for round_ in range(ROUNDS):
        month = datetime.date(2025, 1 + round_, 1)
        at_once(
            saved(clients[0], ADD_URL, add_form(world, date=month.replace(day=3), people=25)),
            saved(
                clients[1],
                ADD_URL,
                add_form(world, date=month.replace(day=17), people=35, venue_name=OTHER_VENUE),
            ),
        )

        assert_figures_exact(month, store.month_end(month))


def test_a_new_venue_used_twice_at_once(world):
    """Two events in two months name the same new place at the same instant."""
    clients = browsers(world)

    for round_ in range(ROUNDS):
        venue = f"Lycée professionnel n° {round_}"
        days = [datetime.date(2025, 1 + round_, 10), datetime.date(2025, 7 + round_, 10)]
        at_once(
            *(
                saved(c, ADD_URL, add_form(world, date=day, people=20, venue_name=venue))
                for c, day in zip(clients, days, strict=True)
            )
        )

        assert Venue.objects.filter(name=venue).count() == 1
        for day in days:
            assert_figures_exact(day.replace(day=1), store.month_end(day))


def test_two_events_of_the_same_day_in_other_initiatives_and_venues_saved_at_once(world):
    """Each save refreshes only its own event's rows: the day's partner rows and its
    venues' month are the two saves' both, and neither loses the other's lines."""
    initiatives = [world["initiative"], InitiativeFactory(plan=world["initiative"].plan)]
    events = [
        AwarenessEventFactory(
            initiative=initiative,
            organizer=world["partners"][0],
            co_organizers=[world["partners"][1]],
            date=DAY,
            venue_name=venue,
            commune=COMMUNE,
        )
        for initiative, venue in zip(initiatives, (KNOWN_VENUE, OTHER_VENUE), strict=True)
    ]
    for event in events:
        AudienceCountFactory(event=event, audience=world["audience"], people=40, women=20)
    clients = browsers(world)
    url = [reverse("admin:indicators_awarenessevent_change", args=[e.pk]) for e in events]

    for people in range(41, 41 + ROUNDS // 2):
        forms = [
            form_data(client.get(u), **{"counts-0-people": people})
            for client, u in zip(clients, url, strict=True)
        ]
        at_once(*(saved(c, u, f) for c, u, f in zip(clients, url, forms, strict=True)))

        assert_figures_exact(DAY, DAY)
        assert_figures_exact(DAY.replace(day=1), store.month_end(DAY))


def test_validating_events_while_another_event_of_their_day_and_venue_is_saved(world):
    """« Valider » moves its events' figures into the rows of the validated events
    while a save sums some of those rows again: under the month's lock, neither
    loses the other's events."""
    submitted = [
        AwarenessEventFactory(
            initiative=world["initiative"],
            organizer=world["partners"][0],
            co_organizers=[world["partners"][1]],
            date=DAY,
            venue_name=KNOWN_VENUE,
            commune=COMMUNE,
            status=EventStatus.SUBMITTED,
        )
        for _ in range(3 * ROUNDS)
    ]
    for event in submitted:
        AudienceCountFactory(event=event, audience=world["audience"], people=30, women=10)
    edited = AwarenessEventFactory(
        initiative=world["initiative"],
        organizer=world["partners"][0],
        date=DAY,
        venue_name=KNOWN_VENUE,
        commune=COMMUNE,
    )
    AudienceCountFactory(event=edited, audience=world["audience"], people=40, women=20)
    validator, editor = browsers(world)
    url = reverse("admin:indicators_awarenessevent_change", args=[edited.pk])
    changelist = reverse("admin:indicators_awarenessevent_changelist")

    for turn, people in enumerate(range(41, 41 + ROUNDS)):
        chosen = submitted[3 * turn : 3 * turn + 3]

        def validate(chosen=chosen):
            response = validator.post(
                changelist,
                {
                    "action": "validate",
                    "_selected_action": [event.pk for event in chosen],
                    "index": 0,
                    **{f"version_{event.pk}": event.version for event in chosen},
                },
            )
            assert response.status_code == 302

        form = form_data(editor.get(url), **{"counts-0-people": people})
        at_once(validate, saved(editor, url, form))

        assert AwarenessEvent.objects.filter(status=EventStatus.VALIDATED).count() == 4 + 3 * turn
        assert_figures_exact(DAY, DAY)
        assert_figures_exact(DAY.replace(day=1), store.month_end(DAY))

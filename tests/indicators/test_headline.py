"""The dashboard's first sentence: how many people, the share of women and girls,
the year's target, the change against the same dates a year earlier."""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from indicators.enums import EventStatus
from indicators.models import AwarenessEvent
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory, TargetFactory
from tests.initiatives.factories import AudienceFactory, InitiativeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(monkeypatch):
    """Sets the day the dashboard is read on."""

    def set_today(day):
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)

    return set_today


MINUS = "\u2212"


def pct(value):
    return f"{value}\u202f%"


DOWN_8 = pct(MINUS + "8")


def headline(sentence):
    return f'<h1 id="headline" class="headline__sentence">{sentence}</h1>'


def strong(name, text):
    return f'<strong data-headline="{name}">{text}</strong>'


@pytest.fixture
def initiative(plan):
    return InitiativeFactory(plan=plan, number=1, slug="reseau-verrelles", title="Réseau Verrelles")


def reached(initiative, day, people, women=None, **line):
    event = AwarenessEventFactory(initiative=initiative, date=day)
    AudienceCountFactory(event=event, people=people, women=women, **line)
    return event


def test_a_year_with_no_target_tells_people_women_and_the_change(client, world, today):
    today(datetime.date(2025, 12, 2))

    response = client.get(reverse("home"))

    # 84 people, 41 women of 70 whose sex is known; 60 people in 2025 up to
    # 2 December, 24 in 2024 up to 2 December.
    assertContains(
        response,
        headline(
            f"Depuis le début du plan, {strong('people', '84 personnes')} ont été sensibilisées"
            " aux métiers de l'industrie, dont"
            f" {strong('women-share', pct('59'))} de femmes et de filles parmi celles dont"
            f" le sexe est connu ; {strong('change', pct('+150'))} de personnes"
            " sensibilisées en 2025 par rapport à 2024 à la même date."
        ),
        html=True,
    )
    assertNotContains(response, 'data-headline="progress"')


def test_a_period_with_no_data_says_no_one_was_reached(client, world, today):
    today(datetime.date(2025, 12, 2))

    response = client.get(reverse("home"), {"du": "2030-01-01", "au": "2030-01-31"})

    assertContains(
        response,
        headline(
            "Du 01/01/2030 au 31/01/2030, aucune personne n'a été sensibilisée"
            " aux métiers de l'industrie."
        ),
        html=True,
    )


def test_figures_equal_to_one_are_in_the_singular(client, initiative, plan, today):
    today(datetime.date(2025, 6, 30))
    reached(initiative, datetime.date(2025, 1, 2), people=1, women=1)
    TargetFactory(plan=plan, year=2025, people=100)

    response = client.get(reverse("home"))

    assertContains(
        response,
        headline(
            f"Depuis le début du plan, {strong('people', '1 personne')} a été sensibilisée"
            f" aux métiers de l'industrie, dont {strong('women-share', pct('100'))} de"
            f" femmes et de filles ; objectif 2025 atteint à {strong('progress', pct('1'))}."
        ),
        html=True,
    )


@pytest.mark.parametrize(
    ("this_year", "change"),
    [
        (112, f"{strong('change', pct('+12'))} de personnes sensibilisées en 2025 par rapport à"),
        (92, f"{strong('change', DOWN_8)} de personnes sensibilisées en 2025 par rapport à"),
        (100, f"{strong('change', 'autant')} de personnes sensibilisées en 2025 qu'en"),
    ],
)
def test_this_year_is_compared_with_last_year_at_the_same_date(
    client, initiative, today, this_year, change
):
    today(datetime.date(2025, 6, 30))
    reached(initiative, datetime.date(2024, 3, 1), people=100, women=50)
    # After 30 June 2024: not yet reached at the same date.
    reached(initiative, datetime.date(2024, 9, 1), people=500, women=250)
    reached(initiative, datetime.date(2025, 3, 1), people=this_year, women=this_year // 2)

    response = client.get(reverse("home"))

    people = 600 + this_year
    assertContains(
        response,
        headline(
            f"Depuis le début du plan, {strong('people', f'{people} personnes')} ont été"
            f" sensibilisées aux métiers de l'industrie, dont {strong('women-share', pct('50'))}"
            f" de femmes et de filles ; {change} 2024 à la même date."
        ),
        html=True,
    )


def test_the_current_year_is_compared_up_to_the_same_date(client, initiative, today):
    today(datetime.date(2025, 6, 30))
    reached(initiative, datetime.date(2024, 6, 30), people=40, women=20)
    reached(initiative, datetime.date(2024, 7, 1), people=400, women=200)
    reached(initiative, datetime.date(2025, 2, 1), people=50, women=20)

    response = client.get(reverse("home"), {"annee": "2025"})

    assertContains(
        response,
        headline(
            f"En 2025, {strong('people', '50 personnes')} ont été sensibilisées aux métiers de"
            f" l'industrie, dont {strong('women-share', pct('40'))} de femmes et de filles ;"
            f" {strong('change', pct('+25'))} par rapport à 2024 à la même date."
        ),
        html=True,
    )


def test_a_past_year_is_compared_with_the_whole_year_before(client, initiative, today):
    today(datetime.date(2025, 6, 30))
    reached(initiative, datetime.date(2023, 12, 31), people=200, women=100)
    reached(initiative, datetime.date(2024, 1, 1), people=150, women=75)

    response = client.get(reverse("home"), {"annee": "2024"})

    assertContains(
        response,
        headline(
            f"En 2024, {strong('people', '150 personnes')} ont été sensibilisées aux métiers de"
            f" l'industrie, dont {strong('women-share', pct('50'))} de femmes et de filles ;"
            f" {strong('change', pct(MINUS + '25'))} par rapport à 2023."
        ),
        html=True,
    )


def test_a_period_is_compared_with_the_same_dates_a_year_earlier(client, initiative, today):
    today(datetime.date(2025, 6, 30))
    reached(initiative, datetime.date(2024, 2, 28), people=10)
    reached(initiative, datetime.date(2024, 2, 29), people=500)
    reached(initiative, datetime.date(2025, 2, 1), people=30)

    response = client.get(reverse("home"), {"du": "2025-02-01", "au": "2025-02-28"})

    # 1 to 28 February 2024: the 29th, and March, are after the same dates.
    assertContains(
        response,
        headline(
            f"Du 01/02/2025 au 28/02/2025, {strong('people', '30 personnes')} ont été"
            " sensibilisées aux métiers de l'industrie ;"
            f" {strong('change', pct('+200'))} par rapport aux mêmes dates un an plus tôt."
        ),
        html=True,
    )


def test_no_comparison_when_the_year_before_has_no_data(client, initiative, today):
    today(datetime.date(2025, 6, 30))
    reached(initiative, datetime.date(2024, 7, 1), people=400, women=200)
    reached(initiative, datetime.date(2025, 2, 1), people=50, women=25)

    response = client.get(reverse("home"))

    assertNotContains(response, 'data-headline="change"')
    assertNotContains(response, "par rapport à")


def test_the_target_is_the_one_set_for_the_filters(client, initiative, plan, today):
    today(datetime.date(2025, 6, 30))
    girls = AudienceFactory(slug="filles", short_name="Filles")
    reached(initiative, datetime.date(2025, 2, 1), people=50, women=25, audience=girls)
    other = InitiativeFactory(plan=plan, number=2)
    reached(other, datetime.date(2025, 2, 1), people=150, women=25)
    TargetFactory(plan=plan, year=2025, people=1000)
    TargetFactory(plan=plan, year=2025, initiative=initiative, people=200)
    TargetFactory(plan=plan, year=2025, initiative=initiative, audience=girls, people=80)

    everything = client.get(reverse("home"))
    verrelles = client.get(reverse("home"), {"initiative": "reseau-verrelles"})
    its_girls = client.get(reverse("home"), {"initiative": "reseau-verrelles", "public": "filles"})
    girls_only = client.get(reverse("home"), {"public": "filles"})

    # 200 of 1,000; 50 of 200; 50 of 80; no target for the girls across the plan.
    assertContains(everything, strong("progress", "20\u202f%"), html=True)
    assertContains(verrelles, strong("progress", "25\u202f%"), html=True)
    assertContains(its_girls, strong("progress", "62\u202f%"), html=True)
    assertNotContains(girls_only, 'data-headline="progress"')
    assertContains(
        its_girls,
        "aux métiers de l'industrie (initiative « Réseau Verrelles », public « Filles »)",
    )


def test_the_update_time_is_that_of_the_last_validated_change_even_once_cached(
    client, initiative, today, django_assert_num_queries, django_capture_on_commit_callbacks
):
    today(datetime.date(2025, 6, 30))
    event = reached(initiative, datetime.date(2025, 2, 1), people=50, women=25)
    old = timezone.make_aware(datetime.datetime(2025, 3, 1, 9, 5))
    AwarenessEvent.history.update(history_date=old)
    updated = '<p class="updated">Chiffres mis à jour le <time datetime="{}">{}</time>.</p>'

    first = client.get(reverse("home"))
    with django_assert_num_queries(0):
        cached = client.get(reverse("home"))

    assertContains(
        cached, updated.format("2025-03-01T09:05:00+01:00", "1er mars 2025 à 9 h 05"), html=True
    )
    assert cached.content == first.content
    # The event sent back to its organiser: its people leave the figures, now.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event.status = EventStatus.RETURNED
        event.save()
    change = AwarenessEvent.history.latest("history_date").history_date

    after = client.get(reverse("home"))

    assert change > old
    local = timezone.localtime(change)
    assertContains(after, f'<time datetime="{local.isoformat()}">', count=1)
    assertContains(
        after,
        headline(
            "Depuis le début du plan, aucune personne n'a été sensibilisée"
            " aux métiers de l'industrie."
        ),
        html=True,
    )


def test_a_leap_day_is_compared_with_the_28th_of_february(client, initiative, today):
    today(datetime.date(2028, 2, 29))
    reached(initiative, datetime.date(2027, 2, 28), people=40, women=20)
    reached(initiative, datetime.date(2027, 3, 1), people=400, women=200)
    reached(initiative, datetime.date(2028, 2, 29), people=50, women=25)

    response = client.get(reverse("home"), {"annee": "2028"})

    # 40 people up to 28 February 2027; 50 up to 29 February 2028.
    assertContains(
        response,
        headline(
            f"En 2028, {strong('people', '50 personnes')} ont été sensibilisées aux métiers de"
            f" l'industrie, dont {strong('women-share', pct('50'))} de femmes et de filles ;"
            f" {strong('change', pct('+25'))} par rapport à 2027 à la même date."
        ),
        html=True,
    )


def test_a_whole_percent_of_a_target_is_not_read_one_lower(client, initiative, plan, today):
    today(datetime.date(2025, 6, 30))
    reached(initiative, datetime.date(2025, 2, 1), people=29, women=29)
    TargetFactory(plan=plan, year=2025, people=100, women=50)

    response = client.get(reverse("home"))

    # 0.29 * 100 is 28.999… in floats, and 0.58 * 100 is 57.999….
    assertContains(response, strong("progress", pct("29")), html=True)
    assertContains(
        response,
        '<p class="target__figures"><strong>29</strong> personnes sensibilisées sur un objectif'
        f" de 100 ({pct('29')})<br>dont 29 femmes ou filles sur un objectif de 50"
        f" ({pct('58')})</p>",
        html=True,
    )


def test_a_half_percent_of_women_is_rounded_up(client, initiative, today):
    today(datetime.date(2025, 6, 30))
    reached(initiative, datetime.date(2025, 2, 1), people=8, women=1)

    response = client.get(reverse("home"))

    assertContains(response, strong("women-share", pct("13")), html=True)


def test_a_period_with_no_start_is_not_compared_with_a_year_earlier(client, initiative, today):
    today(datetime.date(2025, 12, 2))
    reached(initiative, datetime.date(2024, 3, 1), people=7, women=3)
    reached(initiative, datetime.date(2025, 3, 1), people=50, women=25)

    response = client.get(reverse("home"), {"au": "2025-06-30"})

    # Everyone up to 30 June 2025 against everyone up to 30 June 2024 would only grow.
    assertContains(
        response,
        headline(
            f"Jusqu'au 30/06/2025, {strong('people', '57 personnes')} ont été sensibilisées"
            " aux métiers de l'industrie, dont"
            f" {strong('women-share', pct('49'))} de femmes et de filles."
        ),
        html=True,
    )
    assertNotContains(response, 'data-headline="change"')

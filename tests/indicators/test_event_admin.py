"""Recording awareness events in the admin: their count lines, who entered them,
the errors a typo gets, and a list that stays cheap however long it grows."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertRedirects

from feminisation import access
from indicators.enums import EventFormat, EventStatus
from indicators.models import AudienceCount, AwarenessEvent
from tests.geography.factories import CommuneFactory
from tests.indicators.accounts import user_in
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import AudienceFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("communes")]

ADD_URL = reverse("admin:indicators_awarenessevent_add")
CHANGELIST_URL = reverse("admin:indicators_awarenessevent_changelist")

# session, user, the audiences of the blank line, a content type
ADD_FORM_QUERIES = 4
# session, user, the event with its totals, its co-organisers, its lines, the
# audiences (read once for every line), a content type, the
# initiative, organiser and commune widgets, the total's sums
CHANGE_FORM_QUERIES = 11
# session, user, the events awaiting validation or correction, the choices of the
# initiative, audience, organiser and co-organiser filters, the count of the listed
# events (not of all of them), events with their initiative, organiser and totals,
# and the date hierarchy's years; the filters' counts (facets) only on demand.
CHANGELIST_QUERIES = 10
# Without filter nor search on PostgreSQL, the planner's estimate of the count
# first (EventPaginator).
UNFILTERED_CHANGELIST_QUERIES = CHANGELIST_QUERIES + (connection.vendor == "postgresql")
# Model validation checks each line's constraints in the database (a query and a
# savepoint each), then the event, its lines, their history (with the event's
# co-organisers) and the log entry are written; each row is read before it is
# saved, and the days touched have their daily figures refreshed once, with their
# months' roll-ups (and, on PostgreSQL, their lock); the event is credited to its
# organiser (indicators.credits).
MAX_POST_QUERIES = 74 + (connection.vendor == "postgresql")


@pytest.fixture(autouse=True)
def uncached_content_types():
    """The admin reads content types through a process-wide cache: empty it so that
    each test counts the same queries whatever ran before."""
    ContentType.objects.clear_cache()


def change_url(event):
    return reverse("admin:indicators_awarenessevent_change", args=[event.pk])


def event_data(*, initiative, organizer, lines, initial_lines=0, **fields):
    """The add or change form as a browser posts it, with its count lines
    (the inline formset prefixed `counts`, the event's related name)."""
    data = {
        "initiative": initiative.pk,
        "title": "Découverte des métiers du verre",
        "date": "2025-03-14",
        "format": EventFormat.COMPANY_VISIT,
        "status": EventStatus.SUBMITTED,
        "venue_name": "Arc France",
        "official_commune": "62040",  # Arques (the `communes` fixture)
        "organizer": organizer.pk,
        "notes": "",
        "counts-TOTAL_FORMS": len(lines),
        "counts-INITIAL_FORMS": initial_lines,
        "counts-MIN_NUM_FORMS": 0,
        "counts-MAX_NUM_FORMS": 1000,
        **fields,
    }
    for index, line in enumerate(lines):
        for name, value in line.items():
            data[f"counts-{index}-{name}"] = "" if value is None else value
    return data


@pytest.fixture
def initiative():
    return InitiativeFactory(title="Réseau Verr'Elles")


@pytest.fixture
def organizer():
    return PartnerFactory(name="Arc France")


@pytest.fixture
def girls():
    return AudienceFactory(name="Collégiennes et collégiens", short_name="Collégiens")


@pytest.fixture
def prescribers():
    return AudienceFactory(name="Prescripteurs de l'orientation", short_name="Prescripteurs")


@pytest.fixture
def editor(django_user_model):
    """A member of the territory staff, who may record and validate events, but is
    not a superuser."""
    return user_in(access.TERRITORY_STAFF, "chargee-de-mission")


def test_adding_an_event_saves_its_lines_and_who_entered_it(
    admin_client,
    admin_user,
    django_assert_max_num_queries,
    initiative,
    organizer,
    girls,
    prescribers,
):
    lines = [
        {"audience": girls.pk, "people": 24, "women": 13},
        {"audience": prescribers.pk, "people": 6, "women": None},
    ]

    with django_assert_max_num_queries(MAX_POST_QUERIES):
        response = admin_client.post(
            ADD_URL, event_data(initiative=initiative, organizer=organizer, lines=lines)
        )

    assertRedirects(response, CHANGELIST_URL, fetch_redirect_response=False)
    event = AwarenessEvent.objects.get()
    assert event.title == "Découverte des métiers du verre"
    assert sorted(event.counts.values_list("audience", "people", "women")) == sorted(
        [(girls.pk, 24, 13), (prescribers.pk, 6, None)]
    )
    assert event.created_by == admin_user
    assert event.updated_by == admin_user


def test_an_edit_by_another_user_records_the_editor_and_keeps_the_author(
    admin_client,
    admin_user,
    client,
    editor,
    django_assert_max_num_queries,
    initiative,
    organizer,
    girls,
):
    with django_assert_max_num_queries(MAX_POST_QUERIES):
        admin_client.post(
            ADD_URL,
            event_data(
                initiative=initiative,
                organizer=organizer,
                lines=[{"audience": girls.pk, "people": 24, "women": 13}],
            ),
        )
    event = AwarenessEvent.objects.get()
    line = event.counts.get()
    client.force_login(editor)

    with django_assert_max_num_queries(MAX_POST_QUERIES):
        response = client.post(
            change_url(event),
            event_data(
                initiative=initiative,
                organizer=organizer,
                lines=[
                    {"id": line.pk, "event": event.pk, "audience": girls.pk, "people": 25},
                ],
                initial_lines=1,
                status=EventStatus.VALIDATED,
                seen_version=event.version,
            ),
        )

    assertRedirects(response, CHANGELIST_URL, fetch_redirect_response=False)
    event.refresh_from_db()
    line.refresh_from_db()
    assert event.status == EventStatus.VALIDATED
    assert (line.people, line.women) == (25, None)
    assert event.created_by == admin_user
    assert event.updated_by == editor


def assert_refused(response, message):
    assertContains(response, message)
    # The form comes back with what was typed, to be corrected.
    assertContains(response, 'value="Découverte des métiers du verre"')
    assert not AwarenessEvent.objects.exists()
    assert not AudienceCount.objects.exists()


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        pytest.param(
            [{"people": 10, "women": 11}],
            "Le nombre de femmes ne peut pas dépasser le nombre de personnes.",
            id="more-women-than-people",
        ),
        pytest.param(
            [{"people": -3, "women": None}],
            "Le nombre de personnes ne peut pas être négatif.",
            id="negative-people",
        ),
        pytest.param(
            [{"people": 10, "women": -1}],
            "Le nombre de femmes ne peut pas être négatif.",
            id="negative-women",
        ),
        pytest.param(
            [{"people": 10, "women": 5}, {"people": 4, "women": 2}],
            "Cette action a déjà une ligne pour ce public.",
            id="two-lines-for-one-audience",
        ),
    ],
)
def test_a_wrong_count_line_is_refused_in_french_and_nothing_is_saved(
    admin_client, django_assert_max_num_queries, initiative, organizer, girls, lines, message
):
    data = event_data(
        initiative=initiative,
        organizer=organizer,
        lines=[{"audience": girls.pk, **line} for line in lines],
    )

    with django_assert_max_num_queries(MAX_POST_QUERIES):
        response = admin_client.post(ADD_URL, data)

    assert_refused(response, message)


@pytest.mark.parametrize(
    "date, shown", [("9999-11-15", "15/11/9999"), ("1900-01-01", "01/01/1900")]
)
def test_an_implausible_date_is_refused_in_french_and_nothing_is_saved(
    admin_client, initiative, organizer, girls, date, shown
):
    # A typo of the year (« 9999 », « 1900 ») stretched every chart over centuries,
    # and a date near the end of the calendar took the dashboard down.
    data = event_data(
        initiative=initiative,
        organizer=organizer,
        lines=[{"audience": girls.pk, "people": 20, "women": 8}],
        date=date,
    )

    response = admin_client.post(ADD_URL, data)

    assert_refused(
        response,
        escape(
            f"Date improbable : {shown}. Vérifiez l'année : une action a lieu entre 2000 et 2100."
        ),
    )


def test_a_commune_outside_the_territorys_departments_is_refused(
    admin_client, initiative, organizer, girls
):
    # The import refused it, so the export of such an event did not import again.
    CommuneFactory(
        code="12300", name="Villefranche-de-Rouergue", department="12", postal_codes="12200"
    )
    data = event_data(
        initiative=initiative,
        organizer=organizer,
        lines=[{"audience": girls.pk, "people": 20, "women": 8}],
        official_commune="12300",
    )

    response = admin_client.post(ADD_URL, data)

    assert_refused(
        response,
        escape(
            "Villefranche-de-Rouergue (12200) n'est pas une commune du Nord ou du "
            "Pas-de-Calais, où se trouve le territoire de cette initiative : choisissez une "
            "commune de ses départements."
        ),
    )
    # One of the Nord, where the territory also lies, is taken.
    response = admin_client.post(ADD_URL, {**data, "official_commune": "59350"})
    assert response.status_code == 302
    assert AwarenessEvent.objects.get().commune == "Lille"


def test_the_organizer_cannot_also_be_a_co_organizer(
    admin_client, django_assert_max_num_queries, initiative, organizer, girls
):
    data = event_data(
        initiative=initiative,
        organizer=organizer,
        lines=[{"audience": girls.pk, "people": 10, "women": 5}],
        co_organizers=[organizer.pk],
    )

    with django_assert_max_num_queries(MAX_POST_QUERIES):
        response = admin_client.post(ADD_URL, data)

    assert_refused(response, "Le partenaire organisateur ne peut pas être aussi co-organisateur.")


def test_change_form_shows_the_events_total_from_its_saved_lines(
    admin_client, django_assert_num_queries, girls, prescribers
):
    event = AwarenessEventFactory()
    AudienceCountFactory(event=event, audience=girls, people=1200, women=640)
    AudienceCountFactory(event=event, audience=prescribers, people=8, women=None)

    with django_assert_num_queries(CHANGE_FORM_QUERIES):
        response = admin_client.get(change_url(event))

    assertContains(
        response,
        '<div class="readonly">1\u202f208 personnes, dont 640 femmes ou filles'
        " (sexe non renseigné pour 8 personnes)</div>",
        html=True,
    )


def test_add_form_dates_the_event_today(admin_client, django_assert_num_queries):
    with django_assert_num_queries(ADD_FORM_QUERIES):
        response = admin_client.get(ADD_URL)

    assert response.context["adminform"].form["date"].value() == timezone.localdate()


def make_events(count):
    for _ in range(count):
        event = AwarenessEventFactory(co_organizers=[PartnerFactory(), PartnerFactory()])
        AudienceCountFactory(event=event, people=20, women=12)
        AudienceCountFactory(event=event, people=5, women=None)


@pytest.mark.parametrize("narrowed_by", ["filter", "search"])
def test_co_organisers_do_not_inflate_the_totals(
    admin_client, django_assert_num_queries, narrowed_by
):
    ribot = PartnerFactory(name="Lycée Alexandre Ribot")
    pascal = PartnerFactory(name="Lycée Blaise Pascal")
    event = AwarenessEventFactory(co_organizers=[ribot, pascal])
    AudienceCountFactory(event=event, people=20, women=12)
    # Organised by others: filtered out (its line's audience is a second choice of
    # the audience filter, which shows only when it has two).
    AudienceCountFactory(event=AwarenessEventFactory())

    # "Lycée" matches both co-organisers: a join would count the line twice.
    query = {"filter": {"co_organizers__id__exact": ribot.pk}, "search": {"q": "Lycée"}}

    with django_assert_num_queries(CHANGELIST_QUERIES):
        response = admin_client.get(CHANGELIST_URL, query[narrowed_by])

    assert list(response.context["cl"].result_list) == [event]
    assertContains(response, '<td class="field-people_total">20</td>', html=True)
    assertContains(response, '<td class="field-women_total">12</td>', html=True)


def test_the_count_lines_show_a_live_total_from_a_script_file(
    admin_client, django_assert_num_queries
):
    with django_assert_num_queries(ADD_FORM_QUERIES):
        response = admin_client.get(ADD_URL)

    # A file, not an inline script: the coming Content-Security-Policy forbids those.
    assertContains(
        response, '<script src="/static/admin_extra/count_total.js"></script>', html=True
    )


def test_the_return_comment_is_typed_in_the_action_bar(admin_client, django_assert_num_queries):
    make_events(3)

    with django_assert_num_queries(UNFILTERED_CHANGELIST_QUERIES):
        response = admin_client.get(CHANGELIST_URL)

    assertContains(
        response, '<script src="/static/admin_extra/review_comment.js"></script>', html=True
    )
    assertContains(response, 'name="commentaire"')

"""Nothing is lost: every change made in the admin is in the history with who made
it and why, the history reads in French, and an earlier version can be restored."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains

from feminisation import access
from indicators import workflow
from indicators.figures import stats, store
from indicators.models import AudienceCount
from tests.indicators.accounts import user_in
from tests.indicators.admin_forms import form_data
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory, TargetFactory
from tests.initiatives.factories import AudienceFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db

# A change form, its history or one of its versions, saved or shown
# (a save also refreshes its days' daily figures, once: ~10 queries; it locks the
# event and reads its version; the history reads the count lines' changes; the
# commune chosen is read by the form and checked by the model, as the initiative is;
# the months' roll-ups are refreshed, under a lock on PostgreSQL, and the event's
# credits checked)
MAX_QUERIES = 68 + (connection.vendor == "postgresql")
# Restoring a version also reads the lines it had, checks what they name still
# exists, and writes them back
REVERT_QUERIES = 75


def admin_url(obj, view, *args):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk, *args])


@pytest.fixture
def staff():
    return user_in(access.TERRITORY_STAFF, "equipe")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def event():
    event = AwarenessEventFactory(title="Forum des métiers")
    AudienceCountFactory(event=event, people=30, women=14)
    return event


def test_a_change_is_recorded_with_its_author_and_reason(
    staff_client, staff, django_assert_max_num_queries, event
):
    data = form_data(
        staff_client.get(admin_url(event, "change")),
        title="Forum des métiers de Saint-Omer",
        change_reason="Intitulé précisé par la CAPSO",
    )

    with django_assert_max_num_queries(MAX_QUERIES):
        staff_client.post(admin_url(event, "change"), data)

    record = event.history.first()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "~",
        staff,
        "Intitulé précisé par la CAPSO",
    )
    with django_assert_max_num_queries(MAX_QUERIES):
        response = staff_client.get(admin_url(event, "history"))

    assertContains(
        response, "<h1>Historique de « Forum des métiers de Saint-Omer (14/03/2025) »</h1>"
    )
    assertContains(response, '<th scope="col">Motif</th>', html=True)
    assertContains(response, "<td>Intitulé précisé par la CAPSO</td>", html=True)
    assertContains(response, "<td>equipe</td>", html=True)
    assertContains(
        response,
        "<li><strong>Intitulé :</strong> Forum des métiers&nbsp;&rarr;&nbsp;"
        "Forum des métiers de Saint-Omer</li>",
        html=True,
    )


def test_the_count_lines_changed_with_their_event_are_recorded(
    staff_client, staff, django_assert_max_num_queries, event
):
    line = event.counts.get()
    data = form_data(
        staff_client.get(admin_url(event, "change")),
        change_reason="Comptage corrigé",
        **{"counts-0-people": 32},
    )

    with django_assert_max_num_queries(MAX_QUERIES):
        staff_client.post(admin_url(event, "change"), data)

    record = line.history.first()
    assert (record.people, record.history_user, record.history_change_reason) == (
        32,
        staff,
        "Comptage corrigé",
    )


def test_the_staff_restore_an_earlier_version(
    staff_client, staff, django_assert_max_num_queries, event
):
    first_version = event.history.get()
    data = form_data(staff_client.get(admin_url(event, "change")), title="Intitulé erroné")
    staff_client.post(admin_url(event, "change"), data)
    version_url = admin_url(event, "simple_history", first_version.history_id)

    with django_assert_max_num_queries(MAX_QUERIES):
        response = staff_client.get(version_url)

    assertContains(response, 'value="Forum des métiers"')
    assertContains(response, '<input type="submit" value="Rétablir"')
    with django_assert_max_num_queries(MAX_QUERIES):
        response = staff_client.post(version_url, form_data(response))

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Forum des métiers"
    record = event.history.first()
    assert (record.history_user, record.history_change_reason) == (
        staff,
        "Retour à une version antérieure",
    )


def test_managers_read_the_history_but_restore_nothing(
    client, django_assert_max_num_queries, event
):
    client.force_login(user_in(access.MANAGERS, "responsable"))
    event.title = "Intitulé erroné"
    event.save()
    version_url = admin_url(event, "simple_history", event.history.last().history_id)

    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(version_url)

    assert response.status_code == 200
    assertNotContains(response, 'value="Rétablir"')
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.post(version_url, {"title": "Forum des métiers"})

    assert response.status_code == 403
    event.refresh_from_db()
    assert event.title == "Intitulé erroné"


def test_a_partner_reads_no_version(client, django_assert_max_num_queries, event):
    client.force_login(user_in(access.PARTNERS, "arc-france", organisations=[event.organizer]))
    version_url = admin_url(event, "simple_history", event.history.get().history_id)

    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(version_url).status_code == 403
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(admin_url(event, "change"))

    # No « Historique » button leads to a refusal.
    assertNotContains(response, 'class="historylink"')


@pytest.mark.parametrize(
    ("make", "change"),
    [
        pytest.param(PartnerFactory, {"short_name": "CAPSO"}, id="partner"),
        pytest.param(InitiativeFactory, {"title": "Réseau Verr'Elles"}, id="initiative"),
        pytest.param(TargetFactory, {"people": 1500}, id="target"),
    ],
)
def test_partners_initiatives_and_targets_record_the_reason(
    staff_client, staff, django_assert_max_num_queries, make, change
):
    obj = make()
    response = staff_client.get(admin_url(obj, "change"))
    assertContains(response, "Motif de la modification")
    data = form_data(response, change_reason="Relu avec le comité de pilotage", **change)

    with django_assert_max_num_queries(MAX_QUERIES):
        response = staff_client.post(admin_url(obj, "change"), data)

    assert response.status_code == 302
    record = obj.history.first()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "~",
        staff,
        "Relu avec le comité de pilotage",
    )
    field, value = next(iter(change.items()))
    assert getattr(record, field) == value


def shift_history(event, to):
    """Moves the event's and its lines' history so that its latest record is dated
    `to`, keeping their order: the times the page shows are then known."""
    shift = to - event.history.first().history_date
    for records in (event.history.all(), AudienceCount.history.filter(event_id=event.pk)):
        for record in records:
            record.history_date += shift
            record.save()


def test_the_history_shows_the_count_lines_and_names_in_local_time(
    staff_client, staff, django_assert_max_num_queries, event
):
    capso = PartnerFactory(
        name="Communauté d'agglomération du Pays de Saint-Omer", short_name="CAPSO"
    )
    girls = event.counts.get().audience
    data = form_data(
        staff_client.get(admin_url(event, "change")),
        change_reason="Feuille d'émargement recomptée",
        co_organizers=[capso.pk],
        **{"counts-0-people": 32, "counts-0-women": 15},
    )
    staff_client.post(admin_url(event, "change"), data)
    # Summer: Paris is two hours ahead of UTC.
    shift_history(event, datetime.datetime(2026, 7, 1, 12, 5, tzinfo=datetime.UTC))

    with django_assert_max_num_queries(MAX_QUERIES):
        response = staff_client.get(admin_url(event, "history"))

    assertContains(response, "<td>01/07/2026 14:05</td>", html=True)
    assertContains(response, "<td>Feuille d'émargement recomptée</td>", html=True)
    assertContains(
        response,
        "<li><strong>Co-organisateurs :</strong> —&nbsp;&rarr;&nbsp;CAPSO</li>",
        html=True,
    )
    assertContains(
        response,
        f"<li><strong>Ligne de comptage :</strong> {girls} : 30 personnes, dont 14 femmes ou "
        f"filles&nbsp;&rarr;&nbsp;{girls} : 32 personnes, dont 15 femmes ou filles</li>",
        html=True,
    )
    assertContains(
        response, "<li><strong>Modifiée par :</strong> —&nbsp;&rarr;&nbsp;equipe</li>", html=True
    )


def test_a_line_added_or_removed_shows_in_the_history(staff_client, event):
    girls = event.counts.get().audience
    parents = AudienceFactory(short_name="Parents")
    data = form_data(
        staff_client.get(admin_url(event, "change")),
        **{
            "counts-0-DELETE": "on",
            "counts-1-audience": parents.pk,
            "counts-1-people": 12,
            "counts-1-women": "",
        },
    )
    staff_client.post(admin_url(event, "change"), data)

    response = staff_client.get(admin_url(event, "history"))

    for old, new in [
        (f"{girls} : 30 personnes, dont 14 femmes ou filles", "—"),
        ("—", "Parents : 12 personnes, nombre de femmes non renseigné"),
    ]:
        assertContains(
            response,
            f"<li><strong>Ligne de comptage :</strong> {old}&nbsp;&rarr;&nbsp;{new}</li>",
            html=True,
        )


def test_restoring_a_version_restores_its_lines_and_the_figures_follow(
    staff_client, staff, django_assert_max_num_queries, event
):
    first_version = event.history.get()
    girls = event.counts.get().audience
    data = form_data(
        staff_client.get(admin_url(event, "change")),
        title="Intitulé erroné",
        **{
            "counts-0-people": 300,
            "counts-0-women": 150,
            "counts-1-audience": AudienceFactory(short_name="Parents").pk,
            "counts-1-people": 12,
        },
    )
    staff_client.post(admin_url(event, "change"), data)
    assert event.counts.count() == 2
    version_url = admin_url(event, "simple_history", first_version.history_id)

    with django_assert_max_num_queries(MAX_QUERIES):
        response = staff_client.get(version_url)

    assertContains(
        response,
        f'<ul id="version-lines"><li>{girls} : 30 personnes, dont 14 femmes ou filles</li></ul>',
        html=True,
    )
    with django_assert_max_num_queries(REVERT_QUERIES):
        response = staff_client.post(version_url, form_data(response))

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Forum des métiers"
    assert list(event.counts.values_list("audience", "people", "women")) == [(girls.pk, 30, 14)]
    assert {
        line.history_change_reason
        for line in AudienceCount.history.filter(
            history_date__gt=event.history.get(version=3).history_date
        )
    } == {"Retour à une version antérieure"}
    assert store.days_that_differ() == []
    assert stats.event_figures(event).people == 30


def test_a_version_opened_before_another_save_is_not_restored(staff_client, event):
    first_version = event.history.get()
    staff_client.post(
        admin_url(event, "change"),
        form_data(staff_client.get(admin_url(event, "change")), title="Deuxième intitulé"),
    )
    version_url = admin_url(event, "simple_history", first_version.history_id)
    opened = form_data(staff_client.get(version_url))
    event.refresh_from_db()
    event.title = "Troisième intitulé, enregistré entre-temps"
    event.save()

    response = staff_client.post(version_url, opened)

    assert (response.status_code, response.url) == (302, version_url)
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith(f"<p>{escape(workflow.REVERT_CONFLICT)}</p>")
    assert "Troisième intitulé, enregistré entre-temps" in message
    event.refresh_from_db()
    assert event.title == "Troisième intitulé, enregistré entre-temps"


def test_a_version_naming_a_deleted_audience_is_not_restored(staff_client, event):
    first_version = event.history.get()
    old_audience = event.counts.get().audience
    data = form_data(
        staff_client.get(admin_url(event, "change")),
        **{"counts-0-audience": AudienceFactory(short_name="Parents").pk},
    )
    staff_client.post(admin_url(event, "change"), data)
    old_audience_pk = old_audience.pk
    old_audience.delete()
    version_url = admin_url(event, "simple_history", first_version.history_id)

    response = staff_client.post(version_url, form_data(staff_client.get(version_url)))

    assert (response.status_code, response.url) == (302, version_url)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        workflow.missing_message([f"le public n° {old_audience_pk}"], reverting=True)
    ]
    assert list(event.counts.values_list("audience__short_name", flat=True)) == ["Parents"]

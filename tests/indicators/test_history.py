"""Nothing is lost: every change made in the admin is in the history with who made
it and why, the history reads in French, and an earlier version can be restored."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from feminisation import access
from tests.indicators.accounts import user_in
from tests.indicators.admin_forms import form_data
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory, TargetFactory
from tests.initiatives.factories import InitiativeFactory
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db

# A change form, its history or one of its versions, saved or shown
# (a save also refreshes its days' daily figures, once: ~10 queries; it locks the
# event and reads its version; the history reads the count lines' changes)
MAX_QUERIES = 62


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

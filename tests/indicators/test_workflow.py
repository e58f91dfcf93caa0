"""The validation workflow in the admin: a partner drafts and submits, the territory
staff validate or send back with a comment the partner reads, a partner's change
to a validated event sends it back for validation, and a closed year is read-only
for partners."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from feminisation import access
from indicators.enums import EventFormat, EventStatus
from indicators.models import AwarenessEvent, ClosedYear
from tests.indicators.accounts import user_in
from tests.indicators.admin_forms import form_data
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import AudienceFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:indicators_awarenessevent_add")
CHANGELIST_URL = reverse("admin:indicators_awarenessevent_changelist")
CLOSED_YEAR_ADD_URL = reverse("admin:indicators_closedyear_add")
# Forms and lists, whoever asks: a bound that no page may exceed. A save reads each
# row before writing it and refreshes its days' daily figures once (~10 queries).
MAX_QUERIES = 70
LAST_YEAR = timezone.localdate().year - 1


def change_url(event):
    return reverse("admin:indicators_awarenessevent_change", args=[event.pk])


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def run_action(client, action, events, follow=True, **extra):
    """Runs an action of the events' list and follows its redirect back to the list,
    which shows (and so consumes) its message."""
    return client.post(
        CHANGELIST_URL,
        {"action": action, "_selected_action": [event.pk for event in events], "index": 0, **extra},
        follow=follow,
    )


@pytest.fixture
def initiative():
    return InitiativeFactory(title="Réseau Verr'Elles")


@pytest.fixture
def arc():
    return PartnerFactory(name="Arc France")


@pytest.fixture
def capso():
    return PartnerFactory(name="CAPSO")


@pytest.fixture
def partner(arc):
    return user_in(access.PARTNERS, "arc-france", organisations=[arc])


@pytest.fixture
def staff():
    return user_in(access.TERRITORY_STAFF, "equipe")


@pytest.fixture
def partner_client(client, partner):
    client.force_login(partner)
    return client


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def event_of(organizer, initiative, **fields):
    event = AwarenessEventFactory(organizer=organizer, initiative=initiative, **fields)
    AudienceCountFactory(event=event, people=20, women=12)
    return event


@pytest.mark.usefixtures("communes")
def test_a_partner_adds_a_draft_for_their_organisation_today(
    partner_client, django_assert_max_num_queries, arc, capso, initiative
):
    with django_assert_max_num_queries(MAX_QUERIES):
        response = partner_client.get(ADD_URL)

    form = response.context["adminform"].form
    assert form["organizer"].value() == arc.pk
    assert list(form.fields["organizer"].queryset) == [arc]
    assert form["date"].value() == timezone.localdate()
    assert form["status"].value() == EventStatus.DRAFT
    assert [value for value, _ in form.fields["status"].choices] == [
        EventStatus.DRAFT,
        EventStatus.SUBMITTED,
    ]
    data = form_data(
        response,
        initiative=initiative.pk,
        title="Visite de la verrerie",
        format=EventFormat.COMPANY_VISIT,
        venue_name="Arc France",
        official_commune="62040",
        **{"counts-0-audience": AudienceFactory().pk, "counts-0-people": 12},
    )

    with django_assert_max_num_queries(MAX_QUERIES):
        response = partner_client.post(ADD_URL, data)

    event = AwarenessEvent.objects.get()
    assert (event.status, event.organizer, event.commune) == (EventStatus.DRAFT, arc, "Arques")
    assert event.counts.get().people == 12


def test_a_partner_cannot_enter_an_event_for_another_organisation(
    partner_client, django_assert_max_num_queries, capso, initiative
):
    response = partner_client.get(ADD_URL)
    data = form_data(
        response,
        initiative=initiative.pk,
        title="Visite",
        format=EventFormat.COMPANY_VISIT,
        venue_name="CAPSO",
        commune="Saint-Omer",
        organizer=capso.pk,
    )

    with django_assert_max_num_queries(MAX_QUERIES):
        response = partner_client.post(ADD_URL, data)

    assertContains(response, "Sélectionnez un choix valide")
    assert not AwarenessEvent.objects.exists()


def test_a_partner_cannot_validate_through_the_form(
    partner_client, django_assert_max_num_queries, arc, initiative
):
    event = event_of(arc, initiative, submitted=True)
    data = form_data(partner_client.get(change_url(event)), status=EventStatus.VALIDATED)

    with django_assert_max_num_queries(MAX_QUERIES):
        response = partner_client.post(change_url(event), data)

    assertContains(response, "Sélectionnez un choix valide")
    event.refresh_from_db()
    assert event.status == EventStatus.SUBMITTED


def test_draft_submitted_then_validated(
    client, partner, staff, django_assert_max_num_queries, arc, initiative
):
    event = event_of(arc, initiative, draft=True)
    client.force_login(partner)

    with django_assert_max_num_queries(MAX_QUERIES):
        response = run_action(client, "submit_for_validation", [event])

    assert messages_of(response) == ["1 action soumise pour validation."]
    event.refresh_from_db()
    assert event.status == EventStatus.SUBMITTED
    record = event.history.first()
    assert (record.history_user, record.history_change_reason) == (
        partner,
        "Soumise pour validation",
    )

    client.force_login(staff)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = run_action(client, "validate", [event])

    assert messages_of(response) == ["1 action validée."]
    event.refresh_from_db()
    assert event.status == EventStatus.VALIDATED
    assert event.validated_by == staff
    assert event.validated_at is not None
    record = event.history.first()
    assert (record.history_user, record.history_change_reason) == (staff, "Validée")


def test_staff_bulk_validate_drafts_and_submitted_events_and_say_what_they_left(
    staff_client, django_assert_max_num_queries, arc, initiative
):
    events = [
        event_of(arc, initiative, submitted=True, date=datetime.date(2025, 3, 3)),
        event_of(arc, initiative, submitted=True, date=datetime.date(2025, 3, 2)),
        event_of(arc, initiative, draft=True, date=datetime.date(2025, 3, 1)),
        event_of(arc, initiative, date=datetime.date(2025, 2, 28)),
        event_of(arc, initiative, status=EventStatus.RETURNED, date=datetime.date(2025, 2, 27)),
    ]

    with django_assert_max_num_queries(MAX_QUERIES):
        response = run_action(staff_client, "validate", events)

    assert messages_of(response) == [
        "3 actions validées. 2 laissées telles quelles : 1 déjà validée, "
        "1 à corriger par le partenaire."
    ]
    assert AwarenessEvent.objects.validated().count() == 4
    assert AwarenessEvent.objects.get(status=EventStatus.RETURNED) == events[4]


def test_returned_with_a_comment_the_partner_reads_at_the_top_of_the_form(
    client, partner, staff, django_assert_max_num_queries, arc, initiative
):
    event = event_of(arc, initiative, submitted=True)
    client.force_login(staff)

    with django_assert_max_num_queries(MAX_QUERIES):
        response = run_action(
            client,
            "return_for_correction",
            [event],
            commentaire="Il manque le nombre de filles.",
        )

    assert messages_of(response) == ["1 action renvoyée pour correction."]
    event.refresh_from_db()
    assert (event.status, event.review_comment) == (
        EventStatus.RETURNED,
        "Il manque le nombre de filles.",
    )
    assert event.history.first().history_change_reason == (
        "Renvoyée pour correction : Il manque le nombre de filles."
    )

    client.force_login(partner)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(change_url(event))

    fieldsets = response.context["adminform"].fieldsets
    assert fieldsets[0][0] == "À corriger"
    assertContains(
        response, '<div class="readonly">Il manque le nombre de filles.</div>', html=True
    )
    # The form shows the true status: the partner chooses « Soumise, à valider » to
    # send it back (tests/indicators/test_admin_wording_events.py).
    assert response.context["adminform"].form["status"].value() == EventStatus.RETURNED


def test_returning_needs_a_comment(staff_client, django_assert_max_num_queries, arc, initiative):
    event = event_of(arc, initiative, submitted=True)

    with django_assert_max_num_queries(MAX_QUERIES):
        response = run_action(staff_client, "return_for_correction", [event], commentaire=" ")

    assert messages_of(response) == [
        "Écrivez dans « Commentaire pour le partenaire » ce qu'il faut corriger : aucune "
        "action n'a été renvoyée."
    ]
    event.refresh_from_db()
    assert event.status == EventStatus.SUBMITTED


def test_partners_are_not_offered_the_staffs_actions(partner_client, arc, initiative):
    event_of(arc, initiative, submitted=True)

    response = partner_client.get(CHANGELIST_URL)

    actions = [value for value, _ in response.context["action_form"].fields["action"].choices]
    assert actions == [
        "",
        "delete_selected",
        "submit_for_validation",
        "export_selection",
        "export_selection_xlsx",
    ]


@pytest.mark.parametrize(
    ("change", "status"),
    [
        pytest.param(
            {"title": "Visite de la verrerie d'Arques"}, EventStatus.SUBMITTED, id="title"
        ),
        pytest.param({"counts-0-people": 25}, EventStatus.SUBMITTED, id="count-line"),
        pytest.param({}, EventStatus.VALIDATED, id="nothing-changed"),
    ],
)
def test_a_partners_change_sends_a_validated_event_back_for_validation(
    partner_client, partner, django_assert_max_num_queries, arc, initiative, change, status
):
    event = event_of(arc, initiative)
    data = form_data(partner_client.get(change_url(event)), **change)

    with django_assert_max_num_queries(MAX_QUERIES):
        response = partner_client.post(change_url(event), data)

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == status
    if status == EventStatus.SUBMITTED:
        assert (event.validated_by, event.validated_at) == (None, None)
        record = event.history.first()
        assert (record.history_user, record.history_change_reason) == (
            partner,
            "Modifiée par le partenaire : à valider de nouveau",
        )


@pytest.fixture
def closed_year_event(arc, initiative):
    ClosedYear.objects.create(plan=initiative.plan, year=LAST_YEAR)
    return event_of(
        arc, initiative, submitted=False, draft=True, date=datetime.date(LAST_YEAR, 5, 4)
    )


def test_a_closed_years_events_are_read_only_for_partners(
    partner_client, django_assert_max_num_queries, closed_year_event
):
    with django_assert_max_num_queries(MAX_QUERIES):
        response = partner_client.get(change_url(closed_year_event))

    assert response.status_code == 200
    assertNotContains(response, 'name="_save"')
    assert partner_client.post(change_url(closed_year_event), {}).status_code == 403

    with django_assert_max_num_queries(MAX_QUERIES):
        response = run_action(partner_client, "submit_for_validation", [closed_year_event])

    assert messages_of(response) == [
        "Aucune action modifiée. 1 laissée telle quelle : 1 d'une année clôturée."
    ]
    closed_year_event.refresh_from_db()
    assert closed_year_event.status == EventStatus.DRAFT


def test_a_partner_cannot_add_an_event_to_a_closed_year(
    partner_client, django_assert_max_num_queries, arc, initiative
):
    ClosedYear.objects.create(plan=initiative.plan, year=LAST_YEAR)
    data = form_data(
        partner_client.get(ADD_URL),
        initiative=initiative.pk,
        title="Visite",
        date=f"{LAST_YEAR}-06-01",
        format=EventFormat.COMPANY_VISIT,
        venue_name="Arc France",
        commune="Arques",
    )

    with django_assert_max_num_queries(MAX_QUERIES):
        response = partner_client.post(ADD_URL, data)

    assertContains(
        response,
        f"L&#x27;année {LAST_YEAR} est clôturée : seule l&#x27;équipe du territoire peut "
        "encore y enregistrer ou modifier des actions.",
    )
    assert not AwarenessEvent.objects.exists()


def test_the_staff_still_change_a_closed_years_events(
    staff_client, django_assert_max_num_queries, closed_year_event
):
    data = form_data(staff_client.get(change_url(closed_year_event)), title="Titre corrigé")

    with django_assert_max_num_queries(MAX_QUERIES):
        response = staff_client.post(change_url(closed_year_event), data)

    assert response.status_code == 302
    closed_year_event.refresh_from_db()
    assert closed_year_event.title == "Titre corrigé"


def test_a_partner_cannot_delete_a_validated_event(
    partner_client, django_assert_max_num_queries, arc, initiative
):
    validated = event_of(arc, initiative)
    draft = event_of(arc, initiative, draft=True)
    delete_url = reverse("admin:indicators_awarenessevent_delete", args=[validated.pk])

    with django_assert_max_num_queries(MAX_QUERIES):
        assert partner_client.post(delete_url, {"post": "yes"}).status_code == 403
    with django_assert_max_num_queries(MAX_QUERIES):
        response = run_action(
            partner_client, "delete_selected", [validated, draft], follow=False, post="yes"
        )

    assert response.status_code == 403
    assert AwarenessEvent.objects.count() == 2
    with django_assert_max_num_queries(MAX_QUERIES):
        response = run_action(partner_client, "delete_selected", [draft], follow=False, post="yes")
    assert response.status_code == 302
    assert list(AwarenessEvent.objects.all()) == [validated]


@pytest.mark.parametrize("status", [EventStatus.SUBMITTED, EventStatus.VALIDATED])
def test_a_co_organiser_sees_the_event_read_only_and_can_neither_change_nor_delete_it(
    partner_client, django_assert_max_num_queries, arc, capso, initiative, status
):
    event = event_of(capso, initiative, status=status, co_organizers=[arc])

    with django_assert_max_num_queries(MAX_QUERIES):
        response = partner_client.get(change_url(event))

    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    assert not response.context["has_delete_permission"]
    assertNotContains(response, 'name="title"')
    changed = partner_client.post(change_url(event), {"title": "Forum commun", "_save": "1"})
    deleted = partner_client.post(
        reverse("admin:indicators_awarenessevent_delete", args=[event.pk]), {"post": "yes"}
    )
    bulk = run_action(partner_client, "delete_selected", [event], follow=False, post="yes")
    resubmitted = run_action(partner_client, "submit_for_validation", [event])

    assert (changed.status_code, deleted.status_code) == (403, 403)
    assert bulk.status_code == 403
    assert messages_of(resubmitted) == [
        "Aucune action modifiée. 1 laissée telle quelle : 1 organisée par un autre partenaire."
    ]
    event.refresh_from_db()
    assert (event.title, event.organizer, event.status) == (event.title, capso, status)
    assert event.title != "Forum commun"


def test_a_co_organiser_cannot_change_the_event_by_an_import(
    partner_client, arc, capso, initiative
):
    event = event_of(capso, initiative, submitted=True, co_organizers=[arc])
    sheet = (
        "date;initiative;intitulé;format;lieu;commune;organisateur;public;personnes;référence\r\n"
        f"{event.date:%d/%m/%Y};{initiative.number};Forum commun;Atelier;{event.venue_name};"
        f"{event.commune};CAPSO;{event.counts.get().audience.name};99;{event.pk}\r\n"
    )

    response = partner_client.post(
        reverse("admin:indicators_awarenessevent_import"),
        {"file": SimpleUploadedFile("actions.csv", sheet.encode())},
    )

    messages = {error.message for error in response.context["result"].errors}
    assert (
        f"Action n° {event.pk} : Cette action est organisée par « CAPSO » : seuls son "
        "organisateur et l'équipe du territoire peuvent la modifier ou la supprimer."
    ) in messages
    assert "token" not in response.context
    event.refresh_from_db()
    assert (event.title, event.counts.get().people) == (event.title, 20)


def test_a_partners_change_to_a_validated_event_says_it_goes_back_for_validation(
    partner_client, arc, initiative
):
    event = event_of(arc, initiative, status=EventStatus.VALIDATED)
    response = partner_client.get(change_url(event))

    saved = partner_client.post(change_url(event), form_data(response, title="Forum corrigé"))

    assert messages_of(saved)[-1].endswith(
        "Cette action était validée : modifiée, elle repasse « Soumise, à valider » et "
        "l'équipe du territoire la vérifiera de nouveau."
    )
    event.refresh_from_db()
    assert (event.title, event.status) == ("Forum corrigé", EventStatus.SUBMITTED)


def test_the_staff_close_a_past_year_only(
    staff_client, staff, django_assert_max_num_queries, initiative
):
    this_year = timezone.localdate().year

    with django_assert_max_num_queries(MAX_QUERIES):
        response = staff_client.post(
            CLOSED_YEAR_ADD_URL, {"plan": initiative.plan.pk, "year": this_year}
        )

    assertContains(response, "Seule une année passée peut être clôturée.")
    with django_assert_max_num_queries(MAX_QUERIES):
        response = staff_client.post(
            CLOSED_YEAR_ADD_URL, {"plan": initiative.plan.pk, "year": LAST_YEAR}
        )

    assert response.status_code == 302
    closed = ClosedYear.objects.get()
    assert (closed.year, closed.closed_by) == (LAST_YEAR, staff)


@pytest.mark.parametrize("group", [access.MANAGERS, access.PARTNERS])
def test_only_the_staff_close_a_year(client, initiative, group):
    client.force_login(user_in(group, "quelquun"))

    response = client.post(CLOSED_YEAR_ADD_URL, {"plan": initiative.plan.pk, "year": LAST_YEAR})

    assert response.status_code == 403
    assert not ClosedYear.objects.exists()

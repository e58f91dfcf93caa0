"""Reviewing a resubmitted event: above its form, the territory staff read what the
partner changed since they returned it for correction or last validated it — the
fields and the count lines, before → after, by whom and when. Partners never see
it, nor does a first submission show it."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from feminisation import access
from indicators import history
from indicators.enums import EventStatus
from tests.indicators.accounts import user_in
from tests.indicators.admin_forms import form_data
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import AudienceFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("communes")]

SECTION = 'id="changes-since-review"'
# The event's latest reviewed version, the version it was returned in (a partner's
# saves keep it « à corriger » until resubmitted), the records since, their
# co-organisers, the initiatives' and the partners' names, the count lines' records,
# the audiences' names.
REVIEW_QUERIES = 8


@pytest.fixture
def arc():
    return PartnerFactory(name="Arc France")


@pytest.fixture
def girls():
    return AudienceFactory(short_name="Collégiennes")


@pytest.fixture
def event(arc, girls):
    event = AwarenessEventFactory(
        organizer=arc,
        title="Visite de la verrerie",
        commune="Arques",
        submitted=True,
        initiative=InitiativeFactory(number=1, title="Réseau Verr'Elles"),
    )
    AudienceCountFactory(event=event, audience=girls, people=12, women=5)
    return event


@pytest.fixture
def staff_client(client):
    client.force_login(user_in(access.TERRITORY_STAFF, "equipe"))
    return client


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def partner_client(arc):
    return logged_in(user_in(access.PARTNERS, "verrelles", organisations=[arc]))


def change_url(event):
    return reverse("admin:indicators_awarenessevent_change", args=[event.pk])


def save(client, event, **changes):
    response = client.post(change_url(event), form_data(client.get(change_url(event)), **changes))
    assert response.status_code == 302, response.context["adminform"].form.errors
    event.refresh_from_db()


def return_it(staff_client, event):
    save(
        staff_client,
        event,
        status=EventStatus.RETURNED,
        review_comment="Le nombre de collégiennes semble faux.",
    )


def noted(event):
    """« par verrelles, le 14/03/2026 à 14:05 »: the latest save's author and date."""
    record = event.history.order_by("-history_date").first()
    return f"par {record.history_user.username}, le {history.when(record.history_date)}"


def item(label, old, new, note):
    return (
        f"<li><strong>{label} :</strong> {old}&nbsp;&rarr;&nbsp;{new} <small>({note})</small></li>"
    )


def test_staff_see_the_fields_and_lines_a_partner_changed_since_the_return(
    staff_client, partner_client, event, arc, girls
):
    return_it(staff_client, event)
    corif = InitiativeFactory(plan=event.initiative.plan, number=2, title="Portraits CORIF")
    capso = PartnerFactory(name="CAPSO")
    prescribers = AudienceFactory(short_name="Prescripteurs")

    save(
        partner_client,
        event,
        title="Visite de la verrerie Arc",
        initiative=corif.pk,
        co_organizers=[capso.pk],
        status=EventStatus.SUBMITTED,
        **{
            "counts-0-people": 15,
            "counts-1-audience": prescribers.pk,
            "counts-1-people": 4,
            "counts-1-women": "",
        },
    )
    response = staff_client.get(change_url(event))

    note = noted(event)
    assertContains(
        response,
        '<h2 id="changes-since-review-title">Ce qui a changé depuis qu\'elle a été renvoyée '
        "pour correction</h2>",
        html=True,
    )
    returned = event.history.filter(status=EventStatus.RETURNED).get()
    assertContains(
        response,
        f"<p>Renvoyée pour correction par equipe le {history.when(returned.history_date)}.</p>",
        html=True,
    )
    assertContains(
        response,
        "<p>Commentaire envoyé au partenaire : « Le nombre de collégiennes semble faux. »</p>",
        html=True,
    )
    for label, old, new in [
        ("Initiative", "1. Réseau Verr'Elles", "2. Portraits CORIF"),
        ("Intitulé", "Visite de la verrerie", "Visite de la verrerie Arc"),
        ("Co-organisateurs", "—", "CAPSO"),
    ]:
        assertContains(response, item(label, old, new, note), html=True)
    assertContains(
        response,
        item("Collégiennes", "12", "15 personnes, dont 5 femmes ou filles", note),
        html=True,
    )
    assertContains(
        response,
        item("Prescripteurs", "—", "4 personnes, nombre de femmes non renseigné", note),
        html=True,
    )
    # Unchanged fields, and the workflow's own, are not listed.
    assertNotContains(response, "<strong>Commune :</strong>", html=True)
    assertNotContains(response, "<strong>Statut :</strong>", html=True)


def test_a_removed_line_and_a_change_of_women_read_in_full(
    staff_client, partner_client, event, girls
):
    prescribers = AudienceFactory(short_name="Prescripteurs")
    AudienceCountFactory(event=event, audience=prescribers, people=4, women=1)
    return_it(staff_client, event)

    # The lines are listed by audience order: the girls' first.
    save(
        partner_client,
        event,
        status=EventStatus.SUBMITTED,
        **{"counts-0-women": 7, "counts-1-DELETE": "on"},
    )
    response = staff_client.get(change_url(event))

    note = noted(event)
    assertContains(
        response,
        item(
            "Collégiennes",
            "12 personnes, dont 5 femmes ou filles",
            "12 personnes, dont 7 femmes ou filles",
            note,
        ),
        html=True,
    )
    assertContains(
        response,
        item("Prescripteurs", "4 personnes, dont 1 femme ou fille", "—", note),
        html=True,
    )


def test_a_validated_event_a_partner_changed_shows_its_changes_since_validation(
    staff_client, partner_client, event
):
    save(staff_client, event, status=EventStatus.VALIDATED)

    save(partner_client, event, official_commune="62139")  # Blendecques
    assert event.status == EventStatus.SUBMITTED
    response = staff_client.get(change_url(event))

    assertContains(response, "Ce qui a changé depuis qu'elle a été validée")
    assertContains(response, item("Commune", "Arques", "Blendecques", noted(event)), html=True)
    assertNotContains(response, "Commentaire envoyé au partenaire")


def test_each_change_is_credited_to_the_last_save_that_made_it(
    staff_client, partner_client, event, arc
):
    return_it(staff_client, event)
    save(partner_client, event, title="Premier essai", status=EventStatus.DRAFT)
    first = noted(event)
    colleague = logged_in(user_in(access.PARTNERS, "collegue", organisations=[arc]))
    save(colleague, event, official_commune="62139", status=EventStatus.SUBMITTED)

    response = staff_client.get(change_url(event))

    assertContains(
        response, item("Intitulé", "Visite de la verrerie", "Premier essai", first), html=True
    )
    assertContains(response, item("Commune", "Arques", "Blendecques", noted(event)), html=True)


def test_a_resubmission_without_changes_says_so(staff_client, partner_client, event):
    return_it(staff_client, event)

    save(partner_client, event, status=EventStatus.SUBMITTED)
    response = staff_client.get(change_url(event))

    assertContains(
        response,
        "<p>Rien n'a changé depuis : ni les champs ni les lignes de comptage.</p>",
        html=True,
    )


def test_partners_never_see_it(staff_client, partner_client, event):
    return_it(staff_client, event)
    save(partner_client, event, title="Visite de la verrerie Arc", status=EventStatus.SUBMITTED)

    response = partner_client.get(change_url(event))

    assert response.status_code == 200
    assertNotContains(response, SECTION)
    assertNotContains(response, "Ce qui a changé")


def test_a_first_submission_shows_nothing(staff_client, event):
    response = staff_client.get(change_url(event))

    assert response.status_code == 200
    assert history.changes_since_review(event) is None
    assertNotContains(response, SECTION)


def test_it_is_shown_only_while_the_event_awaits_validation(staff_client, partner_client, event):
    return_it(staff_client, event)

    # Returned, and not yet resubmitted: nothing to review.
    response = staff_client.get(change_url(event))

    assertNotContains(response, SECTION)


def test_its_queries_do_not_grow_with_the_history(
    staff_client, partner_client, event, django_assert_max_num_queries
):
    return_it(staff_client, event)
    for number in range(8):
        save(partner_client, event, title=f"Essai {number}", **{"counts-0-people": 20 + number})
    save(partner_client, event, status=EventStatus.SUBMITTED)

    with django_assert_max_num_queries(REVIEW_QUERIES):
        changes = history.changes_since_review(event)

    assert [(change.label, change.old, change.new) for change in changes.fields] == [
        ("Intitulé", "Visite de la verrerie", "Essai 7")
    ]
    assert [(change.label, change.old, change.new) for change in changes.lines] == [
        ("Collégiennes", "12", "27 personnes, dont 5 femmes ou filles")
    ]


def test_the_forms_queries_do_not_grow_with_the_history(staff_client, partner_client, event):
    return_it(staff_client, event)
    save(
        partner_client,
        event,
        title="Essai",
        status=EventStatus.SUBMITTED,
        **{"counts-0-people": 19},
    )
    with CaptureQueriesContext(connection) as short:
        staff_client.get(change_url(event))
    for number in range(6):
        save(partner_client, event, title=f"Essai {number}", **{"counts-0-people": 20 + number})

    with CaptureQueriesContext(connection) as long:
        response = staff_client.get(change_url(event))

    assertContains(response, SECTION)
    assert len(long) == len(short)


def test_a_line_older_than_the_history_shows_its_figures_then_as_unknown(
    staff_client, partner_client, event
):
    # As seed_demo leaves them: the line has no history of its own.
    event.counts.get().history.all().delete()
    return_it(staff_client, event)

    save(partner_client, event, status=EventStatus.SUBMITTED, **{"counts-0-people": 15})
    response = staff_client.get(change_url(event))

    assertContains(
        response,
        item(
            "Collégiennes",
            "inconnu (avant l'historique)",
            "15 personnes, dont 5 femmes ou filles",
            noted(event),
        ),
        html=True,
    )

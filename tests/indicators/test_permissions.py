"""Who may do what with an event in the admin, cell by cell: each role, and a
partner's account of organisation A facing its own event, organisation B's, and
C's event that A co-organises (read-only: it belongs to its organiser), on
the list, the change form, the search, the autocomplete, deletion, the « Valider »
action and the history. A forbidden object answers 403, or Django's « does not
exist » redirect, and never shows its data."""

from dataclasses import dataclass

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from feminisation import access
from indicators.enums import EventStatus
from indicators.models import AwarenessEvent
from tests.indicators.accounts import user_in
from tests.indicators.factories import AwarenessEventFactory
from tests.initiatives.factories import AudienceFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db

CHANGELIST_URL = reverse("admin:indicators_awarenessevent_changelist")
# Any admin page, whoever asks: no cell may make a query per event (an action's
# POST also refreshes the daily figures of the days it touched, once).
MAX_QUERIES = 40

TITLES = {
    "a": "Forum des métiers à Arques",
    "b": "Atelier soudure à Longuenesse",
    "c": "Journée commune à Lumbres",
}


@dataclass(frozen=True)
class Expect:
    status: int
    # Where a 302 leads: the login page, the admin index (Django's answer to an
    # object outside the user's queryset), or the events' list.
    redirect: str | None = None
    # The event's data is in the answer (lists, forms, history), or the deletion or
    # validation was done.
    effect: bool = False
    # Without the effect, the answer holds none of the event's data.
    hidden: bool = True


SHOWN = Expect(200, effect=True)
NOT_SHOWN = Expect(200)
LOGIN = Expect(302, "login")
NOT_FOUND = Expect(302, "index")
FORBIDDEN = Expect(403)
DONE = Expect(302, "changelist", effect=True)
# The action is not offered to the user: Django says « Aucune action sélectionnée ».
NOT_OFFERED = Expect(302, "changelist")

OPERATIONS = ("list", "change", "search", "autocomplete", "delete", "validate", "history")

EXPECTED = {
    "staff": {
        "list": SHOWN,
        "change": SHOWN,
        "search": SHOWN,
        "autocomplete": SHOWN,
        "delete": DONE,
        "validate": DONE,
        "history": SHOWN,
    },
    "manager": {
        "list": SHOWN,
        "change": SHOWN,
        "search": SHOWN,
        "autocomplete": SHOWN,
        "delete": FORBIDDEN,
        "validate": NOT_OFFERED,
        "history": SHOWN,
    },
    "partner_a": {
        "list": SHOWN,
        "change": SHOWN,
        "search": SHOWN,
        "autocomplete": SHOWN,
        "delete": DONE,
        "validate": NOT_OFFERED,
        "history": FORBIDDEN,
    },
    "partner_a_co_organiser": {
        "list": SHOWN,
        "change": SHOWN,
        "search": SHOWN,
        "autocomplete": SHOWN,
        "delete": FORBIDDEN,
        "validate": NOT_OFFERED,
        "history": FORBIDDEN,
    },
    "partner_a_other": {
        "list": NOT_SHOWN,
        "change": NOT_FOUND,
        "search": NOT_SHOWN,
        "autocomplete": NOT_SHOWN,
        "delete": NOT_FOUND,
        "validate": NOT_OFFERED,
        "history": FORBIDDEN,
    },
    "anonymous": dict.fromkeys(OPERATIONS, LOGIN),
}

# (who, which organisation's event, the row of EXPECTED)
ACTORS = [
    ("staff", "a", "staff"),
    ("staff", "b", "staff"),
    ("manager", "a", "manager"),
    ("manager", "b", "manager"),
    ("partner_a", "a", "partner_a"),
    ("partner_a", "b", "partner_a_other"),
    ("partner_a", "c", "partner_a_co_organiser"),
    ("anonymous", "a", "anonymous"),
    ("anonymous", "b", "anonymous"),
]

CELLS = [
    pytest.param(
        actor, target, operation, EXPECTED[row][operation], id=f"{actor}-{target}-{operation}"
    )
    for actor, target, row in ACTORS
    for operation in OPERATIONS
]


@pytest.fixture
def events():
    """One submitted event of A and of B, and one of C's co-organised by A."""
    initiative = InitiativeFactory()
    arc = PartnerFactory(name="Arc France")
    capso = PartnerFactory(name="CAPSO")
    return {
        "a": AwarenessEventFactory(
            initiative=initiative, organizer=arc, title=TITLES["a"], submitted=True
        ),
        "b": AwarenessEventFactory(
            initiative=initiative, organizer=capso, title=TITLES["b"], submitted=True
        ),
        "c": AwarenessEventFactory(
            initiative=initiative,
            organizer=PartnerFactory(name="Capital Filles"),
            co_organizers=[arc],
            title=TITLES["c"],
            submitted=True,
        ),
    }


def log_in(client, actor, events):
    if actor == "staff":
        client.force_login(user_in(access.TERRITORY_STAFF, "equipe"))
    elif actor == "manager":
        client.force_login(user_in(access.MANAGERS, "responsable"))
    elif actor == "partner_a":
        client.force_login(
            user_in(access.PARTNERS, "arc-france", organisations=[events["a"].organizer])
        )


def perform(client, operation, event):
    """Makes the request; returns the response and whether the event was shown,
    deleted or validated."""
    title = event.title
    if operation == "list":
        response = client.get(CHANGELIST_URL)
    elif operation == "change":
        response = client.get(reverse("admin:indicators_awarenessevent_change", args=[event.pk]))
    elif operation == "search":
        response = client.get(CHANGELIST_URL, {"q": title.split()[0]})
    elif operation == "autocomplete":
        response = client.get(
            reverse("admin:autocomplete"),
            {
                "app_label": "indicators",
                "model_name": "audiencecount",
                "field_name": "event",
                "term": title.split()[0],
            },
        )
        if response.status_code == 200:
            ids = [result["id"] for result in response.json()["results"]]
            return response, str(event.pk) in ids
    elif operation == "delete":
        response = client.post(
            reverse("admin:indicators_awarenessevent_delete", args=[event.pk]), {"post": "yes"}
        )
        return response, not AwarenessEvent.objects.filter(pk=event.pk).exists()
    elif operation == "validate":
        response = client.post(
            CHANGELIST_URL,
            {"action": "validate", "_selected_action": [event.pk], "index": 0},
        )
        event.refresh_from_db()
        return response, event.status == EventStatus.VALIDATED
    elif operation == "history":
        response = client.get(reverse("admin:indicators_awarenessevent_history", args=[event.pk]))
    return response, title in response.content.decode()


def redirect_target(response):
    if response.status_code != 302:
        return None
    if response.url.startswith(reverse("admin:login")):
        return "login"
    if response.url == reverse("admin:index"):
        return "index"
    if response.url.startswith(CHANGELIST_URL):
        return "changelist"
    return response.url


@pytest.mark.parametrize(("actor", "target", "operation", "expected"), CELLS)
def test_permission_matrix(
    client, django_assert_max_num_queries, events, actor, target, operation, expected
):
    log_in(client, actor, events)

    with django_assert_max_num_queries(MAX_QUERIES):
        response, effect = perform(client, operation, events[target])

    assert (response.status_code, redirect_target(response), effect) == (
        expected.status,
        expected.redirect,
        expected.effect,
    )
    if expected.hidden and not expected.effect:
        # Not even in a message or a filter: the answer never holds the event's data.
        assert TITLES[target] not in response.content.decode()


@pytest.fixture
def partner_client(client, events):
    log_in(client, "partner_a", events)
    return client


@pytest.mark.parametrize(
    "model", ["partners.partner", "initiatives.initiative", "initiatives.audience"]
)
def test_partners_reach_reference_data_only_through_the_autocompletes(
    partner_client, django_assert_max_num_queries, events, model
):
    app_label, model_name = model.split(".")
    obj = {
        "partner": events["b"].organizer,
        "initiative": events["b"].initiative,
        "audience": AudienceFactory(),
    }[model_name]

    with django_assert_max_num_queries(MAX_QUERIES):
        listing = partner_client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    with django_assert_max_num_queries(MAX_QUERIES):
        page = partner_client.get(reverse(f"admin:{app_label}_{model_name}_change", args=[obj.pk]))
    with django_assert_max_num_queries(MAX_QUERIES):
        index = partner_client.get(reverse("admin:index"))

    assert (listing.status_code, page.status_code) == (403, 403)
    assertNotContains(index, reverse(f"admin:{app_label}_{model_name}_changelist"))


@pytest.mark.parametrize("field_name", ["initiative", "co_organizers"])
def test_the_event_forms_autocompletes_work_for_partners(
    partner_client, django_assert_max_num_queries, events, field_name
):
    expected = {"initiative": events["b"].initiative, "co_organizers": events["b"].organizer}

    with django_assert_max_num_queries(MAX_QUERIES):
        response = partner_client.get(
            reverse("admin:autocomplete"),
            {"app_label": "indicators", "model_name": "awarenessevent", "field_name": field_name},
        )

    assert response.status_code == 200
    ids = [result["id"] for result in response.json()["results"]]
    assert str(expected[field_name].pk) in ids


def test_the_organiser_filter_names_only_the_partners_of_visible_events(
    client, django_assert_max_num_queries, events
):
    # A filter shows from two choices: the account enters events for two organisations.
    glassworks = PartnerFactory(name="Verrerie d'Arques")
    AwarenessEventFactory(initiative=events["a"].initiative, organizer=glassworks)
    client.force_login(
        user_in(access.PARTNERS, "arc-france", organisations=[events["a"].organizer, glassworks])
    )

    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(CHANGELIST_URL)

    organizer_filter = next(
        spec
        for spec in response.context["cl"].filter_specs
        if getattr(spec, "field_path", None) == "organizer"
    )
    # Capital Filles organises an event Arc France co-organises.
    assert [name for _, name in organizer_filter.lookup_choices] == [
        "Arc France",
        "Capital Filles",
        "Verrerie d'Arques",
    ]
    assertNotContains(response, "CAPSO")


def test_managers_read_everything_and_change_nothing(client, django_assert_max_num_queries, events):
    log_in(client, "manager", events)

    with django_assert_max_num_queries(MAX_QUERIES):
        listing = client.get(CHANGELIST_URL)
    with django_assert_max_num_queries(MAX_QUERIES):
        page = client.get(reverse("admin:indicators_awarenessevent_change", args=[events["b"].pk]))

    assertContains(listing, TITLES["b"])
    # Exporting their selection is the only action offered to them.
    actions = [value for value, _ in listing.context["action_form"].fields["action"].choices]
    assert actions == ["", "export_selection"]
    assertNotContains(listing, reverse("admin:indicators_awarenessevent_add"))
    assertContains(page, f'<div class="readonly">{TITLES["b"]}</div>', html=True)
    assertNotContains(page, 'name="_save"')

"""Who may do what with an event in the admin, cell by cell: each role, and a
partner's account of organisation A facing its own event, organisation B's, and
C's event that A co-organises (read-only: it belongs to its organiser), on every URL
that reads, changes or removes an event: the list, the change form (shown and
posted), the search, the autocomplete, deletion one by one and by selection, the
list's actions (submit, validate, return, export the selection), the history, a
version and its « Rétablir », the deleted events and their restore, and the import
(a file that changes the event, previewed then confirmed). A forbidden object
answers 403, or Django's « does not exist » redirect, never shows its data, and is
left as it was."""

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from feminisation import access
from indicators.enums import EventStatus
from indicators.models import AwarenessEvent
from indicators.views import exports
from tests.indicators.accounts import user_in
from tests.indicators.admin_forms import form_data
from tests.indicators.factories import AwarenessEventFactory
from tests.initiatives.factories import AudienceFactory, InitiativeFactory
from tests.partners.factories import PartnerFactory
from tests.shared import fresh

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_events")]

CHANGELIST_URL = reverse("admin:indicators_awarenessevent_changelist")
IMPORT_URL = reverse("admin:indicators_awarenessevent_import")
DELETED_URL = reverse("admin:indicators_awarenessevent_deleted")
# Any admin request, whoever asks: no cell may make a query per event (an action's
# POST also refreshes the daily figures of the days it touched, once, under its
# months' lock; an import's confirmation also takes the imports' lock, claims its
# stored file and credits its events to their partners).
MAX_QUERIES = 55

TITLES = {
    "a": "Forum des métiers à Arques",
    "b": "Atelier soudure à Longuenesse",
    "c": "Journée commune à Lumbres",
}
# What a change, a revert or an import would make of the title.
CHANGED_TITLE = "Intitulé changé par la requête"
WRONG_TITLE = "Intitulé erroné, à rétablir"


@dataclass(frozen=True)
class Expect:
    status: int
    # Where a 302 leads: the login page, the admin index (Django's answer to an
    # object outside the user's queryset), the events' list or the event's form.
    redirect: str | None = None
    # The event's data is in the answer (lists, forms, history, exports), or the
    # change, deletion, status change, revert, restore or import was done.
    effect: bool = False
    # Without the effect, the answer holds none of the event's data.
    hidden: bool = True


SHOWN = Expect(200, effect=True)
NOT_SHOWN = Expect(200)
LOGIN = Expect(302, "login")
NOT_FOUND = Expect(302, "index")
FORBIDDEN = Expect(403)
DONE = Expect(302, "changelist", effect=True)
RESTORED = Expect(302, "change", effect=True)
# The action is not offered to the user (Django says « Aucune action sélectionnée »),
# or it leaves the event as it is and says why.
LEFT = Expect(302, "changelist")
# The import's preview lists the refusal, and offers no confirmation. The file is
# the visitor's own: the answer may quote it.
IMPORT_REFUSED = Expect(200, hidden=False)

OPERATIONS = (
    "list",
    "change",
    "change_post",
    "search",
    "autocomplete",
    "delete_page",
    "delete",
    "bulk_delete",
    "submit",
    "validate",
    "return",
    "export",
    "history",
    "version",
    "revert",
    "revert_deleted",
    "deleted_list",
    "deleted_history",
    "restore",
    "import",
    "overview",
    "events_csv",
)

EXPECTED = {
    "staff": {
        "list": SHOWN,
        "change": SHOWN,
        "change_post": DONE,
        "search": SHOWN,
        "autocomplete": SHOWN,
        "delete_page": SHOWN,
        "delete": DONE,
        "bulk_delete": DONE,
        "submit": DONE,
        "validate": DONE,
        "return": DONE,
        "export": SHOWN,
        "history": SHOWN,
        "version": SHOWN,
        "revert": DONE,
        "revert_deleted": FORBIDDEN,
        "deleted_list": SHOWN,
        "deleted_history": SHOWN,
        "restore": RESTORED,
        "import": DONE,
        "overview": SHOWN,
        "events_csv": SHOWN,
    },
    "manager": {
        "list": SHOWN,
        "change": SHOWN,
        "change_post": FORBIDDEN,
        "search": SHOWN,
        "autocomplete": SHOWN,
        "delete_page": FORBIDDEN,
        "delete": FORBIDDEN,
        "bulk_delete": LEFT,
        "submit": LEFT,
        "validate": LEFT,
        "return": LEFT,
        "export": SHOWN,
        "history": SHOWN,
        "version": SHOWN,
        "revert": FORBIDDEN,
        "revert_deleted": FORBIDDEN,
        "deleted_list": FORBIDDEN,
        "deleted_history": SHOWN,
        "restore": FORBIDDEN,
        "import": FORBIDDEN,
        "overview": SHOWN,
        "events_csv": SHOWN,
    },
    "partner_a": {
        "list": SHOWN,
        "change": SHOWN,
        "change_post": DONE,
        "search": SHOWN,
        "autocomplete": SHOWN,
        "delete_page": SHOWN,
        "delete": DONE,
        "bulk_delete": DONE,
        "submit": DONE,
        "validate": LEFT,
        "return": LEFT,
        "export": SHOWN,
        "history": FORBIDDEN,
        "version": FORBIDDEN,
        "revert": FORBIDDEN,
        "revert_deleted": FORBIDDEN,
        "deleted_list": FORBIDDEN,
        "deleted_history": FORBIDDEN,
        "restore": FORBIDDEN,
        "import": DONE,
        "overview": FORBIDDEN,
        "events_csv": SHOWN,
    },
    "partner_a_co_organiser": {
        "list": SHOWN,
        "change": SHOWN,
        "change_post": FORBIDDEN,
        "search": SHOWN,
        "autocomplete": SHOWN,
        "delete_page": FORBIDDEN,
        "delete": FORBIDDEN,
        "bulk_delete": FORBIDDEN,
        "submit": LEFT,
        "validate": LEFT,
        "return": LEFT,
        "export": SHOWN,
        "history": FORBIDDEN,
        "version": FORBIDDEN,
        "revert": FORBIDDEN,
        "revert_deleted": FORBIDDEN,
        "deleted_list": FORBIDDEN,
        "deleted_history": FORBIDDEN,
        "restore": FORBIDDEN,
        "import": IMPORT_REFUSED,
        "overview": FORBIDDEN,
        "events_csv": SHOWN,
    },
    "partner_a_other": {
        "list": NOT_SHOWN,
        "change": NOT_FOUND,
        "change_post": NOT_FOUND,
        "search": NOT_SHOWN,
        "autocomplete": NOT_SHOWN,
        "delete_page": NOT_FOUND,
        "delete": NOT_FOUND,
        "bulk_delete": LEFT,
        "submit": LEFT,
        "validate": LEFT,
        "return": LEFT,
        "export": NOT_SHOWN,
        "history": FORBIDDEN,
        "version": FORBIDDEN,
        "revert": FORBIDDEN,
        "revert_deleted": FORBIDDEN,
        "deleted_list": FORBIDDEN,
        "deleted_history": FORBIDDEN,
        "restore": FORBIDDEN,
        "import": IMPORT_REFUSED,
        "overview": FORBIDDEN,
        "events_csv": NOT_SHOWN,
    },
    "anonymous": dict.fromkeys(OPERATIONS, LOGIN),
}

# (who, which organisation's event, the row of EXPECTED). Staff, managers and
# visitors belong to no organisation: A's event is any event to them.
ACTORS = [
    ("staff", "a", "staff"),
    ("manager", "a", "manager"),
    ("partner_a", "a", "partner_a"),
    ("partner_a", "b", "partner_a_other"),
    ("partner_a", "c", "partner_a_co_organiser"),
    ("anonymous", "a", "anonymous"),
]

CELLS = [
    pytest.param(
        actor, target, operation, EXPECTED[row][operation], id=f"{actor}-{target}-{operation}"
    )
    for actor, target, row in ACTORS
    for operation in OPERATIONS
]


@pytest.fixture
def events(db, shared_events):
    return fresh(shared_events)


@pytest.fixture(scope="module")
def shared_events(module_db):
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


def event_url(event, view, *args):
    return reverse(f"admin:indicators_awarenessevent_{view}", args=[event.pk, *args])


def staff_page(url):
    """A page as the territory staff see it, to post its form as another account."""
    staff = Client()
    staff.force_login(user_in(access.TERRITORY_STAFF, "equipe-de-passage"))
    return staff.get(url)


def selection(action, event, **extra):
    return {"action": action, "_selected_action": [event.pk], "index": 0, **extra}


def exported_file(event, title):
    """The event's line of the export, as a partner would download, correct and
    import it back: found by its « référence », its title changed."""
    response = exports.events_response(
        AwarenessEvent.objects.filter(pk=event.pk), today=timezone.localdate()
    )
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return content.replace(event.title, title).encode("utf-8-sig")


def prepare(operation, event):
    """Sets the event up for the operation, and returns the request to make as
    (method, url, data)."""
    if operation == "list":
        return "get", CHANGELIST_URL, {}
    if operation == "change":
        return "get", event_url(event, "change"), {}
    if operation == "change_post":
        data = form_data(staff_page(event_url(event, "change")), title=CHANGED_TITLE)
        return "post", event_url(event, "change"), data
    if operation == "search":
        return "get", CHANGELIST_URL, {"q": event.title.split()[0]}
    if operation == "autocomplete":
        query = {
            "app_label": "indicators",
            "model_name": "audiencecount",
            "field_name": "event",
            "term": event.title.split()[0],
        }
        return "get", reverse("admin:autocomplete"), query
    if operation == "delete_page":
        return "get", event_url(event, "delete"), {}
    if operation == "delete":
        return "post", event_url(event, "delete"), {"post": "yes"}
    if operation == "bulk_delete":
        return "post", CHANGELIST_URL, selection("delete_selected", event, post="yes")
    if operation == "submit":
        AwarenessEvent.objects.filter(pk=event.pk).update(status=EventStatus.DRAFT)
        return "post", CHANGELIST_URL, selection("submit_for_validation", event)
    if operation == "validate":
        return "post", CHANGELIST_URL, selection("validate", event)
    if operation == "return":
        data = selection("return_for_correction", event, commentaire="Précisez le lieu.")
        return "post", CHANGELIST_URL, data
    if operation == "export":
        return "post", CHANGELIST_URL, selection("export_selection", event)
    if operation in ("history", "version", "revert"):
        first = event.history.earliest()
        renamed = AwarenessEvent.objects.get(pk=event.pk)
        renamed.title = WRONG_TITLE
        renamed.save()
        if operation == "history":
            return "get", event_url(event, "history"), {}
        url = event_url(event, "simple_history", first.history_id)
        if operation == "version":
            return "get", url, {}
        return "post", url, form_data(staff_page(url))
    if operation == "revert_deleted":
        # A version's « Rétablir », posted once the event is deleted: a restore that
        # the deleted events' page would not allow, without the event's lines.
        url = event_url(event, "simple_history", event.history.earliest().history_id)
        data = form_data(staff_page(url))
        AwarenessEvent.objects.get(pk=event.pk).delete()
        return "post", url, data
    if operation in ("deleted_list", "deleted_history", "restore"):
        # Deleted through another instance: `event` keeps its primary key.
        AwarenessEvent.objects.get(pk=event.pk).delete()
        if operation == "deleted_list":
            return "get", DELETED_URL, {}
        if operation == "deleted_history":
            return "get", event_url(event, "history"), {}
        record = AwarenessEvent.history.get(id=event.pk, history_type="-")
        url = reverse("admin:indicators_awarenessevent_restore", args=[record.history_id])
        return "post", url, {}
    if operation == "overview":
        return "get", reverse("admin:indicators_awarenessevent_overview"), {}
    if operation == "events_csv":
        return "get", reverse("export_events"), {"statut": "toutes"}
    assert operation == "import"
    upload = SimpleUploadedFile("actions.csv", exported_file(event, CHANGED_TITLE))
    return "post", IMPORT_URL, {"file": upload}


def perform(client, operation, method, url, data, queries):
    with queries(MAX_QUERIES):
        response = getattr(client, method)(url, data)
    if operation == "import" and response.status_code == 200 and response.context.get("token"):
        # Previewed and offered: confirmed.
        with queries(MAX_QUERIES):
            response = client.post(IMPORT_URL, {"token": response.context["token"]})
    return response


def effect(operation, event, response):
    """Whether the operation showed the event or did what it asks."""
    recorded = AwarenessEvent.objects.filter(pk=event.pk).first()
    if operation in ("change_post", "import"):
        return recorded is not None and recorded.title == CHANGED_TITLE
    if operation in ("delete", "bulk_delete"):
        return recorded is None
    if operation in ("submit", "validate", "return"):
        status = {
            "submit": EventStatus.SUBMITTED,
            "validate": EventStatus.VALIDATED,
            "return": EventStatus.RETURNED,
        }[operation]
        return recorded.status == status
    if operation == "revert":
        return recorded.title == event.title
    if operation in ("restore", "revert_deleted"):
        return recorded is not None
    if operation == "autocomplete":
        if response.status_code != 200:
            return False
        return str(event.pk) in [result["id"] for result in response.json()["results"]]
    return event.title in content(response)


def content(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def redirect_target(response, event):
    if response.status_code != 302:
        return None
    if response.url.startswith(reverse("admin:login")):
        return "login"
    if response.url == reverse("admin:index"):
        return "index"
    if response.url.startswith(CHANGELIST_URL) and "/" not in response.url[len(CHANGELIST_URL) :]:
        return "changelist"
    if response.url.split("?")[0] == event_url(event, "change"):
        return "change"
    return response.url


@pytest.mark.parametrize(("actor", "target", "operation", "expected"), CELLS)
def test_permission_matrix(
    client, django_assert_max_num_queries, events, actor, target, operation, expected
):
    event = events[target]
    method, url, data = prepare(operation, event)
    log_in(client, actor, events)

    response = perform(client, operation, method, url, data, django_assert_max_num_queries)

    assert (
        response.status_code,
        redirect_target(response, event),
        effect(operation, event, response),
    ) == (expected.status, expected.redirect, expected.effect)
    if expected.hidden and not expected.effect:
        # Not even in a message or a filter: the answer never holds the event's data.
        assert TITLES[target] not in content(response)


def test_a_deleted_events_versions_offer_no_revert(client, events):
    event = events["a"]
    url = event_url(event, "simple_history", event.history.earliest().history_id)
    AwarenessEvent.objects.get(pk=event.pk).delete()
    log_in(client, "staff", events)

    response = client.get(url)

    assertContains(response, f'value="{TITLES["a"]}"')
    assertNotContains(response, 'value="Rétablir"')


def preview(client, event, title):
    response = client.post(
        IMPORT_URL, {"file": SimpleUploadedFile("actions.csv", exported_file(event, title))}
    )
    assert response.context["token"], "the preview offers no confirmation"
    return response.context["token"]


def test_a_preview_is_confirmed_by_no_other_account(client, events):
    staff = Client()
    staff.force_login(user_in(access.TERRITORY_STAFF, "equipe"))
    token = preview(staff, events["b"], CHANGED_TITLE)
    log_in(client, "partner_a", events)

    response = client.post(IMPORT_URL, {"token": token}, follow=True)

    assert [str(message) for message in response.context["messages"]] == [
        "Ce fichier a déjà été importé, ou son aperçu n'est plus valable (annulé, "
        "remplacé par un autre fichier ou expiré) : cette confirmation n'a rien enregistré."
    ]
    events["b"].refresh_from_db()
    assert events["b"].title == TITLES["b"]


def test_an_event_that_changed_hands_since_the_preview_is_not_imported(client, events):
    log_in(client, "partner_a", events)
    token = preview(client, events["a"], CHANGED_TITLE)
    moved = AwarenessEvent.objects.get(pk=events["a"].pk)
    moved.organizer = events["b"].organizer
    moved.save()

    response = client.post(IMPORT_URL, {"token": token})

    # No longer A's to see: the file names an event A does not know of.
    assert [error.message for error in response.context["errors"]] == [
        f"Référence inconnue : aucune action n° {events['a'].pk} parmi celles que vous pouvez "
        "modifier. Laissez la colonne vide pour une nouvelle action."
    ]
    events["a"].refresh_from_db()
    assert events["a"].title == TITLES["a"]


def test_exporting_every_event_of_the_list_exports_only_those_the_partner_sees(client, events):
    log_in(client, "partner_a", events)

    response = client.post(
        CHANGELIST_URL,
        {**selection("export_selection", events["a"]), "select_across": "1"},
    )

    exported = content(response)
    assert [title in exported for title in TITLES.values()] == [True, False, True]


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
    # Exporting their selection (CSV or workbook) is the only action offered to them.
    actions = [value for value, _ in listing.context["action_form"].fields["action"].choices]
    assert actions == ["", "export_selection", "export_selection_xlsx"]
    assertNotContains(listing, reverse("admin:indicators_awarenessevent_add"))
    assertContains(page, f'<div class="readonly">{TITLES["b"]}</div>', html=True)
    assertNotContains(page, 'name="_save"')

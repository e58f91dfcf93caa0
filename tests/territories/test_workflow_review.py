"""What a review of the events' everyday workflow found, on an instance of two
territories, Alpha and Bravo (tests/territories/test_admin_scoping.py's): the
versions of an event's history are read by the territory the event belongs to
now; an unreadable version's address is a 404, not a 500; reverting to an older
version never sends a closed year's event back to its partner; and a year closed
while one of its events is being saved or returned leaves no partner's change nor
return behind its closure."""

import functools
import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from feminisation import access
from indicators import workflow
from indicators.admin.events import AwarenessEventAdmin
from indicators.enums import EventStatus
from indicators.models import AwarenessEvent, ClosedYear
from initiatives.admin import InitiativeAdmin
from tests import concurrency
from tests.indicators.accounts import user_in
from tests.indicators.admin_forms import form_data
from tests.indicators.factories import AwarenessEventFactory
from tests.initiatives.factories import AudienceFactory, InitiativeFactory
from tests.shared import collected
from tests.territories.test_admin_scoping import (
    IMPORT_HEADER,
    IMPORT_URL,
    account,
    change,
    two_territories,
)

EVENTS_URL = reverse("admin:indicators_awarenessevent_changelist")
CLOSED_YEAR_ADD_URL = reverse("admin:indicators_closedyear_add")
# The events of two_territories() are dated 14/03/2025: a past year, which may be closed.
YEAR = 2025
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent transactions: this test runs in the PostgreSQL half of the suite",
)


@pytest.fixture
@collected
def two():
    return two_territories()


def version_url(event, record):
    return reverse(
        "admin:indicators_awarenessevent_simple_history", args=[event.pk, record.history_id]
    )


# The history ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/admin/indicators/awarenessevent/{event}/history/abc/",
        "/admin/indicators/awarenessevent/abc/history/1/",
        "/admin/indicators/target/{target}/history/abc/",
        "/admin/initiatives/initiative/{initiative}/history/abc/",
    ],
)
def test_a_version_address_that_names_no_version_is_a_404_not_a_500(client, two, url):
    client.force_login(account("staff", two))
    alpha = two["alpha"]
    url = url.format(
        event=alpha["event"].pk, target=alpha["target"].pk, initiative=alpha["initiative"].pk
    )

    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_the_versions_of_an_event_moved_to_alpha_are_alphas_not_bravos(client, two):
    """Bravo's event, moved to Alpha's initiative by an account of both territories:
    its history is Alpha's now, its versions of before the move included; Bravo's
    team no longer reads any of them, as it no longer reads the event nor its
    history's list."""
    alpha, bravo = two["alpha"], two["bravo"]
    event = bravo["event"]
    before_the_move = event.history.latest()
    event.initiative, event.organizer = alpha["initiative"], two["shared"]
    event.save()
    bravos_team = user_in(access.TERRITORY_STAFF, "equipe-bravo", territories=[bravo["territory"]])

    client.force_login(bravos_team)
    assert client.get(change(event, "history")).status_code == 403
    assert client.get(version_url(event, before_the_move)).status_code == 403

    client.force_login(account("staff", two))
    history = client.get(change(event, "history"))
    assert history.status_code == 200
    # The list links each version; each one opens, read-only when it names Bravo's
    # initiative (Alpha's team cannot put the event back there).
    assert version_url(event, before_the_move) in history.content.decode()
    page = client.get(version_url(event, before_the_move))
    assert page.status_code == 200
    assert page.context["revert_disabled"]


# Reverting to a version -------------------------------------------------------------


@pytest.mark.django_db
def test_reverting_to_a_returned_version_never_returns_a_closed_years_event(client, two):
    """The event was returned, corrected and resubmitted; its year is then closed.
    Its version « À corriger » is no way to send it back to a partner who could not
    correct it: the revert is refused in French, as choosing « À corriger » is."""
    alpha = two["alpha"]
    event = alpha["event"]
    staff = account("staff", two)
    client.force_login(staff)
    page = client.get(change(event))
    client.post(
        change(event),
        form_data(page, status=EventStatus.RETURNED, review_comment="Précisez le lieu."),
    )
    returned = event.history.latest()
    assert returned.status == EventStatus.RETURNED
    page = client.get(change(event))
    client.post(change(event), form_data(page, status=EventStatus.SUBMITTED))
    ClosedYear.objects.create(plan=alpha["plan"], year=YEAR, closed_by=staff)

    page = client.get(version_url(event, returned))
    response = client.post(version_url(event, returned), form_data(page))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["status"] == [
        "Une action d'une année clôturée ne peut plus être renvoyée au partenaire, qui ne "
        "pourrait pas la corriger."
    ]
    event.refresh_from_db()
    assert event.status == EventStatus.SUBMITTED


# A year closed while its events are saved --------------------------------------------

# Long enough for the other request to run whole in between, without the locks.
PAUSE = 1.0


def _logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def _close_the_year_then_read(client, plan, event):
    """Closes the year a moment after the other request started, then reads the
    event as it stands once the closure is committed."""
    time.sleep(PAUSE / 4)
    response = client.post(CLOSED_YEAR_ADD_URL, {"plan": plan.pk, "year": YEAR})
    return response, AwarenessEvent.objects.values("status", "title", "version").get(pk=event.pk)


def _partner_and_staff(territory):
    """A partner's account of the territory's partner, and one of its staff."""
    partner = user_in(
        access.PARTNERS,
        "partenaire-alpha",
        organisations=[territory["partner"]],
        territories=[territory["territory"]],
    )
    staff = user_in(access.TERRITORY_STAFF, "equipe-alpha", territories=[territory["territory"]])
    return partner, staff


def _paused(function, who=None):
    """`function`, pausing before it runs (for `who`'s requests only, when given)."""

    @functools.wraps(function)
    def pausing(*args, **kwargs):
        request = args[1] if len(args) > 1 else None
        if who is None or getattr(request, "user", None) == who:
            time.sleep(PAUSE)
        return function(*args, **kwargs)

    return pausing


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_partners_save_and_the_closure_of_its_year_at_once(monkeypatch):
    """A partner saves its event while the staff close its year: either the save
    comes first, and the closure after it, or the partner is told the year is closed;
    never a partner's change committed after the closure."""
    two = two_territories()
    alpha = two["alpha"]
    event = alpha["event"]
    partner, staff = _partner_and_staff(alpha)
    # The partner's save pauses once its form is checked, before it writes.
    monkeypatch.setattr(
        AwarenessEventAdmin, "save_model", _paused(AwarenessEventAdmin.save_model, partner)
    )
    partners, staffs = _logged_in(partner), _logged_in(staff)
    data = form_data(partners.get(change(event)), title="Forum des métiers, corrigé")

    saved, (closed, at_closure) = concurrency.all_succeeded(
        concurrency.at_once(
            functools.partial(partners.post, change(event), data),
            functools.partial(_close_the_year_then_read, staffs, alpha["plan"], event),
        )
    )

    assert closed.status_code == 302
    assert ClosedYear.objects.filter(plan=alpha["plan"], year=YEAR).exists()
    stored = AwarenessEvent.objects.values("status", "title", "version").get(pk=event.pk)
    # Nothing changed the event after its year was closed.
    assert stored == at_closure
    if saved.status_code == 200:
        assert saved.context["adminform"].form.errors["date"] == [
            workflow.closed_year_message(YEAR)
        ]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_return_for_correction_and_the_closure_of_its_year_at_once(monkeypatch):
    """One member of the staff returns an event from the list while another closes
    its year: the event is returned before the closure, or left as it is; never
    returned to a partner who can no longer correct it."""
    two = two_territories()
    alpha = two["alpha"]
    event = alpha["event"]
    sophie = user_in(access.TERRITORY_STAFF, "sophie", territories=[alpha["territory"]])
    malik = user_in(access.TERRITORY_STAFF, "malik", territories=[alpha["territory"]])
    monkeypatch.setattr(workflow, "transition_refusal", _paused(workflow.transition_refusal))
    returning, closing = _logged_in(sophie), _logged_in(malik)
    data = {
        "action": "return_for_correction",
        "_selected_action": [event.pk],
        "commentaire": "Précisez le lieu.",
        "index": 0,
    }

    _returned, (closed, at_closure) = concurrency.all_succeeded(
        concurrency.at_once(
            functools.partial(returning.post, EVENTS_URL, data),
            functools.partial(_close_the_year_then_read, closing, alpha["plan"], event),
        )
    )

    assert closed.status_code == 302
    stored = AwarenessEvent.objects.values("status", "title", "version").get(pk=event.pk)
    assert stored == at_closure


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_closures_of_the_same_year_at_once_close_it_once():
    two = two_territories()
    alpha = two["alpha"]
    sophie = user_in(access.TERRITORY_STAFF, "sophie", territories=[alpha["territory"]])
    malik = user_in(access.TERRITORY_STAFF, "malik", territories=[alpha["territory"]])
    data = {"plan": alpha["plan"].pk, "year": YEAR}

    responses = concurrency.all_succeeded(
        concurrency.at_once(
            *(
                functools.partial(_logged_in(user).post, CLOSED_YEAR_ADD_URL, data)
                for user in (sophie, malik)
            )
        )
    )

    assert sorted(response.status_code for response in responses) == [200, 302]
    [refused] = [response for response in responses if response.status_code == 200]
    assert "Cette année est déjà clôturée pour ce plan." in refused.content.decode()
    assert ClosedYear.objects.filter(plan=alpha["plan"], year=YEAR).count() == 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_partners_import_and_the_closure_of_its_year_at_once(monkeypatch):
    """A partner confirms a file of events of a year while the staff close it:
    either the file is imported before the closure, or it is refused as of a closed
    year; never events of a partner written after the year's closure."""
    from indicators.imports.changes import EventImport

    alpha = two_territories()["alpha"]
    AudienceFactory(name="Filles", slug="filles", short_name="Filles")
    partner, staff = _partner_and_staff(alpha)
    partners, staffs = _logged_in(partner), _logged_in(staff)
    row = (
        "14/03/2025;Initiative Alpha;Visite importée;Visite d'entreprise;Usine;Saint-Omer;"
        "Partenaire Alpha;;Filles;10;5\n"
    )
    upload = SimpleUploadedFile("actions.csv", (IMPORT_HEADER + row).encode())
    token = partners.post(IMPORT_URL, {"file": upload}).context["token"]
    # The confirmation pauses once the file is checked, before it writes.
    monkeypatch.setattr(EventImport, "apply", _paused(EventImport.apply))

    confirmed, (closed, _) = concurrency.all_succeeded(
        concurrency.at_once(
            functools.partial(partners.post, IMPORT_URL, {"token": token}),
            functools.partial(_close_the_year_then_read, staffs, alpha["plan"], alpha["event"]),
        )
    )

    assert closed.status_code == 302
    closure = ClosedYear.objects.get(plan=alpha["plan"], year=YEAR)
    imported = AwarenessEvent.objects.filter(title="Visite importée").first()
    if imported is None:  # refused: the year was closed first
        assert workflow.closed_year_message(YEAR) in confirmed.content.decode()
    else:  # imported first, closed after
        assert imported.created_at < closure.closed_at


@pytest.mark.django_db
def test_an_initiative_with_events_keeps_its_plan(client):
    """Moved to another plan (here another territory's), its events would leave that
    plan's closed years and targets behind: refused in French, nothing moved."""
    two = two_territories()
    alpha, bravo = two["alpha"], two["bravo"]
    client.force_login(
        user_in(
            access.TERRITORY_STAFF,
            "equipe-des-deux",
            territories=[alpha["territory"], bravo["territory"]],
        )
    )
    initiative = alpha["initiative"]
    page = client.get(change(initiative))

    response = client.post(change(initiative), form_data(page, plan=bravo["plan"].pk))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["plan"] == [
        "Cette initiative a déjà des actions ou des objectifs : elle reste dans son plan. "
        "Pour un autre plan, créez-y une nouvelle initiative."
    ]
    initiative.refresh_from_db()
    assert initiative.plan == alpha["plan"]
    # Without events nor targets, it may still change plans.
    alpha["event"].delete()
    alpha["target"].delete()
    page = client.get(change(initiative))
    assert (
        client.post(change(initiative), form_data(page, plan=bravo["plan"].pk)).status_code == 302
    )
    initiative.refresh_from_db()
    assert initiative.plan == bravo["plan"]


def _an_empty_initiative_and_both_teams(two):
    """A second initiative of Alpha's plan, without events nor targets (which may
    move to Bravo's plan); Alpha's partner, and a member of staff of both."""
    alpha, bravo = two["alpha"], two["bravo"]
    # A number no initiative of Bravo's plan has.
    number = 1 + max(alpha["initiative"].number, bravo["initiative"].number)
    empty = InitiativeFactory(
        plan=alpha["plan"], number=number, title="Initiative vide", slug="vide"
    )
    partner, _ = _partner_and_staff(alpha)
    staff = user_in(
        access.TERRITORY_STAFF,
        "equipe-des-deux",
        territories=[alpha["territory"], bravo["territory"]],
    )
    return empty, partner, staff


def _move_data(client, initiative, bravo):
    return form_data(client.get(change(initiative)), plan=bravo["plan"].pk)


def _a_save_and_a_move(two):
    """The empty initiative, Alpha's partner and the staff of both, Alpha's event,
    their clients, and the data of the partner's form moving the event into the
    initiative and of the staff's moving the initiative to Bravo's plan."""
    empty, partner, staff = _an_empty_initiative_and_both_teams(two)
    event = two["alpha"]["event"]
    partners, staffs = _logged_in(partner), _logged_in(staff)
    data = form_data(partners.get(change(event)), initiative=empty.pk)
    move = _move_data(staffs, empty, two["bravo"])
    return empty, partner, staff, event, partners, staffs, data, move


class _Held:
    """What `_holding` and `_once` share: the save reached its pause, the other
    request started (its connection's process) and ended."""

    def __init__(self):
        self.reached, self.started, self.ended = (threading.Event() for _ in range(3))
        self.other_pid = None


def _holding(monkeypatch, admin_class, who):
    """Makes `who`'s save in `admin_class` pause once its form is checked (what it
    holds, held) until the other request (`_once`) has ended or waits for a lock;
    returns what they share."""
    held = _Held()
    save_model = admin_class.save_model

    def pausing(self, request, *args, **kwargs):
        if request.user == who:
            held.reached.set()
            assert held.started.wait(timeout=30), "the other request never started"
            concurrency.until_blocked_or_done(held.other_pid, held.ended)
        return save_model(self, request, *args, **kwargs)

    monkeypatch.setattr(admin_class, "save_model", pausing)
    return held


def _once(held, client, url, data):
    """Posts once the other request holds what it holds."""
    assert held.reached.wait(timeout=30), "the other request never reached its save"
    held.other_pid = concurrency.backend_pid()
    held.started.set()
    try:
        return client.post(url, data)
    finally:
        held.ended.set()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_an_initiative_moved_while_an_event_is_saved_into_it_is_refused(monkeypatch):
    """A partner moves its event into an initiative without events while the staff
    move that initiative to Bravo's plan: the save holds the initiative in Alpha's
    plan, so the move waits for it, then finds the event and is refused. Never an
    event of Alpha's partner in Bravo's plan."""
    two = two_territories()
    alpha = two["alpha"]
    empty, partner, _staff, event, partners, staffs, data, move = _a_save_and_a_move(two)
    saving = _holding(monkeypatch, AwarenessEventAdmin, partner)

    saved, moved = concurrency.all_succeeded(
        concurrency.at_once(
            functools.partial(partners.post, change(event), data),
            functools.partial(_once, saving, staffs, change(empty), move),
        )
    )

    assert saved.status_code == 302
    assert moved.status_code == 200
    assert moved.context["adminform"].form.errors["plan"] == [
        "Cette initiative a déjà des actions ou des objectifs : elle reste dans son plan. "
        "Pour un autre plan, créez-y une nouvelle initiative."
    ]
    empty.refresh_from_db()
    assert empty.plan == alpha["plan"]
    assert AwarenessEvent.objects.get(pk=event.pk).initiative == empty


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_an_event_saved_into_an_initiative_being_moved_is_refused(monkeypatch):
    """The staff move an initiative without events to Bravo's plan while a partner
    saves its event into it: the save waits for the move, then says the initiative
    has left the plan and saves nothing. Never an event of Alpha's partner in
    Bravo's plan."""
    two = two_territories()
    alpha = two["alpha"]
    empty, _partner, staff, event, partners, staffs, data, move = _a_save_and_a_move(two)
    moving = _holding(monkeypatch, InitiativeAdmin, staff)

    moved, saved = concurrency.all_succeeded(
        concurrency.at_once(
            functools.partial(staffs.post, change(empty), move),
            functools.partial(_once, moving, partners, change(event), data),
        )
    )

    assert moved.status_code == 302
    assert saved.status_code == 200
    assert saved.context["adminform"].form.errors["initiative"] == [workflow.INITIATIVE_MOVED]
    empty.refresh_from_db()
    assert empty.plan == two["bravo"]["plan"]
    assert not empty.events.exists()
    assert AwarenessEvent.objects.get(pk=event.pk).initiative == alpha["initiative"]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_target_set_on_an_initiative_being_moved_is_refused(monkeypatch):
    """A target is set on an initiative while the staff move it to Bravo's plan: the
    target, checked once the move is committed, names an initiative of another
    plan and is refused; the initiative moves without it."""
    two = two_territories()
    alpha = two["alpha"]
    empty, _, staff = _an_empty_initiative_and_both_teams(two)
    setter = user_in(access.TERRITORY_STAFF, "objectifs-alpha", territories=[alpha["territory"]])
    movers, setters = _logged_in(staff), _logged_in(setter)
    add_target = reverse("admin:indicators_target_add")
    data = form_data(
        setters.get(add_target), plan=alpha["plan"].pk, initiative=empty.pk, year=2027, people=80
    )
    move = _move_data(movers, empty, two["bravo"])
    moving = _holding(monkeypatch, InitiativeAdmin, staff)

    moved, set_ = concurrency.all_succeeded(
        concurrency.at_once(
            functools.partial(movers.post, change(empty), move),
            functools.partial(_once, moving, setters, add_target, data),
        )
    )

    assert moved.status_code == 302
    assert set_.status_code == 200
    assert set_.context["adminform"].form.errors["initiative"] == [
        "Cette initiative appartient à un autre plan d'action."
    ]
    empty.refresh_from_db()
    assert empty.plan == two["bravo"]["plan"]
    assert not empty.targets.exists()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_file_imported_into_an_initiative_being_moved_imports_nothing(monkeypatch):
    """A partner confirms a file whose row goes to an initiative that the staff are
    moving to Bravo's plan: the confirmation waits for the move, then finds the
    initiative gone from Alpha's plan, says so line by line and imports nothing."""
    two = two_territories()
    alpha = two["alpha"]
    empty, partner, staff = _an_empty_initiative_and_both_teams(two)
    AudienceFactory(name="Filles", slug="filles", short_name="Filles")
    partners, staffs = _logged_in(partner), _logged_in(staff)
    row = (
        "14/03/2025;Initiative vide;Visite importée;Visite d'entreprise;Usine;Saint-Omer;"
        "Partenaire Alpha;;Filles;10;5\n"
    )
    upload = SimpleUploadedFile("actions.csv", (IMPORT_HEADER + row).encode())
    token = partners.post(IMPORT_URL, {"file": upload}).context["token"]
    move = _move_data(staffs, empty, two["bravo"])
    moving = _holding(monkeypatch, InitiativeAdmin, staff)

    moved, confirmed = concurrency.all_succeeded(
        concurrency.at_once(
            functools.partial(staffs.post, change(empty), move),
            functools.partial(_once, moving, partners, IMPORT_URL, {"token": token}),
        )
    )

    assert moved.status_code == 302
    assert confirmed.context["changed_since_preview"]
    assert "Initiative inconnue : « Initiative vide »" in confirmed.content.decode()
    assert not AwarenessEvent.objects.filter(title="Visite importée").exists()
    empty.refresh_from_db()
    assert empty.plan == two["bravo"]["plan"]
    assert alpha["plan"].initiatives.count() == 1


# Restoring a deleted event ----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["organizer", "co_organizer"])
def test_a_deleted_event_whose_partner_left_the_territory_is_not_restored(client, two, role):
    """Restored, Alpha's event would be organised (or co-organised) by a partner its
    team and its public site no longer know: the restore says why and waits until
    the partner works in Alpha again."""
    alpha, shared = two["alpha"], two["shared"]
    event = alpha["event"]
    if role == "organizer":
        event.organizer = shared
        event.save()
    else:
        event.co_organizers.add(shared)
    event_id = event.pk
    event.delete()
    shared.territories.remove(alpha["territory"])
    record = AwarenessEvent.history.get(id=event_id, history_type="-")
    restore_url = reverse("admin:indicators_awarenessevent_restore", args=[record.history_id])
    client.force_login(account("staff", two))

    response = client.post(restore_url, follow=True)

    assert not AwarenessEvent.objects.filter(pk=event_id).exists()
    assert [str(message) for message in response.context["messages"]] == [
        "Rien n'a été restauré : « Elles Bougent » ne travaille plus sur le territoire de "
        "cette action. Ajoutez ce territoire à la fiche du partenaire, puis restaurez l'action."
    ]

    shared.territories.add(alpha["territory"])
    client.post(restore_url)
    assert AwarenessEvent.objects.filter(pk=event_id).exists()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_an_event_restored_into_an_initiative_being_moved_is_checked_against_its_new_plan(
    monkeypatch,
):
    """An event of Alpha's partner, deleted, left its initiative without events: the
    staff move it to Bravo's plan while the event is being restored. The restore
    waits for the move, then finds its partner does not work in Bravo and restores
    nothing; never Alpha's partner's event in Bravo's plan."""
    two = two_territories()
    alpha = two["alpha"]
    empty, _, staff = _an_empty_initiative_and_both_teams(two)
    event = AwarenessEventFactory(
        initiative=empty, organizer=alpha["partner"], title="Action supprimée"
    )
    event_id = event.pk
    event.delete()
    record = AwarenessEvent.history.get(id=event_id, history_type="-")
    restore_url = reverse("admin:indicators_awarenessevent_restore", args=[record.history_id])
    restorer = user_in(access.TERRITORY_STAFF, "restauration", territories=[alpha["territory"]])
    movers, restorers = _logged_in(staff), _logged_in(restorer)
    move = _move_data(movers, empty, two["bravo"])
    moving = _holding(monkeypatch, InitiativeAdmin, staff)

    moved, restored = concurrency.all_succeeded(
        concurrency.at_once(
            functools.partial(movers.post, change(empty), move),
            functools.partial(_once, moving, restorers, restore_url, {}),
        )
    )

    assert moved.status_code == 302
    assert restored.status_code == 302
    assert not AwarenessEvent.objects.filter(pk=event_id).exists()
    told = restorers.get(restored["Location"]).context["messages"]
    assert [str(message) for message in told] == [
        workflow.left_the_territory_message([alpha["partner"]])
    ]
    empty.refresh_from_db()
    assert empty.plan == two["bravo"]["plan"]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_an_event_saved_while_a_revert_moves_its_initiative_is_refused(monkeypatch):
    """Putting back a version of an initiative from when it was in Bravo's plan is a
    move like any other, in one transaction: the event saved into it meanwhile
    waits for it, then is refused."""
    two = two_territories()
    alpha, bravo = two["alpha"], two["bravo"]
    empty, partner, staff = _an_empty_initiative_and_both_teams(two)
    staffs, partners = _logged_in(staff), _logged_in(partner)
    assert staffs.post(change(empty), _move_data(staffs, empty, bravo)).status_code == 302
    in_bravo = empty.history.latest()
    assert staffs.post(change(empty), _move_data(staffs, empty, alpha)).status_code == 302
    revert_url = reverse(
        "admin:initiatives_initiative_simple_history", args=[empty.pk, in_bravo.history_id]
    )
    revert = form_data(staffs.get(revert_url))
    event = alpha["event"]
    data = form_data(partners.get(change(event)), initiative=empty.pk)
    moving = _holding(monkeypatch, InitiativeAdmin, staff)

    reverted, saved = concurrency.all_succeeded(
        concurrency.at_once(
            functools.partial(staffs.post, revert_url, revert),
            functools.partial(_once, moving, partners, change(event), data),
        )
    )

    assert reverted.status_code == 302
    assert saved.status_code == 200
    assert saved.context["adminform"].form.errors["initiative"] == [workflow.INITIATIVE_MOVED]
    empty.refresh_from_db()
    assert empty.plan == bravo["plan"]
    assert not empty.events.exists()

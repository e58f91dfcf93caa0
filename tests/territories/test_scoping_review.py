"""What a review of the territories' scoping found, on an instance of two
territories, Alpha and Bravo (tests/territories/test_admin_scoping.py's): an
account of Alpha reads nothing of Bravo, not even a name, on the pages and in the
e-mails that test does not open, and an unreadable `territoire` is a 400 in
French, not a 500."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from feminisation import access
from indicators.enums import EventStatus
from indicators.models import AwarenessEvent
from tests.indicators.accounts import user_in
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.shared import collected
from tests.territories.test_admin_scoping import BRAVO, account, change, changelist, two_territories

pytestmark = pytest.mark.django_db

User = get_user_model()
DELETED_URL = reverse("admin:indicators_awarenessevent_deleted")
EVENTS_URL = reverse("admin:indicators_awarenessevent_changelist")


@pytest.fixture
@collected
def two():
    return two_territories()


def _shown_bravo(response):
    """The lines of the page that name Bravo (for the assertion's message)."""
    return [line for line in response.content.decode().splitlines() if BRAVO in line]


def _with_email(user):
    user.email = f"{user.username}@example.fr"
    user.save()
    return user


# The deleted events ------------------------------------------------------------------


def _delete_bravos_initiative(two):
    """Bravo's team deletes its event, then the initiative left without events."""
    bravo = two["bravo"]
    pk = bravo["event"].pk
    bravo["event"].delete()
    bravo["target"].delete()
    bravo["initiative"].delete()
    return AwarenessEvent.history.get(id=pk, history_type="-")


def test_a_deleted_event_of_bravo_whose_initiative_is_deleted_too_stays_bravos(client, two):
    record = _delete_bravos_initiative(two)
    client.force_login(account("staff", two))

    listing = client.get(DELETED_URL)
    assert listing.status_code == 200
    assert _shown_bravo(listing) == []
    restore = reverse("admin:indicators_awarenessevent_restore", args=[record.history_id])
    assert client.post(restore).status_code == 404
    assert not AwarenessEvent.objects.filter(pk=record.id).exists()

    # Bravo's team still finds it, and is told why it cannot come back.
    bravo_staff = user_in(
        access.TERRITORY_STAFF, "equipe-bravo", territories=[two["bravo"]["territory"]]
    )
    client.force_login(bravo_staff)
    assert "Action Bravo" in client.get(DELETED_URL).content.decode()
    assert client.post(restore).url == DELETED_URL
    assert not AwarenessEvent.objects.filter(pk=record.id).exists()


# Read-only forms and the accounts' list -----------------------------------------------


def test_a_read_only_partner_form_names_no_account_of_bravo(client, two):
    """A manager of Alpha reads the partner working in both territories: its
    « comptes de saisie » of Bravo are not named."""
    shared = two["shared"]
    alpha = user_in(access.PARTNERS, "saisie-alpha", territories=[two["alpha"]["territory"]])
    user_in(access.PARTNERS, f"saisie-{BRAVO}", territories=[two["bravo"]["territory"]])
    shared.members.set(User.objects.filter(username__startswith="saisie-"))

    client.force_login(account("manager", two))
    page = client.get(change(shared))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert _shown_bravo(page) == []
    assert alpha.username in page.content.decode()

    # The national network reads both.
    client.force_login(account("national", two))
    assert f"saisie-{BRAVO}" in client.get(change(shared)).content.decode()


def test_the_account_list_names_no_organisation_of_bravo(client, two):
    """An account of both territories, entering the actions of Alpha's partner and
    Bravo's: Alpha's team lists it with Alpha's only, and filters by Alpha's only."""
    both = [two["alpha"]["territory"], two["bravo"]["territory"]]
    organisations = [two["alpha"]["partner"], two["bravo"]["partner"]]
    user_in(access.PARTNERS, "saisie-deux", organisations=organisations, territories=both)

    client.force_login(account("staff", two))
    page = client.get(changelist(User))
    assert _shown_bravo(page) == []
    assert "Partenaire Alpha" in page.content.decode()
    [spec] = [
        spec
        for spec in page.context["cl"].filter_specs
        if getattr(spec, "field_path", None) == "partner_organisations"
    ]
    assert [name for _pk, name in spec.lookup_choices] == ["Partenaire Alpha"]


# An unreadable territory --------------------------------------------------------------

UNKNOWN = "Aucun territoire ne correspond à"


@pytest.mark.parametrize(
    "url",
    [
        "/exports/?territoire=%00",
        "/exports/evenements.csv?territoire=%00",
        "/exports/compteurs.csv?territoire=alpha%00",
        "/exports/bilan/2025/?territoire=%00",
        "/api/v1/plan/?territoire=%00",
        "/api/v1/chiffres/?territoire=%00",
        "/api/v1/actions/?territoire=territoire-alpha%00",
    ],
)
def test_a_territory_no_identifier_can_be_is_a_400_in_french(client, two, url):
    """PostgreSQL refuses a NUL byte in any text: it was a 500 there."""
    client.force_login(account("staff", two))
    response = client.get(url)
    assert response.status_code == 400
    assert UNKNOWN in response.content.decode("utf-8")


# The e-mails ----------------------------------------------------------------------------


@pytest.fixture
def inboxes(two):
    """The staff of each territory, and the accounts of the partner working in both,
    one per territory, all with an address."""
    alpha, bravo = two["alpha"]["territory"], two["bravo"]["territory"]
    accounts = {
        "staff_alpha": user_in(access.TERRITORY_STAFF, "equipe-alpha", territories=[alpha]),
        "staff_bravo": user_in(access.TERRITORY_STAFF, "equipe-bravo", territories=[bravo]),
        "shared_alpha": user_in(
            access.PARTNERS, "elles-alpha", organisations=[two["shared"]], territories=[alpha]
        ),
        "shared_bravo": user_in(
            access.PARTNERS, "elles-bravo", organisations=[two["shared"]], territories=[bravo]
        ),
    }
    return {key: _with_email(user) for key, user in accounts.items()}


def _addressees():
    return sorted(address.split("@")[0] for email in mail.outbox for address in email.to)


def _bravo_event(two, status, title=f"Forum {BRAVO}"):
    event = AwarenessEventFactory(
        initiative=two["bravo"]["initiative"],
        organizer=two["shared"],
        status=status,
        title=title,
        date=datetime.date(2025, 3, 14),
    )
    AudienceCountFactory(event=event)
    return event


def test_a_move_of_bravos_event_is_told_to_the_accounts_of_bravo_only(
    client, two, inboxes, django_capture_on_commit_callbacks
):
    submitted = _bravo_event(two, EventStatus.DRAFT)
    client.force_login(inboxes["shared_bravo"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            EVENTS_URL,
            {"action": "submit_for_validation", "_selected_action": [submitted.pk], "index": 0},
        )
    submitted.refresh_from_db()
    assert submitted.status == EventStatus.SUBMITTED
    assert _addressees() == ["equipe-bravo"]

    mail.outbox.clear()
    client.force_login(inboxes["staff_bravo"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            EVENTS_URL, {"action": "validate", "_selected_action": [submitted.pk], "index": 0}
        )
    submitted.refresh_from_db()
    assert submitted.status == EventStatus.VALIDATED
    # The partner's account of Alpha does not read Bravo's events.
    assert _addressees() == ["elles-bravo"]


def test_the_weekly_reminder_lists_each_account_its_territorys_events_only(two, inboxes):
    # Each territory's « Action … » waits for validation already.
    _bravo_event(two, EventStatus.SUBMITTED, title=f"Salon {BRAVO}")
    _bravo_event(two, EventStatus.RETURNED)

    call_command("send_reminders", stdout=io.StringIO())

    reminders = {email.to[0].split("@")[0]: email for email in mail.outbox}
    assert sorted(reminders) == ["elles-bravo", "equipe-alpha", "equipe-bravo"]
    alpha = reminders["equipe-alpha"]
    assert "1 action attend votre validation." in alpha.body
    assert "Action Alpha" in alpha.body
    assert BRAVO not in alpha.body + alpha.subject
    bravo = reminders["equipe-bravo"]
    assert "2 actions attendent votre validation." in bravo.body
    assert f"Salon {BRAVO}" in bravo.body and "Action Alpha" not in bravo.body
    assert f"Forum {BRAVO}" in reminders["elles-bravo"].body


def test_the_accounts_told_of_every_territory_are_those_that_read_every_territory(two):
    """`scoping.reach` says in SQL, for many accounts at once, what
    `access.sees_every_territory` says of one: both must name the same accounts."""
    from django.contrib.auth.models import Permission

    from territories import scoping

    alpha = [two["alpha"]["territory"]]
    directly = user_in(access.TERRITORY_STAFF, "permission-directe", territories=alpha)
    app_label, codename = access.SEE_EVERY_TERRITORY.split(".")
    directly.user_permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )
    accounts = [
        user_in(access.NATIONAL_NETWORK, "reseau", territories=()),
        User.objects.create_superuser("administration"),
        directly,
        user_in(access.TERRITORY_STAFF, "equipe-seule", territories=alpha),
        user_in(access.PARTNERS, "partenaire-seul", territories=alpha),
        user_in(access.MANAGERS, "sans-territoire", territories=()),
    ]
    rows = User.objects.filter(pk__in=[a.pk for a in accounts]).annotate(**scoping.reach())
    readers = scoping.readers(rows)

    expected = {a.pk: access.sees_every_territory(User.objects.get(pk=a.pk)) for a in accounts}
    assert {pk: reader.every for pk, reader in readers.items()} == expected
    assert sorted(pk for pk, every in expected.items() if every) == sorted(
        a.pk for a in accounts[:3]
    )
    assert readers[accounts[3].pk].territories == {alpha[0].pk}


def test_staff_of_one_territory_see_an_account_shared_with_another_but_cannot_take_it_over(
    client, two
):
    """Its e-mail, changed by Alpha's staff, would let them sign in as it through a
    forgotten-password link and read Bravo's events of its organisations."""
    alpha, bravo = two["alpha"]["territory"], two["bravo"]["territory"]
    shared = _with_email(user_in(access.PARTNERS, "saisie-partagee", territories=[alpha, bravo]))
    two["shared"].members.add(shared)
    own = _with_email(user_in(access.PARTNERS, "saisie-alpha", territories=[alpha]))
    staff = user_in(access.TERRITORY_STAFF, "equipe-alpha", territories=[alpha])
    client.force_login(staff)

    page = client.get(change(shared))
    assert page.status_code == 200  # seen, read-only
    assert 'name="email"' not in page.content.decode()
    posted = client.post(
        change(shared),
        {"username": "saisie-partagee", "email": "equipe@alpha.example.fr", "is_active": "on"},
    )
    assert posted.status_code == 403
    assert client.post(change(shared, "delete"), {"post": "yes"}).status_code == 403
    shared.refresh_from_db()
    assert shared.email == "saisie-partagee@example.fr" and shared.is_active

    # The account of Alpha alone stays theirs to change, and staff of both
    # territories change the shared one.
    assert 'name="email"' in client.get(change(own)).content.decode()
    client.force_login(
        user_in(access.TERRITORY_STAFF, "equipe-des-deux", territories=[alpha, bravo])
    )
    assert 'name="email"' in client.get(change(shared)).content.decode()

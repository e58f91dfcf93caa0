"""Who may do what with an account in the admin, cell by cell: a superuser, a
member of the territory staff, a manager, a partner and an anonymous visitor, facing
a partner account, the staff member's own account, a colleague, a manager and a
superuser, on every URL of the user admin. A request that may not change an account
changes nothing, whatever it posts: no account gains or loses a role, a permission
or a password."""

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from feminisation import access
from tests.indicators.accounts import user_in
from tests.indicators.admin_forms import form_data
from tests.partners.factories import PartnerFactory
from tests.shared import fresh

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_accounts")]

User = get_user_model()
CHANGELIST_URL = reverse("admin:auth_user_changelist")
MAX_QUERIES = 40
NEW_PASSWORD = "un mot de passe tout neuf"


@dataclass(frozen=True)
class Expect:
    status: int
    redirect: str | None = None
    effect: bool = False


SHOWN = Expect(200, effect=True)
NOT_SHOWN = Expect(200)
LOGIN = Expect(302, "login")
NOT_FOUND = Expect(302, "index")
FORBIDDEN = Expect(403)
SAVED = Expect(302, "changelist", effect=True)
PASSWORD_SET = Expect(302, "change", effect=True)

OPERATIONS = (
    "list",
    "change",
    "change_post",
    "password",
    "password_post",
    "delete",
    "history",
    "version",
)

EXPECTED = {
    "superuser": {
        **dict.fromkeys(("list", "change", "password", "history"), SHOWN),
        "change_post": SAVED,
        "password_post": PASSWORD_SET,
        "delete": SAVED,
        # An account's version is never reopened nor restored, by anyone.
        "version": FORBIDDEN,
    },
    "staff_partner": {
        "list": SHOWN,
        "change": SHOWN,
        "change_post": SAVED,
        "password": FORBIDDEN,
        "password_post": FORBIDDEN,
        "delete": FORBIDDEN,
        "history": SHOWN,
        "version": FORBIDDEN,
    },
    "staff_other": {
        "list": NOT_SHOWN,
        "change": NOT_FOUND,
        "change_post": NOT_FOUND,
        "password": FORBIDDEN,
        "password_post": FORBIDDEN,
        "delete": FORBIDDEN,
        "history": FORBIDDEN,
        "version": FORBIDDEN,
    },
    "forbidden": dict.fromkeys(OPERATIONS, FORBIDDEN),
    "anonymous": dict.fromkeys(OPERATIONS, LOGIN),
}

# (who, whose account, the row of EXPECTED)
ACTORS = [
    ("superuser", "partner", "superuser"),
    ("superuser", "colleague", "superuser"),
    ("superuser", "manager", "superuser"),
    ("staff", "partner", "staff_partner"),
    ("staff", "self", "staff_other"),
    ("staff", "colleague", "staff_other"),
    ("staff", "manager", "staff_other"),
    ("staff", "superuser", "staff_other"),
    ("manager", "partner", "forbidden"),
    ("manager", "self", "forbidden"),
    ("partner", "partner", "forbidden"),
    ("partner", "self", "forbidden"),
    ("anonymous", "superuser", "anonymous"),
]

CELLS = [
    pytest.param(
        actor, target, operation, EXPECTED[row][operation], id=f"{actor}-{target}-{operation}"
    )
    for actor, target, row in ACTORS
    for operation in OPERATIONS
]


def named(user, last_name):
    # The last name marks the account in a page (the user tools name the visitor by
    # their user name). A password of its own: Django's page to give a first one
    # reads a field its form lacks.
    user.last_name, user.email = last_name, f"{user.username}@example.fr"
    user.set_password(f"mot de passe de {user.username}")
    user.save()
    return user


@pytest.fixture
def accounts(db, shared_accounts):
    return fresh(shared_accounts)


@pytest.fixture(scope="module")
def shared_accounts(module_db):
    arc = PartnerFactory(name="Arc France")
    return {
        "superuser": named(User.objects.create_superuser("racine"), "Superutile"),
        "staff": named(user_in(access.TERRITORY_STAFF, "equipe"), "Equipiere"),
        "colleague": named(user_in(access.TERRITORY_STAFF, "collegue"), "Collegue"),
        "manager": named(user_in(access.MANAGERS, "responsable"), "Responsable"),
        "partner": named(user_in(access.PARTNERS, "arc-france", organisations=[arc]), "Verrier"),
        # Another partner, who logs in to try the partner's URLs.
        "other_partner": named(
            user_in(access.PARTNERS, "capso", organisations=[PartnerFactory(name="CAPSO")]),
            "Agglo",
        ),
    }


def actor_account(actor, accounts):
    return {
        "superuser": accounts["superuser"],
        "staff": accounts["staff"],
        "manager": accounts["manager"],
        "partner": accounts["other_partner"],
    }.get(actor)


def target_account(actor, target, accounts):
    if target == "self":
        return actor_account(actor, accounts)
    return accounts[target]


def admin_url(account, view, *args):
    return reverse(f"admin:auth_user_{view}", args=[account.pk, *args])


def privileges():
    """What empowers each account: never changed but by a superuser."""
    return {
        user.username: (
            user.is_superuser,
            user.is_staff,
            sorted(group.name for group in user.groups.all()),
            sorted(permission.codename for permission in user.user_permissions.all()),
            user.password,
        )
        for user in User.objects.prefetch_related("groups", "user_permissions")
    }


def escalation(account):
    """A hand-made POST of the full form: the account made superuser, moved to the
    staff's group, given « see all events », with a new last name."""
    superuser = Client()
    superuser.force_login(User.objects.get(username="racine"))
    data = form_data(superuser.get(admin_url(account, "change")), last_name="Change")
    return {
        **data,
        "is_superuser": "on",
        "is_staff": "on",
        "groups": [str(Group.objects.get(name=access.TERRITORY_STAFF).pk)],
        "user_permissions": [str(Permission.objects.get(codename="see_all_events").pk)],
    }


def prepare(operation, account):
    """(method, url, data) of the request."""
    if operation == "list":
        return "get", CHANGELIST_URL, {}
    if operation == "change":
        return "get", admin_url(account, "change"), {}
    if operation == "change_post":
        return "post", admin_url(account, "change"), escalation(account)
    if operation == "password":
        return "get", admin_url(account, "password_change"), {}
    if operation == "password_post":
        data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
        return "post", admin_url(account, "password_change"), data
    if operation == "delete":
        return "post", admin_url(account, "delete"), {"post": "yes"}
    if operation == "history":
        return "get", admin_url(account, "history"), {}
    version = account.history.first().history_id
    return "post", admin_url(account, "simple_history", version), {"username": account.username}


def effect(operation, account, response):
    if operation == "change_post":
        return User.objects.filter(pk=account.pk, last_name="Change").exists()
    if operation == "password_post":
        return User.objects.get(pk=account.pk).check_password(NEW_PASSWORD)
    if operation == "delete":
        return not User.objects.filter(pk=account.pk).exists()
    if operation == "password":
        # The page names the account by its user name only.
        return response.status_code == 200 and response.context["form"].user == account
    return account.last_name in response.content.decode()


def redirect_target(response, account):
    if response.status_code != 302:
        return None
    if response.url.startswith(reverse("admin:login")):
        return "login"
    if response.url == reverse("admin:index"):
        return "index"
    if response.url.startswith(CHANGELIST_URL) and response.url.split("?")[0] == CHANGELIST_URL:
        return "changelist"
    if response.url == admin_url(account, "change"):
        return "change"
    return response.url


@pytest.mark.parametrize(("actor", "target", "operation", "expected"), CELLS)
def test_account_permission_matrix(
    client, django_assert_max_num_queries, accounts, actor, target, operation, expected
):
    account = target_account(actor, target, accounts)
    method, url, data = prepare(operation, account)
    if actor != "anonymous":
        client.force_login(actor_account(actor, accounts))
    before = privileges()

    with django_assert_max_num_queries(MAX_QUERIES):
        response = getattr(client, method)(url, data)

    assert (
        response.status_code,
        redirect_target(response, account),
        effect(operation, account, response),
    ) == (expected.status, expected.redirect, expected.effect)
    if actor != "superuser":
        after = privileges()
        # The partner account staff save stays what it was: a partner account.
        assert after == before

"""Hostile query strings on every admin list: each of the list's own parameters
(every filter's, the date hierarchy's, the search, the ordering, the page) and a
few lookups Django lets anyone type on a model's own fields, given values that
broke it once: a NUL byte (PostgreSQL refuses it in any text), integers beyond
64 bits, 5,000 digits, impossible dates, a regular expression that does not
compile. Each is tried once, as an explicit example: drawn at random, the few
values that matter go unseen.

The answer is the list (200), a redirect to the list without its filters, with a
French message (Django's « ?e=1 »), or a 400 page: never a server error. Each
request runs in a savepoint, so that on PostgreSQL an error does not poison the
requests after it, and every failure is reported at once."""

from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.db import models, transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains

from feminisation import access
from feminisation.admin_site import INVALID_FILTER_MESSAGE
from tests.indicators.accounts import user_in
from tests.indicators.factories import AudienceCountFactory
from tests.partners.factories import PartnerFactory
from tests.shared import collected
from tests.test_admin import OBJECT_MAKERS

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"
DIGITS_5000 = "9" * 5000
# One value of each kind that broke a list once, for each filter's parameter.
FILTER_VALUES = ["\x00", HUGE, DIGITS_5000, "99999-01-01", "é✓😀"]
IN_VALUES = [f"1,{HUGE}", "\x00,1"]
# Django's own parameters: the search, the ordering, the page, the facets.
OWN_VALUES = {
    "q": ["\x00", DIGITS_5000, '"'],
    "o": [HUGE, DIGITS_5000, "1.-2.x"],
    "p": [HUGE, DIGITS_5000, "-1"],
    "_facets": ["\x00"],
    "all": ["\x00"],
}
# The date hierarchy's year, month and day: out of range, unreadable, or a year
# whose last day is the calendar's last.
DATE_HIERARCHY = [
    *({"year": year} for year in ("\x00", HUGE, DIGITS_5000, "0", "9999", "٢٠٢٥")),
    {"year": "2025", "month": HUGE},
    {"year": "2025", "month": "13"},
    {"year": "2025", "month": "2", "day": "30"},
    {"year": "9999", "month": "12", "day": "31"},
]
# Lookups no filter offers but that Django allows on a model's own fields.
FREE_LOOKUPS = [
    (models.CharField, "__regex", "["),
    (models.DateField, "__year", HUGE),
    (models.DateTimeField, "__year__gte", HUGE),
    (models.AutoField, "__in", f"1,{HUGE}"),
]
ADMINS = sorted(admin.site._registry.values(), key=lambda model_admin: model_admin.opts.label)


def filter_parameters(model_admin, user):
    """The parameters of the list's filters (the date hierarchy's are swept apart)."""
    request = RequestFactory().get("/")
    request.user = user
    changelist = model_admin.get_changelist_instance(request)
    return sorted({name for spec in changelist.filter_specs for name in spec.expected_parameters()})


def free_lookups(model):
    """One field of each kind in FREE_LOOKUPS, with its lookup and value."""
    fields = model._meta.concrete_fields
    for kind, lookup, value in FREE_LOOKUPS:
        field = next((field for field in fields if isinstance(field, kind)), None)
        if field is not None:
            yield {field.name + lookup: value}


def queries(model_admin, user):
    for name in filter_parameters(model_admin, user):
        values = FILTER_VALUES + (IN_VALUES if name.endswith("__in") else [])
        # Read as a boolean whatever it says.
        if name.endswith("__isnull"):
            values = ["\x00"]
        for value in values:
            yield {name: value}
    for name, values in OWN_VALUES.items():
        yield from ({name: value} for value in values)
    yield from free_lookups(model_admin.model)
    if field := model_admin.date_hierarchy:
        for parts in DATE_HIERARCHY:
            yield {f"{field}__{part}": value for part, value in parts.items()}


def changelist_url(model_admin):
    return reverse(f"admin:{model_admin.opts.app_label}_{model_admin.opts.model_name}_changelist")


def failures(client, model_admin, user):
    """Each query string answered otherwise than by the list, a 400, or a redirect
    to the unfiltered list that says why in French."""
    url = changelist_url(model_admin)
    failed = []
    for query in queries(model_admin, user):
        address = f"{url}?{urlencode(query)}"
        try:
            with transaction.atomic():
                response = client.get(address)
        except Exception as error:  # reported with every other failure
            failed.append(f"{address[:200]}: {type(error).__name__}: {str(error)[:120]}")
            continue
        if response.status_code == 302:
            said = [str(message) for message in get_messages(response.wsgi_request)]
            if response["Location"] != f"{url}?e=1" or INVALID_FILTER_MESSAGE not in said:
                failed.append(f"{address[:200]}: redirected to {response['Location']}, {said}")
        elif response.status_code not in (200, 400):
            failed.append(f"{address[:200]}: {response.status_code}")
    return failed


@pytest.fixture
@collected
def rows():
    """One object per model, so that every list has rows, dates and filter choices."""
    for make in OBJECT_MAKERS.values():
        make()
    AudienceCountFactory(event__co_organizers=[PartnerFactory()])


@pytest.mark.parametrize("model_admin", ADMINS, ids=lambda model_admin: model_admin.opts.label)
def test_no_query_string_breaks_an_admin_list_for_a_superuser(
    admin_client, admin_user, rows, model_admin
):
    assert failures(admin_client, model_admin, admin_user) == []


# The lists a partner's account opens: the others answer 403 (see the test below).
PARTNER_LISTS = [
    model_admin for model_admin in ADMINS if model_admin.opts.label in {"indicators.AwarenessEvent"}
]


@pytest.mark.parametrize(
    "model_admin", PARTNER_LISTS, ids=lambda model_admin: model_admin.opts.label
)
def test_no_query_string_breaks_an_admin_list_for_a_partner(client, model_admin):
    """The events' filters then offer the partners of the account's own events."""
    organisation = PartnerFactory()
    user = user_in(access.PARTNERS, "partenaire", organisations=[organisation])
    AudienceCountFactory(event__organizer=organisation, event__co_organizers=[PartnerFactory()])
    client.force_login(user)

    assert failures(client, model_admin, user) == []


def test_a_partner_opens_no_other_list(client):
    client.force_login(user_in(access.PARTNERS, "partenaire", organisations=[PartnerFactory()]))
    opened = [
        model_admin
        for model_admin in ADMINS
        if client.get(changelist_url(model_admin)).status_code == 200
    ]

    assert opened == PARTNER_LISTS


@pytest.mark.parametrize(
    "query",
    ["status__exact=%00", "date__year=99999999999999999999", "date__year=9999", "title__regex=["],
)
def test_an_unreadable_filter_shows_the_whole_list_and_says_why(admin_client, rows, query):
    url = reverse("admin:indicators_awarenessevent_changelist")

    response = admin_client.get(f"{url}?{query}", follow=True)

    assert response.redirect_chain == [(f"{url}?e=1", 302)]
    assertContains(response, escape(INVALID_FILTER_MESSAGE))
    assertContains(response, "/change/")


def test_an_unreadable_filter_after_the_redirect_is_not_called_a_database_error(admin_client):
    """Django shows « Erreur de base de données » when `?e=1` comes back with a bad
    parameter: only a bare `?e=1` that fails says that."""
    url = reverse("admin:indicators_awarenessevent_changelist")

    response = admin_client.get(f"{url}?e=1&status__exact=%00", follow=True)

    assert response.redirect_chain == [(f"{url}?e=1", 302)]
    assertContains(response, escape(INVALID_FILTER_MESSAGE))

"""A record two territories may share, deleted by Alpha's staff at the very moment
another account links it to Bravo, for real: two threads, each with its own
PostgreSQL connection. Alpha's deletion reads its rule (« nobody else uses it »),
then pauses before deleting until the other save has committed or waits for it. Either
the other save waits for the deletion and is refused in French, or the deletion
sees it and is refused: never is Bravo told its link is saved while the deletion
takes it away, nor does a deleted record come back."""

import threading

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.db.models.signals import pre_delete
from django.test import Client
from pytest_django.asserts import assertContains

from feminisation import access
from initiatives.models import Audience, Initiative
from partners.models import Contact, Partner
from tests import concurrency
from tests.indicators.accounts import user_in
from tests.indicators.admin_forms import form_data
from tests.initiatives.factories import AudienceFactory
from tests.partners.factories import ContactFactory
from tests.territories.test_admin_scoping import change, changelist, two_territories

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent transactions: this test runs in the PostgreSQL half of the suite",
    ),
    pytest.mark.django_db(transaction=True),
]


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def staff_of(name, *territories):
    return user_in(access.TERRITORY_STAFF, name, territories=list(territories))


def delete_while_linked(model, record, deleter, link, delete=None):
    """Alpha's `deleter` deletes `record` from its deletion page (or by `delete()`,
    returning its response); `link()` (another account's save, returning its
    response) starts once the deletion has read its rule, and the deletion waits
    until it has ended or waits for a lock. Returns the two responses."""
    rule_read, started, linked = threading.Event(), threading.Event(), threading.Event()
    linking = []

    def pause(sender, instance, **kwargs):
        if threading.current_thread().name == "deletion" and instance.pk == record.pk:
            rule_read.set()
            assert started.wait(timeout=10), "the other save never started"
            concurrency.until_blocked_or_done(linking[0], linked)

    def deletion():
        threading.current_thread().name = "deletion"
        if delete is not None:
            return delete()
        return deleter.post(change(record, "delete"), {"post": "yes"})

    def linking_save():
        assert rule_read.wait(timeout=10), "the deletion never read its rule"
        linking.append(concurrency.backend_pid())
        started.set()
        try:
            return link()
        finally:
            linked.set()

    pre_delete.connect(pause, sender=model, weak=False)
    try:
        deleted, linked_response = concurrency.at_once(deletion, linking_save)
    finally:
        pre_delete.disconnect(pause, sender=model)
    for response in (deleted, linked_response):
        assert not isinstance(response, Exception), response
    return deleted, linked_response


def assert_refused_in_french(response):
    assert response.status_code == 409
    assertContains(response, "Votre demande n'a pas abouti", status_code=409)


def test_a_contact_deleted_while_bravos_plan_lists_it(two_accounts):
    """Alpha's staff delete a contact of Alpha's partner; at the same instant an
    account of both territories lists it on Bravo's plan."""
    alpha, bravo = two_accounts["alpha"], two_accounts["bravo"]
    contact = ContactFactory(partner=alpha["partner"], full_name="Dominique Disputée")
    plan = bravo["plan"]
    both = logged_in(two_accounts["both_staff"])
    page = both.get(change(plan))

    def list_it():
        return both.post(change(plan), form_data(page, contacts=[str(contact.pk)]))

    deleted, listed = delete_while_linked(
        Contact, contact, logged_in(two_accounts["alpha_staff"]), list_it
    )

    # The deletion went first: the plan's save waited for it, and was refused.
    assert deleted.status_code == 302
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert_refused_in_french(listed)
    assert not plan.contacts.exists()
    # Sent again, the form names what is gone.
    again = both.post(change(plan), form_data(page, contacts=[str(contact.pk)]))
    assert again.status_code == 200
    assert again.context["adminform"].form.errors["contacts"]


def test_a_contact_deleted_from_its_partners_form_while_bravos_plan_lists_it(two_accounts):
    """The same, the contact's « Supprimer » box ticked on Alpha's partner's form."""
    alpha, bravo = two_accounts["alpha"], two_accounts["bravo"]
    contact = alpha["contact"]
    partner, plan = alpha["partner"], bravo["plan"]
    alphas = logged_in(two_accounts["alpha_staff"])
    partner_page = alphas.get(change(partner))
    both = logged_in(two_accounts["both_staff"])
    plan_page = both.get(change(plan))

    def tick_it():
        data = form_data(partner_page, **{"contacts-0-DELETE": "on"})
        assert str(data["contacts-0-id"]) == str(contact.pk)
        return alphas.post(change(partner), data)

    def list_it():
        return both.post(change(plan), form_data(plan_page, contacts=[str(contact.pk)]))

    deleted, listed = delete_while_linked(Contact, contact, alphas, list_it, delete=tick_it)

    assert deleted.status_code == 302
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert_refused_in_french(listed)
    assert not plan.contacts.exists()


def test_a_partner_deleted_while_it_is_given_bravo_does_not_come_back(two_accounts):
    """Alpha's staff delete Alpha's own partner; at the same instant an account of
    both territories adds Bravo to the territories it works in."""
    alpha, bravo = two_accounts["alpha"], two_accounts["bravo"]
    partner = alpha["partner"]
    partner.organized_events.all().delete()
    both = logged_in(two_accounts["both_staff"])
    page = both.get(change(partner))
    territories = [str(alpha["territory"].pk), str(bravo["territory"].pk)]

    def give_bravo():
        return both.post(change(partner), form_data(page, territories=territories))

    deleted, given = delete_while_linked(
        Partner, partner, logged_in(two_accounts["alpha_staff"]), give_bravo
    )

    assert deleted.status_code == 302
    # The form found nothing left to save: Django says so, and writes nothing.
    assert given.status_code == 302
    assert any("existe pas" in str(m) for m in get_messages(given.wsgi_request))
    assert not Partner.objects.filter(pk=partner.pk).exists()
    assert not Partner.territories.through.objects.filter(partner_id=partner.pk).exists()


@pytest.mark.parametrize("where", ["page", "list"])
def test_an_audience_deleted_while_bravo_counts_it(two_accounts, where):
    """Alpha's staff delete an audience nobody uses, from its deletion page or with
    the list's « Supprimer » action; at the same instant Bravo's own staff add it to
    Bravo's initiative."""
    bravo = two_accounts["bravo"]
    audience = AudienceFactory(name="Apprenties", slug="apprenties")
    initiative = bravo["initiative"]
    bravos = logged_in(staff_of("equipe-bravo", bravo["territory"]))
    page = bravos.get(change(initiative))
    chosen = [*form_data(page).get("audiences", []), str(audience.pk)]

    def count_it():
        return bravos.post(change(initiative), form_data(page, audiences=chosen))

    alphas = logged_in(two_accounts["alpha_staff"])

    def from_the_list():
        chosen = {"action": "delete_selected", "_selected_action": [audience.pk], "post": "yes"}
        return alphas.post(changelist(Audience), chosen)

    deleted, counted = delete_while_linked(
        Audience, audience, alphas, count_it, delete=from_the_list if where == "list" else None
    )

    assert deleted.status_code == 302
    assert not Audience.objects.filter(pk=audience.pk).exists()
    assert_refused_in_french(counted)
    assert not initiative.audiences.filter(slug="apprenties").exists()


def test_an_initiative_saved_while_it_is_deleted_does_not_come_back(two_accounts):
    """Any record, not only a shared one: Alpha's staff delete an initiative without
    events; at the same instant a colleague saves its form. The save finds it gone,
    rather than writing it again as new (without its links)."""
    alpha = two_accounts["alpha"]
    initiative = alpha["initiative"]
    initiative.events.all().delete()
    initiative.targets.all().delete()
    colleague = logged_in(staff_of("collegue-alpha", alpha["territory"]))
    page = colleague.get(change(initiative))

    def save_it():
        return colleague.post(change(initiative), form_data(page, title="Titre corrigé"))

    deleted, saved = delete_while_linked(
        Initiative, initiative, logged_in(two_accounts["alpha_staff"]), save_it
    )

    assert deleted.status_code == 302
    assert saved.status_code == 302
    assert any("existe pas" in str(m) for m in get_messages(saved.wsgi_request))
    assert not Initiative.objects.filter(pk=initiative.pk).exists()


@pytest.fixture
def two_accounts():
    two = two_territories()
    two["alpha_staff"] = staff_of("equipe-alpha", two["alpha"]["territory"])
    two["both_staff"] = staff_of(
        "equipe-des-deux", two["alpha"]["territory"], two["bravo"]["territory"]
    )
    return two

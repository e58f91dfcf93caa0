"""The records two territories share — a partner working in both, its contacts, an
account of both, an audience — on an instance of Alpha and Bravo
(tests/territories/test_admin_scoping.py's): Alpha's staff read and edit them, and
never take them away from Bravo, whether by deleting them, unticking Bravo's
accounts, or putting back an older version; the shared partner's accounts list its
events of their own territories only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feminisation import access
from indicators import credits
from indicators.models import AwarenessEvent
from partners.models import Partner
from tests.indicators.accounts import user_in
from tests.indicators.admin_forms import form_data
from tests.indicators.factories import AwarenessEventFactory
from tests.initiatives.factories import AudienceFactory
from tests.partners.factories import ContactFactory
from tests.territories.factories import TerritoryFactory
from tests.territories.test_admin_scoping import change, changelist, two_territories

pytestmark = pytest.mark.django_db


@pytest.fixture
def two():
    two = two_territories()
    alpha, bravo, shared = two["alpha"], two["bravo"], two["shared"]
    two["bravo_account"] = user_in(
        access.PARTNERS, "compte-bravo", organisations=[shared], territories=[bravo["territory"]]
    )
    two["both_account"] = user_in(
        access.PARTNERS,
        "compte-des-deux",
        organisations=[shared],
        territories=[alpha["territory"], bravo["territory"]],
    )
    two["alpha_staff"] = user_in(
        access.TERRITORY_STAFF, "equipe-alpha", territories=[alpha["territory"]]
    )
    return two


def as_sent(page, data):
    """`data` as a browser sends it: a list of choices sends only the chosen values
    it shows, those among its field's choices."""
    form = page.context["adminform"].form
    for name in ("members", "territories"):
        if name in data and name in form.fields:
            offered = {str(pk) for pk in form.fields[name].queryset.values_list("pk", flat=True)}
            data[name] = [value for value in data[name] if str(value) in offered]
    return data


def _members(partner):
    return set(partner.members.values_list("username", flat=True))


def assert_refused(client, response, back, *messages):
    """Refused as shared: sent back to `back`, whose page says why, not shown a page
    that says the account has no access."""
    assert response.status_code == 302
    assert response.url == back
    page = client.get(back)
    assert [str(m) for m in page.context["messages"]] == list(messages)


def test_alphas_staff_do_not_delete_a_partner_that_also_works_in_bravo(client, two):
    shared = two["shared"]
    client.force_login(two["alpha_staff"])

    refusal = (
        "Le partenaire « Elles Bougent » n'a pas été supprimé : le territoire « Territoire "
        "Bravo » s'en sert aussi. Seul un compte qui appartient aussi à ce territoire peut "
        "le supprimer."
    )
    assert_refused(client, client.get(change(shared, "delete")), change(shared), refusal)
    assert_refused(
        client, client.post(change(shared, "delete"), {"post": "yes"}), change(shared), refusal
    )
    page = client.get(change(shared))
    assert page.context["has_delete_permission"] is False
    # Nor from the list, chosen among others: none of them is deleted, and the list
    # says which one Bravo uses.
    own = two["alpha"]["partner"]
    own.organized_events.all().delete()
    for confirmed in ({}, {"post": "yes"}):
        response = client.post(
            changelist(Partner) + "?kind__exact=entreprise",
            {"action": "delete_selected", "_selected_action": [shared.pk, own.pk], **confirmed},
        )
        assert_refused(client, response, changelist(Partner) + "?kind__exact=entreprise", refusal)
        assert Partner.objects.filter(pk=own.pk).exists()
    assert Partner.objects.filter(pk=shared.pk).exists()
    assert {"compte-bravo", "compte-des-deux"} <= _members(shared)
    # Alpha's own partner, Alpha's staff delete.
    assert client.post(change(own, "delete"), {"post": "yes"}).status_code == 302
    assert not Partner.objects.filter(pk=own.pk).exists()


def test_a_partner_that_bravo_starts_using_once_the_deletion_page_is_shown_stays(client, two):
    """Alpha's staff open the deletion page of Alpha's partner; before they confirm,
    Bravo's staff give it Bravo: confirming tells them Bravo uses it now, and names
    every territory that does."""
    own = two["alpha"]["partner"]
    own.organized_events.all().delete()
    client.force_login(two["alpha_staff"])
    page = client.get(change(own, "delete"))
    assert page.status_code == 200
    own.territories.add(
        two["bravo"]["territory"],
        TerritoryFactory(name="Territoire Charlie", slug="territoire-charlie"),
    )

    assert_refused(
        client,
        client.post(change(own, "delete"), {"post": "yes"}),
        change(own),
        "Le partenaire « Partenaire Alpha » n'a pas été supprimé : les territoires "
        "« Territoire Bravo » et « Territoire Charlie » s'en servent aussi. Seul un compte "
        "qui appartient aussi à ces territoires peut le supprimer.",
    )
    assert Partner.objects.filter(pk=own.pk).exists()


def test_staff_of_both_territories_delete_a_shared_partner(client, two):
    shared = two["shared"]
    client.force_login(
        user_in(
            access.TERRITORY_STAFF,
            "equipe-des-deux",
            territories=[two["alpha"]["territory"], two["bravo"]["territory"]],
        )
    )

    assert client.post(change(shared, "delete"), {"post": "yes"}).status_code == 302
    assert not Partner.objects.filter(pk=shared.pk).exists()


def test_alphas_staff_do_not_delete_the_contact_of_a_shared_partner(client, two):
    shared = two["shared"]
    contact = ContactFactory(partner=shared, full_name="Camille Partagée")
    client.force_login(two["alpha_staff"])

    assert_refused(
        client,
        client.post(change(contact, "delete"), {"post": "yes"}),
        change(contact),
        f"Le contact « {contact} » n'a pas été supprimé : le territoire « Territoire Bravo » "
        "s'en sert aussi. Seul un compte qui appartient aussi à ce territoire peut le "
        "supprimer.",
    )
    assert shared.contacts.filter(pk=contact.pk).exists()
    # Nor from the partner's form, whose contacts cannot be ticked for deletion.
    page = client.get(change(shared))
    data = form_data(page, **{"contacts-0-DELETE": "on"})
    assert client.post(change(shared), as_sent(page, data)).status_code == 302
    assert shared.contacts.filter(pk=contact.pk).exists()
    # A contact of Alpha's own partner, Alpha's staff delete.
    own = ContactFactory(partner=two["alpha"]["partner"], full_name="Claude Alpha")
    assert client.post(change(own, "delete"), {"post": "yes"}).status_code == 302


def test_alphas_staff_delete_their_partners_contacts_but_one_that_bravos_plan_lists(client, two):
    """The partner works in Alpha only; one of its contacts is also on Bravo's plan:
    that one's « Supprimer » box is greyed out, the others' are not."""
    partner = two["alpha"]["partner"]
    listed = ContactFactory(partner=partner, full_name="Dominique Listée")
    two["bravo"]["plan"].contacts.add(listed)
    other = ContactFactory(partner=partner, full_name="Eden Seule")
    client.force_login(two["alpha_staff"])

    page = client.get(change(partner))
    (formset,) = [
        inline.formset
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.prefix == "contacts"
    ]
    boxes = {form.instance.pk: form.fields["DELETE"].disabled for form in formset.initial_forms}
    assert boxes.pop(listed.pk) is True and boxes.pop(other.pk) is False
    assert not any(boxes.values())  # the partner's other contacts
    assert "seule son équipe peut le supprimer" in page.content.decode()
    # Both ticked, as a crafted request could: only the one Alpha may delete goes.
    ticked = {f"contacts-{i}-DELETE": "on" for i in range(len(formset.initial_forms))}
    response = client.post(change(partner), as_sent(page, form_data(page, **ticked)))

    assert response.status_code == 302
    assert list(partner.contacts.values_list("pk", flat=True)) == [listed.pk]


def test_a_partners_form_reads_which_contacts_may_go_in_one_query(client, two):
    """Whatever the number of contacts, and of those other plans list."""
    partner = two["alpha"]["partner"]
    client.force_login(two["alpha_staff"])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(change(partner)).status_code == 200
        return len(captured)

    few = queries()
    for n in range(6):
        contact = ContactFactory(partner=partner, full_name=f"Contact {n}")
        if n % 2:
            two["bravo"]["plan"].contacts.add(contact)
    assert queries() == few


def test_alphas_staff_neither_offer_nor_untick_an_account_that_also_belongs_to_bravo(client, two):
    """An account of Alpha and Bravo is changed only by who manages both (its own
    page is read-only for Alpha's staff): the partner's form neither offers it nor
    takes it off, nor takes Bravo's accounts off."""
    shared = two["shared"]
    client.force_login(two["alpha_staff"])
    page = client.get(change(shared))
    offered = page.context["adminform"].form.fields["members"].queryset

    assert two["both_account"] not in offered
    assert two["bravo_account"] not in offered
    response = client.post(change(shared), as_sent(page, form_data(page, members=[])))

    assert response.status_code == 302
    assert {"compte-bravo", "compte-des-deux"} <= _members(shared)


def test_putting_back_an_older_version_of_a_shared_partner_keeps_bravos_links(client, two):
    """The version was saved before Bravo's accounts joined the partner and before it
    worked in Bravo: put back by Alpha's staff (of Alpha and Charlie, so that the
    form offers territories), it keeps them all the same."""
    alpha, bravo = two["alpha"], two["bravo"]
    partner = two["shared"]
    partner.territories.set([alpha["territory"]])
    partner.members.clear()
    partner.description = "Avant"
    partner.save()
    older = partner.history.latest()
    partner.territories.add(bravo["territory"])
    partner.members.add(two["bravo_account"], two["both_account"])
    partner.description = "Après"
    partner.save()
    staff = user_in(
        access.TERRITORY_STAFF,
        "equipe-alpha-charlie",
        territories=[
            alpha["territory"],
            TerritoryFactory(name="Territoire Charlie", slug="territoire-charlie"),
        ],
    )
    client.force_login(staff)
    url = reverse("admin:partners_partner_simple_history", args=[partner.pk, older.history_id])
    page = client.get(url)

    response = client.post(url, as_sent(page, form_data(page)))
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.description == "Avant"
    assert set(partner.territories.all()) == {alpha["territory"], bravo["territory"]}
    assert {"compte-bravo", "compte-des-deux"} <= _members(partner)


def test_alphas_staff_do_not_delete_an_audience_that_bravo_uses(client, two):
    """Every territory shares the audiences: one that Bravo's initiatives or targets
    name is Bravo's too."""
    used = AudienceFactory(name="Demandeuses d'emploi", slug="demandeuses")
    two["bravo"]["initiative"].audiences.add(used)
    targeted = AudienceFactory(name="Lycéennes", slug="lyceennes")
    target = two["bravo"]["target"]
    target.audience = targeted
    target.save()
    client.force_login(two["alpha_staff"])

    for audience in (used, targeted):
        assert_refused(
            client,
            client.post(change(audience, "delete"), {"post": "yes"}),
            change(audience),
            f"Le public cible « {audience} » n'a pas été supprimé : le territoire « Territoire "
            "Bravo » s'en sert aussi. Seul un compte qui appartient aussi à ce territoire peut "
            "le supprimer.",
        )
        assert audience.__class__.objects.filter(pk=audience.pk).exists()
    # One that only Alpha names, Alpha's staff delete.
    alphas = AudienceFactory(name="Collégiennes", slug="collegiennes")
    two["alpha"]["initiative"].audiences.add(alphas)
    assert client.post(change(alphas, "delete"), {"post": "yes"}).status_code == 302


def _listed_events(client):
    response = client.get(changelist(AwarenessEvent))
    assert response.status_code == 200
    return set(response.context["cl"].result_list), response.context["cl"].result_count


def test_an_account_of_a_shared_partner_lists_its_events_of_its_own_territory_only(client, two):
    shared, alpha, bravo = two["shared"], two["alpha"], two["bravo"]
    in_alpha = AwarenessEventFactory(initiative=alpha["initiative"], organizer=shared)
    in_bravo = AwarenessEventFactory(initiative=bravo["initiative"], organizer=shared)
    co_organised = AwarenessEventFactory(
        initiative=alpha["initiative"], organizer=alpha["partner"], co_organizers=[shared]
    )

    client.force_login(two["bravo_account"])
    assert _listed_events(client) == ({in_bravo}, 1)
    assert client.get(change(in_alpha)).status_code == 302  # « n'existe pas »
    client.force_login(two["both_account"])
    assert _listed_events(client) == ({in_alpha, in_bravo, co_organised}, 3)


def test_an_event_moved_to_the_other_territory_moves_in_its_partners_lists(client, two):
    shared, alpha, bravo = two["shared"], two["alpha"], two["bravo"]
    event = AwarenessEventFactory(initiative=alpha["initiative"], organizer=shared)
    client.force_login(two["bravo_account"])
    assert _listed_events(client) == (set(), 0)

    event.initiative = bravo["initiative"]
    event.save()

    assert _listed_events(client) == ({event}, 1)
    assert credits.rows_that_differ() == 0


def test_an_account_of_a_shared_partner_in_no_territory_lists_no_event(client, two):
    AwarenessEventFactory(initiative=two["alpha"]["initiative"], organizer=two["shared"])
    client.force_login(
        user_in(access.PARTNERS, "sans-territoire", organisations=[two["shared"]], territories=[])
    )

    assert _listed_events(client) == (set(), 0)

"""The territory staff open and run partner accounts: invite a person with her
organisations, she chooses a password through the invitation's link, deactivate the
account; a hand-made request gives it nothing more. Every change is in the
account's history: who, when, what."""

import re
from smtplib import SMTPException

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from feminisation import access
from tests.indicators.accounts import user_in
from tests.indicators.admin_forms import form_data
from tests.partners.factories import PartnerFactory
from tests.territories.factories import TerritoryFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
ADD_URL = reverse("admin:auth_user_add")
CHANGELIST_URL = reverse("admin:auth_user_changelist")
PASSWORD = "un mot de passe de verrière"
# session, user, permissions, the form's partners, the page's history link and the
# version's memberships (groups, organisations, territories, permissions), the admin
# log's content type (read once per process), whether staff may change the account
# (its territories: rules.may_change)
MAX_QUERIES = 33


def admin_url(account, view):
    return reverse(f"admin:auth_user_{view}", args=[account.pk])


@pytest.fixture
def arc():
    return PartnerFactory(name="Arc France")


@pytest.fixture
def capso():
    return PartnerFactory(name="CAPSO")


@pytest.fixture
def staff():
    return user_in(access.TERRITORY_STAFF, "equipe")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def partner_account(arc):
    account = user_in(access.PARTNERS, "verriere", organisations=[arc])
    account.email = "verriere@arc.example.fr"
    account.save()
    return account


def new_account(**changes):
    return {
        "username": "l.martin",
        "first_name": "Léa",
        "last_name": "Martin",
        "email": "lea.martin@arc.example.fr",
        "send_invitation": "on",
        **changes,
    }


def link_in(message):
    return re.search(
        r"https?://[^/\s]+(/compte/(?:invitation|mot-de-passe)/\S+)", message.body
    ).group(1)


def roles(account):
    account.refresh_from_db()
    return (
        account.is_superuser,
        account.is_staff,
        sorted(account.groups.values_list("name", flat=True)),
        list(account.user_permissions.all()),
    )


def logs_in(username):
    person = Client()
    person.post(reverse("admin:login"), {"username": username, "password": PASSWORD})
    return "_auth_user_id" in person.session


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def choose_password(link):
    """The person opens the link and chooses a password, in a browser of their own."""
    person = Client()
    form_page = person.get(link, follow=True)
    response = person.post(
        form_page.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    return form_page, response, person


def test_staff_open_a_partner_account_whose_owner_chooses_the_password(
    staff_client, django_assert_max_num_queries, arc
):
    with django_assert_max_num_queries(MAX_QUERIES):
        response = staff_client.post(ADD_URL, new_account(organisations=[arc.pk]))

    account = User.objects.get(username="l.martin")
    assert response.status_code == 302
    assert roles(account) == (False, True, [access.PARTNERS], [])
    assert list(account.partner_organisations.all()) == [arc]
    assert not account.has_usable_password()
    [message] = mail.outbox
    assert message.to == ["lea.martin@arc.example.fr"]
    assert "nom d'utilisateur (l.martin)" in message.body

    form_page, done, person = choose_password(link_in(message))
    assertContains(form_page, "Choisissez le mot de passe de votre compte")
    assert done.url == reverse("password_reset_complete")
    assertContains(person.get(done.url), "Votre mot de passe est enregistré.")
    assert logs_in("l.martin")
    # The link served once.
    assertContains(Client().get(link_in(message), follow=True), "Ce lien ne fonctionne plus")


def test_a_hand_made_post_gives_a_new_account_no_power(staff_client, arc):
    staff_group = Group.objects.get(name=access.TERRITORY_STAFF)
    see_all = Permission.objects.get(codename="see_all_events")

    staff_client.post(
        ADD_URL,
        new_account(
            organisations=[arc.pk],
            is_superuser="on",
            groups=[staff_group.pk],
            user_permissions=[see_all.pk],
            password1=PASSWORD,
            password2=PASSWORD,
            usable_password="true",
        ),
    )

    account = User.objects.get(username="l.martin")
    assert roles(account) == (False, True, [access.PARTNERS], [])
    assert not account.has_usable_password()


@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_a_name_with_a_line_break_is_refused_in_french(staff_client, arc, field):
    response = staff_client.post(
        ADD_URL, new_account(organisations=[arc.pk], **{field: "Léa\r=SOMME(A1)"})
    )

    assert response.status_code == 200
    assertContains(response, "Ce texte doit tenir sur une ligne")
    assert not User.objects.filter(username="l.martin").exists()


def test_staff_change_a_partner_account_and_nothing_that_empowers_it(
    staff_client, django_assert_max_num_queries, partner_account, capso
):
    with django_assert_max_num_queries(MAX_QUERIES):
        page = staff_client.get(admin_url(partner_account, "change"))
    assert set(page.context["adminform"].form.fields) == {
        "username",
        "first_name",
        "last_name",
        "email",
        "organisations",
        "is_active",
        "send_invitation",
    }
    assertNotContains(page, admin_url(partner_account, "password_change"))
    data = form_data(
        page,
        organisations=[str(capso.pk)],
        last_name="Dupont",
        is_superuser="on",
        groups=[str(Group.objects.get(name=access.MANAGERS).pk)],
        password="md5$sel$0123",
    )

    with django_assert_max_num_queries(MAX_QUERIES):
        response = staff_client.post(admin_url(partner_account, "change"), data)

    assert response.status_code == 302
    assert roles(partner_account) == (False, True, [access.PARTNERS], [])
    assert partner_account.last_name == "Dupont"
    assert list(partner_account.partner_organisations.all()) == [capso]
    assert not partner_account.password.startswith("md5$sel$")


def test_a_deactivated_partner_account_can_no_longer_log_in(staff_client, partner_account):
    partner_account.set_password(PASSWORD)
    partner_account.save()
    data = form_data(staff_client.get(admin_url(partner_account, "change")), is_active=None)

    staff_client.post(admin_url(partner_account, "change"), data)

    partner_account.refresh_from_db()
    assert not partner_account.is_active
    assert not logs_in("verriere")


def test_a_link_is_sent_from_the_list_to_each_account_that_can_receive_it(
    staff_client, partner_account
):
    no_email = user_in(access.PARTNERS, "sans-adresse")

    response = staff_client.post(
        CHANGELIST_URL,
        {"action": "send_invitations", "_selected_action": [partner_account.pk, no_email.pk]},
        follow=True,
    )

    assert [message.to for message in mail.outbox] == [["verriere@arc.example.fr"]]
    assert messages_of(response) == [
        "1 invitation envoyée. Aucune invitation pour : sans-adresse (le compte n'a pas "
        "d'adresse électronique)."
    ]


class FailingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise SMTPException("Connexion refusée")


def test_a_link_that_cannot_be_sent_says_so_in_french(staff_client, partner_account, settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    data = form_data(staff_client.get(admin_url(partner_account, "change")), send_invitation="on")

    response = staff_client.post(admin_url(partner_account, "change"), data, follow=True)

    assert response.status_code == 200
    assert messages_of(response)[0] == (
        "Le courriel à verriere@arc.example.fr n'a pas pu être envoyé (Connexion refusée) : "
        "vérifiez l'adresse, ou le réglage EMAIL_URL du serveur."
    )


def test_staff_manage_no_group(staff_client):
    assert staff_client.get(reverse("admin:auth_group_changelist")).status_code == 403


def test_every_change_is_in_the_accounts_history(
    staff_client, staff, django_assert_max_num_queries, partner_account, capso, arc
):
    data = form_data(
        staff_client.get(admin_url(partner_account, "change")),
        organisations=[str(arc.pk), str(capso.pk)],
        first_name="Léa",
    )
    staff_client.post(admin_url(partner_account, "change"), data)
    # From the partner's side too.
    capso.members.remove(partner_account)

    with django_assert_max_num_queries(MAX_QUERIES):
        response = staff_client.get(admin_url(partner_account, "history"))

    versions = partner_account.history.all()
    # Created, put in its group and its territory, attached to Arc France, given an
    # e-mail address, then the two changes above: one version each.
    assert [version.history_type for version in versions] == ["~", "~", "~", "~", "~", "~", "+"]
    assert versions[1].history_user == staff
    assert versions[0].territories_names == "Flandre Pays de Saint-Omer"
    assertContains(
        response,
        "<li><strong>Organisations :</strong> Arc France&nbsp;&rarr;&nbsp;Arc France, CAPSO</li>",
        html=True,
    )
    assertContains(response, "<li><strong>Prénom :</strong> —&nbsp;&rarr;&nbsp;Léa</li>", html=True)
    assertContains(
        response,
        "<li><strong>Organisations :</strong> Arc France, CAPSO&nbsp;&rarr;&nbsp;Arc France</li>",
        html=True,
    )


def test_the_territories_an_account_reads_are_in_its_history(staff_client, partner_account):
    """Which territories' data an account reads is its scope: a change, from the
    territory's side too, is a version of its own, named in the history page."""
    neighbour = TerritoryFactory(other=True, name="Cœur d'Ostrevent")

    neighbour.members.add(partner_account)
    neighbour.members.remove(partner_account)

    first, second = partner_account.history.all()[:2]
    assert second.territories_names == "Cœur d'Ostrevent, Flandre Pays de Saint-Omer"
    assert first.territories_names == "Flandre Pays de Saint-Omer"
    assertContains(
        staff_client.get(admin_url(partner_account, "history")),
        "<li><strong>Territoires :</strong> Flandre Pays de Saint-Omer&nbsp;&rarr;&nbsp;"
        "Cœur d'Ostrevent, Flandre Pays de Saint-Omer</li>",
        html=True,
    )


def test_a_login_is_not_a_change(partner_account):
    partner_account.set_password(PASSWORD)
    partner_account.save()
    versions = partner_account.history.count()

    assert logs_in("verriere")

    assert partner_account.history.count() == versions


def test_the_password_chosen_through_the_link_is_in_the_history(staff_client, partner_account):
    staff_client.post(
        CHANGELIST_URL, {"action": "send_invitations", "_selected_action": [partner_account.pk]}
    )

    choose_password(link_in(mail.outbox[0]))

    version = partner_account.history.first()
    assert (version.history_user, version.history_change_reason) == (
        partner_account,
        "Invitation acceptée : mot de passe choisi avec le lien reçu par courriel",
    )


def test_a_partners_form_offers_only_partner_accounts_and_keeps_the_others(
    staff_client, partner_account, arc
):
    superuser = User.objects.create_superuser("racine")
    arc.members.add(superuser)
    colleague = user_in(access.TERRITORY_STAFF, "collegue")
    newcomer = user_in(access.PARTNERS, "nouvelle")
    url = reverse("admin:partners_partner_change", args=[arc.pk])
    page = staff_client.get(url)

    offered = page.context["adminform"].form.fields["members"].queryset
    assert set(offered) == {partner_account, newcomer}
    refused = staff_client.post(url, form_data(page, members=[str(colleague.pk)]))
    assert refused.context["adminform"].form.errors["members"]
    staff_client.post(url, form_data(page, members=[str(newcomer.pk)]))

    # The superuser, whom the form does not show, stays a member.
    assert set(arc.members.all()) == {newcomer, superuser}


def test_superusers_open_a_staff_account_with_djangos_full_form(client, arc):
    superuser = User.objects.create_superuser("racine")
    client.force_login(superuser)
    client.post(
        ADD_URL,
        {
            "username": "collegue",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    colleague = User.objects.get(username="collegue")
    page = client.get(admin_url(colleague, "change"))
    staff_group = Group.objects.get(name=access.TERRITORY_STAFF)

    response = client.post(
        admin_url(colleague, "change"),
        form_data(page, is_staff="on", groups=[str(staff_group.pk)]),
    )

    assert response.status_code == 302
    assert roles(colleague) == (False, True, [access.TERRITORY_STAFF], [])
    assert [(v.history_type, v.history_user) for v in colleague.history.all()] == [
        ("~", superuser),
        ("+", superuser),
    ]

"""Staff invite a partner: a name, an address and the organisations are enough (the
user name comes from the address), and the person receives an invitation whose link
to choose a password works once, for seven days. The list says who has accepted."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlsafe_base64_encode
from pytest_django.asserts import assertContains

from accounts import invitations
from accounts.invitations import invitation_token_generator
from feminisation import access
from feminisation.formatting import moment
from tests.indicators.accounts import user_in
from tests.partners.factories import PartnerFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
ADD_URL = reverse("admin:auth_user_add")
CHANGELIST_URL = reverse("admin:auth_user_changelist")
PASSWORD = "un mot de passe de verrière"
# session, user, permissions, the form's partners, the e-mail's organisations, the
# version's memberships (groups, organisations, territories, permissions), the admin
# log's content type (read once per process), whether staff may change the account
# (its territories: rules.may_change)
MAX_QUERIES = 33


@pytest.fixture
def arc():
    return PartnerFactory(name="Arc France")


@pytest.fixture
def capso():
    return PartnerFactory(name="CAPSO")


@pytest.fixture
def staff_client(client):
    staff = user_in(access.TERRITORY_STAFF, "equipe")
    staff.first_name, staff.last_name = "Marie", "Dupont"
    staff.save()
    client.force_login(staff)
    return client


def invitation(**changes):
    return {
        "username": "",
        "first_name": "Léa",
        "last_name": "Martin",
        "email": "Lea.Martin@arc.example.fr",
        "send_invitation": "on",
        **changes,
    }


def link_in(text):
    return re.search(r"https?://[^/\s\"]+(/compte/invitation/[^\s\"<]+)", text).group(1)


def choose_password(link):
    """The person opens the link and chooses a password, in a browser of their own."""
    person = Client()
    form_page = person.get(link, follow=True)
    if not form_page.redirect_chain:  # a link that no longer works
        return form_page, None
    done = person.post(
        form_page.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    return form_page, done


def logs_in(identifier):
    person = Client()
    person.post(reverse("admin:login"), {"username": identifier, "password": PASSWORD})
    return "_auth_user_id" in person.session


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_the_invitation_names_the_site_the_organisations_and_who_invites(
    staff_client, django_assert_max_num_queries, arc, capso
):
    # The admin's log reads the accounts' content type once per process, as a running
    # server has: counted or not, it depended on the tests run before this one.
    ContentType.objects.get_for_model(User)
    with django_assert_max_num_queries(MAX_QUERIES):
        saved = staff_client.post(ADD_URL, invitation(organisations=[arc.pk, capso.pk]))
    response = staff_client.get(saved.url)

    account = User.objects.get(email="Lea.Martin@arc.example.fr")
    assert account.username == "lea.martin"
    assert not account.has_usable_password()
    assert messages_of(response)[0] == (
        "L'invitation est envoyée à Lea.Martin@arc.example.fr : son lien pour choisir le "
        "mot de passe vaut sept jours."
    )
    [message] = mail.outbox
    assert message.to == ["Lea.Martin@arc.example.fr"]
    assert message.subject == "Marie Dupont vous invite sur l'espace de saisie de Mixité Industrie"
    expires = moment(timezone.now() + timedelta(days=7))
    for text in (
        "Bonjour Léa,",
        "Marie Dupont vous a créé un compte sur l'espace de saisie de Mixité Industrie, pour y "
        "saisir les actions de sensibilisation de vos organisations : Arc France, CAPSO.",
        f"Le lien sert une seule fois, jusqu'au {expires} (7 jours). S'il a expiré, demandez "
        "à Marie Dupont de vous renvoyer l'invitation.",
        "connectez-vous sur http://testserver/admin/login/ avec votre adresse électronique "
        "(Lea.Martin@arc.example.fr) ou votre nom d'utilisateur (lea.martin)",
    ):
        assert text in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert link_in(html) == link_in(message.body)
    assert "<strong>Arc France, CAPSO</strong>" in html


def test_one_organisation_is_named_in_the_singular(staff_client, arc):
    staff_client.post(ADD_URL, invitation(organisations=[arc.pk]))

    assert "de votre organisation : Arc France." in mail.outbox[0].body


def test_the_link_lets_the_person_choose_a_password_once(staff_client, arc):
    staff_client.post(ADD_URL, invitation(organisations=[arc.pk]))
    link = link_in(mail.outbox[0].body)

    form_page, done = choose_password(link)

    assertContains(form_page, "Bienvenue ! Choisissez le mot de passe de votre compte")
    assert done.url == reverse("password_reset_complete")
    assert logs_in("lea.martin")
    assert logs_in("lea.martin@arc.example.fr")
    again = Client().get(link, follow=True)
    assertContains(again, "<h1>Ce lien ne fonctionne plus</h1>", html=True)
    assertContains(again, "L'invitation a déjà servi, elle a expiré (son lien vaut 7 jours)")


@pytest.mark.parametrize(("days", "valid"), [(6, True), (8, False)])
def test_the_link_is_valid_seven_days(staff_client, arc, monkeypatch, days, valid):
    staff_client.post(ADD_URL, invitation(organisations=[arc.pk]))
    later = invitation_token_generator._now() + timedelta(days=days)
    monkeypatch.setattr(invitation_token_generator, "_now", lambda: later)

    form_page, _done = choose_password(link_in(mail.outbox[0].body))

    assert ("Choisissez le mot de passe" in form_page.content.decode()) is valid
    assert logs_in("lea.martin") is valid


def test_an_invitation_is_no_reset_link_nor_the_reverse(staff_client, arc):
    staff_client.post(ADD_URL, invitation(organisations=[arc.pk]))
    invitation_path = link_in(mail.outbox[0].body)
    account = User.objects.get(username="lea.martin")
    uid = urlsafe_base64_encode(str(account.pk).encode())
    reset_token = default_token_generator.make_token(account)

    for path in (
        invitation_path.replace("/compte/invitation/", "/compte/mot-de-passe/"),
        reverse("invitation_accept", kwargs={"uidb64": uid, "token": reset_token}),
    ):
        assertContains(Client().get(path, follow=True), "Ce lien ne fonctionne plus")


def test_the_link_no_longer_works_once_the_person_has_logged_in(staff_client, arc):
    staff_client.post(ADD_URL, invitation(organisations=[arc.pk]))
    account = User.objects.get(username="lea.martin")
    account.last_login = timezone.now()
    account.save()

    form_page, _done = choose_password(link_in(mail.outbox[0].body))

    assertContains(form_page, "Ce lien ne fonctionne plus")


@pytest.mark.parametrize(
    ("taken", "email", "username"),
    [
        ([], "lea.martin@arc.example.fr", "lea.martin"),
        (["lea.martin"], "lea.martin@arc.example.fr", "lea.martin-2"),
        (["Lea.Martin", "lea.martin-2"], "LEA.MARTIN@autre.example.fr", "lea.martin-3"),
        ([], "léa o'neil@arc.example.fr", "léa-o-neil"),
    ],
)
def test_the_user_name_comes_from_the_address_and_never_collides(taken, email, username):
    for name in taken:
        User.objects.create_user(name)

    assert invitations.username_from_email(email) == username


def test_a_user_name_typed_by_staff_is_kept(staff_client, arc):
    staff_client.post(ADD_URL, invitation(username="l.martin", organisations=[arc.pk]))

    assert User.objects.filter(username="l.martin", email="Lea.Martin@arc.example.fr").exists()


def test_an_address_already_used_by_another_account_is_refused(staff_client, arc):
    User.objects.create_user("ancienne", email="lea.martin@ARC.example.fr")

    response = staff_client.post(ADD_URL, invitation(organisations=[arc.pk]))

    assert response.status_code == 200
    assertContains(
        response,
        "Un autre compte a déjà cette adresse électronique : chaque compte a la sienne, qui "
        "sert aussi à se connecter.",
    )
    assert User.objects.count() == 2
    assert mail.outbox == []


def test_an_account_keeps_its_own_address_when_changed(staff_client, arc):
    staff_client.post(ADD_URL, invitation(organisations=[arc.pk]))
    account = User.objects.get(username="lea.martin")
    url = reverse("admin:auth_user_change", args=[account.pk])

    response = staff_client.post(
        url,
        {
            "username": "lea.martin",
            "first_name": "Léa",
            "last_name": "Martin-Durand",
            "email": "lea.martin@arc.example.fr",
            "organisations": [arc.pk],
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    account.refresh_from_db()
    assert account.last_name == "Martin-Durand"


def test_an_invitation_needs_a_name_an_address_and_an_organisation(staff_client):
    response = staff_client.post(
        ADD_URL, invitation(first_name="", last_name="", email="", organisations=[])
    )

    form = response.context["adminform"].form
    assert set(form.errors) == {"first_name", "last_name", "email", "organisations"}
    assertContains(response, "Choisissez au moins une organisation : le compte saisit ses actions.")
    assert not User.objects.filter(first_name="Léa").exists()


def test_the_list_says_who_accepted_and_filters_on_it(
    staff_client, django_assert_max_num_queries, arc
):
    waiting = user_in(access.PARTNERS, "en-attente", organisations=[arc])
    accepted = user_in(access.PARTNERS, "acceptee", organisations=[arc])
    accepted.set_password(PASSWORD)
    accepted.save()

    with django_assert_max_num_queries(MAX_QUERIES):
        page = staff_client.get(CHANGELIST_URL)
    pending = staff_client.get(CHANGELIST_URL, {"invitation": "en-attente"})

    assertContains(page, '<td class="field-invitation_status">en attente</td>', html=True)
    assertContains(page, '<td class="field-invitation_status">acceptée</td>', html=True)
    assert list(pending.context["cl"].result_list) == [waiting]


def test_staff_resend_an_invitation_but_not_to_who_accepted(staff_client, arc):
    waiting = user_in(access.PARTNERS, "en-attente", organisations=[arc])
    waiting.email = "attente@arc.example.fr"
    waiting.save()
    accepted = user_in(access.PARTNERS, "acceptee", organisations=[arc])
    accepted.email = "acceptee@arc.example.fr"
    accepted.set_password(PASSWORD)
    accepted.save()

    response = staff_client.post(
        CHANGELIST_URL,
        {"action": "send_invitations", "_selected_action": [waiting.pk, accepted.pk]},
        follow=True,
    )

    assert [message.to for message in mail.outbox] == [["attente@arc.example.fr"]]
    assert messages_of(response) == [
        "1 invitation envoyée. Aucune invitation pour : acceptee (la personne a déjà choisi "
        "son mot de passe : « Mot de passe oublié ? » sur la page de connexion lui en fait "
        "choisir un autre)."
    ]

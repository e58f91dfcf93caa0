"""The security promises of the production settings, seen from a client: the headers
of every kind of page, the HTTPS redirect behind the proxy, who reaches the admin
and the exports, CSRF on the admin's forms, escaping of what partners type, and
login brute force."""

import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from feminisation import access
from indicators.models import AwarenessEvent
from tests.browser.pages import EMBED, INITIATIVE_EMBED, PARTNER, PARTNER_SLUG, PUBLIC_PAGES
from tests.indicators.accounts import user_in
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import ActionPlanFactory, InitiativeFactory
from tests.partners.factories import ContactFactory, PartnerFactory
from tests.shared import collected

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
CHANGELIST_URL = reverse("admin:indicators_awarenessevent_changelist")
ADD_URL = reverse("admin:indicators_awarenessevent_add")
LOGIN_URL = reverse("admin:login")
EXPORT_URLS = [
    reverse(name) for name in ("exports", "export_events", "export_counts", "export_partners")
]


@pytest.fixture
@collected
def site():
    """A current plan with the initiative the public page list names, and one event
    whose every free-text field a partner typed as a script."""
    plan = ActionPlanFactory()
    initiative = InitiativeFactory(plan=plan, slug="reseau-verrelles")
    organizer = PartnerFactory(name=f"Partenaire {SCRIPT}", slug=PARTNER_SLUG)
    event = AwarenessEventFactory(
        initiative=initiative,
        title=f"Forum {SCRIPT}",
        venue_name=f"Salle {SCRIPT}",
        commune=f"Arques {SCRIPT}",
        organizer=organizer,
    )
    AudienceCountFactory(event=event)
    ContactFactory(partner=organizer, email="contact.prive@example.fr", full_name="Camille Privée")
    return {"plan": plan, "initiative": initiative, "event": event, "organizer": organizer}


def csp_directives(response):
    policy = response["Content-Security-Policy"]
    return {name: sources for name, *sources in (d.split() for d in policy.split("; "))}


def assert_hardened(response, *, framable=False):
    directives = csp_directives(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    if framable:
        assert directives["frame-ancestors"] == ["*"]
        assert "X-Frame-Options" not in response
    else:
        assert directives["frame-ancestors"] == ["'none'"]
        assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


# Headers. Requests are made as the proxy forwards them: HTTPS, so that HSTS shows.


@pytest.mark.parametrize("path", [p for p in PUBLIC_PAGES if not p.startswith(EMBED)])
def test_public_pages_send_the_security_headers(client, site, path):
    response = client.get(path, secure=True)

    assert response.status_code == 200
    assert_hardened(response)


@pytest.mark.parametrize("path", [EMBED, INITIATIVE_EMBED])
def test_the_counter_widget_may_be_framed_by_any_site_and_nothing_else_changes(client, site, path):
    response = client.get(path, secure=True)

    assert response.status_code == 200
    assert_hardened(response, framable=True)


def test_the_counter_stays_framable_when_served_from_the_cache(client, site):
    client.get(EMBED, secure=True)

    response = client.get(EMBED, secure=True)

    assert_hardened(response, framable=True)


def test_the_admin_sends_the_security_headers(client, site):
    assert_hardened(client.get(LOGIN_URL, secure=True))

    client.force_login(user_in(access.TERRITORY_STAFF, "equipe"))
    for path in (reverse("admin:index"), CHANGELIST_URL, ADD_URL):
        response = client.get(path, secure=True)
        assert response.status_code == 200, path
        assert_hardened(response)


@pytest.mark.parametrize("path", [p for p in PUBLIC_PAGES if "?" not in p])
def test_public_pages_have_no_inline_script_style_or_event_handler(client, site, path):
    html = client.get(path).content.decode()

    assert not re.search(r"<script(?![^>]*\ssrc=)", html), "inline <script>"
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)


# HTTPS behind the proxy.


def test_plain_http_is_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/plan/?x=1")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/plan/?x=1"


def test_the_proxys_forwarded_proto_header_counts_as_https(client, site, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/plan/", headers={"X-Forwarded-Proto": "https"})

    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


# The permission boundary.


@pytest.mark.parametrize("path", ["/admin/", CHANGELIST_URL, *EXPORT_URLS])
def test_anonymous_visitors_are_sent_to_the_login_page(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN_URL}?next=")


def test_a_partner_account_gets_nothing_of_another_partners_event(client, site):
    own = PartnerFactory(name="Arc France")
    mine = AwarenessEventFactory(initiative=site["initiative"], organizer=own, title="Mon forum")
    client.force_login(user_in(access.PARTNERS, "arc-france", organisations=[own]))
    other = site["event"]

    listing = client.get(CHANGELIST_URL)
    change = client.get(reverse("admin:indicators_awarenessevent_change", args=[other.pk]))
    history = client.get(reverse("admin:indicators_awarenessevent_history", args=[other.pk]))

    assertContains(listing, mine.title)
    for response in (listing, change, history):
        # Every free-text field of the other partner's event holds the script.
        assertNotContains(response, ESCAPED_SCRIPT, status_code=response.status_code)
    assert change.status_code == 302
    assert history.status_code in (302, 403)
    # Its own exports: its events, never the other's (at any status).
    texts = {}
    for path in EXPORT_URLS:
        response = client.get(path, {"statut": "toutes"})
        assert response.status_code == 200, path
        content = response.streaming_content if response.streaming else [response.content]
        texts[path] = b"".join(content).decode()
        assert "alert(1)" not in texts[path], path
    assert mine.title in texts[reverse("export_events")]


def test_partner_contacts_are_never_on_public_pages(client, site):
    for path in PUBLIC_PAGES:
        response = client.get(path)
        assertNotContains(response, "contact.prive@example.fr")
        assertNotContains(response, "Camille Privée")


# CSRF on the admin's forms.


def test_admin_forms_refuse_a_post_without_the_csrf_token(site):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user_in(access.TERRITORY_STAFF, "equipe"))
    count = AwarenessEvent.objects.count()

    response = client.post(ADD_URL, {"title": "Sans jeton", "initiative": site["initiative"].pk})

    assert response.status_code == 403
    assertContains(response, "<h1>Ce formulaire a expiré</h1>", status_code=403, html=True)
    assert AwarenessEvent.objects.count() == count


def test_the_login_form_refuses_a_post_without_the_csrf_token():
    get_user_model().objects.create_user("equipe", password="un mot de passe assez long")
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        LOGIN_URL, {"username": "equipe", "password": "un mot de passe assez long"}
    )

    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


# What partners type is shown as text.


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_a_script_typed_in_an_event_shows_as_text_on_public_pages(client, site, path):
    response = client.get(path)

    assert response.status_code == 200
    assertNotContains(response, SCRIPT)


@pytest.mark.parametrize(
    ("path", "shown_as"),
    [
        ("/", f"Forum {ESCAPED_SCRIPT}"),
        ("/initiatives/reseau-verrelles/", f"Arques {ESCAPED_SCRIPT}"),
        ("/partenaires/", f"Partenaire {ESCAPED_SCRIPT}"),
        (PARTNER, f"Forum {ESCAPED_SCRIPT}"),
    ],
)
def test_the_typed_script_is_there_as_escaped_text(client, site, path, shown_as):
    assertContains(client.get(path), shown_as)


def test_a_script_in_a_filter_value_is_escaped_on_the_400_page(client, site):
    response = client.get("/", {"annee": SCRIPT})

    assert response.status_code == 400
    assertNotContains(response, SCRIPT, status_code=400)


def test_a_script_typed_in_an_event_shows_as_text_in_the_admin(client, site):
    client.force_login(user_in(access.TERRITORY_STAFF, "equipe"))
    event = site["event"]

    for path in (
        CHANGELIST_URL,
        reverse("admin:indicators_awarenessevent_change", args=[event.pk]),
        reverse("admin:indicators_awarenessevent_history", args=[event.pk]),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assertNotContains(response, SCRIPT)
        assertContains(response, ESCAPED_SCRIPT)


# Login brute force (django-axes).

PASSWORD = "le bon mot de passe, assez long"


def attempt(client, password, username="equipe"):
    return client.post(LOGIN_URL, {"username": username, "password": password})


@pytest.fixture
def staff_account():
    return get_user_model().objects.create_user("equipe", password=PASSWORD, is_staff=True)


def test_lockout_after_repeated_failures_even_with_the_right_password(
    client, staff_account, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "mauvais mot de passe").status_code == 200

    locked = attempt(client, "encore un mauvais")

    assert locked.status_code == 429
    assertContains(
        locked, "la connexion à ce compte est bloquée pendant 15 minutes", status_code=429
    )
    assertContains(
        locked, "<title>Connexion bloquée | Mixité Industrie</title>", status_code=429, html=True
    )
    assertNotContains(locked, "encore un mauvais", status_code=429)
    assert attempt(client, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_success_before_the_limit_forgets_the_failures(client, staff_account, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "mauvais mot de passe")
    assert attempt(client, PASSWORD).status_code == 302
    client.logout()

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "mauvais mot de passe").status_code == 200
    assert attempt(client, PASSWORD).status_code == 302


def test_the_lockout_is_per_username(client, staff_account, settings):
    get_user_model().objects.create_user("collegue", password=PASSWORD, is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "mauvais mot de passe")

    assert attempt(client, PASSWORD, username="collegue").status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, staff_account, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "mauvais mot de passe")
    assert attempt(client, PASSWORD).status_code == 429

    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - settings.AXES_COOLOFF_TIME
    )

    assert attempt(client, PASSWORD).status_code == 302


# Passwords.


def test_passwords_need_12_characters_and_not_a_common_one():
    # Too short; then two of Django's 20,000 common passwords, 12 characters or more.
    for weak in ("court-2024", "telechargement", "qwerty123456"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("quatre mots bien choisis")

"""A cached public page is answered by PublicPageMiddleware before the sessions, the
authentication, the CSRF check and the URL resolution: with the very body and
headers the page had when it was rendered, without a query, to every visitor alike,
and never once a write has replaced the version it was rendered under."""

import io

import pytest
from django.core.management import call_command
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from feminisation import access
from feminisation.cache import public_page
from tests.browser.pages import CURRENT_YEAR, PUBLIC_PAGES
from tests.indicators.accounts import user_in
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.initiatives.factories import ActionPlanFactory, InitiativeFactory

pytestmark = pytest.mark.django_db

PAGES = [
    *PUBLIC_PAGES,
    "/donnees/compteurs.csv",  # streamed, kept once sent
    "/donnees/compteurs.csv?format=xlsx",
    "/donnees/actions.json",
    "/donnees/graphiques/par-mois.csv",
    "/api/v1/docs/",  # with the CORS headers of the API's addresses
]


def answered_early(response):
    """Whether the middleware answered: the session middleware never saw the request."""
    return not hasattr(response.wsgi_request, "session")


def content(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def event():
    """A validated event of the current plan: 40 + 10 people."""
    event = AwarenessEventFactory(initiative=InitiativeFactory(plan=ActionPlanFactory()))
    AudienceCountFactory(event=event, people=40, women=20)
    AudienceCountFactory(event=event, people=10, women=5)
    return event


def people_on_the_dashboard(response):
    html = response.content.decode()
    start = html.index('data-figure="people">') + len('data-figure="people">')
    return html[start : html.index("<", start)]


def test_every_public_page_is_answered_early_as_it_was_rendered(client, django_assert_num_queries):
    call_command("load_plan", stdout=io.StringIO())
    call_command("seed_demo", "--events", 20, "--seed", "1", stdout=io.StringIO())

    for page in PAGES:
        # As the proxy forwards them, in HTTPS: HSTS shows.
        rendered = client.get(page, secure=True, headers={"Origin": "https://ailleurs.example"})
        body = content(rendered)
        assert rendered.status_code == 200, page
        assert not answered_early(rendered), page

        with django_assert_num_queries(0):
            cached = client.get(page, secure=True, headers={"Origin": "https://ailleurs.example"})

        assert answered_early(cached), page
        assert (cached.status_code, cached.content) == (200, body), page
        headers = dict(rendered.items())
        if rendered.streaming:
            # What any response that is not streamed carries.
            headers["Content-Length"] = str(len(body))
        assert dict(cached.items()) == headers, page


def test_a_page_rendered_for_a_signed_in_account_is_everyones(
    client, event, django_assert_num_queries
):
    staff = Client()
    staff.force_login(user_in(access.TERRITORY_STAFF, "equipe"))
    rendered = staff.get("/")

    with django_assert_num_queries(0):
        anonymous = client.get("/")
    with django_assert_num_queries(0):
        again = staff.get("/")

    assert answered_early(anonymous) and answered_early(again)
    assert anonymous.content == again.content == rendered.content
    assert not anonymous.cookies and not again.cookies
    assert "Cookie" not in anonymous.get("Vary", "")


def test_a_head_request_is_answered_early_and_a_post_never(client, event):
    client.get("/plan/")

    head = client.head("/plan/")
    post = client.post("/plan/")

    assert answered_early(head) and head.content == b""
    assert not answered_early(post)


def test_parameters_the_page_does_not_read_share_its_cache(
    client, event, django_assert_num_queries
):
    period = {"du": f"{CURRENT_YEAR}-01-01", "au": f"{CURRENT_YEAR}-03-31"}
    rendered = client.get("/", period)

    with django_assert_num_queries(0):
        in_another_order = client.get(f"/?au={period['au']}&du={period['du']}")
    with django_assert_num_queries(0):
        from_a_newsletter = client.get("/", {**period, "utm_source": "lettre"})

    assert in_another_order.content == from_a_newsletter.content == rendered.content
    assert answered_early(in_another_order)
    # Looked for by the page's own parameters once the view is found: no earlier.
    assert not answered_early(from_a_newsletter)


def test_a_write_shows_on_the_next_request(client, event, django_capture_on_commit_callbacks):
    assert people_on_the_dashboard(client.get("/")) == "50"
    assert answered_early(client.get("/"))

    with django_capture_on_commit_callbacks(execute=True):
        AudienceCountFactory(event=event, people=7, women=1)
    after = client.get("/")

    assert not answered_early(after)
    assert people_on_the_dashboard(after) == "57"


@public_page()
def signed_in_as(request):
    return HttpResponse(request.user.get_username())


@public_page()
def with_a_cookie(request):
    response = HttpResponse("Préférence enregistrée")
    response.set_cookie("preference", "contraste")
    return response


urlpatterns = [path("compte/", signed_in_as), path("preference/", with_a_cookie)]


@pytest.mark.urls(__name__)
def test_a_page_that_reads_the_session_or_sets_a_cookie_is_not_kept(client, admin_client):
    assert admin_client.get("/compte/").content == b"admin"
    client.get("/preference/")

    assert client.get("/compte/").content == b""
    again = client.get("/preference/")
    assert not answered_early(again)
    assert again.cookies["preference"].value == "contraste"


def test_the_admin_and_the_exports_never_wait_for_the_cache(client, monkeypatch):
    """No public page lives there: with Redis unreachable, not even the lookup's wait."""
    looked_up = []
    monkeypatch.setattr(
        "feminisation.cache.cached_page",
        lambda request, territory: looked_up.append(request.path),
    )

    for url in (
        "/admin/login/",
        "/exports/",
        "/territoires/flandre-pays-de-saint-omer/exports/",
        "/compte/mot-de-passe-oublie/",
        "/plan/",
        "/territoires/flandre-pays-de-saint-omer/plan/",
    ):
        client.get(url)

    assert looked_up == ["/plan/", "/territoires/flandre-pays-de-saint-omer/plan/"]

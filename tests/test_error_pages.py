"""French error pages: 400, 403 and 404 in the site's layout, 409, 500 and 503 standalone,
none showing the exception's text; a database failure answers 503, not 500."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import OperationalError, connection, transaction
from django.http import Http404, HttpResponse
from django.test import Client, RequestFactory
from django.urls import path
from pytest_django.asserts import assertContains, assertNotContains

from feminisation import access, views
from feminisation import urls as project_urls
from tests import concurrency
from tests.indicators.accounts import user_in
from tests.initiatives.factories import ActionPlanFactory
from tests.partners.factories import PartnerFactory

SECRET = "détail interne à ne jamais montrer"


def raise_bad_request(request):
    raise SuspiciousOperation(SECRET)


def raise_permission_denied(request):
    raise PermissionDenied(SECRET)


def raise_not_found(request):
    raise Http404(SECRET)


def raise_error(request):
    raise RuntimeError(SECRET)


def raise_database_down(request):
    raise OperationalError(f"could not connect to server: {SECRET}")


# Two requests each locking two partners, in opposite orders, waiting for each other
# in between: PostgreSQL ends one of the two transactions.
_crossing = threading.Barrier(2)


def lock_partners(request, first, second):
    from partners.models import Partner

    with transaction.atomic():
        Partner.objects.select_for_update().get(pk=first)
        _crossing.wait(timeout=10)
        Partner.objects.select_for_update().get(pk=second)
        Partner.objects.filter(pk=first).update(description="écrit")
    return HttpResponse("enregistré")


# The project's URLs, its error handlers, and views that fail on purpose.
urlpatterns = [
    *project_urls.urlpatterns,
    path("essai/400/", raise_bad_request),
    path("essai/403/", raise_permission_denied),
    path("essai/404/", raise_not_found),
    path("essai/500/", raise_error),
    path("essai/503/", raise_database_down),
    path("essai/verrous/<int:first>/<int:second>/", lock_partners),
]
handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500

pytestmark = pytest.mark.urls(__name__)


@pytest.fixture
def client():
    # Like a browser: the 500 page, not the exception.
    return Client(raise_request_exception=False)


def assert_in_site_layout(response):
    """The site's header, navigation and footer, in French."""
    assertContains(response, '<html lang="fr">', status_code=response.status_code)
    assertContains(response, '<nav class="site-nav"', status_code=response.status_code)
    assertContains(
        response,
        '<a href="/accessibilite/">Accessibilité : non conforme</a>',
        status_code=response.status_code,
        html=True,
    )
    assertNotContains(response, SECRET, status_code=response.status_code)


@pytest.mark.django_db
def test_404_for_an_unknown_address(client):
    response = client.get("/nulle-part/")

    assert response.status_code == 404
    assertContains(response, "<h1>Page introuvable</h1>", status_code=404, html=True)
    assertContains(
        response, "<title>Page introuvable — Mixité Industrie</title>", status_code=404, html=True
    )
    assert_in_site_layout(response)


@pytest.mark.django_db
def test_404_never_shows_the_exceptions_text(client):
    response = client.get("/essai/404/")

    assert response.status_code == 404
    assert_in_site_layout(response)


@pytest.mark.django_db
def test_404_without_a_published_plan_says_nothing_of_the_reason(client):
    response = client.get("/donnees/compteurs.json")

    assert response.status_code == 404
    assertNotContains(response, "Aucun plan d'action n'est publié", status_code=404)


@pytest.mark.django_db
def test_403_in_the_site_layout(client):
    response = client.get("/essai/403/")

    assert response.status_code == 403
    assertContains(response, "<h1>Accès refusé</h1>", status_code=403, html=True)
    assert_in_site_layout(response)


@pytest.mark.django_db
def test_403_for_a_partner_on_the_staff_overview(client):
    client.force_login(user_in(access.PARTNERS, "partenaire"))

    response = client.get("/admin/indicators/awarenessevent/suivi/")

    assert response.status_code == 403
    assertContains(response, "<h1>Accès refusé</h1>", status_code=403, html=True)


@pytest.mark.django_db
def test_400_in_the_site_layout(client):
    response = client.get("/essai/400/")

    assert response.status_code == 400
    assertContains(
        response, "<h1>Cette adresse contient une erreur</h1>", status_code=400, html=True
    )
    assertNotContains(response, 'role="alert"', status_code=400)
    assert_in_site_layout(response)


@pytest.mark.django_db
def test_400_for_a_host_the_site_does_not_serve(client):
    response = client.get("/plan/", HTTP_HOST="faux-site.example")

    assert response.status_code == 400
    assertContains(
        response, "<h1>Cette adresse contient une erreur</h1>", status_code=400, html=True
    )


@pytest.mark.django_db
def test_400_of_a_wrong_filter_still_says_what_to_fix(client):
    ActionPlanFactory()
    response = client.get("/", {"annee": "deux-mille"})

    assert response.status_code == 400
    assertContains(response, 'class="error-message" role="alert"', status_code=400)


@pytest.mark.django_db
def test_400_of_a_wrong_filter_leads_back_to_the_same_page_without_filters(client):
    ActionPlanFactory()
    response = client.get("/actions/", {"annee": "deux-mille"})

    assert response.status_code == 400
    assertContains(
        response, '<a href="/actions/">ouvrez-la sans ses filtres</a>', status_code=400, html=True
    )


def test_500_is_standalone_and_needs_no_database(client):
    # No django_db mark: any query would fail the test.
    response = client.get("/essai/500/")

    assert response.status_code == 500
    assertContains(response, "<h1>Une erreur est survenue</h1>", status_code=500, html=True)
    assertContains(response, '<html lang="fr">', status_code=500)
    assertNotContains(response, SECRET, status_code=500)
    assertNotContains(response, "Traceback", status_code=500)


def test_500_renders_without_a_request():
    response = views.server_error(None)

    assert response.status_code == 500
    assert "Une erreur est survenue" in response.content.decode()


def test_a_database_failure_in_a_view_answers_503(client):
    response = client.get("/essai/503/")

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assertContains(
        response, "<h1>Le site est momentanément indisponible</h1>", status_code=503, html=True
    )
    assertNotContains(response, SECRET, status_code=503)


def test_a_database_failure_outside_a_view_also_answers_503():
    request = RequestFactory().get("/")
    try:
        raise OperationalError(SECRET)
    except OperationalError:
        response = views.server_error(request)

    assert response.status_code == 503
    assert SECRET not in response.content.decode()


@pytest.mark.django_db
def test_public_pages_answer_503_when_the_database_is_down(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError(SECRET)

    monkeypatch.setattr(connection, "cursor", refuse)

    for page in ("/", "/plan/", "/initiatives/", "/partenaires/", "/donnees-personnelles/"):
        response = client.get(page)
        assert response.status_code == 503, page
        assertNotContains(response, SECRET, status_code=503)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent transactions: this test runs in the PostgreSQL half of the suite",
)
@pytest.mark.django_db(transaction=True)
def test_two_saves_that_wait_for_each_other_end_one_with_a_french_page_and_nothing_written():
    arc, capso = PartnerFactory(description=""), PartnerFactory(description="")

    responses = concurrency.all_succeeded(
        concurrency.at_once(
            lambda: Client(raise_request_exception=False).get(
                f"/essai/verrous/{arc.pk}/{capso.pk}/"
            ),
            lambda: Client(raise_request_exception=False).get(
                f"/essai/verrous/{capso.pk}/{arc.pk}/"
            ),
        )
    )

    assert sorted(response.status_code for response in responses) == [200, 409]
    [ended] = [response for response in responses if response.status_code == 409]
    assertContains(ended, "<h1>Votre demande n'a pas abouti</h1>", status_code=409, html=True)
    assertContains(ended, "n'a pas été écrit", status_code=409)
    assertNotContains(ended, "deadlock", status_code=409)
    # The ended transaction wrote nothing; the other one wrote its partner.
    assert sorted(
        PartnerFactory._meta.model.objects.filter(pk__in=[arc.pk, capso.pk]).values_list(
            "description", flat=True
        )
    ) == ["", "écrit"]

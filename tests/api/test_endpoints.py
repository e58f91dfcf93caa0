"""What the API's clients rely on: public data only, validated events only, a French
message for a wrong filter, read-only, conditional GET, CORS, a rate limit that the
cache's failure does not turn into errors, and list endpoints whose query count does
not grow with the events."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import AudienceCount, AwarenessEvent
from tests.api.conftest import HIDDEN
from tests.cache_backends import Unreachable
from tests.indicators.factories import AudienceCountFactory, AwarenessEventFactory
from tests.partners.factories import PartnerFactory
from tests.public_urls import API_URLS

pytestmark = pytest.mark.django_db

FILTERED = [
    "/api/v1/actions/?annee=2025",
    "/api/v1/actions/?public=filles",
    "/api/v1/chiffres/par-partenaire/?annee=2025",
    "/api/v1/chiffres/par-partenaire/?initiative=reseau-verrelles",
]


def test_no_answer_names_an_unpublished_partner(client, api_world):
    named = []
    for url in [*API_URLS, *FILTERED]:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        named += [f"{url}: {word}" for word in (HIDDEN, "fonderie-discrete") if word in text]

    assert named == []
    organisers = [e["organisateurs"] for e in client.get("/api/v1/actions/").json()["resultats"]]
    assert organisers == [
        ["Autre partenaire", "Arc France"],
        ["Autre partenaire"],
        ["Arc France", "Autre partenaire"],
        ["Arc France"],
    ]
    partners = client.get("/api/v1/partenaires/").json()
    assert [p["identifiant"] for p in partners] == ["arc-france"]
    initiatives = client.get("/api/v1/initiatives/").json()
    assert initiatives[0]["partenaires_pilotes"] == ["arc-france"]


def test_only_the_validated_events_of_the_current_plan_are_listed(client, api_world):
    answer = client.get("/api/v1/actions/").json()

    assert answer["nombre"] == 4
    assert [event["date"] for event in answer["resultats"]] == [
        "2025-11-03",
        "2025-06-20",
        "2025-02-10",
        "2024-03-05",
    ]
    assert answer["resultats"][-1] == {
        "date": "2024-03-05",
        "intitule": "Action du 2024-03-05",
        "initiative": "reseau-verrelles",
        "initiative_titre": api_world["verrelles"].title,
        "format": "forum",
        "format_libelle": "Forum ou salon des métiers",
        "commune": "Arques",
        "organisateurs": ["Arc France"],
        "personnes_sensibilisees": 24,
        "dont_femmes_ou_filles": 12,
        # The 4 prescribers of unknown sex: the 12 women are among 20, not 24.
        "personnes_dont_le_sexe_est_connu": 20,
    }
    # With an audience, its own figures only, as on /actions/.
    girls = client.get("/api/v1/actions/?public=filles&commune=Arques").json()["resultats"]
    assert [(e["personnes_sensibilisees"], e["dont_femmes_ou_filles"]) for e in girls] == [(20, 12)]


def test_pages_link_to_each_other(client, api_world):
    first = client.get("/api/v1/actions/?par_page=3").json()
    second = client.get(first["suivante"]).json()

    assert (first["nombre"], first["pages"], first["precedente"]) == (4, 2, None)
    assert first["suivante"] == "http://testserver/api/v1/actions/?par_page=3&page=2"
    assert [e["date"] for e in second["resultats"]] == ["2024-03-05"]
    assert second["precedente"] == "http://testserver/api/v1/actions/?par_page=3"
    assert second["suivante"] is None


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("annee=abc", "L'année « abc » n'est pas valide"),
        ("annee=2025&du=2025-01-01", "Choisissez soit une année, soit des dates"),
        ("du=2025-06-01&au=2025-01-01", "La date de début doit précéder la date de fin."),
        ("initiative=inconnue", "Aucune initiative du plan ne correspond à « inconnue »."),
        ("public=filles&public=filles", "Le filtre « public » est donné plusieurs fois"),
    ],
)
def test_a_wrong_filter_is_a_400_that_says_what_to_correct(client, plan, query, message):
    response = client.get(f"/api/v1/chiffres/par-mois/?{query}")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"].startswith(message)


def test_the_list_of_actions_refuses_a_page_size_out_of_bounds(client, plan):
    for size in ("0", "101", "abc"):
        response = client.get(f"/api/v1/actions/?par_page={size}")
        assert response.status_code == 400
        assert response.json()["detail"] == (
            f"« par_page » doit être un nombre entier de 1 à 100, pas « {size} »."
        )


def test_without_a_published_plan_every_endpoint_says_so(client, db):
    for url in API_URLS:
        response = client.get(url)
        # The schema, its page, and the territories (of which there are none yet).
        if url.startswith(("/api/v1/schema/", "/api/v1/docs/", "/api/v1/territoires/")):
            assert response.status_code == 200
            continue
        assert response.status_code == 404, url
        assert response.json() == {"detail": "Aucun plan d'action n'est publié."}


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
def test_the_api_is_read_only(client, plan, method):
    response = getattr(client, method)("/api/v1/chiffres/")

    assert response.status_code == 405
    assert response.json() == {
        "detail": f"Méthode « {method.upper()} » non autorisée : l'API se lit seulement (GET)."
    }
    assert response["Allow"] == "GET, HEAD"


def test_an_unchanged_answer_is_a_304_until_an_event_changes(
    client, api_world, django_capture_on_commit_callbacks
):
    first = client.get("/api/v1/chiffres/")
    etag, last_modified = first["ETag"], first["Last-Modified"]

    again = client.get("/api/v1/chiffres/", headers={"If-None-Match": etag})
    since = client.get("/api/v1/chiffres/", headers={"If-Modified-Since": last_modified})
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", etag)
    assert since.status_code == 304
    assert client.head("/api/v1/chiffres/")["ETag"] == etag
    assert first["Cache-Control"] == "no-cache"

    with django_capture_on_commit_callbacks(execute=True):
        AudienceCountFactory(
            event=AwarenessEventFactory(initiative=api_world["verrelles"]), people=7, women=None
        )
    changed = client.get("/api/v1/chiffres/", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    # The lists that do not depend on the events have an ETag only.
    assert "Last-Modified" not in client.get("/api/v1/partenaires/")


def test_any_site_may_read_the_api_and_nothing_else(client, plan):
    origin = {"Origin": "https://reutilisateur.example.org"}

    answer = client.get("/api/v1/chiffres/", headers=origin)
    preflight = client.options(
        "/api/v1/chiffres/", headers={**origin, "Access-Control-Request-Method": "GET"}
    )
    page = client.get("/", headers=origin)

    assert answer["Access-Control-Allow-Origin"] == "*"
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "Access-Control-Allow-Origin" not in page
    assert "Access-Control-Allow-Credentials" not in answer
    # JSON whatever the client asks for: there is no other format.
    asking_csv = client.get("/api/v1/chiffres/", headers={"Accept": "text/csv"})
    assert (asking_csv.status_code, asking_csv["Content-Type"]) == (200, "application/json")


def test_a_script_of_another_site_may_revalidate_an_answer(client, api_world, rate_limit):
    origin = {"Origin": "https://reutilisateur.example.org"}
    preflight = client.options(
        "/api/v1/chiffres/",
        headers={
            **origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match, if-modified-since",
        },
    )
    allowed = {name.strip() for name in preflight["Access-Control-Allow-Headers"].split(",")}
    assert {"if-none-match", "if-modified-since"} <= allowed

    first = client.get("/api/v1/chiffres/", headers=origin)
    exposed = {name.strip() for name in first["Access-Control-Expose-Headers"].split(",")}
    # Last-Modified, like Content-Type, any script reads without being told.
    assert "ETag" in exposed
    again = client.get("/api/v1/chiffres/", headers={**origin, "If-None-Match": first["ETag"]})
    assert (again.status_code, again["Access-Control-Allow-Origin"]) == (304, "*")

    for _ in range(2):
        client.get("/api/v1/publics/")
    refused = client.get("/api/v1/publics/", headers=origin)
    assert refused.status_code == 429
    assert "Retry-After" in refused["Access-Control-Expose-Headers"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/chiffres/par-commune/",
        "/api/v1/inconnue/",
        "/api/v1/chiffres/x/y/",
        "/api/v2/chiffres/",
    ],
)
def test_an_unknown_address_is_a_404_in_json(client, plan, url):
    for method in ("get", "post", "head"):
        response = getattr(client, method)(url, headers={"Origin": "https://ailleurs.example"})

        assert response.status_code == 404, method
        assert response["Content-Type"] == "application/json"
        assert response["Access-Control-Allow-Origin"] == "*"
    assert client.get(url).json() == {
        "detail": f"Aucune adresse de l'API ne correspond à « {url} » : voyez la liste des "
        "adresses sur /api/v1/docs/."
    }


def test_an_address_without_its_final_slash_still_leads_to_it(client, plan):
    assert client.get("/api/v1/chiffres")["Location"] == "/api/v1/chiffres/"
    unknown = client.get("/api/v1/inconnue", follow=True)
    assert unknown.status_code == 404
    assert unknown["Content-Type"] == "application/json"


@pytest.fixture
def rate_limit(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute"},
    }


def test_an_anonymous_client_is_slowed_down_past_the_limit(client, plan, rate_limit):
    statuses = [client.get("/api/v1/publics/").status_code for _ in range(3)]
    refused = client.get("/api/v1/chiffres/")
    other_client = client.get("/api/v1/chiffres/", REMOTE_ADDR="192.0.2.7")

    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("Trop de requêtes depuis cette adresse. Réessayez")
    assert 0 < int(refused["Retry-After"]) <= 60
    assert other_client.status_code == 200


def test_the_api_answers_when_the_cache_fails(client, api_world, rate_limit, settings):
    settings.CACHES = {"default": {"BACKEND": "tests.cache_backends.Unreachable"}}
    Unreachable.calls = 0

    statuses = [client.get(url).status_code for url in API_URLS]

    assert set(statuses) == {200}
    assert Unreachable.calls > 0


def queries_per_list(client):
    counts = {}
    for url in [*LISTS, "/api/v1/actions/?par_page=30"]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        counts[url] = len(queries)
    return counts


LISTS = ["/api/v1/plan/", "/api/v1/initiatives/", "/api/v1/publics/", "/api/v1/partenaires/"]


def test_the_lists_query_count_does_not_grow_with_the_events(client, api_world):
    with_four_events = queries_per_list(client)
    partners = PartnerFactory.create_batch(3)
    # Written in bulk, without the daily figures (which the lists do not read): fast.
    events = AwarenessEvent.objects.bulk_create(
        AwarenessEventFactory.build(
            initiative=api_world["verrelles"],
            date=datetime.date(2025, 1, 1) + datetime.timedelta(days=day),
            organizer=partners[day % 3],
            official_commune=None,
        )
        for day in range(26)
    )
    AudienceCount.objects.bulk_create(
        AudienceCount(event=event, audience=api_world["girls"], people=10) for event in events
    )
    AwarenessEvent.co_organizers.through.objects.bulk_create(
        AwarenessEvent.co_organizers.through(awarenessevent=event, partner=partner)
        for i, event in enumerate(events)
        for partner in (partners[(i + 1) % 3], api_world["hidden"])
    )

    cache.clear()  # the bulk writes do not empty it, as the admin's saves do
    assert client.get("/api/v1/actions/?par_page=30").json()["nombre"] == 30
    cache.clear()
    assert queries_per_list(client) == with_four_events


def test_the_documentation_describes_every_endpoint(client, plan):
    response = client.get(reverse("api_docs"))
    html = response.content.decode()

    assert response.status_code == 200
    for url in API_URLS:
        if url not in ("/api/v1/schema/", "/api/v1/docs/"):
            assert f"GET {url}" in html, url
    assert "lignes[].part_des_femmes" in html
    # Drawn on the server in the site's look: nothing the CSP would refuse.
    assert "<script" not in html
    assert " style=" not in html
    assert "Licence Ouverte" in html
    assert 'href="/api/v1/docs/"' in client.get("/donnees/").content.decode()


def test_the_apis_root_leads_to_its_documentation(client, db):
    response = client.get("/api/v1/")

    assert response.status_code == 302
    assert response["Location"] == reverse("api_docs")


def test_answers_are_cached_like_the_public_pages_until_a_save(
    client, api_world, django_assert_num_queries, django_capture_on_commit_callbacks
):
    first = client.get("/api/v1/chiffres/?annee=2025")
    # Another parameter, one the endpoint does not read, does not split the cache.
    with django_assert_num_queries(0):
        again = client.get("/api/v1/chiffres/?annee=2025&autre=1")
    assert again.content == first.content

    with django_capture_on_commit_callbacks(execute=True):
        AudienceCountFactory(
            event=AwarenessEventFactory(initiative=api_world["verrelles"]), people=7, women=None
        )
    after = client.get("/api/v1/chiffres/?annee=2025").json()
    assert after["personnes_sensibilisees"] == first.json()["personnes_sensibilisees"] + 7

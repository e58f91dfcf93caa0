"""The Content-Security-Policy, as Chromium enforces it: no page of the site, public
or admin, trips it, and only the counter widget can be shown inside another site."""

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth import get_user_model
from django.db import connections, transaction
from django.urls import reverse

from indicators.models import AwarenessEvent
from territories.models import Territory
from tests.browser.admin import PASSWORD, log_in
from tests.browser.pages import EMBED, PUBLIC_PAGES

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

# Playwright injects this before any of the page's own code, outside the page's CSP.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__cspViolations.push(
        `${event.effectiveDirective} refused ${event.blockedURI || "inline code"}`
        + ` (${event.sourceFile || "?"}:${event.lineNumber})`
    );
});
"""


@pytest.fixture
def csp_watch(page):
    """Every CSP violation of the pages this test opens: the DOM events and
    Chromium's console messages."""
    console = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    def violations():
        return [*page.evaluate("() => window.__cspViolations || []"), *console]

    return violations


def admin_pages():
    event = AwarenessEvent.objects.order_by("pk").first()
    return [
        reverse("admin:index"),
        reverse("admin:indicators_awarenessevent_changelist"),
        reverse("admin:indicators_awarenessevent_add"),
        reverse("admin:indicators_awarenessevent_change", args=[event.pk]),
        reverse("admin:indicators_awarenessevent_history", args=[event.pk]),
        reverse("admin:indicators_awarenessevent_overview"),
        reverse("admin:indicators_awarenessevent_import"),
        reverse("admin:partners_contact_changelist"),
        reverse("notification_settings"),
    ]


def test_public_pages_load_without_a_csp_violation(visit, csp_watch):
    for path in PUBLIC_PAGES:
        visit(path)
        # The dashboard's filter form submits too: form-action is part of the policy.
        assert csp_watch() == [], path


@pytest.fixture(scope="module")
def superuser(site, django_db_blocker):
    """Committed, for the live server to see; the site's clean-up deletes it."""
    with django_db_blocker.unblock():
        return get_user_model().objects.create_superuser("equipe", "equipe@example.fr", PASSWORD)


def test_admin_pages_load_and_script_without_a_csp_violation(page, superuser, csp_watch):
    log_in(page, superuser.username)

    for path in admin_pages():
        response = page.goto(path)
        assert response.status == 200, path
        assert csp_watch() == [], path

    # The admin's own scripts run: a new count line appears on « Ajouter ».
    page.goto(reverse("admin:indicators_awarenessevent_add"))
    lines = page.locator("#counts-group tr.form-row.dynamic-counts")
    before = lines.count()
    page.locator("#counts-group .add-row a").click()
    assert lines.count() == before + 1
    assert csp_watch() == []


@pytest.fixture
def partner_site(site):
    """Another site, on this machine's loopback, whose page frames the counter and the
    dashboard: a real second origin (Chromium treats a page that Playwright answers
    itself as public, and blocks its frames to localhost whatever the CSP)."""
    with _serving(
        '<!DOCTYPE html><html lang="fr"><title>Partenaire</title>'
        f'<iframe name="compteur" title="Compteur" src="{site.url}{EMBED}"></iframe>'
        f'<iframe name="tableau" title="Tableau" src="{site.url}/"></iframe></html>'
    ) as url:
        yield url


@pytest.fixture
def second_territory(site, django_db_blocker):
    """A second territory, committed for the live server, removed afterwards: the
    instance then serves several, and its root addresses lead to the first's site."""
    with django_db_blocker.unblock():
        territory = _committed(
            lambda: Territory.objects.create(name="Territoire voisin", slug="voisin")
        )
        yield territory
        _committed(lambda: Territory.objects.filter(pk=territory.pk).delete())


def test_a_counter_embedded_before_a_second_territory_still_shows_in_a_frame(
    page, site, second_territory
):
    with _serving(
        '<!DOCTYPE html><html lang="fr"><title>Partenaire</title>'
        f'<iframe name="compteur" title="Compteur" src="{site.url}{EMBED}"></iframe></html>'
    ) as url:
        page.goto(url)
        page.wait_for_load_state("load")

        counter = page.frame(name="compteur")
        assert counter.url == f"{site.url}/territoires/flandre-pays-de-saint-omer{EMBED}"
        assert "personnes sensibilisées" in counter.locator("h1").inner_text()


def test_only_the_counter_can_be_framed_by_another_site(page, partner_site):
    page.goto(partner_site)
    page.wait_for_load_state("load")

    counter = page.frame(name="compteur")
    assert "personnes sensibilisées" in counter.locator("h1").inner_text()
    dashboard = page.frame(name="tableau")
    # Chromium replaces a refused frame with an empty error document.
    assert dashboard.url.startswith("chrome-error://"), dashboard.url
    assert "Tableau de bord" not in dashboard.content()


def _committed(write):
    """What `write` does, committed in a connection of its own, outside the test's
    transaction, where the live server sees it."""
    result = {}

    def run():
        with transaction.atomic():
            result["value"] = write()
        connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return result["value"]


@contextmanager
def _serving(page):
    """A page served from this machine's loopback: another origin than the site."""
    body = page.encode()

    class PartnerPage(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), PartnerPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

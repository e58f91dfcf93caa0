"""/territoires/<slug>/ is a territory's public site: its pages link within it."""

import pytest
from django.urls import reverse

from tests.initiatives.factories import ActionPlanFactory
from tests.territories.factories import TerritoryFactory

pytestmark = pytest.mark.django_db


def test_a_territorys_site_links_its_own_pages(client):
    plan = ActionPlanFactory()
    response = client.get(f"/territoires/{plan.territory.slug}/plan/")
    assert response.status_code == 200
    assert response.context["plan"] == plan
    assert f'href="/territoires/{plan.territory.slug}/initiatives/"' in response.text
    # The static files and the instance's pages stay at the root.
    assert 'href="/static/' in response.text or 'src="/static/' in response.text
    assert reverse("plan") == "/plan/"


@pytest.mark.parametrize(
    "path",
    [
        "/territoires/inconnu/",
        "/territoires/flandre-pays-de-saint-omer/admin/",
        "/territoires/flandre-pays-de-saint-omer/mentions-legales/",
        "/territoires/flandre-pays-de-saint-omer/api/v1/",
    ],
)
def test_an_unknown_territory_or_a_page_outside_its_site_is_not_found(client, path):
    TerritoryFactory()
    response = client.get(path)
    assert response.status_code == 404
    assert "Page introuvable" in response.text or "introuvable" in response.text.lower()

"""The public pages every browser test walks through."""

from django.utils import timezone

CURRENT_YEAR = timezone.localdate().year

DASHBOARD = "/"
# A stakeholder of the demo plan (load_plan) that seed_demo's events credit; tests
# without the demo plan give one of their partners this slug.
PARTNER_SLUG = "capso"
PARTNER = f"/partenaires/{PARTNER_SLUG}/"
EMBED = "/embed/compteur/"
TERRITORY = "/territoire/"
# One initiative's counter (an initiative of the demo plan).
INITIATIVE_EMBED = f"{EMBED}?initiative=reseau-verrelles"

# Pages with the full site layout: header, main, footer, skip link.
SITE_PAGES = [
    DASHBOARD,
    "/plan/",
    "/initiatives/",
    "/initiatives/reseau-verrelles/",
    "/partenaires/",
    PARTNER,
    "/actions/",
    TERRITORY,
    "/accessibilite/",
    "/mentions-legales/",
    "/donnees-personnelles/",
    "/donnees/",
]
# The dashboard again with its form's error: an end before the start.
UNUSABLE_PERIOD = f"/?du={CURRENT_YEAR}-06-01&au={CURRENT_YEAR}-01-01"
PUBLIC_PAGES = [*SITE_PAGES, f"/?annee={CURRENT_YEAR}", UNUSABLE_PERIOD, EMBED, INITIATIVE_EMBED]

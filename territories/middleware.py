"""Each territory's public site lives under /territoires/<slug>/: the middleware
strips that prefix from the path the URLconf sees and makes it the script prefix,
so that the site's views, templates and reverse() serve and link a territory's
pages as they serve the site of an instance with one territory; `request.territory`
tells the views which."""

import re

from django.http import Http404
from django.urls import set_script_prefix
from django.utils.functional import SimpleLazyObject

from territories.models import Territory

PREFIX = re.compile(r"^/territoires/(?P<slug>[-a-zA-Z0-9_]+)/")
# What a territory's site holds; the admin, the API, the accounts' and the legal
# pages are the instance's, at its root.
TERRITORY_PAGES = re.compile(
    r"^/(?:$|actions/|territoire/|embed/|donnees/|plan/|initiatives/|partenaires/|exports/)"
)


def site_path(territory, request):
    """The path of a territory's public site, from a page of the instance's root."""
    return f"{request.META.get('SCRIPT_NAME', '')}/territoires/{territory.slug}/"


def sole_territory():
    """The territory of an instance that serves one, else None."""
    territories = list(Territory.objects.order_by("pk")[:2])
    return territories[0] if len(territories) == 1 else None


class TerritoryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        match = PREFIX.match(request.path_info)
        if match is None:
            request.territory = SimpleLazyObject(sole_territory)
            return self.get_response(request)
        rest = request.path_info[match.end() - 1 :]
        if not TERRITORY_PAGES.match(rest):
            raise Http404("Cette page n'existe pas sur le site d'un territoire.")
        territory = Territory.objects.filter(slug=match["slug"]).first()
        if territory is None:
            raise Http404("Aucun territoire ne porte cet identifiant.")
        request.territory = territory
        request.path_info = rest
        set_script_prefix(request.META.get("SCRIPT_NAME", "") + match.group(0))
        return self.get_response(request)

"""Each territory's public site lives under /territoires/<slug>/: the middleware
strips that prefix from the path the URLconf sees and makes it the script prefix,
so that the site's views, templates and reverse() serve and link a territory's
pages as they serve the site of an instance with one territory; `request.territory`
tells the views which."""

import re

from django.db.models import Exists
from django.http import Http404
from django.urls import get_script_prefix, set_script_prefix
from django.utils.functional import SimpleLazyObject

from territories.models import Territory

PREFIX = re.compile(r"^/territoires/(?P<slug>[-a-zA-Z0-9_]+)/")
# What a territory's site holds; the admin, the API, the accounts' and the legal
# pages are the instance's, at its root.
TERRITORY_PAGES = re.compile(
    r"^/(?:$|actions/|territoire/|embed/|donnees/|plan/|initiatives/|partenaires/|exports/)"
)


def site_of(path):
    """(the slug of the territory whose site `path` is a page of, the page's path in
    that site), read from the path alone, before any query; (None, path) for a page
    of the instance, or of the site an instance with one territory serves at its
    root."""
    match = PREFIX.match(path)
    if match is not None:
        rest = path[match.end() - 1 :]
        if TERRITORY_PAGES.match(rest):
            return match["slug"], rest
    return None, path


def site_path(territory, request):
    """The path of a territory's public site, from a page of the instance's root."""
    return f"{request.META.get('SCRIPT_NAME', '')}/territoires/{territory.slug}/"


def sole_territory():
    """The territory of an instance that serves one, else None."""
    territories = list(Territory.objects.order_by("pk")[:2])
    if len(territories) != 1:
        return None
    territories[0].has_others = False
    return territories[0]


class TerritoryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        match = PREFIX.match(request.path_info)
        if match is None:
            request.territory = SimpleLazyObject(sole_territory)
            return self.get_response(request)
        # The not found page is the instance's.
        request.territory = None
        rest = request.path_info[match.end() - 1 :]
        if not TERRITORY_PAGES.match(rest):
            raise Http404("Cette page n'existe pas sur le site d'un territoire.")
        # Whether it is one of several (its pages then link to the list), in the
        # same query.
        others = Territory.objects.exclude(slug=match["slug"])
        territory = (
            Territory.objects.filter(slug=match["slug"]).annotate(has_others=Exists(others)).first()
        )
        if territory is None:
            raise Http404("Aucun territoire ne porte cet identifiant.")
        request.territory = territory
        request.path_info = rest
        # The prefix belongs to this request: once answered, the thread's own is
        # back (a page is rendered before its response goes up the middleware).
        previous = get_script_prefix()
        request.instance_prefix = previous
        set_script_prefix(previous.rstrip("/") + match.group(0))
        try:
            return self.get_response(request)
        finally:
            set_script_prefix(previous)

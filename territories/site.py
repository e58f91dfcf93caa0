"""What a territory's public site needs beyond the middleware: its pages answer only
for a territory."""

from functools import wraps

from django.shortcuts import redirect

from territories.middleware import site_path
from territories.models import Territory


def territory_site(view):
    """A page of a territory's site. At the root of an instance with several
    territories, it is the page of the instance's first territory: the one it served
    alone before it served several, whose links and embedded counters were published
    at the root (a partner's site keeps showing its counter). An instance with no
    territory yet has no plan either: its pages say so. The national open data
    (`national=True`) is no territory's."""

    @wraps(view)
    def territory_view(request, *args, **kwargs):
        # request.territory may be a lazy None: truth, not identity.
        if not request.territory and not kwargs.get("national"):
            first = Territory.objects.order_by("pk").first()
            if first is not None:
                return redirect(_on_site_of(first, request))
            request.territory = None
        return view(request, *args, **kwargs)

    return territory_view


def _on_site_of(territory, request):
    """The address of the page asked for, on the site of this territory."""
    query = request.META.get("QUERY_STRING", "")
    path = site_path(territory, request) + request.path_info.lstrip("/")
    return f"{path}?{query}" if query else path

"""What a territory's public site needs beyond the middleware: its pages answer only
for a territory."""

from functools import wraps

from django.shortcuts import redirect

from territories.models import Territory


def territory_site(view):
    """A page of a territory's site: at the root of an instance with several
    territories, which one it would be is unknown, and the visitor is sent to the
    list of territories (the home page there). An instance with no territory yet
    has no plan either: its pages say so. The national open data (`national=True`)
    is no territory's."""

    @wraps(view)
    def territory_view(request, *args, **kwargs):
        # request.territory may be a lazy None: truth, not identity.
        if not request.territory and not kwargs.get("national"):
            if Territory.objects.exists():
                return redirect("home")
            request.territory = None
        return view(request, *args, **kwargs)

    return territory_view

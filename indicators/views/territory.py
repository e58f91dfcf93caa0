"""The plan's territory in public: people reached per intercommunality and per
commune, and the communes no action has reached."""

from django.shortcuts import render
from django.utils import timezone

from feminisation.cache import public_page
from indicators.figures import stats
from indicators.views import filters
from initiatives.models import ActionPlan
from territories.site import territory_site


@territory_site
@public_page(*filters.PARAMS)
def territory(request):
    plan = ActionPlan.objects.current(request.territory)
    if plan is None:
        return render(request, "indicators/no_plan.html")
    form = filters.DashboardFilterForm(request.GET, plan=plan, today=timezone.localdate())
    if message := form.unreadable_message():
        return render(request, "400.html", {"message": message}, status=400)
    chosen = form.filters()
    territory = stats.territory(chosen.scope(plan))
    context = {
        "plan": plan,
        "form": form,
        "filters": chosen,
        "territory": territory,
        # The bars' scale: the largest row of each table.
        "largest_epci": max((place.people for place in territory.epci_rows), default=0),
        "largest_commune": max((place.people for place in territory.commune_rows), default=0),
    }
    return render(request, "indicators/territory.html", context)

"""Every validated action of the territory's current plan, in public."""

from django.shortcuts import render
from django.utils import timezone

from feminisation.cache import public_page
from indicators.figures import stats
from indicators.views import filters
from initiatives.models import ActionPlan
from territories.site import territory_site


@territory_site
@public_page(*filters.ACTION_PARAMS)
def action_list(request):
    plan = ActionPlan.objects.current(request.territory)
    if plan is None:
        return render(request, "indicators/no_plan.html")
    form = filters.ActionFilterForm(request.GET, plan=plan, today=timezone.localdate())
    if message := form.unreadable_message():
        return render(request, "400.html", {"message": message}, status=400)
    chosen = form.filters()
    commune = form.cleaned_data["commune"]
    page = stats.action_page(chosen.scope(plan), form.cleaned_data["page"], commune=commune)

    def link(number):
        return "?" + form.query(page=number if number > 1 else None)

    # The elided range's gaps are the paginator's « … », a string, with no link.
    pages = [
        (number, link(number) if isinstance(number, int) else None)
        for number in page.paginator.get_elided_page_range(page.number)
    ]
    context = {
        "plan": plan,
        "form": form,
        "filters": chosen,
        "commune": commune,
        "page": page,
        "pages": pages,
        "previous_link": link(page.number - 1) if page.has_previous() else None,
        "unpublished_partner": stats.UNPUBLISHED_PARTNER,
        "next_link": link(page.number + 1) if page.has_next() else None,
    }
    return render(request, "indicators/action_list.html", context)

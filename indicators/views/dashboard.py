from csp.decorators import csp_replace
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_exempt

from feminisation.cache import public_page
from indicators.figures import stats
from indicators.figures.charts import dashboard_charts
from indicators.views import filters
from initiatives.models import ActionPlan
from territories.site import territory_site
from territories.views import territory_list


@public_page(*filters.PARAMS)
def home(request):
    if not request.territory:
        # An instance with several territories: `/` lists them.
        return territory_list(request)
    plan = ActionPlan.objects.current(request.territory)
    if plan is None:
        return render(request, "indicators/no_plan.html")
    today = timezone.localdate()
    form = filters.DashboardFilterForm(request.GET, plan=plan, today=today)
    if message := form.unreadable_message():
        return render(request, "400.html", {"message": message}, status=400)
    # A choice the form reads but cannot use gets the page itself, with a 200 like any
    # form shown again with its errors: the visitor made it with the form rather than
    # by mistyping an address. The figures are form.filters()'s fallback.
    chosen = form.filters()
    scope = chosen.scope(plan)

    target_year = chosen.target_year(today)
    progress = stats.target_progress(
        plan, target_year, initiative=chosen.initiative, audience=chosen.audience
    )
    headline = stats.headline(scope, today=today, progress=progress)
    context = {
        "plan": plan,
        "form": form,
        "filters": chosen,
        "headline": headline,
        "totals": headline.totals,
        "this_year": headline.this_year,
        "today": today,
        "venues": stats.venues_reached(scope),
        "partners": stats.partners_involved(scope),
        "target_year": target_year,
        "progress": progress,
        "charts": dashboard_charts(
            scope,
            has_period=chosen.has_period,
            today=today,
            target_year=target_year,
            progress=progress,
            query=chosen.query(),
        ),
        "latest_events": stats.latest_events(scope),
    }
    return render(request, "indicators/home.html", context)


# Any site may frame it, https or not: the page has no form, no cookie and no
# action, so there is nothing to trick a visitor into clicking.
@csp_replace({"frame-ancestors": ["*"]})
@xframe_options_exempt
@territory_site
@public_page("initiative")
def embed_counter(request):
    """The one page other sites may frame: the plan's count, or with
    `?initiative=<slug>` one initiative's, with a link back. An unknown initiative
    answers 400, as the dashboard's filters do, with a page that fits the frame."""
    plan = ActionPlan.objects.current(request.territory)
    context = {"plan": plan, "totals": None, "initiative": None}
    if plan is None:
        return render(request, "indicators/embed_counter.html", context)
    form = filters.EmbedFilterForm(request.GET, plan=plan)
    if message := form.error_message():
        context["message"] = message
        return render(request, "indicators/embed_counter.html", context, status=400)
    context["initiative"] = form.cleaned_data["initiative"]
    context["totals"] = stats.totals(stats.Scope(plan, initiative=context["initiative"]))
    return render(request, "indicators/embed_counter.html", context)

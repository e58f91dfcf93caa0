from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_exempt

from feminisation.cache import public_page
from indicators import filters, stats
from indicators.charts import BarChart
from initiatives.models import ActionPlan, Audience


@public_page(*filters.PARAMS)
def home(request):
    plan = ActionPlan.objects.current()
    if plan is None:
        return render(request, "indicators/no_plan.html")
    today = timezone.localdate()
    try:
        chosen = filters.parse(request.GET, plan, today=today)
    except filters.InvalidFilter as error:
        return render(request, "400.html", {"message": str(error)}, status=400)
    scope = chosen.scope(plan)

    months = stats.by_month(scope, today=today)
    recent_months = months if chosen.has_period else months[-12:]
    # The running total starts with the first month anyone was reached.
    first_reached = next((i for i, month in enumerate(months) if month.people), len(months))
    cumulative_months = months[first_reached:] or months[-1:]
    target_year = chosen.year or today.year
    context = {
        "plan": plan,
        "filters": chosen,
        "years": range(today.year, plan.start_date.year - 1, -1),
        "initiatives": plan.initiatives.order_by("number"),
        "audiences": Audience.objects.all(),
        "totals": stats.totals(scope),
        "this_year": None if chosen.has_period else stats.in_year(scope, today.year),
        "today": today,
        "venues": stats.venues_reached(scope),
        "partners": stats.partners_involved(scope),
        "target_year": target_year,
        "progress": stats.target_progress(plan, target_year),
        "charts": [
            BarChart(
                id="par-mois",
                title="Personnes sensibilisées par mois"
                + ("" if chosen.has_period else " (12 derniers mois)"),
                rows=recent_months,
                label_header="Mois",
            ),
            BarChart(
                id="cumul",
                title="Cumul des personnes sensibilisées, mois après mois",
                rows=cumulative_months,
                label_header="Mois",
                value="cumulative_people",
                value_header="Cumul des personnes sensibilisées",
                show_women=False,
            ),
            BarChart(
                id="par-initiative",
                title="Personnes sensibilisées par initiative",
                rows=stats.by_initiative(scope),
                label_header="Initiative",
            ),
            BarChart(
                id="par-public",
                title="Personnes sensibilisées par public cible",
                rows=stats.by_audience(scope),
                label_header="Public cible",
            ),
            BarChart(
                id="par-format",
                title="Personnes sensibilisées par format d'action",
                rows=stats.by_format(scope),
                label_header="Format",
            ),
            BarChart(
                id="par-partenaire",
                title="Personnes sensibilisées par partenaire organisateur ou co-organisateur",
                rows=stats.by_partner(scope),
                label_header="Partenaire",
            ),
        ],
        "latest_events": stats.latest_events(scope),
    }
    return render(request, "indicators/home.html", context)


@xframe_options_exempt
@public_page()
def embed_counter(request):
    """The one page other sites may frame: the plan's count, with a link back."""
    plan = ActionPlan.objects.current()
    totals = stats.totals(stats.Scope(plan)) if plan else None
    return render(request, "indicators/embed_counter.html", {"plan": plan, "totals": totals})

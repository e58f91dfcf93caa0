from django.shortcuts import render

from indicators import stats
from initiatives.models import ActionPlan


def home(request):
    plan = ActionPlan.objects.current()
    if plan is None:
        return render(request, "indicators/no_plan.html")
    events = stats.public_events(plan)
    people_by_initiative = stats.people_by_initiative(events)
    initiatives = list(plan.initiatives.prefetch_related("lead_partners", "audiences"))
    for initiative in initiatives:
        initiative.people_reached = people_by_initiative.get(initiative.pk, 0)
    return render(
        request,
        "indicators/home.html",
        {"plan": plan, "totals": stats.totals(events), "initiatives": initiatives},
    )

from django.shortcuts import render

from feminisation.cache import public_page
from initiatives.models import ActionPlan


@public_page()
def accessibility(request):
    """The RGAA accessibility statement. Reporting a barrier goes to the plan's first
    public contact with an e-mail address, if the territory has published one."""
    plan = ActionPlan.objects.current()
    contact = None
    if plan is not None:
        contact = (
            plan.contacts.filter(is_public=True)
            .exclude(email="")
            .select_related("partner")
            .order_by("full_name", "pk")
            .first()
        )
    return render(request, "accessibility.html", {"plan": plan, "contact": contact})

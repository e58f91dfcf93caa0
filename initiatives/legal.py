"""The pages a French public site owes its visitors about itself: the accessibility
statement and what it does with personal data, each naming the plan's contact."""

from django.conf import settings
from django.shortcuts import render

from feminisation.cache import public_page
from initiatives.models import ActionPlan


def _public_contact(plan):
    """The plan's first public contact with an e-mail address, if the territory has
    published one."""
    if plan is None:
        return None
    return (
        plan.contacts.filter(is_public=True)
        .exclude(email="")
        .select_related("partner")
        .order_by("full_name", "pk")
        .first()
    )


@public_page()
def accessibility(request):
    """The RGAA accessibility statement. Reporting a barrier goes to the plan's first
    public contact with an e-mail address, if the territory has published one."""
    plan = ActionPlan.objects.current()
    return render(request, "accessibility.html", {"plan": plan, "contact": _public_contact(plan)})


@public_page()
def personal_data(request):
    """What personal data the application keeps, why, how long, and whom to ask."""
    plan = ActionPlan.objects.current()
    context = {
        "plan": plan,
        "contact": _public_contact(plan),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "session_days": settings.SESSION_COOKIE_AGE // (24 * 3600),
    }
    return render(request, "personal_data.html", context)

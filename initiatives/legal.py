"""The pages a French public site owes its visitors about itself: the accessibility
statement, what it does with personal data and its « mentions légales », each naming
the plan's contact."""

import re

from django.conf import settings
from django.shortcuts import render

from feminisation.cache import public_page
from indicators.views.exports import LICENCE, LICENCE_URL
from initiatives.models import ActionPlan


def _plan(request):
    """The plan of the instance's one territory; none on an instance with several,
    whose publisher (the settings) answers for every territory."""
    return ActionPlan.objects.current(request.territory) if request.territory else None


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
    plan = _plan(request)
    return render(request, "accessibility.html", {"plan": plan, "contact": _public_contact(plan)})


@public_page()
def personal_data(request):
    """What personal data the application keeps, why, how long, and whom to ask."""
    plan = _plan(request)
    context = {
        "plan": plan,
        "contact": _public_contact(plan),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "session_days": settings.SESSION_COOKIE_AGE // (24 * 3600),
    }
    return render(request, "personal_data.html", context)


def _tel_uri(phone):
    """The tel: link of a number as people write it (« +33 (0)3 21 … », « 03.21… »)."""
    return "tel:" + re.sub(r"[^+0-9]", "", phone.replace("(0)", "")) if phone else ""


@public_page()
def legal_notice(request):
    """The « mentions légales » of article 6 of the LCEN: publisher, publication
    director and host, as the territory set them in the settings, and the licence of
    the published data."""
    plan = _plan(request)
    context = {
        "plan": plan,
        "contact": _public_contact(plan),
        "publisher": {
            "name": settings.LEGAL_PUBLISHER,
            "address": settings.LEGAL_PUBLISHER_ADDRESS,
            "phone": settings.LEGAL_PUBLISHER_PHONE,
            "phone_uri": _tel_uri(settings.LEGAL_PUBLISHER_PHONE),
        },
        "director": settings.LEGAL_DIRECTOR,
        "host": {
            "name": settings.LEGAL_HOST,
            "address": settings.LEGAL_HOST_ADDRESS,
            "phone": settings.LEGAL_HOST_PHONE,
            "phone_uri": _tel_uri(settings.LEGAL_HOST_PHONE),
            "website": settings.LEGAL_HOST_WEBSITE,
        },
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
    }
    return render(request, "legal_notice.html", context)

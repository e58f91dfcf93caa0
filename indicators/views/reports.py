"""The annual report for the plan's funders: a printable page, or its PDF; a
territory's, as its exports are (`chosen_territory`)."""

import contextlib

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, set_script_prefix
from django.utils import timezone

from feminisation import access
from indicators.reports import annual, pdf
from indicators.views import chosen_territory, downloads
from initiatives.models import ActionPlan

FORMATS = ("html", "pdf")
FORMAT_ERROR = "Le format du bilan doit être « html » (la page à imprimer) ou « pdf »."
SLUG_MAX_LENGTH = ActionPlan._meta.get_field("slug").max_length  # of the echo
TEMPLATE = "indicators/reports/annual.html"


@contextlib.contextmanager
def _links_of_site(request, territory):
    """The report's links (its PDF, the exports, the dashboard, its charts' data) on
    its territory's site. At the root of an instance of several territories, the
    root's would lose the territory: the PDF refused, the dashboard the list of
    territories, the charts' data the instance's first territory's."""
    if request.territory:
        yield
        return
    previous = get_script_prefix()
    set_script_prefix(f"{previous.rstrip('/')}/territoires/{territory.slug}/")
    try:
        yield
    finally:
        set_script_prefix(previous)


@permission_required(access.EXPORT_FIGURES, raise_exception=True)
def _annual_report(request, year):
    formats = request.GET.getlist("format") or ["html"]
    if len(formats) > 1 or formats[0] not in FORMATS:
        return render(request, "400.html", {"message": FORMAT_ERROR}, status=400)
    try:
        plan = chosen_territory.choose(request, every=False).plan
    except chosen_territory.Refused as refusal:
        return refusal.response(request)
    slugs = [slug for slug in request.GET.getlist("plan") if slug]
    if len(slugs) > 1:
        return render(request, "400.html", {"message": downloads.repeated("plan")}, status=400)
    territory = plan.territory
    with _links_of_site(request, territory):
        if not slugs:
            # A year before the current plan's start: the plan that ran then.
            now = timezone.now()
            plans_of = annual.plans_of_years(territory, timezone.localdate(now))
            plan = plans_of[year][0] if year in plans_of else plan
            return _rendered(
                request, plan, year, pdf_format=formats[0] == "pdf", now=now, plans_of=plans_of
            )
        # A year of two plans: the one the exports page named.
        [slug] = slugs
        named = ActionPlan.objects.published().named(slug).filter(territory=territory).first()
        if named is None:
            message = (
                f"Le territoire « {territory.name} » n'a pas de plan d'action publié dont "
                f"l'identifiant est « {slug[:SLUG_MAX_LENGTH]} »."
            )
            context = {"plan": plan, "year": year, "message": message}
            return render(request, "indicators/reports/no_report.html", context, status=404)
        return _rendered(request, named, year, pdf_format=formats[0] == "pdf", named=True)


def _rendered(request, plan, year, *, pdf_format, named=False, now=None, plans_of=None):
    try:
        report = annual.annual_report(plan, year, now=now or timezone.now(), plans_of=plans_of)
    except annual.NoReport as no_report:
        context = {"plan": plan, "year": year, "message": str(no_report)}
        return render(request, "indicators/reports/no_report.html", context, status=404)
    context = {"report": report, "pdf": pdf_format, "plan_query": named and f"plan={plan.slug}"}
    if not pdf_format:
        return render(request, TEMPLATE, context)
    response = HttpResponse(
        pdf.pdf_bytes(render_to_string(TEMPLATE, context, request=request)),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'attachment; filename="{report.pdf_filename}"'
    return response


def annual_report(request, year):
    if not request.user.is_authenticated:
        return chosen_territory.to_login(request)
    return _annual_report(request, year)

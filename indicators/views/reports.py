"""The annual report for the plan's funders: a printable page, or its PDF; a
territory's, as its exports are (`chosen_territory`)."""

import contextlib

from django.contrib.auth.decorators import permission_required
from django.core.validators import slug_re
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, set_script_prefix
from django.utils import timezone

from feminisation import access
from indicators.reports import annual, pdf
from indicators.views import chosen_territory
from initiatives.models import ActionPlan

FORMATS = ("html", "pdf")
FORMAT_ERROR = "Le format du bilan doit être « html » (la page à imprimer) ou « pdf »."
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
        template = "403.html" if refusal.status == 403 else "400.html"
        return render(request, template, {"message": str(refusal)}, status=refusal.status)
    slug = request.GET.get("plan")
    if slug is None:
        # A year before the current plan's start: the plan that ran then.
        plan = ActionPlan.objects.of_year(plan.territory, year) or plan
    else:
        # A year of two plans: the one the exports page named.
        named = ActionPlan.objects.published().filter(territory=plan.territory)
        named = named.filter(slug=slug).first() if slug_re.fullmatch(slug) else None
        if named is None:
            message = (
                f"Le territoire « {plan.territory.name} » n'a pas de plan d'action publié "
                f"dont l'identifiant est « {slug} »."
            )
            context = {"plan": plan, "year": year, "message": message}
            return render(request, "indicators/reports/no_report.html", context, status=404)
        plan = named
    with _links_of_site(request, plan.territory):
        return _rendered(request, plan, year, pdf_format=formats[0] == "pdf", named=slug)


def _rendered(request, plan, year, *, pdf_format, named=None):
    try:
        report = annual.annual_report(plan, year, now=timezone.now())
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

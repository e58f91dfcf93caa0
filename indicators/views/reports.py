"""The annual report for the plan's funders: a printable page, or its PDF; a
territory's, as its exports are (`chosen_territory`)."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from feminisation import access
from indicators.reports import annual, pdf
from indicators.views import chosen_territory

FORMATS = ("html", "pdf")
FORMAT_ERROR = "Le format du bilan doit être « html » (la page à imprimer) ou « pdf »."
TEMPLATE = "indicators/reports/annual.html"


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
    try:
        report = annual.annual_report(plan, year, now=timezone.now())
    except annual.NoReport as no_report:
        context = {"plan": plan, "year": year, "message": str(no_report)}
        return render(request, "indicators/reports/no_report.html", context, status=404)
    context = {"report": report, "pdf": formats[0] == "pdf"}
    if not context["pdf"]:
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

"""Managers' CSV exports and everyone's open data. Thin views: parse the query
string, pick the dataset from `indicators.exports`, stream it."""

import json

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from feminisation import access
from feminisation.cache import public_page
from indicators.exports import datasets, pg_copy, writer
from indicators.figures import stats, tables
from indicators.figures.charts import dashboard_charts
from indicators.reports import annual
from indicators.views import filters
from initiatives.models import ActionPlan

LICENCE = "Licence Ouverte / Open Licence version 2.0 (Etalab)"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"


def _bad_request(request, error):
    return render(request, "400.html", {"message": str(error)}, status=400)


def _current_plan():
    plan = ActionPlan.objects.current()
    if plan is None:
        raise Http404("Aucun plan d'action n'est publié.")
    return plan


def _export_form(request):
    plan = _current_plan()
    today = timezone.localdate()
    return plan, today, filters.ExportFilterForm(request.GET, plan=plan, today=today)


def _export(view):
    """Login and the export permission required; the query string read."""

    @login_required
    @permission_required(access.EXPORT_FIGURES, raise_exception=True)
    def wrapped(request):
        plan, today, form = _export_form(request)
        # A file has no page to show the form on: any error is a 400 with its message.
        if message := form.error_message():
            return _bad_request(request, message)
        return view(request, plan, form.export_request(), today)

    wrapped.__name__ = view.__name__
    return wrapped


@login_required
@permission_required(access.EXPORT_FIGURES, raise_exception=True)
def export_page(request):
    plan, today, form = _export_form(request)
    if message := form.unreadable_message():
        return _bad_request(request, message)
    # A choice the form reads but cannot use: the page again, its error beside the field.
    context = {"form": form, "report_years": annual.plan_years(plan, today)}
    return render(request, "indicators/exports.html", context)


def _filename(name, today, qualifier=""):
    return f"{name}{'-' + qualifier if qualifier else ''}-{today:%Y-%m-%d}.csv"


def _events_file(filename, events, dialect, audience=None):
    """One row per event and count line: written by PostgreSQL's COPY when it is the
    database (ten times faster), else row by row in Python; the same bytes."""
    if pg_copy.can_copy(events.db):
        source = datasets.event_copy_source(events, audience)
        return pg_copy.response(filename, datasets.EVENT_COLUMNS, source, dialect, events.db)
    rows = datasets.event_rows(events, audience)
    return writer.response(filename, datasets.EVENT_COLUMNS, rows, dialect)


@_export
def events_csv(request, plan, chosen, today):
    scope = chosen.filters.scope(plan)
    return _events_file(
        _filename("evenements", today),
        scope.events(),
        writer.DIALECTS[chosen.dialect],
        audience=scope.audience,
    )


@_export
def counts_csv(request, plan, chosen, today):
    scope = chosen.filters.scope(plan)
    return writer.response(
        _filename("compteurs", today, datasets.PERIOD_LABELS[chosen.period]),
        datasets.counts_columns(chosen.by_initiative, chosen.by_audience),
        datasets.counts_rows(scope, chosen.period, chosen.by_initiative, chosen.by_audience),
        writer.DIALECTS[chosen.dialect],
    )


@_export
def partners_csv(request, plan, chosen, today):
    scope = chosen.filters.scope(plan)
    return writer.response(
        _filename("partenaires", today),
        datasets.PARTNER_COLUMNS,
        # For the accounts that see every event in the admin, unpublished partners
        # included (access.EXPORT_FIGURES goes with SEE_ALL_EVENTS).
        tables.partners_by_year(scope, public=False),
        writer.DIALECTS[chosen.dialect],
    )


def events_response(events, *, today):
    """The events export of an admin selection (already narrowed to what the user
    may see)."""
    return _events_file(_filename("evenements-selection", today), events, writer.EXCEL_FR)


# Open data: the validated counts, per month, initiative and audience.


@public_page()
def open_data(request):
    plan = ActionPlan.objects.current()
    return render(
        request,
        "indicators/open_data.html",
        {
            "plan": plan,
            "updated_at": stats.last_update(plan) if plan else None,
            "licence": LICENCE,
            "licence_url": LICENCE_URL,
        },
    )


def _open_counts(plan):
    return tables.counts_table(stats.Scope(plan), "mois", by_initiative=True, by_audience=True)


OPEN_COLUMNS = [
    writer.Column("mois", lambda r: f"{r.period:%Y-%m}"),
    writer.Column("initiative", lambda r: r.initiative[2]),
    writer.Column("public_cible", lambda r: r.audience[1]),
    writer.Column("actions", lambda r: r.events),
    writer.Column("personnes_sensibilisees", lambda r: r.people),
    writer.Column("dont_femmes_ou_filles", lambda r: r.women),
    writer.Column("personnes_dont_le_sexe_est_connu", lambda r: r.people_with_known_women),
]


def _dialect(request):
    """The dialect `?format=` asks for (csv by default), or None if unknown."""
    return writer.DIALECTS.get(request.GET.get("format", "csv"))


FORMAT_ERROR = "Le format doit être « csv » ou « excel »."


@public_page("format")
def open_counts_csv(request):
    plan = _current_plan()
    dialect = _dialect(request)
    if dialect is None:
        return _bad_request(request, FORMAT_ERROR)
    return writer.response(
        "mixite-industrie-compteurs.csv",
        OPEN_COLUMNS,
        _open_counts(plan),
        dialect,
        stream=False,
    )


@public_page()
def open_counts_json(request):
    plan = _current_plan()
    updated_at = stats.last_update(plan)
    data = {
        "titre": plan.title,
        "territoire": plan.territory,
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "source": request.build_absolute_uri("/"),
        "mis_a_jour_le": timezone.localtime(updated_at).isoformat() if updated_at else None,
        "description": (
            "Personnes sensibilisées par les actions validées du plan, par mois, "
            "initiative et public cible. « dont_femmes_ou_filles » ne compte que les "
            "personnes dont le sexe est connu. « mis_a_jour_le » : date et heure de la "
            "dernière modification d'une action validée (validation, correction, "
            "suppression ou retour à son organisateur)."
        ),
        "donnees": [
            {column.header: column.value(row) for column in OPEN_COLUMNS}
            for row in _open_counts(plan)
        ],
    }
    return HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=1),
        content_type="application/json; charset=utf-8",
    )


@public_page(*filters.PARAMS, "format")
def chart_data(request, chart_id):
    """The numbers behind one dashboard chart, with the dashboard's filters."""
    plan = _current_plan()
    dialect = _dialect(request)
    if dialect is None:
        return _bad_request(request, FORMAT_ERROR)
    today = timezone.localdate()
    form = filters.DashboardFilterForm(request.GET, plan=plan, today=today)
    if message := form.error_message():
        return _bad_request(request, message)
    chosen = form.filters()
    target_year = chosen.target_year(today)
    # The cumulative chart's target: the targets' queries, for this file only.
    progress = stats.target_progress(
        plan, target_year, initiative=chosen.initiative, audience=chosen.audience
    )
    charts = dashboard_charts(
        chosen.scope(plan),
        has_period=chosen.has_period,
        today=today,
        target_year=target_year,
        progress=progress,
    )
    chart = next((chart for chart in charts if chart.id == chart_id), None)
    if chart is None:
        raise Http404("Ce graphique n'existe pas.")
    columns = [
        writer.Column(column.header, lambda row, i=i, column=column: column.csv(row[i]))
        for i, column in enumerate(chart.columns)
    ]
    return writer.response(
        f"{chart.id}-{today:%Y-%m-%d}.csv", columns, chart.rows, dialect, stream=False
    )

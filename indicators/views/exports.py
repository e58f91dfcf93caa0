"""Managers' exports and everyone's open data, as CSV files or Excel workbooks. Thin
views: parse the query string, pick the dataset from `indicators.exports`, and let
`downloads` name it and write it in the chosen format."""

import json
from functools import wraps

from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from feminisation import access
from feminisation.cache import public_page
from indicators.exports import (
    datasets,
    every_territory,
    open_files,
    pg_copy,
    writer,
    xlsx,
    xlsx_copy,
)
from indicators.exports.open_files import LICENCE, LICENCE_URL
from indicators.figures import stats, tables
from indicators.figures.charts import dashboard_charts
from indicators.reports import annual
from indicators.views import chosen_territory, downloads, filters
from initiatives.models import ActionPlan
from territories import scoping
from territories.site import territory_site


def _bad_request(request, error):
    return render(request, "400.html", {"message": str(error)}, status=400)


def _current_plan(territory=None):
    plan = ActionPlan.objects.current(territory)
    if plan is None:
        raise Http404("Aucun plan d'action n'est publié.")
    return plan


def _export_form(request, chosen_territory):
    plan = chosen_territory.plan
    today = timezone.localdate()
    form = filters.ExportFilterForm(
        request.GET,
        plan=plan,
        today=today,
        organisations=access.export_organisations(request.user),
        territory=None if chosen_territory.every else plan.territory,
    )
    return today, form


def _refused(request, message):
    return render(request, "403.html", {"message": message}, status=403)


def _may_export(view, *, page=False):
    """Login required, then `access.export_refusal`'s rule, then the territory the
    account may export (`chosen_territory`); a refusal says why."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return chosen_territory.to_login(request)
        if message := access.export_refusal(request.user):
            return _refused(request, message)
        try:
            chosen = chosen_territory.choose(request, page=page)
        except chosen_territory.Refused as refusal:
            return refusal.response(request)
        return view(request, chosen, *args, **kwargs)

    return wrapped


def _export(view):
    """The export rule (a partner's account: its organisations' events only, through
    the form's filters; every account: its territories' only); the query string read."""

    @_may_export
    @wraps(view)
    def wrapped(request, chosen):
        today, form = _export_form(request, chosen)
        # A file has no page to show the form on: any error is a 400 with its message.
        if message := form.error_message():
            return _bad_request(request, message)
        return view(request, chosen, form.export_request(), today)

    return wrapped


def _export_page(request, chosen):
    today, form = _export_form(request, chosen)
    if message := form.unreadable_message():
        return _bad_request(request, message)
    organisations = None
    if form.organisations is not None:
        organisations = list(form.fields["organisateur"].queryset.values_list("name", flat=True))
    plan = chosen.plan
    # A choice the form reads but cannot use: the page again, its error beside the field.
    context = {
        "form": form,
        "organisations": organisations,
        "territory": None if chosen.every else plan.territory,
        "territory_choices": chosen_territory.choices(request.user, chosen),
        "territory_query": chosen.query,
        "reports": (
            _report_links(annual.report_links(plan.territory, today), chosen.query)
            if organisations is None and not chosen.every
            else []
        ),
    }
    return render(request, "indicators/exports.html", context)


def _report_links(links, territory_query):
    """Each report's year, plan (where its year has several) and query string."""
    return [
        {
            "year": link.year,
            "plan": link.plan,
            "query": "&".join(
                part for part in (territory_query, link.plan and f"plan={link.plan.slug}") if part
            ),
        }
        for link in links
    ]


export_page = _may_export(_export_page, page=True)


def _about(title, dataset, chosen, export_request):
    if chosen.every:
        return downloads.every_territory_about(title, dataset, len(chosen.plans), export_request)
    return downloads.export_about(title, dataset, chosen.plan, export_request)


def _file_name(request, dataset, chosen, export_request, today):
    if chosen.every:
        territory = every_territory.FILE_PART
    else:
        territory = downloads.territory_part(request, chosen.plan.territory)
    return downloads.file_name(
        dataset, export_request, export_request.file_format, today, territory=territory
    )


def _events_file(name, events, chosen_format, about, audience=None):
    """One row per event and count line, a chunk of events at a time. Written by
    PostgreSQL's COPY when it is the database (ten times faster), else row by row in
    Python: the same cells."""
    if chosen_format == xlsx.KEY:
        xlsx.check_rows(datasets.event_lines(events, audience))
    if pg_copy.can_copy(events.db):
        sources = datasets.event_copy_sources(events, audience)
        if chosen_format == xlsx.KEY:
            return xlsx_copy.response(name, datasets.EVENT_COLUMNS, sources, about, events.db)
        dialect = writer.DIALECTS[chosen_format]
        return pg_copy.response(name, datasets.EVENT_COLUMNS, sources, dialect, events.db)
    rows = datasets.event_rows_by_chunks(events, audience)
    return downloads.download(name, datasets.EVENT_COLUMNS, rows, chosen_format, about)


def _every_territory_events_file(name, scopes, chosen_format, about):
    """`_events_file` for every territory: each one's rows in turn."""
    using = scopes[0].events().db
    columns = every_territory.EVENT_COLUMNS
    if chosen_format == xlsx.KEY:
        xlsx.check_rows(*every_territory.event_lines(scopes))
    if pg_copy.can_copy(using):
        sources = every_territory.event_copy_sources(scopes, using)
        if chosen_format == xlsx.KEY:
            return xlsx_copy.response(name, columns, sources, about, using)
        return pg_copy.response(name, columns, sources, writer.DIALECTS[chosen_format], using)
    rows = every_territory.event_rows(scopes, using)
    return downloads.download(name, columns, rows, chosen_format, about)


@_export
def events_csv(request, chosen, export_request, today):
    name = _file_name(request, "actions", chosen, export_request, today)
    about = _about("Actions", "actions", chosen, export_request)
    try:
        if chosen.every:
            scopes = every_territory.scopes(export_request.filters, chosen.plans)
            return _every_territory_events_file(name, scopes, export_request.file_format, about)
        scope = export_request.filters.scope(chosen.plan)
        return _events_file(
            name, scope.events(), export_request.file_format, about, audience=scope.audience
        )
    except xlsx.TooManyRows as refusal:
        return _bad_request(request, refusal)


@_export
def counts_csv(request, chosen, export_request, today):
    dataset = downloads.counts_dataset(export_request)
    by = (export_request.period, export_request.by_initiative, export_request.by_audience)
    if chosen.every:
        columns = every_territory.counts_columns(*by[1:])
        rows = every_territory.counts_rows(export_request.filters, chosen.plans, *by)
    else:
        scope = export_request.filters.scope(chosen.plan)
        columns = datasets.counts_columns(*by[1:])
        rows = datasets.counts_rows(scope, *by)
    return downloads.download(
        _file_name(request, dataset, chosen, export_request, today),
        columns,
        rows,
        export_request.file_format,
        _about("Compteurs", "compteurs", chosen, export_request),
    )


@_export
def partners_csv(request, chosen, export_request, today):
    # Unpublished partners named: managers and staff see every event in the admin,
    # and a partner's account gets its own organisations' rows only.
    if chosen.every:
        scopes = every_territory.scopes(export_request.filters, chosen.plans)
        columns, rows = every_territory.PARTNER_COLUMNS, every_territory.partner_rows(scopes)
    else:
        scope = export_request.filters.scope(chosen.plan)
        columns, rows = datasets.PARTNER_COLUMNS, tables.partners_by_year(scope, public=False)
    return downloads.download(
        _file_name(request, "partenaires", chosen, export_request, today),
        columns,
        rows,
        export_request.file_format,
        _about("Partenaires", "partenaires", chosen, export_request),
    )


def events_response(events, *, today, user=None, chosen_format=writer.EXCEL_FR.key):
    """The events export of an admin selection (already narrowed to what the user
    may see), kept to what `user` may export: its territories' (read in the same
    query), and a partner's account its organisations'. Raises xlsx.TooManyRows for
    a workbook too long for its sheet."""
    if user is not None:
        events = scoping.visible_to(events, user)
    if user is not None and (organisations := access.export_organisations(user)) is not None:
        events = events.of_partners(organisations)
    return _events_file(
        downloads.selection_name(chosen_format, today),
        events,
        chosen_format,
        downloads.selection_about(),
    )


# Open data: the validated counts, per month, initiative and audience, and the
# validated events; a territory's (its site's /donnees/), or every territory's
# (/national/donnees/, the URLs that pass `national=True`).


def _published(request, national):
    """What the open data of this address covers, or None without a published plan."""
    if national:
        return open_files.Coverage()
    # `request.territory` is a lazy None on an instance with several territories.
    plan = ActionPlan.objects.current(request.territory or None)
    return open_files.Coverage(plan) if plan is not None else None


def _coverage(request, national):
    coverage = _published(request, national)
    if coverage is None:
        raise Http404("Aucun plan d'action n'est publié.")
    return coverage


@territory_site
@public_page()
def open_data(request, national=False):
    coverage = _published(request, national)
    if coverage is None:
        # No file to offer: each one answers 404 until a plan is published.
        return render(request, "indicators/no_plan.html")
    return render(
        request,
        "indicators/open_data.html",
        {
            "coverage": coverage,
            "plan": coverage.plan if coverage else None,
            "urls": coverage.url_prefix if coverage else "",
            "updated_at": coverage.last_update() if coverage else None,
            "licence": LICENCE,
            "licence_url": LICENCE_URL,
        },
    )


# Declared with their types and descriptions, for datapackage.json too.
OPEN_COLUMNS = open_files.COUNT_FIELDS


FORMAT_ERROR = "Le format doit être « csv » ou « excel »."


OPEN_FORMATS = (*writer.DIALECTS, xlsx.KEY)
OPEN_FORMAT_ERROR = "Le format doit être « csv », « excel » ou « xlsx »."


def _open_file(request, coverage, dataset, columns, rows, *, events=False, stream=True):
    """An open-data file in the `?format=` asked for (CSV by default): a CSV dialect,
    or a workbook with its « À propos » sheet (`events`: the validated actions', which
    a sheet may not hold)."""
    try:
        chosen_format = downloads.asked_format(request, OPEN_FORMATS, OPEN_FORMAT_ERROR)
        if events and chosen_format == xlsx.KEY:
            xlsx.check_rows(coverage.scope.events())
    except (downloads.Unreadable, xlsx.TooManyRows) as refusal:
        return _bad_request(request, refusal)
    about = None
    if chosen_format == xlsx.KEY:
        about = downloads.open_data_about(
            coverage,
            coverage.last_update(),
            (LICENCE, LICENCE_URL),
            request.build_absolute_uri("/"),
            events=events,
        )
    if coverage.national:
        territory = "national"
    else:
        territory = downloads.territory_part(request, coverage.plan.territory)
    name = downloads.joined("mixite-industrie", territory, dataset)
    name = f"{name}.{'xlsx' if chosen_format == xlsx.KEY else 'csv'}"
    return downloads.download(name, columns, rows, chosen_format, about, stream=stream)


@territory_site
@public_page("format")
def open_counts_csv(request, national=False):
    coverage = _coverage(request, national)
    rows = open_files.count_rows(coverage)
    return _open_file(request, coverage, "compteurs", OPEN_COLUMNS, rows, stream=False)


def _open_json_meta(request, coverage, description):
    updated_at = coverage.last_update()
    return {
        "titre": coverage.title,
        "territoire": coverage.territory,
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "source": request.build_absolute_uri("/"),
        "mis_a_jour_le": timezone.localtime(updated_at).isoformat() if updated_at else None,
        "description": description,
    }


@territory_site
@public_page()
def open_counts_json(request, national=False):
    coverage = _coverage(request, national)
    data = _open_json_meta(
        request,
        coverage,
        (
            "Personnes sensibilisées par les actions validées du plan, par mois, "
            "territoire, initiative et public cible. « dont_femmes_ou_filles » ne compte "
            "que les personnes dont le sexe est connu. « mis_a_jour_le » : date et heure de "
            "la dernière modification d'une action validée (validation, correction, "
            "suppression ou retour à son organisateur)."
        ),
    )
    data["donnees"] = [
        open_files.json_record(OPEN_COLUMNS, row) for row in open_files.count_rows(coverage)
    ]
    return HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=1),
        content_type="application/json; charset=utf-8",
    )


@territory_site
@public_page("format")
def open_events_csv(request, national=False):
    """The validated events, public fields only: streamed, and cached once sent."""
    coverage = _coverage(request, national)
    return _open_file(
        request,
        coverage,
        "actions",
        open_files.EVENT_FIELDS,
        open_files.event_rows(coverage),
        events=True,
    )


@territory_site
@public_page()
def open_events_json(request, national=False):
    coverage = _coverage(request, national)
    meta = _open_json_meta(
        request,
        coverage,
        "Les actions de sensibilisation validées du plan, la plus ancienne d'abord, "
        "avec les champs de la liste publique des actions, le territoire et les codes "
        "officiels de la commune (INSEE) et de son intercommunalité (SIREN). "
        "« dont_femmes_ou_filles » ne compte que les personnes dont le sexe est connu.",
    )
    return StreamingHttpResponse(
        open_files.json_lines(meta, open_files.EVENT_FIELDS, open_files.event_rows(coverage)),
        content_type="application/json; charset=utf-8",
    )


@territory_site
@public_page()
def datapackage(request, national=False):
    """Every open-data file described (Frictionless Data Package), from the same
    column declarations as the files."""
    coverage = _coverage(request, national)

    def absolute_url(url_name, file_format):
        query = f"?format={file_format}" if file_format else ""
        return request.build_absolute_uri(reverse(url_name) + query)

    return JsonResponse(
        open_files.datapackage(coverage, absolute_url),
        json_dumps_params={"ensure_ascii": False, "indent": 1},
    )


@territory_site
@public_page(*filters.PARAMS, "format")
def chart_data(request, chart_id):
    """The numbers behind one dashboard chart, with the dashboard's filters."""
    plan = _current_plan(request.territory)
    try:
        dialect = writer.DIALECTS[downloads.asked_format(request, writer.DIALECTS, FORMAT_ERROR)]
    except downloads.Unreadable as error:
        return _bad_request(request, error)
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
    territory = downloads.territory_part(request, plan.territory)
    name = downloads.joined(chart.id, territory, f"{today:%Y-%m-%d}")
    return writer.response(f"{name}.csv", columns, chart.rows, dialect, stream=False)

"""Importing awareness events from a spreadsheet, in the admin.

A dedicated view: several rows (one per audience) make one event, every error
names its spreadsheet line in French, and the whole file is written in one
transaction or not at all. openpyxl reads the XLSX.

The flow: upload → every row checked, nothing written → a preview of what would be
created or updated, or the list of errors → confirm, which checks the stored file
again (the data may have changed meanwhile) and writes it, or cancel. Between the
two, the file waits in the database (`ImportPreview`, one per account, an hour at
most): any worker or server may receive the confirmation, with or without the
cache (`indicators.imports.confirmation`)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.template.loader import select_template
from django.template.response import TemplateResponse
from django.urls import path, reverse

from feminisation.access import sees_all_events
from feminisation.formatting import counted, number
from feminisation.uploads import MAX_UPLOAD_BYTES, upload_too_large
from indicators import workflow
from indicators.enums import EventFormat
from indicators.imports import limits
from indicators.imports.changes import EventImport
from indicators.imports.confirmation import Outcome, confirm
from indicators.imports.files import (
    HEADER_SEARCH,
    FileFormatError,
    read_table,
    template_csv,
    template_xlsx,
)
from indicators.models import ImportPreview
from indicators.sheet import CO_ORGANIZER_SEPARATOR, COLUMNS, EXPORT_ONLY, STATUS_NAMES
from initiatives.models import Audience, Initiative
from partners.models import Partner
from territories import scoping
from territories.plans import PARAMETER, current_plans

# The preview lists this many events per table, then says how many more.
PREVIEW_LIMIT = 200
ERROR_LIMIT = 500
MB = 1024 * 1024
TOO_LARGE = "Le fichier dépasse 10 Mo : découpez-le en plusieurs fichiers."
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportFileForm(forms.Form):
    """The file, and for an account of several territories the one it imports into
    (among those with a published plan: `plans`)."""

    territory = forms.ChoiceField(
        label="Territoire",
        help_text="Les actions du fichier sont importées dans le plan en cours de ce territoire.",
    )
    file = forms.FileField(
        label="Fichier à importer",
        help_text="Excel (.xlsx), ou CSV séparé par des points-virgules ou des virgules "
        "(UTF-8 ou Windows) : 10 Mo et 20 000 lignes au plus.",
    )

    def __init__(self, *args, plans=(), too_large=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.plans = {plan.territory.slug: plan for plan in plans}
        if len(self.plans) > 1:
            self.fields["territory"].choices = [
                ("", "---------"),
                *((slug, plan.territory.name) for slug, plan in self.plans.items()),
            ]
            self.fields["territory"].error_messages["invalid_choice"] = (
                "Choisissez un de vos territoires dans la liste."
            )
        else:
            del self.fields["territory"]
        if too_large:  # the upload handler dropped the file while receiving it
            self.fields["file"].error_messages["required"] = TOO_LARGE

    @property
    def plan(self):
        """The plan the file is imported into (None: no plan to import into)."""
        if "territory" not in self.fields:
            return next(iter(self.plans.values()), None)
        return self.plans.get(self.cleaned_data.get("territory"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(TOO_LARGE)
        self.content = b"".join(upload.chunks())
        try:
            self.table = read_table(self.content)
        except FileFormatError as error:
            raise ValidationError(str(error)) from None
        return upload


OUTCOME_MESSAGES = {
    Outcome.ALREADY_IMPORTED: (
        "Ce fichier a déjà été importé, ou son aperçu n'est plus valable (annulé, "
        "remplacé par un autre fichier ou expiré) : cette confirmation n'a rien enregistré."
    ),
    Outcome.NOTHING_TO_CHANGE: (
        "Ce fichier a déjà été importé : les actions de « {file_name} » sont déjà "
        "enregistrées à l'identique, rien n'a été modifié."
    ),
    Outcome.EXPIRED: (
        "L'aperçu du fichier « {file_name} » a expiré (il attend une heure au plus) : "
        "rien n'a été importé. Déposez de nouveau le fichier."
    ),
    Outcome.EDITED_SINCE_PREVIEW: (
        "Depuis l'aperçu, quelqu'un a enregistré des actions que le fichier « {file_name} » "
        "modifie (n° {numbers}) : rien n'a été importé, pour ne pas écraser ces "
        "modifications. Déposez de nouveau le fichier : le nouvel aperçu partira des "
        "actions telles qu'elles sont maintenant."
    ),
    Outcome.PLAN_CHANGED: (
        "Le plan d'action du territoire a changé depuis l'aperçu du fichier « {file_name} » "
        "(« {plan} » n'est plus le plan en cours) : rien n'a été importé. Déposez de "
        "nouveau le fichier : son aperçu montrera les actions dans le plan en cours."
    ),
    Outcome.BUSY: (
        "Un autre import est en cours d'écriture : rien n'a été importé. Déposez de "
        "nouveau le fichier dans un instant."
    ),
}


def _skipped(table):
    """« Titres des colonnes lus sur la ligne 3 : les lignes 1 et 2, au-dessus, sont
    ignorées. », or nothing when the titles are on the sheet's first line written."""
    lines = [str(line) for line in table.skipped_lines]
    if not lines:
        return ""
    if len(lines) == 1:
        what = f"la ligne {lines[0]}, au-dessus, est ignorée"
    else:
        what = f"les lignes {', '.join(lines[:-1])} et {lines[-1]}, au-dessus, sont ignorées"
    return f"Titres des colonnes lus sur la ligne {table.header_line} : {what}."


def _counted(count, singular, plural):
    return f"{count} {singular if count < 2 else plural}"


def _more(count, singular, plural):
    """« 3 autres … » beyond the preview's limit, or nothing."""
    extra = count - PREVIEW_LIMIT
    return counted(extra, singular, plural) if extra > 0 else ""


def _duplicates_summary(count):
    if count == 0:
        return ""
    if count == 1:
        return (
            "1 action du fichier ressemble à une action déjà saisie ou à une autre action du "
            "fichier (même date, commune, initiative et organisateur) : vérifiez-la avant "
            "de confirmer."
        )
    return (
        f"{number(count)} actions du fichier ressemblent à des actions déjà saisies ou à "
        "d'autres actions du fichier (même date, commune, initiative et organisateur) : "
        "vérifiez-les avant de confirmer."
    )


def _chosen(request, plans):
    """The territory named in the address (`?territoire=<slug>`), else the first one."""
    slug = request.GET.get(PARAMETER)
    if slug is None and plans:
        return plans[0].territory.slug
    return slug


def _plan_named(plans, slug):
    return next((plan for plan in plans if plan.territory.slug == slug), None)


def _help_plan(request, context):
    """The plan whose initiatives the page lists: the chosen territory's."""
    plans = context.get("plans", ())
    form = context.get("form")
    slug = None
    if form is not None and form.is_bound and "territory" in form.fields:
        slug = form.data.get("territory")
    return _plan_named(plans, slug or _chosen(request, plans))


class EventImportMixin:
    """Adds « Importer un fichier » to AwarenessEventAdmin: the import page, its
    template download and a button on the change list (whatever change list
    template the admin uses, which this one extends)."""

    import_page_template = "indicators/import/import.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        opts = self.model._meta
        self.import_base_change_list_template = self.change_list_template or [
            f"admin/{opts.app_label}/{opts.model_name}/change_list.html",
            f"admin/{opts.app_label}/change_list.html",
            "admin/change_list.html",
        ]
        self.change_list_template = "indicators/import/change_list.html"

    def get_urls(self):
        info = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name=f"{info}_import"),
            path(
                "import/modele/",
                self.admin_site.admin_view(self.import_template_view),
                name=f"{info}_import_template",
            ),
            *super().get_urls(),
        ]

    def has_import_permission(self, request):
        """An import adds and changes events: it needs both permissions (partners
        have them, narrowed to their organisations by EventImport)."""
        return self.has_add_permission(request) and self.has_change_permission(request)

    def changelist_view(self, request, extra_context=None):
        base = self.import_base_change_list_template
        extra_context = {
            "has_import_permission": self.has_import_permission(request),
            "import_base_change_list_template": (
                base if isinstance(base, str) else select_template(base)
            ),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    # The import page ---------------------------------------------------------------

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.method == "POST" and "token" in request.POST:
            if "cancel" in request.POST:
                return self._cancel_import(request)
            return self._confirm_import(request)
        plans = current_plans(request.user)
        if request.method == "POST":
            form = ImportFileForm(
                request.POST, request.FILES, plans=plans, too_large=upload_too_large(request)
            )
        else:
            form = ImportFileForm(plans=plans, initial={"territory": _chosen(request, plans)})
        context = {"form": form, "plans": plans}
        if request.method == "POST" and form.is_valid():
            file_name = form.cleaned_data["file"].name
            plan = form.plan
            territory = plan.territory if plan else None
            result = EventImport(request.user, form.table, territory).check(plans)
            context.update(self._result_context(result, file_name, form.table))
            if result.is_valid and (result.created or result.updated):
                context["token"] = ImportPreview.keep(
                    request.user, file_name, form.content, result.plan, result.versions_shown()
                )
            else:  # nothing to confirm: a file left pending is replaced by none
                ImportPreview.discard(request.user)
        return self._render(request, context)

    def _confirm_import(self, request):
        confirmation = confirm(request.user, request.POST["token"])
        outcome, file_name = confirmation.outcome, confirmation.file_name
        if outcome is Outcome.CHANGED_SINCE_PREVIEW:
            plans = current_plans(request.user)
            context = {
                "form": ImportFileForm(plans=plans),
                "plans": plans,
                "changed_since_preview": True,
                **self._result_context(confirmation.result, file_name, confirmation.table),
            }
            return self._render(request, context)
        if outcome is Outcome.IMPORTED:
            result = confirmation.result
            messages.success(
                request,
                f"Import du fichier « {file_name} » terminé : "
                f"{_counted(len(result.created), 'action créée', 'actions créées')}, "
                f"{_counted(len(result.updated), 'action mise à jour', 'actions mises à jour')}.",
            )
            opts = self.model._meta
            return HttpResponseRedirect(
                reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_changelist",
                    current_app=self.admin_site.name,
                )
            )
        numbers = ", ".join(str(pk) for pk in confirmation.edited)
        messages.error(
            request,
            OUTCOME_MESSAGES[outcome].format(
                file_name=file_name, numbers=numbers, plan=confirmation.plan
            ),
        )
        return HttpResponseRedirect(request.path)

    def _cancel_import(self, request):
        deleted, _ = ImportPreview.objects.filter(
            user=request.user, token=request.POST["token"]
        ).delete()
        if deleted:
            messages.info(request, "Import annulé : le fichier déposé a été effacé.")
        return HttpResponseRedirect(request.path)

    def _result_context(self, result, file_name, table):
        rows = _counted(len(table.rows), "ligne lue", "lignes lues")
        if result.errors:
            summary = (
                f"Le fichier « {file_name} » ({rows}) contient "
                f"{_counted(len(result.errors), 'erreur', 'erreurs')}."
            )
        else:
            summary = (
                f"Le fichier « {file_name} » est valide ({rows}) : "
                f"{_counted(len(result.created), 'action à créer', 'actions à créer')}, "
                f"{_counted(len(result.updated), 'à mettre à jour', 'à mettre à jour')}, "
                f"{_counted(result.unchanged, 'déjà à jour', 'déjà à jour')}."
            )
        return {
            "result_summary": summary,
            "result": result,
            "file_name": file_name,
            "ignored_headers": table.ignored_headers,
            "header_line": table.header_line,
            "skipped_lines": _skipped(table),
            "errors": result.errors[:ERROR_LIMIT],
            "more_errors": max(0, len(result.errors) - ERROR_LIMIT),
            "created": result.created[:PREVIEW_LIMIT],
            "more_created": max(0, len(result.created) - PREVIEW_LIMIT),
            "updated": result.updated[:PREVIEW_LIMIT],
            "more_updated": max(0, len(result.updated) - PREVIEW_LIMIT),
            "line_count": sum(len(change.counts) for change in result.created + result.updated),
            "duplicates": result.duplicates[:PREVIEW_LIMIT],
            "more_duplicates": _more(
                len(result.duplicates), "autre doublon possible", "autres doublons possibles"
            ),
            "duplicates_summary": _duplicates_summary(len(result.duplicates)),
        }

    def _render(self, request, context):
        user = request.user
        plan = _help_plan(request, context)
        restricted = not sees_all_events(user)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Importer des actions de sensibilisation",
            "columns": COLUMNS,
            "separator": CO_ORGANIZER_SEPARATOR,
            "export_only": EXPORT_ONLY,
            "header_search": HEADER_SEARCH,
            "plan": plan,
            "several_territories": len(context.get("plans", ())) > 1,
            "initiatives": Initiative.objects.filter(plan=plan) if plan else [],
            "formats": EventFormat.choices,
            "audiences": Audience.objects.all(),
            "organisations": user.partner_organisations.all() if restricted else None,
            "statuses": [STATUS_NAMES[s] for s in workflow.importable_statuses(user)],
            "changed_since_preview": False,
            "limits": {
                "upload": MAX_UPLOAD_BYTES // MB,
                "lines": number(limits.MAX_LINES),
                "columns": limits.MAX_COLUMNS,
                "cell": number(limits.MAX_CELL_CHARS),
                "inflated": limits.MAX_XLSX_BYTES // MB,
            },
            **context,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.import_page_template, context)

    # The template ------------------------------------------------------------------

    def import_template_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.GET.get("format") == "csv":
            response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
            name = "modele-import-actions.csv"
        else:
            response = HttpResponse(template_xlsx(self._template_choices(request)), XLSX_TYPE)
            name = "modele-import-actions.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def _template_choices(self, request):
        user = request.user
        plans = current_plans(user)
        plan = _plan_named(plans, _chosen(request, plans))
        # The partners of the plan's territory (a partner's account: its own there).
        partners = (
            user.partner_organisations.all()
            if not sees_all_events(user)
            else Partner.objects.only("name")
        )
        partners = scoping.in_territories(partners, [plan.territory_id] if plan else [])
        return {
            "initiative": [str(i) for i in Initiative.objects.filter(plan=plan)] if plan else [],
            "format": list(EventFormat.labels),
            "organizer": [partner.name for partner in partners],
            "audience": [audience.name for audience in Audience.objects.all()],
            "status": [STATUS_NAMES[s] for s in workflow.importable_statuses(user)],
        }

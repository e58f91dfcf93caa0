"""Importing awareness events from a spreadsheet, in the admin.

A dedicated view: several rows (one per audience) make one event, every error
names its spreadsheet line in French, and the whole file is written in one
transaction or not at all. openpyxl reads the XLSX.

The flow: upload → every row checked, nothing written → a preview of what would be
created or updated, or the list of errors → confirm, which checks the stored file
again (the data may have changed meanwhile) and writes it. Between the two, the
file waits in Django's cache (CACHE_URL): shared by every worker and server when
the cache is, as it must be for the public pages already."""

import hashlib
import secrets

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.template.loader import select_template
from django.template.response import TemplateResponse
from django.urls import path, reverse

from feminisation.access import sees_all_events
from indicators import workflow
from indicators.enums import EventFormat
from indicators.imports.changes import EventImport
from indicators.imports.files import FileFormatError, read_table, template_csv, template_xlsx
from indicators.sheet import CO_ORGANIZER_SEPARATOR, COLUMNS, EXPORT_ONLY, STATUS_NAMES
from initiatives.models import ActionPlan, Audience, Initiative
from partners.models import Partner

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# The preview lists this many events per table, then says how many more.
PREVIEW_LIMIT = 200
ERROR_LIMIT = 500
TOKEN_SALT = "indicators.imports"
TOKEN_MAX_AGE = 6 * 60 * 60
CACHE_KEY_PREFIX = "indicators-import:"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportFileForm(forms.Form):
    file = forms.FileField(
        label="Fichier à importer",
        help_text="Excel (.xlsx), ou CSV séparé par des points-virgules ou des virgules "
        "(UTF-8 ou Windows), 10 Mo au plus.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError("Le fichier dépasse 10 Mo : découpez-le en plusieurs fichiers.")
        self.content = b"".join(upload.chunks())
        try:
            self.table = read_table(self.content)
        except FileFormatError as error:
            raise ValidationError(str(error)) from None
        return upload


def _counted(count, singular, plural):
    return f"{count} {singular if count < 2 else plural}"


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
            return self._confirm_import(request)
        form = ImportFileForm(request.POST or None, request.FILES or None)
        context = {"form": form}
        if request.method == "POST" and form.is_valid():
            file_name = form.cleaned_data["file"].name
            result = EventImport(request.user, form.table).check()
            context.update(self._result_context(result, file_name, form.table))
            if result.is_valid and (result.created or result.updated):
                context["token"] = self._store(request, form.content, file_name)
        return self._render(request, context)

    def _confirm_import(self, request):
        try:
            stored = signing.loads(request.POST["token"], salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
        except signing.BadSignature:
            stored = None
        content = None
        if stored and stored.get("key") and stored.get("user") == request.user.pk:
            content = cache.get(stored["key"])
        if not content or hashlib.sha256(content).hexdigest() != stored["sha256"]:
            return self._expired(request)
        table = read_table(content)
        result = EventImport(request.user, table).check()
        if not result.is_valid:
            context = {
                "form": ImportFileForm(),
                "changed_since_preview": True,
                **self._result_context(result, stored["file"], table),
            }
            return self._render(request, context)
        # Taken out of the cache before writing: of two clicks on « Confirmer »,
        # only one finds it.
        if not cache.delete(stored["key"]):
            return self._expired(request)
        result.apply(stored["file"])
        messages.success(
            request,
            f"Import du fichier « {stored['file']} » terminé : "
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

    def _expired(self, request):
        # Expired, already imported (a second click), or not this user's.
        messages.error(
            request,
            "Cet aperçu n'est plus valable (il a expiré ou le fichier a déjà été "
            "importé) : déposez de nouveau le fichier.",
        )
        return HttpResponseRedirect(request.path)

    def _store(self, request, content, file_name):
        """Keeps the checked file until it is confirmed, under a random key; the
        signed token names it, so that nobody else's file, nor a file changed
        meanwhile, is imported."""
        key = CACHE_KEY_PREFIX + secrets.token_urlsafe(32)
        cache.set(key, content, TOKEN_MAX_AGE)
        return signing.dumps(
            {
                "key": key,
                "file": file_name,
                "user": request.user.pk,
                "sha256": hashlib.sha256(content).hexdigest(),
            },
            salt=TOKEN_SALT,
        )

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
            "errors": result.errors[:ERROR_LIMIT],
            "more_errors": max(0, len(result.errors) - ERROR_LIMIT),
            "created": result.created[:PREVIEW_LIMIT],
            "more_created": max(0, len(result.created) - PREVIEW_LIMIT),
            "updated": result.updated[:PREVIEW_LIMIT],
            "more_updated": max(0, len(result.updated) - PREVIEW_LIMIT),
            "line_count": sum(len(change.counts) for change in result.created + result.updated),
        }

    def _render(self, request, context):
        user = request.user
        plan = ActionPlan.objects.current()
        restricted = not sees_all_events(user)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Importer des actions de sensibilisation",
            "columns": COLUMNS,
            "separator": CO_ORGANIZER_SEPARATOR,
            "export_only": EXPORT_ONLY,
            "plan": plan,
            "initiatives": Initiative.objects.filter(plan=plan) if plan else [],
            "formats": EventFormat.choices,
            "audiences": Audience.objects.all(),
            "organisations": user.partner_organisations.all() if restricted else None,
            "statuses": [STATUS_NAMES[s] for s in workflow.importable_statuses(user)],
            "changed_since_preview": False,
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
        plan = ActionPlan.objects.current()
        partners = (
            user.partner_organisations.all()
            if not sees_all_events(user)
            else Partner.objects.only("name")
        )
        return {
            "initiative": [str(i) for i in Initiative.objects.filter(plan=plan)] if plan else [],
            "format": list(EventFormat.labels),
            "organizer": [partner.name for partner in partners],
            "audience": [audience.name for audience in Audience.objects.all()],
            "status": [STATUS_NAMES[s] for s in workflow.importable_statuses(user)],
        }

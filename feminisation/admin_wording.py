"""The admin's titles, buttons and messages in the plan's French, for every model.

Django's French translation names every model after « l'objet » (« Sélectionnez
l'objet action de sensibilisation à changer », « L'objet … a été ajouté avec
succès. », « Ajout de action de sensibilisation »): the site mixes this into every
registered ModelAdmin (feminisation.admin_site), and the words come from the model's
names and gender (feminisation.grammar)."""

import json

from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import NestedObjects, quote
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.contrib.auth.models import Permission
from django.db import router
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from feminisation.grammar import Noun, capfirst, listed

# What a permission allows, by the start of its codename.
PERMISSION_VERBS = {"add": "ajouter", "change": "modifier", "delete": "supprimer", "view": "voir"}


def permission_label(permission):
    """« Indicateurs | action de sensibilisation | modifier », where Django says « Can
    change awareness event » in English whatever the language."""
    model = permission.content_type.model_class()
    if model is None:
        return str(permission)
    verb = permission.codename.partition("_")[0]
    what = PERMISSION_VERBS.get(verb) if permission.name.startswith("Can ") else None
    return " | ".join(
        (str(model._meta.app_config.verbose_name), Noun.of(model).singular, what or permission.name)
    )


class WordedInlineAdminFormSet(helpers.InlineAdminFormSet):
    """The inline's « Ajouter une ligne de comptage » link."""

    def inline_formset_data(self):
        data = json.loads(super().inline_formset_data())
        data["options"]["addText"] = f"Ajouter {Noun.of(self.formset.model).a}"
        data["options"]["deleteText"] = "Retirer"
        return json.dumps(data)


class WordedRelatedWidgetWrapper(RelatedFieldWidgetWrapper):
    """The links beside a related field (« Modifier : partenaire »), rendered with
    the project's templates: the forms' renderer reads only Django's, which name
    « l'objet partenaire sélectionné »."""

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)
        return mark_safe(render_to_string(self.template_name, context))


class WordedAdminMixin:
    """Titles, the add button, the inlines' add link, the save and delete messages,
    the delete confirmation and the « supprimer » action, worded for the model."""

    @property
    def noun(self):
        return Noun.of(self.model)

    def wording(self):
        noun = self.noun
        return {
            "add": f"Ajouter {noun.a}",
            "noun": noun,
        }

    # Titles.

    def changelist_view(self, request, extra_context=None):
        the = self.noun.the
        if "_popup" in request.GET:
            title = f"Choisissez {the}"
        elif self.has_change_permission(request):
            title = f"Choisissez {the} à modifier"
        else:
            title = f"Choisissez {the} à consulter"
        context = {"title": title, "wording": self.wording(), **(extra_context or {})}
        return _reworded(super().changelist_view(request, context))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        name = self.opts.verbose_name
        if context.get("title") in {_("Add %s") % name, _("Change %s") % name, _("View %s") % name}:
            if add:
                context["title"] = self.noun.new
            elif self.has_change_permission(request, obj):
                context["title"] = f"Modifier {self.noun.the}"
            else:
                context["title"] = f"Consulter {self.noun.the}"
        context.setdefault("wording", self.wording())
        return _reworded(super().render_change_form(request, context, add, change, form_url, obj))

    def get_inline_formsets(self, request, formsets, inline_instances, obj=None):
        inline_formsets = super().get_inline_formsets(request, formsets, inline_instances, obj)
        for inline_formset in inline_formsets:
            if type(inline_formset) is helpers.InlineAdminFormSet:
                inline_formset.__class__ = WordedInlineAdminFormSet
        return inline_formsets

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return _worded_widget(super().formfield_for_dbfield(db_field, request, **kwargs))

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        for inline in inlines:
            inline.formfield_for_dbfield = _worded_fields(inline.formfield_for_dbfield)
        return inlines

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        if formfield is not None and db_field.related_model is Permission:
            formfield.label_from_instance = permission_label
            formfield.queryset = formfield.queryset.select_related("content_type")
        return formfield

    def action_checkbox(self, obj):
        # Django's checkbox with our label, written at once: through the widget's
        # three templates, the checkboxes took a quarter of a list's rendering.
        # Followed by what the admin's rows send with it (`row_hidden_inputs`), if any.
        hidden = getattr(super(), "row_hidden_inputs", None)
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" '
            'aria-label="Choisir pour une action : {}">{}',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            obj,
            "" if hidden is None else hidden(obj),
        )

    # Messages: Django's are replaced when they are sent, so that a ModelAdmin's own
    # message_user (the events' workflow notice) still sees them.

    def response_add(self, request, obj, post_url_continue=None):
        request._worded_save = ("ajouté", obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        request._worded_save = ("modifié", obj)
        return super().response_change(request, obj)

    def response_delete(self, request, obj_display, obj_id):
        request._worded_save = ("supprimé", obj_display)
        return super().response_delete(request, obj_display, obj_id)

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        if level == messages.SUCCESS and (saved := getattr(request, "_worded_save", None)):
            del request._worded_save
            message = self._saved_message(request, *saved)
        super().message_user(request, message, level, *args, **kwargs)

    def _saved_message(self, request, participle, obj):
        noun = self.noun
        message = f"{capfirst(noun.the)} « {obj} » a été {noun.agreed(participle)}."
        if "_continue" in request.POST:
            message += f" Vous pouvez {noun.pronoun} modifier ci-dessous."
        elif "_addanother" in request.POST:
            message += f" Vous pouvez ajouter {noun.another} ci-dessous."
        return message

    # Deleting: the related objects named in French, without the rows of Django's
    # link tables (« AwarenessEvent_co_organizers object (72) ») nor those derived
    # from what is deleted (see _unnamed).

    def get_deleted_objects(self, objs, request):
        objs = list(objs)
        if not objs:
            return [], {}, set(), []
        collector = NestedObjects(using=router.db_for_write(self.model), origin=objs)
        collector.collect(objs)
        perms_needed = set()

        def described(obj):
            model = type(obj)
            if _unnamed(model):
                return None
            noun = Noun.of(model)
            text = f"{capfirst(noun.singular)} : "
            if not self.admin_site.is_registered(model):
                return f"{text}{obj}"
            if not self.admin_site.get_model_admin(model).has_delete_permission(request, obj):
                perms_needed.add(noun.plural)
            opts = model._meta
            try:
                url = reverse(
                    f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                    args=[quote(obj.pk)],
                )
            except NoReverseMatch:
                return f"{text}{obj}"
            return format_html('{}<a href="{}">{}</a>', text, url, obj)

        to_delete = _without_none(collector.nested(described))
        protected = [described(obj) for obj in collector.protected]
        model_count = {
            model: len(instances)
            for model, instances in collector.model_objs.items()
            if not _unnamed(model)
        }
        request._deleted_counts = model_count
        # For the list's « Supprimer » action, whose page Django builds alone.
        request.deleted_summary = listed(Noun.of(m).counted(n) for m, n in model_count.items())
        return (
            to_delete,
            {Noun.of(m).plural: n for m, n in model_count.items()},
            perms_needed,
            protected,
        )

    def render_delete_form(self, request, context):
        noun = self.noun
        counts = getattr(request, "_deleted_counts", {})
        others = [
            Noun.of(model).its(count) for model, count in counts.items() if model is not self.model
        ]
        question = f"Supprimer {noun.the} « {context['object']} »"
        if others:
            question += f" et {listed(others)}"
        context.update(
            title=f"{question} ?", delete_question=f"{question} ?", wording=self.wording()
        )
        return super().render_delete_form(request, context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            function, name, _description = actions["delete_selected"]
            noun = self.noun
            actions["delete_selected"] = (
                function,
                name,
                f"Supprimer les {noun.plural} {noun.agreed('choisi', 2)}",
            )
        return actions


def _worded_widget(formfield):
    if formfield is not None and type(formfield.widget) is RelatedFieldWidgetWrapper:
        formfield.widget.__class__ = WordedRelatedWidgetWrapper
    return formfield


def _worded_fields(formfield_for_dbfield):
    def worded(db_field, request, **kwargs):
        return _worded_widget(formfield_for_dbfield(db_field, request, **kwargs))

    return worded


def _reworded(response):
    """A list or form, once rendered, with its labels reworded."""
    if hasattr(response, "add_post_render_callback"):
        response.add_post_render_callback(_reword_labels)
    return response


def _reword_labels(response):
    """The labels that Django writes in English or without a template block or a
    hook: the list's boxes' and search's, and the yes/no icons' text alternatives."""
    labels = {
        'aria-label="{}"'.format(_("Select all objects on this page for an action")): (
            'aria-label="Tout choisir sur cette page pour une action"'
        ),
        'alt="Search"': 'alt="Rechercher"',
        'alt="True"': 'alt="Oui"',
        'alt="False"': 'alt="Non"',
        'alt="None"': 'alt="Inconnu"',
    }
    content = response.content.decode()
    for generic, worded in labels.items():
        content = content.replace(generic, worded)
    response.content = content


def _without_none(nested):
    """Django's nested list of what a deletion takes along, without the hidden rows
    (None) and what only they take along (the list that follows them)."""
    kept, hidden = [], False
    for item in nested:
        if isinstance(item, list):
            if not hidden and (children := _without_none(item)):
                kept.append(children)
        else:
            hidden = item is None
            if not hidden:
                kept.append(item)
    return kept


def _unnamed(model):
    """Rows deleted with an object without being named to whoever deletes it: Django's
    link tables, and the rows a model says are derived from others (`derived_rows`)."""
    return model._meta.auto_created or getattr(model, "derived_rows", False)

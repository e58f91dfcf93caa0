"""The events list's workflow actions: submit, validate, return for correction.

Which events each one changes, and why it leaves the others, is
`indicators.workflow`'s; here each event is saved with .save(), not
QuerySet.update(), so that the history records who changed its status, when and
why, and the message says how many events changed and why the others did not.

Each event is locked while its transition is decided and saved, and compared with
the version the list showed (`seen_versions`): an event saved by someone else
since is left as it is, as a form would refuse it."""

import datetime
from collections import Counter

from django.contrib import admin, messages
from django.utils import timezone

from feminisation import validators
from indicators import workflow
from indicators.figures import store

RETURN_NEEDS_COMMENT = (
    "Écrivez dans « Commentaire pour le partenaire » ce qu'il faut corriger : aucune action "
    "n'a été renvoyée."
)


# The list's hidden field « version_<id> »: the version of each event it shows.
VERSION_PREFIX = "version_"
# Its hidden field with the time it was shown, for the events « tout sélectionner »
# chooses beyond the rows shown.
LISTED_AT = "listed_at"


def seen_versions(request):
    """{event id: the version the list showed}, from the list's hidden fields; an
    event chosen through « select all » has none."""
    versions = {}
    for name, value in request.POST.items():
        if name.startswith(VERSION_PREFIX):
            try:
                versions[int(name.removeprefix(VERSION_PREFIX))] = int(value)
            except ValueError:
                continue
    return versions


def listed_at(request):
    """When the list the action was chosen from was shown, or None."""
    try:
        moment = datetime.datetime.fromisoformat(request.POST.get(LISTED_AT, ""))
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else None


def _apply(modeladmin, request, queryset, transition, comment=""):
    user = request.user
    closed = workflow.closed_years()
    seen, shown_at = seen_versions(request), listed_at(request)
    changed, skipped = 0, Counter()
    # One refresh of the daily figures per day touched, not one per event.
    with store.collecting():
        # Locked by id, in the order of the ids (the list's queryset may be DISTINCT,
        # which FOR UPDATE refuses).
        events = (
            queryset.model.objects.filter(pk__in=queryset.order_by().values("pk"))
            .select_related("initiative", "organizer")
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        for event in events:
            refusal = workflow.transition_refusal(
                user,
                event,
                transition,
                closed,
                seen_version=seen.get(event.pk),
                listed_at=shown_at,
            )
            if refusal is not None:
                skipped[refusal] += 1
                continue
            workflow.perform(transition, event, user, comment)
            event.save()
            modeladmin.log_change(request, event, event._change_reason)
            changed += 1
    modeladmin.message_user(
        request,
        workflow.summary(changed, skipped, transition),
        messages.SUCCESS if changed and not skipped else messages.WARNING,
    )


@admin.action(description="Soumettre pour validation", permissions=["change"])
def submit_for_validation(modeladmin, request, queryset):
    _apply(modeladmin, request, queryset, workflow.SUBMIT)


@admin.action(description="Valider", permissions=["validate"])
def validate(modeladmin, request, queryset):
    _apply(modeladmin, request, queryset, workflow.VALIDATE)


@admin.action(description="Renvoyer pour correction", permissions=["validate"])
def return_for_correction(modeladmin, request, queryset):
    comment = request.POST.get("commentaire", "").strip()
    if not comment:
        modeladmin.message_user(request, RETURN_NEEDS_COMMENT, messages.ERROR)
        return
    if problem := validators.problem(comment, multiline=True):
        modeladmin.message_user(
            request, f"{problem} Aucune action n'a été renvoyée.", messages.ERROR
        )
        return
    _apply(modeladmin, request, queryset, workflow.RETURN, comment)

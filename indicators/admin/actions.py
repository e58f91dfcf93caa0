"""The validation workflow's admin actions: submit, validate, return for correction.

Each event is saved with .save(), not QuerySet.update(), so that the history
records who changed its status, when and why; the message says how many events
changed and why the others were left as they were."""

from collections import Counter
from dataclasses import dataclass

from django.contrib import admin, messages

from feminisation.access import can_validate
from feminisation.formatting import counted
from indicators.enums import EventStatus
from indicators.figures import store
from indicators.models import ClosedYear

# Why an event is left as it is, in the singular and the plural.
IN_STATUS = {
    EventStatus.DRAFT: ("en brouillon", "en brouillon"),
    EventStatus.SUBMITTED: ("déjà soumise", "déjà soumises"),
    EventStatus.RETURNED: ("à corriger par le partenaire", "à corriger par le partenaire"),
    EventStatus.VALIDATED: ("déjà validée", "déjà validées"),
}
IN_CLOSED_YEAR = ("d'une année clôturée", "d'années clôturées")

# The history's reasons (its column is 100 characters long).
REASON_MAX_LENGTH = 100
SUBMITTED_REASON = "Soumise pour validation"
VALIDATED_REASON = "Validée"


def returned_reason(comment):
    return f"Renvoyée pour correction : {comment}"[:REASON_MAX_LENGTH]


@dataclass(frozen=True)
class Transition:
    from_statuses: frozenset
    done: tuple  # (singular, plural) participle
    # Partners cannot change a closed year's events; returning one to them would
    # ask for a correction they cannot make.
    closed_year_for_all: bool = False


SUBMIT = Transition(
    frozenset({EventStatus.DRAFT, EventStatus.RETURNED}),
    ("soumise pour validation", "soumises pour validation"),
)
VALIDATE = Transition(frozenset({EventStatus.SUBMITTED}), ("validée", "validées"))
RETURN = Transition(
    frozenset({EventStatus.SUBMITTED, EventStatus.VALIDATED}),
    ("renvoyée pour correction", "renvoyées pour correction"),
    closed_year_for_all=True,
)


def closed_years():
    """{(plan id, year)} of the closed years, read once for a whole selection."""
    return set(ClosedYear.objects.values_list("plan_id", "year"))


def _apply(modeladmin, request, queryset, transition, change, reason):
    may_edit_closed_years = can_validate(request.user)
    closed = closed_years()
    changed, skipped = 0, Counter()
    # One refresh of the daily figures per day touched, not one per event.
    with store.collecting():
        for event in queryset.select_related("initiative"):
            in_closed_year = (event.initiative.plan_id, event.date.year) in closed
            if event.status not in transition.from_statuses:
                skipped[IN_STATUS[event.status]] += 1
            elif in_closed_year and (transition.closed_year_for_all or not may_edit_closed_years):
                skipped[IN_CLOSED_YEAR] += 1
            else:
                change(event)
                event.updated_by = request.user
                event._change_reason = reason
                event.save()
                modeladmin.log_change(request, event, reason)
                changed += 1
    modeladmin.message_user(
        request,
        _summary(changed, skipped, transition),
        messages.SUCCESS if changed and not skipped else messages.WARNING,
    )


def _summary(changed, skipped, transition):
    """« 2 actions validées. 3 laissées telles quelles : 2 en brouillon, 1 déjà validée. »"""
    if changed:
        text = f"{counted(changed, 'action', 'actions')} {transition.done[changed > 1]}."
    else:
        text = "Aucune action modifiée."
    if skipped:
        total = sum(skipped.values())
        reasons = ", ".join(f"{count} {forms[count > 1]}" for forms, count in skipped.most_common())
        kept = "laissée telle quelle" if total < 2 else "laissées telles quelles"
        text += f" {total} {kept} : {reasons}."
    return text


@admin.action(description="Soumettre pour validation", permissions=["change"])
def submit_for_validation(modeladmin, request, queryset):
    _apply(
        modeladmin,
        request,
        queryset,
        SUBMIT,
        lambda event: event.submit(),
        SUBMITTED_REASON,
    )


@admin.action(description="Valider", permissions=["validate"])
def validate(modeladmin, request, queryset):
    _apply(
        modeladmin,
        request,
        queryset,
        VALIDATE,
        lambda event: event.validate(request.user),
        VALIDATED_REASON,
    )


@admin.action(description="Renvoyer pour correction", permissions=["validate"])
def return_for_correction(modeladmin, request, queryset):
    comment = request.POST.get("commentaire", "").strip()
    if not comment:
        modeladmin.message_user(
            request,
            "Écrivez dans « Commentaire pour le partenaire » ce qu'il faut corriger : "
            "aucune action n'a été renvoyée.",
            messages.ERROR,
        )
        return
    _apply(
        modeladmin,
        request,
        queryset,
        RETURN,
        lambda event: event.return_for_correction(comment),
        returned_reason(comment),
    )

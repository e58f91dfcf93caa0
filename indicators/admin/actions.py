"""The events list's workflow actions: submit, validate, return for correction.

Which events each one changes, and why it leaves the others, is
`indicators.workflow`'s; here the events it moves are written together, with
what each one's .save() would write — its history record (who changed its status,
when and why, with its co-organisers), the admin's log, its figures, the public
pages' cache — in a fixed number of queries however many are chosen, and the
message says how many events changed and why the others did not.

Each event is locked while its transition is decided and saved, and compared with
the version the list showed (`seen_versions`): an event saved by someone else
since is left as it is, as a form would refuse it."""

import datetime
from collections import Counter, defaultdict

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.db.models import F
from django.utils import timezone

from feminisation import validators
from feminisation.cache import invalidate_public_pages
from indicators import workflow
from indicators.figures import moves, store
from indicators.models import AwarenessEvent

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


# Events locked per statement: at most this many ids in one, as SQLite takes 32,766.
LOCKED_AT_ONCE = 10_000


def _locked(queryset):
    """The list's events, locked by id in the order of the ids (the list's queryset
    may be DISTINCT, which FOR UPDATE refuses). Their ids are read first: PostgreSQL
    joined the list's filtered subquery by scanning every event (3.6 s at 10M)."""
    ids = sorted(queryset.order_by().values_list("pk", flat=True))
    for start in range(0, len(ids), LOCKED_AT_ONCE):
        yield from (
            queryset.model.objects.filter(pk__in=ids[start : start + LOCKED_AT_ONCE])
            .select_related("initiative", "organizer")
            .select_for_update(of=("self",))
            .order_by("pk")
        )


def _apply(modeladmin, request, queryset, transition, comment=""):
    user = request.user
    seen, shown_at = seen_versions(request), listed_at(request)
    moved, old_statuses, skipped = [], {}, Counter()
    # One moment for the whole action: the moved events are then written together.
    now = timezone.now()
    with store.collecting():
        events = list(_locked(queryset))
        # Read once the events are locked, their plans' closures held off until the
        # moves are committed when a closed year would refuse them: a year closed
        # meanwhile is seen here.
        if workflow.closure_binds(user, transition.to_status):
            workflow.hold_closures({event.initiative.plan_id for event in events})
        closed = workflow.closed_years()
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
            old_statuses[event.pk] = event.status
            workflow.perform(transition, event, user, comment, when=now)
            moved.append(event)
        _save_all(moved, old_statuses, user, now)
    modeladmin.message_user(
        request,
        workflow.summary(len(moved), skipped, transition),
        messages.SUCCESS if moved and not skipped else messages.WARNING,
    )


# What workflow.perform changes (a save adds the time and the next version).
MOVED_FIELDS = ("status", "validated_at", "validated_by_id", "review_comment", "updated_by_id")


def _save_all(events, old_statuses, user, now):
    """Writes the moved events (locked since they were read) as each one's .save()
    would: its next version, its history record with its co-organisers, a line of
    the admin's log, its figures moved from the rows of its old status to those of
    its new one (`figures.moves`), and the public pages emptied at the commit."""
    if not events:
        return
    changed = defaultdict(list)
    for event in events:
        event.version += 1
        event.updated_at = now
        changed[tuple(getattr(event, name) for name in MOVED_FIELDS)].append(event.pk)
    # An UPDATE for each set of values (one, but for the validation times an event
    # already validated keeps): a bulk update would build a CASE per event and field.
    for values, ids in changed.items():
        AwarenessEvent.objects.filter(pk__in=ids).update(
            **dict(zip(MOVED_FIELDS, values, strict=True)),
            updated_at=now,
            version=F("version") + 1,
        )
    records = AwarenessEvent.history.bulk_history_create(
        events, update=True, default_user=user, default_date=now
    )
    _record_co_organizers(records)
    by_reason = defaultdict(list)
    for event in events:
        by_reason[event._change_reason].append(event)
    for reason, logged in by_reason.items():
        LogEntry.objects.log_actions(user.pk, logged, CHANGE, change_message=reason)
    moves.move(events, old_statuses)
    invalidate_public_pages(records=events)


def _record_co_organizers(records):
    """The co-organisers each new history record keeps, as a save records them."""
    through = AwarenessEvent.co_organizers.through
    kept = AwarenessEvent.history.model._meta.get_field(
        "historicalawarenessevent_co_organizers"
    ).related_model
    rows = through.objects.filter(awarenessevent_id__in=[record.id for record in records])
    by_event = defaultdict(list)
    for row in rows.values("id", "awarenessevent_id", "partner_id"):
        by_event[row["awarenessevent_id"]].append(row)
    kept.objects.bulk_create(
        kept(history=record, **row) for record in records for row in by_event[record.id]
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

"""An event's history as people read it: what each save changed, its count lines
included; the count lines as they were at a version, to bring them back; and what
changed since the staff last returned or validated it, for them to review.

django-simple-history keeps the event's versions and, apart, its lines' versions.
What ties them is time: a save writes the event first (its co-organisers next),
then its lines, so the lines of a version are those recorded before the event's
next record; a deletion removes the lines a moment before the event itself."""

import datetime
from dataclasses import dataclass
from itertools import pairwise

from django.db.models import Exists, OuterRef, Q
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.text import capfirst

from feminisation.formatting import counted, number
from indicators.enums import EventStatus
from indicators.models import AudienceCount, AwarenessEvent
from initiatives.models import Audience, Initiative
from partners.models import Partner

# Lines deleted this long before their event count as deleted with it.
CASCADE_WINDOW = datetime.timedelta(seconds=5)
NOTHING = "—"


def when(moment):
    """« 14/03/2026 à 14:05 », in the site's time zone (Europe/Paris)."""
    return f"{timezone.localtime(moment):%d/%m/%Y à %H:%M}"


def who(record):
    return record.history_user.get_username() if record.history_user_id else "quelqu'un"


# The lines at a version ---------------------------------------------------------


def _lines_before(event_id, end):
    """The event's line records up to `end` (an event record, or None for all of
    them), oldest first; when `end` is a deletion, without the lines it deleted."""
    records = AudienceCount.history.filter(event_id=event_id)
    if end is not None:
        records = records.filter(history_date__lt=end.history_date)
        if end.history_type == "-":
            records = records.exclude(
                history_type="-", history_date__gte=end.history_date - CASCADE_WINDOW
            )
    return records.order_by("history_date", "history_id")


def lines_at(record):
    """The count lines (historical records) of the event as they were at this
    version of it; for a deletion, as they were when it was deleted."""
    end = record if record.history_type == "-" else record.next_record
    alive = {}
    for line in _lines_before(record.id, end):
        if line.history_type == "-":
            alive.pop(line.id, None)
        else:
            alive[line.id] = line
    return list(alive.values())


def co_organizers_at(record):
    """The ids of the event's co-organisers at this version of it; for a deletion,
    at its last save (the deletion's record is written once they are gone)."""
    if record.history_type == "-":
        record = (
            AwarenessEvent.history.filter(id=record.id, history_date__lt=record.history_date)
            .exclude(history_type="-")
            .order_by("-history_date")
            .first()
        )
        if record is None:
            return set()
    return set(record.co_organizers.values_list("partner_id", flat=True))


def missing_references(record, lines, co_organizers=None):
    """What this version of an event (with these lines) names that was deleted
    since — its initiative, organiser, co-organisers (`co_organizers_at`, unless
    given), lines' audiences — each as
    « l'organisateur « Arc France » »; [] when nothing is missing. A deleted
    partner or initiative is named from its own history."""
    missing = []
    if not Initiative.objects.filter(pk=record.initiative_id).exists():
        title = _last_known(Initiative, record.initiative_id, "title")
        missing.append(f"l'initiative « {title} »")
    if co_organizers is None:
        co_organizers = co_organizers_at(record)
    partner_ids = {record.organizer_id, *co_organizers}
    existing = set(Partner.objects.filter(pk__in=partner_ids).values_list("pk", flat=True))
    if record.organizer_id not in existing:
        name = _last_known(Partner, record.organizer_id, "name")
        missing.append(f"l'organisateur « {name} »")
    for partner_id in sorted(partner_ids - existing - {record.organizer_id}):
        missing.append(f"le co-organisateur « {_last_known(Partner, partner_id, 'name')} »")
    audience_ids = {line.audience_id for line in lines}
    existing = set(Audience.objects.filter(pk__in=audience_ids).values_list("pk", flat=True))
    missing.extend(f"le public n° {pk}" for pk in sorted(audience_ids - existing))
    return missing


def _last_known(model, pk, field):
    value = (
        model.history.filter(id=pk).order_by("-history_date").values_list(field, flat=True).first()
    )
    return value or f"n° {pk}"


def restore_lines(event, record, reason):
    """Gives the event the count lines it had at `record`, matched by audience: the
    lines since added are deleted, the others get their figures back (each write
    recorded in the history, the days' figures refreshed by the signals)."""
    wanted = {line.audience_id: line for line in lines_at(record)}
    current = {line.audience_id: line for line in event.counts.all()}
    for audience_id, line in current.items():
        if audience_id not in wanted:
            line._change_reason = reason
            line.delete()
    for audience_id, old in sorted(wanted.items()):
        line = current.get(audience_id) or AudienceCount(event=event, audience_id=audience_id)
        if line.pk is not None and (line.people, line.women) == (old.people, old.women):
            continue
        line.people, line.women = old.people, old.women
        line._change_reason = reason
        line.save()


# The words -----------------------------------------------------------------------


def audience_names(audience_ids):
    names = dict(Audience.objects.filter(pk__in=audience_ids).values_list("pk", "short_name"))
    return {pk: names.get(pk, f"public n° {pk}") for pk in audience_ids}


def line_figures(people, women):
    """« 125 personnes, dont 66 femmes ou filles »."""
    text = counted(people, "personne", "personnes")
    if women is None:
        return f"{text}, nombre de femmes non renseigné"
    return f"{text}, dont {counted(women, 'femme ou fille', 'femmes ou filles')}"


def _line_value(line, audiences):
    return f"{audiences[line.audience_id]} : {line_figures(line.people, line.women)}"


def _line_change(before, after, audiences):
    old = NOTHING if before is None else _line_value(before, audiences)
    new = NOTHING if after.history_type == "-" else _line_value(after, audiences)
    # As the history page's changes of fields (ChangeDisplay) are given.
    return {"field": "Ligne de comptage", "old": old, "new": new, "note": ""}


def _in_window(line, record, end):
    """Whether a line record belongs to the save of event record `record`, which
    `end` (the event's next record, or None) follows."""
    if record.history_type == "-":
        # A deletion's lines are deleted a moment before the event.
        return line.history_type == "-" and (
            record.history_date - CASCADE_WINDOW <= line.history_date < record.history_date
        )
    if line.history_date < record.history_date:
        return False
    if end is None:
        return True
    if line.history_date >= end.history_date:
        return False
    return not (
        end.history_type == "-"
        and line.history_type == "-"
        and line.history_date >= end.history_date - CASCADE_WINDOW
    )


def line_changes(event_id, records, following=None):
    """{history_id: [change]}: the changes of the event's lines that each of these
    consecutive event records' saves made, each line compared with its previous
    record. `following` is the record after the newest of them (None: the newest
    is the latest). A line changed by someone else than the event's record, or for
    another reason, says by whom and why."""
    records = sorted(records, key=lambda record: (record.history_date, record.history_id))
    changes = {record.history_id: [] for record in records}
    if not records:
        return changes
    ends = [*records[1:], following]
    lines = list(_lines_until(event_id, following).select_related("history_user"))
    audiences = audience_names({line.audience_id for line in lines})
    previous = {}
    for line in lines:
        before = previous.get(line.id)
        previous[line.id] = None if line.history_type == "-" else line
        for record, end in zip(records, ends, strict=True):
            if not _in_window(line, record, end):
                continue
            change = _line_change(before, line, audiences)
            if line.history_user_id != record.history_user_id or (
                line.history_change_reason or ""
            ) != (record.history_change_reason or ""):
                change["note"] = _by(line)
            changes[record.history_id].append(change)
            break
    return changes


def _lines_until(event_id, following):
    records = AudienceCount.history.filter(event_id=event_id)
    if following is not None:
        records = records.filter(history_date__lt=following.history_date)
    return records.order_by("history_date", "history_id")


def _by(record):
    text = f"par {who(record)}, le {when(record.history_date)}"
    if record.history_change_reason:
        text += f", motif : {record.history_change_reason}"
    return text


def change_items(changes):
    """The changes as the history page's list items."""
    return [
        format_html(
            "<li><strong>{} :</strong> {}&nbsp;&rarr;&nbsp;{}{}</li>",
            change["field"],
            change["old"],
            change["new"],
            format_html(" <small>({})</small>", change["note"]) if change["note"] else "",
        )
        for change in changes
    ]


# The saves since a version: what a conflict shows ----------------------------------


@dataclass
class Save:
    """One save of the event after the version a form showed."""

    user: str
    date: datetime.datetime
    reason: str
    changes: list


def saves_since(event_id, version, field_changes):
    """The saves of the event after `version`, oldest first, each with what it
    changed: its fields (`field_changes(old_record, new_record)`, in the history
    page's words) and its count lines. [] when the history does not know that
    version."""
    records = list(
        AwarenessEvent.history.filter(id=event_id, version__gte=version)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    seen = [record for record in records if record.version == version]
    if not seen:
        return []
    # A save writes one record, two when the co-organisers change too.
    groups = {}
    for record in records:
        if record.version > version:
            groups.setdefault(record.version, []).append(record)
    newer = [record for group in groups.values() for record in group]
    lines = line_changes(event_id, newer)
    saves, previous = [], seen[-1]
    for group in groups.values():
        changes = field_changes(previous, group[-1])
        for record in group:
            changes.extend(lines[record.history_id])
        first, previous = group[0], group[-1]
        saves.append(Save(who(first), first.history_date, first.history_change_reason, changes))
    return saves


# What changed since the staff last reviewed it: what a resubmitted event shows them -----

# The event's content as its form gives it, in the form's order: neither its status
# nor what the workflow or the tracking write.
REVIEWED_FIELDS = (
    "initiative",
    "title",
    "date",
    "format",
    "notes",
    "venue_name",
    "commune",
    "organizer",
    "co_organizers",
)
REVIEWED_STATUSES = (EventStatus.RETURNED, EventStatus.VALIDATED)


@dataclass
class Change:
    """One field or count line, before → after, and the last save that changed it."""

    label: str
    old: str
    new: str
    by: str
    at: datetime.datetime

    @property
    def note(self):
        return f"par {self.by}, le {when(self.at)}"


@dataclass
class ReviewChanges:
    """The changes of an event since the version the staff last returned or
    validated (`reference`, a record of its history)."""

    reference: object
    fields: list
    lines: list

    @property
    def reviewed(self):
        """« renvoyée pour correction » or « validée »: what the staff last did."""
        if self.reference.status == EventStatus.RETURNED:
            return "renvoyée pour correction"
        return "validée"

    @property
    def reviewed_by(self):
        return who(self.reference)

    @property
    def reviewed_at(self):
        return when(self.reference.history_date)

    @property
    def comment(self):
        """What the staff asked the partner to correct, when they returned it."""
        if self.reference.status == EventStatus.RETURNED:
            return self.reference.review_comment
        return ""

    @property
    def changed(self):
        return bool(self.fields or self.lines)


def changes_since_review(event):
    """What changed in the event, fields and count lines, since its latest version
    that was « à corriger » or « validée »: each field by its French name (links by
    name), each line by its audience, before → after, with who last changed it and
    when. None when no version of it was ever returned or validated (a first
    submission). Eight queries at most, whatever the length of its history."""
    history = AwarenessEvent.history.filter(id=event.pk).select_related("history_user")
    reference = (
        history.filter(status__in=REVIEWED_STATUSES)
        .order_by("-history_date", "-history_id")
        .first()
    )
    if reference is None:
        return None
    if reference.status == EventStatus.RETURNED:
        # A partner's saves keep it « à corriger » until they choose to resubmit it:
        # the changes count from the return itself, the first of those versions.
        other_status_since = history.exclude(status=EventStatus.RETURNED).filter(
            history_date__gt=OuterRef("history_date"), history_date__lt=reference.history_date
        )
        reference = (
            history.filter(status=EventStatus.RETURNED, history_date__lte=reference.history_date)
            .exclude(Exists(other_status_since))
            .order_by("history_date", "history_id")
            .first()
        )
    records = [
        reference,
        *history.filter(
            Q(history_date__gt=reference.history_date)
            | Q(history_date=reference.history_date, history_id__gt=reference.history_id)
        ).order_by("history_date", "history_id"),
    ]
    if len(records) == 1:
        return ReviewChanges(reference, [], [])
    return ReviewChanges(reference, _field_changes(records), _review_line_changes(event, records))


def _field_changes(records):
    co_organizers = _co_organizers_by_record(records)

    def value(record, field):
        if field.many_to_many:
            return co_organizers.get(record.history_id, frozenset())
        return getattr(record, field.attname)

    first, last = records[0], records[-1]
    fields = [AwarenessEvent._meta.get_field(name) for name in REVIEWED_FIELDS]
    changed = [field for field in fields if value(first, field) != value(last, field)]
    named = {}
    for field in changed:
        if field.is_relation:
            for record in (first, last):
                found = value(record, field)
                named.setdefault(field.related_model, set()).update(
                    found if field.many_to_many else {found}
                )
    names = _related_names(named)
    saves = list(pairwise(records))
    changes = []
    for field in changed:
        # The last save that changed it: the change is its author's.
        author = next(
            after
            for before, after in reversed(saves)
            if value(before, field) != value(after, field)
        )
        changes.append(
            Change(
                capfirst(field.verbose_name),
                _shown(field, value(first, field), names),
                _shown(field, value(last, field), names),
                who(author),
                author.history_date,
            )
        )
    return changes


def _co_organizers_by_record(records):
    """{history_id: frozenset of partner ids}: the co-organisers each record kept."""
    through = AwarenessEvent.history.model._meta.get_field(
        "historicalawarenessevent_co_organizers"
    ).related_model
    rows = through.objects.filter(history__in=[record.history_id for record in records])
    found = {}
    for history_id, partner_id in rows.values_list("history_id", "partner_id"):
        found.setdefault(history_id, set()).add(partner_id)
    return {history_id: frozenset(ids) for history_id, ids in found.items()}


def _related_names(ids_by_model):
    """{(model, pk): name}, one query per model; a deleted object is named by its
    number."""
    names = {}
    for model, ids in ids_by_model.items():
        ids = {pk for pk in ids if pk is not None}
        if ids:
            found = model.objects.in_bulk(ids)
            names.update({(model, pk): str(found[pk]) if pk in found else f"n° {pk}" for pk in ids})
    return names


def _shown(field, value, names):
    if field.many_to_many:
        return ", ".join(sorted(names[field.related_model, pk] for pk in value)) or NOTHING
    if value is None or value == "":
        return NOTHING
    if field.is_relation:
        return names[field.related_model, value]
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime.date):
        return formats.localize(value)
    return str(value)


def _review_line_changes(event, records):
    """The count lines, by audience, as they were at the reference (the first of
    `records`) against as they are now; each change by the last line record of its
    audience."""
    # The lines of a version are those recorded before the event's next record.
    since = records[1].history_date
    before, now, last, recorded = {}, {}, {}, set()
    for line in (
        AudienceCount.history.filter(event_id=event.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    ):
        if line.history_date < since:
            _replay(before, line)
        else:
            if line.id not in recorded and line.history_type != "+":
                # Created before its history was kept (seed_demo, a line older than
                # the history): it was there, with figures nobody recorded.
                before[line.id] = _UnknownLine(line.audience_id)
            last[line.audience_id] = line
        recorded.add(line.id)
        _replay(now, line)
    old = {line.audience_id: line for line in before.values()}
    new = {line.audience_id: line for line in now.values()}
    changed = [
        audience_id
        for audience_id in old.keys() | new.keys()
        if _figures(old.get(audience_id)) != _figures(new.get(audience_id))
    ]
    if not changed:
        return []
    audiences = audience_names(set(changed))
    changes = []
    for audience_id in sorted(changed, key=lambda pk: audiences[pk]):
        texts = _line_texts(old.get(audience_id), new.get(audience_id))
        author = last[audience_id]
        changes.append(Change(audiences[audience_id], *texts, who(author), author.history_date))
    return changes


@dataclass(frozen=True)
class _UnknownLine:
    audience_id: int


UNKNOWN_FIGURES = "inconnu (avant l'historique)"


def _replay(alive, line):
    if line.history_type == "-":
        alive.pop(line.id, None)
    else:
        alive[line.id] = line


def _figures(line):
    if line is None or isinstance(line, _UnknownLine):
        return line
    return (line.people, line.women)


def _line_texts(before, after):
    """Before and after, as « 12 → 15 personnes, dont 8 femmes ou filles » when only
    the number of people changed."""
    new = NOTHING if after is None else line_figures(after.people, after.women)
    if before is None:
        return NOTHING, new
    if isinstance(before, _UnknownLine):
        return UNKNOWN_FIGURES, new
    if after is not None and before.women == after.women:
        return number(before.people), new
    return line_figures(before.people, before.women), new

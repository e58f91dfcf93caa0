"""What an import file would change.

EventImport reads every row (`rows`), groups the rows of one event (one row
per audience), finds the events already recorded, and lists what it would create
or update, with a French reason for each invalid line. Nothing is written until
apply(), which writes everything in one transaction, or nothing (`writing`).

Every lookup is done once per file, in bulk (the plan's names, closed years, the
recorded events, their lines and co-organisers), and every write is a bulk one:
the queries do not grow with the rows."""

from collections import defaultdict
from dataclasses import dataclass, field

from geography.models import name_key
from indicators import workflow
from indicators.enums import EventFormat, EventStatus
from indicators.imports import duplicates, writing
from indicators.imports.rows import TEXT_MAX_LENGTH, RowReader
from indicators.models import AudienceCount, AwarenessEvent
from indicators.sheet import HEADERS_BY_KEY, lookup_key
from initiatives.models import ActionPlan
from territories import scoping
from territories.models import Territory
from territories.plans import plan_for

# The event's own fields: the rows of one event must agree on them.
EVENT_FIELDS = (
    "date",
    "initiative",
    "title",
    "format",
    "venue_name",
    "commune",
    "organizer",
    "co_organizers",
    "status",
)
STATUS_FIELDS = ("status", "review_comment", "validated_at", "validated_by")
NO_PLAN = (
    "Aucun plan d'action de ce territoire n'est publié : les initiatives d'une action se "
    "cherchent dans le plan en cours."
)
NO_TERRITORY_PLAN = (
    "Aucun plan d'action n'est publié pour votre territoire (ou votre compte n'appartient "
    "à aucun territoire, ou à plusieurs : choisissez alors le territoire) : les initiatives "
    "d'une action se cherchent dans le plan en cours."
)
# A file previewed for one of the account's territories, confirmed once it has left it.
NOT_YOUR_TERRITORY = (
    "Votre compte n'appartient plus au territoire de ce fichier : il n'y importe rien."
)


@dataclass(frozen=True)
class LineError:
    """An invalid line of the file (0 for the file as a whole), and why."""

    line: int
    message: str


@dataclass
class EventChange:
    """An event the file creates or changes, with its count lines."""

    lines: list
    event: AwarenessEvent
    co_organizers: list
    counts: dict  # Audience → (people, women)
    is_new: bool
    changes: list = field(default_factory=list)  # French, for the preview
    changed_fields: set = field(default_factory=set)
    recorded_year: tuple = None  # (plan, year) of a recorded event before the import
    recorded_key: tuple = None  # its duplicate_key before the import
    recorded_organizer: object = None
    co_organizers_changed: bool = False
    lines_to_create: list = field(default_factory=list)
    lines_to_update: list = field(default_factory=list)
    lines_to_delete: list = field(default_factory=list)


class EventImport:
    """Imports into the current plan of `territory` (None: the account's only
    territory): its initiatives, its partners, its events and no other's."""

    def __init__(self, user, table, territory=None):
        self.user = user
        self.table = table
        self.territory = territory
        self.errors = []
        self.error_lines = set()
        self.created = []
        self.updated = []
        self.unchanged = 0
        # Actions that look like others (warnings: duplicates.PossibleDuplicate).
        self.duplicates = []

    def _no_plan_message(self):
        if self.territory is None:
            return NO_TERRITORY_PLAN
        territory_id = getattr(self.territory, "pk", self.territory)
        if not Territory.objects.visible_to(self.user).filter(pk=territory_id).exists():
            return NOT_YOUR_TERRITORY
        return NO_PLAN

    @property
    def is_valid(self):
        return not self.errors

    def error(self, line, message):
        self.errors.append(LineError(line, message))
        self.error_lines.add(line)

    def versions_shown(self):
        """The version of each recorded event the preview shows changes to."""
        return {change.event.pk: change.event.version for change in self.updated}

    def check(self, plans=None):
        """Fills errors, created, updated and unchanged. Writes nothing. `plans`: the
        account's current plans, when already read (territories.plans)."""
        self.plan = plan_for(self.user, self.territory, plans)
        if self.plan is None:
            self.error(0, self._no_plan_message())
            return self
        self.reader = reader = RowReader(self.user, self.plan)
        if reader.restricted and not reader.own_organisations:
            self.error(0, workflow.NO_ORGANISATION)
            return self
        if not workflow.may_write_in_closed_years(self.user):
            # Held until the confirmation commits: a year of the territory closed
            # meanwhile is seen here, never left behind the file's events.
            plans = ActionPlan.objects.filter(territory_id=self.plan.territory_id)
            workflow.hold_closures(plans.values_list("pk", flat=True))
        self.closed_years = workflow.closed_years()
        rows = []
        for line, cells in self.table.rows:
            values, problems = reader.read(cells)
            for problem in problems:
                self.error(line, problem)
            rows.append((line, values))
        self._list_changes(self._group(rows))
        self.errors.sort(key=lambda error: error.line)
        if self.is_valid:
            self.duplicates = duplicates.possible_duplicates(self)
        return self

    # Grouping rows into events ----------------------------------------------------

    def _group(self, rows):
        """Rows with the same reference, or else the same date, title, organiser,
        venue and commune, describe one event."""
        groups = {}
        for line, values in rows:
            if values.get("reference"):
                key = ("reference", values["reference"])
            elif all(values.get(name) for name in ("date", "title", "organizer")) and all(
                name in values for name in ("venue_name", "commune")
            ):
                key = (
                    "event",
                    values["date"],
                    lookup_key(values["title"]),
                    values["organizer"].pk,
                    lookup_key(values["venue_name"]),
                    name_key(values["commune"].name),
                )
            else:
                continue  # its errors are reported; it cannot be matched to an event
            groups.setdefault(key, []).append((line, values))
        for group in groups.values():
            self._check_group(group)
        return groups

    def _check_group(self, group):
        first_line, first = group[0]
        audience_lines = {}
        for line, values in group:
            for name in EVENT_FIELDS:
                if name in first and name in values and not _same(name, first[name], values[name]):
                    self.error(
                        line,
                        f"Cette ligne décrit la même action que la ligne {first_line}, mais sa "
                        f"colonne « {HEADERS_BY_KEY[name]} » diffère : chaque ligne d'une "
                        "action répète les mêmes informations sur l'action.",
                    )
            audience = values.get("audience")
            if audience is None:
                continue
            if audience.pk in audience_lines:
                self.error(
                    line,
                    f"Le public « {audience} » figure déjà ligne {audience_lines[audience.pk]} "
                    "pour la même action : une seule ligne par public.",
                )
            else:
                audience_lines[audience.pk] = line

    # Matching the recorded events and listing the changes --------------------------

    def _list_changes(self, groups):
        existing = self._recorded_events(groups)
        recorded_ids = [event.pk for event in existing.values() if event is not None]
        counts = defaultdict(dict)
        for chunk in writing.in_chunks(recorded_ids):
            for line in AudienceCount.objects.filter(event_id__in=chunk):
                counts[line.event_id][line.audience_id] = line
        co_organizers = defaultdict(set)
        through = AwarenessEvent.co_organizers.through
        for chunk in writing.in_chunks(recorded_ids):
            for event_id, partner_id in through.objects.filter(
                awarenessevent_id__in=chunk
            ).values_list("awarenessevent_id", "partner_id"):
                co_organizers[event_id].add(partner_id)

        for key, group in groups.items():
            event = existing.get(key)
            if event is None:
                change = self._creation(group)
            else:
                change = self._update(group, event, counts[event.pk], co_organizers[event.pk])
            if change is None:
                continue
            if refusal := self._ownership_refusal(change):
                self._group_error(group, refusal)
                continue
            if not workflow.may_write_in_closed_years(self.user):
                self._check_closed_years(change)
            if change.is_new:
                self.created.append(change)
            elif change.changes:
                self.updated.append(change)
            else:
                self.unchanged += 1

    def _recorded_events(self, groups):
        """The recorded event each group updates, or None for a new one."""
        found = {}
        references = sorted({key[1] for key in groups if key[0] == "reference"})
        by_pk = {}
        for chunk in writing.in_chunks(references):
            by_pk.update(self._territory_events().filter(pk__in=chunk).in_bulk())
        by_key = defaultdict(list)
        natural = [key for key in groups if key[0] == "event"]
        if natural:
            dates = [key[1] for key in natural]
            organizers = {key[3] for key in natural}
            if self.reader.restricted:
                # Never match, nor name in an error, another organisation's events.
                organizers &= self.reader.own_organisations
            candidates = self._territory_events().filter(
                organizer_id__in=organizers,
                date__gte=min(dates),
                date__lte=max(dates),
            )
            for event in candidates:
                by_key[_event_key(event)].append(event)

        claimed = {}
        for key, group in groups.items():
            first_line = group[0][0]
            if key[0] == "reference":
                event = by_pk.get(key[1])
                if event is None:
                    self._group_error(
                        group,
                        f"Référence inconnue : aucune action n° {key[1]} parmi celles que vous "
                        "pouvez modifier. Laissez la colonne vide pour une nouvelle action.",
                    )
                    continue
            else:
                matches = by_key.get(key[1:], [])
                if len(matches) > 1:
                    numbers = ", ".join(str(event.pk) for event in matches)
                    self._group_error(
                        group,
                        f"Plusieurs actions déjà enregistrées correspondent à cette ligne "
                        f"(n° {numbers}) : indiquez dans la colonne « référence » le numéro de "
                        "celle à mettre à jour.",
                    )
                    continue
                event = matches[0] if matches else None
            if event is not None:
                if event.pk in claimed:
                    self._group_error(
                        group,
                        f"Cette ligne et la ligne {claimed[event.pk]} désignent la même action "
                        f"déjà enregistrée (n° {event.pk}) : regroupez-les sous la même "
                        "référence.",
                    )
                    continue
                claimed[event.pk] = first_line
            found[key] = event
        return found

    def _territory_events(self):
        """The events the file may update: the account's, of the plan's territory
        (never another territory's, even of an account that belongs to both)."""
        events = AwarenessEvent.objects.visible_to(self.user)
        return scoping.in_territories(events, [self.plan.territory_id])

    def _group_error(self, group, message):
        for line, _values in group:
            self.error(line, message)

    def _event_values(self, group):
        """The event's values, from its first row; None if a row has an error."""
        if any(line in self.error_lines for line, _values in group):
            return None
        return group[0][1]

    def _creation(self, group):
        values = self._event_values(group)
        if values is None or self._refused_status(group, values["status"], None):
            return None
        event = AwarenessEvent(
            initiative=values["initiative"],
            date=values["date"],
            title=values["title"],
            format=values["format"],
            venue_name=values["venue_name"],
            commune=values["commune"].name,
            official_commune=values["commune"],
            organizer=values["organizer"],
            created_by=self.user,
            updated_by=self.user,
        )
        status = values["status"] or EventStatus.DRAFT
        workflow.set_status(event, status, self.user)
        change = EventChange(
            lines=[line for line, _values in group],
            event=event,
            co_organizers=list(values["co_organizers"]),
            counts={row["audience"]: (row["people"], row["women"]) for _line, row in group},
            is_new=True,
        )
        change.lines_to_create = [
            AudienceCount(event=event, audience=audience, people=people, women=women)
            for audience, (people, women) in change.counts.items()
        ]
        return change

    def _update(self, group, event, lines, co_organizer_ids):
        values = self._event_values(group)
        if values is None or self._refused_status(group, values["status"], event.status):
            return None
        change = EventChange(
            lines=[line for line, _values in group],
            event=event,
            co_organizers=list(values["co_organizers"]),
            counts={
                row["audience"]: (row["people"], row["women"])
                for _line, row in group
                if row["audience"] is not None  # the row of an event without lines
            },
            is_new=False,
            recorded_key=event.duplicate_key,
            recorded_organizer=self.reader.partner_by_pk[event.organizer_id],
            recorded_year=(
                self.reader.initiative_by_pk[event.initiative_id].plan_id,
                event.date.year,
            ),
        )
        compared = (
            ("initiative", self.reader.initiative_by_pk[event.initiative_id], values["initiative"]),
            ("date", event.date, values["date"]),
            # As a cell reads them: an export of « a  b » is no change.
            ("title", " ".join(event.title.split()), values["title"]),
            ("format", EventFormat(event.format).label, EventFormat(values["format"]).label),
            ("venue_name", " ".join(event.venue_name.split()), values["venue_name"]),
            ("organizer", self.reader.partner_by_pk[event.organizer_id], values["organizer"]),
        )
        for name, old, new in compared:
            if old != new:
                change.changes.append(f"{HEADERS_BY_KEY[name]} : {_shown(old)} → {_shown(new)}")
                change.changed_fields.add(name)
        commune = values["commune"]
        if (event.official_commune_id, event.commune) != (commune.pk, commune.name):
            text = f"{HEADERS_BY_KEY['commune']} : {_shown(event.commune)} → {_shown(commune.name)}"
            if event.official_commune_id is None:
                # An event entered before the official communes: the file links it.
                text += f", commune officielle (code INSEE {commune.code})"
            change.changes.append(text)
            change.changed_fields.update(("commune", "official_commune"))
        if {partner.pk for partner in change.co_organizers} != co_organizer_ids:
            change.co_organizers_changed = True
            old = [self.reader.partner_by_pk[pk] for pk in sorted(co_organizer_ids)]
            change.changes.append(
                f"co-organisateurs : {_names(old)} → {_names(change.co_organizers)}"
            )
        for audience, (people, women) in change.counts.items():
            line = lines.get(audience.pk)
            if line is None:
                change.lines_to_create.append(
                    AudienceCount(event=event, audience=audience, people=people, women=women)
                )
                change.changes.append(f"public ajouté : {_figures(audience, people, women)}")
            elif (line.people, line.women) != (people, women):
                before = _figures(audience, line.people, line.women)
                line.people, line.women = people, women
                change.lines_to_update.append(line)
                change.changes.append(f"{before} → {_figures(None, people, women)}")
        kept = {audience.pk for audience in change.counts}
        for audience_id, line in lines.items():
            if audience_id not in kept:
                change.lines_to_delete.append(line)
                audience = self.reader.audience_by_pk[audience_id]
                change.changes.append(
                    f"public retiré : {_figures(audience, line.people, line.women)}"
                )
        content_changed = bool(change.changes)

        event.initiative = values["initiative"]
        event.organizer = values["organizer"]
        for name in ("date", "title", "format", "venue_name"):
            setattr(event, name, values[name])
        event.official_commune, event.commune = commune, commune.name
        old_status = event.status
        status = workflow.status_after_import(
            self.user, old_status, values["status"], content_changed
        )
        if status != old_status:
            workflow.set_status(event, status, self.user)
            change.changed_fields.update(STATUS_FIELDS)
            change.changes.append(
                f"statut : {EventStatus(old_status).label} → {EventStatus(status).label}"
            )
        return change

    def _ownership_refusal(self, change):
        refusal = workflow.import_refusal(
            self.user, change.recorded_organizer, change.event.organizer, bool(change.changes)
        )
        if refusal and not change.is_new:
            return f"Action n° {change.event.pk} : {refusal}"
        return refusal

    def _refused_status(self, group, status, recorded):
        """A status the workflow refuses an import is accepted only when it restates
        the recorded event's (as an exported file does); True if refused."""
        if status is None or status == recorded:
            return False
        if refusal := workflow.import_status_refusal(self.user, status):
            self._group_error(group, refusal)
            return True
        return False

    def _check_closed_years(self, change):
        """As in the admin, only those who validate may still create or change the
        events of a closed year."""
        if not change.is_new and not change.changes:
            return
        years = {(self.plan.pk, change.event.date.year), change.recorded_year}
        for _plan_id, year in sorted(years & self.closed_years, key=lambda item: item[1]):
            for line in change.lines:
                self.error(line, workflow.closed_year_message(year))

    def apply(self, file_name):
        """Writes the whole file in one transaction (see `writing`)."""
        assert self.is_valid, "only a file without errors is imported"
        writing.write(self, file_name)


def _same(name, first, other):
    if name == "commune":
        return first == other  # official communes
    if name in TEXT_MAX_LENGTH:
        return lookup_key(first) == lookup_key(other)
    if name == "co_organizers":
        return {p.pk for p in first} == {p.pk for p in other}
    return first == other


def _event_key(event):
    return (
        event.date,
        lookup_key(event.title),
        event.organizer_id,
        lookup_key(event.venue_name),
        # As the file's commune is keyed: an event entered « saint omer » before the
        # official communes is found by a row of « Saint-Omer ».
        name_key(event.commune),
    )


def _shown(value):
    if hasattr(value, "strftime"):
        return f"{value:%d/%m/%Y}"
    return f"« {value} »"


def _names(partners):
    return ", ".join(str(partner) for partner in partners) or "aucun"


def _figures(audience, people, women):
    text = f"{people} personne{'s' if people > 1 else ''}"
    if women is not None:
        text += f", dont {women}"
    return f"{audience} ({text})" if audience else text

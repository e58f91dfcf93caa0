"""The plan's figures: every number shown on a page or exported comes from here,
so that the dashboard and the exports can never disagree.

A `Scope` says what is counted (a plan, a period, an initiative, an audience);
the functions sum the validated count lines in that scope, one query each, so a
page's query count never depends on how many events there are. They read the
daily figures (indicators/figures/store.py: the lines already summed per day), a few
thousand rows where the lines are a million; a scope narrowed to one partner reads
the lines themselves. Only events with count lines count."""

import datetime
from dataclasses import dataclass, replace
from itertools import accumulate

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth, TruncQuarter, TruncYear

from indicators.enums import EventFormat, EventStatus
from indicators.figures.store import month_end
from indicators.models import (
    AudienceCount,
    AwarenessEvent,
    DailyFigures,
    PartnerDailyFigures,
    Target,
    Venue,
    VenueMonth,
)
from initiatives.models import Audience
from partners.models import Partner


@dataclass(frozen=True)
class Scope:
    plan: object
    start: datetime.date | None = None
    end: datetime.date | None = None
    initiative: object = None
    audience: object = None
    # Organised or co-organised by this partner.
    partner: object = None
    # Public figures count validated events only; managers' exports may ask for others.
    statuses: tuple = (EventStatus.VALIDATED,)
    # False sums the count lines themselves: the reference the daily figures are
    # checked against.
    precomputed: bool = True

    @property
    def reads_daily_figures(self):
        # The daily figures are not broken down by the events' other partners.
        return self.precomputed and self.partner is None

    def daily(self, per_audience=False):
        """The daily figures in scope: the chosen audience's rows; else, with
        per_audience, every audience's rows; else the rows of all audiences together."""
        return self.narrow(DailyFigures.objects.all(), per_audience)

    def partner_daily(self, per_audience=False):
        return self.narrow(PartnerDailyFigures.objects.all(), per_audience)

    def narrow(self, rows, per_audience=False):
        """Stored sums (daily figures, venue months…) narrowed to the scope's plan,
        statuses, initiative and audience, and to its period by their `date`."""
        rows = rows.filter(initiative__plan=self.plan, status__in=self.statuses)
        if self.start is not None:
            rows = rows.filter(date__gte=self.start)
        if self.end is not None:
            rows = rows.filter(date__lte=self.end)
        if self.initiative is not None:
            rows = rows.filter(initiative=self.initiative)
        if self.audience is not None:
            return rows.filter(audience=self.audience)
        return rows.filter(audience__isnull=not per_audience)

    def events(self):
        """The events in scope; with an audience, those with a line for it."""
        events = (
            AwarenessEvent.objects.for_plan(self.plan)
            .filter(status__in=self.statuses)
            .in_period(self.start, self.end)
        )
        if self.initiative is not None:
            events = events.filter(initiative=self.initiative)
        if self.audience is not None:
            events = events.filter(
                Exists(AudienceCount.objects.filter(event=OuterRef("pk"), audience=self.audience))
            )
        if self.partner is not None:
            events = events.filter(
                Q(organizer=self.partner) | Q(pk__in=self._co_organised_event_ids())
            )
        return events

    def lines(self):
        """The count lines in scope: only the audience's own lines when one is chosen."""
        lines = AudienceCount.objects.filter(
            event__initiative__plan=self.plan, event__status__in=self.statuses
        )
        if self.start is not None:
            lines = lines.filter(event__date__gte=self.start)
        if self.end is not None:
            lines = lines.filter(event__date__lte=self.end)
        if self.initiative is not None:
            lines = lines.filter(event__initiative=self.initiative)
        if self.audience is not None:
            lines = lines.filter(audience=self.audience)
        if self.partner is not None:
            lines = lines.filter(
                Q(event__organizer=self.partner) | Q(event__in=self._co_organised_event_ids())
            )
        return lines

    def _co_organised_event_ids(self):
        return AwarenessEvent.co_organizers.through.objects.filter(partner=self.partner).values(
            "awarenessevent"
        )


@dataclass(frozen=True)
class Figures:
    """People reached, and how many of them are known to be women or girls."""

    people: int = 0
    women: int = 0
    people_with_known_women: int = 0

    @property
    def people_with_unknown_women(self):
        return self.people - self.people_with_known_women

    @property
    def women_share(self):
        """Share of women among the people whose sex is known, or None if none is."""
        if not self.people_with_known_women:
            return None
        return self.women / self.people_with_known_women


@dataclass(frozen=True)
class Totals(Figures):
    events: int = 0


@dataclass(frozen=True)
class Row(Figures):
    """One line of a breakdown: an initiative, an audience, a format, a partner…"""

    key: object = None
    label: str = ""
    events: int = 0


@dataclass(frozen=True)
class Month(Figures):
    month: datetime.date = None
    cumulative_people: int = 0


@dataclass(frozen=True)
class Progress:
    target: Target
    reached: Figures

    @property
    def share(self):
        return self.reached.people / self.target.people

    @property
    def women_share(self):
        if not self.target.women:
            return None
        return self.reached.women / self.target.women


FIGURES = {
    "people_sum": Sum("people", default=0),
    "women_sum": Sum("women", default=0),
    "known_sum": Sum("people", filter=Q(women__isnull=False), default=0),
}
LINE_SUMS = {"events_sum": Count("event", distinct=True), **FIGURES}
DAILY_SUMS = {
    "events_sum": Sum("events", default=0),
    "people_sum": Sum("people", default=0),
    "women_sum": Sum("women", default=0),
    "known_sum": Sum("known", default=0),
}


@dataclass(frozen=True)
class Source:
    """Where a scope's figures are summed from, with the same names either way."""

    rows: object
    sums: dict
    prefix: str

    def field(self, name):
        """The path to an event's field (date, initiative, format…) from the rows."""
        return name if name.startswith("audience") else self.prefix + name


def source(scope, per_audience=False):
    if scope.reads_daily_figures:
        return Source(scope.daily(per_audience), DAILY_SUMS, "")
    return Source(scope.lines(), LINE_SUMS, "event__")


def _figures(values):
    return {
        "people": values["people_sum"] or 0,
        "women": values["women_sum"] or 0,
        "people_with_known_women": values["known_sum"] or 0,
    }


def public_events(plan):
    """The events that count in public figures: the plan's validated ones."""
    return Scope(plan).events()


def totals(scope):
    rows = source(scope)
    values = rows.rows.aggregate(**rows.sums)
    return Totals(events=values["events_sum"], **_figures(values))


def event_figures(event):
    """One event's figures, whatever its status."""
    return Figures(**_figures(event.counts.aggregate(**FIGURES)))


def in_year(scope, year):
    """The scope's figures for one calendar year."""
    rows = source(replace(scope, start=datetime.date(year, 1, 1), end=datetime.date(year, 12, 31)))
    return Figures(**_figures(rows.rows.aggregate(**rows.sums)))


def venues_reached(scope):
    """Distinct places (a school, a company site…) where events took place: the
    venues of `VenueMonth` in the whole months of the period, or with an event in
    its partial months at either end; one query."""
    with_lines = Exists(AudienceCount.objects.filter(event=OuterRef("pk")))
    if not scope.precomputed:
        return scope.events().filter(with_lines).values("venue_name", "commune").distinct().count()
    first, last, edges = _whole_months(scope.start, scope.end)
    held = Q()
    if first is None or last is None or first <= last:
        months = replace(scope, start=None, end=None).narrow(
            VenueMonth.objects.filter(venue=OuterRef("pk"))
        )
        if first is not None:
            months = months.filter(month__gte=first)
        if last is not None:
            months = months.filter(month__lte=last)
        held |= Q(Exists(months))
    for start, end in edges:
        events = replace(scope, start=start, end=end).events()
        held |= Q(
            Exists(
                events.filter(with_lines, venue_name=OuterRef("name"), commune=OuterRef("commune"))
            )
        )
    return Venue.objects.filter(held).count()


def _whole_months(start, end):
    """The first and last whole months (first days) between start and end (None:
    unbounded), and the partial months at either end as (start, end) ranges."""
    first = last = None
    edges = []
    if start is not None:
        first = start if start.day == 1 else month_end(start) + datetime.timedelta(days=1)
        if start.day != 1:
            edges.append((start, month_end(start) if end is None else min(end, month_end(start))))
    if end is not None:
        last = end.replace(day=1)
        if end != month_end(end):
            last = (last - datetime.timedelta(days=1)).replace(day=1)
            edge = (end.replace(day=1) if start is None else max(start, end.replace(day=1)), end)
            if edge not in edges:
                edges.append(edge)
    return first, last, edges


def partners_involved(scope):
    """Partners who organised or co-organised an event in scope. Two semi-joins: a
    join through both relations at once would pair every organised event of a
    partner with every co-organised one (quadratic in the events)."""
    if scope.reads_daily_figures:
        credited = scope.partner_daily().filter(partner=OuterRef("pk"))
        return Partner.objects.filter(Exists(credited)).count()
    events = scope.events().filter(Exists(AudienceCount.objects.filter(event=OuterRef("pk"))))
    co_organisers = AwarenessEvent.co_organizers.through.objects.filter(
        awarenessevent__in=events
    ).values("partner")
    return Partner.objects.filter(
        Q(pk__in=events.values("organizer")) | Q(pk__in=co_organisers)
    ).count()


def _grouped(rows, field):
    """{value of the event's field: (events, figures)}."""
    name = rows.field(field)
    grouped = rows.rows.values(name).annotate(**rows.sums).order_by()
    return {row[name]: (row["events_sum"], _figures(row)) for row in grouped}


def _rows(grouped, items):
    """One Row per (key, label), in the given order, with zeros where nothing was
    counted; a model instance as key is looked up by its primary key."""
    rows = []
    for key, label in items:
        events, figures = grouped.get(getattr(key, "pk", key), (0, {}))
        rows.append(Row(key=key, label=label, events=events, **figures))
    return rows


def by_initiative(scope):
    grouped = _grouped(source(scope), "initiative")
    initiatives = scope.plan.initiatives.order_by("number")
    if scope.initiative is not None:
        initiatives = initiatives.filter(pk=scope.initiative.pk)
    return _rows(grouped, [(i, i.title) for i in initiatives])


def by_audience(scope):
    grouped = _grouped(source(scope, per_audience=True), "audience")
    audiences = Audience.objects.all()
    if scope.audience is not None:
        audiences = audiences.filter(pk=scope.audience.pk)
    return _rows(grouped, [(a, a.name) for a in audiences])


def by_format(scope):
    grouped = _grouped(source(scope), "format")
    return [row for row in _rows(grouped, EventFormat.choices) if row.events]


CREDITED_ROLES = (("event__organizer", "organised"), ("event__co_organizers", "co_organised"))


def _credit():
    return dict.fromkeys(
        ("organised", "co_organised", "people", "women", "people_with_known_women"), 0
    )


def _credited(lines, *dimensions):
    """Each partner's events and figures, a joint event credited in full to its
    organiser and to each co-organiser: {(*dimensions, partner id, name):
    {"organised": n, "co_organised": n, people…}}. Two queries."""
    credited = {}
    for role, counter in CREDITED_ROLES:
        rows = (
            lines.filter(**{f"{role}__isnull": False})
            .values(*dimensions, role, f"{role}__name")
            .annotate(events=Count("event", distinct=True), **FIGURES)
            .order_by()
        )
        for row in rows:
            key = (*(row[name] for name in dimensions), row[role], row[f"{role}__name"])
            entry = credited.setdefault(key, _credit())
            entry[counter] = row["events"]
            for name, value in _figures(row).items():
                entry[name] += value
    return credited


def _credited_daily(rows, *dimensions):
    """`_credited` from the partners' daily figures, in one query."""
    credited = {}
    rows = (
        rows.values(*dimensions, "partner", "partner__name", "role")
        .annotate(**DAILY_SUMS)
        .order_by()
    )
    for row in rows:
        key = (*(row[name] for name in dimensions), row["partner"], row["partner__name"])
        entry = credited.setdefault(key, _credit())
        entry[row["role"]] = row["events_sum"]
        for name, value in _figures(row).items():
            entry[name] += value
    return credited


def _credited_in(scope, *dimensions, annotations=None):
    if scope.reads_daily_figures:
        rows = scope.partner_daily()
        if annotations:
            rows = rows.annotate(**{name: f("date") for name, f in annotations.items()})
        return _credited_daily(rows, *dimensions)
    lines = scope.lines()
    if annotations:
        lines = lines.annotate(**{name: f("event__date") for name, f in annotations.items()})
    return _credited(lines, *dimensions)


def by_partner(scope):
    """People reached by each partner's events, largest first (see `_credited`)."""
    rows = [
        Row(
            key=(partner_id, name),
            label=name,
            events=entry.pop("organised") + entry.pop("co_organised"),
            **entry,
        )
        for (partner_id, name), entry in _credited_in(scope).items()
    ]
    return sorted(rows, key=lambda row: (-row.people, row.label))


def _month_starts(first, last):
    month = first.replace(day=1)
    while month <= last:
        yield month
        month = (month + datetime.timedelta(days=32)).replace(day=1)


def by_month(scope, *, today):
    """People reached per month from the scope's start (or its plan's) to its end
    (or today), with the running total; months without events count zero."""
    start = scope.start or scope.plan.start_date
    end = scope.end or today
    rows = source(replace(scope, start=start, end=end))
    rows = (
        rows.rows.annotate(month=TruncMonth(rows.field("date")))
        .values("month")
        .annotate(**rows.sums)
        .order_by()
    )
    per_month = {_as_date(row["month"]): _figures(row) for row in rows}
    months = list(_month_starts(start, end))
    running = accumulate(per_month.get(month, {}).get("people", 0) for month in months)
    return [
        Month(month=month, cumulative_people=cumulative, **per_month.get(month, {}))
        for month, cumulative in zip(months, running, strict=True)
    ]


def _as_date(value):
    # TruncMonth gives a datetime on some backends, a date on others.
    return value.date() if isinstance(value, datetime.datetime) else value


def latest_events(scope, limit=10):
    return (
        scope.events()
        .with_totals()
        .select_related("initiative")
        .only(
            "date",
            "title",
            "format",
            "commune",
            "venue_name",
            "initiative__title",
            "initiative__slug",
            "initiative__number",
        )
        .order_by("-date", "-pk")[:limit]
    )


def target_progress(plan, year):
    """This year's targets with what has been reached in their scope: the plan-wide
    one first, then per initiative, then per audience."""
    targets = list(
        Target.objects.filter(plan=plan, year=year).select_related("initiative", "audience")
    )
    if not targets:
        return []
    rows = source(
        Scope(plan, start=datetime.date(year, 1, 1), end=datetime.date(year, 12, 31)),
        per_audience=True,
    )
    initiative = rows.field("initiative")
    reached = list(rows.rows.values(initiative, "audience").annotate(**rows.sums).order_by())
    progress = []
    for target in targets:
        matching = [
            row
            for row in reached
            if target.initiative_id in (None, row[initiative])
            and target.audience_id in (None, row["audience"])
        ]
        sums = {key: sum(row[key] or 0 for row in matching) for key in FIGURES}
        progress.append(Progress(target=target, reached=Figures(**_figures(sums))))
    return sorted(
        progress,
        key=lambda p: (
            p.target.initiative_id is not None,
            p.target.audience_id is not None,
            p.target.initiative.number if p.target.initiative else 0,
            p.target.audience.order if p.target.audience else 0,
        ),
    )


PERIODS = {"mois": TruncMonth, "trimestre": TruncQuarter, "annee": TruncYear}


@dataclass(frozen=True)
class TableRow(Figures):
    """One row of the counts table: a period, and the initiative and/or audience
    it is broken down by (None when not broken down)."""

    period: datetime.date = None
    initiative: tuple = None  # (id, number, title)
    audience: tuple = None  # (id, name)
    events: int = 0
    target: object = None

    @property
    def progress(self):
        return self.people / self.target.people if self.target else None


def counts_table(scope, period, by_initiative=False, by_audience=False):
    """People reached per period (« mois », « trimestre », « annee »), optionally per
    initiative and/or audience; on yearly rows, the target of exactly that scope."""
    counted = source(scope, per_audience=by_audience)
    initiative, number, title = (
        counted.field(name) for name in ("initiative", "initiative__number", "initiative__title")
    )
    fields, ordering = ["period"], ["period"]
    if by_initiative:
        fields += [initiative, number, title]
        ordering.append(number)
    if by_audience:
        fields += ["audience", "audience__order", "audience__name"]
        ordering.append("audience__order")
    rows = (
        counted.rows.annotate(period=PERIODS[period](counted.field("date")))
        .values(*fields)
        .annotate(**counted.sums)
        .order_by(*ordering)
    )
    targets = {}
    if period == "annee":
        targets = {
            (t.year, t.initiative_id, t.audience_id): t
            for t in Target.objects.filter(plan=scope.plan)
        }
    table = []
    for row in rows:
        start = _as_date(row["period"])
        initiative_id = row[initiative] if by_initiative else _pk(scope.initiative)
        audience_id = row["audience"] if by_audience else _pk(scope.audience)
        table.append(
            TableRow(
                period=start,
                initiative=((row[initiative], row[number], row[title]) if by_initiative else None),
                audience=(row["audience"], row["audience__name"]) if by_audience else None,
                events=row["events_sum"],
                target=targets.get((start.year, initiative_id, audience_id)),
                **_figures(row),
            )
        )
    return table


def _pk(instance):
    return instance.pk if instance is not None else None


@dataclass(frozen=True)
class PartnerYear(Figures):
    year: int = 0
    partner: str = ""
    organised: int = 0
    co_organised: int = 0


def partners_by_year(scope):
    """Per partner and year: events organised, co-organised, and the people they
    reached (see `_credited`)."""
    rows = [
        PartnerYear(year=_as_date(year).year, partner=name, **entry)
        for (year, _, name), entry in _credited_in(
            scope, "year", annotations={"year": TruncYear}
        ).items()
    ]
    return sorted(rows, key=lambda row: (row.year, row.partner.lower()))

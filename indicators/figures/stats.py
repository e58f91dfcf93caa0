"""The plan's figures: every number a page shows comes from here, and the exports'
tables (`tables`) from the same sums, so the dashboard and the files never disagree.

A `Scope` (`scope`) says what is counted; each function sums the count lines in
that scope in one query, so a page's query count never depends on how many events
there are. Only events with count lines count."""

import datetime
from collections import Counter
from dataclasses import dataclass, replace
from itertools import accumulate

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.db.models.functions import ExtractYear, TruncMonth, TruncQuarter

from geography.models import Commune, name_key
from indicators.enums import EventFormat, EventStatus
from indicators.figures.scope import (
    FIGURES,
    Figures,
    Scope,
    Totals,
    day_after,
    figures_of,
    source,
)
from indicators.figures.store import month_end
from indicators.models import (
    AudienceCount,
    AwarenessEvent,
    DailyFigures,
    Target,
    Venue,
    VenueMonth,
)
from initiatives.models import ActionPlan, Audience
from partners.models import Partner
from territories import scoping
from territories.models import Territory as IndustryTerritory

__all__ = ["Figures", "Scope", "Totals"]


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


def public_events(plan):
    """The events that count in public figures: the plan's validated ones."""
    return Scope(plan).events()


def totals(scope):
    values = source(scope).total()
    return Totals(events=values["events_sum"], **figures_of(values))


def totals_by_territory(scope):
    """{territory id: Totals} of a scope of several plans, in one query; a territory
    with nothing in scope is absent."""
    counted = source(scope)
    territory = counted.field("initiative__plan__territory")
    return {
        row[territory]: Totals(events=row["events_sum"], **figures_of(row))
        for row in counted.summed(territory)
    }


def last_update(plan):
    """When the plan's (or the plans', a queryset) public figures last changed, or
    None: the latest change to an event that was validated before it or after it
    (its validation, an edit or the deletion of a validated event, an event sent
    back to its organiser). Read from the events' history, which every save, import
    and deletion writes (an import that changes only count lines writes the event's
    too). One query, which reads the history from its newest record down to the
    first such change: drafts saved since are passed over, not summed."""
    history = AwarenessEvent.history.model.objects
    before = (
        history.filter(history_id__lt=OuterRef("history_id"), id=OuterRef("id"))
        .order_by("-history_id")
        .values("status")[:1]
    )
    return (
        history.filter(Scope(plan).of_plan("initiative__plan"))
        .annotate(status_before=Subquery(before))
        .filter(Q(status=EventStatus.VALIDATED) | Q(status_before=EventStatus.VALIDATED))
        .order_by("-history_date")
        .values_list("history_date", flat=True)
        .first()
    )


# The headline: the dashboard's first sentence.


@dataclass(frozen=True)
class Comparison:
    """People reached in a part of the scope's period (`window`) and in the same
    dates a year earlier."""

    current: int
    previous: int
    # The year the earlier dates end in: « par rapport à 2025 ».
    previous_year: int
    # "to_date": from 1 January to today (« à la même date »); "year": a whole year
    # gone by; "period": other dates (« les mêmes dates un an plus tôt »).
    kind: str
    # A scope with no period is compared on this year so far, not on the whole plan,
    # whose total can only grow.
    this_year_only: bool = False

    @property
    def change(self):
        return self.current / self.previous - 1


@dataclass(frozen=True)
class Headline:
    totals: Totals
    # People reached this year, for a scope with no period; else None.
    this_year: int | None
    # Towards the target set for exactly the scope's initiative and audience.
    progress: Progress | None
    # None when the earlier dates have no one to compare with.
    comparison: Comparison | None
    updated_at: datetime.datetime | None


def headline(scope, *, today, progress=()):
    """The scope's totals, this year's people (with no period), the change against
    the same dates a year earlier, the progress towards the scope's own target among
    `progress` (`target_progress`'s, already read), and the figures' last update.
    Two queries: the sums of every period at once (`_headline_sums`), and
    `last_update`."""
    rows, sums, window = _headline_sums(scope, today)
    own = (getattr(scope.initiative, "pk", None), getattr(scope.audience, "pk", None))
    return _headline_of(
        rows.total(sums),
        window,
        progress=next(
            (p for p in progress if (p.target.initiative_id, p.target.audience_id) == own), None
        ),
        updated_at=last_update(scope.plan),
    )


def _headline_sums(scope, today, *, compare=True):
    """(the source, its sums, the compared window): the conditional sums of every
    period the headline reads, over the stored figures, daily only in the months a
    period begins or ends within; summed whole (`total`) or per group (`summed`).
    Without `compare`, no comparison with a year earlier (nor its window): for a
    scope with no period, only the monthly rows are read."""
    window = _compared_window(scope, today) if compare else None
    periods = {"scope": (scope.start, scope.end)}
    if scope.start is None and scope.end is None:
        periods["this_year"] = (datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31))
    if window is not None:
        start, end, _, _ = window
        periods["current"] = (start, end)
        periods["previous"] = (_year_earlier(start), _year_earlier(end))
    # One range of dates around every period: an index range scan, where the union
    # of the periods made PostgreSQL OR two bitmap scans (3 times slower).
    starts, ends = zip(*periods.values(), strict=True)
    around = replace(
        scope,
        start=None if None in starts else min(starts),
        end=None if None in ends else max(ends),
    )
    cuts = [day for start, end in periods.values() for day in (start, day_after(end)) if day]
    rows = source(around, cuts=cuts)

    def sums(date):
        conditions = {name: _between(date, *dates) for name, dates in periods.items()}
        sums = {name: _within(total, conditions["scope"]) for name, total in rows.sums.items()}
        for name in ("this_year", "current", "previous"):
            if name in conditions:
                sums[name] = _within(rows.sums["people_sum"], conditions[name])
        if "this_year" in conditions:
            # The whole year's figures: what the year's plan-wide target measures
            # (`target_progress`), for the national figures.
            for name in ("women_sum", "known_sum"):
                sums[f"this_year_{name}"] = _within(rows.sums[name], conditions["this_year"])
        return sums

    return rows, sums, window


def _headline_of(values, window, *, progress, updated_at):
    """The Headline of `_headline_sums`'s values."""
    comparison = None
    if window is not None and values["previous"]:
        _, end, kind, this_year_only = window
        comparison = Comparison(
            current=values["current"],
            previous=values["previous"],
            previous_year=_year_earlier(end).year,
            kind=kind,
            this_year_only=this_year_only,
        )
    return Headline(
        totals=Totals(events=values["events_sum"], **figures_of(values)),
        this_year=values.get("this_year"),
        progress=progress,
        comparison=comparison,
        updated_at=updated_at,
    )


def _compared_window(scope, today):
    """(start, end, kind, this_year_only): the part of the scope's period compared
    with the same dates a year earlier, up to today; None if it starts after today,
    or has no start: everyone up to a date against everyone up to a year earlier
    can only grow."""
    if scope.start is None and scope.end is None:
        return datetime.date(today.year, 1, 1), today, "to_date", True
    if scope.start is None:
        return None
    start, end = scope.start, scope.end
    if end is None or end > today:
        end = today
    if start > end:
        return None
    if start == datetime.date(end.year, 1, 1):
        if end == today:
            return start, end, "to_date", False
        if end == datetime.date(end.year, 12, 31):
            return start, end, "year", False
    return start, end, "period", False


def _year_earlier(day):
    """The same date a year earlier; 29 February gives the 28th."""
    if day is None:
        return None
    if day.month == 2 and day.day == 29:
        return day.replace(year=day.year - 1, day=28)
    return day.replace(year=day.year - 1)


def _between(field, start, end):
    """The rows dated from start to end (None: unbounded), or None for all of them."""
    bounds = {}
    if start is not None:
        bounds[f"{field}__gte"] = start
    if end is not None:
        bounds[f"{field}__lte"] = end
    return Q(**bounds) if bounds else None


def _within(total, condition):
    """The aggregate `total` over the rows that meet `condition` (None: every row)."""
    if condition is None:
        return total
    total = total.copy()
    total.filter = condition if total.filter is None else total.filter & condition
    return total


def past_events_without_counts(today, user=None):
    """How many events dated before `today`, of every plan and status (of the
    territories `user` reads, when given), have no count line
    (`AwarenessEvent.objects.without_counts(today)`, counted): all of them less
    those the daily figures count, since an event enters them with its first line.
    Seeking the events without lines reads every event and every line (0.7 s at
    1,000,000 events on PostgreSQL); this reads the events' date index and a few
    thousand daily rows."""
    events = AwarenessEvent.objects.filter(date__lt=today)
    days = DailyFigures.objects.filter(date__lt=today)
    if user is not None:
        events, days = scoping.visible_to(events, user), scoping.visible_to(days, user)
    past = events.count()
    with_counts = days.aggregate(events=Sum("first_events"))["events"]
    return past - (with_counts or 0)


def event_figures(event):
    """One event's figures, whatever its status."""
    return Figures(**figures_of(event.counts.aggregate(**FIGURES)))


def in_year(scope, year):
    """The scope's figures for one calendar year."""
    rows = source(replace(scope, start=datetime.date(year, 1, 1), end=datetime.date(year, 12, 31)))
    return Figures(**figures_of(rows.total()))


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
        # Its rows are each audience's: all of them, unless the scope chose one.
        months = replace(scope, start=None, end=None).narrow(VenueMonth.objects.order_by())
        if first is not None:
            months = months.filter(month__gte=first)
        if last is not None:
            months = months.filter(month__lte=last)
        if not edges:
            # Whole months only: the distinct venues of their rows, read from the
            # plan's index alone, rather than each venue of every territory probed.
            return months.values("venue").distinct().count()
        held |= Q(Exists(months.filter(venue=OuterRef("pk"))))
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
        parts = scope.stored(partners=True)
        credited = Q.create(
            [Exists(rows.filter(partner=OuterRef("pk"))) for rows, _ in parts], connector=Q.OR
        )
        return Partner.objects.filter(credited).count()
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
    return {row[name]: (row["events_sum"], figures_of(row)) for row in rows.summed(name)}


FIGURES_OF_ROW = ("people", "women", "people_with_known_women")


def _rows(grouped, items):
    """One Row per (key, label), in the given order, with zeros where nothing was
    counted; a model instance as key is looked up by its primary key."""
    rows = []
    for key, label in items:
        events, figures = grouped.get(getattr(key, "pk", key), (0, {}))
        rows.append(Row(key=key, label=label, events=events, **figures))
    return rows


def by_initiative(scope):
    return _per_initiative(scope, _grouped(source(scope), "initiative"))


def _per_initiative(scope, grouped):
    initiatives = scope.plan.initiatives.order_by("number")
    if scope.initiative is not None:
        initiatives = initiatives.filter(pk=scope.initiative.pk)
    return _rows(grouped, [(i, i.title) for i in initiatives])


def by_initiative_and_format(scope):
    """`by_initiative` and `by_format`, from one query on the rows they both read:
    the sums per initiative and format (a few dozen), added up here per initiative
    and per format (an event has one of each)."""
    rows = source(scope)
    initiative, format_ = rows.field("initiative"), rows.field("format")
    per_initiative, per_format = {}, {}
    for row in rows.summed(initiative, format_):
        for added, key in ((per_initiative, row[initiative]), (per_format, row[format_])):
            events, figures = added.get(key, (0, dict.fromkeys(FIGURES_OF_ROW, 0)))
            figures = {name: figures[name] + value for name, value in figures_of(row).items()}
            added[key] = (events + row["events_sum"], figures)
    return _per_initiative(scope, per_initiative), _per_format(per_format)


def by_audience(scope):
    grouped = _grouped(source(scope, per_audience=True), "audience")
    audiences = Audience.objects.all()
    if scope.audience is not None:
        audiences = audiences.filter(pk=scope.audience.pk)
    return _rows(grouped, [(a, a.name) for a in audiences])


@dataclass(frozen=True)
class Quarter(Figures):
    quarter: datetime.date = None  # its first day

    @property
    def label(self):
        return f"T{(self.quarter.month - 1) // 3 + 1} {self.quarter.year}"


@dataclass(frozen=True)
class AudienceQuarters:
    """An audience's figures over the whole scope (`by_audience`'s row) and per
    quarter."""

    total: Row
    quarters: list


def _quarter_start(day):
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def _quarter_starts(first, last):
    quarter = _quarter_start(first)
    while quarter <= last:
        yield quarter
        quarter = _quarter_start(quarter + datetime.timedelta(days=100))


def by_audience_and_quarter(scope, *, today):
    """Each audience's figures over the scope, and per quarter from the scope's start
    (or its plan's) to its end (or today), quarters without events counting zero:
    the share of women and girls per audience over time. The same two queries as
    `by_audience` (the sums per audience and quarter, the audiences), whose rows
    are the totals: the quarters split the scope's events without overlap."""
    grouped = source(scope, per_audience=True).summed("audience", dates={"quarter": TruncQuarter})
    per_quarter, totals = {}, {}
    for row in grouped:
        figures = figures_of(row)
        per_quarter[row["audience"], _as_date(row["quarter"])] = figures
        total = totals.setdefault(row["audience"], dict.fromkeys(("events", *figures), 0))
        total["events"] += row["events_sum"]
        for name, value in figures.items():
            total[name] += value
    audiences = Audience.objects.all()
    if scope.audience is not None:
        audiences = audiences.filter(pk=scope.audience.pk)
    # As by_month's months: every quarter of the scope's events, with the plan's.
    first = scope.start or min([scope.plan.start_date, *(quarter for _, quarter in per_quarter)])
    last = scope.end or max([today, *(quarter for _, quarter in per_quarter)])
    quarters = list(_quarter_starts(first, last))
    return [
        AudienceQuarters(
            total=Row(key=audience, label=audience.name, **totals.get(audience.pk, {})),
            quarters=[
                Quarter(quarter=quarter, **per_quarter.get((audience.pk, quarter), {}))
                for quarter in quarters
            ],
        )
        for audience in audiences
    ]


def by_format(scope):
    return _per_format(_grouped(source(scope), "format"))


def _per_format(grouped):
    return [row for row in _rows(grouped, EventFormat.choices) if row.events]


CREDITED_ROLES = (("event__organizer", "organised"), ("event__co_organizers", "co_organised"))
# What public figures call the partners that are not published (`Partner.is_public`):
# their figures count, under this name, in every per-partner breakdown.
UNPUBLISHED_PARTNERS = "Autres partenaires"


def _credit():
    return dict.fromkeys(
        ("organised", "co_organised", "people", "women", "people_with_known_women"), 0
    )


def _partner_key(dimensions, partner_id, name, is_public, public):
    if public and not is_public:
        return (*dimensions, None, UNPUBLISHED_PARTNERS)
    return (*dimensions, partner_id, name)


def _credited(lines, *dimensions, public, partners=None):
    """Each partner's events and figures, a joint event credited in full to its
    organiser and to each co-organiser: {(*dimensions, partner id, name):
    {"organised": n, "co_organised": n, people…}}. Two queries. With `public`, the
    unpublished partners add up under (None, UNPUBLISHED_PARTNERS); with `partners`,
    only those partners'."""
    credited = {}
    for role, counter in CREDITED_ROLES:
        only = {f"{role}__in": partners} if partners is not None else {f"{role}__isnull": False}
        rows = (
            lines.filter(**only)
            .values(*dimensions, role, f"{role}__name", f"{role}__is_public")
            .annotate(events=Count("event", distinct=True), **FIGURES)
            .order_by()
        )
        for row in rows:
            key = _partner_key(
                (row[name] for name in dimensions),
                row[role],
                row[f"{role}__name"],
                row[f"{role}__is_public"],
                public,
            )
            entry = credited.setdefault(key, _credit())
            entry[counter] += row["events"]
            for name, value in figures_of(row).items():
                entry[name] += value
    return credited


def _credited_daily(parts, sums, *dimensions, public):
    """`_credited` from the partners' stored figures (`Scope.stored`'s parts, each
    narrowed already, and `Scope.daily_sums`), in one query."""
    credited = {}
    fields = (*dimensions, "partner", "partner__name", "partner__is_public", "role")
    grouped = [rows.values(*fields).annotate(**sums).order_by() for rows in parts]
    for row in grouped[0].union(*grouped[1:], all=True) if len(grouped) > 1 else grouped[0]:
        key = _partner_key(
            (row[name] for name in dimensions),
            row["partner"],
            row["partner__name"],
            row["partner__is_public"],
            public,
        )
        entry = credited.setdefault(key, _credit())
        entry[row["role"]] += row["events_sum"]
        for name, value in figures_of(row).items():
            entry[name] += value
    return credited


def _credited_in(scope, *dimensions, annotations=None, public, partner=None):
    """`_credited` for `partner`, else for the scope's organisations (a partner
    account's: a joint event's other partners are not theirs to see), else for all."""
    if scope.reads_daily_figures:
        parts = []
        for rows, date in scope.stored(partners=True):
            if partner is not None:
                rows = rows.filter(partner=partner)
            if annotations:
                rows = rows.annotate(**{name: f(date) for name, f in annotations.items()})
            parts.append(rows)
        return _credited_daily(parts, scope.daily_sums(), *dimensions, public=public)
    lines = scope.lines()
    if annotations:
        lines = lines.annotate(**{name: f("event__date") for name, f in annotations.items()})
    partners = [partner] if partner is not None else scope.organisations
    return _credited(lines, *dimensions, public=public, partners=partners)


def by_partner(scope, *, public=True):
    """People reached by each partner's events, largest first (see `_credited`).
    Public figures name only the published partners: the others add up in one row,
    « Autres partenaires », last; `public=False` names them all, for the staff."""
    rows = [
        Row(
            key=(partner_id, name),
            label=name,
            events=entry.pop("organised") + entry.pop("co_organised"),
            **entry,
        )
        for (partner_id, name), entry in _credited_in(scope, public=public).items()
    ]
    return sorted(rows, key=lambda row: (row.key[0] is None, -row.people, row.label))


@dataclass(frozen=True)
class PartnerYear(Figures):
    """A partner's year: the events it organised and co-organised, and the people
    they reached (a joint event counts in full for each of its partners)."""

    year: int = None
    organised: int = 0
    co_organised: int = 0

    @property
    def events(self):
        return self.organised + self.co_organised


def partner_years(scope, partner):
    """One partner's `PartnerYear`s, oldest first, then their total (its `year`
    None); years without events are left out. Credited as in `by_partner`, from the
    partners' daily figures: one query."""
    credited = _credited_in(
        scope, "year", annotations={"year": ExtractYear}, public=False, partner=partner
    )
    years = sorted(
        (PartnerYear(year=year, **entry) for (year, _, _), entry in credited.items()),
        key=lambda row: row.year,
    )
    fields = ("organised", "co_organised", "people", "women", "people_with_known_women")
    total = PartnerYear(**{name: sum(getattr(row, name) for row in years) for name in fields})
    return years, total


def _month_starts(first, last):
    month = first.replace(day=1)
    while month <= last:
        yield month
        month = (month + datetime.timedelta(days=32)).replace(day=1)


def by_month(scope, *, today):
    """People reached per month from the scope's start to its end, with the running
    total; months without events count zero. Without a start, from its plan's, or
    its first event's if earlier; without an end, to today, or its last event's if
    later: the months add up to the scope's totals."""
    rows = source(scope).summed(dates={"month": TruncMonth})
    per_month = {_as_date(row["month"]): figures_of(row) for row in rows}
    start = scope.start or min([scope.plan.start_date, *per_month])
    end = scope.end or max([today, *per_month])
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
    """The scope's latest events, each with its figures for the scope's audience."""
    return (
        scope.events()
        .with_totals(scope.audience)
        .select_related("initiative")
        .only(
            "date",
            "title",
            "format",
            "commune",
            "venue_name",
            "organizer",
            "initiative__title",
            "initiative__slug",
            "initiative__number",
        )
        .order_by("-date", "-pk")[:limit]
    )


def target_progress(plan, year, *, initiative=None, audience=None):
    """The year's targets with what has been reached in their scope, over the whole
    year: the plan-wide one first, then per initiative (each one's own, then per
    audience), then per audience. With an initiative or an audience, only the targets
    set for it: a wider target is not the filtered figures' to reach."""
    targets = Target.objects.filter(plan=plan, year=year)
    if initiative is not None:
        targets = targets.filter(initiative=initiative)
    if audience is not None:
        targets = targets.filter(audience=audience)
    targets = list(targets.select_related("initiative", "audience"))
    if not targets:
        return []
    rows = source(
        Scope(
            plan,
            start=datetime.date(year, 1, 1),
            end=datetime.date(year, 12, 31),
            initiative=initiative,
            audience=audience,
        ),
        per_audience=True,
    )
    initiative_field = rows.field("initiative")
    reached = rows.summed(initiative_field, "audience")
    progress = []
    for target in targets:
        matching = [
            row
            for row in reached
            if target.initiative_id in (None, row[initiative_field])
            and target.audience_id in (None, row["audience"])
        ]
        sums = {key: sum(row[key] or 0 for row in matching) for key in FIGURES}
        progress.append(Progress(target=target, reached=Figures(**figures_of(sums))))
    return sorted(progress, key=lambda p: _target_order(p.target))


def _target_order(target):
    """Plan-wide, per initiative (its own, then per audience), per audience."""
    initiative, audience = target.initiative, target.audience
    group = 0 if initiative is None and audience is None else 1 if initiative else 2
    return (
        group,
        initiative.number if initiative else 0,
        (audience.order, audience.name) if audience else (-1, ""),
    )


ACTIONS_PER_PAGE = 50
# What the list of actions calls a partner that is not published (`Partner.is_public`).
UNPUBLISHED_PARTNER = "Autre partenaire"


def communes(plan):
    """The communes of the plan's validated events, in alphabetical order."""
    return list(
        public_events(plan).order_by("commune").values_list("commune", flat=True).distinct()
    )


def action_page(scope, number, *, commune=None, per_page=ACTIONS_PER_PAGE):
    """One page of the scope's events, newest first, each with its figures for the
    scope's audience and `organisers`: the names of its organiser then of its
    co-organisers, the unpublished ones as « Autre partenaire ». A page beyond the
    last is the last. Three queries, however many events: their number, the page's
    events, the page's co-organisers."""
    events = scope.events()
    if commune is not None:
        events = events.filter(commune=commune)
    events = events.order_by("-date", "-pk")
    page = Paginator(events, per_page).get_page(number)
    bottom = (page.number - 1) * per_page
    page.object_list = list(
        events.with_totals(scope.audience)
        .select_related("initiative", "organizer")
        .only(
            "date",
            "title",
            "format",
            "commune",
            "initiative__title",
            "initiative__slug",
            "initiative__number",
            "organizer__name",
            "organizer__is_public",
        )[bottom : bottom + per_page]
    )
    # The page's co-organisers read through a subquery rather than a list of ids:
    # one query even for an empty page.
    co_organisers = {}
    links = (
        AwarenessEvent.co_organizers.through.objects.filter(
            awarenessevent__in=events.values("pk")[bottom : bottom + per_page]
        )
        .order_by("partner__name")
        .values_list("awarenessevent", "partner__name", "partner__is_public")
    )
    for event_id, name, is_public in links:
        co_organisers.setdefault(event_id, []).append(_public_name(name, is_public))
    for event in page.object_list:
        names = [_public_name(event.organizer.name, event.organizer.is_public)]
        names += co_organisers.get(event.pk, [])
        # Unpublished partners are named once: how many there are says nothing useful.
        event.organisers = list(dict.fromkeys(names))
    return page


def _public_name(name, is_public):
    return name if is_public else UNPUBLISHED_PARTNER


def counted_events(scope):
    """The scope's events that count in its figures: those with a count line (for
    the scope's audience, when one is chosen)."""
    lines = AudienceCount.objects.filter(event=OuterRef("pk"))
    if scope.audience is not None:
        lines = lines.filter(audience=scope.audience)
    return scope.events().filter(Exists(lines))


@dataclass(frozen=True)
class ActionRow:
    """One line of a list of actions: an event and its figures."""

    date: datetime.date
    title: str
    initiative_number: int
    initiative: str
    commune: str
    # Its organiser's name then its co-organisers', as in `action_page`.
    organisers: list
    people: int
    # None when the sex of its people is not known.
    women: int | None


def action_rows(scope, *, chunk_size=2000):
    """Every event counted in the scope, oldest first, with its figures for the
    scope's audience (`ActionRow`s): an iterator, read as it is consumed (the annual
    report's annex). Two queries, however many events: the co-organisers of all of
    them, then the events, fetched `chunk_size` at a time as plain values (ten
    thousand model instances cost half a second)."""
    events = counted_events(scope)
    co_organisers = {}
    links = (
        AwarenessEvent.co_organizers.through.objects.filter(awarenessevent__in=events.values("pk"))
        .order_by("partner__name")
        .values_list("awarenessevent", "partner__name", "partner__is_public")
    )
    for event_id, name, is_public in links:
        co_organisers.setdefault(event_id, []).append(_public_name(name, is_public))
    rows = (
        events.with_totals(scope.audience)
        .order_by("date", "pk")
        .values_list(
            "pk",
            "date",
            "title",
            "initiative__number",
            "initiative__title",
            "commune",
            "organizer__name",
            "organizer__is_public",
            "total_people",
            "total_women",
        )
    )
    for (
        pk,
        date,
        title,
        number,
        initiative,
        commune,
        name,
        is_public,
        people,
        women,
    ) in rows.iterator(chunk_size=chunk_size):
        names = [_public_name(name, is_public), *co_organisers.get(pk, [])]
        yield ActionRow(
            date=date,
            title=title,
            initiative_number=number,
            initiative=initiative,
            commune=commune,
            organisers=list(dict.fromkeys(names)),
            people=people,
            women=women,
        )


def communes_by_initiative(scope):
    """The communes each initiative's events counted in the scope took place in:
    {initiative id: [names, in French alphabetical order]}. One query."""
    pairs = counted_events(scope).values_list("initiative", "commune").distinct().order_by()
    communes = {}
    for initiative_id, commune in pairs:
        communes.setdefault(initiative_id, []).append(commune)
    return {key: sorted(names, key=name_key) for key, names in communes.items()}


# What the territory's page calls the events not yet linked to an official commune,
# and the communes that belong to no intercommunality.
UNLINKED_COMMUNE = "Commune non rattachée"
NO_EPCI = "Sans intercommunalité"


@dataclass(frozen=True)
class Place(Row):
    """A commune or an intercommunality (EPCI) and the people reached there; its
    population when the official communes give it (for an EPCI, that of all its
    communes)."""

    population: int | None = None
    epci: str = ""

    @property
    def per_thousand(self):
        """People made aware per 1,000 inhabitants, or None when the population is
        not known."""
        if not self.population:
            return None
        return 1000 * self.people / self.population


@dataclass(frozen=True)
class Territory:
    """The plan's territory: the intercommunalities (EPCI) where at least one of its
    validated events took place, since its start, whatever the filters; and, in the
    scope, the people reached per EPCI and per commune."""

    epcis: list
    communes: list
    # The territory's communes with no event in scope, per EPCI: [(EPCI, [names])].
    not_reached: list
    # The events in scope without an official commune, or None if there are none.
    unlinked: Place | None
    commune_count: int

    @property
    def epci_rows(self):
        """The EPCIs, then the events without an official commune."""
        return self.epcis + ([self.unlinked] if self.unlinked else [])

    @property
    def commune_rows(self):
        return self.communes + ([self.unlinked] if self.unlinked else [])

    @property
    def people(self):
        return sum(place.people for place in self.epci_rows)

    @property
    def not_reached_count(self):
        return sum(len(names) for _, names in self.not_reached)


def territory(scope):
    """People reached per EPCI and per commune of the plan's territory, and the
    territory's communes without any event in scope. Three queries, however many
    events: the scope's count lines summed per official commune (the daily figures
    do not carry the commune), its events counted per commune, and the territory's
    communes."""
    grouped = _per_commune(scope)
    unlinked = None
    if None in grouped:
        events, figures = grouped.pop(None)
        unlinked = Place(label=UNLINKED_COMMUNE, events=events, **figures)
    # A semi-join per commune (EXISTS) read the events again for each commune: 17 s
    # at 100,000 events on PostgreSQL, where this list, hashed once, takes 0.1 s.
    held = public_events(scope.plan).filter(official_commune__isnull=False)
    held = held.order_by().values("official_commune").distinct()
    epcis = Commune.objects.filter(code__in=held).exclude(epci_siren="").values("epci_siren")
    communes = list(
        Commune.objects.filter(Q(code__in=held) | Q(epci_siren__in=epcis)).values_list(
            "code", "name", "postal_codes", "epci_siren", "epci_name", "population"
        )
    )
    # In French alphabetical order (« Éperlecques » among the E), on any database.
    communes.sort(key=lambda commune: (name_key(commune[1]), commune[0]))
    names = Counter(name for _, name, *_ in communes)
    per_epci = {}
    reached, not_reached = [], {}
    for code, name, postal_codes, siren, epci_name, population in communes:
        epci = epci_name or NO_EPCI
        events, figures = grouped.get(code, (0, {}))
        area = per_epci.setdefault(siren, {"label": epci, "rows": []})
        area["rows"].append((events, figures, population))
        # Homonyms (two « Saint-Aubin ») are told apart by their postal code.
        label = f"{name} ({postal_codes.split(' ', 1)[0]})" if names[name] > 1 else name
        if not events:
            not_reached.setdefault(epci, []).append(label)
            continue
        reached.append(
            Place(key=code, label=label, epci=epci, events=events, population=population, **figures)
        )
    epci_rows = [_epci_place(siren, area) for siren, area in per_epci.items()]
    return Territory(
        epcis=_largest_first(epci_rows),
        communes=_largest_first(reached),
        not_reached=sorted(not_reached.items(), key=lambda item: name_key(item[0])),
        unlinked=unlinked,
        commune_count=len(communes),
    )


def _per_commune(scope):
    """{official commune code (None: not linked): (events, figures)}. The events are
    counted apart, on the events: counting them distinct among the lines sorted
    every line (four times slower at 100,000 events on PostgreSQL)."""
    sums = scope.lines().values("event__official_commune").annotate(**FIGURES).order_by()
    events = (
        scope.events()
        .filter(Exists(AudienceCount.objects.filter(event=OuterRef("pk"))))
        .values("official_commune")
        .annotate(events=Count("pk"))
        .order_by()
    )
    counted = {row["official_commune"]: row["events"] for row in events}
    return {
        row["event__official_commune"]: (
            counted.get(row["event__official_commune"], 0),
            figures_of(row),
        )
        for row in sums
    }


def _epci_place(siren, area):
    rows = area["rows"]
    populations = [population for _, _, population in rows]
    sums = {
        name: sum(figures.get(name, 0) for _, figures, _ in rows)
        for name in ("people", "women", "people_with_known_women")
    }
    return Place(
        key=siren,
        label=area["label"],
        events=sum(events for events, _, _ in rows),
        # Unknown when one of its communes' is: a partial sum would inflate the rate.
        population=None if None in populations else sum(populations),
        **sums,
    )


def _largest_first(places):
    return sorted(places, key=lambda place: (-place.people, name_key(place.label)))


# The national figures: every territory's headline side by side.


@dataclass(frozen=True)
class TerritoryHeadline:
    """A territory's headline as its dashboard gives it with no filter: its current
    plan's figures since the plan began, and the progress towards this year's
    plan-wide target; with its population (None when unknown)."""

    territory: IndustryTerritory
    # None when the territory has no published plan.
    headline: Headline | None
    population: int | None

    @property
    def totals(self):
        return self.headline.totals if self.headline else NO_PLAN

    @property
    def progress(self):
        return self.headline.progress if self.headline else None

    @property
    def per_thousand(self):
        """People made aware per 1,000 inhabitants, None when the population or the
        people (without a published plan) are not known."""
        if not self.population or self.totals.people is None:
            return None
        return 1000 * self.totals.people / self.population


# The figures of a territory without a published plan: unknown, which is not zero.
NO_PLAN = Totals(events=None, people=None, women=None, people_with_known_women=None)


@dataclass(frozen=True)
class NationalTotal:
    """Every territory's figures added up. The rate per 1,000 inhabitants is that of
    the territories whose population is known (their people over their inhabitants:
    the others' people over nobody would inflate it); the progress, that of the
    territories with a plan-wide target this year (their people this year over
    their targets)."""

    totals: Totals
    year: int
    people_where_population_known: int = 0
    population: int | None = None
    reached: int = 0
    target: int = 0

    @property
    def per_thousand(self):
        if not self.population:
            return None
        return 1000 * self.people_where_population_known / self.population

    @property
    def progress_share(self):
        return self.reached / self.target if self.target else None


def by_territory(*, today, with_epcis=False):
    """Every territory's `TerritoryHeadline` (in alphabetical order) and their
    `NationalTotal`. Three queries, however many territories and events: the
    territories with their population and current plan, the headline's sums
    (`_headline_sums`) over every current plan grouped by territory, and the
    plan-wide targets of this year; a fourth `with_epcis` (prefetched)."""
    plans = ActionPlan.objects.current_of_each_territory()
    territories = IndustryTerritory.objects.all()
    if with_epcis:
        territories = territories.prefetch_related("epcis")
    territories = territories.with_population().annotate(
        current_plan=Subquery(plans.filter(territory=OuterRef("pk")).values("pk")[:1])
    )
    territories = sorted(territories.order_by(), key=lambda area: area.alphabetical_key)
    if not territories:
        return [], NationalTotal(totals=Totals(), year=today.year)
    # The comparison with a year earlier, which the page does not show, would read
    # the daily rows of two months of every territory: 40 % more time.
    rows, sums, window = _headline_sums(Scope(plans), today, compare=False)
    territory = rows.field("initiative__plan__territory")
    summed = {row[territory]: row for row in rows.summed(territory, sums=sums)}
    targets = {
        target.plan.territory_id: target
        for target in Target.objects.filter(
            plan__in=plans, year=today.year, initiative=None, audience=None
        ).select_related("plan")
    }
    nothing = dict.fromkeys(sums(rows.parts[0][1]), 0)
    headlines = []
    for area in territories:
        headline = None
        if area.current_plan is not None:
            values = summed.get(area.pk, nothing)
            target = targets.get(area.pk)
            progress = None
            if target is not None:
                reached = Figures(
                    people=values["this_year"],
                    women=values["this_year_women_sum"],
                    people_with_known_women=values["this_year_known_sum"],
                )
                progress = Progress(target=target, reached=reached)
            headline = _headline_of(values, window, progress=progress, updated_at=None)
        headlines.append(
            TerritoryHeadline(territory=area, headline=headline, population=area.inhabitants)
        )
    return headlines, _national_total(headlines, today.year)


def _national_total(headlines, year):
    # A territory without a published plan has no figures: its inhabitants, counted
    # with nobody reached, would lower the national rate.
    planned = [row for row in headlines if row.headline is not None]
    with_population = [row for row in planned if row.population]
    with_target = [row for row in planned if row.progress is not None]
    return NationalTotal(
        totals=Totals.added(row.totals for row in planned),
        year=year,
        people_where_population_known=sum(row.totals.people for row in with_population),
        population=sum(row.population for row in with_population) or None,
        reached=sum(row.progress.reached.people for row in with_target),
        target=sum(row.progress.target.people for row in with_target),
    )

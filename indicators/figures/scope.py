"""What is counted and where it is read from: a `Scope` (a plan, a period, an
initiative, an audience, a partner, a partner account's organisations, statuses),
and the sums of its figures.

`source(scope)` says where a scope's figures are summed from: the stored figures
(indicators/figures/store.py) — the monthly rows for the whole months of its period,
the daily rows for the months its period cuts, a few thousand rows where the lines
are millions — or, for a scope narrowed to partners, the count lines themselves."""

import datetime
from dataclasses import dataclass, fields

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from indicators.enums import EventStatus
from indicators.figures.store import month_end
from indicators.models import (
    AudienceCount,
    AwarenessEvent,
    DailyFigures,
    MonthlyFigures,
    PartnerDailyFigures,
    PartnerMonthlyFigures,
)


def day_after(day):
    """The next day; None for None or the last date there is (no day after it)."""
    if day is None or day == datetime.date.max:
        return None
    return day + datetime.timedelta(days=1)


@dataclass(frozen=True)
class Scope:
    # A plan, or a queryset of plans read as a subquery: every territory's current
    # plan, for the national figures (`stats.by_territory`).
    plan: object
    start: datetime.date | None = None
    end: datetime.date | None = None
    initiative: object = None
    audience: object = None
    # Organised or co-organised by this partner.
    partner: object = None
    # A partner account's own: the events organised or co-organised by one of these
    # partners (their ids), and only these partners credited in the per-partner
    # figures. None: every partner's events. Applies together with `partner`.
    organisations: tuple | None = None
    # Public figures count validated events only; managers' exports may ask for others.
    statuses: tuple = (EventStatus.VALIDATED,)
    # False sums the count lines themselves: the reference the daily figures are
    # checked against.
    precomputed: bool = True

    @property
    def narrowed_to_partners(self):
        return self.partner is not None or self.organisations is not None

    @property
    def reads_daily_figures(self):
        # The daily figures are not broken down by the events' other partners.
        return self.precomputed and not self.narrowed_to_partners

    def daily(self):
        """The daily figures in scope: the chosen audience's rows, else every
        audience's (summed with `daily_sums`)."""
        return self.narrow(DailyFigures.objects.all())

    def partner_daily(self):
        return self.narrow(PartnerDailyFigures.objects.all())

    def daily_sums(self, per_audience=False):
        """The sums of the stored rows in scope (`daily`, `stored`…): with an audience
        chosen or `per_audience` (grouped by audience), each audience's events; else
        every audience's rows add up to all audiences', each event counted once,
        with its first audience (`first_events`)."""
        events = "events" if per_audience or self.audience is not None else "first_events"
        return {"events_sum": Sum(events, default=0), **STORED_FIGURES}

    def stored(self, *, partners=False, cuts=()):
        """The stored figures in scope (`daily`, or `partner_daily` with partners) as
        parts to add up: ((rows, their date field), …). The monthly rows of the
        months wholly in the period, and the daily rows of the months that its start
        or end cut, or one of `cuts`: days where a sum within the period must be able
        to begin. Each row then lies wholly inside or outside any period bounded by
        those days."""
        daily, monthly = (
            (PartnerDailyFigures, PartnerMonthlyFigures)
            if partners
            else (DailyFigures, MonthlyFigures)
        )
        boundaries = [*cuts, self.start, day_after(self.end)]
        cut = sorted({day.replace(day=1) for day in boundaries if day and day.day != 1})
        months = self.narrow(monthly.objects.all(), date="month")
        parts = [(months.exclude(month__in=cut) if cut else months, "month")]
        if cut:
            edges = Q.create(
                [Q(date__range=(month, month_end(month))) for month in cut], connector=Q.OR
            )
            parts.append((self.narrow(daily.objects.filter(edges)), "date"))
        return tuple(parts)

    def narrow(self, rows, *, date="date"):
        """Stored sums (daily figures, venue months…) narrowed to the scope's plan,
        statuses, initiative and audience, and to its period by their `date`; by
        their month, for monthly rows (`date="month"`), those of the months the
        period overlaps."""
        rows = rows.filter(self.of_plan("initiative__plan"), status__in=self.statuses)
        start, end = self.start, self.end
        if date == "month":
            start, end = start and start.replace(day=1), end and end.replace(day=1)
        if start is not None:
            rows = rows.filter(**{f"{date}__gte": start})
        if end is not None:
            rows = rows.filter(**{f"{date}__lte": end})
        if self.initiative is not None:
            rows = rows.filter(initiative=self.initiative)
        if self.audience is not None:
            return rows.filter(audience=self.audience)
        return rows

    def events(self):
        """The events in scope; with an audience, those with a line for it."""
        events = (
            AwarenessEvent.objects.filter(self.of_plan("initiative__plan"))
            .filter(status__in=self.statuses)
            .in_period(self.start, self.end)
        )
        if self.initiative is not None:
            events = events.filter(initiative=self.initiative)
        if self.audience is not None:
            events = events.filter(
                Exists(AudienceCount.objects.filter(event=OuterRef("pk"), audience=self.audience))
            )
        for partners in self._partner_narrowings():
            events = events.of_partners(partners)
        return events

    def lines(self):
        """The count lines in scope: only the audience's own lines when one is chosen."""
        lines = AudienceCount.objects.filter(
            self.of_plan("event__initiative__plan"), event__status__in=self.statuses
        )
        if self.start is not None:
            lines = lines.filter(event__date__gte=self.start)
        if self.end is not None:
            lines = lines.filter(event__date__lte=self.end)
        if self.initiative is not None:
            lines = lines.filter(event__initiative=self.initiative)
        if self.audience is not None:
            lines = lines.filter(audience=self.audience)
        for partners in self._partner_narrowings():
            co_organised = AwarenessEvent.co_organizers.through.objects.filter(
                partner__in=partners
            ).values("awarenessevent")
            lines = lines.filter(Q(event__organizer__in=partners) | Q(event__in=co_organised))
        return lines

    def of_plan(self, path):
        """The condition that `path` (to a plan) leads to the scope's plan, or to one of
        its plans."""
        if isinstance(self.plan, QuerySet):
            return Q(**{f"{path}__in": self.plan.values("pk")})
        return Q(**{path: self.plan})

    def _partner_narrowings(self):
        """Each set of partners the events must have one of (both apply at once)."""
        if self.partner is not None:
            yield [self.partner]
        if self.organisations is not None:
            yield self.organisations


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
    def known_women(self):
        """Women and girls, or None where nobody's sex is known: unknown is not zero."""
        return self.women if self.people_with_known_women else None

    @property
    def women_share(self):
        """Share of women among the people whose sex is known, or None if none is."""
        if not self.people_with_known_women:
            return None
        return self.women / self.people_with_known_women


@dataclass(frozen=True)
class Totals(Figures):
    events: int = 0

    @classmethod
    def added(cls, parts):
        """These totals added up (each territory's, for all of them)."""
        parts = list(parts)
        names = [field.name for field in fields(cls)]
        return cls(**{name: sum(getattr(part, name) for part in parts) for name in names})


FIGURES = {
    "people_sum": Sum("people", default=0),
    "women_sum": Sum("women", default=0),
    "known_sum": Sum("people", filter=Q(women__isnull=False), default=0),
}
LINE_SUMS = {"events_sum": Count("event", distinct=True), **FIGURES}
# The stored rows' sums but their events' (`Scope.daily_sums`).
STORED_FIGURES = {
    "people_sum": Sum("people", default=0),
    "women_sum": Sum("women", default=0),
    "known_sum": Sum("known", default=0),
}


@dataclass(frozen=True)
class FigureSource:
    """Where a scope's figures are summed from, with the same names either way:
    `rows` one queryset (the daily rows or the lines), `parts` the same figures as
    parts to add up, each with the name of its date field (`Scope.stored`)."""

    rows: object
    sums: dict
    prefix: str
    parts: tuple = ()

    def field(self, name):
        """The path to an event's field (date, initiative, format…) from the rows."""
        return name if name.startswith("audience") else self.prefix + name

    def summed(self, *fields, dates=None, sums=None):
        """The sums (`sums(date field)`, else `self.sums`) per value of these fields
        and of `dates`, {name: a function of the date (TruncMonth…)}: a list of dicts.
        One query, the parts' grouped sums in a UNION ALL, added up here (a few rows
        per group)."""
        # Aliases that no model's field has (the monthly rows have a `month`).
        dates = {f"{name}_of_date": of for name, of in (dates or {}).items()}
        names = [*fields, *dates]
        grouped = []
        for rows, date in self.parts:
            if dates:
                rows = rows.annotate(**{name: of(date) for name, of in dates.items()})
            aggregates = self.sums if sums is None else sums(date)
            grouped.append(rows.values(*names).annotate(**aggregates).order_by())
        rows = grouped[0].union(*grouped[1:], all=True) if len(grouped) > 1 else grouped[0]
        added = {}
        for row in rows:
            key = tuple(row[name] for name in names)
            if key not in added:
                added[key] = row
                continue
            for name, value in row.items():
                if name not in names:
                    added[key][name] = (added[key][name] or 0) + (value or 0)
        return [
            {name.removesuffix("_of_date"): value for name, value in row.items()}
            for row in added.values()
        ]

    def total(self, sums=None):
        """The sums over every row (`summed` without groups), in one query."""
        aggregates = self.sums if sums is None else sums(self.parts[0][1])
        if len(self.parts) == 1:
            return self.parts[0][0].aggregate(**aggregates)
        # A group per status: the parts' sums then have the same columns in a union.
        total = dict.fromkeys(aggregates, 0)
        for row in self.summed(self.field("status"), sums=sums):
            for name in aggregates:
                total[name] += row[name]
        return total


def source(scope, per_audience=False, *, cuts=()):
    """`cuts`: days where a sum over part of the scope's period must be able to begin
    (`Scope.stored`)."""
    if scope.reads_daily_figures:
        parts = scope.stored(cuts=cuts)
        return FigureSource(scope.daily(), scope.daily_sums(per_audience), "", parts)
    lines = scope.lines()
    return FigureSource(lines, LINE_SUMS, "event__", ((lines, "event__date"),))


def figures_of(values):
    return {
        "people": values["people_sum"] or 0,
        "women": values["women_sum"] or 0,
        "people_with_known_women": values["known_sum"] or 0,
    }

"""The tables the managers export: people reached per period (and per initiative
and audience, against the targets), and each partner's year."""

import datetime
from dataclasses import dataclass

from django.db.models.functions import TruncMonth, TruncQuarter, TruncYear

from indicators.figures.scope import Figures, figures_of, source
from indicators.figures.stats import _as_date, _credited_in
from indicators.models import Target

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
    # The targets are the plan's: never set against one partner's share of it.
    if period == "annee" and not scope.narrowed_to_partners:
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
                **figures_of(row),
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


def partners_by_year(scope, *, public=True):
    """Per partner and year: events organised, co-organised, and the people they
    reached (see `_credited`; `public` as for `stats.by_partner`)."""
    rows = [
        PartnerYear(year=_as_date(year).year, partner=name, **entry)
        for (year, _, name), entry in _credited_in(
            scope, "year", annotations={"year": TruncYear}, public=public
        ).items()
    ]
    return sorted(rows, key=lambda row: (row.year, row.partner.lower()))

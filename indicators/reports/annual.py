"""The annual report (« Bilan annuel ») the managers send to the plan's funders: a
year's figures against its targets, per audience, initiative and partner, and the
list of its actions.

Every figure comes from `indicators.figures.stats` for the year's `Scope` (validated
events, 1 January to 31 December), the same calls as the dashboard filtered on that
year, and every chart is the dashboard's own. Built in a constant number of queries;
the actions of the annex are read as the page is written (`annex_rows`, `annex_lines`)."""

import datetime
from dataclasses import dataclass, field, replace
from itertools import islice

from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import slugify

from feminisation.formatting import number, percentage
from indicators.figures import charts, stats
from initiatives.models import CURRENT_FIRST, Achievement, ActionPlan


class NoReport(Exception):
    """A year the report cannot be made for; the message says why, in French."""


@dataclass(frozen=True)
class AudienceYear:
    """An audience's figures in the year and in the whole year before."""

    current: stats.Row
    previous: stats.Row

    @property
    def share_change(self):
        """The change in the share of women and girls, in percentage points, or None
        when either year has no known sex."""
        if self.current.women_share is None or self.previous.women_share is None:
            return None
        return percentage(self.current.women_share) - percentage(self.previous.women_share)


@dataclass(frozen=True)
class InitiativeYear:
    initiative: object
    figures: stats.Row
    targets: list
    formats: list
    format_chart: charts.Chart
    communes: list
    achievements: list


@dataclass(frozen=True)
class AnnualReport:
    plan: object
    year: int
    produced_at: datetime.datetime
    today: datetime.date
    headline: stats.Headline
    venues: int
    partners_involved: int
    # Every target of the year, in `stats.target_progress`'s order.
    targets: list
    audiences: list
    initiatives: list
    partners: list
    charts: dict = field(default_factory=dict)
    # Whether the public dashboard shows this plan (its territory's current one).
    on_dashboard: bool = True
    # Whether another plan of the territory ran in the year too (its own report).
    shared_year: bool = False

    @property
    def scope(self):
        return year_scope(self.plan, self.year)

    @property
    def totals(self):
        return self.headline.totals

    @property
    def in_progress(self):
        """The year is not over: its figures are those of today."""
        return self.today.year == self.year

    @property
    def previous_year(self):
        return self.year - 1

    @property
    def partner_events(self):
        """Events credited to the partners, summed: more than the plan's events when
        partners act together (a joint event is credited to each of them)."""
        return sum(row.events for row in self.partners)

    def annex_rows(self):
        """The annex as table rows, for the page."""
        rows = stats.action_rows(self.scope)
        return format_html_join("", ANNEX_ROW, (_annex_cells(row, row.initiative) for row in rows))

    def annex_lines(self):
        """The annex for the PDF: a line per action, a paragraph per hundred lines
        (`white-space: pre-line`). WeasyPrint lays a table out cell by cell, and a
        paragraph per action costs it its styles and box: for ten thousand actions,
        seconds each."""
        rows = stats.action_rows(self.scope)
        lines = (_annex_cells(row, row.initiative_number) for row in rows)
        blocks = iter(lambda: list(islice(lines, LINES_PER_BLOCK)), [])
        return mark_safe(
            "".join(
                format_html(
                    '<p class="annex-block">{}</p>\n', format_html_join("\n", ANNEX_LINE, block)
                )
                for block in blocks
            )
        )

    @property
    def pdf_filename(self):
        # Two plans of a year: two reports, two names.
        plan = f"-{self.plan.slug}" if self.shared_year else ""
        return f"bilan-{self.year}-{slugify(self.plan.territory)}{plan}.pdf"


# The annex is written here rather than by the template engine, which takes seconds
# over ten thousand rows where this takes a tenth of one.
ANNEX_ROW = (
    '<tr><td>{}</td><th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td>'
    '<td class="num">{}</td><td class="num">{}</td></tr>\n'
)
ANNEX_LINE = "{} · {} · initiative {} · {} · {} · {} / {}"
LINES_PER_BLOCK = 100


def _annex_cells(row, initiative):
    return (
        f"{row.date:%d/%m/%Y}",
        row.title,
        initiative,
        row.commune,
        ", ".join(row.organisers),
        number(row.people),
        # « — »: the sex of its people is not known.
        number(row.women),
    )


def year_scope(plan, year):
    return stats.Scope(plan, start=datetime.date(year, 1, 1), end=datetime.date(year, 12, 31))


def plan_years(plan, today, successor=None):
    """The years a report can be made for, most recent first: from the plan's start
    to its end, or to the start of its `successor` (the territory's plan that began
    next, which replaced it), and not beyond this year."""
    ends = [plan.end_date] if plan.end_date else []
    if successor is not None:
        ends.append(successor.start_date - datetime.timedelta(days=1))
    last = min([today.year, *(end.year for end in ends)])
    return list(range(last, plan.start_date.year - 1, -1))


def plans_of_years(territory, today):
    """{year: the territory's published plans that ran in it, the most recently
    started first}: one query. A year has several where a plan ended, or was
    replaced, in its course."""
    plans = list(
        ActionPlan.objects.published().filter(territory=territory).order_by(*CURRENT_FIRST)
    )
    years = {}
    for successor, plan in zip([None, *plans], plans, strict=False):
        for year in plan_years(plan, today, successor):
            years.setdefault(year, []).append(plan)
    return years


@dataclass(frozen=True)
class ReportLink:
    """A report the exports page offers: a year, and its plan where the year has
    several (a plan ending mid-year, the next one beginning), chosen by `?plan=`."""

    year: int
    plan: object = None


def report_links(territory, today):
    """The reports that can be made in the territory, most recent year first: one a
    year of each of its published plans (`plans_of_years`), the plan named where a
    year has several."""
    return [
        ReportLink(year, plan if len(plans) > 1 else None)
        for year, plans in sorted(plans_of_years(territory, today).items(), reverse=True)
        for plan in plans
    ]


def annual_report(plan, year, *, now, plans_of=None):
    """The plan's report for `year`; NoReport if the year is not one of the plan's or
    has no validated event with figures. `plans_of`: its territory's
    `plans_of_years`, when the caller has read them already."""
    today = timezone.localdate(now)
    if plans_of is None:
        plans_of = plans_of_years(plan.territory, today)
    years = sorted((year for year, plans in plans_of.items() if plan in plans), reverse=True)
    if not years:
        # A plan published before it starts is its territory's current one already.
        raise NoReport(
            f"Le plan commence en {plan.start_date.year} : il n'y a pas encore de bilan."
        )
    if year not in years:
        covered = (
            f"l'année {years[0]}" if len(years) == 1 else f"les années {years[-1]} à {years[0]}"
        )
        raise NoReport(f"Le plan couvre {covered} : il n'y a pas de bilan pour {year}.")
    scope = year_scope(plan, year)
    targets = stats.target_progress(plan, year)
    headline = stats.headline(scope, today=today, progress=targets)
    if not headline.totals.events:
        raise NoReport(
            f"Aucune action validée n'a de chiffres en {year} : le bilan de cette "
            "année sera disponible dès la validation de sa première action."
        )
    # The public dashboard shows its territory's current plan: a report of another
    # (the plan before it) links neither to it nor to its charts' data.
    current = ActionPlan.objects.current(plan.territory)
    on_dashboard = current is not None and current.pk == plan.pk
    # By id, as templates read them: « par-mois » is `charts.par_mois`.
    dashboard = {
        chart.id.replace("-", "_"): chart
        for chart in charts.dashboard_charts(
            scope,
            has_period=True,
            today=today,
            target_year=year,
            progress=targets,
            query=f"annee={year}",
            linked=on_dashboard,
        )
    }
    previous = {row.key: row for row in stats.by_audience(year_scope(plan, year - 1))}
    audiences = [
        AudienceYear(current=row, previous=previous[row.key]) for row in stats.by_audience(scope)
    ]
    return AnnualReport(
        plan=plan,
        year=year,
        on_dashboard=on_dashboard,
        shared_year=len(plans_of[year]) > 1,
        produced_at=now,
        today=today,
        headline=headline,
        venues=stats.venues_reached(scope),
        partners_involved=stats.partners_involved(scope),
        targets=targets,
        audiences=audiences,
        initiatives=_initiatives(scope, targets),
        partners=stats.by_partner(scope),
        charts=dashboard,
    )


def _initiatives(scope, targets):
    """One section per initiative of the plan, in their order."""
    communes = stats.communes_by_initiative(scope)
    achievements = {}
    for achievement in Achievement.objects.filter(
        initiative__plan=scope.plan, date__range=(scope.start, scope.end)
    ).order_by("date", "pk"):
        achievements.setdefault(achievement.initiative_id, []).append(achievement)
    sections = []
    for row in stats.by_initiative(scope):
        initiative = row.key
        formats = stats.by_format(replace(scope, initiative=initiative))
        sections.append(
            InitiativeYear(
                initiative=initiative,
                figures=row,
                targets=[p for p in targets if p.target.initiative_id == initiative.pk],
                formats=formats,
                format_chart=charts.format_chart(formats, f"par-format-{initiative.slug}"),
                communes=communes.get(initiative.pk, []),
                achievements=achievements.get(initiative.pk, []),
            )
        )
    return sections

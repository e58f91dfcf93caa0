"""The charts of the public pages.

The initiative pages' `BarChart` is a data table whose rows' bars are <progress>
elements. The dashboard's `Chart`s are drawn in SVG on the server
(indicators.figures.drawing, templates/indicators/charts/): no JavaScript, no
inline style under the Content-Security-Policy, each with its title, a sentence
that says what it shows, its data table behind « Voir les données » and its CSV.
"""

import datetime
from dataclasses import dataclass, field, replace

from django.urls import reverse

from feminisation.formatting import counted, month_label, number, percent, share_percent
from indicators.figures import drawing, stats

PEOPLE = ("personne sensibilisée", "personnes sensibilisées")


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    width: int
    row: object


@dataclass(frozen=True)
class BarChart:
    """rows: `Figures` (stats.Row, stats.Month);
    `value` names the attribute the bars show."""

    id: str
    title: str
    rows: list
    label_header: str
    value: str = "people"
    value_header: str = "Personnes sensibilisées"
    show_women: bool = True
    data_url: str = ""

    @property
    def excel_data_url(self):
        return self.data_url + ("&" if "?" in self.data_url else "?") + "format=excel"

    @property
    def bars(self):
        values = [getattr(row, self.value) for row in self.rows]
        largest = max(values, default=0)
        return [
            Bar(
                label=self._label(row),
                value=value,
                width=round(100 * value / largest) if largest else 0,
                row=row,
            )
            for row, value in zip(self.rows, values, strict=True)
        ]

    @staticmethod
    def _label(row):
        label = getattr(row, "label", "")
        return label or month_label(row.month)

    @property
    def summary(self):
        """One sentence a reader gets before the table: the total and the largest bar."""
        bars = self.bars
        if not bars or not any(bar.value for bar in bars):
            return "Aucune personne sensibilisée sur cette période."
        top = max(bars, key=lambda bar: bar.value)
        if self.value == "cumulative_people":
            return f"Le cumul atteint {counted(bars[-1].value, *PEOPLE)} ({bars[-1].label})."
        total = sum(bar.value for bar in bars)
        return (
            f"{counted(total, *PEOPLE)} au total ; le plus grand nombre : "
            f"{top.label} ({number(top.value)})."
        )


# The dashboard's SVG charts.

# Official French abbreviations, short enough for twelve columns on a phone.
MONTH_TICKS = (
    "janv.", "févr.", "mars", "avr.", "mai", "juin",
    "juil.", "août", "sept.", "oct.", "nov.", "déc.",
)  # fmt: skip
MONTHS_SHOWN = 12
QUARTERS_SHOWN = 8
NOTHING = "Aucune personne sensibilisée sur cette période."
JOINT_EVENTS = (
    "Une action menée à plusieurs est comptée pour chacun de ses partenaires : "
    "le total par partenaire dépasse donc le total du plan."
)


@dataclass(frozen=True)
class TableColumn:
    """A column of a chart's data table and CSV: `kind` says how its values read
    (« label », « number », or « share », a fraction written as a percentage)."""

    header: str
    kind: str = "number"
    # Said to screen readers after the header in the page's table.
    note: str = ""

    def text(self, value):
        if self.kind == "share":
            return percent(value)
        return number(value) if self.kind == "number" else value

    def csv(self, value):
        if self.kind == "share":
            return share_percent(value)
        return value


PEOPLE_COLUMN = TableColumn("Personnes sensibilisées")
WOMEN_COLUMN = TableColumn("dont femmes ou filles")
SHARE_COLUMN = TableColumn(
    "part des femmes (%)", "share", note=" parmi les personnes dont le sexe est connu"
)


@dataclass(frozen=True)
class Panel:
    """One SVG of a chart: a title and a description for screen readers, the
    layout, or a sentence when there is nothing to draw."""

    id: str
    title: str
    description: str
    layout: object = None
    empty: str = ""


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    summary: str
    columns: list
    rows: list  # tuples of values, one per column
    # « bars » (horizontal), « columns », « line », or « shares » (a panel each)
    kind: str
    panels: list = field(default_factory=list)
    note: str = ""
    data_url: str = ""

    @property
    def is_empty(self):
        return not any(panel.layout for panel in self.panels)

    @property
    def table(self):
        """The rows as the page shows them: (text, is a number) per cell."""
        return [
            [
                (column.text(value), column.kind != "label")
                for column, value in zip(self.columns, row, strict=True)
            ]
            for row in self.rows
        ]

    @property
    def excel_data_url(self):
        return self.data_url + ("&" if "?" in self.data_url else "?") + "format=excel"


def _drawn(chart_id, title, summary, layout):
    return [Panel(id=f"{chart_id}-svg", title=title, description=summary, layout=layout)]


def _breakdown(chart_id, title, rows, label_header, *, note="", summed=True):
    """People per initiative, audience, format or partner, as horizontal bars."""
    columns = [TableColumn(label_header, "label"), PEOPLE_COLUMN, WOMEN_COLUMN, SHARE_COLUMN]
    table = [(row.label, row.people, row.known_women, row.women_share) for row in rows]
    if not any(row.people for row in rows):
        return Chart(chart_id, title, NOTHING, columns, table, "bars", note=note)
    top = max(rows, key=lambda row: row.people)
    summary = f"Le plus grand nombre : {top.label} ({counted(top.people, *PEOPLE)})."
    if summed:
        total = sum(row.people for row in rows)
        summary = f"{counted(total, *PEOPLE)} au total. " + summary
    layout = drawing.bar_layout([(row.label, row.people) for row in rows])
    return Chart(
        chart_id,
        title,
        summary,
        columns,
        table,
        "bars",
        panels=_drawn(chart_id, title, summary, layout),
        note=note,
    )


def format_chart(rows, chart_id="par-format"):
    """People per format of action (`stats.by_format`'s rows)."""
    return _breakdown(chart_id, "Personnes sensibilisées par format d'action", rows, "Format")


def _years(dates):
    """The year to print under each date: under the first and under each January."""
    return [str(day.year) if i == 0 or day.month == 1 else "" for i, day in enumerate(dates)]


def monthly_chart(months, has_period):
    title = "Personnes sensibilisées par mois" + ("" if has_period else " (12 derniers mois)")
    columns = [TableColumn("Mois", "label"), PEOPLE_COLUMN, WOMEN_COLUMN, SHARE_COLUMN]
    table = [(month_label(m.month), m.people, m.known_women, m.women_share) for m in months]
    if not any(m.people for m in months):
        return Chart("par-mois", title, NOTHING, columns, table, "columns")
    top = max(months, key=lambda m: m.people)
    total = sum(m.people for m in months)
    summary = (
        f"{counted(total, *PEOPLE)} au total ; le plus grand nombre : "
        f"{month_label(top.month)} ({number(top.people)})."
    )
    years = _years([m.month for m in months])
    layout = drawing.time_layout(
        [
            (MONTH_TICKS[m.month.month - 1], year, m.people)
            for m, year in zip(months, years, strict=True)
        ]
    )
    return Chart(
        "par-mois", title, summary, columns, table, "columns",
        panels=_drawn("par-mois", title, summary, layout),
    )  # fmt: skip


def cumulative_chart(months, *, start, target, target_year):
    """The people reached since `start`, month after month; against `target` (the
    year's target of exactly the filters' scope) when the months are that year's
    from 1 January on."""
    from_january = start == datetime.date(target_year, 1, 1) and all(
        m.month.year == target_year for m in months
    )
    target = target if from_january else None
    if from_january:
        title = f"Cumul des personnes sensibilisées en {target_year}, mois après mois"
        if target is not None:
            title += " face à l'objectif"
        since = f"Cumul depuis le 1er janvier {target_year}"
    else:
        title = "Cumul des personnes sensibilisées sur la période, mois après mois"
        since = f"Cumul depuis le {start:%d/%m/%Y}"
    running, table = 0, []
    for m in months:
        running += m.people
        table.append(
            (month_label(m.month), m.people, running, *([target.people] if target else []))
        )
    columns = [TableColumn("Mois", "label"), PEOPLE_COLUMN, TableColumn(since)]
    if target is not None:
        columns.append(TableColumn(f"Objectif {target_year}"))
    if not running:
        summary = NOTHING
        if target is not None:
            summary += f" L'objectif {target_year} est de {counted(target.people, *PEOPLE)}."
        return Chart("cumul", title, summary, columns, table, "line")
    summary = f"Le cumul atteint {counted(running, *PEOPLE)} fin {month_label(months[-1].month)}"
    if target is not None:
        share = percent(running / target.people, "floor")
        summary += f", soit {share} de l'objectif {target_year} ({number(target.people)})"
    summary += "."
    years = _years([m.month for m in months])
    reference = None
    if target is not None:
        reference = (target.people, f"Objectif {target_year} : {number(target.people)}")
    layout = drawing.time_layout(
        [
            (MONTH_TICKS[m.month.month - 1], year, value)
            for m, year, (_, _, value, *_) in zip(months, years, table, strict=True)
        ],
        line=True,
        reference=reference,
    )
    return Chart(
        "cumul", title, summary, columns, table, "line",
        panels=_drawn("cumul", title, summary, layout),
    )  # fmt: skip


def shares_chart(audiences, has_period):
    """The share of women and girls per audience and quarter: a small chart per
    audience, so that no colour tells the audiences apart."""
    title = "Part des femmes et des filles par public cible, par trimestre"
    if not has_period:
        title += f" ({QUARTERS_SHOWN} derniers trimestres)"
    columns = [
        TableColumn("Public cible", "label"),
        TableColumn("Trimestre", "label"),
        PEOPLE_COLUMN,
        WOMEN_COLUMN,
        TableColumn("personnes dont le sexe est connu"),
        SHARE_COLUMN,
    ]
    table, panels = [], []
    # An audience nobody in scope belongs to has no share to show.
    reached = [entry for entry in audiences if any(q.people for q in entry.quarters)]
    for n, entry in enumerate(reached, start=1):
        audience, quarters = entry.total.label, entry.quarters
        table += [
            (audience, q.label, q.people, q.known_women, q.people_with_known_women, q.women_share)
            for q in quarters
        ]
        panel_title = f"Part des femmes et des filles : {audience}"
        if not any(q.women_share is not None for q in quarters):
            empty = "Le sexe des personnes n'est renseigné pour aucun de ces trimestres."
            panels.append(Panel(f"part-des-femmes-{n}", audience, empty, empty=empty))
            continue
        values = " ; ".join(f"{q.label} : {percent(q.women_share)}" for q in quarters)
        years = _years([q.quarter for q in quarters])
        layout = drawing.time_layout(
            [
                (q.label.split()[0], year, q.women_share)
                for q, year in zip(quarters, years, strict=True)
            ],
            plot_height=120,
            shares=True,
        )
        panels.append(
            Panel(
                f"part-des-femmes-{n}",
                audience,
                f"{panel_title}, parmi les personnes dont le sexe est connu. {values}.",
                layout,
            )
        )
    summary = (
        "Pour chaque public, la part des femmes et des filles parmi les personnes "
        "dont le sexe est connu, trimestre par trimestre ; la ligne pointillée marque "
        "la parité (50\u202f%)."
    )
    if not reached:
        summary = NOTHING
    elif not any(panel.layout for panel in panels):
        summary = (
            "Le sexe des personnes sensibilisées n'est connu pour aucun trimestre de cette période."
        )
    return Chart("part-des-femmes", title, summary, columns, table, "shares", panels=panels)


def _own_target(progress, scope):
    """The target set for exactly the scope's initiative and audience, if any."""
    return next(
        (
            item.target
            for item in progress
            if item.target.initiative_id == getattr(scope.initiative, "pk", None)
            and item.target.audience_id == getattr(scope.audience, "pk", None)
        ),
        None,
    )


def dashboard_charts(scope, *, has_period, today, target_year, progress=(), query="", linked=True):
    """The dashboard's charts, each linking to its own data as CSV (same filters),
    unless not `linked` (a plan the dashboard no longer shows).
    `progress`: the year's `stats.target_progress`, read by the page already. Reads
    by_month, by_audience_and_quarter, by_initiative_and_format and by_partner."""
    months = [m for m in stats.by_month(scope, today=today) if m.month <= today]
    if has_period:
        year_months, start = months, scope.start or scope.plan.start_date
    else:
        year_months = [m for m in months if m.month.year == target_year]
        start = datetime.date(target_year, 1, 1)
    audiences = stats.by_audience_and_quarter(scope, today=today)
    per_initiative, per_format = stats.by_initiative_and_format(scope)
    shown = slice(None) if has_period else slice(-QUARTERS_SHOWN, None)
    audiences = [
        replace(entry, quarters=[q for q in entry.quarters if q.quarter <= today][shown])
        for entry in audiences
    ]
    charts = [
        monthly_chart(months if has_period else months[-MONTHS_SHOWN:], has_period),
        cumulative_chart(
            year_months, start=start, target=_own_target(progress, scope), target_year=target_year
        ),
        shares_chart(audiences, has_period),
        _breakdown(
            "par-initiative",
            "Personnes sensibilisées par initiative",
            per_initiative,
            "Initiative",
        ),
        _breakdown(
            "par-public",
            "Personnes sensibilisées par public cible",
            [entry.total for entry in audiences],
            "Public cible",
        ),
        format_chart(per_format),
        _breakdown(
            "par-partenaire",
            "Personnes sensibilisées par partenaire organisateur ou co-organisateur",
            stats.by_partner(scope),
            "Partenaire",
            note=JOINT_EVENTS,
            summed=False,
        ),
    ]
    if not linked:
        return charts
    suffix = f"?{query}" if query else ""
    return [
        replace(chart, data_url=reverse("chart_data", args=[chart.id]) + suffix) for chart in charts
    ]

"""Charts drawn as data tables: each row's bar is a <progress> element scaled to the
largest value, so a chart reads without JavaScript, prints, and says its numbers to
screen readers as a real table (and needs no inline style under a strict CSP)."""

from dataclasses import dataclass, replace

from django.urls import reverse

from feminisation.formatting import counted, month_label, number
from indicators.figures import stats

PEOPLE = ("personne sensibilisée", "personnes sensibilisées")


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    width: int
    row: object


@dataclass(frozen=True)
class BarChart:
    """rows: objects with `people`, `women`, `women_share` (stats.Row, stats.Month);
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


def dashboard_charts(scope, *, has_period, today, query=""):
    """The dashboard's charts, each linking to its own data as CSV (same filters)."""
    months = stats.by_month(scope, today=today)
    recent_months = months if has_period else months[-12:]
    # The running total starts with the first month anyone was reached.
    first_reached = next((i for i, month in enumerate(months) if month.people), len(months))
    charts = [
        BarChart(
            id="par-mois",
            title="Personnes sensibilisées par mois"
            + ("" if has_period else " (12 derniers mois)"),
            rows=recent_months,
            label_header="Mois",
        ),
        BarChart(
            id="cumul",
            title="Cumul des personnes sensibilisées, mois après mois",
            rows=months[first_reached:] or months[-1:],
            label_header="Mois",
            value="cumulative_people",
            value_header="Cumul des personnes sensibilisées",
            show_women=False,
        ),
        BarChart(
            id="par-initiative",
            title="Personnes sensibilisées par initiative",
            rows=stats.by_initiative(scope),
            label_header="Initiative",
        ),
        BarChart(
            id="par-public",
            title="Personnes sensibilisées par public cible",
            rows=stats.by_audience(scope),
            label_header="Public cible",
        ),
        BarChart(
            id="par-format",
            title="Personnes sensibilisées par format d'action",
            rows=stats.by_format(scope),
            label_header="Format",
        ),
        BarChart(
            id="par-partenaire",
            title="Personnes sensibilisées par partenaire organisateur ou co-organisateur",
            rows=stats.by_partner(scope),
            label_header="Partenaire",
        ),
    ]
    suffix = f"?{query}" if query else ""
    return [
        replace(chart, data_url=reverse("chart_data", args=[chart.id]) + suffix) for chart in charts
    ]

"""Charts drawn as data tables: each row's bar is a <progress> element scaled to the
largest value, so a chart reads without JavaScript, prints, and says its numbers to
screen readers as a real table (and needs no inline style under a strict CSP)."""

from dataclasses import dataclass

from indicators.templatetags.figures import number

FRENCH_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def month_label(month):
    return f"{FRENCH_MONTHS[month.month - 1]} {month.year}"


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
            return (
                f"Le cumul atteint {number(bars[-1].value)} personnes sensibilisées "
                f"({bars[-1].label})."
            )
        total = sum(bar.value for bar in bars)
        return (
            f"{number(total)} personnes sensibilisées au total ; le plus grand nombre : "
            f"{top.label} ({number(top.value)})."
        )

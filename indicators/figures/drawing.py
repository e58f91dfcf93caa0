"""The geometry of the dashboard's SVG charts, for plain SVG templates
(templates/indicators/charts/): scales with round ticks, columns, points, bars.

Horizontal positions are percentages of the chart's width and vertical ones
pixels, and the SVG has no viewBox: it takes the width of its column while its
text keeps the stylesheet's size, legible on a phone as on paper. Colours and
strokes come from classes in static/css/site.css (the Content-Security-Policy
allows no style attribute)."""

import itertools
import math
import textwrap
from dataclasses import dataclass

from feminisation.formatting import number, percent

# Columns and lines: room above the plot for the values printed over the columns,
# below it for the time axis (a tick, and the year under the first of each year).
PLOT_TOP = 28
AXIS = 40
# The scale's labels sit on their lines, left of the first column.
GUTTER = 12
# Horizontal bars: a label of one or more lines above each bar.
LINE_HEIGHT = 18
BAR_HEIGHT = 18
BAR_GAP = 14
# The longest bar leaves room at its end for its printed value.
LONGEST_BAR = 80
# Characters per label line: about 40 fit a phone's width at the chart's font size.
LABEL_WIDTH = 40


def round_ticks(largest, count=4, *, integers=True):
    """Round values from 0 up to at least `largest`, about `count` steps apart
    (steps of 1, 2, 2.5 or 5 times a power of ten; 2.5 only where it stays a whole
    number, for counts)."""
    if largest <= 0:
        return [0, 1] if integers else [0, 0.25]
    raw = largest / count
    magnitude = 10 ** math.floor(math.log10(raw))
    factors = (1, 2, 2.5, 5, 10) if magnitude >= 10 or not integers else (1, 2, 5, 10)
    step = next(f * magnitude for f in factors if f * magnitude >= raw)
    if integers:
        step = max(1, round(step))
    steps = math.ceil(largest / step - 1e-9)
    return [step * i for i in range(steps + 1)]


@dataclass(frozen=True)
class Gridline:
    y: float
    label: str
    parity: bool = False


@dataclass(frozen=True)
class Column:
    """One column of a time chart, and its place: x, width and center in % of the
    width, y and height in pixels."""

    tick: str
    year: str
    value_text: str
    x: float
    width: float
    center: float
    y: float
    height: float
    known: bool = True
    # Every other tick gives way on a narrow screen when there are many columns.
    minor: bool = False

    @property
    def value_y(self):
        return round(self.y - 6, 1)


@dataclass(frozen=True)
class Segment:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Reference:
    """A horizontal line the values are read against: a target."""

    y: float
    label: str

    @property
    def label_y(self):
        return round(self.y - 6, 1)


@dataclass(frozen=True)
class TimeLayout:
    """Columns over time, or points joined by a line, on a vertical scale."""

    columns: list
    gridlines: list
    plot_height: int
    segments: list = ()
    reference: Reference = None
    # Where the last point's value is printed, and how it is anchored.
    last_label: Column = None
    last_label_anchor: str = "middle"

    @property
    def height(self):
        return PLOT_TOP + self.plot_height + AXIS

    @property
    def baseline(self):
        return PLOT_TOP + self.plot_height

    @property
    def tick_y(self):
        return self.baseline + 16

    @property
    def year_y(self):
        return self.baseline + 32


def _y(value, top, plot_height):
    return round(PLOT_TOP + plot_height * (1 - value / top), 1)


def time_layout(points, *, plot_height=160, shares=False, line=False, reference=None):
    """points: (tick, year, value) with value None where it is unknown (a share of
    women where nobody's sex is known); `reference`: (value, label) drawn across.
    Counts are scaled to round ticks, shares from 0 to 100 % with parity marked."""
    values = [value for _, _, value in points if value is not None]
    if shares:
        ticks, text = [0, 0.25, 0.5, 0.75, 1], percent
    else:
        largest = max([*values, reference[0] if reference else 0], default=0)
        ticks, text = round_ticks(largest), number
    top = ticks[-1]
    slot = (100 - GUTTER) / max(len(points), 1)
    columns = []
    for i, (tick, year, value) in enumerate(points):
        y = _y(value or 0, top, plot_height)
        columns.append(
            Column(
                tick=tick,
                year=year,
                value_text=text(value),
                x=round(GUTTER + i * slot + slot * 0.15, 3),
                width=round(slot * 0.7, 3),
                center=round(GUTTER + i * slot + slot / 2, 3),
                y=y,
                height=round(PLOT_TOP + plot_height - y, 1),
                known=value is not None,
                minor=len(points) > 8 and i % 2 == 1,
            )
        )
    gridlines = [
        Gridline(
            y=_y(tick, top, plot_height),
            label=text(tick),
            parity=shares and tick == 0.5,
        )
        for tick in ticks
    ]
    segments = []
    if line:
        segments = [Segment(a.center, a.y, b.center, b.y) for a, b in itertools.pairwise(columns)]
    return TimeLayout(
        columns=columns,
        gridlines=gridlines,
        plot_height=plot_height,
        segments=segments,
        reference=(
            Reference(y=_y(reference[0], top, plot_height), label=reference[1])
            if reference
            else None
        ),
        last_label=columns[-1] if line and columns else None,
        last_label_anchor="end" if line and columns and columns[-1].center > 80 else "middle",
    )


@dataclass(frozen=True)
class Bar:
    """One horizontal bar: its label's lines (each with its y), the bar's y and
    width (in % of the chart's width), and its printed value."""

    lines: list
    y: float
    width: float
    value_text: str

    @property
    def text_y(self):
        return self.y + BAR_HEIGHT - 4


@dataclass(frozen=True)
class BarLayout:
    bars: list
    height: int
    bar_height: int = BAR_HEIGHT


def bar_layout(items):
    """items: (label, value), drawn in that order, each bar under its label (wrapped
    on several lines if long), the longest bar scaled to LONGEST_BAR %."""
    largest = max((value for _, value in items), default=0)
    bars, y = [], 0
    for label, value in items:
        lines = []
        for text in textwrap.wrap(label, LABEL_WIDTH) or [""]:
            y += LINE_HEIGHT
            lines.append((text, y - 4))
        bars.append(
            Bar(
                lines=lines,
                y=y + 2,
                width=round(LONGEST_BAR * value / largest, 2) if largest else 0,
                value_text=number(value),
            )
        )
        y += 2 + BAR_HEIGHT + BAR_GAP
    return BarLayout(bars=bars, height=y)

"""The dashboard's time charts and the charts' data tables, written here rather than
by template loops: a monthly chart over ten years is hundreds of elements, and the
template engine took a third of an uncached dashboard's time to write them. The
markup is the one templates/indicators/charts/ describe."""

from django import template
from django.template.loader import render_to_string
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()


def _n(value):
    """A coordinate as `{% localize off %}` writes it."""
    return localize(value, use_l10n=False)


def _t(value):
    """A text as `{% localize off %}` writes it."""
    return conditional_escape(localize(value, use_l10n=False))


def _cell(value):
    """A table's cell as `{{ value }}` writes it, localized."""
    return conditional_escape(localize(value))


@register.simple_tag(takes_context=True)
def time_svg(context, chart, panel, layout):
    """The SVG of a time chart's panel: columns, or points joined by a line."""
    parts = [
        f'<svg class="chart-svg" width="100%" height="{_n(layout.height)}" role="img" '
        f'aria-labelledby="{_t(panel.id)}-title {_t(panel.id)}-desc" '
        f'data-chart-svg="{_t(panel.id)}" xmlns="http://www.w3.org/2000/svg">\n'
        f'  <title id="{_t(panel.id)}-title">{_t(panel.title)}</title>\n'
        f'  <desc id="{_t(panel.id)}-desc">{_t(panel.description)}</desc>\n'
    ]
    if context.get("pdf"):
        parts.append(render_to_string("indicators/reports/_svg_style.html"))
    for line in layout.gridlines:
        parity = " chart-svg__grid--parity" if line.parity else ""
        parts.append(
            f'  <line class="chart-svg__grid{parity}" x1="0" x2="100%" '
            f'y1="{_n(line.y)}" y2="{_n(line.y)}"/>\n'
        )
    columns = layout.columns
    if chart.kind == "line":
        for s in layout.segments:
            parts.append(
                f'  <line class="chart-svg__line" x1="{_n(s.x1)}%" y1="{_n(s.y1)}" '
                f'x2="{_n(s.x2)}%" y2="{_n(s.y2)}"/>\n'
            )
        for column in columns:
            parts.append(
                f'  <circle class="chart-svg__point" cx="{_n(column.center)}%" '
                f'cy="{_n(column.y)}" r="4"/>\n'
            )
    else:
        for column in columns:
            if column.known:
                parts.append(
                    f'  <rect class="chart-svg__column" x="{_n(column.x)}%" y="{_n(column.y)}" '
                    f'width="{_n(column.width)}%" height="{_n(column.height)}"/>\n'
                )
    baseline = _n(layout.baseline)
    parts.append(
        f'  <line class="chart-svg__axis" x1="0" x2="100%" y1="{baseline}" y2="{baseline}"/>\n'
    )
    if reference := layout.reference:
        parts.append(
            f'  <line class="chart-svg__target" x1="0" x2="100%" y1="{_n(reference.y)}" '
            f'y2="{_n(reference.y)}"/>\n'
            f'  <text class="chart-svg__target-label" x="100%" y="{_n(reference.label_y)}" '
            f'text-anchor="end">{_t(reference.label)}</text>\n'
        )
    for line in layout.gridlines:
        parts.append(
            f'  <text class="chart-svg__grid-label" x="0" y="{_n(_added(line.y, -4))}">'
            f"{_t(line.label)}</text>\n"
        )
    if chart.kind == "line":
        if (column := layout.last_label) is not None:
            parts.append(
                f'  <text class="chart-svg__value" x="{_n(column.center)}%" '
                f'y="{_n(column.value_y)}" text-anchor="{layout.last_label_anchor}">'
                f"{_t(column.value_text)}</text>\n"
            )
    else:
        under_axis = _n(_added(layout.baseline, -6))
        for column in columns:
            y = _n(column.value_y) if column.known else under_axis
            parts.append(
                f'  <text class="chart-svg__value" x="{_n(column.center)}%" y="{y}" '
                f'text-anchor="middle">{_t(column.value_text)}</text>\n'
            )
    tick_y, year_y = _n(layout.tick_y), _n(layout.year_y)
    for column in columns:
        minor = " chart-svg__tick--minor" if column.minor else ""
        parts.append(
            f'  <text class="chart-svg__tick{minor}" x="{_n(column.center)}%" y="{tick_y}" '
            f'text-anchor="middle">{_t(column.tick)}</text>'
        )
        if column.year:
            parts.append(
                f'<text class="chart-svg__year" x="{_n(column.center)}%" y="{year_y}" '
                f'text-anchor="middle">{_t(column.year)}</text>'
            )
        parts.append("\n")
    parts.append("</svg>")
    # Every text above is escaped (_t).
    return mark_safe("".join(parts))


def _added(value, amount):
    """`value|add:amount`: whole numbers, as the template filter adds them."""
    return int(value) + amount


@register.simple_tag
def table_rows(rows):
    """A chart's data table body: each row's first cell its header."""
    parts = []
    for row in rows:
        cells = []
        for index, (text, is_number) in enumerate(row):
            if index == 0:
                cells.append(f'<th scope="row">{_cell(text)}</th>')
            else:
                number = ' class="num"' if is_number else ""
                cells.append(f"<td{number}>{_cell(text)}</td>")
        parts.append(f"          <tr>{''.join(cells)}</tr>\n")
    # Every text above is escaped (_cell).
    return mark_safe("".join(parts))

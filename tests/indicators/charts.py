"""The dashboard's charts as a visitor gets them: each SVG parsed as XML, and the
data table behind « Voir les données »."""

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

SVG = "{http://www.w3.org/2000/svg}"


def chart_html(response, chart_id):
    html = response.content.decode()
    start = html.index('<figure class="chart chart--')
    start = html.index(f'id="{chart_id}"', start)
    return html[start : html.index("</figure>", start)]


def drawings(fragment):
    """Each <svg> of a chart, parsed: they must be well-formed XML."""
    return [ET.fromstring(svg) for svg in re.findall(r"<svg.*?</svg>", fragment, re.S)]


def texts(svg, css_class):
    return [
        "".join(node.itertext())
        for node in svg.iter(f"{SVG}text")
        if css_class in node.get("class", "").split()
    ]


def printed_values(svg):
    return texts(svg, "chart-svg__value")


class _Table(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.headers, self._cell, self._in_body = [], [], None, False

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            text = "".join(self._cell).strip()
            (self.rows[-1] if self._in_body else self.headers).append(text)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def data_table(fragment):
    """(headers, rows) of the chart's table, each cell's text as read."""
    start = fragment.index("<table")
    parser = _Table()
    parser.feed(fragment[start : fragment.index("</table>", start) + len("</table>")])
    return parser.headers, parser.rows

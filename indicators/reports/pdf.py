"""Printing a report's page to PDF with WeasyPrint.

The page is the one the browser shows, its print stylesheet giving the A4 layout and
the page numbers, rendered with the stylesheets read from the static files:
WeasyPrint fetches nothing, so no text typed in the admin can make the server open
an address or a file."""

import functools
import logging

import weasyprint
from django.contrib.staticfiles import finders
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

STYLESHEETS = ("css/site.css", "css/report.css")
# One line per page at INFO: a report of 200 pages would fill the log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


@functools.cache
def _stylesheets():
    """Parsed once per process, quietly: WeasyPrint warns about every rule of the
    site's stylesheet it does not know (the charts' SVG properties, which it reads
    from the SVG's own style)."""
    fonts = FontConfiguration()
    log = logging.getLogger("weasyprint")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        sheets = [
            weasyprint.CSS(filename=finders.find(name), font_config=fonts) for name in STYLESHEETS
        ]
    finally:
        log.setLevel(level)
    return fonts, sheets


def pdf_bytes(html):
    fonts, stylesheets = _stylesheets()
    document = weasyprint.HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=()))
    return document.write_pdf(stylesheets=stylesheets, font_config=fonts)

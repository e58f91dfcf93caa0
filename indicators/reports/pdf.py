"""Printing a report's page to PDF with WeasyPrint.

The page is the one the browser shows, its print stylesheet giving the A4 layout and
the page numbers, rendered with the stylesheets read from the static files:
WeasyPrint fetches nothing, so no text typed in the admin can make the server open
an address or a file."""

import functools

import weasyprint
from django.contrib.staticfiles import finders
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

STYLESHEETS = ("css/site.css", "css/report.css")


@functools.cache
def _stylesheets():
    """Parsed once per process."""
    fonts = FontConfiguration()
    sheets = [
        weasyprint.CSS(filename=finders.find(name), font_config=fonts) for name in STYLESHEETS
    ]
    return fonts, sheets


def pdf_bytes(html):
    fonts, stylesheets = _stylesheets()
    document = weasyprint.HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=()))
    return document.write_pdf(stylesheets=stylesheets, font_config=fonts)

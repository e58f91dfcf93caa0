"""Writing CSV files that open cleanly in French Excel and LibreOffice.

A dataset is a list of columns (header → value of a row) written in one of two
dialects and streamed row by row: memory stays flat whatever the number of rows.
Every text cell is protected against formula injection; numbers stay numbers."""

import csv
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone


@dataclass(frozen=True)
class Dialect:
    key: str
    label: str
    delimiter: str
    lineterminator: str
    bom: bool
    date_format: str
    decimal_separator: str


EXCEL_FR = Dialect("excel", "Excel (France)", ";", "\r\n", True, "%d/%m/%Y", ",")
STANDARD = Dialect("csv", "CSV standard", ",", "\n", False, "%Y-%m-%d", ".")
DIALECTS = {dialect.key: dialect for dialect in (EXCEL_FR, STANDARD)}

# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    header: str
    value: object  # a function of the row


def cell(value, dialect):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        return f"{value:.1f}".replace(".", dialect.decimal_separator)
    if isinstance(value, datetime.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.strftime(f"{dialect.date_format} %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime(dialect.date_format)
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose write() hands the line back to the generator."""

    def write(self, value):
        return value


def _writer(dialect):
    return csv.writer(_Echo(), delimiter=dialect.delimiter, lineterminator=dialect.lineterminator)


def header(columns, dialect):
    """The first line, after the byte order mark the dialect may want."""
    line = _writer(dialect).writerow([c.header for c in columns])
    return ("\ufeff" if dialect.bom else "") + line


def lines(columns, rows, dialect):
    writer = _writer(dialect)
    yield header(columns, dialect)
    for row in rows:
        yield writer.writerow([cell(column.value(row), dialect) for column in columns])


def response(filename, columns, rows, dialect, *, stream=True):
    """A streamed download; `stream=False` for small files that a cache keeps."""
    return attachment(filename, lines(columns, rows, dialect), stream=stream)


def attachment(filename, content, *, stream=True):
    """A CSV download of `content`, an iterable of str or bytes."""
    if stream:
        download = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    else:
        download = HttpResponse("".join(content), content_type="text/csv; charset=utf-8")
    download["Content-Disposition"] = f'attachment; filename="{filename}"'
    return download

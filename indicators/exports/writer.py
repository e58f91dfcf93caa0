"""Writing CSV files that open cleanly in French Excel and LibreOffice.

A dataset is a list of columns (header → value of a row) written in one of two
dialects and streamed row by row: memory stays flat whatever the number of rows.
Every text cell is protected against formula injection, and quoted if it holds a
line break; numbers stay numbers."""

import csv
import datetime
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from indicators.exports.chunks import iterating


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

# A spreadsheet runs a cell starting with one of these as a formula, and some do
# after leading spaces or invisible characters, which the guard therefore looks past.
FORMULA_STARTS = ("=", "+", "-", "@")
# A cell starting with a tab or a carriage return is guarded whatever follows (OWASP).
GUARDED_STARTS = ("\t", "\r")
# Spaces and invisible characters: Unicode's controls (Cc), formats (Cf: zero-width
# spaces, direction marks, byte order mark…) and separators (Zs, Zl, Zp).
INVISIBLE = "".join(
    char
    for char in map(chr, range(0x10000))
    if unicodedata.category(char) in {"Cc", "Cf", "Zs", "Zl", "Zp"}
)


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
    if looks_like_formula(text):
        return "'" + text
    return text


def looks_like_formula(text):
    """True when a spreadsheet could run `text` as a formula: the cell gets an
    apostrophe before it, which makes it text (and which the import removes)."""
    return text.startswith(GUARDED_STARTS) or text.lstrip(INVISIBLE).startswith(FORMULA_STARTS)


class _Echo:
    """A file-like object whose write() hands the line back to the generator."""

    def write(self, value):
        return value


def _writer(dialect):
    """A function that writes a row's cells as a line of the dialect.

    Python's csv module quotes a cell holding a character of the line terminator
    only: with LF lines, a bare CR would end the line for Excel, LibreOffice or a
    line-by-line reader, and the rest of the cell start a row of its own (maybe with
    a formula). So the rows are written with CRLF, which quotes any cell holding a
    CR or an LF (as COPY does), and each line then ends as the dialect says."""
    writer = csv.writer(_Echo(), delimiter=dialect.delimiter, lineterminator="\r\n")

    def write(cells):
        return writer.writerow(cells)[:-2] + dialect.lineterminator

    return write


def header(columns, dialect):
    """The first line, after the byte order mark the dialect may want."""
    line = _writer(dialect)([c.header for c in columns])
    return ("\ufeff" if dialect.bom else "") + line


def lines(columns, rows, dialect):
    write = _writer(dialect)
    yield header(columns, dialect)
    with iterating(rows) as remaining:
        for row in remaining:
            yield write([cell(column.value(row), dialect) for column in columns])


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

"""Writing the same datasets as `writer` as Excel workbooks (.xlsx).

A dataset's `Column` list, once: each cell is written by its value's type, dates as
dates, numbers as numbers, text as text (never read as a formula, whatever it starts
with: no apostrophe is needed here). A second sheet, « À propos », says what the file
holds: the filters, the extraction date, the definitions, the licence.

xlsxwriter writes in `constant_memory` mode (each row flushed to a temporary file as
soon as the next one starts) into an anonymous temporary file, which the response
then streams and the system removes when it is closed: memory stays flat whatever
the number of rows. The whole file is written before its first byte is sent (a zip
names its parts at its end): a large export waits the time of its writing."""

import datetime
import itertools
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import FileResponse, HttpResponse
from django.utils import timezone

from feminisation.formatting import counted, moment
from indicators.exports.chunks import iterating

KEY = "xlsx"
LABEL = "Classeur Excel (.xlsx)"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
DECIMAL_FORMAT = "0.0"
ABOUT_SHEET = "À propos"
# The rows a sheet holds, its header's included (Excel's limit: a longer sheet would
# be cut when opened).
SHEET_ROWS = 1_048_576
# Widths (in characters) are read from the header and the first rows.
WIDTH_SAMPLE_ROWS = 200
MIN_WIDTH, MAX_WIDTH = 8, 60


class TooManyRows(Exception):
    """A workbook whose rows would not fit its sheet: the French reason."""


def check_rows(*querysets):
    """Raises TooManyRows if the querysets, one after the other, have more rows than
    a sheet holds below its header, reading no more rows than that."""
    data_rows = SHEET_ROWS - 1
    room = data_rows
    *first, last = querysets
    for rows in first:
        room -= rows[: room + 1].count()
    if room < 0 or last[room : room + 1].exists():
        raise TooManyRows(
            f"Ce classeur compterait plus de {counted(data_rows, 'ligne', 'lignes')}, le maximum "
            "d'une feuille Excel : choisissez une période plus courte, ou un fichier CSV, "
            "qui n'a pas de limite."
        )


@dataclass(frozen=True)
class About:
    """What the « À propos » sheet says, and the data sheet's name."""

    sheet: str  # the data sheet's name: « Actions », « Compteurs »…
    title: str
    extracted_at: datetime.datetime
    details: list = field(default_factory=list)  # (label, value) pairs after the date
    filters: list = field(default_factory=list)  # (label, value) pairs, in French
    definitions: list = field(default_factory=list)  # sentences
    licence: tuple = ()  # (name, address) for open data
    source: str = ""


class _Cells:
    """Writes a value with xlsxwriter's method for its type (write() would guess
    again at each cell, and read a text starting with « = » as a formula)."""

    def __init__(self, workbook, sheet):
        self.sheet = sheet
        self.date = workbook.add_format({"num_format": DATE_FORMAT})
        self.datetime = workbook.add_format({"num_format": DATETIME_FORMAT})
        self.decimal = workbook.add_format({"num_format": DECIMAL_FORMAT})
        self._by_type = {}

    def writer_for(self, kind):
        write = self._by_type.get(kind)
        if write is None:
            write = self._by_type[kind] = self._choose(kind)
        return write

    def _choose(self, kind):
        sheet = self.sheet
        if issubclass(kind, type(None)):
            return lambda row, col, value: None
        if issubclass(kind, bool):
            return lambda row, col, value: sheet.write_string(row, col, "oui" if value else "non")
        if issubclass(kind, int):
            return sheet.write_number
        if issubclass(kind, float | Decimal):
            return lambda row, col, value: sheet.write_number(row, col, value, self.decimal)
        if issubclass(kind, datetime.datetime):
            return lambda row, col, value: sheet.write_datetime(
                row, col, _local(value), self.datetime
            )
        if issubclass(kind, datetime.date):
            return lambda row, col, value: sheet.write_datetime(row, col, value, self.date)
        if issubclass(kind, str):  # an empty text is no cell, as in a CSV file
            return lambda row, col, value: value and sheet.write_string(row, col, value)
        return lambda row, col, value: sheet.write_string(row, col, str(value))


def _local(value):
    """A naive local time, which is what a spreadsheet's date cell holds."""
    return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value


def _width(value):
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        return 16
    if isinstance(value, datetime.date):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def workbook(output, columns, widths, kinds, about, *, constant_memory=False):
    """An open workbook into `output` (a path or a binary file), its data sheet with
    the header row frozen, the columns' widths, and the format of each column whose
    kind is "date" or "datetime": (the workbook, the sheet, its `_Cells`). `finish`
    closes it."""
    import xlsxwriter  # only downloads need it: keep it out of every request's start-up

    options = {"use_zip64": True}
    if constant_memory:
        options.update(constant_memory=True, tmpdir=tempfile.gettempdir())
    book = xlsxwriter.Workbook(output, options)
    sheet = book.add_worksheet(about.sheet)
    cells = _Cells(book, sheet)
    header = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    formats = {"date": cells.date, "datetime": cells.datetime}
    for col, (column, width, kind) in enumerate(zip(columns, widths, kinds, strict=True)):
        sheet.set_column(col, col, width, formats.get(kind))
        sheet.write_string(0, col, column.header, header)
    sheet.freeze_panes(1, 0)
    return book, sheet, cells


def finish(book, sheet, columns, rows, about):
    """The filter over the header and the `rows` data rows, the « À propos » sheet,
    and the file written."""
    sheet.autofilter(0, 0, rows, len(columns) - 1)
    _about_sheet(book, about, rows)
    book.close()


def write(output, columns, rows, about):
    """The workbook of `rows` into `output`; the number of data rows written."""
    with iterating(rows) as rows:
        sample = list(itertools.islice(rows, WIDTH_SAMPLE_ROWS))
        widths, kinds = [], []
        for column in columns:
            values = [column.value(row) for row in sample]
            widths.append(clamped(max(map(_width, [column.header, *values]))))
            kinds.append(next((_kind(value) for value in values if value is not None), None))
        book, sheet, cells = workbook(output, columns, widths, kinds, about, constant_memory=True)
        values = [column.value for column in columns]
        writer_for = cells.writer_for
        row_number = 0
        for row_number, row in enumerate(itertools.chain(sample, rows), start=1):
            for col, value in enumerate(values):
                cell = value(row)
                writer_for(type(cell))(row_number, col, cell)
    finish(book, sheet, columns, row_number, about)
    return row_number


def clamped(width):
    return min(max(width + 2, MIN_WIDTH), MAX_WIDTH)


def _kind(value):
    if isinstance(value, datetime.datetime):
        return "datetime"
    if isinstance(value, datetime.date):
        return "date"
    return None


def _about_sheet(workbook, about, rows):
    sheet = workbook.add_worksheet(ABOUT_SHEET)
    bold = workbook.add_format({"bold": True, "valign": "top"})
    title = workbook.add_format({"bold": True, "font_size": 14})
    wrapped = workbook.add_format({"text_wrap": True, "valign": "top"})
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 100)
    lines = [
        ("Extrait le", moment(about.extracted_at)),
        ("Contenu", f"{counted(rows, 'ligne', 'lignes')} dans la feuille « {about.sheet} »"),
    ]
    lines += about.details
    if about.source:
        lines.append(("Source", about.source))
    sections = [("", lines), ("Filtres", about.filters)]
    if about.definitions:
        sections.append(("Définitions", [("", text) for text in about.definitions]))
    if about.licence:
        name, address = about.licence
        reuse = (
            "Vous pouvez copier, modifier et réutiliser ces données, y compris à des fins "
            "commerciales, en mentionnant leur source et la date de leur mise à jour."
        )
        sections.append(("Licence", [("", f"{name} : {address}"), ("", reuse)]))
    sheet.write_string(0, 0, about.title, title)
    row = 1
    for heading, pairs in sections:
        if heading:
            row += 1
            sheet.write_string(row, 0, heading, bold)
            row += 1
        for label, text in pairs:
            if label:
                sheet.write_string(row, 0, label, bold)
            sheet.write_string(row, 1, text, wrapped)
            row += 1


def response(filename, columns, rows, about, *, stream=True):
    """A download of the workbook; `stream=False` for small files that a cache keeps."""
    output = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it)
    try:
        write(output, columns, rows, about)
        output.seek(0)
        if not stream:
            download = HttpResponse(output.read(), content_type=CONTENT_TYPE)
            download["Content-Disposition"] = f'attachment; filename="{filename}"'
            output.close()
            return download
    except BaseException:
        output.close()
        raise
    return file_response(output, filename)


def file_response(output, filename):
    """A download of `output`, a temporary file: FileResponse closes it once sent (or
    when the response is closed), which removes it."""
    return FileResponse(output, as_attachment=True, filename=filename, content_type=CONTENT_TYPE)

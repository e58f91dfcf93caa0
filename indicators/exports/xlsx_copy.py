"""The events workbook of `xlsx`, its rows written by PostgreSQL's COPY.

xlsxwriter spends some 60 µs on a row of the events sheet (a call, checks and an
XML escape per cell): at 100,000 rows, sixteen times the CSV export. Here, as
`pg_copy` does for CSV, the SELECT writes each row's XML itself (`<row><c …><v>…
</v></c>…</row>`: dates as Excel's serial day numbers with the date format, numbers
as numbers, text as inline strings) and COPY streams it, compressed as it comes.
xlsxwriter still writes the rest of the workbook (header, widths, frozen pane,
filter, styles, the « À propos » sheet), around those rows; `xlsx.write` stays the
reference, and the tests compare both. Some three to four times the CSV export's
time, still: the XML is four times the CSV's size (`make bench`).

COPY's text format escapes a backslash, a tab, a line break… in a value (`\\t`);
they are put back in Python, then the characters XML cannot hold are written as
Excel does (`_x000D_`), as xlsxwriter would, for the rare rows that hold one."""

import io
import re
import tempfile
import zipfile

from django.db import connections
from django.utils import timezone

from indicators.exports import pg_copy, xlsx

# The serial number of a date in Excel (the 1900 system, from March 1900 on).
EPOCH = "DATE '1899-12-30'"
# COPY's escapes in its text format, and what they stand for.
_COPY_ESCAPES = {b"\\": b"\\", b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
_COPY_ESCAPES[b"v"] = b"\v"
_COPY_ESCAPE = re.compile(rb"\\(.)")
# What XML cannot hold, or Excel would read as an escape: written as _xHHHH_.
_CONTROL = bytes([*range(0x09), *range(0x0B, 0x20)])
_NOT_XML = re.compile(rb"[\x00-\x08\x0b-\x1f]|_x[0-9A-Fa-f]{4}_|\xef\xbf[\xbe\xbf]")
BLOCK_ROWS = 1000
# zlib's fastest level: the rows' XML shrinks ten times at level 1 already, in 40 %
# of the default level's time.
COMPRESS_LEVEL = 1


def _not_xml(match):
    found = match.group()
    if found.startswith(b"_x"):
        return b"_x005F" + found
    return b"_x%04X_" % ord(found.decode())


def _text(sql):
    """XML text, escaped only if it needs it (a regular expression costs less than
    three replace(), which copy the text). Not cut at Excel's 32,767 characters: no
    column of the events sheet comes near (a title holds 300), and left() would cost
    a tenth of the export."""
    escaped = f"replace(replace(replace({sql}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')"
    return f"CASE WHEN {sql} ~ '[&<>]' THEN {escaped} ELSE {sql} END"


def _cell(ref, attributes, value_sql):
    """The XML of a cell in row `n`: a number (`<v>`), or an inline string. concat()
    writes it at once (each || would copy the text so far)."""
    start = f"""'<c r="{ref}', n, '"{attributes}>"""
    if 't="inlineStr"' in attributes:
        return f"""concat({start}<is><t xml:space="preserve">', {value_sql}, '</t></is></c>')"""
    return f"concat({start}<v>', {value_sql}, '</v></c>')"


def _xml(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


INLINE = ' t="inlineStr"'


def cell_sql(field, ref, styles, quote_name):
    """SQL for the XML of one cell of column `ref` (« A », « B »…) in row `n` (an
    empty text for an empty cell: a NULL would empty the whole row), and its
    parameters."""
    column = field.column(quote_name)
    params = []
    empty = f"{column} IS NULL"
    if isinstance(field, pg_copy.Integer):
        xml = _cell(ref, "", column)
    elif isinstance(field, pg_copy.DateTime):
        serial = f"(extract(epoch FROM ({column} AT TIME ZONE %s) - {EPOCH}) / 86400)::float8"
        xml = _cell(ref, f' s="{styles["datetime"]}"', serial)
        params = [timezone.get_current_timezone_name()]
    elif isinstance(field, pg_copy.Date):
        xml = _cell(ref, f' s="{styles["date"]}"', f"({column} - {EPOCH})")
    elif isinstance(field, pg_copy.Label):
        whens = []
        for value, label in field.choices.choices:
            whens.append(f"WHEN %s THEN {_cell(ref, INLINE, '%s')}")
            params += [value, _xml(str(label))]
        other = _cell(ref, INLINE, _text(column))
        xml = f"CASE {column} {' '.join(whens)} ELSE {other} END"
    elif isinstance(field, pg_copy.Text):
        xml = _cell(ref, INLINE, _text(column))
        empty = f"{empty} OR {column} = ''"
    else:
        raise TypeError(f"No XML cell for {field!r}.")
    return f"CASE WHEN {empty} THEN '' ELSE {xml} END", params


def statement(columns, source, styles, using):
    """The COPY statement: one line of XML per row, the header being row 1."""
    from xlsxwriter.utility import xl_col_to_name

    connection = connections[using]
    quote_name = connection.ops.quote_name
    cells, params = [], []
    for col, column in enumerate(columns):
        sql, cell_params = cell_sql(column.value, xl_col_to_name(col), styles, quote_name)
        cells.append(sql)
        params += cell_params
    order = ", ".join(f"s.{quote_name(name)}" for name in source.order)
    select = (
        f"""SELECT '<row r="' || n || '">' || {" || ".join(cells)} || '</row>' """
        # n: the row's number as text, once for all its cells.
        f"FROM (SELECT s.*, (position + 1)::text AS n FROM (SELECT s.*, row_number() "
        f"OVER (ORDER BY {order}) AS position FROM ({source.sql}) AS s) AS s) AS s "
        "ORDER BY position"
    )
    return connection.ops.compose_sql(f"COPY ({select}) TO STDOUT", [*params, *source.params])


def _clean(block):
    """Rows as COPY sent them, as XML: its escapes undone, then what XML cannot hold
    escaped. Searched for in a whole block at once, where it is rare."""
    if b"\\" in block:
        block = _COPY_ESCAPE.sub(lambda match: _COPY_ESCAPES.get(match[1], match[1]), block)
    if len(block.translate(None, _CONTROL)) != len(block) or b"_x" in block or b"\xef\xbf" in block:
        block = _NOT_XML.sub(_not_xml, block)
    return block


def copy_rows(output, columns, source, styles, using):
    """The rows' XML into `output` (a binary file); their number. Each row ends with
    COPY's line feed, which is only a space between two rows."""
    connection = connections[using]
    rows = 0
    block = []
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.copy(statement(columns, source, styles, using)) as copy,
    ):
        for row in copy:
            block.append(row)
            if len(block) == BLOCK_ROWS:
                output.write(_clean(b"".join(block)))
                rows += len(block)
                block = []
    output.write(_clean(b"".join(block)))
    return rows + len(block)


def _kind(field):
    if isinstance(field, pg_copy.DateTime):
        return "datetime"
    if isinstance(field, pg_copy.Date):
        return "date"
    return None


def _width(column):
    return {pg_copy.Date: 10, pg_copy.DateTime: 16, pg_copy.Integer: 8}.get(type(column.value), 20)


SHEET = "xl/worksheets/sheet1.xml"


def _skeleton(columns, about, rows):
    """The workbook without its data rows, as a zip in memory; the style numbers of
    its date formats."""
    output = io.BytesIO()
    widths = [xlsx.clamped(max(len(column.header), _width(column))) for column in columns]
    kinds = [_kind(column.value) for column in columns]
    book, sheet, cells = xlsx.workbook(output, columns, widths, kinds, about)
    xlsx.finish(book, sheet, columns, rows, about)
    return output, {"date": cells.date.xf_index, "datetime": cells.datetime.xf_index}


def _sheet_parts(skeleton):
    """The data sheet's XML before its rows' place, and after. Without the sheet's
    dimension (optional, and unknown until the last row): the rows are compressed
    as COPY sends them, before the count is known."""
    with zipfile.ZipFile(skeleton) as source:
        xml = source.read(SHEET).decode()
    xml = re.sub(r'<dimension ref="[^"]*"/>', "", xml, count=1)
    end = xml.index("</sheetData>")
    return xml[:end].encode(), xml[end:].encode()


def write(output, columns, source, about, using):
    """The workbook of `source`'s rows into `output` (a binary file); their number.

    The data sheet first, its rows compressed as they come; then the other parts,
    from a workbook written once the rows are counted (the filter's range, the
    « À propos » sheet's count). The style numbers, which xlsxwriter gives as it
    writes, come from a first one, the same but for its counts."""
    first, styles = _skeleton(columns, about, 0)
    before, _ = _sheet_parts(first)
    with zipfile.ZipFile(
        output, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=COMPRESS_LEVEL
    ) as target:
        with target.open(SHEET, "w", force_zip64=True) as sheet:
            sheet.write(before)
            rows = copy_rows(sheet, columns, source, styles, using)
            skeleton, final_styles = _skeleton(columns, about, rows)
            final_before, after = _sheet_parts(skeleton)
            if (final_before, final_styles) != (before, styles):
                raise RuntimeError("xlsxwriter wrote the two workbooks' sheets differently.")
            sheet.write(after)
        with zipfile.ZipFile(skeleton) as parts:
            for name in parts.namelist():
                if name != SHEET:
                    target.writestr(name, parts.read(name))
    return rows


def response(filename, columns, source, about, using):
    output = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it)
    try:
        write(output, columns, source, about, using)
        output.seek(0)
    except BaseException:
        output.close()
        raise
    return xlsx.file_response(output, filename)

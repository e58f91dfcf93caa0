"""The events workbook of `xlsx`, its rows read by PostgreSQL's COPY, one COPY a
chunk of events (`chunks`).

xlsxwriter spends some 60 µs on a row of the events sheet (a call, checks and an
XML escape per cell): at 100,000 rows, sixteen times the CSV export. Here COPY
sends each row's values, sorted, with no work per value but a date's serial day
number (a text stays as stored, a choice as its code), and Python writes the XML a
block of rows at a time: the text escaped in one pass over the block, then a line
split into values, a dictionary lookup per shared cell and one format (%) per row.
The text columns that take few values (names, communes, choices' labels) are
shared strings (`<c t="s"><v>12</v></c>`, the string written once at the end, in
`xl/sharedStrings.xml`); free text (titles, venues) stays in its cell. Rows and
cells omit their optional references (`r`): at 100,000 events, 53 MB of XML (114
MB with references and inline strings), 1.7 times the CSV file. xlsxwriter still writes the
rest of the workbook (header, widths, frozen pane, filter, styles, the « À propos »
sheet), around those rows; `xlsx.write` stays the reference, and the tests compare
both. Measured at 100,000 events (108,175 lines, 2 cores under a load of 7, five
runs interleaved, medians): 3.3 s against 1.9 s for the CSV file, 1.7 to 1.8 times
(the XML written by the SELECT took 3.8 times), 4.5 MB, memory +3 MB (`make bench`).
Compressing in a second thread did not gain on two busy cores: it is not done.

COPY's text format escapes a backslash, a tab, a line break… in a value (`\\t`);
they are put back once the block is XML, then the characters XML cannot hold are
written as Excel does (`_x000D_`), as xlsxwriter would, for the rare blocks that
hold one."""

import io
import itertools
import operator
import re
import tempfile
import zipfile

from django.db import connections
from django.utils import timezone

from indicators.exports import pg_copy, xlsx
from indicators.exports.chunks import iterating

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
# Text that people write freely, nearly one value a row: written in the cell itself.
# The other text columns (a name, a commune, a choice's label) take few values: each
# is written once, in the shared strings, and its cells give its number.
FREE_TEXT = frozenset({"title", "venue_name"})
# Beyond this many shared strings, a new text is written in its cell: memory stays
# bounded whatever the values.
SHARED_LIMIT = 50_000
EMPTY = b"<c/>"
INLINE = b'<c t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>'


def _not_xml(match):
    found = match.group()
    if found.startswith(b"_x"):
        return b"_x005F" + found
    return b"_x%04X_" % ord(found.decode())


def _xml(text):
    """XML text, escaped as the rows' text is before their markup is added."""
    return text.replace(b"&", b"&amp;").replace(b"<", b"&lt;").replace(b">", b"&gt;")


def _as_copied(text):
    """`text` as COPY's text format sends it, XML-escaped."""
    text = text.replace(b"\\", b"\\\\")
    for letter, char in _COPY_ESCAPES.items():
        if letter != b"\\":
            text = text.replace(char, b"\\" + letter)
    return _xml(text)


class SharedStrings:
    """The strings that cells give by their number (`t="s"`), after the `offset`
    strings of xlsxwriter's own cells (the header, the « À propos » sheet). Held as
    COPY sends them, XML-escaped: cleaned once, when the table is written."""

    def __init__(self, offset):
        self.offset = offset
        self.numbers = {}

    def cell(self, text):
        number = self.numbers.get(text)
        if number is None:
            if len(self.numbers) >= SHARED_LIMIT:
                return INLINE % text
            number = self.numbers[text] = b"%d" % (self.offset + len(self.numbers))
        return b'<c t="s"><v>%s</v></c>' % number

    def xml(self):
        return _clean(
            b"".join(b'<si><t xml:space="preserve">%s</t></si>' % text for text in self.numbers)
        )


class SharedColumn(dict):
    """A column's cells by their text as COPY sends it: looked up in C, and only a
    text not seen yet in the column calls `__missing__`."""

    def __init__(self, strings, labels=()):
        super().__init__({b"": EMPTY})
        self.strings = strings
        for value, label in labels:
            self[_as_copied(str(value).encode())] = strings.cell(_as_copied(str(label).encode()))

    def __missing__(self, text):
        cell = self.strings.cell(text)
        if not cell.startswith(b'<c t="inlineStr"'):
            self[text] = cell
        return cell


def _shared(field):
    return isinstance(field, pg_copy.Label) or (
        isinstance(field, pg_copy.Text) and field.name not in FREE_TEXT
    )


def _labels(field):
    return field.choices.choices if isinstance(field, pg_copy.Label) else ()


def _value_sql(field, quote_name):
    """SQL for a column's value as its cell holds it, and its parameters: a choice's
    code (its label is a shared string), a date as Excel's serial day number."""
    column = field.column(quote_name)
    if isinstance(field, pg_copy.DateTime):
        tz = timezone.get_current_timezone_name()
        return f"(extract(epoch FROM ({column} AT TIME ZONE %s) - {EPOCH}) / 86400)::float8", [tz]
    if isinstance(field, pg_copy.Date):
        return f"({column} - {EPOCH})", []
    if isinstance(field, pg_copy.Integer | pg_copy.Text | pg_copy.Label):
        return column, []
    raise TypeError(f"No XML cell for {field!r}.")


def _plain_cell(field, styles):
    """The XML of a cell that is not a shared string, around its value."""
    if isinstance(field, pg_copy.Text):
        return INLINE
    if isinstance(field, pg_copy.DateTime):
        return b'<c s="%d"><v>%%s</v></c>' % styles["datetime"]
    if isinstance(field, pg_copy.Date):
        return b'<c s="%d"><v>%%s</v></c>' % styles["date"]
    return b"<c><v>%s</v></c>"


class Rows:
    """The sheet's rows, from COPY's: its SELECT sends the shared columns' values
    first, then the others', in its text format, NULL as an empty text (either is no
    cell). A block of rows becomes XML in a few passes of C code over the block
    (escapes, splits), a lookup per shared cell and one format (%) per row.

    The rows and cells carry no reference (`r`, optional): each follows the one
    before. An empty cell is written `<c/>`, so that the next one keeps its column."""

    def __init__(self, columns, styles, strings):
        fields = [column.value for column in columns]
        shared = [index for index, field in enumerate(fields) if _shared(field)]
        plain = [index for index, field in enumerate(fields) if not _shared(field)]
        self.columns = [SharedColumn(strings, _labels(fields[index])) for index in shared]
        self.plain = [_plain_cell(fields[index], styles) for index in plain]
        # From the SELECT's order to the sheet's.
        self.order = operator.itemgetter(*[(shared + plain).index(i) for i in range(len(fields))])
        cells = [b"%s" if _shared(field) else _plain_cell(field, styles) for field in fields]
        self.template = b"<row>" + b"".join(cells) + b"</row>"

    def xml(self, block):
        """The XML of a block of COPY's rows, and their number."""
        controls = len(block.translate(None, _CONTROL)) != len(block)
        lines = _xml(block).split(b"\n")
        lines.pop()  # after the last line feed
        columns, template, order, shared = (
            self.columns,
            self.template,
            self.order,
            len(self.columns),
        )
        rows = []
        for fields in map(bytes.split, lines, itertools.repeat(b"\t")):
            cells = [*map(operator.getitem, columns, fields)]
            plain = fields[shared:]
            if b"" in plain:
                cells += [
                    cell % value if value else EMPTY
                    for cell, value in zip(self.plain, plain, strict=True)
                ]
                rows.append(b"<row>%s</row>" % b"".join(order(cells)))
            else:
                rows.append(template % order(cells + plain))
        return _clean(b"".join(rows), controls), len(lines)


def statement(columns, source, using):
    """The COPY statement: the shared columns' values, then the others'."""
    connection = connections[using]
    quote_name = connection.ops.quote_name
    fields = [column.value for column in columns]
    ordered = [field for field in fields if _shared(field)]
    ordered += [field for field in fields if not _shared(field)]
    values, params = [], []
    for field in ordered:
        sql, value_params = _value_sql(field, quote_name)
        values.append(sql)
        params += value_params
    order = ", ".join(f"s.{quote_name(name)}" for name in source.order)
    select = f"SELECT {', '.join(values)} FROM ({source.sql}) AS s ORDER BY {order}"
    return connection.ops.compose_sql(
        f"COPY ({select}) TO STDOUT WITH (NULL '')", [*params, *source.params]
    )


def _clean(xml, controls=True):
    """XML with COPY's escapes undone, then what XML cannot hold escaped (`controls`:
    whether COPY sent a control character as is). Searched for in a whole block at
    once, where it is rare: the memchr() of a byte first."""
    if b"\\" in xml:
        xml = _COPY_ESCAPE.sub(lambda match: _COPY_ESCAPES.get(match[1], match[1]), xml)
        controls = True
    if controls or (b"_" in xml and b"_x" in xml) or (b"\xef" in xml and b"\xef\xbf" in xml):
        xml = _NOT_XML.sub(_not_xml, xml)
    return xml


def copy_rows(output, columns, sources, styles, strings, using):
    """The XML of the rows of each of `sources` in turn into `output` (a binary
    file); their number."""
    connection = connections[using]
    rows = Rows(columns, styles, strings)
    count = 0
    block = []
    with iterating(sources) as remaining:
        for source in remaining:
            with (
                connection.wrap_database_errors,
                connection.cursor() as cursor,
                cursor.copy(statement(columns, source, using)) as copy,
            ):
                for row in copy:
                    block.append(row)
                    if len(block) == BLOCK_ROWS:
                        xml, lines = rows.xml(b"".join(block))
                        output.write(xml)
                        count += lines
                        block = []
    xml, lines = rows.xml(b"".join(block))
    output.write(xml)
    return count + lines


def _kind(field):
    if isinstance(field, pg_copy.DateTime):
        return "datetime"
    if isinstance(field, pg_copy.Date):
        return "date"
    return None


def _width(column):
    return {pg_copy.Date: 10, pg_copy.DateTime: 16, pg_copy.Integer: 8}.get(type(column.value), 20)


SHEET = "xl/worksheets/sheet1.xml"
SHARED_STRINGS = "xl/sharedStrings.xml"
_COUNTS = re.compile(rb'<sst ([^>]*)count="(\d+)" uniqueCount="(\d+)"')


def _skeleton(columns, about, rows):
    """The workbook without its data rows, as a zip in memory; the style numbers of
    its date formats."""
    output = io.BytesIO()
    widths = [xlsx.clamped(max(len(column.header), _width(column))) for column in columns]
    kinds = [_kind(column.value) for column in columns]
    book, sheet, cells = xlsx.workbook(output, columns, widths, kinds, about)
    xlsx.finish(book, sheet, columns, rows, about)
    return output, {"date": cells.date.xf_index, "datetime": cells.datetime.xf_index}


def _parts(skeleton):
    """The data sheet's XML before its rows' place, and after; the number of
    xlsxwriter's shared strings. Without the sheet's dimension (optional, and
    unknown until the last row): the rows are compressed as COPY sends them, before
    the count is known."""
    with zipfile.ZipFile(skeleton) as source:
        xml = source.read(SHEET).decode()
        strings = int(_COUNTS.search(source.read(SHARED_STRINGS))[3])
    xml = re.sub(r'<dimension ref="[^"]*"/>', "", xml, count=1)
    end = xml.index("</sheetData>")
    return xml[:end].encode(), xml[end:].encode(), strings


def _shared_strings(xml, strings):
    """xlsxwriter's shared strings (`xml`), then the rows'. Without the count of the
    cells that refer to them (optional, as openpyxl writes it): counting them would
    cost a pass over every row."""
    xml = _COUNTS.sub(
        lambda match: b'<sst %suniqueCount="%d"' % (match[1], int(match[3]) + len(strings.numbers)),
        xml,
        count=1,
    )
    end = xml.rindex(b"</sst>")
    return xml[:end] + strings.xml() + xml[end:]


def write(output, columns, sources, about, using):
    """The workbook of the rows of `sources`, one after the other, into `output` (a
    binary file); their number.

    The data sheet first, its rows compressed as they come; then the other parts,
    from a workbook written once the rows are counted (the filter's range, the
    « À propos » sheet's count), the rows' shared strings after its own. The style
    numbers and the count of its shared strings, which xlsxwriter gives as it
    writes, come from a first one, the same but for its counts."""
    first, styles = _skeleton(columns, about, 0)
    before, _, offset = _parts(first)
    strings = SharedStrings(offset)
    with zipfile.ZipFile(
        output, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=COMPRESS_LEVEL
    ) as target:
        with target.open(SHEET, "w", force_zip64=True) as sheet:
            sheet.write(before)
            rows = copy_rows(sheet, columns, sources, styles, strings, using)
            skeleton, final_styles = _skeleton(columns, about, rows)
            final_before, after, final_offset = _parts(skeleton)
            if (final_before, final_styles, final_offset) != (before, styles, offset):
                raise RuntimeError("xlsxwriter wrote the two workbooks' sheets differently.")
            sheet.write(after)
        with zipfile.ZipFile(skeleton) as parts:
            for name in parts.namelist():
                if name == SHARED_STRINGS:
                    target.writestr(name, _shared_strings(parts.read(name), strings))
                elif name != SHEET:
                    target.writestr(name, parts.read(name))
    return rows


def response(filename, columns, sources, about, using):
    output = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it)
    try:
        write(output, columns, sources, about, using)
        output.seek(0)
    except BaseException:
        output.close()
        raise
    return xlsx.file_response(output, filename)

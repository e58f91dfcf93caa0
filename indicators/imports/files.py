"""Reading an uploaded CSV or XLSX file into numbered rows, and the blank template
users download; the columns themselves are described in `indicators.sheet`.

One row is one count line of an event."""

import codecs
import csv
import io
from dataclasses import dataclass

from feminisation.formatting import number
from indicators.imports import limits
from indicators.imports.limits import MAX_CELL_CHARS, MAX_COLUMNS, MAX_LINES, LimitError
from indicators.sheet import (
    COLUMNS,
    COUNT_KEYS,
    HEADERS,
    HEADERS_BY_KEY,
    lookup_key,
    unguarded,
)

UNREADABLE = "Fichier illisible : enregistrez-le au format .xlsx, ou en CSV (UTF-8 ou Windows)."
# A CSV row's characters, its separators and quotes included: past this, it has too
# many columns or too long a cell. Checked while the row is read, since the csv
# module splits a whole row before it returns it.
MAX_ROW_CHARS = MAX_COLUMNS * (MAX_CELL_CHARS + 3)
# Any cell of a row not too long reaches the cell check and its French message, which
# the csv module's own limit (131,072 characters) cut short in English.
csv.field_size_limit(max(csv.field_size_limit(), MAX_ROW_CHARS))


# The lines (with something on them) in which the columns' titles are looked for: the
# first, or one under a title and a few notes.
HEADER_SEARCH = 10
# What a CSV line holds from lines above it: nothing (`_xlsx_lines`' merged cells).
NOTHING_COPIED = {}


class FileFormatError(Exception):
    """The file as a whole cannot be read: the message says why, in French."""


@dataclass
class Table:
    """The rows of a file, each as (its line number in the spreadsheet, {column
    key: cell value}), with the headers that name no known column."""

    rows: list
    ignored_headers: list
    # The line of the columns' titles, and the lines above it that held something
    # (a title, a note): skipped.
    header_line: int = 1
    skipped_lines: tuple = ()


def read_table(content):
    """Reads an uploaded file (bytes): XLSX, or CSV in UTF-8 (with or without BOM)
    or Windows-1252, separated by semicolons or commas. Refuses it as soon as it
    passes a limit (`limits`)."""
    if content.startswith(b"PK\x03\x04"):
        lines = _xlsx_lines(content)
    elif content.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileFormatError(
            "Les classeurs Excel 97-2003 (.xls) ne sont pas acceptés : enregistrez le "
            "fichier au format .xlsx ou CSV."
        )
    else:
        lines = _csv_lines(content)
    try:
        return _table(lines)
    except LimitError as error:
        raise FileFormatError(str(error)) from None


def _csv_lines(content):
    # NUL is in no text file, in UTF-8 or Windows-1252: a binary file that is
    # neither XLSX nor XLS (or UTF-16).
    if b"\x00" in content:
        raise FileFormatError(UNREADABLE)
    # What Excel in French saves as « CSV (séparateur : point-virgule) » otherwise.
    encoding = "utf-8-sig" if _is_utf8(content) else "cp1252"
    # Numbered as a spreadsheet shows them: a blank line is a row, a cell written on
    # several lines is one.
    line = 0
    try:
        # Guessed from the lines where the titles are looked for: a title above them
        # may hold a comma and no semicolon.
        first_lines = _first_lines(_text_stream(content, encoding), HEADER_SEARCH)
        delimiter = max(";,\t", key=lambda d: max(line.count(d) for line in first_lines))
        lines = _RowLines(_text_stream(content, encoding))
        reader = csv.reader(lines, delimiter=delimiter)
        for line, cells in enumerate(reader, start=1):
            lines.row_read()
            yield line, cells, NOTHING_COPIED
    except csv.Error:
        raise FileFormatError(
            f"Fichier CSV illisible à la ligne {line + 1} : enregistrez-le de nouveau depuis "
            "le tableur, au format CSV."
        ) from None
    except UnicodeDecodeError:  # a byte Windows-1252 does not define
        raise FileFormatError(UNREADABLE) from None
    except _RowTooLong:
        raise FileFormatError(
            f"La ligne {line + 1} est trop longue : au plus {MAX_COLUMNS} colonnes de "
            f"{number(MAX_CELL_CHARS)} caractères."
        ) from None


def _is_utf8(content):
    """Decodes by slices, so as never to hold the whole text."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(content)
    try:
        for start in range(0, len(content), limits.CHUNK):
            decoder.decode(view[start : start + limits.CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _text_stream(content, encoding):
    return io.TextIOWrapper(io.BytesIO(content), encoding=encoding, newline="")


def _first_lines(stream, count):
    """The first `count` lines with something on them (at least one, maybe empty), as
    str.splitlines() cuts lines."""
    lines = []
    while len(lines) < count and (physical := stream.readline(MAX_ROW_CHARS)):
        lines.extend(line for line in physical.splitlines() if line.strip())
    return lines[:count] or [""]


class _RowTooLong(Exception):
    pass


class _RowLines:
    """The file's lines for csv.reader, refused once the row being read (one line,
    or several for a cell written on several) passes MAX_ROW_CHARS."""

    def __init__(self, stream):
        self.stream = stream
        self.chars = 0

    def __iter__(self):
        return self

    def __next__(self):
        line = self.stream.readline(MAX_ROW_CHARS + 1)
        if not line:
            raise StopIteration
        self.chars += len(line)
        if self.chars > MAX_ROW_CHARS:
            raise _RowTooLong
        return line

    def row_read(self):
        self.chars = 0


def _xlsx_lines(content):
    import openpyxl  # only imports need it: keep it out of every request's start-up

    try:
        limits.check_xlsx(content)
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except LimitError:
        raise
    except Exception:  # a damaged or non-Excel zip: zipfile and openpyxl raise many kinds
        raise FileFormatError(limits.UNREADABLE_XLSX) from None
    try:
        sheet = workbook.worksheets[0]
        # Within the limits, whatever size the sheet declares: the rows and cells
        # beyond hold nothing (check_xlsx saw to it).
        rows = sheet.iter_rows(
            max_row=min(sheet.max_row or MAX_LINES, MAX_LINES),
            max_col=min(sheet.max_column or MAX_COLUMNS, MAX_COLUMNS),
            values_only=True,
        )
        merged = _merged_down(sheet)
        # openpyxl reads a row's XML only now: a damaged one (a text that does not
        # exist, a number or a date that is not one) raises as many kinds as above.
        line = 0
        # column → (the first and last lines of its merged cell, the cell's value)
        below = {}
        while True:
            try:
                cells = next(rows, None)
            except Exception:
                raise FileFormatError(limits.UNREADABLE_XLSX) from None
            if cells is None:
                break
            line += 1
            cells = list(cells)
            for column, last in merged.get(line, ()):
                if column < len(cells):
                    below[column] = (line, last, cells[column])
            copied = {}
            for column, (first, last, value) in list(below.items()):
                if line > last:
                    del below[column]
                elif line > first:
                    cells[column] = value
                    copied[column] = first
            yield line, cells, copied
    finally:
        workbook.close()


def _merged_down(sheet):
    """{line: [(column index, last line)]} of the sheet's cells merged over several
    lines: Excel keeps their value in their first line only, and each line below
    takes it (an action's cells merged over its lines, one per audience). Merged
    across columns, a value stays in its first column: the next column means
    something else."""
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    merge_tag = f"{{{SHEET_MAIN_NS}}}mergeCell"
    merged = {}
    try:
        if not _mentions_merged_cells(sheet):
            return merged
        with sheet._get_source() as source:
            for _, element in iterparse(source):
                if element.tag == merge_tag:
                    column, first, _, last = range_boundaries(element.get("ref"))
                    if last > first and first <= MAX_LINES and column <= MAX_COLUMNS:
                        merged.setdefault(first, []).append((column - 1, last))
                element.clear()
    except Exception:  # a damaged sheet, a range that is not one
        raise FileFormatError(limits.UNREADABLE_XLSX) from None
    return merged


def _mentions_merged_cells(sheet):
    """Whether the sheet's XML names a merged cell: read by blocks, most sheets
    having none, rather than parsed a second time."""
    word = b"mergeCell"
    with sheet._get_source() as source:
        tail = b""
        while block := source.read(1 << 20):
            if word in tail + block:
                return True
            tail = block[-len(word) :]
    return False


def _with_action_copies(cells, copied, keys, header_line):
    """The line's cells with what merged cells copied into it (`copied`: column →
    the merge's first line): a cell merged down from the titles' line is no value;
    a number (people, women) is its first line's only, which `MergedCount` says."""

    def kept(column, cell):
        if column not in copied:
            return cell
        if copied[column] <= header_line or column >= len(keys):
            return None
        if keys[column] in COUNT_KEYS:
            return MergedCount(copied[column])
        return cell

    return [kept(column, cell) for column, cell in enumerate(cells)]


@dataclass(frozen=True)
class MergedCount:
    """A number of people or of women merged over several lines from `first_line`:
    not each line's (30 people over two audiences' lines are not 30 of each)."""

    first_line: int

    def __str__(self):
        return f"(cellule fusionnée avec la ligne {self.first_line})"

    def message(self, header):
        return (
            f"La cellule « {header} » est fusionnée avec celle de la ligne "
            f"{self.first_line} : un nombre ne vaut que pour une ligne. Défusionnez-la et "
            "donnez le nombre de chaque public sur sa ligne."
        )


def _is_blank(cells):
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _table(lines):
    header_line = None
    rows = []
    above = []  # (line, the required columns it does not name) of the notes above the titles
    for line, cells, copied in lines:
        limits.check_row(line, cells)
        # A line that holds nothing of its own but merged cells from above is blank,
        # as the sheet shows it (a title cell merged down for looks, a spacer line).
        if _is_blank([cell for column, cell in enumerate(cells) if column not in copied]):
            continue
        if header_line is None:
            keys, ignored, missing = _header_keys(cells)
            if missing:
                # A title or a note above the table (a cell or two): the titles' line
                # may come next. A line of more cells is the titles', or actions
                # sorted above it: refused, named.
                if _is_note(cells) and len(above) + 1 < HEADER_SEARCH:
                    above.append((line, missing))
                    continue
                raise _missing_columns(missing, line, first=not above)
            header_line = line
            continue
        if copied:
            cells = _with_action_copies(cells, copied, keys, header_line)
        rows.append(
            (line, {key: unguarded(cell) for key, cell in zip(keys, cells, strict=False) if key})
        )
    if header_line is None:
        if above:  # notes only: the first line was the titles', then
            raise _missing_columns(above[0][1], above[0][0], first=True)
        raise FileFormatError("Le fichier est vide.")
    if not rows:
        raise FileFormatError(
            "Le fichier ne contient aucune action : ajoutez une ligne par public sous la "
            "ligne des titres de colonnes."
        )
    return Table(
        rows=rows,
        ignored_headers=ignored,
        header_line=header_line,
        skipped_lines=tuple(line for line, _ in above),
    )


def _header_keys(cells):
    """(each cell's column key, the headers no column has, the required columns
    missing) of a line read as the columns' titles; a column named twice in a line
    that names every required one is refused."""
    keys, ignored, twice = [], [], None
    for cell in cells:
        header = "" if cell is None else str(cell).strip()
        key = HEADERS.get(lookup_key(header))
        if key is not None and key in keys:
            twice = twice or header
        if header and key is None:
            ignored.append(header)
        keys.append(key)
    missing = [column.header for column in COLUMNS if column.required and column.key not in keys]
    if twice and not missing:
        raise FileFormatError(f"La colonne « {twice} » apparaît deux fois.")
    return keys, ignored, missing


def _is_note(cells):
    """A title or a note: one or two cells written."""
    return sum(not _is_blank([cell]) for cell in cells) <= 2


def _missing_columns(missing, line, first):
    names = ", ".join(f"« {name} »" for name in missing)
    where = "de la première ligne" if first else f"de la ligne {line}, celle des titres"
    return FileFormatError(
        f"Colonnes obligatoires absentes {where} : {names}. Partez du fichier modèle, "
        "dont la première ligne porte les titres des colonnes."
    )


def template_csv():
    """The template as Excel in French reads it: UTF-8 with BOM, semicolons."""
    stream = io.StringIO()
    csv.writer(stream, delimiter=";", lineterminator="\r\n").writerow(
        column.header for column in COLUMNS
    )
    return stream.getvalue().encode("utf-8-sig")


def template_xlsx(choices):
    """A workbook whose first sheet has the column titles and drop-down lists, a
    second sheet listing the accepted values, and a third documenting the columns.

    `choices` maps a column key to the values a user can pick (initiatives,
    formats, audiences, partners, statuses)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    bold = Font(bold=True)
    letters = {column.key: get_column_letter(i) for i, column in enumerate(COLUMNS, start=1)}
    sheet = workbook.active
    sheet.title = "Actions"
    for column in COLUMNS:
        _set_text(sheet[f"{letters[column.key]}1"], column.header).font = bold
        sheet.column_dimensions[letters[column.key]].width = max(14, len(column.header) + 4)
    sheet.freeze_panes = "A2"

    values = workbook.create_sheet("Valeurs possibles")
    for index, (key, options) in enumerate(choices.items(), start=1):
        letter = get_column_letter(index)
        _set_text(values[f"{letter}1"], HEADERS_BY_KEY[key]).font = bold
        for row, option in enumerate(options, start=2):
            _set_text(values[f"{letter}{row}"], option)
        values.column_dimensions[letter].width = 40
        if options:
            # A list, not a constraint: a value typed by hand is still checked on import.
            # (OOXML stores the formula without Excel's leading « = ».)
            validation = DataValidation(
                type="list",
                formula1=f"'Valeurs possibles'!${letter}$2:${letter}${len(options) + 1}",
                allow_blank=True,
                showErrorMessage=False,
            )
            sheet.add_data_validation(validation)
            target = letters[key]
            validation.add(f"{target}2:{target}{MAX_LINES}")

    manual = workbook.create_sheet("Mode d'emploi")
    for index, title in enumerate(("Colonne", "Obligatoire", "Contenu", "Exemple"), start=1):
        _set_text(manual.cell(row=1, column=index), title).font = bold
    for row, column in enumerate(COLUMNS, start=2):
        for index, text in enumerate(
            (column.header, "oui" if column.required else "non", column.help, column.example),
            start=1,
        ):
            _set_text(manual.cell(row=row, column=index), text)
    for letter, width in zip("ABCD", (18, 12, 90, 34), strict=True):
        manual.column_dimensions[letter].width = width
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def _set_text(cell, text):
    """Writes text as text: a partner named « =… » must not become a formula."""
    cell.value = text
    cell.data_type = "s"
    return cell

"""How large an import file may be, checked while it is read: a file is refused at
the first limit it passes, with a French message that names the limit.

Today's files are a few thousand lines of about fifteen columns, well under 1 MB.
The limits leave ample room above that and keep a file's check and confirmation
under gunicorn's 30 s (about 0.8 s per 1,000 lines, see docs/benchmarks.md) and its
memory within tens of megabytes, whatever the file holds.

An XLSX is a zip of XML parts, which a few kilobytes can inflate to gigabytes and
whose XML openpyxl builds into trees part by part. Before openpyxl opens it, every
part is checked here: the sizes the zip declares (zipfile never inflates a part past
its declared size: a part that lies fails its checksum there), then each part's XML,
streamed through expat without building anything (no DTD, so no entities to
expand; bounded nesting, children per element, rows, columns and cell lengths)."""

import io
import re
import xml.parsers.expat
import zipfile

from feminisation.formatting import number

MAX_LINES = 20_000  # of the sheet, the titles' line included
MAX_COLUMNS = 50
MAX_CELL_CHARS = 5_000
# All the parts of an XLSX, inflated: a full-size file of 20,000 lines takes ~12 MB.
MAX_XLSX_BYTES = 25 * 1024 * 1024
MAX_XLSX_PARTS = 1_000  # a workbook has ten to fifty
# Distinct texts of a workbook: a full-size file has one or two per line.
MAX_SHARED_STRINGS = 10 * MAX_LINES
# Any other XML element: Excel's columns per row (16,384) and a margin.
MAX_CHILDREN = 20_000
MAX_DEPTH = 64
CHUNK = 64 * 1024

UNREADABLE_XLSX = "Classeur illisible : enregistrez-le de nouveau au format .xlsx, ou en CSV."


class LimitError(Exception):
    """A limit passed: the message says which, in French."""


def too_many_lines():
    return LimitError(
        f"Le fichier dépasse {number(MAX_LINES)} lignes : découpez-le en plusieurs fichiers."
    )


def too_many_columns(line):
    return LimitError(
        f"La ligne {line} a des cellules remplies au-delà de la {MAX_COLUMNS}e colonne : "
        f"le fichier doit tenir en {MAX_COLUMNS} colonnes au plus."
    )


def cell_too_long(line=None):
    where = f"de la ligne {line} " if line else ""
    return LimitError(
        f"Une cellule {where}dépasse {number(MAX_CELL_CHARS)} caractères : c'est la "
        "longueur maximale d'une cellule dans un fichier d'import."
    )


def check_row(line, cells):
    """The limits of one row as read: its line number, its columns, its cells."""
    if line > MAX_LINES:
        raise too_many_lines()
    for index, cell in enumerate(cells, start=1):
        if cell is None or cell == "":
            continue
        if index > MAX_COLUMNS:
            raise too_many_columns(line)
        if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
            raise cell_too_long(line)


# XLSX ---------------------------------------------------------------------------


def check_xlsx(content):
    """Refuses, before openpyxl reads a byte of it, an XLSX past any limit; returns
    nothing, or raises LimitError or zipfile.BadZipFile."""
    # Each part has a 46-byte entry in the zip's directory, which zipfile reads whole
    # into objects: count them first, in C.
    if content.count(b"PK\x01\x02") > MAX_XLSX_PARTS:
        raise LimitError(
            f"Le classeur compte plus de {number(MAX_XLSX_PARTS)} parties : ce n'est pas "
            "un classeur d'actions. Enregistrez-le en CSV."
        )
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        parts = archive.infolist()
        if sum(part.file_size for part in parts) > MAX_XLSX_BYTES:
            raise LimitError(
                f"Le classeur décompressé dépasse {number(MAX_XLSX_BYTES // 1024 // 1024)} "
                "Mo : découpez-le en plusieurs fichiers."
            )
        for part in parts:
            if not part.is_dir():
                with archive.open(part) as stream:
                    _XmlScan().feed(stream)


CELL_REFERENCE = re.compile(r"([A-Z]{1,3})?([0-9]{1,7})?")


def _column_number(letters):
    result = 0
    for letter in letters:
        result = result * 26 + ord(letter) - 64
    return result


class _NotXml(Exception):
    """A part that is not XML (an image…): openpyxl never parses it as such."""


class _XmlScan:
    """Streams one part through expat, keeping only counters: the depth, each open
    element's children, the current row and cell, and the length of the cell's text."""

    def __init__(self):
        parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
        parser.StartDoctypeDeclHandler = self._refuse_dtd
        parser.EntityDeclHandler = self._refuse_dtd
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._text
        self.parser = parser
        self.children = []  # per open element, (its name, its children so far)
        self.row = 0
        self.column = 0
        self.in_value = False  # inside a cell's value or formula, or a text's <t>
        self.cell_chars = 0

    def feed(self, stream):
        try:
            while chunk := stream.read(CHUNK):
                self.parser.Parse(chunk, False)
            self.parser.Parse(b"", True)
        except xml.parsers.expat.ExpatError:
            # Not XML (a picture, a printer's settings), or damaged XML that openpyxl
            # refuses in turn if it reads this part.
            pass

    def _refuse_dtd(self, *args):
        raise LimitError(UNREADABLE_XLSX)

    def _start(self, name, attributes):
        local = name.rpartition(" ")[2]
        if self.children:
            parent, count = self.children[-1]
            count += 1
            self.children[-1] = (parent, count)
            if parent == "sheetData":
                if count > MAX_LINES:
                    raise too_many_lines()
            elif parent == "sst":
                if count > MAX_SHARED_STRINGS:
                    raise LimitError(
                        f"Le classeur contient plus de {number(MAX_SHARED_STRINGS)} textes "
                        "différents : découpez-le en plusieurs fichiers."
                    )
            elif count > MAX_CHILDREN:
                raise LimitError(UNREADABLE_XLSX)
        if len(self.children) >= MAX_DEPTH:
            raise LimitError(UNREADABLE_XLSX)
        self.children.append((local, 0))
        if local == "row":
            self.row = _position(attributes.get("r"), self.row + 1)
            self.column = 0
        elif local == "c":
            letters, _digits = CELL_REFERENCE.match(attributes.get("r", "")).groups()
            self.column = _column_number(letters) if letters else self.column + 1
            self.cell_chars = 0
        elif local in ("v", "is"):
            if self.row > MAX_LINES:
                raise too_many_lines()
            if self.column > MAX_COLUMNS:
                raise too_many_columns(self.row)
        if local in ("v", "t", "f"):
            self.in_value = True
        elif local == "si":
            self.cell_chars = 0

    def _end(self, name):
        self.children.pop()
        self.in_value = False

    def _text(self, data):
        if self.in_value:
            self.cell_chars += len(data)
            if self.cell_chars > MAX_CELL_CHARS:
                raise cell_too_long(self.row or None)


def _position(text, default):
    if text and text.isdigit() and len(text) <= 7:
        return int(text)
    return default

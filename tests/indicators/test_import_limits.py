"""Import files built to hurt: a zip bomb, a cell of hundreds of megabytes, a million
rows, thousands of columns, an XML entity bomb. Each is refused with a French message
that names the limit, in a second or so, without the reading process growing by more
than a few tens of megabytes; nothing is kept.

The XLSX files are written here byte by byte: a deflate stream made of one
compressed megabyte repeated (each piece flushed whole, so that pieces can be laid
end to end) weighs a few hundred kilobytes and inflates to gigabytes, without the
test ever holding them. Each file is read in a forked child whose peak memory is
reset before the read (/proc/self/clear_refs) and whose address space is capped, so
that a regression fails the test instead of the machine."""

import csv
import io
import json
import os
import resource
import signal
import struct
import time
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse_lazy
from openpyxl import Workbook

from feminisation.access import TERRITORY_STAFF
from feminisation.uploads import MAX_UPLOAD_BYTES
from indicators.imports.files import FileFormatError, read_table
from indicators.imports.limits import MAX_LINES
from indicators.models import AwarenessEvent, ImportPreview
from tests.indicators.accounts import user_in

IMPORT_URL = reverse_lazy("admin:indicators_awarenessevent_import")
MB = 1024 * 1024
HEADERS = ["date", "initiative", "intitulé", "format", "lieu", "commune", "organisateur"]
HEADERS += ["public", "personnes"]

# Building a zip by hand -------------------------------------------------------------


def deflated(segments, with_crc=True):
    """A raw deflate stream of (bytes, times) segments, and the inflated size and
    CRC (0 without `with_crc`). Each segment is compressed once, flushed whole, and
    repeated."""
    stream, size, crc = [], 0, 0 if with_crc else None
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    for data, times in segments:
        piece = compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)
        stream.append(piece * times)
        size += len(data) * times
        if crc is not None:
            for _ in range(times):
                crc = zlib.crc32(data, crc)
    stream.append(compressor.flush())
    return b"".join(stream), size, crc or 0


def zip_of(parts):
    """A zip of {name: (deflate stream, declared inflated size, crc)}."""
    body, directory = io.BytesIO(), io.BytesIO()
    for name, (data, size, crc) in parts.items():
        encoded = name.encode()
        offset = body.tell()
        header = (20, 0, 8, 0, 0, crc, len(data), size, len(encoded))
        body.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", *header, 0) + encoded + data)
        directory.write(
            struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, *header, 0, 0, 0, 0, 0, offset) + encoded
        )
    entries, start = len(parts), body.tell()
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, entries, entries, directory.tell(), start, 0)
    return body.getvalue() + directory.getvalue() + end


def small(data):
    return deflated([(data, 1)])


def base_parts(rows=(HEADERS,)):
    """The parts of a real workbook (openpyxl's), to replace some of."""
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    with zipfile.ZipFile(stream) as archive:
        return {name: small(archive.read(name)) for name in archive.namelist()}


SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
SHEET_START = b"<?xml version='1.0'?><worksheet " + MAIN + b"><sheetData>"
SHEET_END = b"</sheetData></worksheet>"


def header_row():
    cells = b"".join(
        b'<c t="inlineStr"><is><t>' + header.encode() + b"</t></is></c>" for header in HEADERS
    )
    return b"<row>" + cells + b"</row>"


def workbook_with(sheet=None, strings=None, **more):
    parts = base_parts()
    if sheet is not None:
        parts[SHEET] = sheet
    if strings is not None:
        parts[STRINGS] = strings
        types = parts["[Content_Types].xml"]
        xml = zlib.decompress(types[0], -15).replace(
            b"</Types>",
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
            b'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )
        parts["[Content_Types].xml"] = small(xml)
    parts.update(more)
    return zip_of(parts)


def repeated(unit, total_bytes):
    """`unit` repeated into about one megabyte, that megabyte `total_bytes // MB` times."""
    megabyte = unit * (MB // len(unit))
    return megabyte, max(1, total_bytes // len(megabyte))


# The crafted files ----------------------------------------------------------------


def zip_bomb():
    """3 GB of rows and texts in 3 MB (the CRCs are not worked out: the declared
    sizes alone must refuse it)."""
    rows = deflated(
        [(SHEET_START + header_row(), 1), repeated(b"<row><c><v>1</v></c></row>", 2 << 30)]
    )
    texts = deflated([(b"<sst " + MAIN + b">", 1), repeated(b"<si><t>x</t></si>", 1 << 30)])
    return workbook_with(sheet=(rows[0], rows[1], 0), strings=(texts[0], texts[1], 0))


def lying_sizes():
    """Declares 1 KB, inflates to 1 GB: zipfile stops at the declared size."""
    data, _size, crc = deflated([(b"<sst " + MAIN + b"><si><t>", 1), repeated(b"x", 1 << 30)])
    return workbook_with(strings=(data, 1024, crc))


def huge_cell(megabytes):
    """One text of `megabytes` MB, the first cell of the titles' line."""
    strings = deflated(
        [
            (b"<sst " + MAIN + b"><si><t>", 1),
            repeated(b"x", megabytes * MB),
            (b"</t></si></sst>", 1),
        ]
    )
    sheet = small(SHEET_START + b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>' + SHEET_END)
    return workbook_with(sheet=sheet, strings=strings)


def rows_of_data(count):
    rows = repeated(b'<row><c t="inlineStr"><is><t>x</t></is></c></row>', count * 47)
    return workbook_with(sheet=deflated([(SHEET_START + header_row(), 1), rows, (SHEET_END, 1)]))


def columns(count):
    cells = b"<c><v>1</v></c>" * count
    return workbook_with(
        sheet=small(SHEET_START + header_row() + b"<row>" + cells + b"</row>" + SHEET_END)
    )


def entity_bomb():
    laughs = b'<!DOCTYPE sst [<!ENTITY a "' + b"x" * 1000 + b'">'
    for level in range(1, 9):
        laughs += b"<!ENTITY %c '%s'>" % (97 + level, b"&%c;" % (96 + level) * 10)
    strings = laughs + b"]><sst " + MAIN + b"><si><t>&i;</t></si></sst>"
    return workbook_with(strings=small(strings))


def many_parts():
    return workbook_with(**{f"xl/media/image{n}.png": small(b"") for n in range(2_000)})


def lying_dimension():
    """Two lines, in a sheet that says it spans A1:XFD1048576."""
    sheet = (
        b"<?xml version='1.0'?><worksheet " + MAIN + b'><dimension ref="A1:XFD1048576"/>'
        b"<sheetData>"
        + header_row()
        + b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
        + SHEET_END
    )
    return workbook_with(sheet=small(sheet))


def merged(ref):
    """Two lines, the first column's cells merged over `ref`."""
    sheet = (
        SHEET_START
        + header_row()
        + b'<row><c t="inlineStr"><is><t>14/03/2025</t></is></c></row>'
        + b'</sheetData><mergeCells count="1"><mergeCell ref="'
        + ref
        + b'"/></mergeCells></worksheet>'
    )
    return workbook_with(sheet=small(sheet))


def csv_rows(count):
    return (";".join(HEADERS) + "\n" + "x;1\n" * count).encode()


def csv_of(*rows):
    stream = io.StringIO()
    csv.writer(stream, delimiter=";").writerows([HEADERS, *rows])
    return stream.getvalue().encode()


LIMITS = "Le fichier dépasse 20\u202f000 lignes : découpez-le en plusieurs fichiers."
UNREADABLE = "Classeur illisible : enregistrez-le de nouveau au format .xlsx, ou en CSV."
INFLATED = "Le classeur décompressé dépasse 25 Mo : découpez-le en plusieurs fichiers."
COLUMNS = "a des cellules remplies au-delà de la 50e colonne"
LONG_CELL = "dépasse 5\u202f000 caractères : c'est la longueur maximale d'une cellule"
CRAFTED = {
    "xlsx zip bomb, 3 GB": (zip_bomb, INFLATED),
    "xlsx part lying on its size, 1 GB": (lying_sizes, UNREADABLE),
    "xlsx cell of 300 MB": (lambda: huge_cell(300), INFLATED),
    "xlsx cell of 20 MB": (lambda: huge_cell(20), f"Une cellule {LONG_CELL}"),
    "xlsx million rows": (lambda: rows_of_data(1_000_000), INFLATED),
    "xlsx 400,000 rows": (lambda: rows_of_data(400_000), LIMITS),
    "xlsx 16,384 columns": (lambda: columns(16_384), f"La ligne 2 {COLUMNS}"),
    "xlsx entity bomb": (entity_bomb, UNREADABLE),
    "xlsx merged cells that are not a range": (lambda: merged(b"A2:"), UNREADABLE),
    "xlsx 2,000 parts": (many_parts, "Le classeur compte plus de 1\u202f000 parties"),
    "csv million rows": (lambda: csv_rows(1_000_000), LIMITS),
    "csv 5 million columns": (lambda: b";" * (MAX_UPLOAD_BYTES // 2), "La ligne 1 est trop longue"),
    "csv cell of 9 MB": (lambda: csv_of(["x" * 9 * MB]), "La ligne 2 est trop longue"),
}


def read_in_a_child(content, seconds=30, headroom=400 * MB):
    """read_table(content) in a forked child: (its outcome, its peak memory above
    what it started with, in MB, its time in seconds)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        try:
            os.close(read_end)
            with open("/proc/self/clear_refs", "w") as clear_refs:
                clear_refs.write("5")  # resets the peak resident size to the current one
            before = _status_kb("VmRSS")
            address_space = _status_kb("VmSize") * 1024 + headroom
            resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
            start = time.perf_counter()
            try:
                outcome = f"lu : {len(read_table(content).rows)} lignes"
            except FileFormatError as error:
                outcome = f"refusé : {error}"
            except MemoryError:
                outcome = "MemoryError"
            report = {
                "outcome": outcome,
                "peak": (_status_kb("VmHWM") - before) / 1024,
                "seconds": time.perf_counter() - start,
            }
            os.write(write_end, json.dumps(report).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    deadline = time.monotonic() + seconds
    while os.waitpid(pid, os.WNOHANG) == (0, 0):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail(f"reading the file took more than {seconds} s")
        time.sleep(0.05)
    with os.fdopen(read_end, "rb") as pipe:
        report = json.loads(pipe.read() or b'{"outcome": "child crashed"}')
    return report["outcome"], report.get("peak"), report.get("seconds")


def _status_kb(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise LookupError(field)


@pytest.mark.parametrize(("build", "message"), CRAFTED.values(), ids=CRAFTED.keys())
def test_a_crafted_file_is_refused_fast_and_in_little_memory(build, message):
    content = build()
    assert len(content) < MAX_UPLOAD_BYTES

    outcome, peak, seconds = read_in_a_child(content)

    assert outcome.startswith("refusé : ") and message in outcome, outcome
    assert peak < 40, f"{peak:.0f} MB"
    assert seconds < 3, f"{seconds:.1f} s"


def test_a_sheet_lying_on_its_dimension_is_read_for_what_it_holds():
    outcome, peak, seconds = read_in_a_child(lying_dimension())

    assert outcome == "lu : 1 lignes"
    assert peak < 40 and seconds < 3, (peak, seconds)


def test_cells_merged_down_to_the_last_line_of_excel_are_read_for_what_the_sheet_holds():
    outcome, peak, seconds = read_in_a_child(merged(b"A2:A1048576"))

    assert outcome == "lu : 1 lignes"
    assert peak < 40 and seconds < 3, (peak, seconds)


def test_a_full_size_file_is_read_within_bounds():
    """The largest file the limits let through, 20,000 lines of the import's columns."""
    line = ["14/03/2025", "1", "Visite de la verrerie n° {}", "Visite d'entreprise"]
    line += ["Arc France", "Arques", "Arc France", "Filles", "24"]
    content = csv_of(*([cell.format(n) for cell in line] for n in range(MAX_LINES - 1)))

    outcome, peak, seconds = read_in_a_child(content)

    assert outcome == f"lu : {MAX_LINES - 1} lignes"
    assert peak < 80 and seconds < 5, (peak, seconds)


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (["x"] * 51, "La ligne 2 a des cellules remplies au-delà de la 50e colonne"),
        (["x"] * 9 + [""] * 60, None),  # empty cells past the 50th column: what Excel writes
        (["x" * 5_001], "Une cellule de la ligne 2 dépasse 5\u202f000 caractères"),
        (["x" * 5_000], None),
        # Past the csv module's own limit, which answered in English.
        (["x" * 140_000], "Une cellule de la ligne 2 dépasse 5\u202f000 caractères"),
    ],
    ids=[
        "51 columns",
        "empty cells past 50",
        "5,001 characters",
        "5,000 characters",
        "140,000 characters",
    ],
)
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_limits_of_a_row(cells, message, file_format):
    if file_format == "csv":
        content = csv_of(cells)
    else:
        workbook = Workbook()
        workbook.active.append(HEADERS)
        workbook.active.append([cell or None for cell in cells])
        stream = io.BytesIO()
        workbook.save(stream)
        content = stream.getvalue()

    if message is None:
        assert len(read_table(content).rows) == 1
    else:
        with pytest.raises(FileFormatError, match=message):
            read_table(content)


# Through the import page --------------------------------------------------------------


@pytest.fixture
def staff_client(client, db):
    client.force_login(user_in(TERRITORY_STAFF, "equipe"))
    return client


def test_a_refused_file_keeps_nothing_and_says_why(staff_client):
    response = staff_client.post(IMPORT_URL, {"file": SimpleUploadedFile("bombe.xlsx", zip_bomb())})

    assert response.status_code == 200
    assert response.context["form"].errors == {"file": [INFLATED]}
    assert not ImportPreview.objects.exists()
    assert not AwarenessEvent.objects.exists()


@pytest.mark.parametrize(
    "size",
    [MAX_UPLOAD_BYTES + 1, MAX_UPLOAD_BYTES + 2 * MB],
    # Stopped at the chunk past 10 MB; or, the body declaring more than 10 MB and the
    # form's fields can take, before the file's first byte.
    ids=["10 MB and 1 byte", "12 MB"],
)
def test_an_upload_past_10_mb_is_refused_while_received(db, size):
    # As a browser sends it: the CSRF token first, read before the file is refused.
    client = Client(enforce_csrf_checks=True)
    client.force_login(user_in(TERRITORY_STAFF, "equipe"))
    token = client.get(IMPORT_URL).context["csrf_token"]
    content = b"x" * size

    response = client.post(
        IMPORT_URL,
        {"csrfmiddlewaretoken": token, "file": SimpleUploadedFile("gros.csv", content)},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "file": ["Le fichier dépasse 10 Mo : découpez-le en plusieurs fichiers."]
    }
    # Neither in memory nor in a temporary file: dropped while received.
    assert not response.wsgi_request.FILES
    assert not ImportPreview.objects.exists()

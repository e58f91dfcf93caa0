"""In-process measurements of one database, each side by side with its floor.

Run by bench/run.py as `python -m bench.measure --events N --repeat R --out FILE`
with the environment of bench/env.py; `--export-memory` measures the export's
peak memory growth alone (a fresh process, so ru_maxrss starts low), `--xlsx-memory`
the events workbook's."""

import argparse
import csv
import datetime
import html.parser
import io
import json
import os
import re
import resource
import statistics
import time

import django

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import OperationalError, connection, reset_queries, transaction  # noqa: E402
from django.db.models import Count, Max  # noqa: E402
from django.db.models.functions import ExtractYear  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.utils import timezone  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from feminisation.access import MANAGERS, PARTNERS, TERRITORY_STAFF  # noqa: E402
from indicators.enums import EventStatus  # noqa: E402
from indicators.exports import xlsx  # noqa: E402
from indicators.figures import store  # noqa: E402
from indicators.models import AudienceCount, AwarenessEvent  # noqa: E402
from indicators.reports.annual import plan_years  # noqa: E402
from initiatives.models import ActionPlan  # noqa: E402
from partners.models import Partner  # noqa: E402
from territories.models import Territory  # noqa: E402

BARE_PAGE = b"<!doctype html><title>bare</title><p>bare view</p>"


def bare_view(request):
    """The framework's floor: a fixed page through the same middleware."""
    return HttpResponse(BARE_PAGE)


# This module is the URLconf of the measurements: the project's URLs plus the bare view.
urlpatterns = [path("bench-bare/", bare_view), path("", include(settings.ROOT_URLCONF))]

EXPORT_URL = "/exports/evenements.csv?statut=toutes"
ALL_STATUSES = tuple(EventStatus.values)  # what `statut=toutes` exports
XLSX_URL = f"{EXPORT_URL}&format=xlsx"
CHANGELIST_URL = "/admin/indicators/awarenessevent/"
IMPORT_URL = "/admin/indicators/awarenessevent/import/"


def ms(seconds):
    return round(seconds * 1000, 2)


DECLARE_CURSOR = re.compile(r"^DECLARE .*? CURSOR (?:WITH(?:OUT)? HOLD )?FOR ")


def captured(connection):
    """CaptureQueriesContext on an empty log. Read its captured_queries at once: the
    property slices the log again on each access, and later requests empty it."""
    reset_queries()
    return CaptureQueriesContext(connection)


def timed(function):
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def summary(samples):
    """Median and p95 (nearest rank) of samples in seconds, as milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median_ms": ms(statistics.median(ordered)), "p95_ms": ms(p95), "n": len(ordered)}


def get_ok(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


def seed_territory():
    """load_plan's territory, the first: the one the single-territory measures read."""
    return Territory.objects.order_by("pk").first()


def home_url():
    """The seed territory's dashboard: `/`, or its site's once there are several."""
    if Territory.objects.count() == 1:
        return "/"
    return f"/territoires/{seed_territory().slug}/"


def user(username, territory=None, **fields):
    """A bench account, member of `territory` (the seed territory by default)."""
    account, _ = User.objects.get_or_create(username=username, defaults=fields)
    (territory or seed_territory()).members.add(account)
    return account


def manager_client():
    manager = user("bench-manager", is_staff=True)
    manager.groups.add(Group.objects.get(name=MANAGERS))
    client = Client()
    client.force_login(manager)
    return client


# 1. Dashboard -------------------------------------------------------------------


# An uncached dashboard slower than this is sampled once, not `repeat` times; one
# slower than the timeout is reported as such (PostgreSQL cancels its queries).
HEAVY_S = 10
DASHBOARD_TIMEOUT_S = int(os.environ.get("BENCH_DASHBOARD_TIMEOUT", 300))


def dashboard(repeat, url=None):
    url = url or home_url()
    client = Client()
    cache.clear()
    with connection.cursor() as cursor:
        cursor.execute(f"SET statement_timeout = {DASHBOARD_TIMEOUT_S * 1000}")
    try:
        with captured(connection) as queries_seen:
            first_s, page = timed(lambda: client.get(url))
    except OperationalError as error:  # statement_timeout
        return {"timeout_s": DASHBOARD_TIMEOUT_S, "error": str(error).splitlines()[0]}
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")
    if page.status_code != 200:  # the application turns the cancelled query into a 503
        return {"timeout_s": DASHBOARD_TIMEOUT_S, "error": f"HTTP {page.status_code}"}
    # A form's choices are read through a server-side cursor (ModelChoiceIterator's
    # iterator()), logged as « DECLARE … CURSOR … FOR SELECT … »: replayed as the SELECT.
    queries = [DECLARE_CURSOR.sub("", q["sql"]) for q in queries_seen.captured_queries]

    per_query = [[] for _ in queries]

    def sql_floor():
        with connection.cursor() as cursor:
            for index, sql in enumerate(queries):
                started = time.perf_counter()
                cursor.execute(sql)
                cursor.fetchall()
                per_query[index].append(time.perf_counter() - started)

    def uncached():
        cache.clear()
        get_ok(client, url)

    heavy = first_s > HEAVY_S
    runs = {
        "bare": lambda: get_ok(client, "/bench-bare/"),
        "cached": lambda: get_ok(client, url),
        "uncached": uncached,
        "sql_floor": sql_floor,
    }
    for name, run in runs.items():  # warm-up (the first render warmed the heavy ones)
        if not heavy or name in ("bare", "cached"):
            run()
    samples = {name: [] for name in runs}
    for turn in range(repeat):  # interleaved, so that noise hits every measure alike
        for name, run in runs.items():
            if heavy and turn and name in ("uncached", "sql_floor"):
                continue
            if name == "cached":
                get_ok(client, url)  # make sure the entry is there
            samples[name].append(timed(run)[0])
    result = {name: summary(values) for name, values in samples.items()}
    result["first_render_ms"] = ms(first_s)
    slowest = sorted(
        ((statistics.median(times), sql) for times, sql in zip(per_query, queries, strict=True)),
        reverse=True,
    )[:3]
    result["slowest_queries"] = [{"median_ms": ms(t), "sql": sql[:160]} for t, sql in slowest]
    result["queries"] = len(queries)
    result["page_bytes"] = len(page.content)
    return result


# 2. Events export ---------------------------------------------------------------


def consume_export(client, url=EXPORT_URL):
    """(rows, bytes, seconds to the first data row, total seconds).

    Rows are counted by their line ends: the COPY export sends blocks of many rows,
    the Python writer one row a chunk (the seeded texts hold no line break)."""
    started = time.perf_counter()
    response = client.get(url)
    assert response.status_code == 200 and response.streaming, response.status_code
    lines = size = 0
    first_row = None
    for chunk in response.streaming_content:
        lines += chunk.count(b"\n")
        size += len(chunk)
        if first_row is None and lines > 1:
            first_row = time.perf_counter() - started
    response.close()
    return lines - 1, size, first_row or 0.0, time.perf_counter() - started


def first_row(client, url=EXPORT_URL):
    """Seconds to the first data row of a download given up there."""
    started = time.perf_counter()
    response = client.get(url)
    lines = 0
    for chunk in response.streaming_content:
        lines += chunk.count(b"\n")
        if lines > 1:
            break
    response.close()
    return time.perf_counter() - started


# The streamed queries are captured as server-side cursor declarations.
DECLARE = re.compile(r'^DECLARE "[^"]+" NO SCROLL CURSOR WITH(OUT)? HOLD FOR ')
# The COPY export's own statement: its SELECT is what the floor copies.
COPY_STATEMENT = re.compile(r"^COPY \((?P<select>.*)\) TO STDOUT WITH \(.*\)$", re.DOTALL)


def export_select(sql):
    """The SELECT of a captured export query, a server-side cursor's or a COPY's."""
    sql = DECLARE.sub("", sql)
    copy = COPY_STATEMENT.match(sql)
    return copy["select"] if copy else sql


def copy_floor(queries):
    """PostgreSQL's COPY of the export's own queries: (rows of the largest, seconds)."""
    dsn = settings.DATABASES["default"]
    conninfo = (
        f"host={dsn['HOST']} port={dsn['PORT'] or 5432} dbname={dsn['NAME']} user={dsn['USER']}"
    )
    started = time.perf_counter()
    biggest = 0
    with psycopg.connect(conninfo, password=dsn["PASSWORD"] or None) as conn:
        cursor = conn.cursor()
        for sql in queries:
            lines = 0
            with cursor.copy(f"COPY ({sql}) TO STDOUT WITH CSV") as copy:
                for data in copy:
                    lines += bytes(data).count(b"\n")
            biggest = max(biggest, lines)
    return biggest, time.perf_counter() - started


def single_copy_selects():
    """The export's rows as one SELECT each, for the floor: (sorted, unsorted).

    The same cells as the export, in its order: the events' lines and their
    co-organisers aggregated once and joined, which the planner hashes, then every
    row sorted (the export before it was read a chunk at a time). And the same
    SELECT unsorted: what PostgreSQL reads and formats, without the sort."""
    from django.contrib.postgres.aggregates import StringAgg
    from django.db.models import F

    from indicators import sheet
    from indicators.exports import datasets, pg_copy, writer
    from indicators.figures.scope import Scope

    events = Scope(ActionPlan.objects.current(seed_territory()), statuses=ALL_STATUSES).events()
    names = (
        AwarenessEvent.co_organizers.through.objects.filter(awarenessevent__in=events)
        .order_by()
        .values(event=F("awarenessevent"))
        .annotate(
            names=StringAgg("partner__name", sheet.CO_ORGANIZER_SEPARATOR, order_by="partner__name")
        )
    )
    lines_sql, lines_params = datasets._compiled(datasets.event_lines(events))
    names_sql, names_params = datasets._compiled(names)
    source = pg_copy.Source(
        f"SELECT event_lines.*, co.names AS co_organizers FROM ({lines_sql}) "
        f"AS event_lines LEFT JOIN ({names_sql}) AS co ON co.event = event_lines.id",
        (*lines_params, *names_params),
        order=datasets.EVENT_ORDER,
    )
    sorted_select = export_select(
        pg_copy.statement(datasets.EVENT_COLUMNS, source, writer.EXCEL_FR, "default")
    )
    return sorted_select, sorted_select[: sorted_select.rindex(" ORDER BY ")]


# Past this many events a pass over the whole file takes minutes: the export is timed
# on one pass, beside one pass of each floor, and the workbook is not made (its rows
# would outnumber what a sheet holds, 1,048,576).
WHOLE_FILE_ONCE_ABOVE = 1_000_000


def export(repeat):
    """The events export beside one COPY of the same rows (`single_copy_selects`):
    the first data row, the total, the rows a second."""
    client = manager_client()
    once = AwarenessEvent.objects.count() > WHOLE_FILE_ONCE_ABOVE
    with captured(connection) as queries_seen:
        rows, _, first, total = consume_export(client)
    # captured_queries reads the log again each time: keep it before the next request.
    seen = [query["sql"] for query in queries_seen.captured_queries]
    sorted_select, unsorted_select = single_copy_selects()
    copy_rows, copy_s = copy_floor([sorted_select])
    samples = {"export": [], "ttfb": [], "copy": [], "copy_unsorted": [], "xlsx": []}
    # A workbook longer than a sheet is refused (xlsx.check_rows).
    workbook = rows < xlsx.SHEET_ROWS
    if once:
        samples.update(export=[total], copy=[copy_s])
        samples["copy_unsorted"].append(copy_floor([unsorted_select])[1])
        # The first row, as at the smaller sizes, a median of warm downloads: each
        # stopped once it has come.
        samples["ttfb"] = [first_row(client) for _ in range(repeat)]
    elif workbook:
        xlsx_bytes = consume_xlsx(client)[0]  # warm-up
    for _ in range(0 if once else repeat):  # interleaved: noise hits every measure alike
        _, _, first, total = consume_export(client)
        samples["export"].append(total)
        samples["ttfb"].append(first)
        samples["copy"].append(copy_floor([sorted_select])[1])
        samples["copy_unsorted"].append(copy_floor([unsorted_select])[1])
        if workbook:
            samples["xlsx"].append(consume_xlsx(client)[1])
    export_s = statistics.median(samples["export"])
    copy_s = statistics.median(samples["copy"])
    result = {
        "rows": rows,
        "copy_rows": copy_rows,
        "queries": len(seen),
        "copied_queries": sum(1 for sql in seen if sql.startswith("COPY (")),
        "export": summary(samples["export"]),
        "ttfb": summary(samples["ttfb"]),
        "copy": summary(samples["copy"]),
        "copy_unsorted": summary(samples["copy_unsorted"]),
        "export_rows_per_s": round(rows / export_s),
        "copy_rows_per_s": round(copy_rows / copy_s),
        "copy_unsorted_rows_per_s": round(copy_rows / statistics.median(samples["copy_unsorted"])),
    }
    if workbook and not once:
        # The same rows as an Excel workbook, beside the CSV file.
        result.update(
            xlsx=summary(samples["xlsx"]),
            xlsx_bytes=xlsx_bytes,
            xlsx_rows_per_s=round(rows / statistics.median(samples["xlsx"])),
        )
    return result


def consume_xlsx(client, url=XLSX_URL):
    """(bytes, total seconds) of the events workbook: written whole, then streamed."""
    started = time.perf_counter()
    response = client.get(url)
    assert response.status_code == 200 and response.streaming, response.status_code
    size = sum(len(chunk) for chunk in response.streaming_content)
    response.close()
    return size, time.perf_counter() - started


def xlsx_memory():
    """Peak RSS growth of one full events workbook, after a small one (a fresh
    process: run apart from export_memory, whose peak would hide this one's)."""
    client = manager_client()
    plan = ActionPlan.objects.current(seed_territory())
    first = AwarenessEvent.objects.for_plan(plan).order_by("date").first().date
    consume_xlsx(client, f"{XLSX_URL}&du={first}&au={first + datetime.timedelta(days=7)}")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    size = consume_xlsx(client)[0]
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "bytes": size,
        "rss_before_mb": before / 1024,
        "peak_growth_mb": (after - before) / 1024,
    }


def export_memory():
    """Peak RSS growth of one full export, after a small export has warmed the code."""
    client = manager_client()
    plan = ActionPlan.objects.current(seed_territory())
    first = AwarenessEvent.objects.for_plan(plan).order_by("date").first().date
    consume_export(client, f"{EXPORT_URL}&du={first}&au={first + datetime.timedelta(days=7)}")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rows = consume_export(client)[0]
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"rows": rows, "rss_before_mb": before / 1024, "peak_growth_mb": (after - before) / 1024}


# 2 bis. The aggregated exports (counts, partners) ----------------------------------

AGGREGATE_EXPORTS = {
    "compteurs": "/exports/compteurs.csv?statut=toutes&par=mois&selon=initiative,public",
    "partenaires": "/exports/partenaires.csv?statut=toutes",
    # Open data and a chart's numbers: public pages, measured with the cache emptied.
    "données ouvertes": "/donnees/compteurs.csv",
    "graphique": "/donnees/graphiques/par-partenaire.csv",
}


# The queries of an aggregated export that its COPY floor replays: those that sum.
SUMMED_TABLES = ("dailyfigures", "audiencecount", "venuemonth")


def _download(client, url):
    """(data rows, seconds) of one whole download, streamed or not, never cached."""
    cache.clear()
    started = time.perf_counter()
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    content = b"".join(response.streaming_content) if response.streaming else response.content
    response.close()
    return content.count(b"\n") - 1, time.perf_counter() - started


def aggregate_exports(repeat):
    client = manager_client()
    results = {}
    site = home_url().rstrip("/")  # the public files: the seed territory's
    for name, url in AGGREGATE_EXPORTS.items():
        if not url.startswith("/exports/"):
            url = site + url
        with captured(connection) as queries_seen:
            rows = _download(client, url)[0]
        seen = queries_seen.captured_queries  # read once: the next request resets the log
        queries = [
            DECLARE.sub("", query["sql"])
            for query in seen
            if any(table in query["sql"] for table in SUMMED_TABLES)
        ]
        samples = {"export": [], "copy": []}
        for _ in range(repeat):
            samples["export"].append(_download(client, url)[1])
            samples["copy"].append(copy_floor(queries)[1])
        results[name] = {
            "url": url,
            "rows": rows,
            "queries": len(seen),
            "export": summary(samples["export"]),
            "copy": summary(samples["copy"]),
        }
    return results


# 2 ter. The annual report ---------------------------------------------------------

# The PDF of a year of 100,000 actions (the 1,000,000 database) would take minutes
# and 2,000 pages: measured up to this many actions in the year.
REPORT_MAX_EVENTS = 20_000


def annual_report(repeat):
    """The page and the PDF of the busiest year's report (most validated actions)
    among the years the plan covers (the events are drawn over ten years, the plan
    may start later), or None if that year has more than REPORT_MAX_EVENTS actions."""
    plan = ActionPlan.objects.current(seed_territory())
    busiest = (
        AwarenessEvent.objects.validated()
        .for_plan(plan)
        .filter(date__year__in=plan_years(plan, timezone.localdate()))
        .annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(events=Count("pk"))
        .order_by("-events")
        .first()
    )
    if busiest is None or busiest["events"] > REPORT_MAX_EVENTS:
        return None
    client = manager_client()
    url = f"/exports/bilan/{busiest['year']}/"
    with captured(connection) as queries_seen:
        get_ok(client, url)
    queries = len(queries_seen.captured_queries)
    # The first PDF of a process also loads WeasyPrint's fonts and stylesheets.
    pdf = get_ok(client, url + "?format=pdf").content
    samples = {
        "html": [timed(lambda: get_ok(client, url))[0] for _ in range(repeat)],
        "pdf": [
            timed(lambda: get_ok(client, url + "?format=pdf"))[0] for _ in range(min(repeat, 3))
        ],
    }
    return {
        "year": busiest["year"],
        "events": busiest["events"],
        "queries": queries,
        "pages": len(PdfReader(io.BytesIO(pdf)).pages),
        "html": summary(samples["html"]),
        "pdf": summary(samples["pdf"]),
    }


# 3. Admin changelist ------------------------------------------------------------


# Who opens the list: the superuser, a territory staff member, a manager, and two
# partners' accounts, one whose organisation organises a quarter of the events
# (CORIF: every event of its initiative) and one that only co-organises (Elles
# Bougent: a quarter of one initiative's events, some 6 % of all).
CHANGELIST_ROLES = ("superuser", "staff", "manager", "partner_25", "partner_co")
PARTNER_SLUGS = {"partner_25": "corif", "partner_co": "elles-bougent"}


def role_client(role):
    if role == "superuser":
        account = user("bench-admin", is_staff=True, is_superuser=True)
    else:
        account = user(f"bench-{role}", is_staff=True)
        group = {"staff": TERRITORY_STAFF, "manager": MANAGERS}.get(role, PARTNERS)
        account.groups.add(Group.objects.get(name=group))
        if role in PARTNER_SLUGS:
            Partner.objects.get(slug=PARTNER_SLUGS[role]).members.add(account)
    client = Client()
    client.force_login(account)
    return client


def changelist(repeat):
    clients = {role: role_client(role) for role in CHANGELIST_ROLES}
    queries = {}
    for role, client in clients.items():
        with captured(connection) as queries_seen:
            get_ok(client, CHANGELIST_URL)
        queries[role] = len(queries_seen.captured_queries)
    runs = {
        "bare": lambda: get_ok(clients["superuser"], "/bench-bare/"),
        **{role: (lambda c=client: get_ok(c, CHANGELIST_URL)) for role, client in clients.items()},
    }
    samples = {name: [] for name in runs}
    for _ in range(repeat):  # interleaved, so that noise hits every role alike
        for name, run in runs.items():
            samples[name].append(timed(run)[0])
    result = {name: summary(values) for name, values in samples.items()}
    # The superuser's, under the names the earlier reports read.
    return {
        **result,
        "changelist": result["superuser"],
        "queries": queries["superuser"],
        "role_queries": queries,
    }


# 4. Import ----------------------------------------------------------------------


def import_file(rows):
    """A valid CSV of `rows` new events this year, on the published plan's data."""
    plan = ActionPlan.objects.current(seed_territory())
    initiatives = list(
        plan.initiatives.order_by("number").prefetch_related("lead_partners", "audiences")
    )
    today = datetime.date.today()
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(
        [
            "date",
            "initiative",
            "intitulé",
            "format",
            "lieu",
            "commune",
            "organisateur",
            "co-organisateurs",
            "public",
            "personnes",
            "dont femmes",
        ]
    )
    for number in range(rows):
        initiative = initiatives[number % len(initiatives)]
        days_so_far = max(1, today.timetuple().tm_yday - 1)
        day = datetime.date(today.year, 1, 1) + datetime.timedelta(days=number % days_so_far)
        audience = initiative.audiences.all()[number % initiative.audiences.count()]
        writer.writerow(
            [
                f"{day:%d/%m/%Y}",
                initiative.number,
                f"Action importée n° {number}",
                "Visite d'entreprise",
                "Salle des fêtes",
                "Arques",
                initiative.lead_partners.all()[0].name,
                "",
                audience.name,
                20 + number % 30,
                10,
            ]
        )
    return stream.getvalue().encode()


def import_rows(repeat, rows=10_000):
    admin = user("bench-admin", is_staff=True, is_superuser=True)
    content = import_file(rows)
    samples = {"check": [], "confirm": []}
    for _ in range(repeat):
        client = Client()
        client.force_login(admin)
        with transaction.atomic():  # rolled back: the database stays as seeded
            check_s, preview = timed(
                lambda c=client: c.post(
                    IMPORT_URL, {"file": SimpleUploadedFile("actions.csv", content)}
                )
            )
            # (No test environment: templates are not instrumented, the token is read in the page.)
            token = re.search(rb'name="token" value="([^"]+)"', preview.content)
            assert preview.status_code == 200 and token, preview.content[-3000:]
            token = token.group(1).decode()
            confirm_s, done = timed(lambda c=client, t=token: c.post(IMPORT_URL, {"token": t}))
            assert done.status_code == 302, done.status_code
            imported = AwarenessEvent.objects.filter(title__startswith="Action importée")
            assert imported.count() == rows
            transaction.set_rollback(True)
        samples["check"].append(check_s)
        samples["confirm"].append(confirm_s)
    total = [a + b for a, b in zip(samples["check"], samples["confirm"], strict=True)]
    return {
        "rows": rows,
        "bytes": len(content),
        **{n: summary(v) for n, v in samples.items()},
        "total": summary(total),
    }


# 5. Writes: an admin save, « Valider » ------------------------------------------------


class FormFields(html.parser.HTMLParser):
    """What a browser posts for the page's forms: each field's name and value (the
    checked boxes and radios, the selected options)."""

    def __init__(self):
        super().__init__()
        self.data, self._select, self._textarea = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            checkable = attrs.get("type") in ("checkbox", "radio")
            if checkable and "checked" not in attrs:
                return
            self.data.append((name, attrs.get("value") or ("on" if checkable else "")))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.data.append((self._select, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops the line break that follows <textarea>.
            name, value = self._textarea
            self.data.append((name, value.removeprefix("\n")))
            self._textarea = None


def posted_form(page, **changes):
    """The change form's data as the browser would post it, with `changes`."""
    parser = FormFields()
    parser.feed(page.decode())
    data = {}
    for name, value in parser.data:
        if name in data:
            data[name] = (
                [*data[name], value] if isinstance(data[name], list) else [data[name], value]
            )
        else:
            data[name] = value
    data.pop("action", None)  # the list's, not the form's
    data.update(changes)
    return data


class Rollback(Exception):
    pass


def rolled_back(write):
    """Times write() in a transaction that is then rolled back (the database stays
    as seeded); the admin's own transaction is then a savepoint of it."""
    started = time.perf_counter()
    try:
        with transaction.atomic():
            write()
            elapsed = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    return elapsed


def event_with_two_lines():
    """A validated event of the middle of last month, with two count lines: its day,
    venue and month are full."""
    today = datetime.date.today()
    day = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=15)
    two = (
        AudienceCount.objects.filter(
            event__date__range=(day, day + datetime.timedelta(days=30)),
            event__initiative__plan__territory=seed_territory(),
        )
        .values("event")
        .annotate(lines=Count("pk"))
        .filter(lines=2)
        .order_by("event")
        .values_list("event", flat=True)
    )
    return AwarenessEvent.objects.get(pk=two[:1].get())


def admin_save(repeat):
    """A member of staff's save of an event's form, one of its two count lines
    changed, beside the bare view; and the queries it takes."""
    client = role_client("staff")
    event = event_with_two_lines()
    url = f"{CHANGELIST_URL}{event.pk}/change/"
    line = AudienceCount.objects.filter(event=event).order_by("pk").first()
    data = posted_form(get_ok(client, url).content, **{"counts-0-people": line.people + 7})

    def save():
        response = client.post(url, data)
        assert response.status_code == 302, response.content[-3000:]

    with captured(connection) as queries_seen:
        rolled_back(save)
    queries = len(queries_seen.captured_queries)
    samples = {"bare": [], "save": []}
    rolled_back(save)  # warm-up
    for _ in range(repeat * 4):
        samples["bare"].append(timed(lambda: get_ok(client, "/bench-bare/"))[0])
        samples["save"].append(rolled_back(save))
    return {
        "event": event.pk,
        "queries": queries,
        **{name: summary(values) for name, values in samples.items()},
    }


VALIDATED_AT_ONCE = 100


def writes(repeat):
    """An admin save and « Valider » on 100 events, each beside the bare view, as
    {"save": …, "validate": …} (what bench/report.py reads), with their queries."""
    save, validate = admin_save(repeat), validate_events(repeat)
    return {
        "save": save["save"],
        "save_bare": save["bare"],
        "save_queries": save["queries"],
        "validate": validate["validate"],
        "validate_bare": validate["bare"],
        "validate_queries": validate["queries"],
        "validated_events": validate["events"],
    }


def validate_events(repeat):
    """« Valider » on 100 events submitted over the last twelve months (of as many
    days, venues and months as chance gives), from the list's page of « à valider »."""
    client = role_client("staff")
    events = AwarenessEvent.objects.filter(initiative__plan__territory=seed_territory())
    last = events.aggregate(last=Max("date"))["last"]
    year = events.filter(date__gt=last - datetime.timedelta(days=365))
    first_id = year.order_by("pk").values_list("pk", flat=True)[:1].get()
    last_id = year.order_by("-pk").values_list("pk", flat=True)[:1].get()
    step = max(1, (last_id - first_id) // VALIDATED_AT_ONCE)
    chosen = list(
        year.filter(pk__in=range(first_id, last_id + 1, step)).values_list("pk", "version")[
            :VALIDATED_AT_ONCE
        ]
    )

    def validate(counted=None):
        # Submitted, as the partners left them, the figures with them (not timed).
        events = AwarenessEvent.objects.filter(pk__in=[pk for pk, _ in chosen])
        keys = store.event_keys(events)
        events.update(status=EventStatus.SUBMITTED)
        store.refresh_events(keys | store.event_keys(events))
        with captured(connection) as queries_seen:
            started = time.perf_counter()
            response = client.post(
                f"{CHANGELIST_URL}?status__exact={EventStatus.SUBMITTED}",
                {
                    "action": "validate",
                    "_selected_action": [pk for pk, _ in chosen],
                    "index": 0,
                    **{f"version_{pk}": version for pk, version in chosen},
                },
            )
            elapsed = time.perf_counter() - started
        assert response.status_code == 302, response.status_code
        assert AwarenessEvent.objects.filter(
            pk__in=[pk for pk, _ in chosen], status=EventStatus.VALIDATED
        ).count() == len(chosen)
        if counted is not None:
            counted.append(len(queries_seen.captured_queries))
        return elapsed

    def rolled_back_validate(counted=None):
        elapsed = []
        rolled_back(lambda: elapsed.append(validate(counted)))
        return elapsed[0]

    queries = []
    rolled_back_validate(queries)
    samples = {"bare": [], "validate": []}
    for _ in range(repeat):
        samples["bare"].append(timed(lambda: get_ok(client, "/bench-bare/"))[0])
        samples["validate"].append(rolled_back_validate())
    return {
        "events": len(chosen),
        "queries": queries[0],
        **{name: summary(values) for name, values in samples.items()},
    }


# 7. Several territories (issue 18) ----------------------------------------------


def median_territory():
    """The territory of median size (events), another than the seed's."""
    territories = list(
        Territory.objects.exclude(pk=seed_territory().pk)
        .annotate(events=Count("plans__initiatives__events"))
        .order_by("events", "pk")
    )
    return territories[len(territories) // 2]


def territories(repeat):
    """A territory's dashboard, the list of territories at `/` and `/national/`,
    uncached and cached, beside the bare view; a territory's admin list for its
    staff. Measured once the instance has several territories."""
    count = Territory.objects.count()
    if count < 2:
        return {"territories": count}
    territory = median_territory()
    client = Client()
    pages = {"territory": f"/territoires/{territory.slug}/", "list": "/", "national": "/national/"}
    queries = {}
    for name, url in pages.items():
        cache.clear()
        with captured(connection) as queries_seen:
            get_ok(client, url)
        queries[name] = len(queries_seen.captured_queries)
    staff = Client()
    account = user(f"bench-staff-{territory.slug}", territory=territory, is_staff=True)
    account.groups.add(Group.objects.get(name=TERRITORY_STAFF))
    staff.force_login(account)

    def uncached(url):
        cache.clear()
        get_ok(client, url)

    runs = {
        "bare": lambda: get_ok(client, "/bench-bare/"),
        **{f"{name}_uncached": (lambda url=url: uncached(url)) for name, url in pages.items()},
        **{f"{name}_cached": (lambda url=url: get_ok(client, url)) for name, url in pages.items()},
        "changelist": lambda: get_ok(staff, CHANGELIST_URL),
    }
    for run in runs.values():  # warm-up; the cached pages are kept
        run()
    for url in pages.values():
        get_ok(client, url)
    samples = {name: [] for name in runs}
    for _ in range(repeat * 4):  # interleaved, so that noise hits every page alike
        for name, run in runs.items():
            if name.endswith("_cached"):
                get_ok(client, pages[name.removesuffix("_cached")])
            samples[name].append(timed(run)[0])
    return {
        "territories": count,
        "territory": territory.slug,
        "territory_events": territory.events,
        "queries": queries,
        **{name: summary(values) for name, values in samples.items()},
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", required=True)
    parser.add_argument("--export-memory", action="store_true")
    parser.add_argument("--xlsx-memory", action="store_true")
    parser.add_argument("--import-rows", action="store_true")
    parser.add_argument("--only", help="Run only this measure (e.g. changelist).")
    args = parser.parse_args()
    with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"]):
        if args.export_memory:
            result = {"export_memory": export_memory()}
        elif args.xlsx_memory:
            result = {"xlsx_memory": xlsx_memory()}
        else:
            result = {"events": AwarenessEvent.objects.count()}
            measures = (
                ("dashboard", dashboard),
                ("export", export),
                ("aggregate_exports", aggregate_exports),
                ("annual_report", annual_report),
                ("changelist", changelist),
                ("writes", writes),
                ("territories", territories),
            )
            for name, measure in measures:
                if args.only and name != args.only:
                    continue
                print(f"[measure] {name}…", flush=True)
                result[name] = measure(args.repeat)
            if args.import_rows:
                print("[measure] import…", flush=True)
                result["import"] = import_rows(max(1, min(args.repeat, 3)))
    with open(args.out, "w") as out:
        json.dump(result, out, indent=1)


if __name__ == "__main__":
    main()

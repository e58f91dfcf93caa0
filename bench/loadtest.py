"""Load test: gunicorn with 2 workers of 4 threads on loopback, wrk against the dashboard; then the
cached pages against /sante/, the cheapest answer the same server gives.

gunicorn is always stopped at the end, even when wrk fails."""

import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import psycopg
import redis

from bench.env import db_url, django_env

ADDRESS = ("127.0.0.1", 8020)
GUNICORN = os.path.join(os.path.dirname(sys.executable), "gunicorn")
# wrk prints its own summary; this script adds p95 and the non-2xx count.
WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format("bench requests %d\\n", summary.requests))
  io.write(string.format("bench duration_us %d\\n", summary.duration))
  for _, p in ipairs({50, 95, 99}) do
    io.write(string.format("bench p%d_us %d\\n", p, latency:percentile(p)))
  end
  io.write(string.format("bench non2xx %d\\n", summary.errors.status))
  io.write(string.format("bench socket_errors %d\\n", summary.errors.connect
    + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


# How long the first, uncached, page may take before the load test gives up.
WARM_UP_TIMEOUT = 45


def _cancel_queries(events):
    """A killed worker's query keeps running in PostgreSQL: cancel this database's."""
    with psycopg.connect(db_url(events), autocommit=True) as conn:
        conn.execute(
            "select pg_cancel_backend(pid) from pg_stat_activity"
            " where datname = current_database() and pid <> pg_backend_pid()"
        )


def _wait_for_port(timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(ADDRESS) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not listen on {ADDRESS} within {timeout} s")


# The floor first, then cached pages of each kind: the dashboard, a page with a map's
# figures, a streamed open-data file (kept once sent).
HEALTH = "/sante/"
CACHED_PAGES = ["/", "/territoire/", "/donnees/compteurs.csv"]


def cached_pages(events):
    """CACHED_PAGES on the seed territory's site; with several territories, under its
    prefix, then the list of territories and /national/."""
    with psycopg.connect(db_url(events)) as conn:
        slug, count = conn.execute(
            "SELECT min(slug) FILTER (WHERE id = (SELECT min(id) FROM territories_territory)),"
            " count(*) FROM territories_territory"
        ).fetchone()
    if count == 1:
        return CACHED_PAGES
    return [f"/territoires/{slug}{page}" for page in CACHED_PAGES] + ["/", "/national/"]


# Rounds of short runs, each page right after the floor: the machine's load changes
# less within a round than over the whole test.
CACHED_ROUNDS = 3


def _wrk(url, duration, connections, script):
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "10s",
            "-s",
            script,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {k: int(v) for k, v in re.findall(r"^bench (\w+) (\d+)$", out, re.M)}


def _per_second(figures):
    return figures["requests"] / (figures["duration_us"] / 1e6)


def _cached_pages(base, pages, duration, connections, script):
    """Requests per second of each cached page and of /sante/ (medians of the rounds),
    and each page's ratio to /sante/ (the median of its rounds' ratios)."""
    paths = [HEALTH, *pages]
    for path in pages:  # both workers warm, the page kept
        for _ in range(4):
            urllib.request.urlopen(base + path, timeout=WARM_UP_TIMEOUT).read()
    rates = {path: [] for path in paths}
    failed = dict.fromkeys(paths, 0)
    for _ in range(CACHED_ROUNDS):
        for path in paths:
            figures = _wrk(base + path, duration, connections, script)
            rates[path].append(_per_second(figures))
            failed[path] += figures["non2xx"] + figures["socket_errors"]
    return {
        "duration_s": duration,
        "rounds": CACHED_ROUNDS,
        "pages": {
            path: {
                "requests_per_s": round(statistics.median(rates[path]), 1),
                "ratio": round(
                    statistics.median(
                        r / h for r, h in zip(rates[path], rates[HEALTH], strict=True)
                    ),
                    2,
                ),
                "errors": failed[path],
            }
            for path in paths
        },
    }


def run(events, duration, connections=8, cache_url="redis://127.0.0.1:6379/3"):
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is missing: apt-get install wrk")
    # The cache keys do not name the database: drop what another size left there.
    redis.Redis.from_url(cache_url).flushdb()
    env = django_env(events, CACHE_URL=cache_url)
    pages = cached_pages(events)
    url = f"http://{ADDRESS[0]}:{ADDRESS[1]}{pages[0]}"
    server = subprocess.Popen(
        [
            GUNICORN,
            "feminisation.wsgi",
            "-w",
            "2",
            # As `make serve` and the README run it.
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "-b",
            f"{ADDRESS[0]}:{ADDRESS[1]}",
            "--log-level",
            "warning",
        ],
        env=env,
        start_new_session=True,
    )
    try:
        _wait_for_port()
        try:
            for _ in range(4):  # both workers warm, the page in the shared cache
                urllib.request.urlopen(url, timeout=WARM_UP_TIMEOUT).read()
        except OSError as error:  # HTTPError (a 5xx) included
            return {"skipped": f"warm-up request failed: {error}"}
        with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
            script.write(WRK_REPORT)
            script.flush()
            figures = _wrk(url, duration, connections, script.name)
            cached = _cached_pages(
                f"http://{ADDRESS[0]}:{ADDRESS[1]}",
                pages,
                max(3, duration // 12),
                connections,
                script.name,
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        _cancel_queries(events)
    return {
        "duration_s": duration,
        "connections": connections,
        "requests": figures["requests"],
        "requests_per_s": round(_per_second(figures), 1),
        "p50_ms": figures["p50_us"] / 1000,
        "p95_ms": figures["p95_us"] / 1000,
        "p99_ms": figures["p99_us"] / 1000,
        "non2xx": figures["non2xx"],
        "socket_errors": figures["socket_errors"],
        "cached_pages": cached,
    }


if __name__ == "__main__":
    print(run(int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 20))

"""The production-like environment every benchmark process runs with."""

import os
import secrets
import tempfile

DB_NAMES = {
    10_000: "bench_10k",
    100_000: "bench_100k",
    1_000_000: "bench_1m",
    10_000_000: "bench_10m",
}
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
# The territories of every benchmark database, the seed territory first: one plan of
# all the events by default (issue 17), BENCH_TERRITORIES=200 for issue 18's scale.
TERRITORIES = int(os.environ.get("BENCH_TERRITORIES", 1))
# collectstatic's output (DEBUG off needs its manifest), outside the repository.
STATIC_ROOT = os.path.join(tempfile.gettempdir(), "mixite-bench-static")


def db_name(events):
    name = DB_NAMES.get(events, f"bench_{events}")
    return name if TERRITORIES == 1 else f"{name}_t{TERRITORIES}"


def db_url(events):
    return f"{PG_SERVER}/{db_name(events)}"


def django_env(events, **extra):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="feminisation.settings",
        DEBUG="false",
        SECRET_KEY=os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        HTTPS="false",
        ALLOWED_HOSTS="testserver,127.0.0.1",
        SITE_URL="http://127.0.0.1:8000",
        DATABASE_URL=db_url(events),
        STATIC_ROOT=STATIC_ROOT,
        ENV_FILE="/dev/null",  # never read the developer's .env
    )
    env.pop("CACHE_URL", None)  # in-process: local memory, unless extra says otherwise
    env.update(extra)
    return env

"""Builds a benchmark database once: migrate, load_plan, load_communes, seed_demo
over ten years.

Skipped when the database already holds exactly the wanted number of events (it is
then only upgraded, as a deployment would: migrate, load_communes); a database
holding another number is dropped and rebuilt (it is a bench_ database)."""

import subprocess
import sys
import time

import psycopg

from bench.env import PG_SERVER, TERRITORIES, db_name, django_env

PYTHON = sys.executable


def _admin(sql):
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _event_count(events):
    try:
        with psycopg.connect(f"{PG_SERVER}/{db_name(events)}") as conn:
            return conn.execute("select count(*) from indicators_awarenessevent").fetchone()[0]
    except psycopg.OperationalError:  # no such database
        _admin(f"create database {db_name(events)}")
        return 0
    except psycopg.errors.UndefinedTable:  # not migrated yet
        return 0


def collectstatic():
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        env=django_env(10_000),
        check=True,
    )


def prepare(events):
    count = _event_count(events)
    if count == events:
        for command in (["migrate", "--noinput", "-v", "0"], ["load_communes"]):
            subprocess.run([PYTHON, "manage.py", *command], env=django_env(events), check=True)
        print(f"[prepare] {db_name(events)}: {events} events already there, upgraded")
        return {}
    if count:
        print(f"[prepare] {db_name(events)} holds {count} events: rebuilding it")
        _admin(f"drop database {db_name(events)} with (force)")
        _admin(f"create database {db_name(events)}")
    env = django_env(events)
    started = time.perf_counter()
    for command in (
        ["migrate", "--noinput", "-v", "0"],
        ["load_plan"],
        ["load_communes"],
    ):
        subprocess.run([PYTHON, "manage.py", *command], env=env, check=True)
    seeding = time.perf_counter()
    subprocess.run(
        [
            PYTHON,
            "manage.py",
            "seed_demo",
            "--events",
            str(events),
            "--seed",
            "1",
            "--days",
            "3650",
            "--territories",
            str(TERRITORIES),
        ],
        env=env,
        check=True,
    )
    seed_demo = time.perf_counter() - seeding
    seeded = time.perf_counter() - started
    with psycopg.connect(f"{PG_SERVER}/{db_name(events)}", autocommit=True) as conn:
        conn.execute("vacuum analyze")  # what autovacuum would do soon after
    print(
        f"[prepare] {db_name(events)} ready in {seeded:.0f} s"
        f" (seed_demo {seed_demo:.0f} s, {events / seed_demo:,.0f} events/s)"
    )
    return {"seed_s": seeded, "seed_demo_s": seed_demo}


if __name__ == "__main__":
    for size in sys.argv[1:]:
        prepare(int(size))

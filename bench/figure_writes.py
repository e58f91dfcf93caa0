"""What keeping the daily figures exact under concurrent writes costs: each way of
serialising two refreshes of the same month, timed on one bench database.

    DATABASE_URL=postgres://…/bench_1m python -m bench.figure_writes [--repeat 20]

with the environment of bench/env.py (`django_env`). Every write is rolled back:
the database is left as it was. The ways:

- none: today's code before the unique keys (wrong: two refreshes of a day at once
  store its rows twice), the floor;
- month_lock: a transaction-level advisory lock per month (what store.py does);
- table_lock: LOCK TABLE on the three tables of sums (every refresh waits for every
  other one);
- row_lock: a row per month in a table of its own, inserted if missing then locked
  with SELECT … FOR UPDATE (the figures' own rows cannot be locked: a day without
  rows yet has nothing to lock);
- upsert: INSERT … ON CONFLICT DO UPDATE of the new sums, then DELETE of the keys
  that no longer have any, under the month lock all the same (the sums are read
  from the statement's snapshot: without the lock a concurrent refresh's lines
  would be lost)."""

import argparse
import datetime
import json
import statistics
import threading
import time

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from indicators.enums import EventFormat, EventRole, EventStatus  # noqa: E402
from indicators.figures import store  # noqa: E402
from indicators.models import (  # noqa: E402
    AudienceCount,
    AwarenessEvent,
    DailyFigures,
    PartnerDailyFigures,
    VenueMonth,
)
from initiatives.models import ActionPlan  # noqa: E402


class Rollback(Exception):
    pass


def rolled_back(write):
    """Times write() inside a transaction that is then rolled back."""
    started = time.perf_counter()
    try:
        with transaction.atomic():
            write()
            raise Rollback
    except Rollback:
        pass
    return time.perf_counter() - started


# The ways --------------------------------------------------------------------------

original_lock_months = store._lock_months
original_rebuild = store._rebuild


def no_lock(months):
    pass


def table_lock(months):
    store._lock_everything()


def row_lock(months):
    keys = sorted({month.year * 100 + month.month for month in months})
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_month_lock (month) SELECT unnest(%s::integer[]) "
            "ON CONFLICT DO NOTHING",
            [keys],
        )
        cursor.execute(
            "SELECT month FROM bench_month_lock WHERE month = ANY(%s) ORDER BY month FOR UPDATE",
            [keys],
        )


def _upsert(model, queryset, keys, figures):
    """Upserts the queryset's sums; returns the ids written."""
    compiler = queryset.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    quote = connection.ops.quote_name
    column = {name: quote(model._meta.get_field(name).column) for name in (*keys, *figures)}
    aliases = [alias.removeprefix("d_") for _, _, alias in compiler.select]
    target = ", ".join(column[name] for name in keys)
    updates = ", ".join(f"{column[name]} = EXCLUDED.{column[name]}" for name in figures)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(model._meta.db_table)} "
            f"({', '.join(column[name] for name in aliases)}) {sql} "
            f"ON CONFLICT ({target}) "
            f"DO UPDATE SET {updates} RETURNING id",
            params,
        )
        return [row[0] for row in cursor.fetchall()]


def upsert_rebuild(days):
    months = sorted({day.replace(day=1) for day in days})
    store._lock_months(months)
    store._insert_from(store.Venue, store._new_venues(days), ignore_conflicts=True)
    kept = {DailyFigures: [], PartnerDailyFigures: []}
    figures = store.SUMMED
    kept[DailyFigures] += _upsert(
        DailyFigures, store._daily_rows(days), store.KEYS[DailyFigures], figures
    )
    for role in EventRole:
        kept[PartnerDailyFigures] += _upsert(
            PartnerDailyFigures,
            store._partner_rows(days, role),
            store.KEYS[PartnerDailyFigures],
            figures,
        )
    for model in (DailyFigures, PartnerDailyFigures):
        model.objects.filter(date__in=days).exclude(pk__in=kept[model]).delete()
    # The venues' rows find their venue by a join (store._insert_venue_months): they
    # are deleted and inserted again here, as store.py does.
    VenueMonth.objects.filter(month__in=months).delete()
    store._insert_venue_months(store._venue_rows(months))


WAYS = {
    "none": (no_lock, original_rebuild),
    "month_lock": (original_lock_months, original_rebuild),
    "table_lock": (table_lock, original_rebuild),
    "row_lock": (row_lock, original_rebuild),
    "upsert": (original_lock_months, upsert_rebuild),
}


def use(way):
    store._lock_months, store._rebuild = WAYS[way]


# The writes ------------------------------------------------------------------------


def a_recent_day():
    return (
        AwarenessEvent.objects.values_list("date", flat=True)
        .order_by("-date")
        .distinct()[200:201]
        .get()
    )


def event_with_three_lines(day):
    """What the admin does when a member of staff adds a validated event with three
    lines: saves within collecting(), its days refreshed once at the end."""
    plan = ActionPlan.objects.order_by("territory", "-start_date").first()
    initiative = plan.initiatives.order_by("number").first()
    audiences = list(initiative.audiences.all()[:3])
    organizer = initiative.lead_partners.first()
    venue = AwarenessEvent.objects.values("venue_name", "commune").first()

    def write():
        with store.collecting():
            event = AwarenessEvent(
                initiative=initiative,
                date=day,
                title="Mesure",
                format=EventFormat.COMPANY_VISIT,
                status=EventStatus.VALIDATED,
                organizer=organizer,
                **venue,
            )
            event.save()
            for audience in audiences:
                AudienceCount(event=event, audience=audience, people=30, women=12).save()

    return write


def two_at_once(writes_a, writes_b):
    """Wall time of two threads, each with its own connection, running its writes."""
    barrier = threading.Barrier(2)
    failures = []

    def run(writes):
        try:
            barrier.wait()
            for write in writes:
                rolled_back(write)
        except Exception as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(w,)) for w in (writes_a, writes_b)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return time.perf_counter() - started


def ms(seconds):
    return round(1000 * seconds, 2)


def interleaved(ways, measures, repeat):
    """{way: {measure: median ms}}, each round running every way once in turn (in a
    rotating order), so that a loaded machine's noise hits every way alike."""
    times = {way: {name: [] for name in measures} for way in ways}
    for name, (measure, rounds) in measures.items():
        for turn in range(-1, rounds(repeat)):  # -1: warm-up
            order = ways[turn % len(ways) :] + ways[: turn % len(ways)]
            for way in order:
                use(way)
                elapsed = measure()
                if turn >= 0:
                    times[way][name].append(elapsed)
    return {
        way: {name: ms(statistics.median(values)) for name, values in by_name.items()}
        for way, by_name in times.items()
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--ways", default=",".join(WAYS))
    arguments = parser.parse_args()
    ways = arguments.ways.split(",")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_month_lock (month integer PRIMARY KEY)")
    day = a_recent_day()
    months = [day.replace(day=1)]
    last_days = sorted(
        AwarenessEvent.objects.values_list("date", flat=True).order_by("-date").distinct()[:500]
    )
    save = event_with_three_lines(day)
    same_month = event_with_three_lines(day.replace(day=1 if day.day > 1 else 2))
    other_month = event_with_three_lines(day - datetime.timedelta(days=42))

    def the_lock_alone():
        # The upsert's lock is the month's: its cost is in its rebuild.
        return rolled_back(lambda: store._lock_months(months))

    measures = {
        "lock_statement": (the_lock_alone, lambda repeat: 10 * repeat),
        "save_event_3_lines": (lambda: rolled_back(save), lambda repeat: repeat),
        "refresh_1_day": (
            lambda: rolled_back(lambda: store.refresh_days([day])),
            lambda repeat: repeat,
        ),
        "refresh_500_days": (
            lambda: rolled_back(lambda: store.refresh_days(last_days)),
            lambda repeat: max(2, repeat // 10),
        ),
        "2x10_saves_same_month": (
            lambda: two_at_once([save] * 10, [same_month] * 10),
            lambda repeat: max(2, repeat // 10),
        ),
        "2x10_saves_two_months": (
            lambda: two_at_once([save] * 10, [other_month] * 10),
            lambda repeat: max(2, repeat // 10),
        ),
    }
    results = interleaved(ways, measures, arguments.repeat)
    print(json.dumps({"day": day.isoformat(), "ms": results}, indent=1))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_month_lock")


if __name__ == "__main__":
    main()

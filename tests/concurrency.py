"""Real concurrent transactions, for the PostgreSQL half of the suite: each call in
a thread of its own, with its own database connection, all released together."""

import threading
import time

from django.db import connection, connections


def at_once(*calls):
    """Runs the calls at the same instant; returns what each returned, or the
    exception it raised, in the order given."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as error:  # the test asserts on it
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a concurrent call never ended"
    return results


def all_succeeded(results):
    failures = [result for result in results if isinstance(result, Exception)]
    assert not failures, failures
    return results


def backend_pid():
    """The PostgreSQL process of this thread's connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def until_blocked_or_done(pid, done, timeout=10):
    """Returns once the other request, whose connection's process is `pid`, has
    ended (`done`, a threading.Event, is set) or waits for a lock: it has then come
    as far as it can while this thread holds what it holds. Polled on this thread's
    connection, inside its transaction."""
    deadline = time.monotonic() + timeout
    while not done.wait(0.01):
        with connection.cursor() as cursor:
            cursor.execute("SELECT cardinality(pg_blocking_pids(%s)) > 0", [pid])
            if cursor.fetchone()[0]:
                return
        assert time.monotonic() < deadline, "the other request neither ended nor waited"

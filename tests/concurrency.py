"""Real concurrent transactions, for the PostgreSQL half of the suite: each call in
a thread of its own, with its own database connection, all released together."""

import threading

from django.db import connections


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

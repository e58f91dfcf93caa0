"""`make bench`: prepares the databases, measures, writes docs/benchmarks.md.

    python -m bench.run --sizes 1000000,10000000 --repeat 5 [--quick]

Every measure is a median over --repeat runs, interleaved with its floor in the
same process, so that the ratios hold on a busy machine."""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from bench import loadtest, prepare, report
from bench.env import TERRITORIES, django_env

# One file of results and one report per number of territories (bench.env): the
# measures of one plan of 10 M events and of 200 territories answer other questions.
RESULTS = os.path.join(
    os.path.dirname(__file__),
    "results.json" if TERRITORIES == 1 else f"results-t{TERRITORIES}.json",
)


def measure(events, repeat, *extra, timeout=300):
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.measure",
                "--repeat",
                str(repeat),
                "--out",
                out.name,
                *extra,
            ],
            env=django_env(events, BENCH_DASHBOARD_TIMEOUT=str(timeout)),
            check=True,
        )
        return json.load(open(out.name))


def reference_loop():
    """Seconds a fixed piece of pure Python takes (median of three): how fast this
    machine is, to compare reports written on different machines."""

    def once():
        started, total = time.perf_counter(), 0
        for i in range(20_000_000):
            total += i
        return time.perf_counter() - started

    return round(sorted(once() for _ in range(3))[1], 2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="20 s load tests instead of 60 s")
    parser.add_argument("--no-load", action="store_true", help="skip the gunicorn load tests")
    parser.add_argument(
        "--dashboard-timeout",
        type=int,
        default=300,
        help="seconds after which an uncached dashboard is given up (statement_timeout)",
    )
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    duration = 20 if args.quick else 60
    command = " ".join(["python -m bench.run", *sys.argv[1:]])
    # The import is measured once, on the smallest database if it is not the 1M one
    # (and rolled back afterwards).
    import_size = min(sizes)

    prepare.collectstatic()
    # Each size keeps its latest measurement: a later run of one size updates the report.
    results = {"sizes": {}}
    if os.path.exists(RESULTS):
        with open(RESULTS) as previous:
            results = json.load(previous)
    for events in sizes:
        started = time.perf_counter()
        prepared = prepare.prepare(events)
        print(f"[run] {events} events: measuring", flush=True)
        speed_before = reference_loop()
        extra = ["--import-rows"] if events == import_size <= 100_000 else []
        result = measure(events, args.repeat, *extra, timeout=args.dashboard_timeout)
        # A database already there keeps the seeding figures of the run that built it.
        previous = results["sizes"].get(str(events), {})
        for key in ("seed_s", "seed_demo_s"):
            result[key] = prepared.get(key, previous.get(key))
        result.update(measure(events, 1, "--export-memory"))
        if events < 1_000_000:  # from there, more rows than a sheet holds
            result.update(measure(events, 1, "--xlsx-memory"))
        if not args.no_load:
            print(f"[run] {events} events: load test, {duration} s", flush=True)
            result["load"] = loadtest.run(events, duration)
        result["reference_loop_s"] = [speed_before, reference_loop()]
        result["wall_s"] = round(time.perf_counter() - started)
        result["command"] = command
        result["measured_at"] = time.strftime("%Y-%m-%d %H:%M %Z")
        results["sizes"][str(events)] = result
        with open(RESULTS, "w") as out:  # kept after each size: a long run can be cut short
            json.dump(results, out, indent=1)
        report.write(results)
    print(f"[run] done: {report.PATH}")


if __name__ == "__main__":
    main()

"""/__metrics__ at scale: a scrape of 1,000,000 runs of 100 hosts in PostgreSQL.

Fills a database of its own (history_rows.py, as history_admin.py does),
then prints a scrape's queries and rows read in this process, the time of
its reads and of its exposition apart, and the whole scrape timed from
outside through gunicorn: best, median and worst of --repeat, per format.
Run: python benchmarks/metrics_scrape.py [--runs N] [--hosts N] [--reuse]
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import history_admin, served

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/dockerflow_bench_metrics"
FORMATS = {
    "OpenMetrics 1.0": "application/openmetrics-text;version=1.0.0",
    "Prometheus text 0.0.4": "text/plain;version=0.0.4",
}


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url",
        default=os.environ.get("DOCKERFLOW_BENCH_METRICS_URL", DEFAULT_URL),
    )
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--reuse", action="store_true", help="keep rows from a previous run"
    )
    return parser.parse_args()


def figures(times: list[float]) -> str:
    return f"{min(times):8.1f} {statistics.median(times):8.1f} {max(times):8.1f}"


def in_process(repeat: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dockerflow.django.history import exposition, metrics
    from dockerflow.django.models import HeartbeatRun

    with CaptureQueriesContext(connection) as captured:
        found = metrics.snapshot()
    body, _type = exposition.exposition(found, FORMATS["OpenMetrics 1.0"])
    rows = len(found.hosts) + len(found.checks) + len(found.totals)
    lines = body.count(b"\n")
    print(
        f"history: {HeartbeatRun.objects.count():,} stored runs;"
        f" a scrape reads {len(captured)} queries (QUERIES = {metrics.QUERIES}),"
        f" {rows} rows, and answers {len(body):,} bytes,"
        f" {lines:,} lines"
    )
    reads, encodes, cpu = [], [], []
    for _ in range(repeat):
        started, busy = time.perf_counter(), time.process_time()
        found = metrics.snapshot()
        read, read_busy = time.perf_counter(), time.process_time()
        exposition.exposition(found, FORMATS["OpenMetrics 1.0"])
        reads.append((read - started) * 1000)
        encodes.append((time.perf_counter() - read) * 1000)
        cpu.append((read_busy - busy, time.process_time() - read_busy))
    print(
        f"\nin this process, {repeat} times:  {'best ms':>8} {'median':>8} {'max':>8}"
    )
    print(f"{'reading (3 queries)':32} {figures(reads)}")
    print(
        f"{'  its CPU time in this process':32} {figures([c[0] * 1000 for c in cpu])}"
    )
    print(f"{'exposition (prometheus_client)':32} {figures(encodes)}")
    print(f"{'  its CPU time':32} {figures([c[1] * 1000 for c in cpu])}")


def scrape(port: int, accept: str) -> float:
    """One scrape on a fresh connection, as Prometheus's first; its ms."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", "/__metrics__", headers={"Accept": accept})
        response = conn.getresponse()
        response.read()
    finally:
        conn.close()
    assert response.status == 200, response.status
    return (time.perf_counter() - started) * 1000


def through_gunicorn(args: argparse.Namespace) -> dict[str, Any]:
    print(
        f"\nthrough gunicorn ({args.workers} sync workers), {args.repeat} scrapes"
        " each after one warm-up per worker:"
    )
    print(f"{'format':32} {'best ms':>8} {'median':>8} {'max':>8}")
    medians = {}
    with served.gunicorn(args.url, args.workers) as port:
        for label, accept in FORMATS.items():
            for _ in range(args.workers):
                scrape(port, accept)
            times = [scrape(port, accept) for _ in range(args.repeat)]
            medians[label] = statistics.median(times)
            print(f"{label:32} {figures(times)}")
    return medians


def main() -> None:
    args = arguments()
    history_admin.create_database(args.url)
    history_admin.configure(args.url, api=True)

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    history_admin.fill(args.runs, args.hosts, args.reuse)
    in_process(args.repeat)
    medians = through_gunicorn(args)
    worst = max(medians.values())
    print(f"\nmedian scrape at most 50 ms: {'yes' if worst <= 50 else 'NO'}")


if __name__ == "__main__":
    main()

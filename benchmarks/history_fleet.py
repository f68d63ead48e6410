"""A fleet's heartbeat history against one PostgreSQL, simulated: 1,000 hosts, one run per 10 s.

Several processes play the fleet; each host is served by two of them in turn,
as by two workers behind a load balancer, and each worker of a host keeps its
own recorder, the one ``/__heartbeat__`` stores through (prepare, then write).
One check flips in episodes. Prints the write latency, statements and bytes
per run, lock waits and rows a day, and proves no run lost, no change twice.
Run: python benchmarks/history_fleet.py [--seconds 300] [--mode changes all]
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import statistics
import sys
import time
import zlib
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import history_admin

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/h_scale_fleet"
CHECKS = (
    "check_database_connected",
    "check_migrations_applied",
    "check_redis_connected",
)
FLAKY = "check_redis_connected"


def host_name(h: int) -> str:
    return f"fleet-{h:05d}"


def flaky_status(h: int, n: int, share: float, episode: int) -> str:
    """The flaky check of host ``h`` at its run ``n``: failing in episodes of
    ``episode`` runs, ``share`` of the time, the same in every process."""
    drawn = zlib.crc32(f"{h}:{n // episode}".encode()) % 1000
    return "error" if drawn < share * 1000 else "ok"


def expected_changes(made: list[tuple[int, float, str]]) -> int:
    """Status change rows the runs made must produce, in the order the
    database saw them (their start times): each flip of the flaky check and
    of its host, and a first status that is not ok."""
    total = 0
    previous: dict[int, str] = {}
    for h, _started, status in sorted(made, key=lambda run: run[1]):
        if status != previous.get(h, "ok"):
            total += 2  # the check and the host as a whole
        previous[h] = status
    return total


def worker(index: int, args: argparse.Namespace, ready: Any, out: Any) -> None:
    """Play this process's share of the schedule; report what it measured."""
    history_admin.configure(
        args.url, extra={"DOCKERFLOW_HISTORY": args.mode, "CONN_MAX_AGE": 60}
    )
    from django.db import connection
    from django.test.utils import override_settings

    from dockerflow.checks import CheckResult, HeartbeatResult
    from dockerflow.checks.messages import CheckMessage
    from dockerflow.django.history import Recorder
    from dockerflow.django.history.store import VERIFY

    lost = []
    handler = logging.Handler()
    handler.emit = lost.append  # type: ignore[method-assign]
    logging.getLogger("dockerflow.history").addHandler(handler)
    ticks = int(args.seconds // args.every)
    # Host h's run n goes to one of its two workers, in turn.
    slots = sorted(
        (n * args.every + h * args.every / args.hosts, h, n)
        for h in range(args.hosts)
        for n in range(ticks)
        if (h + n % 2) % args.processes == index
    )
    recorders: dict[int, Recorder] = {}
    statements = [0]
    checked = [0]
    made: list[tuple[int, float, str]] = []
    failed = (CheckMessage("Could not connect to redis", 40, id="E004"),)

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements[0] += 1
        return execute(sql, params, many, context)

    def beat(h: int, flaky: str) -> float | None:
        """One heartbeat run of host ``h``, stored as the view stores it;
        the milliseconds its database visit took, None if it needed none."""
        checks = tuple(
            CheckResult(
                name, failed if name == FLAKY and flaky == "error" else (), 0.002
            )
            for name in CHECKS
        )
        started = time.time()
        made.append((h, started, flaky))
        result = HeartbeatResult(checks=checks, started_at=started, duration=0.005)
        recorder = recorders.setdefault(h, Recorder())
        with override_settings(DOCKERFLOW_HISTORY_HOST=host_name(h)):
            pending = recorder.prepare(
                result, source="http", http_status=500 if result.failed else 200
            )
        if pending is None:
            return None
        began = time.perf_counter()
        with connection.execute_wrapper(count):
            recorder.write(pending)
        if pending.visit.store == VERIFY:
            checked[0] += 1  # memory and the database agreed: one SELECT
        return (time.perf_counter() - began) * 1000

    # A fleet already running: each worker has met each of its hosts once.
    for h in sorted({h for _offset, h, _n in slots}):
        beat(h, "ok")
    warm, statements[0], checked[0] = len(made), 0, 0
    ready.wait()
    start = time.time()
    latencies, late = [], []
    for offset, h, n in slots:
        if time.time() > start + args.seconds:
            break  # a machine slower than the schedule makes fewer runs
        wait = start + offset - time.time()
        if wait > 0:
            time.sleep(wait)
        elif wait < -1.0:
            late.append(-wait)
        ms = beat(h, flaky_status(h, n, args.flaky, args.episode))
        if ms is not None:
            latencies.append(ms)
    with connection.execute_wrapper(count):
        for recorder in recorders.values():
            recorder.flush()  # what a worker's exit writes
    out.put(
        {
            "warm": warm,
            "runs": len(made) - warm,
            "scheduled": len(slots),
            "made": made,
            "latencies": latencies,
            "statements": statements[0],
            "checked": checked[0],
            "late": late,
            "lost": len(lost),
        }
    )


def sizes(cursor: Any) -> dict[str, int]:
    from benchmarks.history_rows import TABLES

    cursor.execute(
        "SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relname = ANY(%s)",
        [list(TABLES)],
    )
    return dict(cursor.fetchall())


#: The tables that grow with every stored run, and their time column.
GROWING = ("dockerflow_heartbeatrun", "dockerflow_checkrun", "dockerflow_statuschange")


def rows(cursor: Any) -> dict[str, int]:
    from benchmarks.history_rows import TABLES

    found = {}
    for table in TABLES:
        cursor.execute(f"SELECT count(*) FROM {table}")
        found[table] = cursor.fetchone()[0]
    return found


def rows_a_day(cursor: Any, start: float, seconds: float) -> dict[str, float]:
    """What a day adds: the growing tables at their rate since ``start``;
    an aggregate row per host and check each hour and each day."""
    from datetime import datetime, timezone

    since = datetime.fromtimestamp(start, timezone.utc)
    rate = {}
    for table in GROWING:
        cursor.execute(f"SELECT count(*) FROM {table} WHERE time >= %s", [since])
        rate[table] = cursor.fetchone()[0] * 86400 / seconds
    cursor.execute("SELECT count(*) FROM dockerflow_checkstate WHERE host <> ''")
    rate["dockerflow_heartbeataggregate"] = cursor.fetchone()[0] * (24 + 1)
    rate["dockerflow_checkstate"] = 0.0  # one row per host and check, for good
    return rate


def simulate(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection

    from benchmarks.history_rows import TABLES

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY")
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    ready = context.Barrier(args.processes + 1)
    processes = [
        context.Process(target=worker, args=(i, args, ready, out))
        for i in range(args.processes)
    ]
    for process in processes:
        process.start()
    ready.wait()  # every worker has met its hosts: the clock starts
    start = time.time()
    with connection.cursor() as cursor:
        before = sizes(cursor)
    waiting, samples = [], 0
    with connection.cursor() as cursor:
        while any(p.is_alive() for p in processes) and out.qsize() < len(processes):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            waiting.append(cursor.fetchone()[0])
            samples += 1
            time.sleep(0.5)
    reports = [out.get(timeout=600) for _ in processes]
    for process in processes:
        process.join()
    with connection.cursor() as cursor:
        grown = {t: size - before.get(t, 0) for t, size in sizes(cursor).items()}
        counted = rows(cursor)
        daily = rows_a_day(cursor, start, args.seconds)
        cursor.execute(
            "SELECT coalesce(sum(runs), 0) FROM dockerflow_heartbeataggregate"
            " WHERE period = 'hour' AND check_name = ''"
        )
        aggregated = cursor.fetchone()[0]
        # The same flip written twice: one change after another to the same status.
        cursor.execute(
            "SELECT count(*) FROM (SELECT new_status, lag(new_status) OVER"
            " (PARTITION BY host, check_name ORDER BY time, id) AS before"
            " FROM dockerflow_statuschange) AS c WHERE new_status = before"
        )
        repeated = cursor.fetchone()[0]
    return {
        "reports": reports,
        "start": start,
        "grown": grown,
        "rows": counted,
        "daily": daily,
        "aggregated": aggregated,
        "repeated": repeated,
        "waiting": waiting,
    }


def show(args: argparse.Namespace, found: dict[str, Any]) -> dict[str, bool]:
    reports = found["reports"]
    runs = sum(r["runs"] for r in reports)
    warm = sum(r["warm"] for r in reports)
    latencies = sorted(ms for r in reports for ms in r["latencies"])
    statements = sum(r["statements"] for r in reports)
    late = sorted(s for r in reports for s in r["late"])
    scheduled = sum(r["scheduled"] for r in reports)
    expected = expected_changes([run for r in reports for run in r["made"]])
    changes = found["rows"]["dockerflow_statuschange"]
    stored = found["rows"]["dockerflow_heartbeatrun"]

    def pct(q: float) -> float:
        return latencies[min(int(q * len(latencies)), len(latencies) - 1)]

    print(
        f'\nmode "{args.mode}": {runs:,} runs of {args.hosts} hosts in {args.seconds:.0f} s'
        f" ({runs / args.seconds:.0f} a second; {scheduled:,} scheduled),"
        f" {args.processes} processes"
    )
    print(
        f"  visits to the database: {len(latencies):,} ({len(latencies) / runs:.1%} of runs)"
    )
    checked = sum(r["checked"] for r in reports)
    print(
        f"    of them only checked against the host's states, one SELECT each:"
        f" {checked:,} ({checked / runs:.1%} of runs)"
    )
    if latencies:
        print(
            f"  write latency per visit: p50 {pct(0.5):.1f} ms, p99 {pct(0.99):.1f} ms,"
            f" mean {statistics.mean(latencies):.1f} ms"
        )
    print(
        f"  statements: {statements / runs:.2f} per run, {statements / max(len(latencies), 1):.1f} per visit"
    )
    total = sum(found["grown"].values())
    print(
        f"  bytes: {total / runs:,.0f} per run ({total / 2**20:.1f} MiB in all, tables and indexes)"
    )
    for table, grown in sorted(found["grown"].items()):
        print(
            f"    {table:32} {grown / 2**20:6.1f} MiB {found['rows'][table]:>9,} rows,"
            f" {found['daily'][table]:>12,.0f} a day"
        )
    print(
        f"  lock waits: {sum(found['waiting'])} backends waiting in {len(found['waiting'])} samples"
        f" (max {max(found['waiting'], default=0)} at once)"
    )
    print(
        f"  runs over 1 s behind schedule: {len(late)}, the latest by {max(late, default=0):.2f} s"
    )
    lost_runs = runs + warm - found["aggregated"]
    if args.mode == "all":
        lost_runs = max(lost_runs, runs + warm - stored)
    print(
        f"  runs counted in the aggregates: {found['aggregated']:,} of {runs + warm:,}"
        f" ({warm:,} first runs before the clock started); stored: {stored:,}"
    )
    print(
        f"  lost runs: {lost_runs} (logged as lost: {sum(r['lost'] for r in reports)})"
    )
    print(
        f"  status changes: {changes:,}, expected {expected:,}; written twice: {found['repeated']}"
    )
    return {
        "no run lost": lost_runs == 0,
        "no change written twice": found["repeated"] == 0,
        "every change due written": changes == expected,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url", default=os.environ.get("DOCKERFLOW_BENCH_FLEET_URL", DEFAULT_URL)
    )
    parser.add_argument("--hosts", type=int, default=1000)
    parser.add_argument(
        "--every", type=float, default=10.0, help="seconds between a host's runs"
    )
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument(
        "--seconds", type=float, default=300.0, help="length of each mode's run"
    )
    parser.add_argument(
        "--mode", nargs="+", default=["changes", "all"], choices=["changes", "all"]
    )
    parser.add_argument(
        "--flaky", type=float, default=0.10, help="share of time the check fails"
    )
    parser.add_argument(
        "--episode", type=int, default=6, help="runs per failing episode"
    )
    args = parser.parse_args()
    if args.processes < 2:
        parser.error("each host needs two workers: --processes 2 or more")
    history_admin.create_database(args.url)
    history_admin.configure(args.url)

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    proofs: dict[str, bool] = {}
    for mode in args.mode:
        one = argparse.Namespace(**{**vars(args), "mode": mode})
        for proof, held in show(one, simulate(one)).items():
            proofs[proof] = proofs.get(proof, True) and held
    print()
    for proof, held in proofs.items():
        print(f"{proof}, in every mode:", "yes" if held else "NO")
    if not all(proofs.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()

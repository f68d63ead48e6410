"""What the heartbeat history costs ``/__heartbeat__``, through gunicorn on PostgreSQL.

Six servers of the example project run side by side: the history "off",
"changes" and "all", each at CONN_MAX_AGE 0 and 60, two sync workers each.
Rounds of requests go to each in turn, so a busy machine slows all alike;
the table gives each one's median and p95 and their ratio to "off" at the
same CONN_MAX_AGE. Then, in this process, what storing one run costs the
writer thread, on a kept connection and on a new one.

Run: python benchmarks/history_heartbeat.py [postgresql://.../database]
(default: DOCKERFLOW_TEST_POSTGRES_URL); the database is migrated and
runs of the hosts bench-* are deleted from it before and after.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SETTINGS = "benchmarks.history_heartbeat_settings"
MODES = ("off", "changes", "all")
AGES = (0, 60)
ROUNDS = 12
PER_ROUND = 40
WARMUP = 20
#: Seconds between two paced probes: more than a stored run takes the writer.
PAUSE = 0.05


def database_url() -> str:
    if len(sys.argv) > 1:
        return sys.argv[1]
    return os.environ.get(
        "DOCKERFLOW_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
    )


def environment(mode: str, age: int) -> dict[str, str]:
    return dict(
        os.environ,
        DJANGO_SETTINGS_MODULE=SETTINGS,
        DATABASE_URL=database_url(),
        DJANGO_CONN_MAX_AGE=str(age),
        DJANGO_SECRET_KEY="benchmark-only",
        DJANGO_DEBUG="0",
        BENCH_HISTORY=mode,
        BENCH_HOST=f"bench-{mode}-{age}",
        PYTHONPATH=str(ROOT),
    )


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def server(mode: str, age: int) -> Iterator[int]:
    port = free_port()
    command = [
        str(BIN / "gunicorn"),
        "example_project.wsgi",
        "-c",
        "python:example_project.gunicorn_conf",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--no-control-socket",
    ]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=environment(mode, age),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                get(port, "/__lbheartbeat__")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"the {mode}/{age} server did not start"
                    ) from None
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def get(port: int, path: str) -> float:
    """One request on a new connection, as a load balancer's probe makes it (ms)."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        if path == "/__heartbeat__" and response.status != 200:
            raise RuntimeError(f"heartbeat answered {response.status}")
    finally:
        conn.close()
    return (time.perf_counter() - started) * 1000.0


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def latencies(
    ports: dict[tuple[str, int], int], paced: bool
) -> dict[tuple[str, int], list[float]]:
    """Paced: one probe to each server in turn, then a pause longer than a
    store takes, as a load balancer's probes (seconds apart) leave the
    writer time to finish. Back to back: a server's probes one after
    another, each landing while the writer stores the one before."""
    times: dict[tuple[str, int], list[float]] = {key: [] for key in ports}
    for _ in range(ROUNDS):
        if paced:
            for _ in range(PER_ROUND):
                for key, port in ports.items():
                    times[key].append(get(port, "/__heartbeat__"))
                    time.sleep(PAUSE)
        else:
            for key, port in ports.items():
                times[key] += [get(port, "/__heartbeat__") for _ in range(PER_ROUND)]
    return times


def store_costs() -> tuple[float, float]:
    """Median ms the writer spends storing one run ("all" mode), on a kept
    connection and on one opened for it."""
    os.environ.update(environment("all", 0))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connections

    from dockerflow.django import heartbeat, history

    kept, fresh = [], []
    for number in range(200):
        result = heartbeat.run(cached=False)  # a run is recorded once
        if number % 2:
            connections.close_all()
        started = time.perf_counter()
        pending = history.recorder.prepare(result, source="http", http_status=200)
        assert pending is not None
        history.recorder.write(pending)
        (fresh if number % 2 else kept).append((time.perf_counter() - started) * 1e3)
    connections.close_all()
    return statistics.median(kept[5:]), statistics.median(fresh[5:])


def clean() -> None:
    import psycopg

    with psycopg.connect(database_url(), autocommit=True) as conn:
        for table in ("statuschange", "checkrun", "heartbeatrun"):
            conn.execute(f"DELETE FROM dockerflow_{table} WHERE host LIKE 'bench-%%'")
        for table in ("heartbeataggregate", "checkstate"):
            conn.execute(f"DELETE FROM dockerflow_{table} WHERE host LIKE 'bench-%%'")


def table(title: str, times: dict[tuple[str, int], list[float]]) -> None:
    print(title)
    print(
        f"{'history':<9}{'CONN_MAX_AGE':>13}{'median':>10}{'p95':>10}"
        f"{'x off':>8}{'x off p95':>11}"
    )
    for age in AGES:
        base = times[("off", age)]
        for mode in MODES:
            values = times[(mode, age)]
            print(
                f"{mode:<9}{age:>13}{statistics.median(values):>8.2f}ms"
                f"{p95(values):>8.2f}ms"
                f"{statistics.median(values) / statistics.median(base):>7.2f}x"
                f"{p95(values) / p95(base):>10.2f}x"
            )


def main() -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=environment("off", 0),
        check=True,
    )
    clean()
    try:
        kept, fresh = store_costs()
        with contextlib.ExitStack() as stack:
            ports = {
                (mode, age): stack.enter_context(server(mode, age))
                for age in AGES
                for mode in MODES
            }
            for port in ports.values():
                for _ in range(WARMUP):
                    get(port, "/__heartbeat__")
            paced = latencies(ports, paced=True)
            back_to_back = latencies(ports, paced=False)
    finally:
        clean()
    count = ROUNDS * PER_ROUND
    head = "/__heartbeat__ through gunicorn (2 sync workers each) on PostgreSQL"
    table(f"{head}, {count} probes per server, paced {PAUSE * 1000:g} ms apart", paced)
    table(f"{head}, {count} probes per server, back to back", back_to_back)
    print(
        f"storing one run in the writer thread: {kept:.2f} ms on a kept "
        f"connection, {fresh:.2f} ms with a new one"
    )


if __name__ == "__main__":
    main()

"""/__metrics__ on gunicorn with two workers and PostgreSQL: scrapes that
prometheus_client's OpenMetrics parser and ``promtool check metrics`` accept,
that run no check, that both workers answer alike, one series per check when
two apps name a check alike, and counters that go on from where they were
after a prune and a restart; the token is required.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.server import Server, serve
from tests.e2e.targets import AUTH, BY_NAME, UP, Fleet, manage
from tests.openmetrics import Samples, samples
from tests.services import POSTGRES_URL, free_port

pytestmark = pytest.mark.e2e

TARGET = BY_NAME["django-gunicorn"]
TOKEN = "e2e-metrics-token"
OPENMETRICS = "application/openmetrics-text;version=1.0.0,text/plain;q=0.5"
SCRAPE = {"Authorization": f"Bearer {TOKEN}", "Accept": OPENMETRICS}


def counters(found: Samples) -> Samples:
    return {k: v for k, v in found.items() if k[0].endswith(("_total", "_count"))}


def scrape(server: Server, **headers: str) -> tuple[str, int]:
    """One scrape's body, and the pid of the worker that answered it."""
    rid = f"e2e-metrics-{uuid.uuid4()}"
    reply = server.request("/__metrics__", headers={**SCRAPE, "X-Request-ID": rid})
    assert reply.status == 200, reply.body
    assert reply.headers["content-type"].startswith("application/openmetrics-text")
    (summary,) = server.summaries(rid)
    return reply.body.decode(), summary["Pid"]


def check_runs(server: Server) -> int:
    return sum(r["Fields"].get("msg") == "e2e check ran" for r in server.records())


def database(fleet: Fleet) -> str:
    return f"{POSTGRES_URL.rsplit('/', 1)[0]}/{fleet.django_db}"


def run_heartbeats(
    server: Server, host: str, fleet: Fleet, send: int, count: int
) -> None:
    """Send ``send`` heartbeats, until the host's runs counted reach ``count``."""
    import psycopg

    for _ in range(send):
        assert server.request("/__heartbeat__", headers=AUTH).status == 200
    deadline = time.monotonic() + 20
    with psycopg.connect(database(fleet)) as conn:
        while True:
            row = conn.execute(
                "SELECT runs FROM dockerflow_heartbeataggregate"
                " WHERE host = %s AND check_name = '' AND period = 'total'",
                (host,),
            ).fetchone()
            if row and row[0] >= count:
                return
            assert time.monotonic() < deadline, f"{count} runs not counted"
            time.sleep(0.05)


def promtool(text: str) -> None:
    found = shutil.which("promtool")
    if found is None:
        pytest.fail("promtool is missing: `make promtool` installs it", pytrace=False)
    done = subprocess.run(
        [found, "check", "metrics"], input=text, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def stored(fleet: Fleet, host: str) -> int:
    import psycopg

    with psycopg.connect(database(fleet)) as conn:
        row = conn.execute(
            "SELECT count(*) FROM dockerflow_heartbeatrun WHERE host = %s", (host,)
        ).fetchone()
    assert row is not None
    return int(row[0])


def age_the_history(fleet: Fleet, host: str, days: int) -> None:
    """Move the host's runs and hour and day rows ``days`` into the past."""
    import psycopg

    with psycopg.connect(database(fleet)) as conn:
        conn.execute(
            "UPDATE dockerflow_heartbeatrun SET time = time - make_interval(days => %s)"
            " WHERE host = %s",
            (days, host),
        )
        conn.execute(
            "UPDATE dockerflow_checkrun SET time = time - make_interval(days => %s)"
            " WHERE host = %s",
            (days, host),
        )
        conn.execute(
            "UPDATE dockerflow_heartbeataggregate"
            " SET start = start - make_interval(days => %s)"
            " WHERE host = %s AND period <> 'total'",
            (days, host),
        )


def server_env(fleet: Fleet, target: Any, host: str, **more: str) -> dict[str, Any]:
    """Every heartbeat runs its checks and is counted at once, under ``host``."""
    env = dict(fleet.env(target, UP), E2E_HISTORY="all", E2E_HISTORY_HOST=host)
    env.update(
        E2E_CACHE_SECONDS="0",
        E2E_HISTORY_FLUSH_SECONDS="0",
        DOCKERFLOW_METRICS_TOKEN=TOKEN,
        **more,
    )
    return env


def test_scrapes_of_two_workers_count_on_across_a_prune_and_a_restart(
    fleet: Fleet, tmp_path: Path
) -> None:
    host = f"e2e-metrics-{uuid.uuid4().hex[:8]}"
    env = server_env(fleet, TARGET, host, E2E_REPEATED_CHECK="1")

    def start(name: str) -> Any:
        port = free_port()
        command = TARGET.command(port, workers=2)
        return serve(command, port, tmp_path / name, TARGET.logger_name, env=env)

    with start("first") as server:
        run_heartbeats(server, host, fleet, 6, 6)
        assert server.request("/__metrics__").status == 401  # the token is required
        bearer = {"Authorization": "Bearer " + AUTH["Authorization"].split()[-1]}
        assert server.request("/__metrics__", headers=bearer).status == 401
        ran = check_runs(server)
        with ThreadPoolExecutor(4) as pool:
            scraped = list(pool.map(lambda _: scrape(server), range(20)))
        time.sleep(0.5)
        assert check_runs(server) == ran  # 20 scrapes, no check run
        by_worker = {pid: text for text, pid in scraped}
        assert len(by_worker) == 2, "both workers answer"
        assert len({text for text, _pid in scraped}) == 1, "with the same numbers"
        text = scraped[0][0]
        first = samples(text)
        check = "dockerflow.django.checks.check_database_connected"
        runs = (
            "dockerflow_check_runs_total",
            frozenset({("host", host), ("check", check), ("status", "ok")}),
        )
        assert first[runs] == 6
        # Two apps' check_database_connected: two series, each by its path.
        status = {
            dict(labels)["check"]
            for name, labels in first
            if name == "dockerflow_check_status" and ("host", host) in labels
        }
        assert {
            "dockerflow.django.checks.check_database_connected",
            "tests.e2e.apps.more_checks.check_database_connected",
        } <= status
        plain = server.request(
            "/__metrics__", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        assert plain.headers["content-type"].startswith("text/plain; version=0.0.4")
        promtool(plain.body.decode())

        age_the_history(fleet, host, days=500)
        pruned = manage(fleet.manage_env(), "dockerflow_prune")
        assert pruned.returncode == 0, pruned.stdout + pruned.stderr
        assert stored(fleet, host) == 0, pruned.stdout  # every run went
        after_prune = samples(scrape(server)[0])
        assert counters(after_prune) == counters(first)
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(timeout=30)

    with start("second") as server:
        restarted = samples(scrape(server)[0])
        assert counters(restarted) == counters(first)
        run_heartbeats(server, host, fleet, 2, 8)
        later = samples(scrape(server)[0])
        for key, value in counters(first).items():
            assert later[key] >= value, key
        assert later[runs] == 8


def test_uvicorn_serves_the_same_series_under_asgi(
    fleet: Fleet, tmp_path: Path
) -> None:
    target = BY_NAME["django-uvicorn"]
    host = f"e2e-metrics-asgi-{uuid.uuid4().hex[:8]}"
    env = server_env(fleet, target, host)
    port = free_port()
    command = target.command(port)
    with serve(command, port, tmp_path, target.logger_name, env=env) as server:
        run_heartbeats(server, host, fleet, 2, 2)
        text, _pid = scrape(server)  # parsed below by the OpenMetrics parser
    runs = {
        dict(labels)["check"]: value
        for (name, labels), value in samples(text).items()
        if name == "dockerflow_check_runs_total"
        and {("host", host), ("status", "ok")} <= labels
    }
    assert runs and set(runs.values()) == {2}, runs

"""The engine's fault pass on every server of the contract suite.

A service that hung then answers again: the heartbeat recovers on its own,
without the hung sockets being dropped, and threads stay bounded. Hostile
check messages and version.json values: served as strict JSON, logged as
mozlog lines. A timeout no wait can honour: refused at start, or replaced
by the default where Django's system checks report it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dockerflow.checks.workers import MAX_ATTEMPTS
from tests.e2e.server import Server, serve
from tests.e2e.targets import (
    AUTH,
    FAULTS,
    TARGETS,
    UP,
    VERSION,
    Faults,
    Fleet,
    Target,
    manage,
    write_version,
)
from tests.e2e.test_history_outage import probe_until
from tests.faultproxy import FaultProxy
from tests.services import POSTGRES_URL, free_port

pytestmark = pytest.mark.e2e

#: Probes while the service hangs: each waits out the check timeout (1 s in
#: the FAULTS state), so the hang lasts eleven timeouts, and each of
#: gunicorn's two workers sees more probes than MAX_ATTEMPTS.
HUNG_PROBES = 11
WITH_DATABASE = [t for t in TARGETS if t.framework != "sanic"]
#: The checks of each e2e app that run on threads and can hang: Django's
#: database, migrations and Redis checks, Flask's database and Redis checks;
#: Sanic's Redis check is a coroutine, cancelled when it times out.
THREADED_CHECKS = {"django": 3, "flask": 2, "sanic": 0, "fastapi": 2}


def workers(server: Server) -> list[int]:
    """The processes answering requests: gunicorn's workers, or the server."""
    pid = server.process.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children] or [pid]


def threads(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/task").iterdir()))


def hang_then_recover(server: Server, proxy: FaultProxy) -> list[int]:
    """Statuses of the probes after ``proxy`` hung for HUNG_PROBES probes and
    passes again, its hung connections left hung (a failing probe's report is
    printed, for the assertion's failure to show)."""
    # Several passing, so each worker holds connections that will hang
    # (Django keeps its request thread's, CONN_MAX_AGE). A worker starved of
    # CPU may time out a check on its first probes: those don't count.
    for _ in range(4):
        probe_until(server, 200, within=30)
    proxy.hanging()
    for _ in range(HUNG_PROBES):
        hung = server.request("/__heartbeat__", headers=AUTH)
        assert hung.status == 500, hung.body
    proxy.passing()  # not Faults.passing(): what hung stays hung
    # Several probes, so each of gunicorn's two workers answers at least one.
    after = [server.request("/__heartbeat__", headers=AUTH) for _ in range(4)]
    print(*[r.body for r in after if r.status != 200], sep="\n")
    return [r.status for r in after]


@pytest.mark.parametrize(
    "target", WITH_DATABASE, ids=[t.name for t in WITH_DATABASE], indirect=True
)
def test_a_database_that_hung_then_answers_passes_on_the_first_probe_after(
    fleet: Fleet, target: Target, faults: Faults
) -> None:
    server = fleet.server(target, FAULTS)
    assert hang_then_recover(server, faults.database) == [200] * 4


def test_a_redis_that_hung_then_answers_passes_on_the_first_probe_after(
    fleet: Fleet, target: Target, faults: Faults
) -> None:
    server = fleet.server(target, FAULTS)
    assert hang_then_recover(server, faults.redis) == [200] * 4


def test_threads_stay_bounded_while_every_service_hangs(
    fleet: Fleet, target: Target, faults: Faults
) -> None:
    server = fleet.server(target, FAULTS)
    assert server.request("/__heartbeat__", headers=AUTH).status == 200
    before = {pid: threads(pid) for pid in workers(server)}
    faults.database.hanging()
    faults.redis.hanging()
    peak = dict(before)
    for _ in range(2 * HUNG_PROBES):
        assert server.request("/__heartbeat__", headers=AUTH).status == 500
        for pid in peak:
            peak[pid] = max(peak[pid], threads(pid))
    # Each check on threads holds at most MAX_ATTEMPTS of them; the request
    # being served may hold a thread or two of its own (ASGI's sync code).
    allowed = MAX_ATTEMPTS * THREADED_CHECKS[target.framework] + 2
    assert all(peak[pid] - before[pid] <= allowed for pid in peak), (before, peak)


# -- hostile text ----------------------------------------------------------------

HOSTILE = {
    "nul": "before\x00after",
    "surrogate": "lone \ud800 half",
    "control": "\x1b[31mred\x07\r\nInjected: yes",
    "huge": "x" * 1_000_000,
}


@pytest.fixture
def messages(fleet: Fleet, target: Target) -> Iterator[Path]:
    """Where ``check_counted`` of ``target``'s servers reads messages to return."""
    path = fleet.version_dir(target) / "messages.json"
    yield path
    path.unlink(missing_ok=True)


def test_hostile_check_messages_are_served_as_json_and_logged_as_mozlog(
    fleet: Fleet, target: Target, faults: Faults, messages: Path
) -> None:
    server = fleet.server(target, FAULTS)
    wanted = [[40, f"e2e.{name}", text] for name, text in HOSTILE.items()]
    # A text nested deeper than str() can go: a placeholder, not a 500.
    wanted += [[30, "e2e.deep", {"nest": 5000}], [30, "e2e\x00id\udfff", "odd id"]]
    messages.write_text(json.dumps(wanted))
    since = server.line_count()
    got = server.request("/__heartbeat__", headers=AUTH)
    assert got.status == 500
    assert got.headers["content-type"] == "application/json"
    served = got.json()["details"]["check_counted"]["messages"]
    assert served == {
        **{f"e2e.{name}": text for name, text in HOSTILE.items()},
        "e2e.deep": "<unprintable list>",
        "e2e\x00id\udfff": "odd id",
    }
    # Every line the request wrote is one strict mozlog object (records()
    # asserts it), each message among them, as it was.
    logged = [
        r["Fields"].get("msg") for r in server.wait_for(lambda r: False, since, 2)
    ]
    for name, text in HOSTILE.items():
        assert f"e2e.{name}: {text}" in logged, name
    if target.framework == "django":
        # PostgreSQL stores no NUL: the run is kept, its text made storable.
        stored = stored_messages(fleet, fleet.history_host(target, FAULTS))
        assert {"id": "e2e.nul", "msg": "before\ufffdafter"} in stored, stored
        assert {"id": "e2e.surrogate", "msg": "lone \ufffd half"} in stored


def stored_messages(fleet: Fleet, host: str) -> list[dict[str, str]]:
    """The messages of ``host``'s newest stored ``check_counted`` run, read
    from the example project's PostgreSQL directly."""
    import psycopg

    url = f"{POSTGRES_URL.rsplit('/', 1)[0]}/{fleet.django_db}"
    with psycopg.connect(url) as conn:
        found = conn.execute(
            "SELECT messages FROM dockerflow_checkrun WHERE host = %s"
            " AND name LIKE %s ORDER BY time DESC, id DESC LIMIT 1",
            (host, "%check_counted"),
        ).fetchone()
    assert found is not None, f"no check_counted run stored for {host}"
    return list(found[0])


HOSTILE_VERSIONS: dict[str, Any] = {
    **{name: {**VERSION, "version": text} for name, text in HOSTILE.items()},
    "huge": {**VERSION, "version": "x" * 60_000},  # under the 64 KiB limit
    "deep": {**VERSION, "build": json.loads("[" * 900 + "]" * 900)},
    "keys": {**VERSION, "\x00\ud800": "key"},
}


def test_hostile_version_values_are_served_as_json_and_logged_as_mozlog(
    fleet: Fleet, target: Target, faults: Faults
) -> None:
    server = fleet.server(target, FAULTS)
    root = fleet.version_dir(target)
    try:
        for name, data in HOSTILE_VERSIONS.items():
            write_version(root, json.dumps(data))
            since = server.line_count()
            got = server.request("/__version__")
            assert (got.status, got.headers["content-type"]) == (
                200,
                "application/json",
            ), name
            assert got.json() == data, name
            server.records(since)  # each line strict mozlog
        write_version(root, '{"build": ' + "[" * 20_000 + "]" * 20_000 + "}")
        too_deep = server.request("/__version__")
        assert too_deep.status == 500
        assert too_deep.json()["detail"] == "is nested too deeply"
    finally:
        write_version(root, VERSION)


# -- a timeout no wait can honour --------------------------------------------------


def test_a_timeout_no_wait_can_honour_is_refused_or_replaced_on_every_server(
    fleet: Fleet, target: Target, tmp_path: Path
) -> None:
    env = fleet.env(target, UP)
    env["DOCKERFLOW_CHECK_TIMEOUT"] = env["SANIC_DOCKERFLOW_CHECK_TIMEOUT"] = "1e10"
    port = free_port()
    command = target.command(port)
    if target.framework != "django":
        # Flask's init_app and Sanic's start-up refuse it, naming the key.
        with (
            pytest.raises(RuntimeError) as exited,
            serve(command, port, tmp_path, target.logger_name, env=env),
        ):
            pass  # pragma: no cover - the server must not start
        assert "DOCKERFLOW_CHECK_TIMEOUT must be at most 3600 seconds" in str(
            exited.value
        )
        return
    # A WSGI or ASGI server runs no system checks: the heartbeat answers on
    # the default timeout, and manage.py check reports dockerflow.E008.
    with serve(command, port, tmp_path, target.logger_name, env=env) as server:
        got = server.request("/__heartbeat__", headers=AUTH)
        assert got.headers["content-type"] == "application/json"
        assert got.status == 200, got.body
    checked = manage(fleet.manage_env(DOCKERFLOW_CHECK_TIMEOUT="1e10"), "check")
    assert checked.returncode == 1
    assert "dockerflow.E008" in checked.stderr
    assert "at most 3600 seconds" in checked.stderr

"""Servers whose PostgreSQL and Redis sit behind switchable fault proxies."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.server import Response, Server
from tests.e2e.targets import (
    AUTH,
    FAULTS,
    TIMEOUTS,
    Faults,
    Fleet,
    Target,
    django_targets,
)

pytestmark = pytest.mark.e2e


def test_a_refused_database_fails_the_heartbeat_and_passing_again_heals_it(
    fleet: Fleet, target: Target, faults: Faults
) -> None:
    server = fleet.server(target, FAULTS)
    assert server.request("/__heartbeat__", headers=AUTH).status == 200
    faults.database.refusing()
    faults.redis.refusing()
    down = server.request("/__heartbeat__", headers=AUTH)
    assert down.status == 500, down.body
    faults.passing()
    healed = server.request("/__heartbeat__", headers=AUTH)
    assert healed.status == 200, healed.body


#: Seconds past the check timeout a loaded machine may take; a hang takes forever.
SLACK = 3.0
BOUND = TIMEOUTS[FAULTS] + SLACK
#: Anyone can send these; only a key of 8 characters or more is looked up.
STRANGERS = ("sessionid=x", "sessionid=anyone0can0send0this0key")
STRANGER = STRANGERS[1]


def timed(server: Server, path: str, cookie: str) -> tuple[Response, float]:
    started = time.monotonic()
    got = server.request(path, headers={"Cookie": cookie}, timeout=BOUND + 10)
    return got, time.monotonic() - started


@django_targets
@pytest.mark.parametrize("fault", ["refusing", "hanging"])
def test_a_session_cookie_gets_the_json_heartbeat_in_time_while_the_database_fails(
    fleet: Fleet,
    target: Target,
    faults: Faults,
    sessions: dict[str, tuple[str, str]],
    fault: str,
) -> None:
    server = fleet.server(target, FAULTS)
    _, staff = sessions["staff"]
    # A real session: its user sees details while the database answers.
    seen = server.request("/__heartbeat__", headers={"Cookie": staff}).json()
    assert seen["checks"]["check_database_connected"] == "ok"
    getattr(faults.database, fault)()
    for cookie in (*STRANGERS, staff):
        got, took = timed(server, "/__heartbeat__", cookie)
        assert got.headers["content-type"] == "application/json", got.body[:300]
        assert (got.status, got.json()) == (500, {"status": "error"})
        assert took < BOUND, (cookie, took)


@django_targets
def test_the_lbheartbeat_stays_fast_while_cookie_heartbeats_meet_a_hung_database(
    fleet: Fleet, target: Target, faults: Faults
) -> None:
    server = fleet.server(target, FAULTS)
    faults.database.hanging()
    with ThreadPoolExecutor(2) as pool:
        # As many as gunicorn has workers: held, they would leave none free.
        beats = [
            pool.submit(timed, server, "/__heartbeat__", STRANGER) for _ in range(2)
        ]
        time.sleep(0.2)
        probe, took = timed(server, "/__lbheartbeat__", STRANGER)
        answered = [beat.result() for beat in beats]
    assert probe.status == 200 and took < BOUND, took
    assert [got.status for got, _ in answered] == [500, 500]
    for _ in range(3):  # and no worker stays held afterwards
        probe, took = timed(server, "/__lbheartbeat__", STRANGER)
        assert probe.status == 200 and took < SLACK, took


@django_targets
@pytest.mark.parametrize("fault", ["refusing", "hanging"])
def test_the_error_endpoint_answers_a_session_cookie_in_time_while_the_database_fails(
    fleet: Fleet,
    target: Target,
    faults: Faults,
    sessions: dict[str, tuple[str, str]],
    fault: str,
) -> None:
    server = fleet.server(target, FAULTS)
    _, staff = sessions["staff"]
    assert server.request("/__error__", headers={"Cookie": staff}).status == 500
    getattr(faults.database, fault)()
    for cookie in (*STRANGERS, staff):
        got, took = timed(server, "/__error__", cookie)
        assert got.headers["content-type"] == "application/json", got.body[:300]
        assert (got.status, got.json()) == (404, {"error": "Not Found"})
        assert took < BOUND, (cookie, took)

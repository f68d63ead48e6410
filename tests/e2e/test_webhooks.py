"""Webhooks on gunicorn with two workers and PostgreSQL, to a real receiver in
the test process: a receiver down for a minute gets every change once, in
order; a worker killed mid-send costs at most one duplicate, the same bytes
under the same key; concurrent flips on both workers make one signal, one
delivery and one POST per change; ten quick flips arrive paced, none dropped;
the signature verifies and messages go only where allowed.

A check flips when the test writes or removes the messages.json that
``check_counted`` returns (tests/e2e/apps/checks.py).
"""

from __future__ import annotations

import json
import os
import signal
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.server import Server, serve
from tests.e2e.targets import AUTH, BY_NAME, UP, VERSION, Fleet, write_version
from tests.e2e.test_history_outage import probe_until, rows
from tests.services import free_port
from tests.webhook_receiver import Received, Receiver, receiver

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

TARGET = BY_NAME["django-gunicorn"]
CHECK = "check_counted"
SECRET = "e2e-webhook-secret"
FAILING = [[40, "e2e.E001", "e2e failing: postgres://user:hunter2@db/app"]]


@dataclass
class Site:
    """A server with webhooks, its host name and the file that flips its check."""

    server: Server
    host: str
    messages: Path
    fleet: Fleet

    def flip(self, failing: bool, probes: int = 1) -> None:
        """Make the check fail or pass, and probe until the heartbeat says so."""
        if failing:
            self.messages.write_text(json.dumps(FAILING))
        else:
            self.messages.unlink(missing_ok=True)
        with ThreadPoolExecutor(8) as pool:
            statuses = set(pool.map(lambda _: self.probe(), range(probes)))
        assert statuses == {500 if failing else 200}

    def probe(self) -> int:
        return self.server.request("/__heartbeat__", headers=AUTH).status

    def changes(self, check: str | None = None) -> list[tuple[Any, ...]]:
        """(id, check, old, new) of the host's changes, oldest first."""
        found = rows(
            self.fleet,
            "SELECT id, check_name, old_status, new_status"
            " FROM dockerflow_statuschange WHERE host = %s ORDER BY id",
            self.host,
        )
        return [c for c in found if check is None or c[1] == check]

    def wait_changes(self, count: int, check: str | None = None) -> list[Any]:
        # Each worker's writer stores its runs one by one, after the probes
        # answered: with 3 CPU burners beside, 16 probes' runs took up to
        # 5.4 s to store; under coverage on a busy CI machine, over 15 s.
        deadline = time.monotonic() + 45
        while len(found := self.changes(check)) < count:
            assert time.monotonic() < deadline, f"{count} changes not stored"
            time.sleep(0.05)
        return found

    def deliveries(self) -> list[tuple[Any, ...]]:
        """(change id, webhook, state, attempts) of the host's deliveries."""
        return rows(
            self.fleet,
            "SELECT change_id, webhook, state, attempts FROM dockerflow_delivery"
            " WHERE host = %s ORDER BY id",
            self.host,
        )

    def received(self, r: Receiver, count: int, within: float) -> list[Received]:
        """What ``r`` got once it has ``count`` POSTs and a second more (room
        for a duplicate), probing meanwhile: probes kick the senders."""
        deadline = time.monotonic() + within
        while len(r.received) < count and time.monotonic() < deadline:
            self.probe()
            time.sleep(0.2)
        time.sleep(1.0)
        return list(r.received)

    def signalled(self) -> list[int]:
        """The change ids the status_changed signal was sent for, as logged."""
        return [
            r["Fields"]["change"]
            for r in self.server.records()
            if r["Fields"].get("msg") == "e2e status changed"
        ]


def hook(url: str, **options: Any) -> dict[str, Any]:
    return {
        "name": f"e2e-{uuid.uuid4().hex[:12]}",
        "url": url,
        "secret": SECRET,
        "checks": None,
        "timeout": 2.0,
        "retry_max": 5.0,
        "per_minute": 600.0,
        "burst": 20,
        **options,
    }


@contextmanager
def site(fleet: Fleet, tmp_path: Path, *hooks: dict[str, Any]) -> Iterator[Site]:
    """Gunicorn with 2 workers, ``hooks`` its only webhooks, its check passing."""
    host = f"e2e-hooks-{uuid.uuid4().hex[:8]}"
    version = tmp_path / "version"
    version.mkdir()
    write_version(version, VERSION)
    env = dict(fleet.env(TARGET, UP), E2E_HISTORY_HOST=host, E2E_CACHE_SECONDS="0")
    env.update(
        DOCKERFLOW_VERSION_PATH=str(version),
        E2E_VERSION_DIR=str(version),
        E2E_WEBHOOKS=json.dumps(hooks),
        E2E_STATUS_LOG="1",
    )
    port = free_port()
    command = TARGET.command(port, workers=2)
    with serve(command, port, tmp_path / "logs", TARGET.logger_name, env=env) as s:
        found = Site(s, host, version / "messages.json", fleet)
        probe_until(s, 200, within=10)
        yield found


def keys(received: list[Received]) -> list[int]:
    return [int(r.headers["idempotency-key"]) for r in received]


def in_order(received: list[Received]) -> dict[str, list[int]]:
    """The idempotency keys received, by check, in the order they came."""
    by_check: dict[str, list[int]] = {}
    for r in received:
        by_check.setdefault(r.json["check"], []).append(r.json["id"])
    return by_check


def flips(site: Site, count: int, check: str = CHECK) -> list[Any]:
    """Flip the check ``count`` times, each flip stored before the next."""
    before = len(site.changes(check))
    for n in range(count):
        site.flip(failing=(n % 2 == 0))
        site.wait_changes(before + n + 1, check)
    return site.changes(check)[before:]


def test_a_receiver_down_for_a_minute_gets_every_change_once_in_order(
    fleet: Fleet, tmp_path: Path
) -> None:
    with receiver() as r, site(fleet, tmp_path, hook(r.url)) as s:
        r.down()
        down_at = time.monotonic()
        flips(s, 4)
        while time.monotonic() - down_at < 60:  # probes drive the retries
            assert s.probe() == 200
            time.sleep(0.5)
        changes = s.changes()
        assert len(changes) == 8  # the check's 4 and the host's 4
        attempts = [a for _c, _w, _s, a in s.deliveries()]
        assert max(attempts) >= 5, attempts  # retried while it was down
        r.up()
        got = s.received(r, len(changes), within=40)
    assert sorted(keys(got)) == [c[0] for c in changes]  # each once
    assert in_order(got) == {
        check: [c[0] for c in changes if c[1] == check] for check in (CHECK, "")
    }
    assert {state for _c, _w, state, _a in s.deliveries()} == {"delivered"}


def holder(server: Server, peer: tuple[str, int]) -> int:
    """The worker whose socket is the sender's end of the receiver's ``peer``."""
    local = f"0100007F:{peer[1]:04X}"
    inode = next(
        line.split()[9]
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
        if line.split()[1] == local
    )
    for pid in server.workers():
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) == f"socket:[{inode}]":
                    return pid
            except FileNotFoundError:
                continue
    raise AssertionError(f"no worker holds {peer}")


def test_a_worker_killed_mid_send_delivers_after_restart_with_one_duplicate(
    fleet: Fleet, tmp_path: Path
) -> None:
    with receiver() as r:
        r.answer = "hang"
        with site(fleet, tmp_path, hook(r.url, checks=[""])) as s:
            s.flip(failing=True)
            (hung,) = r.wait_for(1, timeout=10)
            killed = holder(s.server, hung.peer)
            os.kill(killed, signal.SIGKILL)
            r.answer = 200
            # The lease (2 x timeout + 5 s) runs out; the surviving worker or
            # the one gunicorn starts in the killed one's place sends again.
            got = s.received(r, 2, within=30)
            assert killed not in s.server.workers()
            assert len(s.server.workers()) == 2
            ((change, _w, state, attempts),) = s.deliveries()
    assert len(got) == 2, got  # the one in flight, and one duplicate
    assert keys(got) == [change, change]
    assert got[0].body == got[1].body
    assert (
        got[0].headers["x-dockerflow-delivery"]
        == got[1].headers["x-dockerflow-delivery"]
    )
    assert (state, attempts) == ("delivered", 2)


def test_concurrent_flips_on_two_workers_one_signal_one_delivery_per_change(
    fleet: Fleet, tmp_path: Path
) -> None:
    with receiver() as r, site(fleet, tmp_path, hook(r.url)) as s:
        for phase in range(6):
            s.flip(failing=(phase % 2 == 0), probes=16)
            s.wait_changes(2 * (phase + 1))
        changes = s.changes()
        ids = [c[0] for c in changes]
        got = r.wait_for(len(ids), timeout=20)
        deadline = time.monotonic() + 10
        while len(s.signalled()) < len(ids) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)
        got, signalled, deliveries = list(r.received), s.signalled(), s.deliveries()
        pids = {
            rec["Pid"]
            for rec in s.server.records()
            if rec["Type"] == "request.summary"
            and rec["Fields"].get("path") == "/__heartbeat__"
        }
    assert len(pids) == 2, "both workers were probed"
    assert len(ids) == 12  # each flip once, for the check and the host
    assert sorted(signalled) == ids
    assert sorted(c for c, _w, _s, _a in deliveries) == ids
    assert sorted(keys(got)) == ids


def test_ten_quick_flips_arrive_in_order_within_the_rate_bound(
    fleet: Fleet, tmp_path: Path
) -> None:
    per_minute, burst = 60.0, 3
    paced = hook("", checks=[CHECK], per_minute=per_minute, burst=burst)
    with receiver() as r:
        paced["url"] = r.url
        with site(fleet, tmp_path, paced) as s:
            changes = flips(s, 10)
            got = s.received(r, 10, within=30)
    assert keys(got) == [c[0] for c in changes]  # all ten, in order
    rate, slack = per_minute / 60.0, 0.25
    times = [g.at for g in got]
    for i in range(len(times)):
        for j in range(i, len(times)):
            sends = j - i + 1
            assert sends <= burst + (times[j] - times[i] + slack) * rate, (i, j, times)
    # The bound showed: past the burst, one a second.
    assert times[-1] - times[0] >= (10 - burst) / rate - 1.0, times


def test_the_signature_verifies_and_messages_go_only_where_allowed(
    fleet: Fleet, tmp_path: Path
) -> None:
    with receiver() as r:
        plain = hook(r.url.replace("/hook", "/plain"))
        full = hook(r.url.replace("/hook", "/full"), messages=True)
        with site(fleet, tmp_path, plain, full) as s:
            s.flip(failing=True)
            got = r.wait_for(4, timeout=20)
    assert len(got) == 4, got
    assert all(g.verifies(SECRET) and not g.verifies("other") for g in got)
    by_path: dict[str, list[Received]] = {}
    for g in got:
        by_path.setdefault(g.path, []).append(g)
    for g in by_path["/plain"]:
        assert "messages" not in g.json
        assert b"hunter2" not in g.body
    text = FAILING[0][2]
    for g in by_path["/full"]:
        assert g.json["messages"] == {CHECK: [{"id": "e2e.E001", "msg": text}]}

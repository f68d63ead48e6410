"""``/__heartbeat__`` of the Sanic extension: checks, detail policy, signals.

Timeouts, concurrency and isolation belong to the core engine; these tests
prove the extension hands checks and config to it and renders the result.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import pytest
from sanic import Sanic
from sanic.application.constants import Mode

from dockerflow import checks, health
from dockerflow_sanic import Dockerflow, signals

from .conftest import MakeApp

pytestmark = pytest.mark.asyncio


async def heartbeat(app: Sanic, **kwargs: Any) -> Any:
    _, response = await app.asgi_client.get("/__heartbeat__", **kwargs)
    return response


def add_checks(dockerflow: Dockerflow) -> None:
    @dockerflow.check
    async def async_ok() -> list[Any]:
        await asyncio.sleep(0)
        return []

    @dockerflow.check(name="sync-warning")
    def sync_warning() -> list[Any]:
        return [checks.Warning("getting warm", id="acme.W001")]


async def test_no_checks_is_ok(app: Sanic) -> None:
    response = await heartbeat(app)
    assert response.status == 200
    assert response.json == {"status": "ok"}


async def test_details_in_debug_mode(make_app: MakeApp) -> None:
    app, dockerflow = make_app({"DEBUG": True})
    add_checks(dockerflow)
    response = await heartbeat(app)
    assert response.status == 200  # a warning does not fail the heartbeat
    body = response.json
    assert body["status"] == "warning"
    assert body["checks"] == {"async_ok": "ok", "sync-warning": "warning"}
    assert body["details"]["sync-warning"]["messages"] == {"acme.W001": "getting warm"}
    assert body["details"]["sync-warning"]["level"] == checks.WARNING
    assert "async_ok" not in body["details"]


@pytest.mark.parametrize(
    ("config", "headers", "detailed"),
    [
        ({}, {}, False),
        (
            {"DOCKERFLOW_HEARTBEAT_TOKEN": "s3cret"},
            {"Authorization": "Bearer s3cret"},
            True,
        ),
        (
            {"DOCKERFLOW_HEARTBEAT_TOKEN": "s3cret"},
            {"Authorization": "Bearer nope"},
            False,
        ),
        ({"DOCKERFLOW_HEARTBEAT_TOKEN": None}, {"Authorization": "Bearer None"}, False),
        ({"DOCKERFLOW_HEARTBEAT_DETAILS": "always"}, {}, True),
        ({"DOCKERFLOW_HEARTBEAT_DETAILS": "never", "DEBUG": True}, {}, False),
        ({"DOCKERFLOW_HEARTBEAT_DETAILS": "authorized", "DEBUG": "true"}, {}, True),
    ],
)
async def test_detail_policy(
    make_app: MakeApp, config: dict[str, Any], headers: dict[str, str], detailed: bool
) -> None:
    app, dockerflow = make_app(config)
    add_checks(dockerflow)
    body = (await heartbeat(app, headers=headers)).json
    assert body["status"] == "warning"
    assert ("checks" in body) is detailed
    assert ("details" in body) is detailed


async def test_failing_check_gives_configured_5xx(make_app: MakeApp) -> None:
    app, dockerflow = make_app({"DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE": 503})

    @dockerflow.check
    async def broken() -> list[Any]:
        return [checks.Error("down", id="acme.E001")]

    response = await heartbeat(app)
    assert response.status == 503
    assert response.json == {"status": "error"}


async def test_silenced_checks_are_ignored(make_app: MakeApp) -> None:
    app, dockerflow = make_app(silenced_checks=["acme.E001"])

    @dockerflow.check
    def broken() -> list[Any]:
        return [checks.Error("down", id="acme.E001")]

    assert (await heartbeat(app)).status == 200


async def test_init_check_passes_the_object(
    app_and_dockerflow: tuple[Sanic, Dockerflow],
) -> None:
    app, dockerflow = app_and_dockerflow

    async def check_thing(thing: str) -> list[Any]:
        return [checks.Error(f"{thing} is down", id="acme.E002")]

    dockerflow.init_check(check_thing, "storage")
    assert list(dockerflow.checks) == ["check_thing"]
    body = (await heartbeat(app, headers={"Authorization": "Bearer x"})).json
    assert body == {"status": "error"}
    app.config.DOCKERFLOW_HEARTBEAT_DETAILS = "always"  # read per request
    body = (await heartbeat(app)).json
    assert body["details"]["check_thing"]["messages"] == {
        "acme.E002": "storage is down"
    }


async def test_hung_check_answers_within_its_timeout(make_app: MakeApp) -> None:
    app, dockerflow = make_app(
        {"DOCKERFLOW_CHECK_TIMEOUT": 0.3, "DOCKERFLOW_HEARTBEAT_DETAILS": "always"}
    )

    @dockerflow.check
    async def hangs() -> list[Any]:
        await asyncio.sleep(60)
        return []

    @dockerflow.check(timeout=0.2)
    def slow_sync() -> list[Any]:
        time.sleep(1)
        return []

    started = time.monotonic()
    response = await heartbeat(app)
    elapsed = time.monotonic() - started
    assert elapsed < 0.3 + 2.0  # the timeout plus generous slack, not 60 s
    assert response.status == 500
    messages = response.json["details"]["hangs"]["messages"]
    assert list(messages) == [health.ERROR_CHECK_TIMEOUT]
    assert "0.3 seconds" in messages[health.ERROR_CHECK_TIMEOUT]
    assert (
        "0.2 seconds"
        in response.json["details"]["slow_sync"]["messages"][health.ERROR_CHECK_TIMEOUT]
    )


async def test_check_that_raises_is_an_error(
    app_and_dockerflow: tuple[Sanic, Dockerflow],
) -> None:
    app, dockerflow = app_and_dockerflow

    @dockerflow.check
    async def raises() -> list[Any]:
        raise ZeroDivisionError("oops")

    assert (await heartbeat(app)).status == 500


async def test_cache_seconds_reuses_a_run(make_app: MakeApp) -> None:
    app, dockerflow = make_app({"DOCKERFLOW_HEARTBEAT_CACHE_SECONDS": 60})
    runs = []

    @dockerflow.check
    def counted() -> list[Any]:
        runs.append(1)
        return []

    await heartbeat(app)
    await heartbeat(app)
    assert len(runs) == 1


@pytest.mark.parametrize("failing", [False, True])
async def test_signals_carry_level_and_result(make_app: MakeApp, failing: bool) -> None:
    app, dockerflow = make_app()
    received: dict[str, Any] = {}
    done = asyncio.Event()

    @dockerflow.check
    def maybe_failing() -> list[Any]:
        return [checks.Critical("gone", id="acme.C001")] if failing else []

    @app.signal(signals.HEARTBEAT_FAILED if failing else signals.HEARTBEAT_PASSED)
    async def receiver(level: int, result: Any, **context: Any) -> None:
        received.update(level=level, result=result)
        done.set()

    # Sanic dispatches in the background: wait for it, within reason.
    await heartbeat(app)
    await asyncio.wait_for(done.wait(), timeout=5)
    assert received["level"] == (checks.CRITICAL if failing else 0)
    assert received["result"].passed is not failing
    assert received["result"].statuses == {
        "maybe_failing": "critical" if failing else "ok"
    }


async def test_signals_without_receivers_neither_raise_nor_warn(
    make_app: MakeApp,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Sanic logs a warning for an unknown signal only in debug mode, from the
    # background task that dispatches it: keep those tasks to wait for them.
    dispatches: dict[str, asyncio.Task[Any]] = {}
    real_dispatch = Sanic.dispatch

    async def dispatch(self: Sanic, event: str, *args: Any, **kwargs: Any) -> Any:
        task = await real_dispatch(self, event, *args, **kwargs)
        if event.startswith("dockerflow."):
            dispatches[event] = task
        return task

    monkeypatch.setattr(Sanic, "dispatch", dispatch)
    app, dockerflow = make_app()
    app.state.mode = Mode.DEBUG
    app.state.verbosity = 2
    assert app.debug
    for failing in (False, True):
        dockerflow.registry.clear()
        if failing:
            dockerflow.check(lambda: [checks.Error("x", id="x.E1")], name="bad")
        assert (await heartbeat(app)).status == (500 if failing else 200)
    assert set(dispatches) == {signals.HEARTBEAT_PASSED, signals.HEARTBEAT_FAILED}
    await asyncio.wait_for(asyncio.gather(*dispatches.values()), timeout=5)
    # Sanic warns about its own server.* signals in debug mode too.
    warned = [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.WARNING and "dockerflow" in r.getMessage()
    ]
    assert not warned


async def test_raising_receiver_is_logged_and_harmless(
    make_app: MakeApp,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dispatched: list[asyncio.Task[Any]] = []
    real_dispatch = Sanic.dispatch

    async def dispatch(self: Sanic, event: str, *args: Any, **kwargs: Any) -> Any:
        task = await real_dispatch(self, event, *args, **kwargs)
        if event == signals.HEARTBEAT_PASSED:
            dispatched.append(task)
        return task

    monkeypatch.setattr(Sanic, "dispatch", dispatch)
    app, _ = make_app()

    @app.signal(signals.HEARTBEAT_PASSED)
    async def broken(**context: Any) -> None:
        raise ValueError("receiver bug")

    response = await heartbeat(app)
    assert (response.status, response.json) == (200, {"status": "ok"})
    (task,) = dispatched
    await asyncio.wait_for(asyncio.gather(task, return_exceptions=True), timeout=5)
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info]
    assert [str(r.exc_info[1]) for r in logged if r.exc_info] == ["receiver bug"]


@pytest.mark.parametrize(
    ("config", "reason"),
    [
        ({"DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE": 404}, "5xx"),
        ({"DOCKERFLOW_CHECK_TIMEOUT": 1e10}, "at most 3600 seconds"),
        ({"DOCKERFLOW_CHECK_TIMEOUT": "1e10"}, "at most 3600 seconds"),
    ],
)
async def test_bad_config_stops_the_server_starting(
    make_app: MakeApp, config: dict[str, Any], reason: str
) -> None:
    app, _ = make_app(config)
    with pytest.raises(ValueError, match=reason):
        await app.asgi_client.get("/__lbheartbeat__")

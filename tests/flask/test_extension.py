"""The extension object: several apps, factories, registering checks, signals, imports."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import flask
import pytest

from dockerflow import checks, health
from dockerflow.checks import HeartbeatResult
from dockerflow_flask import Dockerflow, DockerflowState
from dockerflow_flask.signals import heartbeat_failed, heartbeat_passed

from .conftest import MakeApp

ALWAYS = {"DOCKERFLOW_HEARTBEAT_DETAILS": "always"}


def body(app: flask.Flask) -> dict[str, Any]:
    return app.test_client().get("/__heartbeat__").get_json()


def test_state_lives_in_app_extensions(
    app: flask.Flask, dockerflow: Dockerflow
) -> None:
    state = app.extensions["dockerflow"]
    assert isinstance(state, DockerflowState)
    assert state.extension is dockerflow
    # The seed stored the extension itself: its attributes still resolve.
    assert state.check == dockerflow.check
    with pytest.raises(AttributeError):
        state._private  # noqa: B018
    assert not hasattr(dockerflow, "app")


def test_apps_in_one_process_keep_their_own_checks(make_app: MakeApp) -> None:
    first, first_df = make_app(ALWAYS)
    second, second_df = make_app(ALWAYS)
    first_df.check(lambda: [], name="only_first")
    second_df.check(lambda: [], name="only_second")
    assert body(first)["checks"] == {"only_first": "ok"}
    assert body(second)["checks"] == {"only_second": "ok"}


def test_factory_pattern_and_per_app_version_path(tmp_path: Path) -> None:
    dockerflow = Dockerflow()

    @dockerflow.check
    def shared() -> list[checks.CheckMessage]:
        return []

    apps = []
    for name in ("one", "two"):
        root = tmp_path / name
        (root / "pkg").mkdir(parents=True)
        (root / "version.json").write_text(f'{{"version": "{name}"}}')
        app = flask.Flask(name, root_path=str(root / "pkg"))
        app.config.update(ALWAYS)
        dockerflow.init_app(app)
        apps.append(app)
    for app, name in zip(apps, ("one", "two"), strict=True):
        client = app.test_client()
        assert client.get("/__version__").get_json() == {"version": name}
        assert client.get("/__heartbeat__").get_json()["checks"] == {"shared": "ok"}


def test_check_decorator_forms_and_init_check(make_app: MakeApp) -> None:
    app, dockerflow = make_app(ALWAYS)

    @dockerflow.check
    def bare() -> list[checks.CheckMessage]:
        return []

    @dockerflow.check(name="named")
    def whatever() -> list[checks.CheckMessage]:
        return [checks.Info("fyi", id="acme.I001")]

    def ping(target: str) -> list[checks.CheckMessage]:
        return [checks.Warning(f"{target} is slow", id="acme.W001")]

    dockerflow.init_check(ping, "storage")
    assert bare() == []  # the decorator gives the function back
    assert list(dockerflow.checks) == ["bare", "named", "ping"]
    payload = body(app)
    assert payload["checks"] == {"bare": "ok", "named": "info", "ping": "warning"}
    assert payload["details"]["ping"]["messages"] == {"acme.W001": "storage is slow"}


def test_silenced_checks(make_app: MakeApp) -> None:
    app, dockerflow = make_app(ALWAYS, silenced_checks=["acme.E001"])
    dockerflow.check(lambda: [checks.Error("ignored", id="acme.E001")], name="noisy")
    response = app.test_client().get("/__heartbeat__")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"noisy": "ok"}


def test_checks_run_concurrently_in_the_app_context(make_app: MakeApp) -> None:
    app, dockerflow = make_app(ALWAYS)
    barrier = threading.Barrier(2, timeout=5)
    seen = []

    def meet() -> list[checks.CheckMessage]:
        barrier.wait()  # breaks, and the check raises, unless both run at once
        seen.append(flask.current_app.name)
        return []

    dockerflow.check(meet, name="a")
    dockerflow.check(meet, name="b")
    assert body(app)["status"] == "ok"
    assert seen == [app.name, app.name]


def test_async_check(make_app: MakeApp) -> None:
    app, dockerflow = make_app(ALWAYS)

    @dockerflow.check
    async def remote() -> list[checks.CheckMessage]:
        return [checks.Warning(f"{flask.current_app.name} is slow", id="acme.W002")]

    detail = body(app)["details"]["remote"]
    assert detail["messages"] == {"acme.W002": f"{app.name} is slow"}


def test_raising_and_hung_checks_are_isolated(make_app: MakeApp) -> None:
    app, dockerflow = make_app(dict(ALWAYS, DOCKERFLOW_CHECK_TIMEOUT=5))
    release = threading.Event()

    @dockerflow.check
    def raises() -> list[checks.CheckMessage]:
        raise ConnectionError("backend said no")

    @dockerflow.check(timeout=0.2)
    def hangs() -> list[checks.CheckMessage]:
        release.wait(10)
        return []

    try:
        payload = body(app)
    finally:
        release.set()
    assert payload["checks"] == {"raises": "error", "hangs": "error"}
    assert list(payload["details"]["raises"]["messages"]) == [
        health.ERROR_CHECK_EXCEPTION
    ]
    assert list(payload["details"]["hangs"]["messages"]) == [health.ERROR_CHECK_TIMEOUT]


def test_a_check_timeout_no_wait_can_honour_is_refused_when_registered(
    make_app: MakeApp,
) -> None:
    app, dockerflow = make_app(ALWAYS)
    with pytest.raises(ValueError, match="'patient' must be at most 3600 seconds"):

        @dockerflow.check(timeout=1e10)
        def patient() -> list[checks.CheckMessage]:
            return []

    assert body(app)["checks"] == {}


def test_cache_seconds_reuses_a_run(make_app: MakeApp) -> None:
    app, dockerflow = make_app({"DOCKERFLOW_HEARTBEAT_CACHE_SECONDS": 60})
    calls = []
    dockerflow.check(lambda: calls.append(1) or [], name="counted")
    client = app.test_client()
    for _ in range(3):
        assert client.get("/__heartbeat__").status_code == 200
    assert len(calls) == 1


def test_run_checks_outside_a_request(make_app: MakeApp) -> None:
    app, dockerflow = make_app()
    dockerflow.check(lambda: [checks.Error("x", id="acme.E9")], name="bad")
    result = dockerflow.run_checks(app)
    assert isinstance(result, HeartbeatResult)
    assert not result.passed


def test_signals_reach_receivers_connected_via_the_app(make_app: MakeApp) -> None:
    app, dockerflow = make_app()
    other, _ = make_app()
    received: list[tuple[str, Any, int, HeartbeatResult]] = []

    @heartbeat_passed.connect_via(app)
    def on_pass(sender: Any, level: int, result: HeartbeatResult, **extra: Any) -> None:
        received.append(("passed", sender, level, result))

    @heartbeat_failed.connect_via(app)
    def on_fail(sender: Any, level: int, result: HeartbeatResult, **extra: Any) -> None:
        received.append(("failed", sender, level, result))

    body(app)
    body(other)  # another app's heartbeat doesn't reach app's receivers
    dockerflow.check(lambda: [checks.Error("down", id="acme.E1")], name="down")
    body(app)
    assert [(kind, sender, level) for kind, sender, level, _ in received] == [
        ("passed", app, 0),
        ("failed", app, checks.ERROR),
    ]
    assert received[1][3].statuses == {"down": "error"}


def test_seed_import_paths() -> None:
    import dockerflow.flask.app
    import dockerflow.flask.checks
    import dockerflow.flask.signals
    import dockerflow_flask.app
    from dockerflow.flask import Dockerflow as SeedDockerflow
    from dockerflow.flask import checks as seed_checks
    from dockerflow_flask import checks as builtin

    assert SeedDockerflow is Dockerflow is dockerflow.flask.app.Dockerflow
    assert (
        dockerflow.flask.app.HeartbeatFailure is dockerflow_flask.app.HeartbeatFailure
    )
    assert seed_checks.check_redis_connected is builtin.check_redis_connected
    assert seed_checks.Warning is checks.Warning and seed_checks.ERROR == 40
    assert seed_checks.level_to_text(30) == "warning"
    assert dockerflow.flask.signals.heartbeat_passed is heartbeat_passed


BLOCK_OPTIONAL = """
import sys
for name in ("sqlalchemy", "alembic", "redis", "flask_sqlalchemy",
             "flask_migrate", "flask_login"):
    sys.modules[name] = None  # importing it now raises ImportError
import flask
from dockerflow.flask import Dockerflow, checks
app = flask.Flask("bare")
app.config["DOCKERFLOW_HEARTBEAT_DETAILS"] = "always"
Dockerflow(app, db=object(), redis=object(), migrate=object())
print(app.test_client().get("/__heartbeat__").get_data(as_text=True))
"""


def test_only_flask_installed() -> None:
    done = subprocess.run(
        [sys.executable, "-c", BLOCK_OPTIONAL],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr

    details = json.loads(done.stdout)["details"]
    assert details["check_database_connected"]["messages"] == {
        health.ERROR_MISCONFIGURED_DATABASE: "SQLAlchemy is not installed: pip install SQLAlchemy"
    }
    assert details["check_redis_connected"]["messages"] == {
        health.ERROR_MISSING_REDIS_CLIENT: "redis is not installed: pip install redis"
    }
    assert details["check_migrations_applied"]["messages"] == {
        health.ERROR_MISCONFIGURED_DATABASE: "alembic is not installed: pip install alembic"
    }


def test_raising_receiver_is_logged_and_harmless(
    make_app: MakeApp, caplog: pytest.LogCaptureFixture
) -> None:
    app, _ = make_app()

    @heartbeat_passed.connect_via(app)
    def broken(sender: Any, **extra: Any) -> None:
        raise ValueError("receiver bug")

    response = app.test_client().get("/__heartbeat__")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert ["ValueError" in r.getMessage() + str(r.exc_info) for r in errors] == [True]

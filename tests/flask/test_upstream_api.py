"""The Flask extension exactly as python-dockerflow 2026.x users set it up and test it.

Checks registered on the module-level registry and cleared between tests,
the import paths under ``dockerflow.flask``, and the ``flask.g`` names their
tests read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import flask
import pytest
import redis

import dockerflow.checks.registry
from dockerflow import checks, health
from dockerflow.flask import Dockerflow
from dockerflow.flask.checks import check_redis_connected

from ..services import REDIS_URL

ADAPTER = "needs adapter refactor: "
HEADERS = {"User-Agent": "dockerflow/tests", "Accept-Language": "tlh"}
Records = Callable[[], list[Any]]


@pytest.fixture(autouse=True)
def _clear_the_registry_as_users_do() -> Iterator[None]:
    yield
    dockerflow.checks.registry.clear_checks()


@pytest.fixture
def app(tmp_path: Path) -> flask.Flask:
    app = flask.Flask("upstream_api", root_path=str(tmp_path / "app"))

    @app.route("/")
    def index() -> str:
        return ""

    @app.route("/boom")
    def boom() -> str:
        raise ValueError("exception message")

    return app


@pytest.fixture
def records(caplog: pytest.LogCaptureFixture) -> Records:
    caplog.set_level(logging.INFO)
    return lambda: list(caplog.records)


def summaries(records: Records) -> list[Any]:
    return [r for r in records() if r.name == "request.summary"]


def test_seed_import_paths() -> None:
    from dockerflow.flask.checks import Error, level_to_text
    from dockerflow.flask.checks.messages import level_to_text as from_messages

    assert level_to_text is from_messages is checks.level_to_text
    assert Error is checks.Error


def test_init_app_later_adds_the_views(app: flask.Flask) -> None:
    extension = Dockerflow()
    assert "dockerflow.heartbeat" not in app.view_functions
    extension.init_app(app)
    assert "dockerflow.heartbeat" in app.view_functions


def test_version_callback_and_path(app: flask.Flask) -> None:
    extension = Dockerflow(app, version_path="/something/extra/ordinary")
    seen: list[str] = []

    @extension.version_callback
    def version(path: str) -> dict[str, str]:
        seen.append(path)
        return {"version": "1.0"}

    response = app.test_client().get("/__version__")
    assert (response.status_code, response.json) == (200, {"version": "1.0"})
    assert seen == ["/something/extra/ordinary"]


def test_legacy_extension_registry(app: flask.Flask) -> None:
    app.config["DOCKERFLOW_HEARTBEAT_DETAILS"] = "always"
    extension = Dockerflow(app)

    @extension.check
    def error_check() -> list[checks.CheckMessage]:
        return [checks.Error("some error", id="tests.checks.E001")]

    def partial_check(obj: Any) -> list[checks.CheckMessage]:
        return [checks.Error(repr(obj), id="tests.checks.E002")]

    extension.init_check(partial_check, ("foo", "bar"))
    response = app.test_client().get("/__heartbeat__")
    assert response.status_code == 500
    details = response.get_json()["details"]
    assert details["partial_check"]["messages"] == {
        "tests.checks.E002": "('foo', 'bar')"
    }
    assert "error_check" in details


def test_details_hidden_unless_asked_for(app: flask.Flask) -> None:
    """A deliberate difference: python-dockerflow shows details to anyone."""
    extension = Dockerflow(app)
    extension.check(lambda: [checks.Error("db.internal down", id="x.E1")], name="db")
    assert app.test_client().get("/__heartbeat__").json == {"status": "error"}
    app.config["DOCKERFLOW_HEARTBEAT_DETAILS"] = "always"
    assert "db" in app.test_client().get("/__heartbeat__").get_json()["details"]


def test_module_level_checks_run_in_the_heartbeat(app: flask.Flask) -> None:
    Dockerflow(app, silenced_checks=["tests.checks.W002"])
    app.config["DOCKERFLOW_HEARTBEAT_DETAILS"] = "always"

    @checks.register
    def error_check() -> list[checks.CheckMessage]:
        return [checks.Error("some error", id="tests.checks.E001")]

    @checks.register(name="warning-check-two")
    def silenced() -> list[checks.CheckMessage]:
        return [checks.Warning("some warning", id="tests.checks.W002")]

    response = app.test_client().get("/__heartbeat__")
    assert response.status_code == 500
    assert set(response.get_json()["details"]) == {"error_check"}


def test_builtin_checks_are_visible_in_the_module_registry(app: flask.Flask) -> None:
    Dockerflow(app, redis=redis.Redis.from_url(REDIS_URL))
    assert "check_redis_connected" in checks.get_checks()
    assert app.test_client().get("/__heartbeat__").json == {"status": "ok"}


def test_redis_check_called_directly() -> None:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        assert check_redis_connected(client) == []
    finally:
        client.close()
    [message] = check_redis_connected(redis.Redis(port=1, socket_timeout=1))
    assert message.id == health.ERROR_CANNOT_CONNECT_REDIS


def test_querystring_is_logged_decoded(app: flask.Flask, records: Records) -> None:
    app.config["DOCKERFLOW_SUMMARY_LOG_QUERYSTRING"] = True
    Dockerflow(app)
    app.test_client().get("/?x=شكر", headers=HEADERS)
    [record] = summaries(records)
    assert record.querystring == "x=شكر"


def test_a_raising_view_logs_flasks_record_and_ours(
    app: flask.Flask, records: Records
) -> None:
    """As with python-dockerflow: Flask's own ERROR record stays."""
    Dockerflow(app)
    assert app.test_client().get("/boom", headers=HEADERS).status_code == 500
    errors = [(r.name, r.getMessage()) for r in records() if r.levelno == logging.ERROR]
    assert errors == [
        ("request.summary", "exception message"),
        ("upstream_api", "Exception on /boom [GET]"),
    ]
    [summary] = summaries(records)
    assert summary.errno == 500


def test_endpoints_that_differ_on_purpose(app: flask.Flask) -> None:
    Dockerflow(app)
    client = app.test_client()
    assert client.get("/__lbheartbeat__").json == {}
    assert client.get("/__error__").status_code == 404


def test_request_scope_names_on_g(app: flask.Flask, records: Records) -> None:
    Dockerflow(app)
    seen: dict[str, Any] = {}

    @app.after_request
    def look(response: flask.Response) -> flask.Response:
        seen.update(vars(flask.g))
        return response

    app.test_client().get("/", headers=HEADERS)
    assert isinstance(seen["_start_timestamp"], float)
    assert seen["request_id"] == seen["_request_id"]
    [record] = summaries(records)
    assert record.rid == seen["_request_id"]


def test_request_scope_removed_by_the_app(app: flask.Flask, records: Records) -> None:
    Dockerflow(app)

    @app.before_request
    def hostile() -> None:
        del flask.g._request_id
        del flask.g._start_timestamp

    app.test_client().get("/", headers=HEADERS)
    [record] = summaries(records)
    assert record.rid is not None
    assert not hasattr(record, "t")


def test_flask_login_switch_is_patchable(
    app: flask.Flask, records: Records, monkeypatch: pytest.MonkeyPatch
) -> None:
    import flask_login

    class User(flask_login.UserMixin):
        id = 100

    manager = flask_login.LoginManager(app)
    manager.request_loader(lambda request: User())
    app.secret_key = "tests"
    Dockerflow(app)
    monkeypatch.setattr("dockerflow.flask.app.has_flask_login", False)
    app.test_client().get("/", headers=HEADERS)
    [record] = summaries(records)
    assert record.uid == ""


def test_flask_login_user_id_keeps_its_type(app: flask.Flask, records: Records) -> None:
    import flask_login

    class User:
        id = 0
        is_active = True

        def get_id(self) -> int:
            return self.id

        def is_authenticated(self) -> bool:  # Flask-Login before 0.3
            return True

    manager = flask_login.LoginManager(app)
    manager.request_loader(lambda request: User())
    app.secret_key = "tests"
    Dockerflow(app)
    app.test_client().get("/", headers=HEADERS)
    [record] = summaries(records)
    assert record.uid == 0

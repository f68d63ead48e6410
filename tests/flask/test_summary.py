"""request.summary records and request ids, through the Flask test client."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

import flask
import pytest

from dockerflow.logging import request_id_context

from .conftest import MakeApp

Records = Callable[[], list[logging.LogRecord]]


def test_one_info_record_with_the_mozlog_fields(
    app: flask.Flask, summaries: Records
) -> None:
    headers = {
        "User-Agent": "probe/1",
        "Accept-Language": "de",
        "X-Request-ID": "abc-123",
    }
    response = app.test_client().get("/?secret=1", headers=headers)
    assert response.status_code == 200
    [record] = summaries()
    assert record.levelno == logging.INFO
    fields = {
        k: getattr(record, k)
        for k in ("errno", "agent", "lang", "method", "path", "uid")
    }
    assert fields == {
        "errno": 0,
        "agent": "probe/1",
        "lang": "de",
        "method": "GET",
        "path": "/",
        "uid": "",
    }
    assert record.rid == "abc-123"
    assert isinstance(record.t, int) and record.t >= 0
    assert not hasattr(record, "querystring")  # off by default


def test_querystring_when_enabled(make_app: MakeApp, summaries: Records) -> None:
    app, _ = make_app({"DOCKERFLOW_SUMMARY_LOG_QUERYSTRING": True})
    app.test_client().get("/?q=1&r=2")
    app.test_client().get("/")
    first, second = summaries()
    assert first.querystring == "q=1&r=2"
    assert not hasattr(second, "querystring")


def test_error_status_sets_errno(app: flask.Flask, summaries: Records) -> None:
    assert app.test_client().get("/nowhere").status_code == 404
    [record] = summaries()
    assert (record.levelno, record.errno) == (logging.INFO, 404)


def test_failed_heartbeat_logs_its_status_once(
    make_app: MakeApp, summaries: Records
) -> None:
    from dockerflow import checks

    app, dockerflow = make_app()
    dockerflow.check(lambda: [checks.Error("down", id="x.E1")], name="down")
    assert app.test_client().get("/__heartbeat__").status_code == 500
    [record] = summaries()
    assert (record.levelno, record.errno, record.path) == (
        logging.INFO,
        500,
        "/__heartbeat__",
    )


@pytest.mark.parametrize("testing", [False, True])
def test_exception_logged_once_at_error(
    app: flask.Flask, summaries: Records, testing: bool
) -> None:
    # TESTING propagates the exception instead of answering 500: the view
    # still raised, and it is still logged exactly once.
    app.testing = testing
    client = app.test_client()
    if testing:
        with pytest.raises(RuntimeError, match="the view broke"):
            client.get("/boom")
    else:
        assert client.get("/boom").status_code == 500
    [record] = summaries()
    assert record.levelno == logging.ERROR
    assert record.errno == 500
    assert record.path == "/boom"
    assert record.getMessage() == "the view broke"
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError


def test_request_id_is_echoed(app: flask.Flask) -> None:
    response = app.test_client().get("/", headers={"X-Request-ID": "trace.1:2/3"})
    assert response.headers["X-Request-ID"] == "trace.1:2/3"


@pytest.mark.parametrize("given", ["", "has space", "x" * 129, "<script>", "ü"])
def test_unsafe_request_id_is_replaced(
    app: flask.Flask, given: str, summaries: Records
) -> None:
    response = app.test_client().get("/", headers={"X-Request-ID": given})
    echoed = response.headers["X-Request-ID"]
    assert echoed != given
    assert uuid.UUID(echoed).version == 4
    assert summaries()[0].rid == echoed


def test_request_id_generated_when_absent(app: flask.Flask) -> None:
    seen = []

    @app.route("/rid")
    def rid() -> str:
        seen.append((flask.g.request_id, request_id_context.get()))
        return "ok"

    response = app.test_client().get("/rid")
    assert seen == [(response.headers["X-Request-ID"],) * 2]
    assert uuid.UUID(seen[0][0]).version == 4
    assert request_id_context.get() is None  # reset after the request


def test_custom_request_id_header(make_app: MakeApp) -> None:
    app, _ = make_app({"DOCKERFLOW_REQUEST_ID_HEADER_NAME": "X-Amzn-Trace-Id"})
    response = app.test_client().get("/", headers={"X-Amzn-Trace-Id": "Root=1-abc"})
    assert response.headers["X-Amzn-Trace-Id"] == "Root=1-abc"
    assert "X-Request-ID" not in response.headers


def test_request_id_set_by_the_app_is_kept(
    tmp_path: object, summaries: Records
) -> None:
    app = flask.Flask("kept", root_path=str(tmp_path))

    @app.before_request
    def choose() -> None:
        flask.g.request_id = "app-chosen-1"

    @app.route("/")
    def index() -> str:
        return flask.g.request_id

    from dockerflow_flask import Dockerflow

    Dockerflow(app)  # registered after the app's own hook
    response = app.test_client().get("/", headers={"X-Request-ID": "from-header"})
    assert response.data == b"app-chosen-1"
    assert response.headers["X-Request-ID"] == "app-chosen-1"
    assert summaries()[0].rid == "app-chosen-1"


def test_flask_login_user_id(tmp_path: object, summaries: Records) -> None:
    import flask_login

    class User(flask_login.UserMixin):
        def __init__(self, user_id: str) -> None:
            self.id = user_id

    app = flask.Flask("login", root_path=str(tmp_path))
    app.secret_key = "test"
    manager = flask_login.LoginManager(app)
    manager.user_loader(lambda user_id: User(user_id) if user_id == "42" else None)

    @manager.request_loader
    def from_header(request: flask.Request) -> User | None:
        if request.headers.get("X-User") == "broken":
            raise LookupError("user store is down")
        return User(request.headers["X-User"]) if "X-User" in request.headers else None

    @app.route("/")
    def index() -> str:
        return "ok"

    from dockerflow_flask import Dockerflow

    Dockerflow(app)
    client = app.test_client()
    client.get("/", headers={"X-User": "42"})
    client.get("/")
    assert client.get("/", headers={"X-User": "broken"}).status_code == 200
    assert [r.uid for r in summaries()] == ["42", "", ""]


def test_user_id_without_a_login_manager(app: flask.Flask, summaries: Records) -> None:
    app.test_client().get("/")
    assert summaries()[0].uid == ""

"""The three endpoints through the Flask test client: status, JSON, methods, details."""

from __future__ import annotations

import json
from pathlib import Path

import flask
import pytest

from dockerflow import checks
from dockerflow_flask import Dockerflow

from .conftest import MakeApp

PATHS = ["/__version__", "/__heartbeat__", "/__lbheartbeat__"]


def failing(make_app: MakeApp, **config: object) -> tuple[flask.Flask, Dockerflow]:
    app, dockerflow = make_app(config)

    @dockerflow.check
    def storage() -> list[checks.CheckMessage]:
        return [checks.Error("storage at db.internal is down", id="acme.E001")]

    return app, dockerflow


def test_lbheartbeat(app: flask.Flask) -> None:
    response = app.test_client().get("/__lbheartbeat__")
    assert response.status_code == 200
    assert response.get_json() == {}
    assert response.headers["Cache-Control"] == "no-store"
    assert response.mimetype == "application/json"


@pytest.mark.parametrize("path", PATHS)
def test_trailing_slash_is_the_same_endpoint(app: flask.Flask, path: str) -> None:
    client = app.test_client()
    bare, slashed = client.get(path), client.get(path + "/")
    assert slashed.status_code == bare.status_code  # no redirect
    assert slashed.data == bare.data


@pytest.mark.parametrize("path", PATHS)
def test_head_has_status_and_no_body(
    app: flask.Flask, path: str, tmp_path: Path
) -> None:
    (tmp_path / "version.json").write_text('{"version": "1"}')
    response = app.test_client().head(path)
    assert response.status_code == 200
    assert response.data == b""


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
@pytest.mark.parametrize("path", PATHS)
def test_other_methods_get_a_json_405(app: flask.Flask, path: str, method: str) -> None:
    response = app.test_client().open(path, method=method)
    assert response.status_code == 405
    assert response.get_json() == {"error": f"Method {method} not allowed"}
    assert response.headers["Allow"] == "GET, HEAD"


def test_version_served_from_parent_of_root_path(
    app: flask.Flask, tmp_path: Path
) -> None:
    (tmp_path / "version.json").write_text('{"version": "1.2.3", "commit": "abc"}')
    response = app.test_client().get("/__version__")
    assert response.status_code == 200
    assert response.get_json() == {"version": "1.2.3", "commit": "abc"}


def test_version_missing_is_a_json_404_naming_the_file(
    app: flask.Flask, tmp_path: Path
) -> None:
    response = app.test_client().get("/__version__")
    assert response.status_code == 404
    assert response.get_json() == {
        "error": "version.json not found",
        "path": str(tmp_path / "version.json"),
    }


def test_a_missing_version_json_is_named_at_startup(
    make_app: MakeApp, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # One directory above the app's root: a one-file app next to its
    # version.json used to learn that from a bare 404.
    make_app()
    [warning] = [r for r in caplog.records if r.name == "dockerflow.flask"]
    assert warning.levelname == "WARNING"
    assert f"There is no version.json at {tmp_path / 'version.json'}" in (
        warning.getMessage()
    )
    (tmp_path / "version.json").write_text("{}")
    caplog.clear()
    make_app()
    assert [r for r in caplog.records if r.name == "dockerflow.flask"] == []


def test_a_custom_version_callback_404_names_no_file(make_app: MakeApp) -> None:
    app, dockerflow = make_app()
    dockerflow.version_callback(lambda root: None)
    response = app.test_client().get("/__version__")
    assert response.get_json() == {"error": "version.json not found"}


def test_version_broken_is_a_json_500(app: flask.Flask, tmp_path: Path) -> None:
    (tmp_path / "version.json").write_text("{not json")
    response = app.test_client().get("/__version__")
    assert response.status_code == 500
    body = response.get_json()
    assert body["error"] == "version.json is invalid"
    assert "not valid JSON" in body["detail"]


def test_version_path_option(make_app: MakeApp, tmp_path: Path) -> None:
    elsewhere = tmp_path / "deploy"
    elsewhere.mkdir()
    (elsewhere / "version.json").write_text('{"version": "9"}')
    app, _ = make_app(version_path=str(elsewhere))
    assert app.test_client().get("/__version__").get_json() == {"version": "9"}


def test_version_callback(
    app: flask.Flask, dockerflow: Dockerflow, tmp_path: Path
) -> None:
    seen = []

    @dockerflow.version_callback
    def my_version(root: str) -> dict[str, str]:
        seen.append(root)
        return {"version": "from-callback"}

    assert callable(my_version)  # the decorator gives the function back
    assert app.test_client().get("/__version__").get_json() == {
        "version": "from-callback"
    }
    assert seen == [str(tmp_path)]


def test_version_callback_that_raises_is_a_json_500(
    app: flask.Flask, dockerflow: Dockerflow
) -> None:
    @dockerflow.version_callback
    def broken(root: str) -> None:
        raise OSError("disk on fire")

    response = app.test_client().get("/__version__")
    assert response.status_code == 500
    assert response.get_json()["detail"] == "disk on fire"


def test_heartbeat_passes_with_no_checks(app: flask.Flask) -> None:
    response = app.test_client().get("/__heartbeat__")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_warning_passes_error_fails(make_app: MakeApp) -> None:
    app, dockerflow = make_app({"DOCKERFLOW_HEARTBEAT_DETAILS": "always"})

    @dockerflow.check
    def meh() -> list[checks.CheckMessage]:
        return [checks.Warning("slow", id="acme.W001")]

    client = app.test_client()
    response = client.get("/__heartbeat__")
    assert response.status_code == 200
    assert response.get_json()["status"] == "warning"

    @dockerflow.check(name="bad")
    def worse() -> list[checks.CheckMessage]:
        return [checks.Critical("gone", id="acme.C001")]

    response = client.get("/__heartbeat__")
    assert response.status_code == 500
    body = response.get_json()
    assert body["status"] == "critical"
    assert body["checks"] == {"meh": "warning", "bad": "critical"}
    assert body["details"]["bad"]["messages"] == {"acme.C001": "gone"}


def test_anonymous_callers_see_only_the_status(make_app: MakeApp) -> None:
    app, _ = failing(make_app, DOCKERFLOW_HEARTBEAT_TOKEN="s3cret")
    response = app.test_client().get("/__heartbeat__")
    assert response.status_code == 500
    assert response.get_json() == {"status": "error"}
    assert b"db.internal" not in response.data


def test_bearer_token_unlocks_details(make_app: MakeApp) -> None:
    app, _ = failing(make_app, DOCKERFLOW_HEARTBEAT_TOKEN="s3cret")
    client = app.test_client()
    wrong = client.get("/__heartbeat__", headers={"Authorization": "Bearer nope"})
    assert "details" not in wrong.get_json()
    right = client.get("/__heartbeat__", headers={"Authorization": "Bearer s3cret"})
    details = right.get_json()["details"]
    assert details["storage"]["messages"] == {
        "acme.E001": "storage at db.internal is down"
    }


def test_debug_mode_shows_details(make_app: MakeApp) -> None:
    app, _ = failing(make_app)
    app.debug = True
    assert "details" in app.test_client().get("/__heartbeat__").get_json()


@pytest.mark.parametrize(("policy", "shown"), [("always", True), ("never", False)])
def test_detail_policy(make_app: MakeApp, policy: str, shown: bool) -> None:
    app, _ = failing(make_app, DOCKERFLOW_HEARTBEAT_DETAILS=policy)
    app.debug = True  # "never" wins even in debug mode
    body = app.test_client().get("/__heartbeat__").get_json()
    assert ("details" in body) is shown


def test_failed_status_code_is_configurable(make_app: MakeApp) -> None:
    app, _ = failing(make_app, DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE=503)
    response = app.test_client().get("/__heartbeat__")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error"}


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE", 404),
        ("DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE", "oops"),
        ("DOCKERFLOW_HEARTBEAT_DETAILS", "sometimes"),
        ("DOCKERFLOW_CHECK_TIMEOUT", 0),
        ("DOCKERFLOW_CHECK_TIMEOUT", "soon"),
        ("DOCKERFLOW_CHECK_TIMEOUT", 1e10),
        ("DOCKERFLOW_CHECK_TIMEOUT", "1e10"),
        ("DOCKERFLOW_HEARTBEAT_CACHE_SECONDS", -1),
    ],
)
def test_bad_config_fails_at_init(make_app: MakeApp, key: str, value: object) -> None:
    with pytest.raises(ValueError, match=key):
        make_app({key: value})


def test_status_code_from_environment_string(make_app: MakeApp) -> None:
    app, _ = failing(make_app, DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE="503")
    assert app.test_client().get("/__heartbeat__").status_code == 503


def test_defaults_are_set_only_where_unset(make_app: MakeApp) -> None:
    app, _ = make_app({"DOCKERFLOW_CHECK_TIMEOUT": 1.5})
    assert app.config["DOCKERFLOW_CHECK_TIMEOUT"] == 1.5
    assert app.config["DOCKERFLOW_HEARTBEAT_DETAILS"] == "authorized"
    assert app.config["DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE"] == 500
    assert app.config["DOCKERFLOW_REQUEST_ID_HEADER_NAME"] == "X-Request-ID"


def test_app_can_override_the_failure_response(make_app: MakeApp) -> None:
    from dockerflow_flask import HeartbeatFailure

    app, _ = failing(make_app)

    @app.errorhandler(HeartbeatFailure)
    def custom(error: HeartbeatFailure) -> tuple[str, int]:
        return json.dumps({"custom": True}), 503

    response = app.test_client().get("/__heartbeat__")
    assert (response.status_code, response.get_json(force=True)) == (
        503,
        {"custom": True},
    )


def test_url_for_names_the_endpoints(app: flask.Flask) -> None:
    with app.test_request_context():
        assert flask.url_for("dockerflow.heartbeat") == "/__heartbeat__"
        assert flask.url_for("dockerflow.version") == "/__version__"
        assert flask.url_for("dockerflow.lbheartbeat") == "/__lbheartbeat__"

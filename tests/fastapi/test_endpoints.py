"""The Dockerflow endpoints on FastAPI answer as on every other framework:
strict JSON from each, HEAD without a body, a JSON 405, details hidden from
anonymous callers unless a token or the setting shows them."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dockerflow import checks
from dockerflow_fastapi import views

from .conftest import MakeClient, make_app


def test_lbheartbeat_answers_200_with_an_empty_json_object(client) -> None:
    response = client.get("/__lbheartbeat__")
    assert response.status_code == 200
    assert response.json() == {}
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "path", ["/__lbheartbeat__", "/__heartbeat__/", "/__version__/"]
)
def test_each_endpoint_answers_with_and_without_the_trailing_slash(
    client, tmp_path: Path, path: str
) -> None:
    (tmp_path / "version.json").write_text('{"version": "1"}')
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 200


def test_head_gets_the_status_and_no_body(client) -> None:
    @checks.register
    def failing() -> list:
        return [checks.Error("down", id="x.E001")]

    response = client.head("/__heartbeat__")
    assert response.status_code == 500
    assert response.content == b""


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
@pytest.mark.parametrize("path", ["/__version__", "/__heartbeat__", "/__lbheartbeat__"])
def test_other_methods_get_a_json_405(client, method: str, path: str) -> None:
    response = client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert response.json() == {"error": f"Method {method} not allowed"}


def test_version_reads_version_json_from_app_state_app_dir(client, tmp_path) -> None:
    (tmp_path / "version.json").write_text('{"commit": "abc", "version": "1.2"}')
    response = client.get("/__version__")
    assert response.status_code == 200
    assert response.json() == {"commit": "abc", "version": "1.2"}


def test_version_missing_is_a_json_404_naming_the_file(client, tmp_path) -> None:
    response = client.get("/__version__")
    assert response.status_code == 404
    assert response.json() == {
        "error": "version.json not found",
        "path": str(tmp_path / "version.json"),
    }


def test_an_invalid_version_json_is_a_json_500(client, tmp_path) -> None:
    (tmp_path / "version.json").write_text("{not json")
    response = client.get("/__version__")
    assert response.status_code == 500
    assert response.json()["error"] == "version.json is invalid"


def test_a_replaced_get_version_is_called_with_the_folder(
    client, tmp_path, monkeypatch
) -> None:
    seen = []
    monkeypatch.setattr(
        views, "get_version", lambda root: seen.append(root) or {"v": 1}
    )
    assert client.get("/__version__").json() == {"v": 1}
    assert seen == [str(tmp_path)]


def test_heartbeat_hides_details_from_anonymous_callers(client) -> None:
    @checks.register
    def failing() -> list:
        return [checks.Error("db01.internal refused", id="x.E001")]

    response = client.get("/__heartbeat__")
    assert response.status_code == 500
    assert response.json() == {"status": "error"}
    assert "db01" not in response.text


def test_the_token_shows_details(make_client: MakeClient) -> None:
    client = make_client(DOCKERFLOW_HEARTBEAT_TOKEN="s3cret")

    @checks.register
    def failing() -> list:
        return [checks.Error("BOOM", id="x.E001")]

    body = client.get(
        "/__heartbeat__", headers={"Authorization": "Bearer s3cret"}
    ).json()
    assert body["details"] == {
        "failing": {"level": 40, "messages": {"x.E001": "BOOM"}, "status": "error"}
    }
    wrong = client.get("/__heartbeat__", headers={"Authorization": "Bearer nope"})
    assert wrong.json() == {"status": "error"}


def test_the_environment_configures_the_app(
    make_client: MakeClient, monkeypatch
) -> None:
    monkeypatch.setenv("DOCKERFLOW_HEARTBEAT_DETAILS", "always")
    monkeypatch.setenv("DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE", "503")
    client = make_client()

    @checks.register
    async def failing() -> list:
        return [checks.Error("BOOM", id="x.E001")]

    response = client.get("/__heartbeat__")
    assert response.status_code == 503
    assert response.json()["checks"] == {"failing": "error"}


def test_app_state_wins_over_the_environment(
    make_client: MakeClient, monkeypatch
) -> None:
    monkeypatch.setenv("DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE", "503")
    client = make_client(DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE=500)

    @checks.register
    def failing() -> list:
        return [checks.Error("BOOM", id="x.E001")]

    assert client.get("/__heartbeat__").status_code == 500


def test_sync_and_async_checks_run_concurrently_under_the_timeout(
    make_client: MakeClient,
) -> None:
    client = make_client(
        DOCKERFLOW_HEARTBEAT_DETAILS="always", DOCKERFLOW_CHECK_TIMEOUT=1
    )

    @checks.register
    def slow_sync() -> list:
        time.sleep(0.5)
        return []

    @checks.register
    async def slow_async() -> list:
        await asyncio.sleep(0.5)
        return []

    @checks.register
    async def hung() -> list:
        await asyncio.sleep(60)
        return []

    started = time.monotonic()
    body = client.get("/__heartbeat__").json()
    # Generous: run one after the other they would take 61 s.
    assert time.monotonic() - started < 10
    assert body["checks"] == {"slow_sync": "ok", "slow_async": "ok", "hung": "error"}


def test_a_cached_run_is_reused(make_client: MakeClient) -> None:
    client = make_client(DOCKERFLOW_HEARTBEAT_CACHE_SECONDS=60)
    runs = []

    @checks.register
    def counted() -> list:
        runs.append(1)
        return []

    for _ in range(3):
        assert client.get("/__heartbeat__").status_code == 200
    assert runs == [1]


def test_receivers_hear_whether_the_heartbeat_passed(client) -> None:
    heard = []

    async def receiver(passed, result) -> None:
        heard.append((passed, result.level))

    views.heartbeat_receivers.append(receiver)

    @checks.register
    def failing() -> list:
        return [checks.Error("BOOM", id="x.E001")]

    client.get("/__heartbeat__")
    assert heard == [(False, 40)]


def test_a_failing_receiver_does_not_fail_the_heartbeat(client) -> None:
    def receiver(passed, result) -> None:
        raise RuntimeError("receiver broke")

    views.heartbeat_receivers.append(receiver)
    assert client.get("/__heartbeat__").status_code == 200


def test_error_endpoint_is_a_404_unless_switched_on(make_client: MakeClient) -> None:
    assert make_client().get("/__error__").status_code == 404
    client = make_client(DOCKERFLOW_ERROR_ENDPOINT=True, DOCKERFLOW_HEARTBEAT_TOKEN="t")
    assert client.get("/__error__").status_code == 404
    response = client.get("/__error__", headers={"Authorization": "Bearer t"})
    assert response.status_code == 500


def test_every_reply_is_strict_json(client, tmp_path) -> None:
    (tmp_path / "version.json").write_text('{"version": "1"}')
    for path in ("/__version__", "/__heartbeat__", "/__lbheartbeat__"):
        response = client.get(path)
        json.loads(response.content)
        assert response.headers["content-type"] == "application/json"


def test_the_redis_and_database_checks_ping_real_services(
    make_client: MakeClient,
) -> None:
    import redis
    import redis.asyncio
    import sqlalchemy

    from dockerflow_fastapi import checks as fastapi_checks
    from tests.services import POSTGRES_URL, REDIS_URL, refused_port

    url = POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = sqlalchemy.create_engine(url)
    fastapi_checks.register_database(engine)
    engine_redis = redis.asyncio.Redis.from_url(REDIS_URL)
    fastapi_checks.register_redis(engine_redis)
    client = make_client(DOCKERFLOW_HEARTBEAT_DETAILS="always")
    # One event loop for the whole block, as under a server.
    with client:
        assert client.get("/__heartbeat__").json()["checks"] == {
            "check_database_connected": "ok",
            "check_redis_connected": "ok",
        }
        client.portal.call(engine_redis.aclose)  # type: ignore[union-attr]
    engine.dispose()
    checks.clear_checks()
    down = redis.Redis.from_url(f"redis://127.0.0.1:{refused_port()}/0")
    fastapi_checks.register_redis(down)
    body = client.get("/__heartbeat__").json()
    assert list(body["details"]["check_redis_connected"]["messages"]) == [
        "dockerflow.health.E004"
    ]


def test_a_setting_changed_on_app_state_is_read_again(
    make_client: MakeClient, monkeypatch
) -> None:
    from dockerflow_fastapi import conf

    client = make_client()

    @checks.register
    def failing() -> list:
        return [checks.Error("BOOM", id="x.E001")]

    assert client.get("/__heartbeat__").status_code == 500
    client.app.state.DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE = 503  # type: ignore[attr-defined]
    # Kept for a second: the same answer until then.
    assert client.get("/__heartbeat__").status_code == 500
    monkeypatch.setattr(conf, "REREAD_SECONDS", 0.0)
    assert client.get("/__heartbeat__").status_code == 503


def test_a_bad_setting_stops_the_app_from_starting(make_client: MakeClient) -> None:
    from dockerflow_fastapi import RequestIdMiddleware

    app = make_client(DOCKERFLOW_CHECK_TIMEOUT="soon").app
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "lifespan.startup"}

    async def send(message: dict) -> None:
        sent.append(message)

    async def never(*args: object) -> None:
        raise AssertionError("the app must not start")

    middleware = RequestIdMiddleware(never)
    asyncio.run(middleware({"type": "lifespan", "app": app}, receive, send))
    assert sent == [
        {
            "type": "lifespan.startup.failed",
            "message": "DOCKERFLOW_CHECK_TIMEOUT is not a number: 'soon'",
        }
    ]


def test_startup_warns_naming_the_version_file_it_looked_for(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(APP_DIR=str(tmp_path))
    with caplog.at_level(logging.WARNING, "dockerflow.fastapi"), TestClient(app):
        pass
    [warning] = [r for r in caplog.records if r.name == "dockerflow.fastapi"]
    assert str(tmp_path / "version.json") in warning.getMessage()
    caplog.clear()
    (tmp_path / "version.json").write_text("{}")
    with caplog.at_level(logging.WARNING, "dockerflow.fastapi"), TestClient(app):
        pass
    assert not [r for r in caplog.records if r.name == "dockerflow.fastapi"]

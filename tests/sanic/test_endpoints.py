"""The three endpoints of the Sanic extension: status codes, JSON, HEAD, 405.

Also the config keys that shape them and the version callback.
"""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
from sanic import Sanic

from dockerflow.version import get_version_async
from dockerflow_sanic import Dockerflow

from .conftest import MakeApp

pytestmark = pytest.mark.asyncio

VERSION = {"source": "https://github.com/acme/app", "version": "1.2.3", "commit": "abc"}


async def get(app: Sanic, path: str, method: str = "get", **kwargs: Any) -> Any:
    _, response = await getattr(app.asgi_client, method)(path, **kwargs)
    return response


@pytest.mark.parametrize("path", ["/__version__", "/__version__/"])
async def test_version_served(app: Sanic, tmp_path: Path, path: str) -> None:
    (tmp_path / "version.json").write_text(json.dumps(VERSION))
    response = await get(app, path)
    assert response.status == 200
    assert response.json == VERSION
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"


async def test_version_missing_is_json_404_naming_the_file(
    app: Sanic, tmp_path: Path
) -> None:
    response = await get(app, "/__version__")
    assert response.status == 404
    assert response.json == {
        "error": "version.json not found",
        "path": str(tmp_path / "version.json"),
    }


async def test_a_missing_version_json_is_named_at_startup(
    make_app: MakeApp, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app, _ = make_app()
    await get(app, "/__lbheartbeat__")  # the server starts
    [warning] = [r for r in caplog.records if r.name == "dockerflow.sanic"]
    assert warning.levelname == "WARNING"
    assert f"There is no version.json at {tmp_path / 'version.json'}" in (
        warning.getMessage()
    )


async def test_the_default_version_path_is_named_absolute(
    make_app: MakeApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app, _ = make_app(version_path=".")
    response = await get(app, "/__version__")
    assert response.json["path"] == str(tmp_path / "version.json")


async def test_version_invalid_is_json_500(app: Sanic, tmp_path: Path) -> None:
    (tmp_path / "version.json").write_text("[1, 2")
    response = await get(app, "/__version__")
    assert response.status == 500
    assert response.json["error"] == "version.json is invalid"
    assert "not valid JSON" in response.json["detail"]


async def test_default_version_reader_is_the_async_one() -> None:
    assert Dockerflow()._version_callback is get_version_async


async def test_async_version_callback(
    app_and_dockerflow: tuple[Sanic, Dockerflow], tmp_path: Path
) -> None:
    app, dockerflow = app_and_dockerflow

    @dockerflow.version_callback
    async def version(root: str) -> dict[str, Any]:
        await asyncio.sleep(0)
        return {"root": root}

    assert version.__name__ == "version"  # the decorator keeps the function
    assert (await get(app, "/__version__")).json == {"root": str(tmp_path)}


async def test_sync_version_callback_runs_off_the_loop(
    app_and_dockerflow: tuple[Sanic, Dockerflow],
) -> None:
    app, dockerflow = app_and_dockerflow
    unblocked = threading.Event()

    @dockerflow.version_callback
    def version(root: str) -> dict[str, Any]:
        # Only a coroutine on the loop can set this: were the callback run
        # on the loop, it would wait out the full second and fail.
        return {"loop_was_free": unblocked.wait(timeout=1)}

    async def unblock() -> None:
        await asyncio.sleep(0.05)
        unblocked.set()

    response, _ = await asyncio.gather(get(app, "/__version__"), unblock())
    assert response.json == {"loop_was_free": True}


async def test_version_callback_error_is_json_500(
    app_and_dockerflow: tuple[Sanic, Dockerflow],
) -> None:
    app, dockerflow = app_and_dockerflow

    @dockerflow.version_callback
    def version(root: str) -> None:
        raise OSError("disk on fire")

    response = await get(app, "/__version__")
    assert response.status == 500
    assert response.json["detail"] == "disk on fire"


@pytest.mark.parametrize("path", ["/__lbheartbeat__", "/__lbheartbeat__/"])
async def test_lbheartbeat(app: Sanic, path: str) -> None:
    response = await get(app, path)
    assert response.status == 200
    assert response.json == {}


@pytest.mark.parametrize("path", ["/__version__", "/__heartbeat__", "/__lbheartbeat__"])
async def test_head_has_status_and_no_body(app: Sanic, path: str) -> None:
    response = await get(app, path, "head")
    assert response.status == (404 if path == "/__version__" else 200)
    assert response.body == b""
    assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
@pytest.mark.parametrize(
    "path", ["/__version__", "/__heartbeat__/", "/__lbheartbeat__"]
)
async def test_other_methods_get_json_405(app: Sanic, path: str, method: str) -> None:
    response = await get(app, path, method)
    assert response.status == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert response.json == {"error": f"Method {method.upper()} not allowed"}


async def test_routes_are_named(app: Sanic) -> None:
    assert app.url_for("dockerflow.version") == "/__version__"
    assert app.url_for("dockerflow.heartbeat") == "/__heartbeat__"
    assert app.url_for("dockerflow.lbheartbeat") == "/__lbheartbeat__"


async def test_config_defaults_fill_only_unset_keys(make_app: MakeApp) -> None:
    app, _ = make_app({"DOCKERFLOW_HEARTBEAT_DETAILS": "never"})
    assert app.config.DOCKERFLOW_HEARTBEAT_DETAILS == "never"
    assert app.config.DOCKERFLOW_CHECK_TIMEOUT == 3.0
    assert app.config.DOCKERFLOW_REQUEST_ID_HEADER_NAME == "X-Request-ID"
    assert app.config.DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE == 500


async def test_factory_pattern_init_app(tmp_path: Path) -> None:
    dockerflow = Dockerflow(version_path=str(tmp_path))
    app = Sanic(f"sanic_factory_{uuid.uuid4().hex}")
    dockerflow.init_app(app)
    assert app.ctx.dockerflow is dockerflow
    assert "DOCKERFLOW_HEARTBEAT_TOKEN" in app.config
    assert (await get(app, "/__lbheartbeat__")).status == 200

"""The Sanic extension exactly as python-dockerflow 2026.x users set it up and test it.

Checks registered on the module-level registry and cleared between tests,
``dockerflow.sanic`` import paths, and the ``request.ctx`` names their tests
read.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sanic import Request, Sanic, response

import dockerflow.checks.registry
from dockerflow import checks
from dockerflow.sanic import Dockerflow
from dockerflow.sanic.checks import Error, check_redis_connected

pytestmark = pytest.mark.asyncio

ADAPTER = "needs adapter refactor: "
HEADERS = {"User-Agent": "dockerflow/tests", "Accept-Language": "tlh"}
Summaries = Callable[[], list[Any]]


@pytest.fixture(autouse=True)
def _clear_the_registry_as_users_do() -> Iterator[None]:
    yield
    dockerflow.checks.registry.clear_checks()


@pytest.fixture
def app() -> Sanic:
    app = Sanic(f"upstream_api_{uuid.uuid4().hex}")

    @app.route("/")
    async def root(request: Request) -> Any:
        return response.raw(b"")

    @app.route("/exception")
    async def exception_raiser(request: Request) -> Any:
        raise ValueError("exception message")

    return app


@pytest.fixture
def summaries(caplog: pytest.LogCaptureFixture) -> Summaries:
    caplog.set_level(logging.INFO, logger="request.summary")
    return lambda: [r for r in caplog.records if r.name == "request.summary"]


async def test_seed_import_paths() -> None:
    assert Error is checks.Error
    assert callable(check_redis_connected)


async def test_routes_only_once_an_app_is_given(app: Sanic) -> None:
    Dockerflow()
    assert ("__heartbeat__",) not in app.router.routes_all
    Dockerflow(app)
    assert ("__heartbeat__",) in app.router.routes_all


async def test_async_version_callback(app: Sanic) -> None:
    extension = Dockerflow(app)

    @extension.version_callback
    async def version(path: str) -> dict[str, str]:
        return {"version": "1.0"}

    _, answer = await app.asgi_client.get("/__version__")
    assert (answer.status, answer.json) == (200, {"version": "1.0"})


async def test_legacy_extension_registry(app: Sanic) -> None:
    app.config.DOCKERFLOW_HEARTBEAT_DETAILS = "always"
    extension = Dockerflow(app)

    def partial_check(obj: Any) -> list[checks.CheckMessage]:
        return [checks.Error(repr(obj), id="tests.checks.E001")]

    extension.init_check(partial_check, ("foo", "bar"))
    _, answer = await app.asgi_client.get("/__heartbeat__")
    assert answer.status == 500
    assert "('foo', 'bar')" in str(answer.json["details"]["partial_check"])


async def test_endpoints_that_differ_on_purpose(app: Sanic) -> None:
    Dockerflow(app)
    _, lbheartbeat = await app.asgi_client.get("/__lbheartbeat__")
    assert (lbheartbeat.status, lbheartbeat.body) == (200, b"{}")
    _, error = await app.asgi_client.get("/__error__")
    assert error.status == 404


async def test_querystring_is_logged_decoded(app: Sanic, summaries: Summaries) -> None:
    app.config.DOCKERFLOW_SUMMARY_LOG_QUERYSTRING = True
    Dockerflow(app)
    await app.asgi_client.get("/?x=%D8%B4%D9%83%D8%B1", headers=HEADERS)
    [record] = summaries()
    assert record.querystring == "x=شكر"


async def test_a_raising_view_is_one_error_record(
    app: Sanic, summaries: Summaries
) -> None:
    Dockerflow(app)
    request, _ = await app.asgi_client.get("/exception", headers=HEADERS)
    [record] = summaries()
    assert (record.levelno, record.errno, record.path) == (
        logging.ERROR,
        500,
        "/exception",
    )
    assert record.getMessage() == "exception message"
    assert record.rid == request.ctx.id


async def test_module_level_checks_run_in_the_heartbeat(app: Sanic) -> None:
    Dockerflow(app, silenced_checks=["tests.checks.E001"])
    app.config.DOCKERFLOW_HEARTBEAT_DETAILS = "always"

    @checks.register
    def error_check() -> list[checks.CheckMessage]:
        return [checks.Error("some error", id="tests.checks.E001")]

    @checks.register(name="warning-check-two")
    async def warning_check() -> list[checks.CheckMessage]:
        return [checks.Warning("some warning", id="tests.checks.W001")]

    _, answer = await app.asgi_client.get("/__heartbeat__")
    assert (answer.status, answer.json["status"]) == (200, "warning")
    assert set(answer.json["details"]) == {"warning-check-two"}


async def test_builtin_redis_check_is_in_the_module_registry(app: Sanic) -> None:
    import redis.asyncio

    from tests.services import REDIS_URL

    Dockerflow(app, redis=redis.asyncio.Redis.from_url(REDIS_URL))
    assert "check_redis_connected" in checks.get_checks()


async def test_request_scope_names_on_ctx(app: Sanic, summaries: Summaries) -> None:
    Dockerflow(app)
    request, _ = await app.asgi_client.get("/", headers=HEADERS)
    assert isinstance(request.ctx.start_timestamp, float)
    [record] = summaries()
    assert record.rid == request.ctx.id


async def test_request_scope_removed_by_the_app(
    app: Sanic, summaries: Summaries
) -> None:
    Dockerflow(app)

    @app.on_request
    async def hostile(request: Request) -> None:
        del request.ctx.id
        del request.ctx.start_timestamp

    await app.asgi_client.get("/", headers={"X-Request-ID": "tracked", **HEADERS})
    [record] = summaries()
    assert (record.errno, record.rid) == (0, "tracked")
    assert not hasattr(record, "t")

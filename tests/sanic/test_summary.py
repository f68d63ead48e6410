"""request.summary from the Sanic extension: one record per request, request ids.

Covers the exception, unknown-URL and app-handled-exception cases, and that
the app's own exception handlers and middleware keep working.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sanic import Request, Sanic, response

from dockerflow.logging import request_id_context
from dockerflow_sanic import Dockerflow

from .conftest import MakeApp

pytestmark = pytest.mark.asyncio

Summaries = Callable[[], list[logging.LogRecord]]


async def get(app: Sanic, path: str, **kwargs: Any) -> tuple[Request, Any]:
    return await app.asgi_client.get(path, **kwargs)


async def test_one_info_record_per_request(app: Sanic, summaries: Summaries) -> None:
    headers = {"User-Agent": "tester/1.0", "Accept-Language": "fr"}
    request, resp = await get(app, "/?secret=1", headers=headers)
    assert resp.status == 200
    [record] = summaries()
    assert record.levelno == logging.INFO
    assert record.errno == 0  # type: ignore[attr-defined]
    assert record.method == "GET"  # type: ignore[attr-defined]
    assert record.path == "/"  # type: ignore[attr-defined]
    assert record.agent == "tester/1.0"  # type: ignore[attr-defined]
    assert record.lang == "fr"  # type: ignore[attr-defined]
    assert record.rid == request.ctx.id  # type: ignore[attr-defined]
    assert isinstance(record.t, int) and record.t >= 0  # type: ignore[attr-defined]
    assert not hasattr(record, "querystring")


async def test_querystring_logged_when_enabled(
    make_app: MakeApp, summaries: Summaries
) -> None:
    app, _ = make_app({"DOCKERFLOW_SUMMARY_LOG_QUERYSTRING": True})
    await get(app, "/?a=1&b=2")
    assert summaries()[0].querystring == "a=1&b=2"  # type: ignore[attr-defined]


async def test_view_exception_logged_once_at_error(
    app: Sanic, summaries: Summaries
) -> None:
    _, resp = await get(app, "/boom")
    assert resp.status == 500
    [record] = summaries()
    assert record.levelno == logging.ERROR
    assert record.errno == 500  # type: ignore[attr-defined]
    assert record.getMessage() == "the view broke"
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError


async def test_unknown_url_is_a_404_not_a_500(app: Sanic, summaries: Summaries) -> None:
    _, resp = await get(app, "/no/such/page")
    assert resp.status == 404
    [record] = summaries()
    assert record.levelno == logging.INFO
    assert record.errno == 404  # type: ignore[attr-defined]
    assert record.exc_info is None
    assert record.rid  # type: ignore[attr-defined]


async def test_app_exception_handler_still_answers(
    app: Sanic, summaries: Summaries
) -> None:
    _, resp = await get(app, "/teapot")
    assert resp.status == 418
    assert resp.json == {"teapot": "short and stout"}
    [record] = summaries()
    # The app handled it: a client error, not a server error.
    assert record.levelno == logging.INFO
    assert record.errno == 418  # type: ignore[attr-defined]


async def test_app_handler_answering_500_is_still_an_error(
    make_app: MakeApp, summaries: Summaries
) -> None:
    app, _ = make_app()

    @app.exception(KeyError)
    async def on_key_error(request: Request, exc: Exception) -> Any:
        return response.json({"missing": True}, status=500)

    @app.get("/lookup")
    async def lookup(request: Request) -> Any:
        return {}["nope"]

    _, resp = await get(app, "/lookup")
    assert resp.json == {"missing": True}
    [record] = summaries()
    assert record.levelno == logging.ERROR
    assert record.errno == 500  # type: ignore[attr-defined]


async def test_request_id_is_echoed(app: Sanic, summaries: Summaries) -> None:
    request, resp = await get(app, "/", headers={"X-Request-ID": "trace-42"})
    assert request.ctx.id == "trace-42"
    assert resp.headers["x-request-id"] == "trace-42"
    assert summaries()[0].rid == "trace-42"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "sent", ["", "has spaces", "x" * 129, "new\\nline", "<script>"]
)
async def test_unsafe_request_id_is_replaced(app: Sanic, sent: str) -> None:
    request, resp = await get(app, "/", headers={"X-Request-ID": sent})
    rid = resp.headers["x-request-id"]
    assert rid != sent
    assert str(uuid.UUID(rid)) == rid
    assert request.ctx.id == rid


async def test_request_id_generated_and_on_errors_too(app: Sanic) -> None:
    _, first = await get(app, "/")
    _, second = await get(app, "/boom")
    _, third = await get(app, "/missing")
    rids = {r.headers["x-request-id"] for r in (first, second, third)}
    assert len(rids) == 3


async def test_custom_request_id_header(
    make_app: MakeApp, summaries: Summaries
) -> None:
    app, _ = make_app({"DOCKERFLOW_REQUEST_ID_HEADER_NAME": "X-Trace"})
    _, resp = await get(app, "/", headers={"X-Trace": "abc", "X-Request-ID": "other"})
    assert resp.headers["x-trace"] == "abc"
    assert summaries()[0].rid == "abc"  # type: ignore[attr-defined]


async def test_extension_middleware_wraps_the_apps(
    tmp_path: Any, summaries: Summaries
) -> None:
    app = Sanic(f"sanic_rid_{uuid.uuid4().hex}")
    seen: dict[str, Any] = {}

    @app.on_request
    async def app_middleware(request: Request) -> None:
        # Registered before the extension, yet it already sees the id.
        seen["ctx_in_middleware"] = getattr(request.ctx, "id", None)

    @app.on_response
    async def app_response_middleware(request: Request, resp: Any) -> None:
        resp.status = 503  # the summary must log the final status

    @app.get("/rid")
    async def rid(request: Request) -> Any:
        seen["context"] = request_id_context.get()
        return response.text("ok")

    Dockerflow(app, version_path=str(tmp_path))
    _, resp = await get(app, "/rid", headers={"X-Request-ID": "ctx-1"})
    assert resp.status == 503
    assert summaries()[0].errno == 503  # type: ignore[attr-defined]
    assert seen == {"ctx_in_middleware": "ctx-1", "context": "ctx-1"}
    assert request_id_context.get() is None


async def test_summary_extra_can_be_extended(
    tmp_path: Any, summaries: Summaries
) -> None:
    class WithUser(Dockerflow):
        def summary_extra(self, request: Request) -> dict[str, Any]:
            extra = super().summary_extra(request)
            extra["uid"] = request.headers.get("X-User", "")
            return extra

    app = Sanic(f"sanic_extra_{uuid.uuid4().hex}")
    WithUser(app, version_path=str(tmp_path))
    await get(app, "/__lbheartbeat__", headers={"X-User": "alice"})
    assert summaries()[0].uid == "alice"  # type: ignore[attr-defined]


async def test_dockerflow_endpoints_are_summarised_too(
    app: Sanic, summaries: Summaries
) -> None:
    await get(app, "/__version__")
    await get(app, "/__heartbeat__")
    assert [(r.path, r.errno) for r in summaries()] == [  # type: ignore[attr-defined]
        ("/__version__", 404),
        ("/__heartbeat__", 0),
    ]

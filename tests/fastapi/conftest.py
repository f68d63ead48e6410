"""Fixtures for the FastAPI adapter tests: a fresh app per test, set up as
docs/fastapi.rst says, served through Starlette's TestClient."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from dockerflow import checks
from dockerflow_fastapi import MozlogRequestSummaryLogger, RequestIdMiddleware, router
from dockerflow_fastapi import views as fastapi_views

MakeClient = Callable[..., TestClient]


class Teapot(Exception):
    """Raised by a view; the app's own exception handler answers 418."""


def make_app(version_dir: Path | None = None, **state: Any) -> FastAPI:
    app = FastAPI()
    app.include_router(router)
    app.add_middleware(MozlogRequestSummaryLogger)
    app.add_middleware(RequestIdMiddleware)
    if version_dir is not None:
        app.state.APP_DIR = str(version_dir)
    for key, value in state.items():
        setattr(app.state, key, value)

    @app.get("/")
    def index() -> dict[str, str]:
        return {"hello": "world"}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("the view broke")

    @app.get("/teapot")
    async def teapot() -> None:
        raise Teapot("short and stout")

    @app.exception_handler(Teapot)
    async def on_teapot(request: Any, exc: Teapot) -> Any:
        from fastapi.responses import JSONResponse

        return JSONResponse({"teapot": str(exc)}, status_code=418)

    return app


@pytest.fixture(autouse=True)
def _no_checks() -> Iterator[None]:
    """Each test registers its own checks and receivers."""
    checks.clear_checks()
    yield
    checks.clear_checks()
    fastapi_views.heartbeat_receivers.clear()


@pytest.fixture
def make_client(tmp_path: Path) -> MakeClient:
    def make(raise_server_exceptions: bool = False, **state: Any) -> TestClient:
        app = make_app(tmp_path, **state)
        return TestClient(app, raise_server_exceptions=raise_server_exceptions)

    return make


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    return make_client()

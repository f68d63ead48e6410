"""Fixtures for the Sanic extension tests: a fresh, uniquely named app per test.

Requests go through sanic-testing's ASGI client, which runs the app's
startup listeners (sanic-redis connects there) on the test's own loop.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sanic import Sanic, response

from dockerflow_sanic import Dockerflow

MakeApp = Callable[..., tuple[Sanic, Dockerflow]]


class Teapot(Exception):
    """Raised by a view; the app's own exception handler answers 418."""


@pytest.fixture
def make_app(tmp_path: Path) -> MakeApp:
    def make(
        config: dict[str, Any] | None = None, **options: Any
    ) -> tuple[Sanic, Dockerflow]:
        # Sanic keeps a registry of app names per process.
        app = Sanic(f"sanic_test_{uuid.uuid4().hex}")
        app.config.update(config or {})

        @app.get("/")
        async def index(request: Any) -> Any:
            return response.text("hello")

        @app.get("/boom")
        async def boom(request: Any) -> Any:
            raise RuntimeError("the view broke")

        @app.get("/teapot")
        async def teapot(request: Any) -> Any:
            raise Teapot("short and stout")

        @app.exception(Teapot)
        async def on_teapot(request: Any, exc: Exception) -> Any:
            return response.json({"teapot": str(exc)}, status=418)

        options.setdefault("version_path", str(tmp_path))
        return app, Dockerflow(app, **options)

    return make


@pytest.fixture
def app_and_dockerflow(make_app: MakeApp) -> tuple[Sanic, Dockerflow]:
    return make_app()


@pytest.fixture
def app(app_and_dockerflow: tuple[Sanic, Dockerflow]) -> Sanic:
    return app_and_dockerflow[0]


@pytest.fixture
def dockerflow(app_and_dockerflow: tuple[Sanic, Dockerflow]) -> Dockerflow:
    return app_and_dockerflow[1]

"""Fixtures for the Flask extension tests: a fresh app per test, and its records.

Each app gets its own ``Dockerflow`` and a root path in ``tmp_path``, so
``version.json`` lives in ``tmp_path`` itself.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import flask
import pytest

from dockerflow_flask import Dockerflow

MakeApp = Callable[..., tuple[flask.Flask, Dockerflow]]


@pytest.fixture
def make_app(tmp_path: Path) -> MakeApp:
    def make(
        config: dict[str, Any] | None = None, **options: Any
    ) -> tuple[flask.Flask, Dockerflow]:
        app = flask.Flask("flask_test_app", root_path=str(tmp_path / "app"))
        app.config.update(config or {})

        @app.route("/")
        def index() -> str:
            return "hello"

        @app.route("/boom")
        def boom() -> str:
            raise RuntimeError("the view broke")

        return app, Dockerflow(app, **options)

    return make


@pytest.fixture
def app(make_app: MakeApp) -> flask.Flask:
    return make_app()[0]


@pytest.fixture
def dockerflow(app: flask.Flask) -> Dockerflow:
    return app.extensions["dockerflow"].extension

"""The one endpoint table: every adapter reads it, and nothing else spells a path.

Each row's flow is checked through :class:`~dockerflow.flows.EndpointRequest`,
the one protocol between an adapter and the core, sync and async alike.
"""

from __future__ import annotations

import ast
import asyncio
import logging
import re
from pathlib import Path
from typing import Any

import pytest

from dockerflow import endpoints, flows
from dockerflow.checks import Error, HeartbeatEngine, HeartbeatResult
from dockerflow.details import Caller
from dockerflow.endpoints import ENDPOINTS, ERROR, HEARTBEAT, LBHEARTBEAT, VERSION
from dockerflow.options import Options
from dockerflow.scope import RequestScope

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("dockerflow", "dockerflow_flask", "dockerflow_sanic")


def test_every_endpoint_is_a_row_with_its_two_paths() -> None:
    assert [row.path for row in ENDPOINTS] == [
        "/__version__",
        "/__heartbeat__",
        "/__lbheartbeat__",
        "/__error__",
    ]
    for row in ENDPOINTS:
        assert row.paths == (row.path, row.path + "/")
        assert endpoints.endpoint_at(row.path + "/") is row
        assert endpoints.endpoint_for(row.path) == row.name
    assert {p for row in ENDPOINTS for p in row.paths} == endpoints.PATHS
    assert endpoints.endpoint_at("/__heartbeat__x") is None


def test_the_probes_are_the_rows_that_say_so() -> None:
    assert {row.name for row in ENDPOINTS if row.probe} == {
        "version",
        "heartbeat",
        "lbheartbeat",
    }
    assert {
        p for row in ENDPOINTS if row.probe for p in row.paths
    } == endpoints.PROBE_PATHS
    assert not ERROR.probe


@pytest.mark.parametrize("row", ENDPOINTS, ids=lambda row: row.name)
def test_skip_probes_reads_the_probe_column(
    row: endpoints.Endpoint, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="request.summary")
    scope = RequestScope()
    try:
        scope.summary(scope.fields(method="GET", path=row.path), skip_probes=True)
    finally:
        scope.close()
    logged = [r for r in caplog.records if r.name == "request.summary"]
    assert len(logged) == (0 if row.probe else 1)


def _path_literals(source: str) -> list[str]:
    """The string constants of ``source`` that spell an endpoint's path (a
    slash or a regex anchor before ``__name__``), docstrings left out."""
    names = "|".join(re.escape(row.name) for row in ENDPOINTS)
    spelled = re.compile(rf"[/^]__(?:{names})__")
    tree = ast.parse(source)
    prose = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in prose
        and spelled.search(node.value)
    ]


def test_a_path_is_spelled_once_in_the_packages() -> None:
    found: dict[str, list[str]] = {}
    for package in PACKAGES:
        for module in sorted((ROOT / package).rglob("*.py")):
            literals = _path_literals(module.read_text(encoding="utf-8"))
            if literals:
                found[str(module.relative_to(ROOT))] = literals
    assert found == {
        "dockerflow/endpoints.py": [row.path for row in ENDPOINTS],
    }


def test_the_literal_scan_finds_a_planted_path() -> None:
    planted = 'ROUTES = [("/__heartbeat__", view)]\nPATTERN = r"^__version__/?$"\n'
    assert sorted(_path_literals(planted)) == ["/__heartbeat__", "^__version__/?$"]
    assert _path_literals('"""Serves /__version__."""\n') == []


# -- each row's flow through the adapter protocol ------------------------------


class Asked(flows.EndpointRequest):
    """A framework that answers from plain values, sync or async."""

    def __init__(
        self,
        method: str = "GET",
        options: Options | None = None,
        *,
        authorization: str | None = None,
        result: HeartbeatResult | None = None,
        asynchronous: bool = False,
    ) -> None:
        super().__init__(method, options or Options())
        self.authorization = authorization
        self.result = result
        self.asynchronous = asynchronous
        self.sent: list[tuple[bool, HeartbeatResult]] = []

    def _maybe_async(self, value: Any) -> Any:
        if not self.asynchronous:
            return value

        async def later() -> Any:
            return value

        return later()

    def header(self, name: str) -> str | None:
        return self.authorization if name == "Authorization" else None

    def debug(self) -> bool:
        return False

    def load_version(self) -> Any:
        return self._maybe_async({"version": "1.2"})

    def version_file(self) -> str | None:
        return "/app/version.json"

    def run_checks(self) -> Any:
        assert self.result is not None
        return self._maybe_async(self.result)

    def send(self, passed: bool, result: HeartbeatResult) -> Any:
        self.sent.append((passed, result))
        return self._maybe_async(None)


def _serve(row: endpoints.Endpoint, asked: Asked) -> Any:
    if asked.asynchronous:
        return asyncio.run(row.flow_async(asked))
    return row.flow(asked)


def _failing() -> HeartbeatResult:
    def broken() -> list[Error]:
        return [Error("down", id="acme.E001")]

    return HeartbeatEngine().run(checks=[("broken", broken)])


@pytest.fixture(params=[False, True], ids=["sync", "async"])
def asynchronous(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


def test_version_row(asynchronous: bool) -> None:
    reply = _serve(VERSION, Asked(asynchronous=asynchronous))
    assert (reply.status, reply.body) == (200, {"version": "1.2"})
    refused = _serve(VERSION, Asked("POST", asynchronous=asynchronous))
    assert refused.status == 405


def test_lbheartbeat_row(asynchronous: bool) -> None:
    assert _serve(LBHEARTBEAT, Asked(asynchronous=asynchronous)).status == 200
    assert _serve(LBHEARTBEAT, Asked("PUT", asynchronous=asynchronous)).status == 405


def test_heartbeat_row_sends_failed_and_hides_details(asynchronous: bool) -> None:
    result = _failing()
    asked = Asked(result=result, asynchronous=asynchronous)
    reply = _serve(HEARTBEAT, asked)
    assert reply.status == 500
    assert asked.sent == [(False, result)]
    assert "checks" not in reply.body


def test_heartbeat_row_shows_details_to_the_token(asynchronous: bool) -> None:
    options = Options(token="s3cret", failed_status=503)
    asked = Asked(
        options=options,
        authorization="Bearer s3cret",
        result=_failing(),
        asynchronous=asynchronous,
    )
    reply = _serve(HEARTBEAT, asked)
    assert reply.status == 503
    assert reply.body["checks"] == {"broken": "error"}


def test_error_row(asynchronous: bool) -> None:
    assert _serve(ERROR, Asked(asynchronous=asynchronous)).status == 404
    options = Options(error_endpoint=True, token="t")
    asked = Asked(options=options, authorization="Bearer t", asynchronous=asynchronous)
    with pytest.raises(flows.DeliberateError):
        _serve(ERROR, asked)


def test_the_caller_comes_from_authorization_and_debug() -> None:
    assert Asked(authorization="Bearer x").caller() == Caller("Bearer x", False)

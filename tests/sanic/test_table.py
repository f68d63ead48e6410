"""The Sanic extension adds a route per row of the core's endpoint table."""

from __future__ import annotations

import pytest
from sanic import Sanic

import dockerflow_sanic.app
from dockerflow.endpoints import ENDPOINTS, Endpoint
from dockerflow.flows import EndpointRequest
from dockerflow.replies import Reply
from dockerflow_sanic import Dockerflow

pytestmark = pytest.mark.asyncio


def _hello(asked: EndpointRequest) -> Reply:
    return Reply(200, {"hello": asked.method, "debug": asked.debug()})


async def _hello_async(asked: EndpointRequest) -> Reply:
    return Reply(200, {"hello": asked.method, "async": True})


HELLO = Endpoint("/__hello__", "hello", _hello, _hello_async, probe=False)


async def test_a_new_row_of_the_table_is_served(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(dockerflow_sanic.app, "ENDPOINTS", (*ENDPOINTS, HELLO))
    app = Sanic("sanic_test_table_hello")
    Dockerflow(app)
    for path in HELLO.paths:
        _, response = await app.asgi_client.get(path)
        assert response.json == {"hello": "GET", "async": True}
    assert app.url_for("dockerflow.hello") == HELLO.path


async def test_every_row_is_a_named_route(app: Sanic) -> None:
    for row in ENDPOINTS:
        assert app.url_for(f"dockerflow.{row.name}") == row.path


def _metrics(asked: EndpointRequest) -> Reply:
    headers = {"Content-Type": "text/plain; version=0.0.4"}
    return Reply(200, None, headers, preencoded=b"up 1\n")


async def _metrics_async(asked: EndpointRequest) -> Reply:
    return _metrics(asked)


async def test_a_row_may_answer_other_than_json(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    row = Endpoint("/__metrics__", "metrics", _metrics, _metrics_async, probe=True)
    monkeypatch.setattr(dockerflow_sanic.app, "ENDPOINTS", (*ENDPOINTS, row))
    app = Sanic("sanic_test_table_metrics")
    Dockerflow(app)
    _, response = await app.asgi_client.get(row.path)
    assert response.headers["content-type"] == "text/plain; version=0.0.4"
    assert response.body == b"up 1\n"

"""Django serves the core's endpoint table: a URL pattern per row, a view for
any row through the adapter protocol, and the middleware's paths from it."""

from __future__ import annotations

import asyncio
import json

import pytest
from django.test import RequestFactory, override_settings
from django.urls import resolve, reverse

from dockerflow.django import middleware, views
from dockerflow.endpoints import ENDPOINTS, ERROR, Endpoint
from dockerflow.flows import EndpointRequest
from dockerflow.replies import Reply

pytestmark = pytest.mark.django_db


def _hello(asked: EndpointRequest) -> Reply:
    caller = asked.caller()
    return Reply(200, {"method": asked.method, "auth": caller.authorization})


async def _hello_async(asked: EndpointRequest) -> Reply:
    return Reply(200, {"method": asked.method, "async": True})


HELLO = Endpoint("/__hello__", "hello", _hello, _hello_async, probe=False)


def test_every_row_has_a_url_pattern_with_and_without_the_slash() -> None:
    for row in ENDPOINTS:
        assert reverse(f"dockerflow:{row.name}") == row.path
        for path in row.paths:
            assert resolve(path).func is views.VIEWS[row.name][0]


def test_the_middleware_serves_every_row_but_error() -> None:
    served = {p for row in ENDPOINTS if row is not ERROR for p in row.paths}
    assert set(middleware._SYNC_VIEWS) == served
    assert set(middleware._ASYNC_VIEWS) == served


@override_settings(DEBUG=False)
def test_a_new_row_is_served_through_the_protocol() -> None:
    request = RequestFactory().get(HELLO.path, HTTP_AUTHORIZATION="Bearer x")
    response = views.view_of(HELLO)(request)
    assert response.status_code == 200
    assert json.loads(response.content) == {"method": "GET", "auth": "Bearer x"}
    assert response["Content-Length"] == str(len(response.content))

    async_response = asyncio.run(views.async_view_of(HELLO)(request))
    assert json.loads(async_response.content) == {"method": "GET", "async": True}


def test_head_gets_the_length_and_no_body() -> None:
    request = RequestFactory().head(HELLO.path)
    response = views.view_of(HELLO)(request)
    assert response.content == b""
    assert int(response["Content-Length"]) > 0


def _metrics(asked: EndpointRequest) -> Reply:
    headers = {"Content-Type": "text/plain; version=0.0.4"}
    return Reply(200, None, headers, preencoded=b"up 1\n")


async def _metrics_async(asked: EndpointRequest) -> Reply:
    return _metrics(asked)


def test_a_row_may_answer_other_than_json() -> None:
    row = Endpoint("/__metrics__", "metrics", _metrics, _metrics_async, probe=True)
    response = views.view_of(row)(RequestFactory().get(row.path))
    assert response["Content-Type"] == "text/plain; version=0.0.4"
    assert response.content == b"up 1\n"

"""One request.summary per request on FastAPI, with ``code``, and the
validated request id on it, on every record made during the request, and in
the response."""

from __future__ import annotations

import logging

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from dockerflow.logging import RequestIdLogFilter
from dockerflow_fastapi import MozlogRequestSummaryLogger, router

from .conftest import MakeClient


def test_one_summary_per_request_with_code(client, summaries) -> None:
    client.get("/", headers={"User-Agent": "tests/1", "Accept-Language": "fr"})
    [record] = summaries()
    assert record.levelno == logging.INFO
    assert (record.code, record.errno, record.method, record.path) == (
        200,
        0,
        "GET",
        "/",
    )
    assert (record.agent, record.lang, record.uid) == ("tests/1", "fr", "")
    assert isinstance(record.t, int)


def test_a_safe_request_id_is_kept_and_echoed(client, summaries) -> None:
    response = client.get("/", headers={"X-Request-ID": "trace-123"})
    assert response.headers["x-request-id"] == "trace-123"
    assert summaries()[0].rid == "trace-123"


@pytest.mark.parametrize("given", ["bad id with spaces", "x" * 129, "a\x7fb"])
def test_an_unsafe_request_id_is_replaced(client, summaries, given: str) -> None:
    response = client.get("/", headers={"X-Request-ID": given})
    rid = response.headers["x-request-id"]
    assert rid != given and len(rid) == 36
    assert summaries()[0].rid == rid


def test_a_request_id_sent_twice_counts_as_none(client, summaries) -> None:
    response = client.get("/", headers=[("X-Request-ID", "a"), ("X-Request-ID", "b")])
    assert response.headers["x-request-id"] not in ("a", "b")


def test_the_header_name_is_configurable(make_client: MakeClient, summaries) -> None:
    client = make_client(DOCKERFLOW_REQUEST_ID_HEADER_NAME="X-Trace")
    response = client.get("/", headers={"X-Trace": "abc"})
    assert response.headers["x-trace"] == "abc"
    assert summaries()[0].rid == "abc"


def test_every_record_of_the_request_carries_its_id(
    make_client: MakeClient, caplog
) -> None:
    caplog.set_level(logging.INFO)
    caplog.handler.addFilter(RequestIdLogFilter())
    client = make_client()
    app = client.app

    @app.get("/ping")  # type: ignore[attr-defined]
    def ping() -> str:
        logging.getLogger("some_logger").info("pong")
        return "pong"

    client.get("/ping", headers={"X-Request-ID": "r-1"})
    [record] = [r for r in caplog.records if r.name == "some_logger"]
    assert record.rid == "r-1"


def test_a_view_that_raises_is_one_error_summary_with_code_500(
    client, summaries
) -> None:
    assert client.get("/boom").status_code == 500
    [record] = summaries()
    assert record.levelno == logging.ERROR
    assert (record.code, record.errno) == (500, 500)
    assert record.exc_info[0] is RuntimeError


def test_an_exception_the_app_handles_is_not_a_server_error(client, summaries) -> None:
    assert client.get("/teapot").status_code == 418
    [record] = summaries()
    assert record.levelno == logging.INFO
    assert (record.code, record.errno) == (418, 418)


def test_an_unknown_path_logs_its_404(client, summaries) -> None:
    client.get("/nowhere")
    [record] = summaries()
    assert (record.code, record.errno) == (404, 404)


def test_the_querystring_only_when_asked(make_client: MakeClient, summaries) -> None:
    make_client().get("/?q=caf%C3%A9")
    make_client(DOCKERFLOW_SUMMARY_LOG_QUERYSTRING=True).get("/?q=caf%C3%A9")
    first, second = summaries()
    assert not hasattr(first, "querystring")
    assert second.querystring == "q=café"


def test_probes_can_be_left_out(make_client: MakeClient, summaries) -> None:
    client = make_client(DOCKERFLOW_SUMMARY_SKIP_PROBES=True)
    client.get("/__lbheartbeat__")
    client.get("/")
    assert [r.path for r in summaries()] == ["/"]


def test_without_the_request_id_middleware_rid_is_none(summaries) -> None:
    app = FastAPI()
    app.include_router(router)
    app.add_middleware(MozlogRequestSummaryLogger)
    TestClient(app).get("/__lbheartbeat__")
    [record] = summaries()
    assert record.rid is None


def test_a_logger_of_the_apps_own(summaries, caplog) -> None:
    caplog.set_level(logging.INFO, logger="my.summary")
    app = FastAPI()
    app.add_middleware(
        MozlogRequestSummaryLogger, logger=logging.getLogger("my.summary")
    )
    TestClient(app).get("/x")
    assert [r.path for r in caplog.records if r.name == "my.summary"] == ["/x"]
    assert summaries() == []

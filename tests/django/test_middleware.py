"""DockerflowMiddleware: the request.summary record and the request id.

Covers the fields and errno rules, uid without extra queries, request id
validation, echo and reset, and the same under the async handler.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.test import AsyncClient, Client, override_settings

from dockerflow.logging import request_id_context

from . import views

pytestmark = pytest.mark.django_db
Summaries = Callable[[], list[logging.LogRecord]]


def only(summaries: Summaries) -> logging.LogRecord:
    (record,) = summaries()
    return record


def test_one_record_with_every_field(client: Client, summaries: Summaries) -> None:
    client.get(
        "/hello?secret=1",
        HTTP_USER_AGENT="probe/1.0",
        HTTP_ACCEPT_LANGUAGE="fr-CA",
        HTTP_X_REQUEST_ID="abc-123",
    )
    record = only(summaries)
    assert record.levelno == logging.INFO
    assert record.errno == 0
    assert record.agent == "probe/1.0"
    assert record.lang == "fr-CA"
    assert record.method == "GET"
    assert record.path == "/hello"
    assert record.uid == ""
    assert record.rid == "abc-123"
    assert isinstance(record.t, int) and 0 <= record.t < 5000
    assert not hasattr(record, "querystring")


def test_querystring_is_opt_in(client: Client, summaries: Summaries) -> None:
    with override_settings(DOCKERFLOW_SUMMARY_LOG_QUERYSTRING=True):
        client.get("/hello?a=1&b=2")
    assert only(summaries).querystring == "a=1&b=2"


def test_error_response_errno_is_its_status(
    client: Client, summaries: Summaries
) -> None:
    client.get("/missing")
    assert only(summaries).errno == 404


def test_unrouted_path_errno_is_404(client: Client, summaries: Summaries) -> None:
    client.get("/nowhere/at/all")
    assert only(summaries).errno == 404


def test_raising_view_is_errno_500_with_traceback(summaries: Summaries) -> None:
    Client(raise_request_exception=False).get("/boom")
    record = only(summaries)
    assert record.errno == 500
    assert record.levelno == logging.ERROR
    assert record.exc_info[0] is RuntimeError


REFUSALS = sorted(views.REFUSALS.items())


@pytest.mark.parametrize(("kind", "refusal"), REFUSALS, ids=[k for k, _ in REFUSALS])
def test_a_refusal_is_logged_with_the_status_django_answered(
    summaries: Summaries, kind: str, refusal: tuple[type[Exception], int]
) -> None:
    response = Client(raise_request_exception=False).get(f"/refuse/{kind}")
    status = refusal[1]
    assert response.status_code == status
    record = only(summaries)
    assert (record.code, record.errno, record.levelno) == (status, status, logging.INFO)
    assert record.exc_info is None


@pytest.mark.parametrize("path", ["/__lbheartbeat__", "/__version__", "/__heartbeat__"])
def test_probes_are_logged_unless_skipped(
    client: Client, summaries: Summaries, path: str
) -> None:
    client.get(path)
    assert only(summaries).path == path
    with override_settings(DOCKERFLOW_SUMMARY_SKIP_PROBES=True):
        client.get(path)
        client.get("/hello")
    assert [r.path for r in summaries()] == [path, "/hello"]


class TestUid:
    def test_anonymous_uid_is_empty_and_costs_no_query(
        self, client: Client, summaries: Summaries, django_assert_num_queries
    ) -> None:
        with django_assert_num_queries(0):
            client.get("/hello")
        assert only(summaries).uid == ""

    def test_logged_in_user_loaded_by_the_view(
        self, client: Client, summaries: Summaries
    ) -> None:
        user = get_user_model().objects.create_user("ada", password="x")
        client.force_login(user)
        client.get("/user")
        assert only(summaries).uid == user.pk  # the pk itself, not text

    def test_user_never_loaded_is_not_queried(
        self, client: Client, summaries: Summaries, django_assert_num_queries
    ) -> None:
        client.force_login(get_user_model().objects.create_user("bob", password="x"))
        with django_assert_num_queries(0):
            client.get("/hello")
        assert only(summaries).uid == ""


class TestRequestId:
    def test_generated_when_missing_and_echoed(
        self, client: Client, summaries: Summaries
    ) -> None:
        response = client.get("/hello")
        rid = response["X-Request-ID"]
        assert uuid.UUID(rid).version == 4
        assert only(summaries).rid == rid

    def test_header_name_is_case_insensitive(self, client: Client) -> None:
        response = client.get("/hello", headers={"x-rEqUeSt-iD": "Mixed.Case_1"})
        assert response["X-Request-ID"] == "Mixed.Case_1"

    @pytest.mark.parametrize(
        "bad", ["a" * 129, "has space", "new\\nline", "<script>", "ünïcode"]
    )
    def test_unsafe_values_are_replaced(self, client: Client, bad: str) -> None:
        response = client.get("/hello", HTTP_X_REQUEST_ID=bad)
        assert response["X-Request-ID"] != bad
        assert uuid.UUID(response["X-Request-ID"]).version == 4

    def test_custom_header_name(self, client: Client) -> None:
        with override_settings(DOCKERFLOW_REQUEST_ID_HEADER_NAME="X-Amzn-Trace-Id"):
            response = client.get("/hello", HTTP_X_AMZN_TRACE_ID="Root=1-abc")
        assert response["X-Amzn-Trace-Id"] == "Root=1-abc"

    def test_context_is_reset_after_each_request(
        self, client: Client, summaries: Summaries, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.INFO)
        client.get("/hello", HTTP_X_REQUEST_ID="first")
        assert request_id_context.get() is None
        client.get("/__lbheartbeat__")
        client.get("/boom-not-routed")
        rids = [r.rid for r in summaries()]
        assert rids[0] == "first"
        assert "first" not in rids[1:]
        assert request_id_context.get() is None

    def test_seed_request_attribute(self, rf) -> None:  # type: ignore[no-untyped-def]
        from dockerflow.django.middleware import DockerflowMiddleware

        seen = {}

        def view(request):  # type: ignore[no-untyped-def]
            seen["id"] = request._id
            seen["context"] = request_id_context.get()
            from django.http import HttpResponse

            return HttpResponse()

        response = DockerflowMiddleware(view)(rf.get("/x", HTTP_X_REQUEST_ID="rid-1"))
        assert seen == {"id": "rid-1", "context": "rid-1"}
        # Django's own records about the response still carry the id...
        assert request_id_context.get() == "rid-1"
        # ...until the server closes the response.
        response.close()
        assert request_id_context.get() is None


@pytest.mark.asyncio
class TestAsync:
    """Under ASGI the middleware runs as a coroutine (Django's AsyncClient)."""

    async def test_async_view_gets_a_record_and_echo(
        self, async_client: AsyncClient, summaries: Summaries
    ) -> None:
        # An ASGI server serves each request in a task of its own, whose
        # context (and the request id in it) ends with the request.
        response = await asyncio.create_task(
            async_client.get("/hello-async", headers={"X-Request-ID": "async-1"})
        )
        assert response.status_code == 200
        assert response["X-Request-ID"] == "async-1"
        record = only(summaries)
        assert (record.path, record.rid, record.errno) == ("/hello-async", "async-1", 0)
        assert request_id_context.get() is None

    async def test_sync_view_and_error_under_async_handler(
        self, summaries: Summaries
    ) -> None:
        client = AsyncClient(raise_request_exception=False)
        await client.get("/hello")
        await client.get("/boom")
        assert [(r.path, r.errno) for r in summaries()] == [
            ("/hello", 0),
            ("/boom", 500),
        ]

    @pytest.mark.parametrize("view", ["refuse", "refuse-async"])
    @pytest.mark.parametrize(
        ("kind", "refusal"), REFUSALS, ids=[k for k, _ in REFUSALS]
    )
    async def test_a_refusal_is_logged_with_the_status_django_answered(
        self,
        summaries: Summaries,
        view: str,
        kind: str,
        refusal: tuple[type[Exception], int],
    ) -> None:
        client = AsyncClient(raise_request_exception=False)
        response = await client.get(f"/{view}/{kind}")
        status = refusal[1]
        assert response.status_code == status
        record = only(summaries)
        assert (record.code, record.errno, record.levelno) == (
            status,
            status,
            logging.INFO,
        )
        assert record.exc_info is None

    @pytest.mark.parametrize("path", ["/__lbheartbeat__", "/__version__"])
    async def test_async_probes(self, async_client: AsyncClient, path: str) -> None:
        response = await async_client.get(path)
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"

    async def test_async_heartbeat(self, async_client: AsyncClient) -> None:
        with override_settings(
            DOCKERFLOW_CHECKS=[
                "tests.django.checks.passing",
                "tests.django.checks.warning",
            ],
            DOCKERFLOW_HEARTBEAT_DETAILS="always",
        ):
            response = await async_client.get("/__heartbeat__")
            refused = await async_client.post("/__heartbeat__")
        assert response.status_code == 200
        assert response.json()["checks"] == {"passing": "ok", "warning": "warning"}
        assert refused.status_code == 405

"""Who sees heartbeat details while the database or the session store fails.

Finding out whether a caller is staff loads their session and user: that must
never fail the endpoint, nor wait on a database its own check found failing.
The same on real servers, with PostgreSQL refusing and hanging: tests/e2e/test_faults.py.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import AsyncClient, Client, override_settings

DATABASE_CHECK = "dockerflow.django.checks.check_database_connected"
#: The database check fails: it is told to check an alias that does not exist.
DATABASE_FAILING = {
    "DOCKERFLOW_CHECKS": [DATABASE_CHECK],
    "DOCKERFLOW_DATABASES": ["nowhere"],
}
#: A well-formed key anyone can send: it is looked up.
STRANGER = "anyone0can0send0this0key"


def staff_client(client_class: type[Any] = Client) -> Any:
    staff = get_user_model().objects.create_user("staff", is_staff=True)
    logged_in = Client()
    logged_in.force_login(staff)
    client = client_class()
    client.cookies = logged_in.cookies
    return client


@pytest.fixture
def broken_session_store(tmp_path: Path) -> Iterator[None]:
    """Sessions in files, in a "directory" that is a file: every load raises.
    The database is fine. (Django's cache sessions swallow a cache's errors.)"""
    not_a_directory = tmp_path / "sessions"
    not_a_directory.write_text("")
    with override_settings(
        SESSION_ENGINE="django.contrib.sessions.backends.file",
        SESSION_FILE_PATH=str(not_a_directory),
        DOCKERFLOW_CHECKS=[DATABASE_CHECK],
    ):
        yield


def could_not_tell(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == "dockerflow"
        and r.getMessage() == "Could not tell whether the caller is staff"
    ]


@pytest.mark.django_db
def test_staff_are_not_looked_up_when_the_database_check_failed(
    django_assert_num_queries: Any,
) -> None:
    client = staff_client()
    with override_settings(**DATABASE_FAILING), django_assert_num_queries(0):
        response = client.get("/__heartbeat__")
    assert (response.status_code, response.json()) == (500, {"status": "error"})


@pytest.mark.django_db
def test_the_error_endpoint_does_not_look_up_staff_when_the_database_fails(
    django_assert_num_queries: Any,
) -> None:
    client = staff_client()
    settings = {**DATABASE_FAILING, "DOCKERFLOW_ERROR_ENDPOINT": True}
    with override_settings(**settings), django_assert_num_queries(0):
        response = client.get("/__error__")
    assert (response.status_code, response.json()) == (404, {"error": "Not Found"})


@pytest.mark.django_db
def test_a_failing_session_store_makes_the_caller_anonymous(
    broken_session_store: None, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client()
    client.cookies["sessionid"] = STRANGER
    response = client.get("/__heartbeat__")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    [warning] = could_not_tell(caplog)
    assert warning.levelno == logging.WARNING and warning.exc_info is not None


@pytest.mark.django_db(transaction=True)  # the async view reads on a thread of its own
@pytest.mark.asyncio
async def test_async_staff_are_not_looked_up_when_the_database_check_failed() -> None:
    from asgiref.sync import sync_to_async

    client = await sync_to_async(staff_client)(AsyncClient)
    with override_settings(DOCKERFLOW_CHECKS=[DATABASE_CHECK]):
        # The session is real: while the database answers, staff see details.
        assert "details" in (await client.get("/__heartbeat__")).json()
    with override_settings(**DATABASE_FAILING):
        response = await client.get("/__heartbeat__")
    assert (response.status_code, response.json()) == (500, {"status": "error"})


@pytest.mark.django_db
@pytest.mark.asyncio
async def test_async_a_failing_session_store_makes_the_caller_anonymous(
    broken_session_store: None, caplog: pytest.LogCaptureFixture
) -> None:
    client = AsyncClient()
    client.cookies["sessionid"] = STRANGER
    response = await client.get("/__heartbeat__")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert len(could_not_tell(caplog)) == 1


@pytest.mark.django_db
def test_a_cached_run_does_not_vouch_for_the_database_now() -> None:
    # The heartbeat's cache may serve a run from before the database went
    # down: its passing database check says nothing about the lookup to come.
    from dockerflow.checks.results import CheckResult, HeartbeatResult
    from dockerflow.django.heartbeat import database_answers

    passed = CheckResult(name=DATABASE_CHECK)
    with override_settings(**DATABASE_FAILING):
        assert database_answers(HeartbeatResult(checks=(passed,)))
        assert not database_answers(HeartbeatResult(checks=(passed,), cached=True))

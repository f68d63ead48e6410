"""/__heartbeat__: which checks run, how they fail, who sees what, and signals.

Checks come from tests/django/checks.py by dotted path, like a project's own.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.dispatch import receiver
from django.test import Client, override_settings

from dockerflow import health
from dockerflow.checks import HeartbeatResult
from dockerflow.django.signals import heartbeat_failed, heartbeat_passed

from . import checks
from .conftest import check_paths

pytestmark = pytest.mark.django_db
ALWAYS = {"DOCKERFLOW_HEARTBEAT_DETAILS": "always"}


def get(client: Client, *names: str, **settings: Any) -> Any:
    with override_settings(DOCKERFLOW_CHECKS=check_paths(*names), **settings):
        return client.get("/__heartbeat__")


def test_default_checks_pass_on_a_migrated_database(client: Client) -> None:
    with override_settings(DOCKERFLOW_HEARTBEAT_DETAILS="always"):
        response = client.get("/__heartbeat__")
    assert response.status_code == 200
    assert response.json()["checks"] == {
        "check_database_connected": "ok",
        "check_migrations_applied": "ok",
    }


def test_payload_has_the_seed_shape_plus_durations(client: Client) -> None:
    body = get(client, "passing", "warning", **ALWAYS).json()
    assert body["status"] == "warning"
    assert body["checks"] == {"passing": "ok", "warning": "warning"}
    assert body["details"] == {
        "warning": {
            "status": "warning",
            "level": 30,
            "messages": {"tests.W001": "db.example.internal is slow"},
        }
    }
    assert set(body["durations_ms"]) == {"passing", "warning"}


def test_a_warning_still_passes(client: Client) -> None:
    assert get(client, "passing", "warning").status_code == 200


@pytest.mark.parametrize("name", ["error", "critical", "raising"])
def test_error_or_worse_fails_with_500(client: Client, name: str) -> None:
    response = get(client, "passing", name)
    assert response.status_code == 500
    assert response.json() == {"status": "critical" if name == "critical" else "error"}


def test_failed_status_code_is_configurable(client: Client) -> None:
    response = get(client, "error", DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE=503)
    assert response.status_code == 503


def test_failed_status_code_outside_5xx_falls_back_to_500(client: Client) -> None:
    response = get(client, "error", DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE=200)
    assert response.status_code == 500


def test_raising_check_is_isolated(client: Client) -> None:
    body = get(client, "raising", "passing", **ALWAYS).json()
    assert body["checks"] == {"raising": "error", "passing": "ok"}
    message = body["details"]["raising"]["messages"][health.ERROR_CHECK_EXCEPTION]
    assert "RuntimeError: check exploded" in message


def test_unimportable_check_fails_the_heartbeat(client: Client) -> None:
    with override_settings(DOCKERFLOW_CHECKS=["tests.django.checks.nowhere"], **ALWAYS):
        body = client.get("/__heartbeat__").json()
    assert body["status"] == "error"
    assert (
        "could not be imported"
        in body["details"]["nowhere"]["messages"][health.ERROR_CHECK_EXCEPTION]
    )


def test_silenced_system_checks_are_honoured(client: Client) -> None:
    response = get(
        client, "error", "warning", SILENCED_SYSTEM_CHECKS=["tests.E001"], **ALWAYS
    )
    assert response.status_code == 200
    assert response.json()["checks"] == {"error": "ok", "warning": "warning"}


def test_checks_run_concurrently(client: Client) -> None:
    # Each waits until the other has started: one at a time, the first
    # would wait alone until the barrier broke.
    checks.together.reset()
    response = get(
        client, "together_a", "together_b", DOCKERFLOW_CHECK_TIMEOUT=20, **ALWAYS
    )
    assert response.status_code == 200, response.json()
    assert response.json()["checks"] == {"together_a": "ok", "together_b": "ok"}


def test_hung_check_answers_within_its_timeout(client: Client) -> None:
    started = time.perf_counter()
    response = get(client, "hung", "passing", DOCKERFLOW_CHECK_TIMEOUT=0.5, **ALWAYS)
    elapsed = time.perf_counter() - started
    assert response.status_code == 500
    assert elapsed < 0.5 + 2.5  # the timeout plus generous slack, not a hang
    messages = response.json()["details"]["hung"]["messages"]
    assert health.ERROR_CHECK_TIMEOUT in messages


@pytest.mark.parametrize("timeout", [1e10, float("inf"), float("nan")])
def test_a_timeout_setting_no_wait_can_honour_falls_back_to_the_default(
    client: Client, timeout: float
) -> None:
    """dockerflow.E008 reports it at startup; meanwhile probes still answer."""
    response = get(client, "passing", DOCKERFLOW_CHECK_TIMEOUT=timeout)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_results_are_cached_when_asked(client: Client) -> None:
    get(client, "passing", DOCKERFLOW_HEARTBEAT_CACHE_SECONDS=60)
    get(client, "passing", DOCKERFLOW_HEARTBEAT_CACHE_SECONDS=60)
    assert checks.calls == ["passing"]
    get(client, "passing")
    assert checks.calls == ["passing", "passing"]


def test_system_checks_are_not_run_by_default(client: Client) -> None:
    body = get(client, "passing", DEBUG=False, **ALWAYS).json()
    assert list(body["checks"]) == ["passing"]


def test_seed_behaviour_runs_every_system_check_when_asked(client: Client) -> None:
    body = get(client, "passing", DOCKERFLOW_HEARTBEAT_RUN_SYSTEM_CHECKS=True, **ALWAYS)
    names = body.json()["checks"]
    assert "passing" in names
    # Django's deployment checks come along, as they did in python-dockerflow.
    assert names["check_sts"] == "warning"
    assert "check_settings" not in names
    assert "dockerflow_checks" not in names


class TestDetails:
    """Message texts can name hosts and users: only some callers see them."""

    token = "s3cret-token-value"

    def test_anonymous_caller_sees_only_the_status(self, client: Client) -> None:
        assert get(client, "error").json() == {"status": "error"}

    def test_debug_shows_details(self, client: Client) -> None:
        body = get(client, "error", DEBUG=True).json()
        assert body["details"]["error"]["messages"]["tests.E001"].startswith("cannot")

    def test_never_hides_details_even_in_debug(self, client: Client) -> None:
        body = get(client, "error", DEBUG=True, DOCKERFLOW_HEARTBEAT_DETAILS="never")
        assert body.json() == {"status": "error"}

    def test_right_bearer_token_sees_details(self, client: Client) -> None:
        with override_settings(
            DOCKERFLOW_CHECKS=check_paths("error"),
            DOCKERFLOW_HEARTBEAT_TOKEN=self.token,
        ):
            right = client.get(
                "/__heartbeat__", HTTP_AUTHORIZATION=f"Bearer {self.token}"
            )
            wrong = client.get(
                "/__heartbeat__", HTTP_AUTHORIZATION="Bearer s3cret-token"
            )
            basic = client.get(
                "/__heartbeat__", HTTP_AUTHORIZATION=f"Basic {self.token}"
            )
        assert "details" in right.json()
        assert wrong.json() == basic.json() == {"status": "error"}

    def test_token_unset_unlocks_nothing(self, client: Client) -> None:
        with override_settings(
            DOCKERFLOW_CHECKS=check_paths("error"), DOCKERFLOW_HEARTBEAT_TOKEN=None
        ):
            for sent in (
                "Bearer ",
                "Bearer None",
                "Bearer null",
                f"Bearer {self.token}",
            ):
                response = client.get("/__heartbeat__", HTTP_AUTHORIZATION=sent)
                assert response.json() == {"status": "error"}, sent

    def test_staff_user_sees_details(self, client: Client) -> None:
        User = get_user_model()
        staff = User.objects.create_user("staff", password="x", is_staff=True)
        plain = User.objects.create_user("plain", password="x")
        client.force_login(plain)
        assert get(client, "error").json() == {"status": "error"}
        client.force_login(staff)
        assert "details" in get(client, "error").json()

    def test_staff_user_sees_details_through_the_url_view(self, client: Client) -> None:
        staff = get_user_model().objects.create_user("s", password="x", is_staff=True)
        client.force_login(staff)
        last = [
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "dockerflow.django.middleware.DockerflowMiddleware",
        ]
        assert "details" in get(client, "error", MIDDLEWARE=last).json()


class TestSignals:
    def test_passed_is_sent_with_level_and_result(self, client: Client) -> None:
        seen: list[dict[str, Any]] = []

        @receiver(heartbeat_passed, weak=False)
        def on_pass(sender: Any, **kwargs: Any) -> None:
            seen.append(kwargs)

        try:
            get(client, "passing", "warning")
        finally:
            heartbeat_passed.disconnect(on_pass)
        (call,) = seen
        assert call["level"] == 30
        result = call["result"]
        assert isinstance(result, HeartbeatResult)
        assert set(result.durations) == {"passing", "warning"}
        assert result["warning"].messages[0].id == "tests.W001"

    def test_failed_is_sent_and_passed_is_not(self, client: Client) -> None:
        sent: list[str] = []
        passed = lambda sender, **kw: sent.append("passed")  # noqa: E731
        failed = lambda sender, **kw: sent.append(f"failed {kw['level']}")  # noqa: E731
        heartbeat_passed.connect(passed, weak=False)
        heartbeat_failed.connect(failed, weak=False)
        try:
            get(client, "critical")
        finally:
            heartbeat_passed.disconnect(passed)
            heartbeat_failed.disconnect(failed)
        assert sent == ["failed 50"]

    def test_raising_receiver_is_logged_and_harmless(
        self, client: Client, caplog: pytest.LogCaptureFixture
    ) -> None:
        def broken(sender: Any, **kwargs: Any) -> None:
            raise ValueError("receiver bug")

        heartbeat_passed.connect(broken, weak=False)
        try:
            response = get(client, "passing")
        finally:
            heartbeat_passed.disconnect(broken)
        assert response.status_code == 200
        (record,) = [r for r in caplog.records if r.name == "dockerflow"]
        assert record.levelno == logging.ERROR
        assert "ValueError" in record.getMessage()


def db_result(failing: bool) -> HeartbeatResult:
    from dockerflow.checks import CheckResult, Error

    messages = (
        (Error("down", id=health.ERROR_CANNOT_CONNECT_DATABASE),) if failing else ()
    )
    return HeartbeatResult(
        checks=(CheckResult(name="check_database_connected", messages=messages),),
        started_at=0.0,
        duration=0.0,
    )


def test_a_connection_in_a_transaction_is_kept_after_an_outage() -> None:
    from django.db import connection

    from dockerflow.django.heartbeat import outages

    connection.ensure_connection()
    outages.after(db_result(failing=True))
    outages.after(db_result(failing=False))
    assert connection.connection is not None and connection.in_atomic_block

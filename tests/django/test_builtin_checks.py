"""The built-in checks against real backends: SQLite or PostgreSQL, and Redis.

Down and hung services are real local sockets; every failure must come back
as a message with the seed's ID, never as an exception.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import ConnectionHandler
from django.test import Client, override_settings

from dockerflow import health
from dockerflow.django.checks import (
    check_cache,
    check_database_connected,
    check_migrations_applied,
    check_redis_connected,
)
from tests.services import REDIS_URL, hung_server, refused_port, require_redis

pytestmark = pytest.mark.django_db


def ids(messages: list[Any]) -> list[str]:
    return [m.id for m in messages]


@pytest.fixture
def other_databases(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Points the checks at databases of the test's choosing.

    A separate ConnectionHandler leaves the test databases alone.
    """
    handlers: list[ConnectionHandler] = []

    def use(**databases: dict[str, Any]) -> None:
        handler = ConnectionHandler(databases)
        handlers.append(handler)
        monkeypatch.setattr("django.db.connections", handler)

    yield use
    for handler in handlers:
        with contextlib.suppress(ImproperlyConfigured):  # a deliberately bad one
            handler.close_all()


def redis_cache(location: str, **options: Any) -> dict[str, Any]:
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": location,
            "OPTIONS": options,
        }
    }


class TestDatabase:
    def test_connected(self) -> None:
        assert check_database_connected(None) == []

    def test_unreachable(self, other_databases: Any) -> None:
        other_databases(
            default={"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"},
            broken={
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": "/nonexistent/dir/db.sqlite3",
            },
        )
        messages = check_database_connected(None)  # every alias by default
        assert ids(messages) == [health.ERROR_CANNOT_CONNECT_DATABASE]
        assert "'broken'" in messages[0].msg
        assert "unable to open database file" in messages[0].msg

    def test_refused(self, other_databases: Any) -> None:
        refused = {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": "127.0.0.1",
            "PORT": str(refused_port()),
            "NAME": "test",
            "USER": "postgres",
        }
        other_databases(default=refused)
        assert ids(check_database_connected(None)) == [
            health.ERROR_CANNOT_CONNECT_DATABASE
        ]

    def test_misconfigured(self, other_databases: Any) -> None:
        other_databases(default={"ENGINE": "django.db.backends.dummy"})
        with override_settings(DOCKERFLOW_DATABASES=["default", "unknown"]):
            messages = check_database_connected(None)
        assert ids(messages) == [health.ERROR_MISCONFIGURED_DATABASE] * 2

    def test_no_default_database_is_reported(self, other_databases: Any) -> None:
        other_databases(other={"ENGINE": "django.db.backends.dummy"})
        assert ids(check_database_connected(None)) == [
            health.ERROR_MISCONFIGURED_DATABASE
        ]

    def test_hung_database_answers_within_the_timeout(
        self, other_databases: Any, client: Client
    ) -> None:
        with hung_server() as port:
            hung = {
                "ENGINE": "django.db.backends.postgresql",
                "HOST": "127.0.0.1",
                "PORT": str(port),
                "NAME": "test",
                "USER": "postgres",
            }
            other_databases(default=hung)
            started = time.perf_counter()
            with override_settings(
                DOCKERFLOW_CHECK_TIMEOUT=0.5,
                DOCKERFLOW_HEARTBEAT_DETAILS="always",
                DOCKERFLOW_CHECKS=["dockerflow.django.checks.check_database_connected"],
            ):
                response = client.get("/__heartbeat__")
            elapsed = time.perf_counter() - started
        assert response.status_code == 500
        assert elapsed < 0.5 + 2.5  # the timeout plus generous slack, not a hang
        messages = response.json()["details"]["check_database_connected"]["messages"]
        assert health.ERROR_CHECK_TIMEOUT in messages


class TestMigrations:
    def test_all_applied(self) -> None:
        assert check_migrations_applied(None) == []

    def test_unapplied_are_listed_as_warnings(self) -> None:
        recorder = MigrationRecorder(connections["default"])
        recorder.record_unapplied("sessions", "0001_initial")
        recorder.record_unapplied("auth", "0012_alter_user_first_name_max_length")
        messages = check_migrations_applied(None)
        assert {m.level for m in messages} == {30}
        assert ids(messages) == [health.WARNING_UNAPPLIED_MIGRATION] * 2
        assert [m.msg for m in messages] == [
            "Unapplied migration auth.0012_alter_user_first_name_max_length",
            "Unapplied migration sessions.0001_initial",
        ]

    def test_app_configs_narrow_the_search(self) -> None:
        from django.apps import apps

        MigrationRecorder(connections["default"]).record_unapplied(
            "sessions", "0001_initial"
        )
        assert check_migrations_applied([apps.get_app_config("auth")]) == []

    def test_unreachable_database_is_info(self, other_databases: Any) -> None:
        other_databases(
            default={
                "ENGINE": "django.db.backends.postgresql",
                "HOST": "127.0.0.1",
                "PORT": str(refused_port()),
                "NAME": "test",
                "USER": "postgres",
            }
        )
        messages = check_migrations_applied(None)
        assert ids(messages) == [health.INFO_CANT_CHECK_MIGRATIONS]
        assert "Connection refused" in messages[0].msg


class TestRedis:
    def test_up(self) -> None:
        require_redis()
        with override_settings(CACHES=redis_cache(REDIS_URL)):
            assert check_redis_connected(None) == []

    def test_up_with_configured_timeouts(self) -> None:
        require_redis()
        caches = redis_cache(REDIS_URL, SOCKET_TIMEOUT=1, SOCKET_CONNECT_TIMEOUT=1)
        with override_settings(CACHES=caches):
            assert check_redis_connected(None) == []

    def test_refused(self) -> None:
        location = f"redis://127.0.0.1:{refused_port()}/0"
        with override_settings(CACHES=redis_cache(location)):
            messages = check_redis_connected(None)
        assert ids(messages) == [health.ERROR_CANNOT_CONNECT_REDIS]

    def test_hung_is_an_error_within_the_timeout(self) -> None:
        with hung_server() as port:
            caches = redis_cache(f"redis://127.0.0.1:{port}/0")
            with override_settings(CACHES=caches, DOCKERFLOW_CHECK_TIMEOUT=0.5):
                started = time.perf_counter()
                messages = check_redis_connected(None)
                elapsed = time.perf_counter() - started
        assert ids(messages) == [health.ERROR_CANNOT_CONNECT_REDIS]
        assert "Timeout" in messages[0].msg
        assert elapsed < 0.5 + 2.5  # the timeout plus generous slack, not a hang

    def test_hung_through_the_heartbeat(self, client: Client) -> None:
        with (
            hung_server() as port,
            override_settings(
                CACHES=redis_cache(f"redis://127.0.0.1:{port}/0"),
                DOCKERFLOW_CHECK_TIMEOUT=0.5,
                DOCKERFLOW_CHECKS=["dockerflow.django.checks.check_redis_connected"],
            ),
        ):
            started = time.perf_counter()
            response = client.get("/__heartbeat__")
            elapsed = time.perf_counter() - started
        assert response.status_code == 500
        assert response.json() == {"status": "error"}
        assert elapsed < 0.5 + 2.5  # the timeout plus generous slack, not a hang

    def test_not_a_redis_cache(self) -> None:
        messages = check_redis_connected(None)  # the tests' LocMemCache
        assert ids(messages) == [health.ERROR_MISSING_REDIS_CLIENT]

    def test_client_not_installed(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setitem(sys.modules, "django_redis", None)  # import fails
        (message,) = check_redis_connected(None)
        assert message.id == health.ERROR_MISSING_REDIS_CLIENT
        assert "django-redis extra" in message.msg

    def test_misconfigured(self) -> None:
        with override_settings(CACHES={}):
            messages = check_redis_connected(None)
        assert ids(messages) == [health.ERROR_MISCONFIGURED_REDIS]


class TestCache:
    def test_round_trip_on_locmem(self) -> None:
        assert check_cache(None) == []

    def test_round_trip_on_real_redis(self) -> None:
        require_redis()
        with override_settings(CACHES=redis_cache(REDIS_URL)):
            assert check_cache(None) == []

    def test_broken_cache_is_e014(self) -> None:
        location = f"redis://127.0.0.1:{refused_port()}/0"
        with override_settings(CACHES=redis_cache(location)):
            messages = check_cache(None)
        assert ids(messages) == [health.ERROR_CACHE_EXCEPTION]

    def test_mismatch_is_e015_and_dummy_is_left_out(self) -> None:
        caches = {
            "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
            "forgetful": {"BACKEND": "tests.django.checks.ForgetfulCache"},
        }
        with override_settings(CACHES=caches):
            messages = check_cache(None)
        assert ids(messages) == [health.ERROR_CACHE_MISMATCH]
        assert "'forgetful'" in messages[0].msg

    def test_chosen_caches_only(self) -> None:
        caches = {
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "forgetful": {"BACKEND": "tests.django.checks.ForgetfulCache"},
        }
        with override_settings(CACHES=caches, DOCKERFLOW_CACHES=["default"]):
            assert check_cache(None) == []

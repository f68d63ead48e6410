"""The Django app exactly as python-dockerflow 2026.x users set it up and test it.

Their tests call the middleware's hooks directly, register DOCKERFLOW_CHECKS
with ``checks.register()`` and simulate outages by patching the libraries the
built-in checks use.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.contrib.auth import get_user_model
from django.core.checks.registry import registry as django_registry
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.utils import OperationalError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotFound,
    HttpResponseServerError,
)
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils.deprecation import MiddlewareMixin

from dockerflow import health
from dockerflow.django import checks
from dockerflow.django.middleware import DockerflowMiddleware
from tests.services import REDIS_URL

from .conftest import check_paths

pytestmark = pytest.mark.django_db

ADAPTER = "needs adapter refactor: "
CHECKS = check_paths("warning", "error")
REDIS_CACHE = {
    "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL}
}


def middleware() -> Any:
    return DockerflowMiddleware(get_response=lambda request: HttpResponse())


@pytest.fixture
def django_checks_restored() -> Iterator[None]:
    saved = (
        set(django_registry.registered_checks),
        set(django_registry.deployment_checks),
    )
    yield
    django_registry.registered_checks, django_registry.deployment_checks = saved


@pytest.fixture
def summary_records(caplog: pytest.LogCaptureFixture) -> Any:
    caplog.set_level(logging.INFO, logger="request.summary")
    return lambda: [r for r in caplog.records if r.name == "request.summary"]


def user_request() -> HttpRequest:
    return RequestFactory().get(
        "/", HTTP_USER_AGENT="dockerflow/tests", HTTP_ACCEPT_LANGUAGE="tlh"
    )


def test_seed_import_paths() -> None:
    assert callable(checks.check_database_connected)
    assert callable(checks.check_migrations_applied)
    assert callable(checks.check_redis_connected)
    assert health.ERROR_CANNOT_CONNECT_DATABASE == "dockerflow.health.E001"


def test_failing_heartbeat_hides_details_without_debug(client: Client) -> None:
    with override_settings(DOCKERFLOW_CHECKS=CHECKS):
        response = client.get("/__heartbeat__")
    assert response.status_code == 500
    assert response.json() == {"status": "error"}


def test_debug_shows_details_and_silencing_applies(client: Client) -> None:
    with override_settings(
        DOCKERFLOW_CHECKS=CHECKS, DEBUG=True, SILENCED_SYSTEM_CHECKS=["tests.E001"]
    ):
        response = client.get("/__heartbeat__")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "warning"
    assert "warning" in body["details"] and "error" not in body["details"]


def test_lbheartbeat_makes_no_queries(client: Client) -> None:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/__lbheartbeat__")
    assert response.status_code == 200 and len(queries) == 0
    assert response.json() == {}  # a deliberate difference: not an empty body


def test_error_endpoint_is_off_by_default(client: Client) -> None:
    assert client.get("/__error__").status_code == 404


@pytest.mark.usefixtures("django_checks_restored")
def test_register_adds_dockerflow_checks_to_djangos_framework() -> None:
    with override_settings(DOCKERFLOW_CHECKS=CHECKS):
        checks.register()  # type: ignore[attr-defined]
    names = {check.__name__ for check in django_registry.get_checks()}
    assert {"warning", "error"} <= names


def test_users_attach_handlers_to_the_summary_logger() -> None:
    logger = middleware().summary_logger
    assert logger is logging.getLogger("request.summary")


def test_process_request_answers_the_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("dockerflow.version.get_version", lambda root: {"v": "1"})
    for path in ("/__version__", "/__version__/"):
        response = middleware().process_request(RequestFactory().get(path))
        assert response.status_code == 200
        assert json.loads(response.content) == {"v": "1"}
    monkeypatch.setattr("dockerflow.version.get_version", lambda root: None)
    response = middleware().process_request(RequestFactory().get("/__version__"))
    assert response.status_code == 404


def test_request_summary_through_the_hooks(summary_records: Any) -> None:
    request = user_request()
    hooks = middleware()
    response = hooks.process_request(request)
    assert isinstance(request._start_timestamp, float)  # type: ignore[attr-defined]
    hooks.process_response(request, response)
    [record] = summary_records()
    assert (record.levelno, record.errno, record.agent, record.lang) == (
        logging.INFO,
        0,
        "dockerflow/tests",
        "tlh",
    )
    assert (record.method, record.path) == ("GET", "/")
    assert record.rid == request._id  # type: ignore[attr-defined]
    assert isinstance(record.t, int)


def test_request_summary_querystring(summary_records: Any) -> None:
    request = RequestFactory().get("/?x=%D8%B4%D9%83%D8%B1")
    hooks = middleware()
    with override_settings(DOCKERFLOW_SUMMARY_LOG_QUERYSTRING=True):
        hooks.process_response(request, hooks.process_request(request))
    [record] = summary_records()
    assert record.querystring == "x=شكر"


def test_request_summary_uid_is_the_pk(summary_records: Any) -> None:
    admin = get_user_model().objects.create_superuser("admin", "a@example.com", "x")
    request = user_request()
    request.user = admin
    hooks = middleware()
    hooks.process_response(request, hooks.process_request(request))
    [record] = summary_records()
    assert record.uid == admin.pk


def test_request_summary_exception(summary_records: Any) -> None:
    request = user_request()
    hooks = middleware()
    response = hooks.process_request(request)
    hooks.process_exception(request, ValueError("exception message"))
    hooks.process_response(request, response)
    [record] = summary_records()
    assert (record.levelno, record.errno) == (logging.ERROR, 500)
    assert record.getMessage() == "exception message"


def test_a_refusal_through_the_hooks_is_logged_with_the_status_answered(
    summary_records: Any,
) -> None:
    request = user_request()
    hooks = middleware()
    hooks.process_request(request)
    hooks.process_exception(request, Http404("no such page"))
    hooks.process_response(request, HttpResponseNotFound())
    [record] = summary_records()
    assert (record.levelno, record.errno, record.code) == (logging.INFO, 404, 404)
    assert record.exc_info is None


def test_an_exception_answered_with_a_500_through_the_hooks_is_an_error(
    summary_records: Any,
) -> None:
    request = user_request()
    hooks = middleware()
    hooks.process_request(request)
    hooks.process_exception(request, ValueError("exception message"))
    hooks.process_response(request, HttpResponseServerError())
    [record] = summary_records()
    assert (record.levelno, record.errno, record.code) == (logging.ERROR, 500, 500)
    assert record.exc_info[0] is ValueError
    assert record.getMessage() == "exception message"


def test_request_summary_survives_a_replaced_request(summary_records: Any) -> None:
    class Hostile(MiddlewareMixin):
        def process_request(self, request: HttpRequest) -> None:
            del request._id  # type: ignore[attr-defined]
            del request._start_timestamp  # type: ignore[attr-defined]

    request = user_request()
    hooks = middleware()
    hooks.process_request(request)
    Hostile(get_response=lambda request: HttpResponse()).process_request(request)
    hooks.process_response(request, HttpResponse())
    [record] = summary_records()
    assert record.rid is not None
    assert not hasattr(record, "t")


def test_middleware_anywhere_serves_the_endpoints_without_urls() -> None:
    """python-dockerflow's documented setup: the middleware after others."""
    with override_settings(
        MIDDLEWARE=[
            "django.middleware.security.SecurityMiddleware",
            "dockerflow.django.middleware.DockerflowMiddleware",
        ],
        ROOT_URLCONF="tests.django.urls_empty",
    ):
        client = Client()
        assert client.get("/__lbheartbeat__").status_code == 200
        assert client.get("/__heartbeat__").status_code == 200


@pytest.mark.parametrize(
    ("exception", "message_id"),
    [
        (redis.ConnectionError, health.ERROR_CANNOT_CONNECT_REDIS),
        (NotImplementedError, health.ERROR_MISSING_REDIS_CLIENT),
        (ImproperlyConfigured, health.ERROR_MISCONFIGURED_REDIS),
    ],
)
def test_redis_check_uses_the_patched_connection_getter(
    monkeypatch: pytest.MonkeyPatch, exception: type[Exception], message_id: str
) -> None:
    def refuse(alias: str = "default", **kwargs: Any) -> Any:
        raise exception("patched")

    # A real, reachable Redis: only the patch can make the check fail.
    monkeypatch.setattr("django_redis.get_redis_connection", refuse)
    with override_settings(CACHES=REDIS_CACHE):
        [message] = checks.check_redis_connected([])
    assert message.id == message_id


def test_redis_check_passes_against_the_real_server() -> None:
    with override_settings(CACHES=REDIS_CACHE):
        assert checks.check_redis_connected([]) == []


def test_database_check_uses_the_patched_connection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse() -> None:
        raise OperationalError("patched")

    monkeypatch.setattr("django.db.connection.ensure_connection", refuse)
    [message] = checks.check_database_connected([])
    assert message.id == health.ERROR_CANNOT_CONNECT_DATABASE


def test_database_check_reports_an_unusable_connection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("django.db.connection.is_usable", lambda: False)
    [message] = checks.check_database_connected([])
    assert message.id == health.ERROR_UNUSABLE_DATABASE


def test_migrations_check_uses_the_patched_loader(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("patched")

    monkeypatch.setattr("django.db.migrations.loader.MigrationLoader", refuse)
    [message] = checks.check_migrations_applied([])
    assert message.id == health.INFO_CANT_CHECK_MIGRATIONS

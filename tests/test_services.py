"""Each built-in Redis check is the core's probe: Django, Flask and Sanic say
the same thing for the same outcome, and one wording for a missing redis-py.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import pytest

from dockerflow import health
from dockerflow.checks import services
from tests.services import refused_port


def wordings(messages: list[Any]) -> list[tuple[str | None, str]]:
    return [(m.id, m.msg) for m in messages]


def all_checks(client: Any) -> dict[str, list[tuple[str | None, str]]]:
    from dockerflow.flask import checks as flask_checks
    from dockerflow_sanic import checks as sanic_checks

    return {
        "core": wordings(services.check_redis_connected(client)),
        "core async": wordings(
            asyncio.run(services.check_redis_connected_async(client))
        ),
        "flask": wordings(flask_checks.check_redis_connected(client)),
        "sanic": wordings(asyncio.run(sanic_checks.check_redis_connected(client))),
        "sanic sync": wordings(sanic_checks.check_redis_connected_sync(client)),
    }


def test_missing_redis_has_one_wording(monkeypatch: pytest.MonkeyPatch) -> None:
    import dockerflow_sanic.checks  # noqa: F401  (imported while redis is there)

    monkeypatch.setitem(sys.modules, "redis", None)  # importing it now fails
    found = all_checks(object())
    expected = [
        (health.ERROR_MISSING_REDIS_CLIENT, "redis is not installed: pip install redis")
    ]
    assert found == dict.fromkeys(found, expected)


def test_missing_django_redis_names_its_extra_in_the_same_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dockerflow.django.checks import check_redis_connected

    monkeypatch.setitem(sys.modules, "django_redis", None)
    [message] = check_redis_connected(None)
    assert (message.id, message.msg) == (
        health.ERROR_MISSING_REDIS_CLIENT,
        "django-redis is not installed: pip install django-redis "
        "(the django-redis extra of dockerflow-kit brings it)",
    )


def test_a_refused_redis_reads_the_same_on_every_framework() -> None:
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    # redis-py 6+ retries by default: report the first failure.
    client = redis.Redis(port=refused_port(), retry=Retry(NoBackoff(), 0))
    found = all_checks(client)
    [(msg_id, msg)] = found["core"]
    assert msg_id == health.ERROR_CANNOT_CONNECT_REDIS
    assert msg.startswith("Could not connect to redis: ")
    assert found == {key: [(msg_id, msg)] for key in found}


@pytest.mark.parametrize(
    ("answer", "expected"),
    [(True, []), (b"PONG", []), (False, [health.ERROR_REDIS_PING_FAILED])],
)
def test_the_async_probe_reads_answers_as_the_blocking_one(
    answer: Any, expected: list[str]
) -> None:
    class Client:
        async def ping(self) -> Any:
            return answer

    messages = asyncio.run(services.check_redis_connected_async(Client()))
    assert [m.id for m in messages] == expected


def test_a_redis_error_reply_is_e010_on_django_too() -> None:
    from django.test import override_settings

    from dockerflow.django.checks import check_redis_connected
    from tests.services import REDIS_URL, require_redis

    require_redis()
    # A database Redis doesn't have (16 by default) gets an error reply.
    location = REDIS_URL.rsplit("/", 1)[0] + "/9999"
    backend = "django_redis.cache.RedisCache"
    with override_settings(
        CACHES={"default": {"BACKEND": backend, "LOCATION": location}}
    ):
        [message] = check_redis_connected(None)
    assert message.id == health.ERROR_REDIS_EXCEPTION
    assert "DB index is out of range" in message.msg

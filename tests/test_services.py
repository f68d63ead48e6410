"""Each built-in service is probed by one function: Redis, SQLAlchemy and
Alembic in the core, Django's databases and migrations in its checks module,
read from the source. Django, Flask and Sanic say the same thing for the same
Redis outcome, with one wording for a missing library.
"""

from __future__ import annotations

import ast
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dockerflow import health
from dockerflow.checks import services
from tests.services import refused_port

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("dockerflow", "dockerflow_flask", "dockerflow_sanic")
CORE = "dockerflow/checks/services.py"
DJANGO = "dockerflow/django/checks.py"


def calls(attr: str) -> Callable[[ast.AST], bool]:
    return lambda node: (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == attr
    )


def text(value: object) -> Callable[[ast.AST], bool]:
    """A literal ``value`` in code (a docstring is a statement, not an argument)."""

    def found(node: ast.AST) -> bool:
        return isinstance(node, ast.Call) and any(
            isinstance(arg, ast.Constant) and arg.value == value
            for arg in ast.walk(node)
        )

    return found


def name(identifier: str) -> Callable[[ast.AST], bool]:
    return lambda node: (
        isinstance(node, ast.alias) and node.name.split(".")[-1] == identifier
    )


def wording(start: str) -> Callable[[ast.AST], bool]:
    return lambda node: (
        isinstance(node, ast.JoinedStr)
        and any(
            isinstance(part, ast.Constant) and start in str(part.value)
            for part in node.values
        )
    )


#: Each probe, and the one module that may spell it.
PROBES = {
    "Redis PING": (calls("ping"), {CORE}),
    "PING sent on a connection": (text("PING"), {CORE}),
    "PONG answers": (
        lambda n: isinstance(n, ast.Constant) and n.value == b"PONG",
        {CORE},
    ),
    "SQLAlchemy SELECT 1": (text("SELECT 1"), {CORE}),
    "Alembic revisions": (name("MigrationContext"), {CORE}),
    "Django connection": (calls("ensure_connection"), {DJANGO}),
    "Django migrations": (name("MigrationLoader"), {DJANGO}),
    "missing library": (wording("is not installed: pip install"), {CORE}),
    "migrations unreadable": (wording("Can't connect to database to check"), {CORE}),
    "Redis unreachable": (wording("Could not connect to redis"), {CORE}),
}


def spelled_in(found: Callable[[ast.AST], bool]) -> set[str]:
    where = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text())
            if any(found(node) for node in ast.walk(tree)):
                where.add(path.relative_to(ROOT).as_posix())
    return where


@pytest.mark.parametrize("probe", sorted(PROBES))
def test_each_probe_is_written_in_one_module(probe: str) -> None:
    found, expected = PROBES[probe]
    assert spelled_in(found) == expected


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


def test_an_asyncio_client_passes_once_a_restarted_redis_is_back() -> None:
    """The pool's connection was reset while Redis was down and no probe came:
    the first probe after passes, on a fresh connection, as the blocking
    probe (a connection of its own each time) always did."""
    import redis.asyncio

    from tests.faultproxy import fault_proxy
    from tests.services import require_redis

    require_redis()

    async def restarted(proxy: Any) -> list[list[Any]]:
        # from_url, as services configure it: its pool has no retry policy.
        client = redis.asyncio.Redis.from_url(f"redis://127.0.0.1:{proxy.port}/0")
        try:
            found = [await services.check_redis_connected_async(client)]
            proxy.refusing()  # every open connection reset
            proxy.passing()
            found.append(await services.check_redis_connected_async(client))
            return found
        finally:
            await client.aclose()

    with fault_proxy("127.0.0.1", 6379) as proxy:
        assert asyncio.run(restarted(proxy)) == [[], []]

"""The Redis check against a real Redis: up, refusing connections, and hung.

Through a redis.asyncio client, through sanic-redis's ``SanicRedis``, and
through a blocking ``redis.Redis`` (which the extension runs on a thread).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
import redis.asyncio
from sanic import Sanic
from sanic_redis import SanicRedis

from dockerflow import health
from dockerflow.checks.services import redis_messages
from dockerflow_sanic import Dockerflow, checks
from tests.services import REDIS_URL, hung_server, refused_port, require_redis

pytestmark = [pytest.mark.asyncio, pytest.mark.redis]

TIMEOUT = 0.5


@pytest.fixture
def hung_url() -> Iterator[str]:
    with hung_server() as port:
        yield f"redis://127.0.0.1:{port}/0"


def refused_url() -> str:
    return f"redis://127.0.0.1:{refused_port()}/0"


def make_app(redis_option: Any = None, sanic_redis_url: str | None = None) -> Sanic:
    app = Sanic(f"sanic_redis_{uuid.uuid4().hex}")
    app.config.update(
        DOCKERFLOW_CHECK_TIMEOUT=TIMEOUT, DOCKERFLOW_HEARTBEAT_DETAILS="always"
    )
    if sanic_redis_url is not None:
        app.config.REDIS = sanic_redis_url
        redis_option = SanicRedis(app)
    Dockerflow(app, redis=redis_option)
    return app


async def redis_status(app: Sanic) -> tuple[int, dict[str, str], float]:
    started = time.monotonic()
    _, response = await app.asgi_client.get("/__heartbeat__")
    elapsed = time.monotonic() - started
    detail = response.json["details"].get("check_redis_connected", {})
    assert response.json["checks"]["check_redis_connected"]
    return response.status, detail.get("messages", {}), elapsed


async def test_async_client_up() -> None:
    require_redis()
    client = redis.asyncio.from_url(REDIS_URL)
    try:
        status, messages, _ = await redis_status(make_app(client))
    finally:
        await client.aclose()
    assert (status, messages) == (200, {})


async def test_async_client_refused() -> None:
    client = redis.asyncio.from_url(refused_url())
    status, messages, _ = await redis_status(make_app(client))
    assert status == 500
    assert list(messages) == [health.ERROR_CANNOT_CONNECT_REDIS]
    assert messages[health.ERROR_CANNOT_CONNECT_REDIS].startswith("Could not connect")


async def test_async_client_hung_answers_within_timeout(hung_url: str) -> None:
    client = redis.asyncio.from_url(hung_url)
    status, messages, elapsed = await redis_status(make_app(client))
    assert status == 500
    assert list(messages) == [health.ERROR_CHECK_TIMEOUT]
    assert elapsed < TIMEOUT + 2.0


async def test_sanic_redis_up() -> None:
    require_redis()
    status, messages, _ = await redis_status(make_app(sanic_redis_url=REDIS_URL))
    assert (status, messages) == (200, {})


async def test_sanic_redis_refused() -> None:
    status, messages, _ = await redis_status(make_app(sanic_redis_url=refused_url()))
    assert status == 500
    assert list(messages) == [health.ERROR_CANNOT_CONNECT_REDIS]


async def test_sanic_redis_hung_answers_within_timeout(hung_url: str) -> None:
    app = make_app(sanic_redis_url=hung_url)
    status, messages, elapsed = await redis_status(app)
    assert status == 500
    assert list(messages) == [health.ERROR_CHECK_TIMEOUT]
    assert elapsed < TIMEOUT + 2.0


async def test_sanic_redis_before_the_server_starts_is_misconfigured() -> None:
    app = Sanic(f"sanic_redis_unstarted_{uuid.uuid4().hex}")
    app.config.REDIS = REDIS_URL
    messages = await checks.check_redis_connected(SanicRedis(app), app)
    assert [m.id for m in messages] == [health.ERROR_MISCONFIGURED_REDIS]


async def test_blocking_client_up_and_refused() -> None:
    require_redis()
    up = redis.Redis.from_url(REDIS_URL)
    down = redis.Redis.from_url(refused_url())
    try:
        assert (await redis_status(make_app(up)))[:2] == (200, {})
        status, messages, _ = await redis_status(make_app(down))
    finally:
        up.close()
        down.close()
    assert status == 500
    assert list(messages) == [health.ERROR_CANNOT_CONNECT_REDIS]


async def test_blocking_client_hung_answers_within_timeout(hung_url: str) -> None:
    client = redis.Redis.from_url(hung_url)
    try:
        status, messages, elapsed = await redis_status(make_app(client))
    finally:
        client.close()
    assert status == 500
    assert list(messages) == [health.ERROR_CHECK_TIMEOUT]
    assert elapsed < TIMEOUT + 2.0


async def test_direct_call_with_an_async_client() -> None:
    require_redis()
    client = redis.asyncio.from_url(REDIS_URL)
    try:
        assert await checks.check_redis_connected(client) == []
    finally:
        await client.aclose()


def out_of_range_url() -> str:
    """The real Redis, asked for a database it doesn't have (16 by default)."""
    return REDIS_URL.rsplit("/", 1)[0] + "/9999"


@pytest.mark.parametrize("kind", ["async", "sanic-redis", "blocking"])
async def test_redis_error_from_a_real_redis(kind: str) -> None:
    require_redis()
    client: Any = None
    if kind == "async":
        client = redis.asyncio.from_url(out_of_range_url())
        app = make_app(client)
    elif kind == "blocking":
        client = redis.Redis.from_url(out_of_range_url())
        app = make_app(client)
    else:
        app = make_app(sanic_redis_url=out_of_range_url())
    try:
        status, messages, _ = await redis_status(app)
    finally:
        if kind == "async":
            await client.aclose()
        elif kind == "blocking":
            client.close()
    assert status == 500
    assert list(messages) == [health.ERROR_REDIS_EXCEPTION]
    assert "DB index is out of range" in messages[health.ERROR_REDIS_EXCEPTION]


async def test_client_timeout_before_the_checks_is_cannot_connect(
    hung_url: str,
) -> None:
    # The client's own socket timeout fires first: redis raises TimeoutError.
    client = redis.asyncio.from_url(hung_url, socket_timeout=0.05)
    try:
        status, messages, _ = await redis_status(make_app(client))
    finally:
        await client.aclose()
    assert status == 500
    assert list(messages) == [health.ERROR_CANNOT_CONNECT_REDIS]


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        ({"result": True}, []),
        ({"result": b"PONG"}, []),
        ({"result": False}, [health.ERROR_REDIS_PING_FAILED]),
    ],
)
async def test_ping_results_map_to_ids(
    outcome: dict[str, Any], expected: list[str]
) -> None:
    assert [m.id for m in redis_messages(**outcome)] == expected


async def test_unexpected_errors_are_left_to_the_engine() -> None:
    with pytest.raises(KeyError):
        redis_messages(exc=KeyError("x"))

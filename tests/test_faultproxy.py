"""The fault proxy itself: each mode does to a real Redis what its name says."""

from __future__ import annotations

import socket
import time

import pytest
import redis

from tests.faultproxy import fault_proxy
from tests.services import require_redis


def client(port: int) -> redis.Redis:
    return redis.Redis(
        port=port, socket_timeout=0.5, socket_connect_timeout=0.5, retry=None
    )


def test_passing_refusing_hanging_and_back() -> None:
    require_redis()
    with fault_proxy("127.0.0.1", 6379) as proxy:
        kept = client(proxy.port)
        assert kept.ping() is True

        proxy.hanging()
        began = time.monotonic()
        with pytest.raises(redis.TimeoutError):
            kept.ping()  # an open connection hangs too
        with pytest.raises(redis.TimeoutError):
            client(proxy.port).ping()  # and a new one is accepted, never answered
        assert time.monotonic() - began < 5
        assert proxy.held >= 1

        proxy.refusing()
        with pytest.raises(redis.ConnectionError, match="refused"):
            client(proxy.port).ping()
        assert proxy.held == 0

        proxy.passing()
        assert client(proxy.port).ping() is True


def test_a_connection_that_hung_stays_hung_until_reset() -> None:
    require_redis()
    with fault_proxy("127.0.0.1", 6379) as proxy:
        stuck = client(proxy.port)
        stuck.ping()
        proxy.hanging()
        proxy.passing()
        assert client(proxy.port).ping() is True  # new connections get through
        with pytest.raises(redis.TimeoutError):
            stuck.ping()
        proxy.reset()
        assert proxy.held == 0


def test_a_connection_its_client_closed_is_not_held() -> None:
    """Even when the proxy has not read the close yet as it starts hanging."""
    require_redis()
    with fault_proxy("127.0.0.1", 6379) as proxy:
        for _ in range(20):
            with socket.create_connection(("127.0.0.1", proxy.port)) as conn:
                conn.sendall(b"PING\r\n")
                assert conn.recv(64).startswith(b"+PONG")
            proxy.hanging()
            assert proxy.held == 0
            proxy.passing()

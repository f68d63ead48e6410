"""Where the real backing services live, and a loud failure when one is missing.

Tests never skip because PostgreSQL or Redis is down: a missing service is
a broken test environment, and ``require_*`` fails the test saying so.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

POSTGRES_URL = os.environ.get(
    "DOCKERFLOW_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("DOCKERFLOW_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def require_postgres() -> None:
    if not _reachable("127.0.0.1", 5432):
        pytest.fail(
            "PostgreSQL is not running on 127.0.0.1:5432; .ci/run starts it",
            pytrace=False,
        )


def require_redis() -> None:
    if not _reachable("127.0.0.1", 6379):
        pytest.fail(
            "Redis is not running on 127.0.0.1:6379; .ci/run starts it", pytrace=False
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def refused_port() -> int:
    """A local port where nothing listens, so connecting is refused."""
    return free_port()


@contextmanager
def hung_server() -> Iterator[int]:
    """A local TCP server that accepts connections and never answers.

    Yields its port. Stands in for a Redis or database that hangs.
    """
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=2)
        for conn in held:
            conn.close()
        server.close()

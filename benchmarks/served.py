"""Pages timed from outside: gunicorn serves the benchmarks' site, a staff
session asks, and each page reports its best and median of N.

The session is made by Django in this process and sent as a cookie, so the
server sees a logged-in staff user exactly as a browser's requests.
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def gunicorn(url: str, workers: int) -> Iterator[int]:
    """gunicorn with ``workers`` sync workers on a free port; stopped after."""
    port = free_port()
    env = {**os.environ, "DOCKERFLOW_BENCH_POSTGRES_URL": url, "PYTHONPATH": str(ROOT)}
    command = [
        str(BIN / "gunicorn"),
        "benchmarks.history_wsgi",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--log-level=warning",
        "--timeout=120",
    ]
    if Path("/dev/shm").is_dir():  # heartbeat files off a slow disk
        command.append("--worker-tmp-dir=/dev/shm")
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def staff_cookie() -> str:
    """A session of a staff superuser, as the admin's login would make it."""
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client

    user, _ = User.objects.get_or_create(
        username="bench", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def get(port: int, path: str, params: dict[str, Any], cookie: str) -> tuple[int, float]:
    """One GET on a fresh connection, as a browser's first; (status, ms)."""
    query = urlencode(params, doseq=True)
    target = f"{path}?{query}" if query else path
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", target, headers={"Cookie": cookie, "Host": "127.0.0.1"})
        response = conn.getresponse()
        response.read()
    finally:
        conn.close()
    return response.status, (time.perf_counter() - started) * 1000


def timed(
    port: int, path: str, params: dict[str, Any], cookie: str, repeat: int
) -> dict[str, float]:
    """Best, median and worst of ``repeat`` GETs, after one that warms a worker."""
    status, _ms = get(port, path, params, cookie)
    assert status == 200, (path, params, status)
    times = []
    for _ in range(repeat):
        status, ms = get(port, path, params, cookie)
        assert status == 200, (path, params, status)
        times.append(ms)
    return {"best": min(times), "median": statistics.median(times), "max": max(times)}

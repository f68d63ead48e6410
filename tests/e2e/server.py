"""Run an app under a real server in a subprocess and talk HTTP to it.

Used by the end-to-end tests of every framework: ``serve`` starts the
command, waits until the port answers, and always stops the process.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


def request(
    port: int,
    path: str,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    timeout: float = 15.0,
) -> Response:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, headers=dict(headers or {}))
        resp = conn.getresponse()
        body = resp.read()
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, body)
    finally:
        conn.close()


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    log_path: Path

    def request(self, path: str, method: str = "GET", **kwargs: object) -> Response:
        return request(self.port, path, method, **kwargs)  # type: ignore[arg-type]

    def output(self) -> str:
        """Everything the server wrote to stdout and stderr so far."""
        return self.log_path.read_text(errors="replace")


@contextmanager
def serve(
    command: list[str],
    port: int,
    env: Mapping[str, str] | None = None,
    cwd: Path | str = ROOT,
    ready_path: str = "/__lbheartbeat__",
    startup_timeout: float = 60.0,
) -> Iterator[Server]:
    """Start ``command`` and yield once ``ready_path`` answers on ``port``."""
    full_env = dict(
        os.environ, PYTHONUNBUFFERED="1", PATH=f"{BIN}:{os.environ.get('PATH', '')}"
    )
    full_env.update(env or {})
    with tempfile.TemporaryDirectory() as tmp:
        log_path = Path(tmp) / "server.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                command, cwd=cwd, env=full_env, stdout=log, stderr=subprocess.STDOUT
            )
            server = Server(port, process, log_path)
            try:
                deadline = time.monotonic() + startup_timeout
                while True:
                    if process.poll() is not None:
                        raise RuntimeError(f"server exited early:\n{server.output()}")
                    try:
                        request(port, ready_path, timeout=2)
                        break
                    except OSError:
                        if time.monotonic() > deadline:
                            raise RuntimeError(
                                f"server never answered:\n{server.output()}"
                            ) from None
                        time.sleep(0.2)
                yield server
            finally:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


MOZLOG_KEYS = {
    "Timestamp",
    "Type",
    "Logger",
    "Hostname",
    "EnvVersion",
    "Severity",
    "Pid",
    "Fields",
}


def mozlog_records(server: Server, logger_name: str) -> list[dict[str, Any]]:
    """Every line the server wrote, each asserted to be a mozlog record."""
    lines = [line for line in server.output().splitlines() if line.strip()]
    parsed = [json.loads(line) for line in lines]  # every line is JSON
    for record in parsed:
        assert set(record) == MOZLOG_KEYS, record
        assert record["Logger"] == logger_name and record["EnvVersion"] == "2.0"
    return parsed


def summaries_for(server: Server, rid: str, logger_name: str) -> list[dict[str, Any]]:
    """The request.summary records carrying ``rid``, waiting briefly for them:
    a server may write the record just after sending the response."""
    deadline = time.monotonic() + 5
    while True:
        found = [
            r
            for r in mozlog_records(server, logger_name)
            if r["Type"] == "request.summary" and r["Fields"].get("rid") == rid
        ]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)

"""Run an app under a real server in a subprocess and talk HTTP to it.

Used by the end-to-end tests of every framework: ``serve`` starts the
command, waits until the port answers, and always stops the process.
"""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

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

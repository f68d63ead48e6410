"""A real HTTP receiver for webhook tests: it keeps every POST it is sent, and
the test decides whether it answers, what, and whether it is up at all.

``down()`` closes its socket (a connection is refused, as for a receiver that
is being redeployed); ``up()`` listens on the same port again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    at: float
    path: str
    headers: dict[str, str]
    body: bytes
    #: The sender's (host, port), to find the process that holds the connection.
    peer: tuple[str, int] = ("", 0)

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    def verifies(self, secret: str) -> bool:
        """The receiver's side of the signature, as docs/notifications.rst has it."""
        expected = hmac.new(secret.encode(), self.body, hashlib.sha256).hexdigest()
        sent = self.headers.get("x-dockerflow-signature-256", "")
        return hmac.compare_digest(f"sha256={expected}", sent)


class Receiver:
    def __init__(self) -> None:
        self.received: list[Received] = []
        #: What it answers: a status code, or "hang" to never answer.
        self.answer: int | str = 200
        self.location = ""
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.port = 0
        self.up()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def up(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                with receiver._lock:
                    receiver.received.append(
                        Received(
                            time.monotonic(),
                            self.path,
                            headers,
                            body,
                            self.client_address[:2],
                        )
                    )
                    answer = receiver.answer
                if answer == "hang":
                    time.sleep(3600)
                    return
                self.send_response(int(answer))
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()

    def down(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def bodies(self) -> list[Any]:
        with self._lock:
            return [r.json for r in self.received]

    def wait_for(self, count: int, timeout: float) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.02)
        with self._lock:
            return list(self.received)


@contextmanager
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    try:
        yield r
    finally:
        r.down()

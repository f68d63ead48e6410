"""Per-request cost of the FastAPI middlewares, ours beside python-dockerflow 2026.3.4's.

The same script runs in both venvs (the seed's is built on first use), rounds
interleaved; it prints both overheads and their ratio, timed, then counted
in instructions by callgrind (see callgrind.py), which a busy machine does
not move. Each ASGI app is called directly on one event loop, without a
server, so the figures are the app's and the middlewares' own.
Run: python benchmarks/fastapi_middleware.py [--no-count | --count-only]
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import callgrind
from sidebyside import PROCESSES, Scenarios, compare, report, serve

PLAIN = "plain view, no middleware"
WITH = "plain view + both middlewares"
QUIET = "  the same, summary not logged"
PROBE = "/__lbheartbeat__ + both middlewares"
PROBE_QUIET = "  the same, summary not logged "


def configure_logging() -> None:
    """As in production, the record formatted as JSON; then thrown away."""
    from dockerflow.logging import JsonLogFormatter

    handler = logging.FileHandler(os.devnull)
    handler.setFormatter(JsonLogFormatter())
    summary = logging.getLogger("request.summary")
    summary.addHandler(handler)
    summary.setLevel(logging.INFO)


def as_wsgi(app: Any) -> Callable[..., Iterable[bytes]]:
    """``app`` called the way sidebyside times a WSGI app: the environ's
    request as an ASGI scope, run to completion on one loop."""
    loop = asyncio.new_event_loop()

    def call(
        environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> list[bytes]:
        headers = [
            (key[5:].replace("_", "-").lower().encode(), value.encode())
            for key, value in environ.items()
            if key.startswith("HTTP_")
        ]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": environ["REQUEST_METHOD"],
            "scheme": "http",
            "path": environ["PATH_INFO"],
            "raw_path": environ["PATH_INFO"].encode(),
            "root_path": "",
            "query_string": b"",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
        }
        body: list[bytes] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start_response(f"{message['status']} OK", [])
            elif message["type"] == "http.response.body":
                body.append(message.get("body", b""))

        loop.run_until_complete(app(scope, receive, send))
        return body

    return call


def scenarios() -> Scenarios:
    from fastapi import FastAPI
    from fastapi.responses import PlainTextResponse

    # Both packages' import paths.
    from dockerflow.fastapi import router
    from dockerflow.fastapi.middleware import (
        MozlogRequestSummaryLogger,
        RequestIdMiddleware,
    )

    def app(middleware: bool) -> Any:
        app = FastAPI()

        # async: a plain def would run on the thread pool, whose hand-offs
        # would swamp the middlewares' cost in noise.
        @app.get("/hello/")
        async def hello() -> PlainTextResponse:
            return PlainTextResponse("hello")

        if middleware:
            app.include_router(router)
            # The logger given, so neither side adds a stdout handler of
            # its own: stdout is this worker's line to the orchestrator.
            summary = logging.getLogger("request.summary")
            app.add_middleware(MozlogRequestSummaryLogger, logger=summary)
            app.add_middleware(RequestIdMiddleware)
        return as_wsgi(app)

    plain, ours = app(False), app(True)
    return {
        PLAIN: (plain, "/hello/", True),
        WITH: (ours, "/hello/", True),
        QUIET: (ours, "/hello/", False),
        PROBE: (ours, "/__lbheartbeat__", True),
        PROBE_QUIET: (ours, "/__lbheartbeat__", False),
    }


FRAMEWORKS = ["fastapi", "starlette", "pydantic", "pydantic_core", "asgiref"]
ROWS = (PLAIN, WITH, QUIET, PROBE, PROBE_QUIET)


def timed(number: int = 2_000, rounds: int = 12) -> list[dict[str, float]]:
    infos, times = compare(Path(__file__), FRAMEWORKS, number, rounds)
    print(
        f"{number} requests x {rounds} rounds, alternating between the two venvs,"
        f" {PROCESSES} worker processes each"
    )
    return report(infos, times, ROWS, "middleware", "the middlewares")


def counted(number: int = 300) -> dict[str, float]:
    # The probes apart: python-dockerflow's sync probe view leaves threads behind.
    groups = [[PLAIN, WITH, QUIET], [PROBE, PROBE_QUIET]]
    counts = callgrind.instructions(Path(__file__), FRAMEWORKS, number, groups)
    overheads = [(WITH, "middleware"), (QUIET, "  summary not logged,")]
    return callgrind.report_instructions(counts, ROWS, PLAIN, overheads, number)


def main() -> None:
    if "--count-only" not in sys.argv:
        timed()
    if "--no-count" in sys.argv:
        return
    if not callgrind.available():
        print("valgrind not found: no instruction counts (apt-get install valgrind)")
        return
    counted()


if __name__ == "__main__":
    if "--worker" in sys.argv:
        configure_logging()
        serve(scenarios(), "fastapi")
    elif "--count" in sys.argv:
        configure_logging()
        callgrind.count_worker(scenarios(), sys.argv[sys.argv.index("--count") + 1 :])
    else:
        main()

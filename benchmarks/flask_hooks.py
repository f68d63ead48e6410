"""Per-request cost of the Flask extension's hooks, ours beside python-dockerflow 2026.3.4's.

The same script runs in both venvs (the seed's is built on first use), rounds
interleaved; it prints both overheads and their ratio. Run: python benchmarks/flask_hooks.py
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from sidebyside import PROCESSES, Scenarios, compare, report, serve

PLAIN = "plain view, no extension"
WITH = "plain view + Dockerflow(app)"
QUIET = "  the same, summary not logged"
PROBE = "/__lbheartbeat__ + Dockerflow(app)"
PROBE_QUIET = "  the same, summary not logged "


def configure_logging() -> None:
    """As in production, the record formatted as JSON; then thrown away."""
    from dockerflow.logging import JsonLogFormatter

    handler = logging.FileHandler(os.devnull)
    handler.setFormatter(JsonLogFormatter())
    summary = logging.getLogger("request.summary")
    summary.addHandler(handler)
    summary.setLevel(logging.INFO)


def scenarios() -> Scenarios:
    import flask

    from dockerflow.flask import Dockerflow  # both packages' import path

    def app(extension: bool) -> flask.Flask:
        app = flask.Flask(f"bench{extension}")

        @app.route("/hello/")
        def hello() -> flask.Response:
            return flask.Response(b"hello", content_type="text/plain")

        if extension:
            Dockerflow(app)
        return app

    plain, ours = app(False), app(True)
    return {
        PLAIN: (plain, "/hello/", True),
        WITH: (ours, "/hello/", True),
        QUIET: (ours, "/hello/", False),
        PROBE: (ours, "/__lbheartbeat__", True),
        PROBE_QUIET: (ours, "/__lbheartbeat__", False),
    }


def main(number: int = 2_000, rounds: int = 12) -> list[dict[str, float]]:
    # The seed's Flask extension imports SQLAlchemy even when unused.
    infos, times = compare(Path(__file__), ["Flask", "SQLAlchemy"], number, rounds)
    print(
        f"{number} requests x {rounds} rounds, alternating between the two venvs,"
        f" {PROCESSES} worker processes each"
    )
    rows = (PLAIN, WITH, QUIET, PROBE, PROBE_QUIET)
    return report(infos, times, rows, "extension", "the extension")


if __name__ == "__main__":
    if "--worker" in sys.argv:
        configure_logging()
        serve(scenarios(), "Flask")
    else:
        main()

"""Per-request cost of the Flask extension's hooks, ours beside python-dockerflow 2026.3.4's.

The same script runs in both venvs (the seed's is built on first use), rounds
interleaved; it prints both overheads and their ratio. Run: python benchmarks/flask_hooks.py
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from sidebyside import Scenarios, compare, median_of, print_table, serve

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


def main(number: int = 2_000, rounds: int = 11) -> list[dict[str, float]]:
    # The seed's Flask extension imports SQLAlchemy even when unused.
    infos, times = compare(Path(__file__), ["Flask", "SQLAlchemy"], number, rounds)
    print(f"{number} requests x {rounds} rounds, alternating between the two venvs")
    print_table(infos, times, [PLAIN, WITH, QUIET, PROBE, PROBE_QUIET])
    ours, seed = (
        {
            "logged": median_of(t, WITH, PLAIN),
            "quiet": median_of(t, QUIET, PLAIN),
            "probe": median_of(t, PROBE),
            "plain": median_of(t, PLAIN),
            "probe-plain": median_of(t, PROBE, PLAIN),
        }
        for t in times
    )
    print(
        f"extension overhead: ours {ours['logged']:.1f} µs, seed {seed['logged']:.1f} µs,"
        f" ratio {ours['logged'] / seed['logged']:.2f}"
    )
    print(
        f"  summary not logged: ours {ours['quiet']:.1f} µs, seed {seed['quiet']:.1f} µs,"
        f" ratio {ours['quiet'] / seed['quiet']:.2f}"
    )
    print(
        f"/__lbheartbeat__: ours {ours['probe']:.1f} µs beside the plain view's"
        f" {ours['plain']:.1f} µs without the extension"
        f" ({ours['probe-plain']:+.1f} µs); seed {seed['probe']:.1f} µs"
    )
    return [ours, seed]


if __name__ == "__main__":
    if "--worker" in sys.argv:
        configure_logging()
        serve(scenarios(), "Flask")
    else:
        main()

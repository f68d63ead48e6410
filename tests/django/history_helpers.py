"""Heartbeat results made to order for the history tests, at chosen times.

``run(at, db="error")`` is a run at ``T0 + at`` seconds whose ``db`` check
fails; unnamed checks of :data:`CHECKS` pass.
"""

from __future__ import annotations

import datetime as dt

from dockerflow.checks import CheckResult, HeartbeatResult
from dockerflow.checks.messages import CheckMessage

T0 = dt.datetime(2026, 3, 4, 10, 0, tzinfo=dt.timezone.utc)
CHECKS = ("cache", "db")
LEVELS = {"ok": 0, "info": 20, "warning": 30, "error": 40, "critical": 50}


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def run(seconds: float = 0.0, *, ms: float = 2.0, **statuses: str) -> HeartbeatResult:
    checks = []
    for name in sorted(set(CHECKS) | set(statuses)):
        level = LEVELS[statuses.get(name, "ok")]
        messages = (
            (CheckMessage(f"{name} is {statuses[name]}", level, id=f"tests.{name}"),)
            if level
            else ()
        )
        checks.append(CheckResult(name, messages, duration=ms / 1000.0))
    return HeartbeatResult(
        checks=tuple(checks),
        started_at=at(seconds).timestamp(),
        duration=ms / 1000.0,
    )


#: Which worker sees which status of the db check, every 10 seconds.
ROUNDS = [
    ("a", "ok"),
    ("b", "error"),
    ("a", "ok"),
    ("b", "ok"),
    ("b", "error"),
    ("a", "error"),
    ("a", "ok"),
    ("b", "error"),
    ("a", "error"),
    ("b", "ok"),
    ("a", "ok"),
    ("a", "error"),
    ("b", "error"),
    ("a", "ok"),
]


def due(rounds: list[tuple[str, str]]) -> list[tuple[float, str, str, str]]:
    """Each flip of the host as a whole and of its db check, at its time."""
    flips = []
    for number in range(1, len(rounds)):
        old, new = rounds[number - 1][1], rounds[number][1]
        if old != new:
            flips += [(number * 10.0, "", old, new), (number * 10.0, "db", old, new)]
    return flips

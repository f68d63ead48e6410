"""One heartbeat run as the history keeps it: its names fitted to their columns,
its statuses by name, and the signature that tells a changed run from the last.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from dockerflow.checks import CheckResult, HeartbeatResult

from .aggregates import status_counter
from .text import fitted, storable

__all__ = ["Seen", "Sighting", "observe"]


@dataclass(frozen=True)
class Sighting:
    """A host's statuses at one moment: ``""`` for the whole run, and each check's."""

    time: dt.datetime
    statuses: dict[str, str]
    #: The checks at error or worse, by name.
    failing: list[str]


@dataclass
class Seen:
    """A run of ``host``; every name in it is the name the tables hold."""

    host: str
    started: float
    version: str
    result: HeartbeatResult
    #: Each check under its stored name.
    checks: list[tuple[str, CheckResult]]
    #: ``(name, level, ms)`` of each check, then of the whole run under "".
    runs: list[tuple[str, int, float]]
    signature: str
    time: dt.datetime = field(init=False)

    def __post_init__(self) -> None:
        self.time = dt.datetime.fromtimestamp(self.started, dt.timezone.utc)

    @property
    def level(self) -> int:
        return self.runs[-1][1]

    def sighting(self) -> Sighting:
        return Sighting(
            self.time,
            {name: status_counter(level) for name, level, _ms in self.runs},
            [name for name, check in self.checks if check.failed],
        )


def observe(result: HeartbeatResult, host: str, version: str, started: float) -> Seen:
    """``result`` as the history keeps it (``host`` and ``version`` fitted already)."""
    checks = [(fitted(check.name), check) for check in result]
    runs = [(name, check.level, check.duration * 1000.0) for name, check in checks]
    level = max((lv for _name, lv, _ms in runs), default=0)
    runs.append(("", level, result.duration * 1000.0))
    # Levels, not status words: the same for "changed or not", and cheaper.
    signature = json.dumps([version, sorted((n, lv) for n, lv, _ms in runs)])
    return Seen(host, started, version, result, checks, runs, signature)


def messages(check: CheckResult) -> list[dict[str, Any]]:
    """A check's messages as a CheckRun holds them, their text storable."""
    return [
        {
            "id": None if message.id is None else storable(str(message.id)),
            "msg": storable(str(message.msg)),
        }
        for message in check.messages
    ]

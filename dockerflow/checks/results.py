"""What a heartbeat run produces: one value that views, commands and history share.

A ``HeartbeatResult`` holds every check's messages and duration; ``payload()``
renders the seed's ``{"status", "checks", "details"}`` shape plus new keys only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .messages import ERROR, level_to_text

#: Checks at this level or worse make the heartbeat fail.
FAILURE_LEVEL = ERROR


def _ms(seconds: float) -> float:
    return round(seconds * 1000.0, 3)


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check in one heartbeat run."""

    name: str
    messages: tuple[Any, ...] = ()
    #: Wall-clock seconds the check took, or its timeout when it timed out.
    duration: float = 0.0
    timed_out: bool = False

    @property
    def level(self) -> int:
        return max((m.level for m in self.messages), default=0)

    @property
    def status(self) -> str:
        return level_to_text(self.level)

    @property
    def failed(self) -> bool:
        return self.level >= FAILURE_LEVEL

    def messages_by_id(self) -> dict[str, str]:
        """``{id: text}`` as the seed reports it, keeping every message.

        Messages that share an ID are joined with newlines rather than
        overwriting each other.
        """
        out: dict[str, str] = {}
        for message in self.messages:
            key = "" if message.id is None else str(message.id)
            text = str(message.msg)
            out[key] = f"{out[key]}\n{text}" if key in out else text
        return out

    def detail(self) -> dict[str, Any]:
        # python-dockerflow's shape, which users compare against; each
        # check's time is in the payload's top-level "durations_ms".
        return {
            "status": self.status,
            "level": self.level,
            "messages": self.messages_by_id(),
        }


@dataclass(frozen=True)
class HeartbeatResult:
    """Every check's result from one run, in registration order.

    It also answers to the ``details``, ``statuses`` and ``level`` attributes
    of python-dockerflow's ``ChecksResults``.
    """

    checks: tuple[CheckResult, ...] = ()
    #: Seconds since the epoch when the run started.
    started_at: float = 0.0
    #: Wall-clock seconds the whole run took.
    duration: float = 0.0
    #: True when this value was served from the engine's cache.
    cached: bool = field(default=False, compare=False)

    def __iter__(self) -> Iterator[CheckResult]:
        return iter(self.checks)

    def __getitem__(self, name: str) -> CheckResult:
        for check in self.checks:
            if check.name == name:
                return check
        raise KeyError(name)

    @property
    def level(self) -> int:
        return max((c.level for c in self.checks), default=0)

    @property
    def status(self) -> str:
        return level_to_text(self.level)

    @property
    def passed(self) -> bool:
        return self.level < FAILURE_LEVEL

    @property
    def failed(self) -> bool:
        return not self.passed

    @property
    def statuses(self) -> dict[str, str]:
        return {c.name: c.status for c in self.checks}

    @property
    def details(self) -> dict[str, dict[str, Any]]:
        """Details of the checks that reported anything, as the seed shows them."""
        return {c.name: c.detail() for c in self.checks if c.level > 0}

    @property
    def durations(self) -> dict[str, float]:
        """Seconds each check took."""
        return {c.name: c.duration for c in self.checks}

    def payload(self, details: bool = True) -> dict[str, Any]:
        """The JSON body of ``/__heartbeat__``.

        With ``details=False`` only ``{"status"}`` is given, for callers who
        may not see message texts (they can name hosts and users).
        """
        if not details:
            return {"status": self.status}
        return {
            "status": self.status,
            "checks": self.statuses,
            "details": self.details,
            "duration_ms": _ms(self.duration),
            "durations_ms": {c.name: _ms(c.duration) for c in self.checks},
        }


#: python-dockerflow's name for a run's results.
ChecksResults = HeartbeatResult

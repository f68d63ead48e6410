"""Whether a heartbeat run needs the database, decided in memory from what the
process last learned about its host: most runs need nothing but counting.
"""

from __future__ import annotations

from dataclasses import dataclass

from dockerflow.checks import HeartbeatResult

from .store import ALWAYS, IF_DUE, NEVER
from .table import ALL, History

__all__ = ["Known", "database_failed", "decide", "unreachable"]


@dataclass
class Known:
    """What this process last learned from the database about its host."""

    signature: str = ""
    stored_at: float | None = None


def decide(
    settings: History,
    force: bool,
    known: Known | None,
    signature: str,
    started: float,
    owed: bool = False,
) -> str:
    """What a visit would do with a run: ALWAYS, IF_DUE or NEVER store it.

    ``owed``: the backlog holds sightings of the host, which the first visit
    writes, so the run goes to the database even if it changed nothing.
    """
    if force or settings.mode == ALL:
        return ALWAYS
    if (
        owed
        or known is None
        or known.signature != signature
        or known.stored_at is None
        or started - known.stored_at >= settings.sample_seconds
    ):
        return IF_DUE
    return NEVER


def unreachable(now: float, retry_at: float, result: HeartbeatResult) -> str | None:
    """Why the database is left alone for this run, if it is."""
    # The run just found the database down or hung: writing to it would
    # fail, or hold the heartbeat until a socket gives up.
    if database_failed(result):
        return "the run found the database failing"
    # After a failed write the database is left alone for a while, unless
    # this run's own check just reached it: the outage is over, and the
    # history says so now, not when the pause ends.
    if now < retry_at and not database_answered(result):
        return "the database failed moments ago"
    return None


def database_failed(result: HeartbeatResult) -> bool:
    return any(c.failed and c.name.endswith("check_database_connected") for c in result)


def database_answered(result: HeartbeatResult) -> bool:
    """Whether the run has a database check, and every one of them passed."""
    found = [c for c in result if c.name.endswith("check_database_connected")]
    return bool(found) and not any(c.failed for c in found)

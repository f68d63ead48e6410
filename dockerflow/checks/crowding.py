"""A run at the bound: ``MAX_ATTEMPTS`` attempts of its check still running.

The newest of them started more than a timeout ago, during an outage
perhaps, so its answer would be about then. The run waits instead, for as
long as its own timeout allows, for one of them to end, and then starts a
fresh attempt: a service that came back passes on that run.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TypeVar

from .workers import Joined

#: How often a run at the bound looks for an attempt that ended (seconds).
SLOT_POLL = 0.02

W = TypeVar("W")


def uncrowded_sync(
    joined: Joined[W], again: Callable[[], Joined[W]], deadline: float
) -> Joined[W]:
    """What a run waits on: ``joined``, or when that run is at the bound, a
    fresh attempt (``again()``) once one of the running ends before
    ``deadline``."""
    while joined.crowded and time.perf_counter() + SLOT_POLL <= deadline:
        time.sleep(SLOT_POLL)
        joined = again()
    return joined


async def uncrowded(
    joined: Joined[W], again: Callable[[], Joined[W]], deadline: float
) -> Joined[W]:
    """``uncrowded_sync`` for a run on an event loop."""
    while joined.crowded and time.perf_counter() + SLOT_POLL <= deadline:
        await asyncio.sleep(SLOT_POLL)
        joined = again()
    return joined

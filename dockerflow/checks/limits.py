"""How long a check may take: the default, the most any setting may ask, and both
the strict reading (settings, registries) and the lenient one (the engine).

A timeout comes from a setting, a command line or a registration, where a bad
value is refused with a message; the engine itself takes any float it is
given and never raises for one.
"""

from __future__ import annotations

import math
from typing import Any

#: Seconds a check may take before it is reported as hung. Load balancers
#: commonly give a probe 5 seconds; this leaves room to answer inside that.
DEFAULT_TIMEOUT = 3.0

#: The longest timeout a setting, ``--timeout`` or a registration may ask for:
#: an hour is far past any probe's patience, and well inside the longest wait
#: Python's threading accepts (``threading.TIMEOUT_MAX``, which 1e10 exceeds).
MAX_TIMEOUT = 3600.0

__all__ = ["DEFAULT_TIMEOUT", "MAX_TIMEOUT", "clamp_timeout", "valid_timeout"]


def valid_timeout(value: Any) -> float:
    """``value`` as seconds, or a ValueError saying what is wrong with it."""
    if isinstance(value, bool):
        raise ValueError(f"is not a number of seconds: {value!r}")
    try:
        seconds = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"is not a number of seconds: {value!r}") from None
    if not math.isfinite(seconds):
        raise ValueError(f"is not a finite number of seconds: {value!r}")
    if seconds <= 0:
        raise ValueError(f"must be positive, not {value!r}")
    if seconds > MAX_TIMEOUT:
        raise ValueError(f"must be at most {MAX_TIMEOUT:g} seconds, not {value!r}")
    return seconds


def clamp_timeout(value: float) -> float:
    """``value`` brought into what the engine can wait for: 0 to MAX_TIMEOUT,
    and NaN (no answer at all) the default."""
    if math.isnan(value):
        return DEFAULT_TIMEOUT
    return min(max(value, 0.0), MAX_TIMEOUT)

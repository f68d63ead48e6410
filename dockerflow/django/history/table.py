"""The one table of the history's DOCKERFLOW_HISTORY* settings: default, parser,
check ID and hint, as :data:`dockerflow.options.TABLE` is for the heartbeat's.

``conf.history`` parses the settings with it, the system checks report what
it refuses, and a test holds docs/settings.rst and docs/check-ids.rst to it.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["MODES", "NAME_LENGTH", "TABLE", "History", "Setting", "problems", "read"]

ALL, CHANGES, OFF = "all", "changes", "off"
MODES = (CHANGES, ALL, OFF)
#: The longest host or check name a history row holds (its ``max_length``).
NAME_LENGTH = 255
#: Ceilings that keep every interval and cutoff a date can still express.
MAX_SECONDS = 365 * 86400
MAX_DAYS = 100 * 365
#: The most runs a process may hold for its writer thread.
MAX_QUEUE = 100_000


@dataclass(frozen=True)
class Rule:
    """A limit the system checks report on a value the history can still use."""

    id: str
    #: Given the parsed value, why it breaks the rule, or None.
    broken: Callable[[Any], str | None]
    hint: str


@dataclass(frozen=True)
class Setting:
    """One DOCKERFLOW_HISTORY* setting."""

    key: str
    #: The attribute of :class:`History` that holds the parsed value.
    field: str
    default: Any
    #: Takes the value as set; raises ValueError saying what is wrong, in
    #: words that follow the setting's name.
    parse: Callable[[Any], Any]
    id: str
    hint: str
    rules: tuple[Rule, ...] = ()


def _mode(value: Any) -> str:
    if not isinstance(value, str) or value not in MODES:
        raise ValueError(f"must be one of {', '.join(map(repr, MODES))}, not {value!r}")
    return value


def _number(floor: float, ceiling: float) -> Callable[[Any], float]:
    def parse(value: Any) -> float:
        try:
            real = isinstance(value, numbers.Real) and not isinstance(value, bool)
            number = float(value) if real else math.nan
        except OverflowError:  # an int too large for a float
            number = math.inf
        # NaN fails every comparison, so it is refused here too.
        if not floor <= number <= ceiling:
            raise ValueError(f"is {value!r}, not a number from {floor} to {ceiling}")
        return number

    return parse


def _count(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"is {value!r}, not a whole number of at least 0")
    return value


def _queue(value: Any) -> int:
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or not 0 <= value <= MAX_QUEUE
    ):
        raise ValueError(f"is {value!r}, not a whole number from 0 to {MAX_QUEUE}")
    return value


def _host(value: Any) -> str | None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ValueError("must be a non-empty string or None")
    return value


def _long_host(host: str | None) -> str | None:
    if host is None or len(host) <= NAME_LENGTH:
        return None
    return f"is {len(host)} characters long, more than the {NAME_LENGTH} stored"


def _short_changes(days: float) -> str | None:
    if days >= 93:
        return None
    return f"keeps status changes {days:g} days, less than a quarter"


SECONDS = "Seconds, at least {} and at most a year."
DAYS = f"Days, at least 1 and at most {MAX_DAYS}."

TABLE: tuple[Setting, ...] = (
    Setting(
        "DOCKERFLOW_HISTORY",
        "mode",
        CHANGES,
        _mode,
        "dockerflow.E020",
        f"Use one of {', '.join(map(repr, MODES))}.",
    ),
    Setting(
        "DOCKERFLOW_HISTORY_SAMPLE_SECONDS",
        "sample_seconds",
        300,
        _number(1, MAX_SECONDS),
        "dockerflow.E021",
        SECONDS.format(1),
    ),
    Setting(
        "DOCKERFLOW_HISTORY_FLUSH_SECONDS",
        "flush_seconds",
        60,
        _number(0, MAX_SECONDS),
        "dockerflow.E021",
        SECONDS.format(0) + " 0 writes the counters with every run.",
    ),
    Setting(
        "DOCKERFLOW_HISTORY_QUEUE",
        "queue",
        100,
        _queue,
        "dockerflow.E021",
        f"Runs, at least 0 and at most {MAX_QUEUE}. 0 stores each run in the "
        "request that ran it.",
    ),
    Setting(
        "DOCKERFLOW_HISTORY_HOST",
        "host",
        None,
        _host,
        "dockerflow.E022",
        "None names each replica by socket.gethostname().",
        rules=(
            Rule(
                "dockerflow.E023",
                _long_host,
                "Use a shorter name: longer ones are stored shortened, with a "
                "hash of the whole name at the end.",
            ),
        ),
    ),
    Setting(
        "DOCKERFLOW_HISTORY_RETENTION_DAYS",
        "retention_days",
        30,
        _number(1, MAX_DAYS),
        "dockerflow.E021",
        DAYS,
    ),
    Setting(
        "DOCKERFLOW_HISTORY_KEEP_FAILED",
        "keep_failed",
        50,
        _count,
        "dockerflow.E021",
        "How many failed runs to keep per host and check; 0 keeps none.",
    ),
    Setting(
        "DOCKERFLOW_HISTORY_CHANGES_RETENTION_DAYS",
        "changes_retention_days",
        400,
        _number(1, MAX_DAYS),
        "dockerflow.E021",
        DAYS,
        rules=(
            Rule(
                "dockerflow.W020",
                _short_changes,
                "Keep them 93 days or more, so each of the last three months' "
                "downtime can be told.",
            ),
        ),
    ),
    Setting(
        "DOCKERFLOW_HISTORY_AGGREGATE_RETENTION_DAYS",
        "aggregate_retention_days",
        400,
        _number(1, MAX_DAYS),
        "dockerflow.E021",
        DAYS,
    ),
    Setting(
        "DOCKERFLOW_HISTORY_PRUNE_SECONDS",
        "prune_seconds",
        3600,
        _number(0, MAX_SECONDS),
        "dockerflow.E021",
        SECONDS.format(0) + " 0 leaves pruning to manage.py dockerflow_prune.",
    ),
)


@dataclass(frozen=True)
class History:
    """The parsed history settings; :func:`read` makes one from the table."""

    mode: str
    sample_seconds: float
    flush_seconds: float
    queue: int
    host: str | None
    retention_days: float
    keep_failed: int
    changes_retention_days: float
    aggregate_retention_days: float
    prune_seconds: float


def _given(values: Mapping[str, Any]) -> Iterator[tuple[Setting, Any]]:
    """Each setting with its value; ``values`` holds only the settings set."""
    for setting in TABLE:
        yield setting, values.get(setting.key, setting.default)


def read(values: Mapping[str, Any]) -> History:
    """The settings in ``values``, each refused one replaced by its default
    (the system checks report it at startup)."""
    parsed = {}
    for setting, value in _given(values):
        try:
            parsed[setting.field] = setting.parse(value)
        except ValueError:
            parsed[setting.field] = setting.parse(setting.default)
    return History(**parsed)


def problems(values: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """``(id, message, hint)`` for each value refused, or that breaks a rule."""
    found = []
    for setting, value in _given(values):
        try:
            parsed = setting.parse(value)
        except ValueError as exc:
            found.append((setting.id, f"{setting.key} {exc}.", setting.hint))
            continue
        for rule in setting.rules:
            reason = rule.broken(parsed)
            if reason is not None:
                found.append((rule.id, f"{setting.key} {reason}.", rule.hint))
    return found

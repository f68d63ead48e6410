"""DOCKERFLOW_WEBHOOKS, parsed: one :class:`Webhook` per entry, or the reason
an entry is refused (the system checks report it as dockerflow.E060).

Parsing never raises: a broken entry is left out and reported, the others
still get their deliveries.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

__all__ = ["DEFAULTS", "STATUS_ORDER", "Webhook", "parse"]

#: Statuses from best to worst; a webhook wants a change that reaches or
#: leaves its ``min_status``.
STATUS_ORDER = ("ok", "info", "warning", "error", "critical")
NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")

#: Every key an entry may set, with its default (None: required).
DEFAULTS: dict[str, Any] = {
    "name": None,
    "url": None,
    "secret": None,
    "checks": None,
    "min_status": "error",
    "messages": False,
    "format": "json",
    "timeout": 5.0,
    "max_age": 86400.0,
    "retry_max": 300.0,
    "per_minute": 30.0,
    "burst": 5,
}
FORMATS = ("json", "slack")


@dataclass(frozen=True)
class Webhook:
    name: str
    url: str
    secret: str
    #: Check names it wants ("" is the host as a whole); None: every change.
    checks: frozenset[str] | None
    min_status: str
    messages: bool
    format: str
    timeout: float
    max_age: float
    retry_max: float
    per_minute: float
    burst: int

    def wants(self, check: str, old: str, new: str) -> bool:
        """Whether a change of ``check`` from ``old`` to ``new`` is for it:
        one that reaches its lowest status, or recovers from it."""
        if self.checks is not None and check not in self.checks:
            return False
        floor = STATUS_ORDER.index(self.min_status)
        return any(s in STATUS_ORDER[floor:] for s in (old, new))


def _seconds(key: str, value: Any, low: float = 0.0) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(value)
        or value <= low
    ):
        raise ValueError(f"{key!r} must be a number above {low:g}")
    return float(value)


def _text(values: Mapping[str, Any]) -> None:
    for key in ("name", "url", "secret"):
        if not isinstance(values[key], str) or not values[key]:
            raise ValueError(f"needs {key!r}, a non-empty string")
    if not NAME.fullmatch(values["name"]):
        raise ValueError("'name' must be 1 to 64 letters, digits, '.', '_' or '-'")
    parts = urlsplit(values["url"])
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("'url' must be an http:// or https:// URL with a host")


def _checks(checks: Any) -> frozenset[str] | None:
    if checks is None:
        return None
    if isinstance(checks, str) or not isinstance(checks, Iterable):
        raise ValueError("'checks' must be a list of check names, or None")
    names = frozenset(checks)
    if not all(isinstance(name, str) for name in names):
        raise ValueError("'checks' must hold only strings")
    return names


def _choice(key: str, value: Any, choices: tuple[Any, ...]) -> Any:
    if value not in choices:
        raise ValueError(f"{key!r} must be one of {', '.join(map(str, choices))}")
    return value


def _one(entry: Any) -> Webhook:
    if not isinstance(entry, Mapping):
        raise ValueError("must be a dict")
    unknown = sorted(set(map(str, entry)) - set(DEFAULTS))
    if unknown:
        raise ValueError(f"has unknown keys {unknown}")
    values = {**DEFAULTS, **entry}
    _text(values)
    if not isinstance(values["messages"], bool):
        raise ValueError("'messages' must be True or False")
    burst = values["burst"]
    if isinstance(burst, bool) or not isinstance(burst, int) or burst < 1:
        raise ValueError("'burst' must be a whole number of at least 1")
    return Webhook(
        name=values["name"],
        url=values["url"],
        secret=values["secret"],
        checks=_checks(values["checks"]),
        min_status=_choice("min_status", values["min_status"], STATUS_ORDER),
        messages=values["messages"],
        format=_choice("format", values["format"], FORMATS),
        timeout=_seconds("timeout", values["timeout"]),
        max_age=_seconds("max_age", values["max_age"]),
        retry_max=_seconds("retry_max", values["retry_max"]),
        per_minute=_seconds("per_minute", values["per_minute"]),
        burst=burst,
    )


def parse(value: Any) -> tuple[dict[str, Webhook], list[str]]:
    """The webhooks of DOCKERFLOW_WEBHOOKS by name, and what is wrong with it."""
    if value is None:
        return {}, []
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        return {}, ["DOCKERFLOW_WEBHOOKS must be a list of dicts"]
    hooks: dict[str, Webhook] = {}
    problems = []
    for index, entry in enumerate(value):
        try:
            hook = _one(entry)
        except ValueError as exc:
            problems.append(f"DOCKERFLOW_WEBHOOKS[{index}] {exc}")
            continue
        if hook.name in hooks:
            problems.append(
                f"DOCKERFLOW_WEBHOOKS[{index}] repeats the name {hook.name!r}"
            )
            continue
        hooks[hook.name] = hook
    return hooks, problems

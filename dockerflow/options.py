"""The DOCKERFLOW_* options the Flask and Sanic extensions read from app.config.

One set of defaults and one parser, so both frameworks accept the same values,
including the strings that configuration from environment variables gives.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from .checks.engine import DEFAULT_TIMEOUT
from .endpoints import DEFAULT_FAILED_STATUS, DETAIL_POLICIES, DETAILS_AUTHORIZED

#: Every key, with the value used when the app sets none.
DEFAULTS: dict[str, Any] = {
    "DOCKERFLOW_HEARTBEAT_DETAILS": DETAILS_AUTHORIZED,
    "DOCKERFLOW_HEARTBEAT_TOKEN": None,
    "DOCKERFLOW_CHECK_TIMEOUT": DEFAULT_TIMEOUT,
    "DOCKERFLOW_HEARTBEAT_CACHE_SECONDS": 0,
    "DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE": DEFAULT_FAILED_STATUS,
    "DOCKERFLOW_REQUEST_ID_HEADER_NAME": "X-Request-ID",
    "DOCKERFLOW_SUMMARY_LOG_QUERYSTRING": False,
}

_FALSE_WORDS = frozenset({"", "0", "false", "no", "off", "none"})


@dataclass(frozen=True)
class Options:
    """The parsed DOCKERFLOW_* options of one app."""

    details: str
    token: str | None
    timeout: float
    cache_seconds: float
    failed_status: int
    request_id_header: str
    log_querystring: bool


def apply_defaults(config: MutableMapping[str, Any]) -> None:
    """Set each key the app left unset; keys it set are never touched."""
    for key, value in DEFAULTS.items():
        if key not in config:
            config[key] = value


def flag(value: Any) -> bool:
    """A boolean option, accepting words like "off" from environment variables."""
    if isinstance(value, str):
        return value.strip().lower() not in _FALSE_WORDS
    return bool(value)


def _number(key: str, value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{key} is not a number: {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{key} is not a number: {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"{key} is not a finite number: {value!r}")
    return number


def read_options(config: Mapping[str, Any]) -> Options:
    """The options in ``config``; a ValueError names the first bad key."""

    def get(key: str) -> Any:
        value = config.get(key)
        return DEFAULTS[key] if value is None else value

    details = str(get("DOCKERFLOW_HEARTBEAT_DETAILS")).strip().lower()
    if details not in DETAIL_POLICIES:
        raise ValueError(
            f"DOCKERFLOW_HEARTBEAT_DETAILS must be one of {', '.join(DETAIL_POLICIES)},"
            f" not {config.get('DOCKERFLOW_HEARTBEAT_DETAILS')!r}"
        )
    status = _number(
        "DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE",
        get("DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE"),
    )
    if status != int(status) or not 500 <= status <= 599:
        raise ValueError(
            "DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE must be a 5xx status code,"
            f" not {config.get('DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE')!r}"
        )
    timeout = _number("DOCKERFLOW_CHECK_TIMEOUT", get("DOCKERFLOW_CHECK_TIMEOUT"))
    if timeout <= 0:
        raise ValueError(f"DOCKERFLOW_CHECK_TIMEOUT must be positive, not {timeout:g}")
    cache = _number(
        "DOCKERFLOW_HEARTBEAT_CACHE_SECONDS", get("DOCKERFLOW_HEARTBEAT_CACHE_SECONDS")
    )
    if cache < 0:
        raise ValueError(
            f"DOCKERFLOW_HEARTBEAT_CACHE_SECONDS must be 0 or more, not {cache:g}"
        )
    token = config.get("DOCKERFLOW_HEARTBEAT_TOKEN")
    return Options(
        details=details,
        token=str(token) if token else None,
        timeout=timeout,
        cache_seconds=cache,
        failed_status=int(status),
        request_id_header=str(get("DOCKERFLOW_REQUEST_ID_HEADER_NAME")).strip()
        or "X-Request-ID",
        log_querystring=flag(get("DOCKERFLOW_SUMMARY_LOG_QUERYSTRING")),
    )

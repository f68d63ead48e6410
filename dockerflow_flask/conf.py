"""The Flask extension's DOCKERFLOW_* config keys: defaults, and one validated read.

Defaults go into ``app.config`` only where a key is unset; values are read
per request, so changing ``app.config`` after ``init_app`` takes effect.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from dockerflow import endpoints
from dockerflow.checks import DEFAULT_TIMEOUT

DEFAULTS: dict[str, Any] = {
    "DOCKERFLOW_HEARTBEAT_DETAILS": endpoints.DETAILS_AUTHORIZED,
    "DOCKERFLOW_HEARTBEAT_TOKEN": None,
    "DOCKERFLOW_CHECK_TIMEOUT": DEFAULT_TIMEOUT,
    "DOCKERFLOW_HEARTBEAT_CACHE_SECONDS": 0,
    "DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE": endpoints.DEFAULT_FAILED_STATUS,
    "DOCKERFLOW_REQUEST_ID_HEADER_NAME": "X-Request-ID",
    "DOCKERFLOW_SUMMARY_LOG_QUERYSTRING": False,
}


@dataclass(frozen=True)
class Settings:
    details: str
    token: str | None
    timeout: float
    cache_seconds: float
    failed_status: int
    request_id_header: str
    log_querystring: bool


def apply_defaults(config: MutableMapping[str, Any]) -> None:
    for key, value in DEFAULTS.items():
        config.setdefault(key, value)


def _number(config: Mapping[str, Any], key: str, minimum: float) -> float:
    value = config.get(key, DEFAULTS[key])
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{key} must be a number, not {value!r}") from None
    if not number >= minimum:  # also rejects NaN
        raise ValueError(f"{key} must be at least {minimum:g}, not {value!r}")
    return number


def read(config: Mapping[str, Any]) -> Settings:
    """The settings in ``config``; ValueError names the first bad key."""
    details = config.get("DOCKERFLOW_HEARTBEAT_DETAILS", endpoints.DETAILS_AUTHORIZED)
    if details not in endpoints.DETAIL_POLICIES:
        choices = ", ".join(endpoints.DETAIL_POLICIES)
        raise ValueError(
            f"DOCKERFLOW_HEARTBEAT_DETAILS must be one of {choices}, not {details!r}"
        )
    status = config.get("DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE", 500)
    if isinstance(status, str) and status.strip().isdigit():
        status = int(status)  # from an environment variable
    if isinstance(status, bool) or not isinstance(status, int) or status // 100 != 5:
        raise ValueError(
            "DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE must be a 5xx status code, "
            f"not {status!r}"
        )
    timeout = _number(config, "DOCKERFLOW_CHECK_TIMEOUT", 0)
    if timeout == 0:
        raise ValueError("DOCKERFLOW_CHECK_TIMEOUT must be more than 0 seconds")
    return Settings(
        details=details,
        token=config.get("DOCKERFLOW_HEARTBEAT_TOKEN"),
        timeout=timeout,
        cache_seconds=_number(config, "DOCKERFLOW_HEARTBEAT_CACHE_SECONDS", 0),
        failed_status=status,
        request_id_header=str(
            config.get("DOCKERFLOW_REQUEST_ID_HEADER_NAME") or "X-Request-ID"
        ),
        log_querystring=bool(config.get("DOCKERFLOW_SUMMARY_LOG_QUERYSTRING")),
    )

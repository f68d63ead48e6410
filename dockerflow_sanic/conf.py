"""The DOCKERFLOW_* keys of a Sanic app's config: defaults, parsing, validation.

Defaults fill only keys the app left unset; values are read at request time,
so changing ``app.config`` after ``init_app`` takes effect.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

from dockerflow.checks import DEFAULT_TIMEOUT
from dockerflow.endpoints import (
    DEFAULT_FAILED_STATUS,
    DETAIL_POLICIES,
    DETAILS_AUTHORIZED,
)

#: Every key the extension reads, with the value used when the app sets none.
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


def apply_defaults(config: MutableMapping[str, Any]) -> None:
    """Set each missing key, the way sanic-ext's ``add_fallback_config`` does."""
    for key, value in DEFAULTS.items():
        if key not in config:
            config[key] = value


def flag(value: Any) -> bool:
    # SANIC_-prefixed environment variables may arrive as strings.
    if isinstance(value, str):
        return value.strip().lower() not in _FALSE_WORDS
    return bool(value)


@dataclass(frozen=True)
class Settings:
    """The parsed DOCKERFLOW_* keys of one app."""

    details: str
    token: str | None
    timeout: float
    cache_seconds: float
    failed_status: int
    request_id_header: str
    log_querystring: bool


def is_debug(app: Any) -> bool:
    """Whether the app runs in debug mode (``app.debug`` or a DEBUG config key)."""
    return bool(getattr(app, "debug", False)) or flag(app.config.get("DEBUG", False))


def read(config: Mapping[str, Any]) -> Settings:
    """The settings in ``config``, or ValueError naming the key that is wrong."""

    def get(key: str) -> Any:
        value = config.get(key)
        return DEFAULTS[key] if value is None else value

    details = str(get("DOCKERFLOW_HEARTBEAT_DETAILS")).lower()
    if details not in DETAIL_POLICIES:
        raise ValueError(
            f"DOCKERFLOW_HEARTBEAT_DETAILS must be one of {', '.join(DETAIL_POLICIES)},"
            f" not {details!r}"
        )
    try:
        failed_status = int(get("DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE"))
        timeout = float(get("DOCKERFLOW_CHECK_TIMEOUT"))
        cache_seconds = float(get("DOCKERFLOW_HEARTBEAT_CACHE_SECONDS"))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"A DOCKERFLOW_* number is not a number: {exc}") from exc
    if not 500 <= failed_status <= 599:
        raise ValueError(
            "DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE must be a 5xx status,"
            f" not {failed_status}"
        )
    if timeout <= 0:
        raise ValueError(f"DOCKERFLOW_CHECK_TIMEOUT must be positive, not {timeout:g}")
    token = config.get("DOCKERFLOW_HEARTBEAT_TOKEN")
    return Settings(
        details=details,
        token=str(token) if token else None,
        timeout=timeout,
        cache_seconds=max(0.0, cache_seconds),
        failed_status=failed_status,
        request_id_header=str(get("DOCKERFLOW_REQUEST_ID_HEADER_NAME")),
        log_querystring=flag(get("DOCKERFLOW_SUMMARY_LOG_QUERYSTRING")),
    )

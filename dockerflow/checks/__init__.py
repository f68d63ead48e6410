"""Checks: levels and messages, registries, and the heartbeat engine.

Standard library only. Framework adapters feed checks in and render the
``HeartbeatResult`` that comes out.
"""

from __future__ import annotations

from .engine import DEFAULT_TIMEOUT, MAX_TIMEOUT, HeartbeatEngine, is_async_check
from .messages import (
    CRITICAL,
    DEBUG,
    ERROR,
    INFO,
    STATUSES,
    WARNING,
    CheckMessage,
    Critical,
    Debug,
    Error,
    Info,
    Warning,
    level_to_text,
)
from .registry import (
    CheckRegistry,
    check_name,
    clear_checks,
    default_engine,
    default_registry,
    get_checks,
    init_check,
    register,
    register_partial,
    run_checks,
    run_checks_async,
)
from .results import FAILURE_LEVEL, CheckResult, ChecksResults, HeartbeatResult
from .workers import current_timeout

__all__ = [
    "CRITICAL",
    "DEBUG",
    "DEFAULT_TIMEOUT",
    "ERROR",
    "FAILURE_LEVEL",
    "INFO",
    "MAX_TIMEOUT",
    "STATUSES",
    "WARNING",
    "CheckMessage",
    "CheckRegistry",
    "CheckResult",
    "ChecksResults",
    "Critical",
    "Debug",
    "Error",
    "HeartbeatEngine",
    "HeartbeatResult",
    "Info",
    "Warning",
    "check_name",
    "clear_checks",
    "current_timeout",
    "default_engine",
    "default_registry",
    "get_checks",
    "init_check",
    "is_async_check",
    "level_to_text",
    "register",
    "register_partial",
    "run_checks",
    "run_checks_async",
]

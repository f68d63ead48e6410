"""Timeouts: the engine takes any float without raising, and settings and
registrations refuse, saying why, what no wait can honour (1e10 is more than
``threading`` can wait for, and used to end in OverflowError)."""

from __future__ import annotations

import asyncio
import json
import math
import threading
import time
from typing import Any

import pytest

from dockerflow.checks import (
    DEFAULT_TIMEOUT,
    MAX_TIMEOUT,
    CheckRegistry,
    HeartbeatEngine,
    HeartbeatResult,
    clear_checks,
    register,
)
from dockerflow.options import read_options

ANY_FLOAT = [
    1e10,
    1e308,
    threading.TIMEOUT_MAX,
    math.inf,
    -math.inf,
    math.nan,
    -1.0,
    0.0,
    MAX_TIMEOUT + 1,
]


def quick() -> list[Any]:
    time.sleep(0.02)  # still running when the run starts waiting for it
    return []


def assert_sound(result: HeartbeatResult) -> None:
    """Every figure finite and within what the engine can wait; strict JSON."""
    for check in result:
        assert 0 <= check.duration <= MAX_TIMEOUT, check
        for message in check.messages:
            assert "nan" not in message.msg and "inf" not in message.msg, message
    json.dumps(result.payload(details=True), allow_nan=False)


@pytest.mark.parametrize("timeout", ANY_FLOAT, ids=repr)
def test_a_sync_run_never_raises_for_any_float_timeout(timeout: float) -> None:
    engine = HeartbeatEngine()
    result = engine.run([("quick", quick)], timeout=timeout)
    assert_sound(result)
    if not timeout <= 0:  # a timeout of 0 may find the check not yet done
        assert result.passed, result.payload(details=True)
    per_check = engine.run([("quick", quick)], timeouts={"quick": timeout})
    assert_sound(per_check)


@pytest.mark.parametrize("timeout", ANY_FLOAT, ids=repr)
def test_an_async_run_never_raises_for_any_float_timeout(timeout: float) -> None:
    async def also_quick() -> list[Any]:
        return []

    async def run() -> HeartbeatResult:
        return await HeartbeatEngine().run_async(
            [("quick", quick), ("async", also_quick)], timeout=timeout
        )

    result = asyncio.run(run())
    assert_sound(result)
    if not timeout <= 0:
        assert result.passed, result.payload(details=True)


def test_a_nan_timeout_still_bounds_a_hung_check_by_the_default() -> None:
    release = threading.Event()
    began = time.perf_counter()
    try:
        result = HeartbeatEngine().run(
            [("hung", lambda: release.wait(30))], timeout=math.nan
        )
    finally:
        release.set()
    assert result["hung"].timed_out
    assert time.perf_counter() - began < DEFAULT_TIMEOUT + 2
    assert f"within {DEFAULT_TIMEOUT:g} seconds" in result["hung"].messages[0].msg


@pytest.mark.parametrize(
    ("timeout", "reason"),
    [
        (1e10, "at most 3600 seconds"),
        (MAX_TIMEOUT + 0.5, "at most 3600 seconds"),
        (math.inf, "finite"),
        (math.nan, "finite"),
        (0, "positive"),
        (-1, "positive"),
        ("soon", "not a number of seconds"),
        (True, "not a number of seconds"),
    ],
    ids=repr,
)
def test_a_registered_timeout_no_wait_can_honour_is_refused_naming_the_check(
    timeout: Any, reason: str
) -> None:
    registry = CheckRegistry()
    with pytest.raises(ValueError, match=f"The timeout of check 'db' .*{reason}"):
        registry.register(quick, name="db", timeout=timeout)
    with pytest.raises(ValueError, match=reason):
        registry.register_partial(lambda _: [], None, name="db", timeout=timeout)
    assert "db" not in registry


def test_the_module_level_registry_refuses_a_huge_timeout_too() -> None:
    try:
        with pytest.raises(ValueError, match="at most 3600 seconds"):
            register(quick, name="db", timeout=1e10)
    finally:
        clear_checks()


def test_timeouts_up_to_an_hour_are_kept() -> None:
    registry = CheckRegistry()
    registry.register(quick, name="slow", timeout=MAX_TIMEOUT)
    registry.register(quick, name="fast", timeout="0.5")
    assert registry.timeouts == {"slow": MAX_TIMEOUT, "fast": 0.5}


@pytest.mark.parametrize("value", [1e10, "1e10", MAX_TIMEOUT + 1])
def test_a_check_timeout_setting_over_an_hour_is_refused(value: Any) -> None:
    with pytest.raises(ValueError, match="DOCKERFLOW_CHECK_TIMEOUT must be at most"):
        read_options({"DOCKERFLOW_CHECK_TIMEOUT": value})
    assert read_options({"DOCKERFLOW_CHECK_TIMEOUT": "3600"}).timeout == MAX_TIMEOUT

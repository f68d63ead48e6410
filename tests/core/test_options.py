"""The DOCKERFLOW_* options shared by the Flask and Sanic extensions."""

from __future__ import annotations

from typing import Any

import pytest

from dockerflow.options import (
    DEFAULTS,
    Options,
    apply_defaults,
    flag,
    read_options,
    read_options_cached,
)


def test_defaults() -> None:
    assert read_options({}) == Options(
        details="authorized",
        token=None,
        timeout=3.0,
        cache_seconds=0.0,
        failed_status=500,
        request_id_header="X-Request-ID",
        log_querystring=False,
    )
    assert read_options(DEFAULTS) == read_options({})


def test_strings_from_environment_variables() -> None:
    options = read_options(
        {
            "DOCKERFLOW_HEARTBEAT_DETAILS": " ALWAYS ",
            "DOCKERFLOW_HEARTBEAT_TOKEN": "s3cret",
            "DOCKERFLOW_CHECK_TIMEOUT": "1.5",
            "DOCKERFLOW_HEARTBEAT_CACHE_SECONDS": "2",
            "DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE": "503",
            "DOCKERFLOW_REQUEST_ID_HEADER_NAME": "X-Trace",
            "DOCKERFLOW_SUMMARY_LOG_QUERYSTRING": "on",
        }
    )
    assert options == Options("always", "s3cret", 1.5, 2.0, 503, "X-Trace", True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("yes", True),
        ("1", True),
        (1, True),
        ("off", False),
        ("0", False),
        ("", False),
        (0, False),
        (None, False),
    ],
)
def test_flag(value: Any, expected: bool) -> None:
    assert flag(value) is expected


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        (
            "DOCKERFLOW_HEARTBEAT_DETAILS",
            "sometimes",
            "one of never, authorized, always",
        ),
        ("DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE", 404, "5xx"),
        ("DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE", 500.5, "5xx"),
        ("DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE", "oops", "not a number"),
        ("DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE", True, "not a number"),
        ("DOCKERFLOW_CHECK_TIMEOUT", 0, "positive"),
        ("DOCKERFLOW_CHECK_TIMEOUT", "soon", "not a number"),
        ("DOCKERFLOW_CHECK_TIMEOUT", float("nan"), "finite"),
        ("DOCKERFLOW_HEARTBEAT_CACHE_SECONDS", -1, "0 or more"),
    ],
)
def test_bad_values_name_their_key(key: str, value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        read_options({key: value})
    assert key in str(info.value)


def test_apply_defaults_fills_only_unset_keys() -> None:
    config: dict[str, Any] = {"DOCKERFLOW_CHECK_TIMEOUT": 9}
    apply_defaults(config)
    assert config["DOCKERFLOW_CHECK_TIMEOUT"] == 9
    assert set(config) == set(DEFAULTS)


def test_cached_read_follows_the_config() -> None:
    config: dict[str, Any] = {"DOCKERFLOW_CHECK_TIMEOUT": 2}
    first = read_options_cached(config)
    assert first.timeout == 2.0
    assert read_options_cached(dict(config)) is first  # equal values: reused
    config["DOCKERFLOW_CHECK_TIMEOUT"] = "5"
    assert read_options_cached(config).timeout == 5.0
    config["DOCKERFLOW_REQUEST_ID_HEADER_NAME"] = "X-Trace"
    assert read_options_cached(config).request_id_header == "X-Trace"


def test_cached_read_still_refuses_bad_values_every_time() -> None:
    config = {"DOCKERFLOW_CHECK_TIMEOUT": 1}
    assert read_options_cached(config).timeout == 1.0
    # True == 1 and hashes alike; it is still a bad timeout, not the cached 1.
    for _ in range(2):
        with pytest.raises(ValueError, match="DOCKERFLOW_CHECK_TIMEOUT"):
            read_options_cached({"DOCKERFLOW_CHECK_TIMEOUT": True})
    with pytest.raises(ValueError, match="DOCKERFLOW_CHECK_TIMEOUT"):
        read_options_cached({"DOCKERFLOW_CHECK_TIMEOUT": [1]})  # unhashable

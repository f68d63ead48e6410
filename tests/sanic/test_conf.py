"""The Sanic extension's DOCKERFLOW_* config: parsing and the errors for bad values."""

from __future__ import annotations

from typing import Any

import pytest

from dockerflow_sanic import conf


def test_defaults() -> None:
    settings = conf.read({})
    assert settings == conf.Settings(
        details="authorized",
        token=None,
        timeout=3.0,
        cache_seconds=0.0,
        failed_status=500,
        request_id_header="X-Request-ID",
        log_querystring=False,
    )


def test_environment_strings_are_parsed() -> None:
    # What SANIC_-prefixed variables give when Sanic can't convert them.
    settings = conf.read(
        {
            "DOCKERFLOW_HEARTBEAT_DETAILS": "ALWAYS",
            "DOCKERFLOW_CHECK_TIMEOUT": "1.5",
            "DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE": "503",
            "DOCKERFLOW_SUMMARY_LOG_QUERYSTRING": "off",
        }
    )
    assert (settings.details, settings.timeout, settings.failed_status) == (
        "always",
        1.5,
        503,
    )
    assert settings.log_querystring is False
    assert conf.flag("yes") and conf.flag(1) and not conf.flag("0")


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        (
            "DOCKERFLOW_HEARTBEAT_DETAILS",
            "sometimes",
            "one of never, authorized, always",
        ),
        ("DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE", 404, "5xx"),
        ("DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE", "oops", "not a number"),
        ("DOCKERFLOW_CHECK_TIMEOUT", 0, "positive"),
        ("DOCKERFLOW_CHECK_TIMEOUT", "soon", "not a number"),
    ],
)
def test_bad_values_name_the_problem(key: str, value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        conf.read({key: value})


def test_apply_defaults_keeps_set_values() -> None:
    config: dict[str, Any] = {"DOCKERFLOW_CHECK_TIMEOUT": 9}
    conf.apply_defaults(config)
    assert config["DOCKERFLOW_CHECK_TIMEOUT"] == 9
    assert set(conf.DEFAULTS) <= set(config)

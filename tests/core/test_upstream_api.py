"""The core API exactly as python-dockerflow 2026.x users call it and test it.

Module-level check registry cleared between tests, messages built
positionally, and the logging classes configured the documented ways.
"""

from __future__ import annotations

import asyncio
import json
import logging
import logging.config
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import dockerflow.checks.registry
from dockerflow import checks, summary
from dockerflow.logging import JsonLogFormatter, MozlogFormatter, MozlogHandler
from dockerflow.version import get_version


@pytest.fixture(autouse=True)
def _clear_the_registry_as_users_do() -> Iterator[None]:
    yield
    dockerflow.checks.registry.clear_checks()


@pytest.fixture
def test_logger() -> Iterator[logging.Logger]:
    logger = logging.getLogger("tests.upstream_api")
    yield logger
    logger.handlers.clear()


def test_submodules_are_not_shadowed() -> None:
    for name in ("registry", "engine", "messages", "results"):
        assert isinstance(getattr(dockerflow.checks, name), ModuleType), name
    assert dockerflow.checks.registry.get_checks is checks.get_checks


def test_register_every_documented_way() -> None:
    @checks.register
    def bare() -> list[checks.CheckMessage]:
        return []

    @checks.register()
    def called() -> list[checks.CheckMessage]:
        return [checks.Warning("slow", id="acme.W001")]

    @checks.register(name="named-check")
    async def named() -> list[checks.CheckMessage]:
        return [checks.Error("down", id="acme.E001")]

    def ping(target: str) -> list[checks.CheckMessage]:
        return [checks.Info(f"{target} answered", id="acme.I001")]

    checks.register_partial(ping, "db.internal")
    assert list(checks.get_checks()) == ["bare", "called", "named-check", "ping"]

    result = checks.run_checks(checks.get_checks().items())
    assert result.level == checks.ERROR
    assert result.statuses == {
        "bare": "ok",
        "called": "warning",
        "named-check": "error",
        "ping": "info",
    }
    again = asyncio.run(checks.run_checks_async(checks.get_checks().items()))
    assert (again.level, again.statuses, again.details) == (
        result.level,
        result.statuses,
        result.details,
    )


def test_clear_checks_empties_the_module_registry() -> None:
    checks.register(lambda: [], name="leftover")
    dockerflow.checks.registry.clear_checks()
    assert checks.get_checks() == {}


def test_details_have_python_dockerflows_shape() -> None:
    pairs = [
        (
            "both",
            lambda: [
                checks.Error("broken", id="acme.E001"),
                checks.Warning("slow", id="acme.W001"),
            ],
        ),
        ("quiet", lambda: []),
    ]
    result = checks.run_checks(pairs, silenced_check_ids=["acme.W001"])
    assert result.details == {
        "both": {
            "status": "error",
            "level": checks.ERROR,
            "messages": {"acme.E001": "broken"},
        }
    }
    assert result.statuses == {"both": "error", "quiet": "ok"}


def test_messages_built_positionally() -> None:
    bare = checks.CheckMessage("custom", 35, "a hint", "obj", "acme.X001")
    assert (bare.msg, bare.level, bare.hint, bare.obj, bare.id) == (
        "custom",
        35,
        "a hint",
        "obj",
        "acme.X001",
    )
    # Django's order for the subclasses: a second argument is the hint.
    assert checks.Error("down", "restart it").hint == "restart it"
    assert checks.Error("down", "restart it").level == checks.ERROR


def test_level_keyword_overrides_a_subclass_level() -> None:
    message = checks.Error("some error", level=100, id="tests.checks.E001", obj="x")
    assert message.level == 100 and message.is_serious()
    assert str(message) == "x: (tests.checks.E001) some error"
    assert repr(message) == (
        "<Error: level=100, msg='some error', hint=None, obj='x', "
        "id='tests.checks.E001'>"
    )
    assert message == checks.Error(
        "some error", level=100, id="tests.checks.E001", obj="x"
    )
    assert message != checks.Error(
        "some error", level=101, id="tests.checks.E001", obj="x"
    )


def test_check_messages_are_logged_as_python_dockerflow_logs_them(
    caplog: pytest.LogCaptureFixture,
) -> None:
    pairs = [
        ("e", lambda: [checks.Error("some error", id="tests.checks.E001")]),
        ("i", lambda: [checks.Info("fyi", id="tests.checks.I001")]),
    ]
    with caplog.at_level(logging.INFO, logger="dockerflow.checks.registry"):
        checks.run_checks(pairs)
    logged = {(r.name, r.levelname, r.getMessage()) for r in caplog.records}
    assert (
        "dockerflow.checks.registry",
        "ERROR",
        "tests.checks.E001: some error",
    ) in logged
    assert ("dockerflow.checks.registry", "INFO", "tests.checks.I001: fyi") in logged


def test_handler_name_is_stamped_on_the_record(
    test_logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    handler = MozlogHandler(stream=sys.stderr, name="from-handler")
    handler.setFormatter(MozlogFormatter(logger_name="from-formatter"))
    test_logger.addHandler(handler)
    test_logger.warning("hey")
    [record] = caplog.records
    assert record.logger_name == "from-handler"  # type: ignore[attr-defined]
    line = json.loads(handler.format(record))
    assert line["Logger"] == "from-handler"
    assert "logger_name" not in line["Fields"]


def test_formatter_name_alone_leaves_the_record_alone(
    test_logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(MozlogFormatter(logger_name="from-formatter"))
    test_logger.addHandler(handler)
    test_logger.warning("hey")
    [record] = caplog.records
    assert not hasattr(record, "logger_name")
    assert json.loads(handler.format(record))["Logger"] == "from-formatter"


def test_handler_from_an_ini_file(tmp_path: Path) -> None:
    ini = tmp_path / "logging.ini"
    ini.write_text(
        "[loggers]\nkeys = root\n\n[handlers]\nkeys = console\n\n"
        "[formatters]\nkeys =\n\n[logger_root]\nlevel = INFO\nhandlers = console\n\n"
        "[handler_console]\nlevel = DEBUG\nclass = dockerflow.logging.MozlogHandler\n"
        "args = (sys.stderr, 'ini-service')\n"
    )
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        logging.config.fileConfig(str(ini), disable_existing_loggers=False)
        [handler] = [h for h in root.handlers if isinstance(h, MozlogHandler)]
        assert handler.logger_name == "ini-service"
        assert isinstance(handler.formatter, MozlogFormatter)
    finally:
        for added in root.handlers[:]:
            if added not in saved[0]:
                root.removeHandler(added)
                added.close()
        root.setLevel(saved[1])


def test_json_log_formatter_is_not_deprecated() -> None:
    """A deliberate difference: python-dockerflow warns here."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        formatter = JsonLogFormatter(logger_name="still-fine")
    assert isinstance(MozlogFormatter(), JsonLogFormatter)
    assert formatter.logger_name == "still-fine"


def test_summary_querystring_is_decoded() -> None:
    fields = summary.summary_fields(
        method="GET", path="/", querystring="x=%D8%B4%D9%83%D8%B1"
    )
    assert fields["querystring"] == "x=شكر"


@pytest.mark.parametrize("uid", [7, "42", ""])
def test_summary_uid_keeps_its_type(uid: Any) -> None:
    assert summary.summary_fields(method="GET", path="/", uid=uid)["uid"] == uid


def test_get_version(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert get_version(str(tmp_path / "empty")) is None
    (tmp_path / "version.json").write_text('{"version": "1.0"}')
    assert get_version(str(tmp_path)) == {"version": "1.0"}

"""Dockerflow's system checks: bound to Django's framework, one per mistake.

``call_command("check")`` must fail on a bad setting, and the heartbeat's
checks must run only with ``--deploy --tag dockerflow``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from dockerflow.django.system_checks import connect_timeout_warnings

from .conftest import check_paths


def ids(**settings: Any) -> set[str]:
    with override_settings(**settings):
        return {m.id for m in run_checks(tags=["dockerflow"])}


def test_valid_settings_report_nothing() -> None:
    assert ids() == set()
    call_command("check", "--tag", "dockerflow")


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"DOCKERFLOW_VERSION_CALLBACK": "tests.nowhere.func"}, "dockerflow.E001"),
        (
            {"DOCKERFLOW_VERSION_CALLBACK": "tests.django.checks.not_callable"},
            "dockerflow.E001",
        ),
        (
            {"DOCKERFLOW_CHECKS": "dockerflow.django.checks.check_cache"},
            "dockerflow.E003",
        ),
        ({"DOCKERFLOW_CHECKS": [1, 2]}, "dockerflow.E003"),
        ({"DOCKERFLOW_CHECKS": ["tests.django.checks.nowhere"]}, "dockerflow.E004"),
        (
            {"DOCKERFLOW_CHECKS": ["tests.django.checks.not_callable"]},
            "dockerflow.E004",
        ),
        ({"DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE": 200}, "dockerflow.E005"),
        ({"DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE": "503"}, "dockerflow.E005"),
        ({"DOCKERFLOW_HEARTBEAT_DETAILS": "sometimes"}, "dockerflow.E006"),
        ({"DOCKERFLOW_HEARTBEAT_TOKEN": ""}, "dockerflow.E007"),
        ({"DOCKERFLOW_CHECK_TIMEOUT": 0}, "dockerflow.E008"),
        ({"DOCKERFLOW_CHECK_TIMEOUT": "3"}, "dockerflow.E008"),
        ({"DOCKERFLOW_CHECK_TIMEOUT": 1e10}, "dockerflow.E008"),
        ({"DOCKERFLOW_CHECK_TIMEOUT": float("nan")}, "dockerflow.E008"),
        ({"DOCKERFLOW_HEARTBEAT_CACHE_SECONDS": -1}, "dockerflow.E009"),
        ({"DOCKERFLOW_REQUEST_ID_HEADER_NAME": ""}, "dockerflow.E010"),
        ({"DOCKERFLOW_DATABASES": ["default", "replica"]}, "dockerflow.E011"),
        ({"DOCKERFLOW_CACHES": "default"}, "dockerflow.E011"),
    ],
)
def test_bad_setting_fails_manage_py_check(
    settings: dict[str, Any], expected: str
) -> None:
    assert ids(**settings) == {expected}
    with (
        override_settings(**settings),
        pytest.raises(SystemCheckError, match=re.escape(expected)),
    ):
        call_command("check")


def test_every_message_has_a_hint() -> None:
    with override_settings(
        DOCKERFLOW_CHECKS=["x.y"],
        DOCKERFLOW_HEARTBEAT_DETAILS="x",
        DOCKERFLOW_CHECK_TIMEOUT=-1,
        BASE_DIR=None,
    ):
        messages = run_checks(tags=["dockerflow"])
    assert len(messages) == 4
    assert all(m.hint for m in messages)


def test_missing_base_dir_is_a_warning() -> None:
    assert ids(BASE_DIR=None) == {"dockerflow.W001"}


def test_missing_version_json_is_a_warning(tmp_path: Path) -> None:
    assert ids(BASE_DIR=tmp_path) == {"dockerflow.W002"}


@pytest.mark.parametrize(
    "make",
    [
        lambda path: path.write_text("{nope"),
        lambda path: path.write_text('{"version": NaN}'),
        lambda path: path.write_text(" " * (64 * 1024 + 1)),
        os.mkfifo,  # would block a plain open() until a writer came
        lambda path: path.symlink_to("/dev/zero"),
    ],
    ids=["not-json", "nan", "too-big", "fifo", "device"],
)
def test_unservable_version_json_fails_manage_py_check(
    tmp_path: Path, make: Callable[[Path], object]
) -> None:
    make(tmp_path / "version.json")
    assert ids(BASE_DIR=tmp_path) == {"dockerflow.E002"}
    with (
        override_settings(BASE_DIR=tmp_path),
        pytest.raises(SystemCheckError, match=r"dockerflow\.E002"),
    ):
        call_command("check")


def test_custom_version_callback_skips_the_file_checks() -> None:
    callback = "tests.django.test_endpoints.custom_version"
    assert ids(BASE_DIR=None, DOCKERFLOW_VERSION_CALLBACK=callback) == set()


def test_silenced_setting_checks_are_silenced() -> None:
    with override_settings(BASE_DIR=None, SILENCED_SYSTEM_CHECKS=["dockerflow.W001"]):
        call_command("check", "--fail-level", "WARNING")


class TestDeploymentChecks:
    """DOCKERFLOW_CHECKS run under --deploy, never on migrate or runserver."""

    def test_not_run_without_deploy(self) -> None:
        with override_settings(DOCKERFLOW_CHECKS=check_paths("error")):
            assert run_checks(tags=["dockerflow"]) == []

    def test_run_with_deploy_and_tag(self) -> None:
        with override_settings(DOCKERFLOW_CHECKS=check_paths("error", "raising")):
            messages = run_checks(tags=["dockerflow"], include_deployment_checks=True)
            with pytest.raises(SystemCheckError, match=re.escape("tests.E001")):
                call_command("check", "--deploy", "--tag", "dockerflow")
        assert {m.id for m in messages} == {"tests.E001", "dockerflow.health.E011"}

    def test_silenced_under_deploy(self) -> None:
        with override_settings(
            DOCKERFLOW_CHECKS=check_paths("error"),
            SILENCED_SYSTEM_CHECKS=["tests.E001"],
        ):
            call_command("check", "--deploy", "--tag", "dockerflow")


def test_a_huge_timeout_is_refused_with_its_limit_not_an_overflow() -> None:
    with override_settings(DOCKERFLOW_CHECK_TIMEOUT=1e10):
        (message,) = run_checks(tags=["dockerflow"])
        # The heartbeat's deployment check runs too, on the default timeout.
        with pytest.raises(SystemCheckError, match=r"dockerflow\.E008"):
            call_command("check", "--deploy", "--tag", "dockerflow")
    assert "at most 3600 seconds" in message.msg


POSTGRES = "django.db.backends.postgresql"


@pytest.mark.parametrize(
    ("config", "warned"),
    [
        ({"ENGINE": POSTGRES, "NAME": "app"}, True),
        ({"ENGINE": POSTGRES, "OPTIONS": {"sslmode": "require"}}, True),
        ({"ENGINE": POSTGRES, "OPTIONS": {"connect_timeout": 0}}, True),
        ({"ENGINE": POSTGRES, "OPTIONS": {"connect_timeout": "never"}}, True),
        ({"ENGINE": POSTGRES, "OPTIONS": {"connect_timeout": 2}}, False),
        # dj-database-url's ?connect_timeout=5, as its parser left it.
        ({"ENGINE": POSTGRES, "OPTIONS": {"connect_timeout": "5"}}, False),
        ({"ENGINE": "django.contrib.gis.db.backends.postgis"}, True),
        ({"ENGINE": "django.db.backends.mysql"}, True),
        (
            {"ENGINE": "django.db.backends.mysql", "OPTIONS": {"connect_timeout": 5}},
            False,
        ),
        ({"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}, False),
        ({"ENGINE": "no.such.backend"}, False),
    ],
)
def test_a_postgresql_or_mysql_database_without_a_connect_timeout_is_warned(
    config: dict[str, Any], warned: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PGCONNECT_TIMEOUT", raising=False)
    warnings = connect_timeout_warnings({"main": config})
    assert [w.id for w in warnings] == (["dockerflow.W010"] if warned else [])
    assert all("'main'" in w.msg and "connect_timeout" in w.hint for w in warnings)


def test_libpqs_own_connect_timeout_variable_counts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PGCONNECT_TIMEOUT", "3")
    assert connect_timeout_warnings({"main": {"ENGINE": POSTGRES}}) == []


def test_a_database_without_a_connect_timeout_is_warned_by_manage_py_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PGCONNECT_TIMEOUT", raising=False)
    # Beside the test database, which Django has already connected to.
    monkeypatch.setitem(django_settings.DATABASES, "hangs", {"ENGINE": POSTGRES})
    assert ids() == {"dockerflow.W010"}
    with pytest.raises(SystemCheckError, match=r"dockerflow\.W010"):
        call_command("check", "--fail-level", "WARNING")

"""``manage.py dockerflow_check``: output, exit codes, options and mistakes.

In-process through ``call_command``, plus real ``manage.py`` processes for
the exit codes a shell or a Docker HEALTHCHECK sees.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core import checks as django_checks
from django.core.management import CommandError, call_command
from django.test import override_settings

from dockerflow import health
from dockerflow.django.models import HeartbeatRun

from . import checks
from .conftest import check_paths

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, names: tuple[str, ...] = (), **settings: Any) -> tuple[int, str]:
    """(exit code, stdout) of the command run in this process."""
    code, out, _ = run_full(*args, names=names, **settings)
    return code, out


def run_full(
    *args: str, names: tuple[str, ...] = (), **settings: Any
) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of the command run in this process."""
    out, err = StringIO(), StringIO()
    if names:
        settings["DOCKERFLOW_CHECKS"] = check_paths(*names)
    with override_settings(**settings):
        try:
            call_command(
                "dockerflow_check", *args, stdout=out, stderr=err, no_color=True
            )
        except SystemExit as exc:
            return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_healthy_project_prints_a_table_and_exits_0() -> None:
    code, out = run()
    lines = out.splitlines()
    assert code == 0
    assert lines[0].split() == ["CHECK", "STATUS", "DURATION", "MESSAGES"]
    assert lines[1].split()[:3] == [
        "check_database_connected",
        "ok",
        lines[1].split()[2],
    ]
    assert lines[1].endswith(" ms")
    assert lines[2].split()[:2] == ["check_migrations_applied", "ok"]
    assert lines[-1].startswith("ok: 2 checks in ")


def test_failing_check_exits_1_and_shows_its_messages() -> None:
    code, out = run(names=("passing", "error", "warning"))
    assert code == 1
    rows = {line.split()[0]: line for line in out.splitlines()[1:4]}
    assert rows["error"].split()[1] == "error"
    assert rows["error"].endswith(
        "tests.E001: cannot reach db.example.internal as admin"
    )
    assert rows["warning"].endswith("tests.W001: db.example.internal is slow")
    assert out.splitlines()[-1].startswith("error: 3 checks")


def two_messages(app_configs: Any, **kwargs: Any) -> list[Any]:
    return [
        django_checks.Warning("replica lag is 40 s", id="tests.W002"),
        django_checks.Error("primary is read-only\nsince 10:42", id="tests.E002"),
    ]


def test_every_message_line_stays_in_the_messages_column() -> None:
    code, out = run(DOCKERFLOW_CHECKS=[f"{__name__}.two_messages"])
    header, row, *rest = out.splitlines()
    column = header.index("MESSAGES")
    assert code == 1
    assert row.split()[:2] == ["two_messages", "error"]
    assert [row[column:], *(line[column:] for line in rest[:2])] == [
        "tests.W002: replica lag is 40 s",
        "tests.E002: primary is read-only",
        "since 10:42",
    ]
    assert all(line[:column].strip() == "" for line in rest[:2])


def test_warning_passes_unless_fail_level_is_warning() -> None:
    assert run(names=("passing", "warning"))[0] == 0
    assert run("--fail-level", "warning", names=("passing", "warning"))[0] == 1
    assert run("--fail-level", "warning", names=("passing",))[0] == 0


def test_json_prints_the_heartbeat_payload_with_details() -> None:
    code, out = run("--json", names=("passing", "error"))
    body = json.loads(out)
    assert code == 1
    assert body["status"] == "error"
    assert body["checks"] == {"passing": "ok", "error": "error"}
    assert body["details"]["error"]["messages"] == {
        "tests.E001": "cannot reach db.example.internal as admin"
    }
    assert set(body["durations_ms"]) == {"passing", "error"}


def test_timeout_option_bounds_a_hung_check() -> None:
    began = time.monotonic()
    code, out = run("--json", "--timeout", "0.3", names=("passing", "hung"))
    elapsed = time.monotonic() - began
    body = json.loads(out)
    assert code == 1
    assert body["details"]["hung"]["messages"] == {
        health.ERROR_CHECK_TIMEOUT: "Check 'hung' did not finish within 0.3 seconds"
    }
    assert elapsed < 10  # not the 60 s the check would hang for


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "3600.5", "1e10"])
def test_timeout_must_be_a_positive_number_up_to_an_hour(value: str) -> None:
    with pytest.raises(CommandError, match="--timeout must be a positive") as exc:
        run("--timeout", value)
    assert exc.value.returncode == 2


def test_check_selects_by_name_or_dotted_path() -> None:
    names = ("passing", "error", "warning")
    _, out = run("--json", "--check", "passing", names=names)
    assert json.loads(out)["checks"] == {"passing": "ok"}
    _, out = run(
        "--json",
        "--check",
        "tests.django.checks.warning",
        "--check",
        "passing",
        names=names,
    )
    assert json.loads(out)["checks"] == {"passing": "ok", "warning": "warning"}


def test_tag_selects_the_tagged_checks() -> None:
    paths = [
        "dockerflow.django.checks.check_database_connected",
        "dockerflow.django.checks.check_cache",
        *check_paths("error"),
    ]
    code, out = run("--json", "--tag", "database", DOCKERFLOW_CHECKS=paths)
    assert code == 0
    assert json.loads(out)["checks"] == {"check_database_connected": "ok"}
    _, out = run(
        "--json", "--tag", "caches", "--check", "error", DOCKERFLOW_CHECKS=paths
    )
    assert json.loads(out)["checks"] == {"check_cache": "ok", "error": "error"}


def test_unknown_check_or_tag_is_a_user_mistake() -> None:
    with pytest.raises(CommandError, match="No such check: nope") as exc:
        run("--check", "nope", names=("passing",))
    assert exc.value.returncode == 2
    assert "The heartbeat runs: passing." in str(exc.value)
    with pytest.raises(CommandError, match="No check is tagged redis") as exc:
        run("--tag", "redis", names=("passing",))
    assert exc.value.returncode == 2


@pytest.mark.parametrize(
    ("configured", "check_id"),
    [
        (["tests.django.checks.no_such_check"], "dockerflow.E004"),
        ("tests.django.checks.passing", "dockerflow.E003"),
    ],
)
def test_checks_that_cannot_be_imported_exit_2(configured: Any, check_id: str) -> None:
    with pytest.raises(CommandError, match=re.escape(check_id)) as exc:
        run(DOCKERFLOW_CHECKS=configured)
    assert exc.value.returncode == 2
    assert "cannot run as configured" in str(exc.value)


@pytest.mark.parametrize("value", ["soon", 1e10])
def test_bad_timeout_setting_exits_2_unless_overridden(value: Any) -> None:
    with pytest.raises(CommandError, match=r"dockerflow\.E008") as exc:
        run(names=("passing",), DOCKERFLOW_CHECK_TIMEOUT=value)
    assert exc.value.returncode == 2
    code, _ = run("--timeout", "1", names=("passing",), DOCKERFLOW_CHECK_TIMEOUT=value)
    assert code == 0


def test_runs_afresh_even_when_the_heartbeat_is_cached() -> None:
    cached = {"DOCKERFLOW_HEARTBEAT_CACHE_SECONDS": 60}
    run(names=("passing",), **cached)
    run(names=("passing",), **cached)
    assert checks.calls == ["passing", "passing"]


def test_check_logs_are_muted_unless_verbose(caplog: pytest.LogCaptureFixture) -> None:
    name = "dockerflow.checks.registry"
    caplog.set_level(logging.WARNING, logger=name)
    run(names=("error",))
    assert [r for r in caplog.records if r.name == name] == []
    assert not logging.getLogger(name).disabled
    run("-v", "2", names=("error",))
    logged = [r.getMessage() for r in caplog.records if r.name == name]
    assert logged == ["tests.E001: cannot reach db.example.internal as admin"]


def test_record_stores_the_run_as_the_command_s() -> None:
    for _ in range(2):  # the same statuses twice: forced, so stored twice
        code, out, err = run_full(
            "--record",
            "--json",
            "-v",
            "2",
            names=("passing", "error"),
            DOCKERFLOW_HISTORY="changes",
            DOCKERFLOW_HISTORY_HOST="web-1",
        )
        assert code == 1
        assert json.loads(out)["status"] == "error"  # stdout stays one document
    runs = list(HeartbeatRun.objects.order_by("id"))
    assert err == f"Recorded as run {runs[1].pk}.\n"
    assert [(r.source, r.http_status, r.status, r.host) for r in runs] == [
        ("command", None, "error", "web-1")
    ] * 2
    assert sorted(c.name for c in runs[0].checks.all()) == ["error", "passing"]


def test_without_record_nothing_is_stored() -> None:
    run(names=("passing", "error"), DOCKERFLOW_HISTORY="all")
    assert not HeartbeatRun.objects.exists()


def test_record_with_the_history_off_says_so() -> None:
    code, _, err = run_full("--record", names=("passing",), DOCKERFLOW_HISTORY="off")
    assert code == 0
    assert err.startswith("The run was not recorded: DOCKERFLOW_HISTORY is off")
    assert not HeartbeatRun.objects.exists()


def manage(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="tests.django.settings")
    return subprocess.run(
        [sys.executable, "-m", "django", "dockerflow_check", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_exit_codes_of_a_real_process() -> None:
    # The test settings use an unmigrated in-memory database: connected,
    # but every migration unapplied, which is a warning.
    healthy = manage("--check", "check_database_connected")
    assert (healthy.returncode, healthy.stderr) == (0, "")
    assert healthy.stdout.splitlines()[1].split()[:2] == [
        "check_database_connected",
        "ok",
    ]
    warning = manage("--fail-level", "warning")
    assert warning.returncode == 1, warning.stdout + warning.stderr
    assert "dockerflow.health.W001: Unapplied migration" in warning.stdout
    mistake = manage("--check", "nope")
    assert mistake.returncode == 2
    assert mistake.stderr.startswith("CommandError: No such check: nope.")
    bad_flag = manage("--fail-level", "info")
    assert bad_flag.returncode == 2
    assert "invalid choice: 'info'" in bad_flag.stderr
    huge = manage("--timeout", "1e10")
    assert huge.returncode == 2
    assert huge.stderr.startswith("CommandError: --timeout must be a positive")
    assert "Traceback" not in huge.stderr

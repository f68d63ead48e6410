"""Hostile text and names that do not fit: the history stores what it can of
them (replacement characters, shortened names) and never loses the run.

Run on PostgreSQL too (DOCKERFLOW_TEST_DATABASE=postgres), which refuses NUL
in text and JSON, and every backend refuses a lone surrogate.
"""

from __future__ import annotations

import logging
import re

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client, override_settings

from dockerflow.checks import CheckResult, HeartbeatResult
from dockerflow.checks.messages import CheckMessage
from dockerflow.django import history
from dockerflow.django.models import (
    CheckRun,
    CheckState,
    HeartbeatAggregate,
    HeartbeatRun,
    StatusChange,
)

from .conftest import check_paths
from .history_helpers import at, run

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("history_on")]

record = history.record
NUL_VERSION = {"version": "2026.3.4\x00evil"}
SURROGATE_VERSION = {"version": "2026.3.4-\udcff"}


@pytest.fixture
def lost(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The runs the history could not record, by message, as they are logged."""
    caplog.set_level(logging.WARNING, logger="dockerflow.history")
    found: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            found.append(record.getMessage())

    handler = Collect()
    logging.getLogger("dockerflow.history").addHandler(handler)
    yield found
    logging.getLogger("dockerflow.history").removeHandler(handler)


def failing_with(
    message: str, *, name: str = "db", seconds: float = 0.0
) -> HeartbeatResult:
    check = CheckResult(
        name, (CheckMessage(message, 40, id="tests.E001\x00"),), duration=0.002
    )
    return HeartbeatResult(
        checks=(check,), started_at=at(seconds).timestamp(), duration=0.002
    )


@override_settings(DOCKERFLOW_HISTORY_HOST="web-1")
def test_a_nul_in_a_check_message_is_stored_as_a_replacement_character(
    lost: list[str],
) -> None:
    stored = record(failing_with("cannot reach db\x00 at all"), source="http")
    assert lost == []
    assert stored is not None
    check = CheckRun.objects.get(run=stored)
    assert check.messages == [
        {"id": "tests.E001\ufffd", "msg": "cannot reach db\ufffd at all"}
    ]
    assert StatusChange.objects.filter(check_name="db", new_status="error").exists()
    history.recorder.flush()
    assert HeartbeatAggregate.objects.get(check_name="", period="day").error == 1


@pytest.mark.parametrize(
    "version", [NUL_VERSION, SURROGATE_VERSION], ids=["nul", "surrogate"]
)
@override_settings(DOCKERFLOW_HISTORY_HOST="web-1", DOCKERFLOW_HISTORY="all")
def test_a_hostile_version_costs_no_run(
    version: dict[str, str], lost: list[str]
) -> None:
    with override_settings(DOCKERFLOW_VERSION_CALLBACK=lambda root: version):
        for second in range(4):
            assert record(run(second * 10), source="http") is not None
    assert lost == []
    assert HeartbeatRun.objects.count() == 4
    assert set(HeartbeatRun.objects.values_list("version", flat=True)) == {
        version["version"].replace("\x00", "\ufffd").replace("\udcff", "\ufffd")
    }
    assert CheckState.objects.filter(host="web-1", check_name="").exists()


@override_settings(
    DOCKERFLOW_CHECKS=check_paths("error"),
    DOCKERFLOW_HISTORY_HOST="web-1",
    DOCKERFLOW_VERSION_CALLBACK=lambda root: SURROGATE_VERSION,
)
def test_a_heartbeat_serving_a_hostile_version_is_still_recorded(
    client: Client, lost: list[str]
) -> None:
    assert client.get("/__version__").status_code == 200
    assert client.get("/__heartbeat__").status_code == 500
    assert lost == []
    assert HeartbeatRun.objects.get().version == "2026.3.4-\ufffd"
    assert StatusChange.objects.filter(check_name="error").exists()


LONG = "x" * 300


@override_settings(DOCKERFLOW_HISTORY_HOST=LONG + "-a")
def test_a_host_name_too_long_to_store_is_stored_shortened(lost: list[str]) -> None:
    first = record(run(0, db="error"), source="http")
    with override_settings(DOCKERFLOW_HISTORY_HOST=LONG + "-b"):
        second = record(run(0, db="error"), source="http")
    assert lost == []
    assert first is not None and second is not None
    assert len(first.host) == 255 and len(second.host) == 255
    assert first.host.startswith("x" * 200)
    # Distinct long names stay distinct.
    assert first.host != second.host
    assert CheckState.objects.filter(check_name="").count() == 2
    assert CheckRun.objects.filter(host=first.host).count() == 2
    history.recorder.flush()
    assert HeartbeatAggregate.objects.filter(host=second.host).exists()


@override_settings(DOCKERFLOW_HISTORY_HOST="web-1")
def test_a_check_name_too_long_to_store_is_stored_shortened(lost: list[str]) -> None:
    names = [LONG + "-a", LONG + "-b"]
    results = [failing_with("down", name=name) for name in names]
    stored = [record(result, source="http") for result in results]
    assert lost == []
    assert all(run is not None for run in stored)
    shortened = sorted(CheckRun.objects.values_list("name", flat=True))
    assert len(set(shortened)) == 2
    assert {len(name) for name in shortened} == {255}
    # Every table names the check the same way, so its rows join up.
    failing = {tuple(r.failing_checks) for r in HeartbeatRun.objects.all()}
    assert failing == {(name,) for name in shortened}
    states = set(
        CheckState.objects.exclude(check_name="").values_list("check_name", flat=True)
    )
    assert states == set(shortened)


def test_a_history_host_too_long_to_store_fails_manage_py_check() -> None:
    with override_settings(DOCKERFLOW_HISTORY_HOST="h" * 256):
        found = run_checks(tags=["dockerflow"])
        assert [m.id for m in found] == ["dockerflow.E023"]
        assert "256 characters" in found[0].msg and found[0].hint
        with pytest.raises(SystemCheckError, match=re.escape("dockerflow.E023")):
            call_command("check")
    with override_settings(DOCKERFLOW_HISTORY_HOST="h" * 255):
        assert run_checks(tags=["dockerflow"]) == []

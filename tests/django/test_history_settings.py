"""The DOCKERFLOW_HISTORY* settings: defaults, and a system check per mistake
that makes ``manage.py check`` fail (or warn, for short change retention).
"""

from __future__ import annotations

import re
import socket
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from dockerflow.django import history
from dockerflow.django.conf import conf
from dockerflow.django.history import history_host
from dockerflow.django.history.pruning import prune
from dockerflow.django.history.table import History, read

from .history_helpers import run


def messages(**settings: Any) -> list[Any]:
    with override_settings(**settings):
        return run_checks(tags=["dockerflow"])


def test_defaults() -> None:
    with override_settings():
        del django_settings.DOCKERFLOW_HISTORY  # the test settings turn it off
        del django_settings.DOCKERFLOW_HISTORY_QUEUE  # and store in the request
        assert conf.history == History(
            mode="changes",
            sample_seconds=300,
            flush_seconds=60,
            queue=100,
            host=None,
            retention_days=30,
            keep_failed=50,
            changes_retention_days=400,
            aggregate_retention_days=400,
            prune_seconds=3600,
        )
        assert conf.history == read({})
    assert history_host() == socket.gethostname()
    with override_settings(DOCKERFLOW_HISTORY_HOST="web-7"):
        assert history_host() == "web-7"


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"DOCKERFLOW_HISTORY": "sometimes"}, "dockerflow.E020"),
        ({"DOCKERFLOW_HISTORY": True}, "dockerflow.E020"),
        ({"DOCKERFLOW_HISTORY_SAMPLE_SECONDS": 0}, "dockerflow.E021"),
        ({"DOCKERFLOW_HISTORY_FLUSH_SECONDS": "60"}, "dockerflow.E021"),
        ({"DOCKERFLOW_HISTORY_RETENTION_DAYS": -1}, "dockerflow.E021"),
        ({"DOCKERFLOW_HISTORY_AGGREGATE_RETENTION_DAYS": None}, "dockerflow.E021"),
        ({"DOCKERFLOW_HISTORY_PRUNE_SECONDS": -5}, "dockerflow.E021"),
        ({"DOCKERFLOW_HISTORY_SAMPLE_SECONDS": float("nan")}, "dockerflow.E021"),
        ({"DOCKERFLOW_HISTORY_RETENTION_DAYS": 1e9}, "dockerflow.E021"),
        ({"DOCKERFLOW_HISTORY_FLUSH_SECONDS": float("inf")}, "dockerflow.E021"),
        ({"DOCKERFLOW_HISTORY_PRUNE_SECONDS": 10**400}, "dockerflow.E021"),
        ({"DOCKERFLOW_HISTORY_KEEP_FAILED": 2.5}, "dockerflow.E021"),
        ({"DOCKERFLOW_HISTORY_KEEP_FAILED": -1}, "dockerflow.E021"),
        ({"DOCKERFLOW_HISTORY_QUEUE": -1}, "dockerflow.E021"),
        ({"DOCKERFLOW_HISTORY_QUEUE": 10**6}, "dockerflow.E021"),
        ({"DOCKERFLOW_HISTORY_QUEUE": "100"}, "dockerflow.E021"),
        ({"DOCKERFLOW_HISTORY_HOST": ""}, "dockerflow.E022"),
        ({"DOCKERFLOW_HISTORY_HOST": 42}, "dockerflow.E022"),
    ],
)
def test_a_bad_history_setting_fails_manage_py_check(
    settings: dict[str, Any], expected: str
) -> None:
    found = messages(**settings)
    assert [m.id for m in found] == [expected]
    assert found[0].hint
    with (
        override_settings(**settings),
        pytest.raises(SystemCheckError, match=re.escape(expected)),
    ):
        call_command("check")


def test_keeping_changes_under_a_quarter_is_a_warning() -> None:
    found = messages(DOCKERFLOW_HISTORY_CHANGES_RETENTION_DAYS=30)
    assert [(m.id, m.level >= 30) for m in found] == [("dockerflow.W020", True)]
    assert messages(DOCKERFLOW_HISTORY_CHANGES_RETENTION_DAYS=93) == []


def test_pruning_only_from_cron_is_valid() -> None:
    assert messages(DOCKERFLOW_HISTORY_PRUNE_SECONDS=0) == []


@pytest.mark.parametrize(
    ("settings", "field", "used"),
    [
        ({"DOCKERFLOW_HISTORY": "sometimes"}, "mode", "changes"),
        ({"DOCKERFLOW_HISTORY_SAMPLE_SECONDS": "60"}, "sample_seconds", 300),
        ({"DOCKERFLOW_HISTORY_RETENTION_DAYS": 1e9}, "retention_days", 30),
        ({"DOCKERFLOW_HISTORY_KEEP_FAILED": -1}, "keep_failed", 50),
        ({"DOCKERFLOW_HISTORY_HOST": ""}, "host", None),
        ({"DOCKERFLOW_HISTORY_QUEUE": True}, "queue", 100),
        ({"DOCKERFLOW_HISTORY_FLUSH_SECONDS": 0}, "flush_seconds", 0),
        ({"DOCKERFLOW_HISTORY_SAMPLE_SECONDS": 30}, "sample_seconds", 30),
    ],
)
def test_a_refused_value_is_replaced_by_its_default_until_it_is_fixed(
    settings: dict[str, Any], field: str, used: object
) -> None:
    """The history keeps working on a bad value; the system check says so."""
    with override_settings(**settings):
        assert getattr(conf.history, field) == used


@pytest.mark.django_db
@override_settings(
    DOCKERFLOW_HISTORY="changes",
    DOCKERFLOW_HISTORY_HOST="web-1",
    DOCKERFLOW_HISTORY_SAMPLE_SECONDS=1e12,
    DOCKERFLOW_HISTORY_RETENTION_DAYS=1e9,
)
def test_a_number_too_large_for_a_date_is_refused_not_a_crash() -> None:
    assert [m.id for m in run_checks(tags=["dockerflow"])] == ["dockerflow.E021"] * 2
    assert history.record(run(0), source="http") is not None
    assert history.record(run(5, db="error"), source="http") is not None
    assert prune().complete

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

from dockerflow.django.conf import conf
from dockerflow.django.history import history_host


def messages(**settings: Any) -> list[Any]:
    with override_settings(**settings):
        return run_checks(tags=["dockerflow"])


def test_defaults() -> None:
    with override_settings():
        del django_settings.DOCKERFLOW_HISTORY  # the test settings turn it off
        assert conf.HISTORY == "changes"
    assert conf.HISTORY_SAMPLE_SECONDS == 300
    assert conf.HISTORY_FLUSH_SECONDS == 60
    assert conf.HISTORY_RETENTION_DAYS == 30
    assert conf.HISTORY_KEEP_FAILED == 50
    assert conf.HISTORY_CHANGES_RETENTION_DAYS == 400
    assert conf.HISTORY_AGGREGATE_RETENTION_DAYS == 400
    assert conf.HISTORY_PRUNE_SECONDS == 3600
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
        ({"DOCKERFLOW_HISTORY_KEEP_FAILED": 2.5}, "dockerflow.E021"),
        ({"DOCKERFLOW_HISTORY_KEEP_FAILED": -1}, "dockerflow.E021"),
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

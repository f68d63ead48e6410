"""PostgreSQL only: a new host's first run creates its states in bulk, in a
handful of statements, and two processes racing on it write each fact once.

Collected only when DOCKERFLOW_TEST_DATABASE=postgres (see conftest.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from dockerflow.django import history
from dockerflow.django.models import CheckState, HeartbeatRun, StatusChange
from tests.services import POSTGRES_URL, require_postgres

from .history_helpers import run

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("history_on"),
]

#: The most statements a new host's first run may cost ("changes" mode).
FIRST_RUN = 10
ROOT = Path(__file__).resolve().parents[2]


@override_settings(DOCKERFLOW_HISTORY_HOST="new-host")
def test_a_new_hosts_first_run_costs_at_most_ten_statements() -> None:
    require_postgres()
    assert connection.vendor == "postgresql"
    with CaptureQueriesContext(connection) as queries:
        stored = history.record(run(0, db="error"), source="http")
    sql = [q["sql"] for q in queries]
    assert stored is not None
    assert len(sql) <= FIRST_RUN, "\n".join(sql)
    assert not any(s.startswith("SAVEPOINT") for s in sql), sql
    states = CheckState.objects.filter(host="new-host")
    assert sorted(states.values_list("check_name", "status")) == [
        ("", "error"),
        ("cache", "ok"),
        ("db", "error"),
    ]
    # No token of the INSERT is left behind; the host's row knows its run.
    assert states.get(check_name="").signature != ""
    assert not states.filter(signature__startswith="new:").exists()
    changes = StatusChange.objects.filter(host="new-host")
    assert sorted(changes.values_list("check_name", "new_status")) == [
        ("", "error"),
        ("db", "error"),
    ]
    # The next run changes nothing and is only counted.
    assert history.record(run(10, db="error"), source="http") is None


def _child_env() -> dict[str, str]:
    """The environment of a process that uses this test's database."""
    url = urlsplit(POSTGRES_URL)
    name = connection.settings_dict["NAME"]
    env = dict(os.environ, DOCKERFLOW_TEST_DATABASE="postgres")
    env["DOCKERFLOW_TEST_POSTGRES_URL"] = urlunsplit(url._replace(path=f"/{name}"))
    return env


def test_two_processes_first_runs_of_one_host_write_each_fact_once() -> None:
    require_postgres()
    host = "raced-host"
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.django.first_run_child", host],
            cwd=ROOT,
            env=_child_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        for child in children:
            assert child.stdout is not None and child.stdout.readline() == "ready\n"
        for child in children:  # both start at once, as near as can be
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        reports = [json.loads(child.communicate(timeout=60)[0]) for child in children]
    finally:
        for child in children:
            child.kill()
    assert [child.returncode for child in children] == [0, 0]
    for report in reports:
        assert len(report["sql"]) <= FIRST_RUN, "\n".join(report["sql"])
    # One of them stored the run; the other found it stored.
    assert sorted(report["stored"] for report in reports) == [False, True]
    assert HeartbeatRun.objects.filter(host=host).count() == 1
    assert CheckState.objects.filter(host=host).count() == 3
    changes = StatusChange.objects.filter(host=host)
    assert sorted(changes.values_list("check_name", "new_status")) == [
        ("", "error"),
        ("db", "error"),
    ]

"""Retention: old rows go in batches, the last failures of each host and check
stay with their messages, and ``manage.py dockerflow_prune`` does it for cron.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from dockerflow.django import history
from dockerflow.django.history import pruning
from dockerflow.django.models import (
    CheckRun,
    CheckState,
    HeartbeatAggregate,
    HeartbeatRun,
    StatusChange,
)

from .history_helpers import T0, run

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("history_on")]

DAY = 86400
NOW = T0 + dt.timedelta(days=60)


def days_ago(days: float) -> float:
    return (NOW - T0).total_seconds() - days * DAY


def store(days: float, host: str = "web-1", **statuses: str) -> None:
    with override_settings(DOCKERFLOW_HISTORY_HOST=host):
        history.record(run(days_ago(days), **statuses), source="http", force=True)


@override_settings(DOCKERFLOW_HISTORY_KEEP_FAILED=2)
def test_old_runs_go_but_the_last_failures_of_each_check_stay() -> None:
    store(50, db="error")  # the third-last db failure: old, goes
    store(45, db="error")
    store(44, cache="critical")
    store(40, db="error")
    store(40)
    store(1)
    pruned = pruning.prune(now=NOW)
    assert pruned.runs == 2
    assert pruned.kept_failures == 3
    left = HeartbeatRun.objects.order_by("time")
    assert [(r.failing_checks, (NOW - r.time).days) for r in left] == [
        (["db"], 45),
        (["cache"], 44),
        (["db"], 40),
        ([], 1),
    ]
    kept = CheckRun.objects.get(run__time=left[0].time, name="db")
    assert kept.messages == [{"id": "tests.db", "msg": "db is error"}]


@override_settings(DOCKERFLOW_HISTORY_KEEP_FAILED=0)
def test_keeping_no_failures_prunes_by_age_alone() -> None:
    store(40, db="error")
    store(1, db="error")
    assert pruning.prune(now=NOW).runs == 1


def test_deletes_in_batches_and_can_stop_early() -> None:
    for day in range(31, 41):
        store(day)
    with CaptureQueriesContext(connection) as queries:
        pruned = pruning.prune(now=NOW, batch_size=3, batches=2)
    assert (pruned.runs, pruned.complete) == (6, False)
    deletes = [q["sql"] for q in queries if q["sql"].startswith("DELETE")]
    assert deletes and all(sql.count("%s") <= 3 or "IN (" in sql for sql in deletes)
    assert HeartbeatRun.objects.count() == 4
    assert pruning.prune(now=NOW, batch_size=3).complete
    assert not HeartbeatRun.objects.exists()
    assert not CheckRun.objects.exists()


def test_changes_aggregates_and_vanished_hosts_have_their_own_retention() -> None:
    store(500, host="gone", db="error")
    store(100, host="web-1", db="error")
    store(1, host="web-1")
    history.recorder.flush()
    with override_settings(
        DOCKERFLOW_HISTORY_CHANGES_RETENTION_DAYS=93,
        DOCKERFLOW_HISTORY_AGGREGATE_RETENTION_DAYS=365,
    ):
        pruning.prune(now=NOW)
    assert set(StatusChange.objects.values_list("host", "check_name")) == {
        ("web-1", ""),
        ("web-1", "db"),
    }
    days = HeartbeatAggregate.objects.filter(period="day")
    assert set(days.values_list("host", flat=True)) == {"web-1"}
    hours = HeartbeatAggregate.objects.filter(period="hour")
    assert {(NOW - h.start).days for h in hours} == {1}  # 35 days at most
    assert set(CheckState.objects.values_list("host", flat=True)) == {"web-1"}


def test_a_dry_run_counts_and_deletes_nothing() -> None:
    store(40)
    store(35)
    out = io.StringIO()
    call_command("dockerflow_prune", "--dry-run", stdout=out)
    assert HeartbeatRun.objects.count() == 2
    assert out.getvalue().startswith("Would delete 2 runs")


def test_the_command_prunes_to_the_end() -> None:
    for day in range(31, 38):
        store(day)
    out = io.StringIO()
    call_command("dockerflow_prune", "--batch-size", "2", stdout=out)
    assert not HeartbeatRun.objects.exists()
    assert out.getvalue().startswith("Deleted 7 runs, 0 status changes")


def test_the_command_refuses_a_batch_size_under_one() -> None:
    with pytest.raises(CommandError, match="--batch-size"):
        call_command("dockerflow_prune", "--batch-size", "0")


def test_one_process_claims_each_automatic_prune() -> None:
    assert pruning.claim("default", NOW, 3600)
    assert not pruning.claim("default", NOW + dt.timedelta(minutes=30), 3600)
    assert pruning.claim("default", NOW + dt.timedelta(hours=1), 3600)
    marker = CheckState.objects.get(host="")
    assert marker.seen_at == NOW + dt.timedelta(hours=1)


@pytest.mark.django_db(transaction=True)
@override_settings(DOCKERFLOW_HISTORY_PRUNE_SECONDS=1)
def test_the_recorder_prunes_on_a_thread_of_its_own() -> None:
    store(40)
    history.recorder._pruned_at -= 2  # a prune interval has passed
    store(0, db="error")
    assert pruning.last_thread is not None
    pruning.last_thread.join(timeout=30)
    assert not pruning.last_thread.is_alive()
    assert [(NOW - r.time).days for r in HeartbeatRun.objects.all()] == [0]

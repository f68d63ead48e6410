"""Status changes and aggregates: one row per flip with how long the old state
lasted, failing time counted once into hour and day buckets, real percentiles.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from dockerflow.django import history
from dockerflow.django.history.aggregates import bucket_of, percentile, split, summed
from dockerflow.django.models import (
    DURATION_BUCKETS,
    CheckState,
    HeartbeatAggregate,
    StatusChange,
)

from .history_helpers import T0, at, run

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("history_on", "one_host"),
]

record = history.record


@pytest.fixture
def one_host() -> object:
    with override_settings(DOCKERFLOW_HISTORY_HOST="web-1"):
        yield


def changes() -> list[tuple[str, str, str, float | None]]:
    return [
        (c.check_name, c.old_status, c.new_status, c.previous_duration)
        for c in StatusChange.objects.order_by("time", "check_name")
    ]


def aggregate(check: str, period: str, start: dt.datetime) -> HeartbeatAggregate:
    return HeartbeatAggregate.objects.get(
        host="web-1", check_name=check, period=period, start=start
    )


def test_each_flip_is_one_row_saying_how_long_the_old_state_lasted() -> None:
    record(run(0), source="http")
    record(run(60, db="error"), source="http")
    record(run(90, db="error", cache="warning"), source="http")
    record(run(180, cache="warning"), source="http")
    assert changes() == [
        ("", "ok", "error", 60.0),
        ("db", "ok", "error", 60.0),
        ("cache", "ok", "warning", 90.0),
        ("", "error", "warning", 120.0),
        ("db", "error", "ok", 120.0),
    ]
    flip = StatusChange.objects.get(check_name="db", new_status="error")
    assert flip.failing_checks == ["db"]
    assert flip.run is not None and flip.run.time == at(60)
    state = CheckState.objects.get(host="web-1", check_name="")
    assert (state.status, state.since) == ("warning", at(180))


def test_a_first_seen_failure_is_a_change_and_a_first_seen_ok_is_not() -> None:
    record(run(0, db="critical"), source="http")
    assert changes() == [("", "", "critical", None), ("db", "", "critical", None)]


def test_failing_time_is_split_across_the_hours_it_spans() -> None:
    record(run(59 * 60, db="error"), source="http")
    record(run(61 * 60), source="http")
    hour = T0.replace(minute=0)
    assert aggregate("db", "hour", hour).failing_seconds == 60.0
    assert aggregate("db", "hour", hour + dt.timedelta(hours=1)).failing_seconds == 60.0
    assert aggregate("db", "day", hour.replace(hour=0)).failing_seconds == 120.0
    assert aggregate("cache", "day", hour.replace(hour=0)).failing_seconds == 0.0


def test_an_ongoing_failure_is_counted_at_each_visit_not_only_when_it_ends() -> None:
    record(run(0, db="error"), source="http")
    record(run(300, db="error"), source="http")  # the sample is due
    assert aggregate("db", "hour", T0).failing_seconds == 300.0
    record(run(420), source="http")
    assert aggregate("db", "hour", T0).failing_seconds == 420.0


def test_a_gap_with_no_heartbeat_is_no_data_not_failing_time() -> None:
    record(run(0, db="error"), source="http")
    record(run(3 * 3600), source="http")  # nobody asked for three hours
    day = aggregate("db", "day", T0.replace(hour=0))
    assert day.failing_seconds == 2 * 300  # twice the sample interval at most


def test_a_late_run_does_not_undo_a_newer_one() -> None:
    record(run(60, db="error"), source="http")
    late = history.Recorder()  # another worker, whose run started earlier
    late.record(run(30), source="http")
    assert CheckState.objects.get(check_name="db").status == "error"
    assert len(changes()) == 2


def test_every_run_is_counted_by_status_and_duration() -> None:
    record(run(0, ms=0.5), source="http")
    for second, ms in ((1, 3.0), (2, 3.0), (3, 40.0)):
        record(run(second, ms=ms, db="warning"), source="http")
    record(run(4, ms=9000.0, db="error"), source="http")
    history.recorder.flush()
    whole = aggregate("", "hour", T0)
    assert (whole.runs, whole.ok, whole.warning, whole.error) == (5, 1, 3, 1)
    assert (whole.ms_1, whole.ms_5, whole.ms_50, whole.ms_over) == (1, 2, 1, 1)
    assert whole.duration_max_ms == 9000.0
    assert whole.duration_total_ms == pytest.approx(9046.5)
    assert aggregate("db", "day", T0.replace(hour=0)).runs == 5


def test_counters_of_unstored_runs_reach_the_database_with_a_later_visit() -> None:
    with override_settings(DOCKERFLOW_HISTORY_FLUSH_SECONDS=3600):
        record(run(0), source="http")
        for second in range(1, 10):
            record(run(second), source="http")
        assert aggregate("", "hour", T0).runs == 1
        record(run(20, db="error"), source="http")  # stored: flushes the rest
    assert aggregate("", "hour", T0).runs == 11


def test_bucket_edges_are_inclusive_and_the_last_is_open() -> None:
    assert bucket_of(0.2) == "ms_1"
    assert bucket_of(1.0) == "ms_1"
    assert bucket_of(1.01) == "ms_2"
    assert bucket_of(5000.0) == "ms_5000"
    assert bucket_of(5000.1) == "ms_over"


def test_percentiles_interpolate_inside_a_bucket() -> None:
    names = [name for name, _edge in DURATION_BUCKETS]
    counts = dict.fromkeys(names, 0)
    counts.update(ms_1=90, ms_10=10)  # 90 runs under 1 ms, 10 in (5, 10]
    assert percentile(counts, 0.5) == pytest.approx(0.5 / 0.9)
    assert percentile(counts, 0.95) == pytest.approx(7.5)
    assert percentile(counts, 1.0) == 10.0
    assert percentile(dict.fromkeys(names, 0), 0.95) is None
    assert percentile([0] * (len(names) - 1) + [3], 0.5) == 5000.0


def test_rows_of_many_buckets_sum_into_one_histogram() -> None:
    for second in (0, 3600, 7200):
        record(run(second, ms=30.0), source="command", force=True)
    history.recorder.flush()
    hours = HeartbeatAggregate.objects.filter(check_name="", period="hour")
    assert summed(hours)["ms_50"] == 3
    assert percentile(summed(hours), 0.95) == pytest.approx(48.5)


def test_split_covers_each_second_once() -> None:
    start = T0 + dt.timedelta(minutes=30)
    parts = list(split(start, start + dt.timedelta(days=1)))
    hours = [seconds for period, _start, seconds in parts if period == "hour"]
    days = [seconds for period, _start, seconds in parts if period == "day"]
    assert len(hours) == 25 and sum(hours) == 86400
    assert days == [48600.0, 37800.0]


def test_a_due_flush_writes_counters_and_marks_the_host_seen_without_a_run() -> None:
    record(run(0), source="http")
    with override_settings(DOCKERFLOW_HISTORY_FLUSH_SECONDS=0):
        assert record(run(30), source="http") is None  # unchanged: not stored
    assert aggregate("", "hour", T0).runs == 2
    host = CheckState.objects.get(host="web-1", check_name="")
    assert (host.seen_at, host.stored_at) == (at(30), at(0))

"""An outage of the history's own database: the recorder keeps in memory what it
saw meanwhile, and its first visit after recovery writes the flips, at the times
they happened, and the failing time.

Here the runs find their own database check failing, so the recorder leaves
the database alone (test_history_postgres.py refuses a real connection, and
tests/e2e/test_history_outage.py does it to a server).
"""

from __future__ import annotations

import logging

import pytest
from django.test import override_settings

from dockerflow.django import history
from dockerflow.django.models import HeartbeatAggregate, StatusChange

from .history_helpers import at, run

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("history_on"),
]

DB = "check_database_connected"


def record(seconds: float, **statuses: str) -> object:
    """A run at ``seconds`` whose database check passes unless told otherwise."""
    return history.record(run(seconds, **{DB: "ok", **statuses}), source="http")


@pytest.fixture(autouse=True)
def one_host(caplog: pytest.LogCaptureFixture) -> object:
    caplog.set_level(logging.ERROR, logger="dockerflow.history")  # lost runs: expected
    with override_settings(DOCKERFLOW_HISTORY_HOST="web-1"):
        yield


def changes() -> list[tuple[object, str, str, str, float | None]]:
    return [
        (c.time, c.check_name, c.old_status, c.new_status, c.previous_duration)
        for c in StatusChange.objects.order_by("time", "check_name")
    ]


def failing_seconds(check: str) -> float:
    rows = HeartbeatAggregate.objects.filter(host="web-1", check_name=check)
    return sum(rows.filter(period="hour").values_list("failing_seconds", flat=True))


def test_the_first_visit_after_an_outage_writes_its_flips_and_failing_time() -> None:
    record(0)
    for second in range(10, 900, 10):
        assert record(second, **{DB: "error"}) is None
    assert not StatusChange.objects.exists()  # nothing reached the database
    assert record(900) is not None
    assert changes() == [
        (at(10), "", "ok", "error", 10.0),
        (at(10), DB, "ok", "error", 10.0),
        (at(900), "", "error", "ok", 890.0),
        (at(900), DB, "error", "ok", 890.0),
    ]
    # Watched all along: the outage is failing time, not a gap with no data.
    assert failing_seconds("") == pytest.approx(890.0)
    assert failing_seconds(DB) == pytest.approx(890.0)
    whole = HeartbeatAggregate.objects.get(host="web-1", check_name="", period="day")
    assert (whole.runs, whole.error) == (91, 89)


def test_flips_during_an_outage_are_written_in_order() -> None:
    record(0)
    record(10, **{DB: "error"})
    record(20, cache="warning", **{DB: "error"})
    record(30, **{DB: "error"})
    back = record(40)  # unchanged from the last stored run, but after flips
    assert back is not None
    assert [c[1:4] for c in changes()] == [
        ("", "ok", "error"),
        (DB, "ok", "error"),
        ("cache", "ok", "warning"),
        ("cache", "warning", "ok"),
        ("", "error", "ok"),
        (DB, "error", "ok"),
    ]
    warned = StatusChange.objects.get(check_name="cache", new_status="warning")
    assert (warned.time, warned.run) == (at(20), None)  # that run was not stored
    assert StatusChange.objects.get(check_name="", new_status="ok").run == back


def test_a_long_outage_keeps_a_bounded_memory_and_its_start() -> None:
    record(0)
    flapping = 5000
    for second in range(1, flapping + 1):
        status = "warning" if second % 2 else "ok"
        record(second, cache=status, **{DB: "error"})
    record(flapping + 1)
    written = StatusChange.objects.filter(check_name="cache").count()
    assert 100 <= written < flapping / 2
    first = StatusChange.objects.filter(check_name="").order_by("time").first()
    assert first is not None and first.time == at(1)
    last = StatusChange.objects.filter(check_name="").order_by("time").last()
    assert last is not None and (last.time, last.new_status) == (at(5001), "ok")

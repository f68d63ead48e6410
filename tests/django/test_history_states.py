"""Every check a host still reports stays current in ``CheckState``, so the
admin's per-check table and its by-check heatmap keep it however long it runs.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from dockerflow.django import history
from dockerflow.django.admin import picture
from dockerflow.django.models import CheckState

from .history_helpers import at, run

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("history_on")]

record = history.record


def seen() -> dict[str, dt.datetime]:
    return dict(
        CheckState.objects.filter(host="web-1").values_list("check_name", "seen_at")
    )


@override_settings(DOCKERFLOW_HISTORY_HOST="web-1")
def test_a_visit_keeps_every_reporting_check_current() -> None:
    record(run(0, db="error"), source="http")
    for start in (0, 300):
        with CaptureQueriesContext(connection) as queries:
            for second in range(start + 10, start + 300, 10):
                assert record(run(second, db="error"), source="http") is None
        # What is not stored costs one SELECT: did another worker flip it?
        sql = [q["sql"] for q in queries.captured_queries]
        assert len(sql) == 29 and all(q.startswith("SELECT") for q in sql)
        assert record(run(start + 300, db="error"), source="http") is not None
        assert seen() == dict.fromkeys(("", "cache", "db"), at(start + 300))


@override_settings(DOCKERFLOW_HISTORY_HOST="web-1")
def test_a_host_failing_for_eleven_minutes_keeps_its_check_in_the_figures() -> None:
    for second in (0, 300, 600, 660):
        record(run(second, db="error"), source="http")
    built = picture.build("/admin/dockerflow/heartbeatrun/", now=at(700))
    figures = {f.name: f for f in built.checks}
    assert set(figures) == {"cache", "db"}
    assert (figures["db"].status, figures["db"].hosts_failing) == ("error", 1)
    assert built.heatmap.failing == 1


@override_settings(DOCKERFLOW_HISTORY_HOST="web-1")
def test_after_a_day_the_heatmap_by_check_still_draws_every_check() -> None:
    day = 25 * 3600
    record(run(0, db="error"), source="http")
    record(run(day, db="error"), source="http")  # a sample: unchanged, but due
    built = picture.build("/admin/dockerflow/heartbeatrun/", "checks", now=at(day + 60))
    assert [row.label for row in built.heatmap.rows] == ["cache", "db"]


@override_settings(DOCKERFLOW_HISTORY_HOST="web-1", DOCKERFLOW_HISTORY="all")
def test_a_check_is_marked_seen_once_a_sample_interval_not_on_every_stored_run() -> (
    None
):
    def statements(second: float) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            assert record(run(second, db="error"), source="http") is not None
        sql = [q["sql"] for q in queries.captured_queries]
        return [q for q in sql if q.startswith("UPDATE") and '"seen_at" =' in q]

    record(run(0, db="error"), source="http")
    # Only the claim, which marks the host, names seen_at.
    assert len(statements(10)) == 1
    assert seen() == {"": at(10), "cache": at(0), "db": at(0)}
    assert len(statements(300)) == 2  # the checks' marks are a sample old
    assert seen() == dict.fromkeys(("", "cache", "db"), at(300))

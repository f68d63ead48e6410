"""Duration percentiles never leave the range of the durations counted: the
histogram interpolates inside a bucket, and the runs may all sit at one end.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dockerflow.django import history
from dockerflow.django.admin import picture
from dockerflow.django.history.aggregates import Tally, percentile
from dockerflow.django.models import HeartbeatAggregate
from tests.profiles import examples

from .history_helpers import T0, at, run

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("history_on")]

TOKEN = "percentile-token"
#: The issue's figures: every run took 69.49 ms, and p95 said 97.5.
MS = 69.49


@pytest.fixture
def recorded() -> None:
    """Forty runs of web-1, each (and each check) taking :data:`MS`."""
    with override_settings(
        DOCKERFLOW_HISTORY="all",
        DOCKERFLOW_HISTORY_HOST="web-1",
        DOCKERFLOW_HISTORY_FLUSH_SECONDS=0,
    ):
        for second in range(0, 400, 10):
            history.record(run(second, ms=MS), source="http")
    history.recorder.flush()


@override_settings(
    ROOT_URLCONF="tests.django.urls_api", DOCKERFLOW_HEARTBEAT_TOKEN=TOKEN
)
def test_the_uptime_api_answers_no_percentile_above_the_slowest_run(
    recorded: None,
) -> None:
    response = Client().get(
        "/dockerflow/history/uptime/",
        {"since": T0.isoformat(), "until": at(3600).isoformat()},
        HTTP_AUTHORIZATION=f"Bearer {TOKEN}",
    )
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert {row["check"] for row in rows} == {"", "cache", "db"}
    for row in rows:
        assert row["max_ms"] == pytest.approx(MS)
        assert row["p50_ms"] == pytest.approx(MS)
        assert row["p95_ms"] == pytest.approx(MS)


def test_the_admin_figures_show_no_percentile_outside_the_runs(recorded: None) -> None:
    built = picture.build("/admin/dockerflow/heartbeatrun/", now=at(600))
    assert {f.name for f in built.checks} == {"cache", "db"}
    for figures in built.checks:
        shown = (figures.p50_24h, figures.p95_24h, figures.p95_30d)
        assert shown == pytest.approx((MS, MS, MS))


def test_the_fastest_run_is_counted_too(recorded: None) -> None:
    row = HeartbeatAggregate.objects.get(check_name="", period="day")
    assert row.duration_min_ms == pytest.approx(MS)
    with override_settings(
        DOCKERFLOW_HISTORY_HOST="web-1", DOCKERFLOW_HISTORY_FLUSH_SECONDS=0
    ):
        history.record(run(500, ms=3.0, db="error"), source="http")
    row.refresh_from_db()
    assert (row.duration_min_ms, row.duration_max_ms) == pytest.approx((3.0, MS))


durations = st.lists(
    st.floats(min_value=0.0, max_value=20_000.0, allow_nan=False), min_size=1
)


@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(first=durations, second=durations, q=st.floats(min_value=0.0, max_value=1.0))
def test_a_percentile_of_merged_counters_is_within_the_durations_counted(
    first: list[float], second: list[float], q: float
) -> None:
    def counted(values: list[float]) -> Tally:
        tally = Tally()
        for ms in values:
            tally.add_run("web-1", "", T0, 0, ms)
        return tally

    tally = counted(first)
    tally.merge(counted(second))
    row: Any = tally.rows[("web-1", "", "day", T0.replace(hour=0))]
    found = percentile(
        row.by_field, q, lowest=row.duration_min_ms, highest=row.duration_max_ms
    )
    assert found is not None
    assert min(first + second) <= found <= max(first + second)


def test_bounds_unknown_leave_the_bucket_estimate_alone() -> None:
    # Rows written before the fastest run was counted have no lower bound.
    assert percentile({"ms_100": 20}, 0.95, lowest=None, highest=None) == 97.5
    assert percentile({"ms_100": 20}, 0.95, lowest=None, highest=MS) == MS
    assert percentile({"ms_over": 3}, 0.5, lowest=6000.0, highest=9000.0) == 6000.0

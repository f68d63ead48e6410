"""The history models: migration 0001 matches them, and each row prints itself.

``makemigrations --check`` failing here means a model changed without a
reviewed migration.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from dockerflow.django.models import (
    DURATION_BUCKETS,
    CheckRun,
    CheckState,
    HeartbeatAggregate,
    HeartbeatRun,
    StatusChange,
)

T0 = dt.datetime(2026, 3, 4, 10, 42, tzinfo=dt.timezone.utc)


@pytest.mark.django_db
def test_makemigrations_finds_nothing_to_do() -> None:
    call_command("makemigrations", "dockerflow", check=True, dry_run=True, verbosity=0)


def test_histogram_buckets_match_the_fields() -> None:
    names = [f.name for f in HeartbeatAggregate._meta.get_fields()]
    assert all(name in names for name, _edge in DURATION_BUCKETS)
    edges = [edge for _name, edge in DURATION_BUCKETS]
    assert edges == sorted(edges) and edges[-1] == float("inf")


@pytest.mark.django_db
def test_rows_print_what_they_are() -> None:
    run = HeartbeatRun.objects.create(
        time=T0,
        host="web-1",
        status="error",
        level=40,
        duration_ms=3.5,
        http_status=500,
        source="http",
        version="1.2.3",
        failing_checks=["db"],
    )
    check = CheckRun.objects.create(
        run=run,
        time=T0,
        host="web-1",
        name="db",
        status="error",
        level=40,
        duration_ms=3.0,
        messages=[{"id": "dockerflow.health.E001", "msg": "down"}],
    )
    change = StatusChange.objects.create(
        time=T0,
        host="web-1",
        check_name="db",
        old_status="ok",
        new_status="error",
        failing_checks=["db"],
        previous_duration=60.0,
        run=run,
    )
    aggregate = HeartbeatAggregate.objects.create(
        host="web-1", check_name="db", period="hour", start=T0.replace(minute=0)
    )
    state = CheckState.objects.create(
        host="web-1",
        check_name="",
        status="error",
        since=T0,
        seen_at=T0,
        counted_until=T0,
    )
    # As every admin page writes a time: local, to the minute, with its zone.
    assert str(run) == "web-1 error at 2026-03-04 04:42 CST"
    assert str(check) == "db error on web-1"
    assert str(change) == "db: ok -> error"
    assert str(aggregate) == "web-1 db hour 2026-03-04 10:00"
    assert str(state) == "web-1: error"
    assert list(run.checks.all()) == [check]
    assert list(run.changes.all()) == [change]
    assert aggregate.histogram() == [0] * len(DURATION_BUCKETS)

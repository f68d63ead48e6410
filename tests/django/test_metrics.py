"""/__metrics__: the history as OpenMetrics, parsed by prometheus_client's own
parser; counters that survive a prune, one series per label set, a fixed
number of queries, the token, and the settings' system checks.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import time
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection
from django.db.models import F
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from prometheus_client.exposition import choose_encoder
from prometheus_client.openmetrics.parser import text_string_to_metric_families
from prometheus_client.parser import text_string_to_metric_families as text_families
from prometheus_client.registry import CollectorRegistry

from dockerflow.checks import CheckResult, HeartbeatResult
from dockerflow.checks.messages import CheckMessage
from dockerflow.django import heartbeat, history
from dockerflow.django.history import exposition, metrics, pruning
from dockerflow.django.migrations import __name__ as migrations_package
from dockerflow.django.models import (
    EPOCH,
    CheckRun,
    HeartbeatAggregate,
    HeartbeatRun,
    Period,
)
from tests.openmetrics import samples

from .history_helpers import LEVELS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("history_on")]

OPENMETRICS = "application/openmetrics-text; version=1.0.0"
ON = {"DOCKERFLOW_METRICS_ENDPOINT": True}


def result(ago: float = 0.0, ms: float = 3.0, **statuses: str) -> HeartbeatResult:
    checks = []
    for name, status in sorted({"db": "ok", "cache": "ok", **statuses}.items()):
        level = LEVELS[status]
        messages = (CheckMessage(f"{name} {status}", level),) if level else ()
        checks.append(CheckResult(name, messages, duration=ms / 1000.0))
    started = time.time() - ago
    return HeartbeatResult(checks=tuple(checks), started_at=started, duration=ms / 1000)


def record(host: str = "web-1", ago: float = 0.0, **statuses: str) -> None:
    with override_settings(DOCKERFLOW_HISTORY_HOST=host):
        history.record(result(ago, **statuses), source="http", force=True)


def scrape(client: Client, accept: str = OPENMETRICS, **headers: str) -> Any:
    with override_settings(**ON):
        return client.get("/__metrics__", headers={"Accept": accept, **headers})


def value(found: dict[Any, float], name: str, **labels: str) -> float:
    return found[(name, frozenset(labels.items()))]


def test_off_by_default(client: Client) -> None:
    assert client.get("/__metrics__").status_code == 404


def test_head_has_the_headers_of_get_and_other_methods_get_405(client: Client) -> None:
    record()
    with override_settings(**ON):
        got = client.get("/__metrics__/", headers={"Accept": OPENMETRICS})
        head = client.head("/__metrics__", headers={"Accept": OPENMETRICS})
        posted = client.post("/__metrics__")
    assert got.status_code == head.status_code == 200
    assert head.content == b""
    assert head["Content-Length"] == got["Content-Length"] == str(len(got.content))
    assert head["Content-Type"] == got["Content-Type"]
    assert (posted.status_code, posted["Allow"]) == (405, "GET, HEAD")


def test_openmetrics_with_every_family_and_its_type(client: Client) -> None:
    record(ago=30)
    record(ago=20, db="error")
    record(ago=10, db="error")
    response = scrape(client)
    assert response.status_code == 200  # a failing check is a series, not a 5xx
    assert response["Content-Type"].startswith(OPENMETRICS)
    text = response.content.decode()
    assert text.endswith("# EOF\n")
    types = {f.name: f.type for f in text_string_to_metric_families(text)}
    assert types == {
        "dockerflow_host_missing": "gauge",
        "dockerflow_host_last_seen_timestamp_seconds": "gauge",
        "dockerflow_host_version": "info",
        "dockerflow_check_status": "stateset",
        "dockerflow_check_runs": "counter",
        "dockerflow_check_duration_seconds": "histogram",
        "dockerflow_check_failing_seconds": "counter",
        "dockerflow_check_last_run_timestamp_seconds": "gauge",
    }
    found = samples(text)
    db = {"host": "web-1", "check": "db"}
    assert (
        value(found, "dockerflow_check_status", **db, dockerflow_check_status="error")
        == 1
    )
    assert (
        value(found, "dockerflow_check_status", **db, dockerflow_check_status="ok") == 0
    )
    assert value(found, "dockerflow_check_runs_total", **db, status="error") == 2
    assert value(found, "dockerflow_check_runs_total", **db, status="ok") == 1
    assert (
        value(found, "dockerflow_check_duration_seconds_bucket", **db, le="0.002") == 0
    )
    assert (
        value(found, "dockerflow_check_duration_seconds_bucket", **db, le="0.005") == 3
    )
    assert value(found, "dockerflow_check_duration_seconds_count", **db) == 3
    assert value(found, "dockerflow_check_duration_seconds_sum", **db) == pytest.approx(
        0.009
    )
    assert value(
        found, "dockerflow_check_failing_seconds_total", **db
    ) == pytest.approx(10, abs=1)
    assert not [name for name, _labels in found if "heartbeat" in name]
    assert value(found, "dockerflow_host_missing", host="web-1") == 0
    seen = value(found, "dockerflow_host_last_seen_timestamp_seconds", host="web-1")
    assert abs(seen - (time.time() - 10)) < 60


def test_prometheus_text_when_accept_names_no_openmetrics(client: Client) -> None:
    record()
    response = scrape(client, accept="text/plain;version=0.0.4;q=0.5,*/*;q=0.1")
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    names = {f.name for f in text_families(response.content.decode())}
    assert "dockerflow_check_runs" in names
    assert "# EOF" not in response.content.decode()


@pytest.mark.parametrize("accept", [OPENMETRICS, "text/plain", ""])
def test_the_bytes_are_those_of_the_negotiated_encoder(accept: str) -> None:
    record(cache="warning")
    record('web-\\2\n"', db="critical")  # label values that need escaping
    found = metrics.snapshot()
    registry = CollectorRegistry(auto_describe=False)
    registry.register(metrics.HistoryCollector(found))
    encoder, content_type = choose_encoder(accept)
    assert exposition.exposition(found, accept) == (encoder(registry), content_type)


def test_counters_never_go_down_when_the_history_is_pruned(client: Client) -> None:
    for ago in (40, 30, 20, 10):
        record(ago=ago)
    before = samples(scrape(client).content.decode())
    # Runs, hours and days 800 days old, of a host still reporting.
    back = dt.timedelta(days=800)
    HeartbeatRun.objects.update(time=F("time") - back)
    CheckRun.objects.update(time=F("time") - back)
    HeartbeatAggregate.objects.exclude(period=Period.TOTAL).update(
        start=F("start") - back
    )
    with override_settings(DOCKERFLOW_HISTORY_KEEP_FAILED=0):
        pruned = pruning.prune()
    assert pruned.runs and pruned.aggregates  # runs, hours and days went
    assert not HeartbeatAggregate.objects.exclude(period=Period.TOTAL).exists()
    record()
    after = samples(scrape(client).content.decode())
    counters = [key for key in before if key[0].endswith(("_total", "_count"))]
    assert counters
    for key in counters:
        assert after[key] >= before[key], key
    runs = (
        "dockerflow_check_runs_total",
        frozenset({("host", "web-1"), ("check", "db"), ("status", "ok")}),
    )
    assert (before[runs], after[runs]) == (4, 5)


def test_a_host_gone_for_the_run_retention_takes_its_totals_with_its_states() -> None:
    record("web-1", ago=40 * 86400)
    record("web-2")
    pruning.prune()
    left = HeartbeatAggregate.objects.filter(period=Period.TOTAL)
    assert sorted(set(left.values_list("host", flat=True))) == ["web-2"]


def test_a_check_name_repeated_across_apps_makes_one_series(client: Client) -> None:
    twice = (
        CheckResult("db", (), duration=0.001),
        CheckResult("db", (CheckMessage("down", 40),), duration=0.001),
    )
    with override_settings(DOCKERFLOW_HISTORY_HOST="web-1"):
        history.record(
            HeartbeatResult(checks=twice, started_at=time.time(), duration=0.002),
            source="http",
            force=True,
        )
    found = samples(scrape(client).content.decode())  # fails on a duplicate
    assert (
        value(
            found, "dockerflow_check_duration_seconds_count", host="web-1", check="db"
        )
        == 2
    )


def test_a_host_silent_too_long_is_missing_and_one_silent_a_day_is_gone() -> None:
    record("web-1", ago=3600)
    record("web-2", ago=2 * 86400)
    record("web-3")
    found = metrics.snapshot()
    assert sorted(found.hosts) == [("web-1",), ("web-3",)]
    text = exposition.exposition(found, OPENMETRICS)[0].decode()
    assert value(samples(text), "dockerflow_host_missing", host="web-1") == 1
    assert value(samples(text), "dockerflow_host_missing", host="web-3") == 0


def test_a_scrape_reads_a_fixed_number_of_queries_and_runs_no_check(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    counts = []
    ran: list[object] = []
    for hosts in (1, 5):
        for number in range(hosts):
            record(f"web-{number}", cache="warning")
        monkeypatch.setattr(heartbeat, "run_heartbeat", lambda: ran.append(1))
        with CaptureQueriesContext(connection) as queries:
            assert scrape(client).status_code == 200
        monkeypatch.undo()
        counts.append(len(queries))
        assert ran == []
    assert counts == [metrics.QUERIES, metrics.QUERIES]


@override_settings(DOCKERFLOW_METRICS_TOKEN="scrape-only")
def test_the_token_is_required_when_set(client: Client) -> None:
    record()
    assert scrape(client).status_code == 401
    wrong = scrape(client, HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 401
    assert scrape(client, Authorization="Bearer nope").status_code == 401
    assert scrape(client, Authorization="Bearer scrape-only").status_code == 200


@override_settings(DOCKERFLOW_HEARTBEAT_TOKEN="heartbeat", DOCKERFLOW_METRICS_TOKEN="m")
def test_the_heartbeat_token_does_not_open_metrics(client: Client) -> None:
    assert scrape(client, Authorization="Bearer heartbeat").status_code == 401


@pytest.mark.parametrize(
    ("settings", "id"),
    [
        ({"DOCKERFLOW_METRICS_ENDPOINT": "yes"}, "dockerflow.E050"),
        ({"DOCKERFLOW_METRICS_TOKEN": ""}, "dockerflow.E051"),
        ({"DOCKERFLOW_METRICS_TOKEN": 12}, "dockerflow.E051"),
    ],
)
def test_bad_settings_fail_the_system_checks(settings: dict[str, Any], id: str) -> None:
    with override_settings(**settings), pytest.raises(SystemCheckError, match=id):
        call_command("check")


def test_the_endpoint_on_without_prometheus_client_fails_the_checks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any) -> Any:
        return None if name == "prometheus_client" else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    with override_settings(**ON), pytest.raises(SystemCheckError, match="E052"):
        call_command("check")


def test_the_migration_starts_the_totals_from_the_day_rows() -> None:
    migration = __import__(f"{migrations_package}.0004_aggregate_total", fromlist=["x"])
    day = EPOCH + dt.timedelta(days=20000)
    for offset in (0, 1):
        HeartbeatAggregate.objects.create(
            host="web-1",
            check_name="db",
            period=Period.DAY,
            start=day + dt.timedelta(days=offset),
            runs=5,
            ok=4,
            error=1,
            ms_5=5,
            duration_total_ms=10.0,
            duration_max_ms=3.0 + offset,
        )

    class Editor:
        connection = connection

    migration.total_from_days(apps, Editor())
    total = HeartbeatAggregate.objects.get(period=Period.TOTAL, check_name="db")
    assert (total.runs, total.ok, total.error, total.ms_5) == (10, 8, 2, 10)
    assert (total.duration_total_ms, total.duration_max_ms) == (20.0, 4.0)

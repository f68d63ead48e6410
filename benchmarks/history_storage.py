"""What the heartbeat history costs a heartbeat, printed side by side.

Each row is the median (and p95) of many ``/__heartbeat__`` requests through
the view with two quick checks: the history off, a run that is only counted
("changes" mode, nothing changed), and a run that is stored with its checks.
Run: python benchmarks/history_storage.py [--postgres postgresql://.../db]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django
from django.conf import settings
from django.urls import include, path

urlpatterns = [path("", include("dockerflow.django.urls"))]


def ok_check(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    return []


def also_ok(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    return []


def database(url: str | None, folder: str) -> dict[str, Any]:
    if url is None:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(Path(folder) / "history.sqlite3"),
        }
    parts = urlsplit(url)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": parts.path.lstrip("/"),
        "USER": unquote(parts.username or "postgres"),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "127.0.0.1",
        "PORT": str(parts.port or 5432),
    }


def configure(url: str | None, folder: str) -> None:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="benchmark-only",
        ALLOWED_HOSTS=["testserver"],
        ROOT_URLCONF=__name__,
        BASE_DIR=str(Path(__file__).resolve().parent.parent / "tests" / "django"),
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "dockerflow.django",
        ],
        DATABASES={"default": database(url, folder)},
        MIDDLEWARE=[],
        USE_TZ=True,
        DOCKERFLOW_CHECKS=[f"{__name__}.ok_check", f"{__name__}.also_ok"],
        DOCKERFLOW_HISTORY_HOST="bench-1",
        DOCKERFLOW_HISTORY_PRUNE_SECONDS=0,
        # What a store costs in the request, as it did before the writer
        # thread; benchmarks/history_heartbeat.py measures the writer.
        DOCKERFLOW_HISTORY_QUEUE=0,
        LOGGING_CONFIG=None,
    )
    django.setup()


def timings(rounds: int, **overrides: Any) -> list[float]:
    from django.test import Client
    from django.test.utils import override_settings

    client = Client()
    out = []
    with override_settings(**overrides):
        for _ in range(rounds):
            started = time.perf_counter()
            response = client.get("/__heartbeat__")
            out.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.content
    return out


def commit_reference(rounds: int) -> list[float]:
    """One single-row INSERT and its COMMIT: what any write costs here."""
    from django.db import transaction

    from dockerflow.django.models import CheckState

    out = []
    for number in range(rounds):
        started = time.perf_counter()
        with transaction.atomic():
            CheckState.objects.filter(host="bench-1", check_name="ref").delete()
            CheckState.objects.create(
                host="bench-1",
                check_name="ref",
                status="ok",
                since=django_now(),
                seen_at=django_now(),
                counted_until=django_now(),
                signature=str(number),
            )
        out.append((time.perf_counter() - started) * 1000)
    return out


def round_trip(rounds: int) -> list[float]:
    """``SELECT 1``: what one statement costs before any work is done."""
    from django.db import connection

    out = []
    with connection.cursor() as cursor:
        for _ in range(rounds):
            started = time.perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchone()
            out.append((time.perf_counter() - started) * 1000)
    return out


def django_now() -> Any:
    from django.utils import timezone

    return timezone.now()


def unstored_record_us(rounds: int) -> float:
    """``history.record`` alone for a run that is counted, not stored (µs)."""
    from django.test.utils import override_settings

    from dockerflow.checks import CheckResult, HeartbeatResult
    from dockerflow.django import history

    results = [
        HeartbeatResult(
            checks=(CheckResult("ok_check"), CheckResult("also_ok")),
            started_at=time.time(),
            duration=0.001,
        )
        for _ in range(rounds)
    ]
    with override_settings(
        DOCKERFLOW_HISTORY="changes", DOCKERFLOW_HISTORY_FLUSH_SECONDS=3600
    ):
        history.record(results[0], source="http")  # stored: the first one
        started = time.perf_counter()
        for result in results[1:]:
            history.record(result, source="http")
        took = time.perf_counter() - started
    return took / (rounds - 1) * 1e6


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main(rounds: int = 400, url: str | None = None) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        configure(url, folder)
        from django.core.management import call_command

        from dockerflow.django import history
        from dockerflow.django.models import CheckState, HeartbeatRun

        call_command("migrate", verbosity=0)
        HeartbeatRun.objects.filter(host="bench-1").delete()
        CheckState.objects.filter(host="bench-1").delete()
        timings(20, DOCKERFLOW_HISTORY="all")  # warm up: imports, connection
        history.recorder.reset()
        timings(1, DOCKERFLOW_HISTORY="changes")  # the first run is stored
        before = HeartbeatRun.objects.count()
        rows = {
            "history off": timings(rounds, DOCKERFLOW_HISTORY="off"),
            "counted, not stored": timings(
                rounds,
                DOCKERFLOW_HISTORY="changes",
                DOCKERFLOW_HISTORY_FLUSH_SECONDS=3600,
            ),
            "stored with its checks": timings(rounds, DOCKERFLOW_HISTORY="all"),
        }
        if url is not None:
            # The same writes without waiting for the disk: the part of the
            # cost that is the history's own, not the disk's.
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO off")
            rows["stored, no disk wait"] = timings(rounds, DOCKERFLOW_HISTORY="all")
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO on")
        history.recorder.reset()
        alone = unstored_record_us(rounds * 25)
        reference = commit_reference(rounds // 4)
        trip = round_trip(rounds)
        stored = HeartbeatRun.objects.count() - before
        stored_rows = sum(1 for label in rows if label.startswith("stored"))
        assert stored == stored_rows * rounds, (stored, rounds)  # none counted-only
        figures = {label: statistics.median(ms) for label, ms in rows.items()}
        engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        print(
            f"Django {django.__version__}, {engine}, {rounds} heartbeats per row "
            "through the view, 2 checks"
        )
        base = figures["history off"]
        for label, ms in rows.items():
            extra = figures[label] - base
            print(
                f"  {label:<24}median {figures[label]:6.3f} ms  "
                f"p95 {p95(ms):6.3f} ms  (+{extra:.3f} ms)"
            )
        print(f"  record() alone, not stored: {alone:.1f} µs per run")
        print(
            f"  {'(one INSERT + COMMIT)':<24}median {statistics.median(reference):6.3f} ms"
            f"  p95 {p95(reference):6.3f} ms  what any write costs on this disk"
        )
        print(
            f"  {'(SELECT 1)':<24}median {statistics.median(trip):6.3f} ms"
            f"  p95 {p95(trip):6.3f} ms  one statement's round trip"
        )
        HeartbeatRun.objects.filter(host="bench-1").delete()
        CheckState.objects.filter(host="bench-1").delete()
        from django.db import connections

        connections.close_all()
        return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=400)
    parser.add_argument("--postgres", metavar="URL", default=None)
    options = parser.parse_args()
    main(options.rounds, options.postgres)

"""The history admin at scale: 1,000,000 runs of 100 hosts in PostgreSQL.

Fills a database of its own (history_rows.py), then times each admin page
through Django's test client and checks that every COUNT it ran was bounded.
Run: python benchmarks/history_admin.py [--runs N] [--hosts N] [--reuse]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django
from django.conf import settings
from django.contrib import admin
from django.urls import path

# Filled once Django is set up: the admin site can't be built before.
urlpatterns: list[Any] = []
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/dockerflow_bench"


def configure(url: str) -> None:
    parts = urlsplit(url)
    settings.configure(
        DEBUG=False,
        SECRET_KEY="benchmark-only",
        ALLOWED_HOSTS=["testserver"],
        ROOT_URLCONF=__name__,
        USE_TZ=True,
        INSTALLED_APPS=[
            "django.contrib.admin",
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
            "dockerflow.django",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
        ],
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "APP_DIRS": True,
                "OPTIONS": {
                    "context_processors": [
                        "django.template.context_processors.request",
                        "django.contrib.auth.context_processors.auth",
                        "django.contrib.messages.context_processors.messages",
                    ]
                },
            }
        ],
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": parts.path.lstrip("/"),
                "USER": unquote(parts.username or "postgres"),
                "PASSWORD": unquote(parts.password or ""),
                "HOST": parts.hostname or "127.0.0.1",
                "PORT": str(parts.port or 5432),
            }
        },
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    django.setup()
    urlpatterns.append(path("admin/", admin.site.urls))


def create_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = parts._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if found.fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def fill(runs: int, hosts: int, reuse: bool) -> None:
    from django.db import connection
    from django.utils import timezone

    from benchmarks.history_rows import SILENT_RUNS, generate
    from dockerflow.django.models import HeartbeatRun

    if reuse and HeartbeatRun.objects.count() == runs - 2 * SILENT_RUNS:
        print("reusing the rows already there")
        return
    print(f"writing {runs:,} runs of {hosts} hosts over 30 days ...")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        generate(cursor, timezone.now(), runs, hosts)
    print(f"  done in {time.perf_counter() - started:.0f} s")


def pages() -> list[tuple[str, str, dict[str, str]]]:
    from dockerflow.django.models import HeartbeatRun

    run = HeartbeatRun.objects.filter(status="error").first()
    assert run is not None
    version = HeartbeatRun.objects.order_by("-time").values_list("version", flat=True)[
        0
    ]
    runs = "/admin/dockerflow/heartbeatrun/"
    return [
        ("runs list, with the picture by host", runs, {}),
        ("the same, picture by check", runs, {"rows": "checks"}),
        ("page 100 of the list", runs, {"p": "100"}),
        ("filter status = failing", runs, {"status": "failing"}),
        ("filter status = critical", runs, {"status": "critical"}),
        ("filter host", runs, {"host": run.host}),
        ("filter version", runs, {"version": version}),
        ("filter failing check", runs, {"failing_check": "check_redis_connected"}),
        ("filter date: past 7 days", runs, {"time__gte": _days_ago(7)}),
        (
            "a heatmap cell (host and hour)",
            runs,
            {"host": run.host, **_hour_of(run.time)},
        ),
        ("search a check name", runs, {"q": "redis"}),
        ("a run's detail page", f"{runs}{run.pk}/change/", {}),
        ("status changes list", "/admin/dockerflow/statuschange/", {}),
    ]


def _days_ago(days: int) -> str:
    from datetime import timedelta

    from django.utils import timezone

    return (timezone.now() - timedelta(days=days)).isoformat()


def _hour_of(when: Any) -> dict[str, str]:
    from datetime import timedelta

    start = when.replace(minute=0, second=0, microsecond=0)
    return {
        "time__gte": start.isoformat(),
        "time__lt": (start + timedelta(hours=1)).isoformat(),
    }


def measure(
    client: Any, url: str, params: dict[str, str], repeat: int
) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, (url, params, response.status_code)
    sqls = [q["sql"].upper() for q in captured.captured_queries]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url, params)
        times.append((time.perf_counter() - started) * 1000)
    return {
        "median": statistics.median(times),
        "max": max(times),
        "queries": len(sqls),
        # A paginator's count; the picture's grouped counts are bounded by time.
        "unbounded": [
            s for s in sqls if s.startswith("SELECT COUNT(") and "LIMIT" not in s
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url", default=os.environ.get("DOCKERFLOW_BENCH_POSTGRES_URL", DEFAULT_URL)
    )
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--reuse", action="store_true", help="keep rows from a previous run"
    )
    args = parser.parse_args()
    create_database(args.url)
    configure(args.url)

    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client

    from dockerflow.django.admin import picture

    call_command("migrate", verbosity=0)
    fill(args.runs, args.hosts, args.reuse)
    user, _ = User.objects.get_or_create(
        username="bench", is_staff=True, is_superuser=True
    )
    client = Client()
    client.force_login(user)

    started = time.perf_counter()
    for _ in range(args.repeat):
        picture.build(lambda params: "?")
    alone = (time.perf_counter() - started) * 1000 / args.repeat
    print(f"\n{'page':42} {'median ms':>10} {'max ms':>8} {'queries':>8}")
    print(f"{'the picture alone (picture.build)':42} {alone:10.0f} {'':>8} {'':>8}")
    unbounded = []
    for label, url, params in pages():
        figures = measure(client, url, params, args.repeat)
        unbounded += figures["unbounded"]
        print(
            f"{label:42} {figures['median']:10.0f} {figures['max']:8.0f} {figures['queries']:8}"
        )
    print("\nevery COUNT bounded by LIMIT:", "yes" if not unbounded else "NO")
    for sql in unbounded:
        print("  unbounded:", sql[:200])
    if unbounded:
        sys.exit(1)


if __name__ == "__main__":
    main()

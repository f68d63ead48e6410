"""The history admin at scale: 1,000,000 runs of 100 hosts in PostgreSQL.

Fills a database of its own (history_rows.py) with a check that fails in 10 %
of the runs, counts each admin page's queries through Django's test client
(every COUNT must be bounded), then times it from outside through gunicorn,
logged in as staff: best, median and worst of --repeat, side by side.
Run: python benchmarks/history_admin.py [--runs N] [--hosts N] [--reuse]
"""

from __future__ import annotations

import argparse
import os
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
#: The check that fails in --flaky of the runs.
FLAKY = "check_redis_connected"


def configure(url: str, api: bool = False, extra: dict[str, Any] | None = None) -> None:
    parts = urlsplit(url)
    settings.configure(
        DEBUG=False,
        SECRET_KEY="benchmark-only",
        ALLOWED_HOSTS=["testserver", "127.0.0.1"],
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
        DOCKERFLOW_METRICS_ENDPOINT=True,
        **(extra or {}),
    )
    django.setup()
    urlpatterns.append(path("admin/", admin.site.urls))
    if api:
        from django.urls import include

        urlpatterns.append(path("dockerflow/", include("dockerflow.django.api.urls")))
        urlpatterns.append(path("", include("dockerflow.django.urls")))


def create_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = parts._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if found.fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def fill(runs: int, hosts: int, reuse: bool, flaky: float = 0.0) -> None:
    from django.db import connection
    from django.utils import timezone

    from benchmarks.history_rows import SILENT_RUNS, generate
    from dockerflow.django.models import FAILING, CheckRun, HeartbeatRun

    if reuse and HeartbeatRun.objects.count() == runs - 2 * SILENT_RUNS:
        failed = CheckRun.objects.filter(name=FLAKY, status__in=FAILING).count()
        # The flaky share, on top of the episodes' 1.7 %.
        if abs(failed / runs - flaky - 0.017) < 0.01:
            print("reusing the rows already there")
            return
    print(
        f"writing {runs:,} runs of {hosts} hosts over 30 days,"
        f" check_redis_connected failing in {flaky:.0%} of them at random ..."
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        generate(cursor, timezone.now(), runs, hosts, flaky=flaky)
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
        ("filter failing check", runs, {"failing_check": FLAKY}),
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


def measure(client: Any, url: str, params: dict[str, Any]) -> dict[str, Any]:
    """The queries one request of the page runs, in this process."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, (url, params, response.status_code)
    sqls = [q["sql"].upper() for q in captured.captured_queries]
    return {
        "queries": len(sqls),
        # A paginator's count; the picture's grouped counts are bounded by time.
        "unbounded": [
            s for s in sqls if s.startswith("SELECT COUNT(") and "LIMIT" not in s
        ],
    }


def arguments(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--url", default=os.environ.get("DOCKERFLOW_BENCH_POSTGRES_URL", DEFAULT_URL)
    )
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument(
        "--flaky",
        type=float,
        default=0.10,
        help="share of runs in which check_redis_connected fails at random",
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument(
        "--reuse", action="store_true", help="keep rows from a previous run"
    )
    return parser.parse_args()


def prepare(args: argparse.Namespace) -> Any:
    """The database filled and migrated; a test client logged in as staff."""
    create_database(args.url)
    configure(args.url, api=True)

    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    fill(args.runs, args.hosts, args.reuse, args.flaky)
    user, _ = User.objects.get_or_create(
        username="bench", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    return client


def report(
    args: argparse.Namespace,
    client: Any,
    targets: list[tuple[str, str, dict[str, Any]]],
    what: str,
) -> list[str]:
    """Each target's queries in this process, then its times through
    gunicorn; returns the unbounded COUNTs it saw."""
    from benchmarks import served

    counted = [(label, measure(client, url, params)) for label, url, params in targets]
    cookie = served.staff_cookie()
    print(
        f"\nthrough gunicorn ({args.workers} workers), staff session,"
        f" {args.repeat} GETs each after one warm-up:"
    )
    print(f"{what:42} {'best ms':>8} {'median':>8} {'max':>8} {'queries':>8}")
    unbounded: list[str] = []
    with served.gunicorn(args.url, args.workers) as port:
        for (label, url, params), (_label, queries) in zip(
            targets, counted, strict=True
        ):
            times = served.timed(port, url, params, cookie, args.repeat)
            unbounded += queries["unbounded"]
            print(
                f"{label:42} {times['best']:8.0f} {times['median']:8.0f}"
                f" {times['max']:8.0f} {queries['queries']:8}"
            )
    return unbounded


def main() -> None:
    args = arguments(__doc__.splitlines()[0])
    client = prepare(args)

    from django.utils import timezone

    from dockerflow.django.admin import picture

    started = time.perf_counter()
    for _ in range(args.repeat):
        picture.build("?", now=timezone.now())
    alone = (time.perf_counter() - started) * 1000 / args.repeat
    print(f"\nthe picture alone (picture.build, in this process): {alone:.0f} ms")
    unbounded = report(args, client, pages(), "page")
    print("\nevery COUNT bounded by LIMIT:", "yes" if not unbounded else "NO")
    for sql in unbounded:
        print("  unbounded:", sql[:200])
    if unbounded:
        sys.exit(1)


if __name__ == "__main__":
    main()

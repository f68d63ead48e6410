"""The history API at scale: 1,000,000 runs of 100 hosts in PostgreSQL.

Fills its database with history_rows.py, as history_admin.py does, then times
each API call through Django's test client and checks that none counted rows.
Run: python benchmarks/history_api.py [--runs N] [--hosts N] [--reuse]
"""

from __future__ import annotations

import argparse
import base64
import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import history_admin

API = "/dockerflow/history"


def deep_cursor(days: int) -> str:
    """A cursor as the API would give ``days`` back: its position is a time."""
    from django.utils import timezone

    position = str(timezone.now() - timedelta(days=days))
    return base64.b64encode(urlencode({"p": position}).encode()).decode()


def calls() -> list[tuple[str, str, dict[str, Any]]]:
    from dockerflow.django.models import HeartbeatRun

    run = HeartbeatRun.objects.filter(status="error").first()
    assert run is not None
    since = (run.time - timedelta(hours=1)).isoformat()
    until = (run.time + timedelta(hours=1)).isoformat()
    return [
        ("runs, first page (50)", f"{API}/runs/", {}),
        ("runs, page of 500", f"{API}/runs/", {"page_size": "500"}),
        ("runs, a cursor 25 days back", f"{API}/runs/", {"cursor": deep_cursor(25)}),
        (
            "runs, status = error or critical",
            f"{API}/runs/",
            {"status": ["error", "critical"]},
        ),
        ("runs, one host", f"{API}/runs/", {"host": run.host}),
        ("runs, one check", f"{API}/runs/", {"check": "check_redis_connected"}),
        ("runs, one version", f"{API}/runs/", {"version": run.version}),
        (
            "runs, host in a 2-hour window",
            f"{API}/runs/",
            {"host": run.host, "since": since, "until": until},
        ),
        ("one run", f"{API}/runs/{run.pk}/", {}),
        ("status changes, first page", f"{API}/changes/", {}),
        ("status changes, one host", f"{API}/changes/", {"host": run.host}),
        ("uptime 24 h, by host and check", f"{API}/uptime/", {}),
        ("uptime 7 d, by host and check", f"{API}/uptime/", {"range": "7d"}),
        ("uptime 30 d, by host and check", f"{API}/uptime/", {"range": "30d"}),
        ("uptime 30 d, by check", f"{API}/uptime/", {"range": "30d", "by": "check"}),
        ("uptime 30 d, one host", f"{API}/uptime/", {"range": "30d", "host": run.host}),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url",
        default=os.environ.get(
            "DOCKERFLOW_BENCH_POSTGRES_URL", history_admin.DEFAULT_URL
        ),
    )
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--reuse", action="store_true", help="keep rows from a previous run"
    )
    args = parser.parse_args()
    history_admin.create_database(args.url)
    history_admin.configure(args.url)

    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client
    from django.urls import include, path

    history_admin.urlpatterns.append(
        path("dockerflow/", include("dockerflow.django.api.urls"))
    )
    call_command("migrate", verbosity=0)
    history_admin.fill(args.runs, args.hosts, args.reuse)
    user, _ = User.objects.get_or_create(
        username="bench", is_staff=True, is_superuser=True
    )
    client = Client()
    client.force_login(user)

    print(f"\n{'call':42} {'median ms':>10} {'max ms':>8} {'queries':>8}")
    counted = []
    for label, url, params in calls():
        figures = history_admin.measure(client, url, params, args.repeat)
        counted += figures["unbounded"]
        print(
            f"{label:42} {figures['median']:10.0f} {figures['max']:8.0f} {figures['queries']:8}"
        )
    print("\nno COUNT over the tables:", "yes" if not counted else "NO")
    if counted:
        sys.exit(1)


if __name__ == "__main__":
    main()

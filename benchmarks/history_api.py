"""The history API at scale: 1,000,000 runs of 100 hosts in PostgreSQL.

Fills its database with history_rows.py, as history_admin.py does, checks
through Django's test client that no call counted rows, then times each
call from outside through gunicorn, logged in as staff.
Run: python benchmarks/history_api.py [--runs N] [--hosts N] [--reuse]
"""

from __future__ import annotations

import base64
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
    args = history_admin.arguments(__doc__.splitlines()[0])
    client = history_admin.prepare(args)
    counted = history_admin.report(args, client, calls(), "call")
    print("\nno COUNT over the tables:", "yes" if not counted else "NO")
    if counted:
        sys.exit(1)


if __name__ == "__main__":
    main()

"""The query plans behind the history's slowest lists, EXPLAIN ANALYZEd.

Prints the plan of the runs list filtered by a failing check (its page and
its capped count, which the search shares) and of the API's uptime over
24 hours, on a database history_admin.py filled.
Run: python benchmarks/history_plans.py [--url URL]
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import history_admin

CHECK = "check_redis_connected"


def queries() -> list[tuple[str, Any]]:
    from django.db.models import Sum
    from django.utils import timezone

    from dockerflow.django.admin.lists import COUNT_CAP, COUNTED_COLUMN, failed_in
    from dockerflow.django.models import HeartbeatAggregate, HeartbeatRun

    runs = failed_in(HeartbeatRun.objects.all(), [CHECK])
    since = timezone.now() - timedelta(hours=24)
    uptime = (
        HeartbeatAggregate.objects.filter(
            period="hour", start__gte=since, start__lt=timezone.now()
        )
        .values("host", "check_name")
        .annotate(runs=Sum("runs"), failed=Sum("error"))
        .order_by("host", "check_name")
    )
    counted = runs.order_by().values(COUNTED_COLUMN)[: COUNT_CAP + 1]
    return [
        ("runs list filtered by a failing check, page 1", runs[:50]),
        ("its count, capped", counted),
        ("uptime over 24 h", uptime),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url",
        default=os.environ.get(
            "DOCKERFLOW_BENCH_POSTGRES_URL", history_admin.DEFAULT_URL
        ),
    )
    args = parser.parse_args()
    history_admin.configure(args.url)

    from django.db import connection

    for label, queryset in queries():
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS OFF) {sql}", params)
            plan = [row[0] for row in cursor.fetchall()]
        print(f"\n-- {label}")
        print("\n".join(plan))


if __name__ == "__main__":
    main()

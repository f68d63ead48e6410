"""The all-time aggregate rows /__metrics__ reads its counters from, started
from the day rows already kept, so a project's counters begin with its history.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import migrations, models
from django.db.models import Max, Min, Sum

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
SUMMED = (
    "runs",
    "ok",
    "info",
    "warning",
    "error",
    "critical",
    "failing_seconds",
    "duration_total_ms",
    "ms_1",
    "ms_2",
    "ms_5",
    "ms_10",
    "ms_20",
    "ms_50",
    "ms_100",
    "ms_200",
    "ms_500",
    "ms_1000",
    "ms_2000",
    "ms_5000",
    "ms_over",
)


def total_from_days(apps: Any, schema_editor: Any) -> None:
    aggregate = apps.get_model("dockerflow", "HeartbeatAggregate")
    rows = aggregate.objects.using(schema_editor.connection.alias)
    sums = (
        rows.filter(period="day")
        .values("host", "check_name")
        .annotate(
            **{f"sum_{name}": Sum(name) for name in SUMMED},
            low=Min("duration_min_ms"),
            high=Max("duration_max_ms"),
        )
        .order_by("host", "check_name")
    )
    rows.bulk_create(
        [
            aggregate(
                host=row["host"],
                check_name=row["check_name"],
                period="total",
                start=EPOCH,
                duration_min_ms=row["low"],
                duration_max_ms=row["high"] or 0.0,
                **{name: row[f"sum_{name}"] or 0 for name in SUMMED},
            )
            for row in sums.iterator()
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("dockerflow", "0003_history_indexes")]

    operations = [
        migrations.AlterField(
            model_name="heartbeataggregate",
            name="period",
            field=models.CharField(
                choices=[("hour", "hour"), ("day", "day"), ("total", "all time")],
                max_length=8,
                verbose_name="period",
            ),
        ),
        migrations.RunPython(total_from_days, migrations.RunPython.noop),
    ]

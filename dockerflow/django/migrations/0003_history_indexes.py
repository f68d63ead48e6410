"""Two indexes for the history at a million runs, written by hand and reviewed.

``dockerflow_check_failed`` holds only the check rows at error or worse, by
check and time with their run: the admin's "failing check" filter and its
search read it, never the rows of passing checks. ``dockerflow_aggregate_period``
lets the API's uptime over a span scan only that span's aggregate rows.
docs/performance.rst has both query plans, before and after.
"""

from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dockerflow", "0002_heartbeataggregate_duration_min_ms"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="checkrun",
            index=models.Index(
                condition=models.Q(status__in=("error", "critical")),
                fields=["name", "-time", "run"],
                name="dockerflow_check_failed",
            ),
        ),
        migrations.AddIndex(
            model_name="heartbeataggregate",
            index=models.Index(
                fields=["period", "start"], name="dockerflow_aggregate_period"
            ),
        ),
    ]

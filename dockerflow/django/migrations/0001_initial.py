"""The heartbeat history tables, written by hand and reviewed.

Indexes follow what the admin and the API filter and sort on: runs and check
runs by (host, time), (check, time), status and time; status changes the
same way; aggregates by (period, check, start) beside their unique key. Every
index names itself, so the SQL is the same on Django 4.2 and 5.x.
"""

from __future__ import annotations

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.CreateModel(
            name="CheckState",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("host", models.CharField(max_length=255, verbose_name="host")),
                (
                    "check_name",
                    models.CharField(blank=True, max_length=255, verbose_name="check"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("ok", "ok"),
                            ("info", "info"),
                            ("warning", "warning"),
                            ("error", "error"),
                            ("critical", "critical"),
                        ],
                        max_length=16,
                        verbose_name="status",
                    ),
                ),
                ("since", models.DateTimeField(verbose_name="since")),
                ("seen_at", models.DateTimeField(verbose_name="last seen")),
                ("counted_until", models.DateTimeField(verbose_name="counted until")),
                (
                    "stored_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="last stored"
                    ),
                ),
                ("signature", models.TextField(blank=True, verbose_name="signature")),
            ],
            options={
                "verbose_name": "check state",
                "verbose_name_plural": "check states",
                "ordering": ["host", "check_name"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("host", "check_name"), name="dockerflow_state_unique"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="HeartbeatAggregate",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("host", models.CharField(max_length=255, verbose_name="host")),
                (
                    "check_name",
                    models.CharField(blank=True, max_length=255, verbose_name="check"),
                ),
                (
                    "period",
                    models.CharField(
                        choices=[("hour", "hour"), ("day", "day")],
                        max_length=8,
                        verbose_name="period",
                    ),
                ),
                ("start", models.DateTimeField(verbose_name="start")),
                ("runs", models.PositiveIntegerField(default=0, verbose_name="runs")),
                ("ok", models.PositiveIntegerField(default=0, verbose_name="ok")),
                ("info", models.PositiveIntegerField(default=0, verbose_name="info")),
                (
                    "warning",
                    models.PositiveIntegerField(default=0, verbose_name="warning"),
                ),
                ("error", models.PositiveIntegerField(default=0, verbose_name="error")),
                (
                    "critical",
                    models.PositiveIntegerField(default=0, verbose_name="critical"),
                ),
                (
                    "failing_seconds",
                    models.FloatField(default=0.0, verbose_name="failing seconds"),
                ),
                (
                    "duration_total_ms",
                    models.FloatField(default=0.0, verbose_name="total duration (ms)"),
                ),
                (
                    "duration_max_ms",
                    models.FloatField(
                        default=0.0, verbose_name="longest duration (ms)"
                    ),
                ),
                ("ms_1", models.PositiveIntegerField(default=0)),
                ("ms_2", models.PositiveIntegerField(default=0)),
                ("ms_5", models.PositiveIntegerField(default=0)),
                ("ms_10", models.PositiveIntegerField(default=0)),
                ("ms_20", models.PositiveIntegerField(default=0)),
                ("ms_50", models.PositiveIntegerField(default=0)),
                ("ms_100", models.PositiveIntegerField(default=0)),
                ("ms_200", models.PositiveIntegerField(default=0)),
                ("ms_500", models.PositiveIntegerField(default=0)),
                ("ms_1000", models.PositiveIntegerField(default=0)),
                ("ms_2000", models.PositiveIntegerField(default=0)),
                ("ms_5000", models.PositiveIntegerField(default=0)),
                ("ms_over", models.PositiveIntegerField(default=0)),
            ],
            options={
                "verbose_name": "heartbeat aggregate",
                "verbose_name_plural": "heartbeat aggregates",
                "ordering": ["-start", "host", "check_name"],
                "indexes": [
                    models.Index(
                        fields=["period", "check_name", "start"],
                        name="dockerflow_aggregate_check",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("host", "check_name", "period", "start"),
                        name="dockerflow_aggregate_unique",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="HeartbeatRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("time", models.DateTimeField(verbose_name="time")),
                ("host", models.CharField(max_length=255, verbose_name="host")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("ok", "ok"),
                            ("info", "info"),
                            ("warning", "warning"),
                            ("error", "error"),
                            ("critical", "critical"),
                        ],
                        max_length=16,
                        verbose_name="status",
                    ),
                ),
                ("level", models.PositiveSmallIntegerField(verbose_name="level")),
                ("duration_ms", models.FloatField(verbose_name="duration (ms)")),
                (
                    "http_status",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="HTTP status"
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("http", "HTTP request"),
                            ("command", "management command"),
                            ("schedule", "schedule"),
                        ],
                        max_length=16,
                        verbose_name="source",
                    ),
                ),
                (
                    "version",
                    models.CharField(
                        blank=True, max_length=100, verbose_name="version"
                    ),
                ),
                (
                    "failing_checks",
                    models.JSONField(
                        blank=True, default=list, verbose_name="failing checks"
                    ),
                ),
            ],
            options={
                "verbose_name": "heartbeat run",
                "verbose_name_plural": "heartbeat runs",
                "ordering": ["-time", "-id"],
                "get_latest_by": "time",
                "indexes": [
                    models.Index(fields=["-time"], name="dockerflow_run_time"),
                    models.Index(
                        fields=["host", "-time"], name="dockerflow_run_host_time"
                    ),
                    models.Index(
                        fields=["status", "-time"], name="dockerflow_run_status"
                    ),
                    models.Index(
                        fields=["version", "-time"], name="dockerflow_run_version"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="CheckRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("time", models.DateTimeField(verbose_name="time")),
                ("host", models.CharField(max_length=255, verbose_name="host")),
                ("name", models.CharField(max_length=255, verbose_name="check")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("ok", "ok"),
                            ("info", "info"),
                            ("warning", "warning"),
                            ("error", "error"),
                            ("critical", "critical"),
                        ],
                        max_length=16,
                        verbose_name="status",
                    ),
                ),
                ("level", models.PositiveSmallIntegerField(verbose_name="level")),
                ("duration_ms", models.FloatField(verbose_name="duration (ms)")),
                (
                    "messages",
                    models.JSONField(blank=True, default=list, verbose_name="messages"),
                ),
                (
                    "run",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="checks",
                        to="dockerflow.heartbeatrun",
                        verbose_name="run",
                    ),
                ),
            ],
            options={
                "verbose_name": "check run",
                "verbose_name_plural": "check runs",
                "ordering": ["run", "id"],
                "indexes": [
                    models.Index(
                        fields=["name", "-time"], name="dockerflow_check_name_time"
                    ),
                    models.Index(
                        fields=["host", "name", "-time"],
                        name="dockerflow_check_host_time",
                    ),
                    models.Index(
                        fields=["status", "-time"], name="dockerflow_check_status"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="StatusChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("time", models.DateTimeField(verbose_name="time")),
                ("host", models.CharField(max_length=255, verbose_name="host")),
                (
                    "check_name",
                    models.CharField(blank=True, max_length=255, verbose_name="check"),
                ),
                (
                    "old_status",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("ok", "ok"),
                            ("info", "info"),
                            ("warning", "warning"),
                            ("error", "error"),
                            ("critical", "critical"),
                        ],
                        max_length=16,
                        verbose_name="old status",
                    ),
                ),
                (
                    "new_status",
                    models.CharField(
                        choices=[
                            ("ok", "ok"),
                            ("info", "info"),
                            ("warning", "warning"),
                            ("error", "error"),
                            ("critical", "critical"),
                        ],
                        max_length=16,
                        verbose_name="new status",
                    ),
                ),
                (
                    "failing_checks",
                    models.JSONField(
                        blank=True, default=list, verbose_name="failing checks"
                    ),
                ),
                (
                    "previous_duration",
                    models.FloatField(
                        blank=True, null=True, verbose_name="previous duration (s)"
                    ),
                ),
                (
                    "run",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="changes",
                        to="dockerflow.heartbeatrun",
                        verbose_name="run",
                    ),
                ),
            ],
            options={
                "verbose_name": "status change",
                "verbose_name_plural": "status changes",
                "ordering": ["-time", "-id"],
                "get_latest_by": "time",
                "indexes": [
                    models.Index(fields=["-time"], name="dockerflow_change_time"),
                    models.Index(
                        fields=["host", "-time"], name="dockerflow_change_host_time"
                    ),
                    models.Index(
                        fields=["check_name", "-time"],
                        name="dockerflow_change_check_time",
                    ),
                    models.Index(
                        fields=["new_status", "-time"], name="dockerflow_change_status"
                    ),
                ],
            },
        ),
    ]

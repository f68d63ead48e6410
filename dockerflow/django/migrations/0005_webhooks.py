"""The webhooks' outbox (a delivery per status change and webhook) and each
webhook's pace, shared by every sender; docs/notifications.rst.
"""

from __future__ import annotations

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dockerflow", "0004_aggregate_total"),
    ]

    operations = [
        migrations.CreateModel(
            name="WebhookPace",
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
                (
                    "webhook",
                    models.CharField(
                        max_length=64, unique=True, verbose_name="webhook"
                    ),
                ),
                ("allowed_at", models.DateTimeField(verbose_name="allowed at")),
            ],
            options={
                "verbose_name": "webhook pace",
                "verbose_name_plural": "webhook paces",
                "ordering": ["webhook"],
            },
        ),
        migrations.CreateModel(
            name="Delivery",
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
                ("webhook", models.CharField(max_length=64, verbose_name="webhook")),
                ("host", models.CharField(max_length=255, verbose_name="host")),
                (
                    "check_name",
                    models.CharField(blank=True, max_length=255, verbose_name="check"),
                ),
                ("body", models.TextField(verbose_name="body")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("pending", "pending"),
                            ("delivered", "delivered"),
                            ("failed", "failed"),
                        ],
                        default="pending",
                        max_length=16,
                        verbose_name="state",
                    ),
                ),
                ("created", models.DateTimeField(verbose_name="created")),
                ("next_try", models.DateTimeField(verbose_name="next try")),
                (
                    "claimed_until",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="claimed until"
                    ),
                ),
                (
                    "attempts",
                    models.PositiveIntegerField(default=0, verbose_name="attempts"),
                ),
                ("last_error", models.TextField(blank=True, verbose_name="last error")),
                (
                    "last_status",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="last HTTP status"
                    ),
                ),
                (
                    "delivered_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="delivered at"
                    ),
                ),
                (
                    "change",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deliveries",
                        to="dockerflow.statuschange",
                        verbose_name="status change",
                    ),
                ),
            ],
            options={
                "verbose_name": "webhook delivery",
                "verbose_name_plural": "webhook deliveries",
                "ordering": ["-created", "-id"],
                "indexes": [
                    models.Index(
                        condition=models.Q(("state", "pending")),
                        fields=["webhook", "next_try"],
                        name="dockerflow_delivery_due",
                    ),
                    models.Index(
                        condition=models.Q(("state", "pending")),
                        fields=["webhook", "host", "check_name", "id"],
                        name="dockerflow_delivery_order",
                    ),
                    models.Index(
                        fields=["state", "-created"], name="dockerflow_delivery_state"
                    ),
                ],
            },
        ),
    ]

"""The values a history row's fields take: statuses, sources, periods, and the
edges of the duration histogram. :mod:`dockerflow.django.models` re-exports them.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "DURATION_BUCKETS",
    "EPOCH",
    "FAILING",
    "Period",
    "Source",
    "Status",
    "status_field",
]


class Status(models.TextChoices):
    """A check's or a run's status, as the heartbeat reports it."""

    OK = "ok", _("ok")
    INFO = "info", _("info")
    WARNING = "warning", _("warning")
    ERROR = "error", _("error")
    CRITICAL = "critical", _("critical")


#: Statuses that make the heartbeat fail (level ERROR and worse).
FAILING = ("error", "critical")


class Source(models.TextChoices):
    HTTP = "http", _("HTTP request")
    COMMAND = "command", _("management command")
    SCHEDULE = "schedule", _("schedule")


class Period(models.TextChoices):
    HOUR = "hour", _("hour")
    DAY = "day", _("day")
    #: One row per host and check since it was first counted, started at
    #: :data:`EPOCH`: pruning keeps it, so /__metrics__'s counters never go down.
    TOTAL = "total", _("all time")


#: The start of every :attr:`Period.TOTAL` row.
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


#: The duration histogram of an aggregate: (field name, upper edge in ms).
#: A duration lands in the first bucket whose edge it does not exceed; the
#: last bucket takes everything slower than 5 s (the default timeout is 3 s).
DURATION_BUCKETS: tuple[tuple[str, float], ...] = (
    ("ms_1", 1.0),
    ("ms_2", 2.0),
    ("ms_5", 5.0),
    ("ms_10", 10.0),
    ("ms_20", 20.0),
    ("ms_50", 50.0),
    ("ms_100", 100.0),
    ("ms_200", 200.0),
    ("ms_500", 500.0),
    ("ms_1000", 1000.0),
    ("ms_2000", 2000.0),
    ("ms_5000", 5000.0),
    ("ms_over", float("inf")),
)


def status_field(verbose_name: str | None = None) -> models.CharField:
    return models.CharField(
        verbose_name or _("status"), max_length=16, choices=Status.choices
    )

"""The heartbeat history: stored runs, status changes, hour/day aggregates, and
the per-(host, check) state that lets concurrent workers record each flip once.

Rows are written by :mod:`dockerflow.django.history` and read by the admin and
the API; docs/history.rst describes what is kept and for how long.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import (
    DURATION_BUCKETS,
    EPOCH,
    FAILING,
    Period,
    Source,
    Status,
    status_field,
)
from .times import stamp
from .webhooks.models import Delivery, DeliveryState, WebhookPace

__all__ = [
    "DURATION_BUCKETS",
    "EPOCH",
    "CheckRun",
    "CheckState",
    "Delivery",
    "DeliveryState",
    "HeartbeatAggregate",
    "HeartbeatRun",
    "Period",
    "Source",
    "Status",
    "StatusChange",
    "WebhookPace",
]


class HeartbeatRun(models.Model):
    """One stored heartbeat run of one host; its checks are ``run.checks``."""

    time = models.DateTimeField(_("time"))
    host = models.CharField(_("host"), max_length=255)
    status = status_field()
    level = models.PositiveSmallIntegerField(_("level"))
    duration_ms = models.FloatField(_("duration (ms)"))
    #: The status the endpoint answered; null when no HTTP request ran it.
    http_status = models.PositiveSmallIntegerField(
        _("HTTP status"), null=True, blank=True
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    #: ``version`` from version.json, "" when there is none.
    version = models.CharField(_("version"), max_length=100, blank=True)
    #: Names of the checks at error or worse, so lists need no join.
    failing_checks = models.JSONField(_("failing checks"), default=list, blank=True)

    class Meta:
        verbose_name = _("heartbeat run")
        verbose_name_plural = _("heartbeat runs")
        ordering = ["-time", "-id"]
        get_latest_by = "time"
        indexes = [
            models.Index(fields=["-time"], name="dockerflow_run_time"),
            models.Index(fields=["host", "-time"], name="dockerflow_run_host_time"),
            models.Index(fields=["status", "-time"], name="dockerflow_run_status"),
            models.Index(fields=["version", "-time"], name="dockerflow_run_version"),
        ]

    def __str__(self) -> str:
        return f"{self.host} {self.status} at {stamp(self.time)}"


class CheckRun(models.Model):
    """One check's outcome in a stored run; host and time are the run's."""

    run = models.ForeignKey(
        HeartbeatRun,
        on_delete=models.CASCADE,
        related_name="checks",
        verbose_name=_("run"),
    )
    time = models.DateTimeField(_("time"))
    host = models.CharField(_("host"), max_length=255)
    name = models.CharField(_("check"), max_length=255)
    status = status_field()
    level = models.PositiveSmallIntegerField(_("level"))
    duration_ms = models.FloatField(_("duration (ms)"))
    #: ``[{"id": "dockerflow.health.E001", "msg": "..."}, ...]`` in order.
    messages = models.JSONField(_("messages"), default=list, blank=True)

    class Meta:
        verbose_name = _("check run")
        verbose_name_plural = _("check runs")
        ordering = ["run", "id"]
        indexes = [
            models.Index(fields=["name", "-time"], name="dockerflow_check_name_time"),
            # Serves the host filter and "the last N failures per host and
            # check" that pruning keeps.
            models.Index(
                fields=["host", "name", "-time"], name="dockerflow_check_host_time"
            ),
            models.Index(fields=["status", "-time"], name="dockerflow_check_status"),
            # The admin's "failing check" filter and its search: a check that
            # fails in one run of ten is a tenth of its rows, read newest
            # first; the run id is in the index, so no row is visited.
            models.Index(
                fields=["name", "-time", "run"],
                name="dockerflow_check_failed",
                condition=models.Q(status__in=FAILING),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.status} on {self.host}"


class StatusChange(models.Model):
    """A host's (``check_name == ""``) or one check's status flipped.

    ``old_status`` is "" the first time a host or check is seen.
    """

    time = models.DateTimeField(_("time"))
    host = models.CharField(_("host"), max_length=255)
    check_name = models.CharField(_("check"), max_length=255, blank=True)
    old_status = models.CharField(
        _("old status"), max_length=16, choices=Status.choices, blank=True
    )
    new_status = status_field(_("new status"))
    #: Names of the host's checks at error or worse after the change.
    failing_checks = models.JSONField(_("failing checks"), default=list, blank=True)
    #: Seconds the old status lasted; null the first time.
    previous_duration = models.FloatField(
        _("previous duration (s)"), null=True, blank=True
    )
    run = models.ForeignKey(
        HeartbeatRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes",
        verbose_name=_("run"),
    )

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-time", "-id"]
        get_latest_by = "time"
        indexes = [
            models.Index(fields=["-time"], name="dockerflow_change_time"),
            models.Index(fields=["host", "-time"], name="dockerflow_change_host_time"),
            models.Index(
                fields=["check_name", "-time"], name="dockerflow_change_check_time"
            ),
            models.Index(
                fields=["new_status", "-time"], name="dockerflow_change_status"
            ),
        ]

    def __str__(self) -> str:
        what = self.check_name or self.host
        return f"{what}: {self.old_status or '-'} -> {self.new_status}"


class HeartbeatAggregate(models.Model):
    """Every run of a host in one hour or day, counted whether stored or not.

    ``check_name == ""`` counts whole runs. The ``ms_*`` fields form the duration
    histogram of :data:`DURATION_BUCKETS`, so percentiles can be summed.
    """

    host = models.CharField(_("host"), max_length=255)
    check_name = models.CharField(_("check"), max_length=255, blank=True)
    period = models.CharField(_("period"), max_length=8, choices=Period.choices)
    start = models.DateTimeField(_("start"))
    runs = models.PositiveIntegerField(_("runs"), default=0)
    ok = models.PositiveIntegerField(_("ok"), default=0)
    info = models.PositiveIntegerField(_("info"), default=0)
    warning = models.PositiveIntegerField(_("warning"), default=0)
    error = models.PositiveIntegerField(_("error"), default=0)
    critical = models.PositiveIntegerField(_("critical"), default=0)
    #: Seconds of this bucket the host or check spent at error or worse.
    failing_seconds = models.FloatField(_("failing seconds"), default=0.0)
    duration_total_ms = models.FloatField(_("total duration (ms)"), default=0.0)
    duration_max_ms = models.FloatField(_("longest duration (ms)"), default=0.0)
    #: Null in rows written before it was counted.
    duration_min_ms = models.FloatField(
        _("shortest duration (ms)"), null=True, blank=True
    )
    ms_1 = models.PositiveIntegerField(default=0)
    ms_2 = models.PositiveIntegerField(default=0)
    ms_5 = models.PositiveIntegerField(default=0)
    ms_10 = models.PositiveIntegerField(default=0)
    ms_20 = models.PositiveIntegerField(default=0)
    ms_50 = models.PositiveIntegerField(default=0)
    ms_100 = models.PositiveIntegerField(default=0)
    ms_200 = models.PositiveIntegerField(default=0)
    ms_500 = models.PositiveIntegerField(default=0)
    ms_1000 = models.PositiveIntegerField(default=0)
    ms_2000 = models.PositiveIntegerField(default=0)
    ms_5000 = models.PositiveIntegerField(default=0)
    ms_over = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("heartbeat aggregate")
        verbose_name_plural = _("heartbeat aggregates")
        ordering = ["-start", "host", "check_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["host", "check_name", "period", "start"],
                name="dockerflow_aggregate_unique",
            )
        ]
        indexes = [
            models.Index(
                fields=["period", "check_name", "start"],
                name="dockerflow_aggregate_check",
            ),
            # Uptime of every host and check over a span: one range scan.
            models.Index(
                fields=["period", "start"], name="dockerflow_aggregate_period"
            ),
        ]

    def __str__(self) -> str:
        what = f"{self.host} {self.check_name}".strip()
        return f"{what} {self.period} {self.start:%Y-%m-%d %H:%M}"

    def histogram(self) -> list[int]:
        return [getattr(self, name) for name, _edge in DURATION_BUCKETS]


class CheckState(models.Model):
    """The current status of a host (``check_name == ""``) or one of its checks.

    A flip is recorded by whoever moves ``status`` with a conditional UPDATE,
    so concurrent workers of one host write one change row. The host's row
    also remembers its last stored run, for the "changes" history mode, and
    when the host was last seen. The row with an empty host is not a host:
    it marks the last automatic prune.
    """

    host = models.CharField(_("host"), max_length=255)
    check_name = models.CharField(_("check"), max_length=255, blank=True)
    status = status_field()
    since = models.DateTimeField(_("since"))
    #: The last time a run of this host reached the database.
    seen_at = models.DateTimeField(_("last seen"))
    #: Failing time is added to aggregates up to here, exactly once.
    counted_until = models.DateTimeField(_("counted until"))
    #: Host row only: when and with which check statuses a run was last stored.
    stored_at = models.DateTimeField(_("last stored"), null=True, blank=True)
    signature = models.TextField(_("signature"), blank=True)

    class Meta:
        verbose_name = _("check state")
        verbose_name_plural = _("check states")
        ordering = ["host", "check_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["host", "check_name"], name="dockerflow_state_unique"
            )
        ]

    def __str__(self) -> str:
        what = f"{self.host} {self.check_name}".strip()
        return f"{what}: {self.status}"

"""What the history API returns, and the query parameters it accepts.

The filter serializers validate the query string, so a malformed filter is
a 400 that names the parameter, never a database error.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rest_framework import serializers

from dockerflow.checks.messages import STATUSES as LEVEL_NAMES
from dockerflow.endpoints import HEARTBEAT

from ..models import (
    CheckRun,
    HeartbeatRun,
    Period,
    Source,
    Status,
    StatusChange,
)

#: Every status a heartbeat reports, in level order; "unknown" for a level
#: with no name.
ALL_STATUSES = [*LEVEL_NAMES.values(), "unknown"]
#: The statuses the history stores and filters on.
STATUSES = list(Status.values)
UTC = dt.timezone.utc
#: The ranges the uptime endpoint knows by name.
RANGES = {
    "24h": dt.timedelta(hours=24),
    "7d": dt.timedelta(days=7),
    "30d": dt.timedelta(days=30),
}


class UTCDateTimeField(serializers.DateTimeField):
    """Times in and out in UTC, whatever the project's TIME_ZONE: hosts in
    several zones report to one history. A time without an offset is UTC."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(default_timezone=UTC, **kwargs)


class EnumField(serializers.ChoiceField):
    """A choice field the schema shows as the named enum ``component``."""

    def __init__(self, component: str, choices: list[str], **kwargs: Any) -> None:
        self.component = component
        super().__init__(choices=choices, **kwargs)


def status_field(**kwargs: Any) -> EnumField:
    return EnumField("DockerflowStatus", ALL_STATUSES, **kwargs)


class HistoryMessageSerializer(serializers.Serializer):
    id = serializers.CharField(allow_null=True, help_text="Check ID, e.g. acme.E001.")
    msg = serializers.CharField()


def level_field() -> serializers.IntegerField:
    # Declared, not derived from the model: the derived range follows the
    # database backend, and the schema should not.
    return serializers.IntegerField(
        min_value=0, help_text="Django's check level: 30 warning, 40 error."
    )


class HistoryCheckRunSerializer(serializers.ModelSerializer):
    status = status_field()
    level = level_field()
    messages = HistoryMessageSerializer(many=True)

    class Meta:
        model = CheckRun
        fields = ["name", "status", "level", "duration_ms", "messages"]


class HistoryRunSerializer(serializers.ModelSerializer):
    time = UTCDateTimeField()
    status = status_field()
    level = level_field()
    http_status = serializers.IntegerField(
        allow_null=True,
        min_value=100,
        max_value=599,
        help_text=f"What {HEARTBEAT.path} answered; null for the command.",
    )
    source = EnumField("HistoryRunSource", list(Source.values))
    failing_checks = serializers.ListField(
        child=serializers.CharField(), help_text="Checks at error or worse."
    )
    checks = HistoryCheckRunSerializer(many=True)

    class Meta:
        model = HeartbeatRun
        fields = [
            "id",
            "time",
            "host",
            "status",
            "level",
            "duration_ms",
            "http_status",
            "source",
            "version",
            "failing_checks",
            "checks",
        ]


class HistoryStatusChangeSerializer(serializers.ModelSerializer):
    time = UTCDateTimeField()
    check = serializers.CharField(
        source="check_name", help_text='The check that flipped; "" for the host.'
    )
    # Its own enum, with "": a nullable $ref is ambiguous in OpenAPI 3.0.
    old_status = EnumField(
        "HistoryOldStatus",
        ["", *ALL_STATUSES],
        allow_blank=True,
        help_text='"" the first time a host or check is seen.',
    )
    new_status = status_field()
    failing_checks = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = StatusChange
        fields = [
            "id",
            "time",
            "host",
            "check",
            "old_status",
            "new_status",
            "failing_checks",
            "previous_duration",
            "run",
        ]


class TextFilter(serializers.CharField):
    """An exact-match text parameter; "" is a value too (no version, say).

    DRF refuses NUL characters already (databases do too); the schema says so
    (see ``schema.TextFilterExtension``).
    """


def text_filter(max_length: int, help_text: str) -> serializers.CharField:
    return TextFilter(
        required=False,
        allow_blank=True,
        # Exact means exact: trimmed, a value could pass maxLength here and
        # break it in the schema (Python strips \x1c to \x1f as well).
        trim_whitespace=False,
        max_length=max_length,
        help_text=help_text,
    )


class TimeRangeFilter(serializers.Serializer):
    since = UTCDateTimeField(
        required=False, help_text="From this time on (ISO 8601), inclusive."
    )
    until = UTCDateTimeField(
        required=False, help_text="Before this time (ISO 8601), exclusive."
    )
    host = text_filter(255, "Exact host name.")
    check = text_filter(
        255, 'Exact check name; "" selects whole-host rows where they exist.'
    )


class HistoryFilter(TimeRangeFilter):
    status = serializers.ListField(
        child=serializers.ChoiceField(choices=STATUSES),
        required=False,
        help_text="Any of these statuses; repeat the parameter for several.",
    )
    version = text_filter(100, "Exact version.")


class UptimeFilter(TimeRangeFilter):
    range = serializers.ChoiceField(
        choices=list(RANGES),
        default="24h",
        help_text="How far back from until; ignored when since is given.",
    )
    by = serializers.ChoiceField(
        choices=["host", "check"],
        default="host",
        help_text="host: a row per host and check; check: a row per check, "
        "all hosts together.",
    )


class HistoryUptimeRowSerializer(serializers.Serializer):
    host = serializers.CharField(allow_null=True, help_text="null with by=check.")
    check = serializers.CharField(help_text='"" for whole runs.')
    runs = serializers.IntegerField()
    ok = serializers.IntegerField()
    info = serializers.IntegerField()
    warning = serializers.IntegerField()
    error = serializers.IntegerField()
    critical = serializers.IntegerField()
    uptime = serializers.FloatField(
        allow_null=True,
        help_text="Percent of runs below error; null when nothing ran.",
    )
    failing_seconds = serializers.FloatField()
    mean_ms = serializers.FloatField(allow_null=True)
    p50_ms = serializers.FloatField(allow_null=True)
    p95_ms = serializers.FloatField(allow_null=True)
    max_ms = serializers.FloatField()


class HistoryUptimeSerializer(serializers.Serializer):
    since = UTCDateTimeField(help_text="Start of the first bucket counted.")
    until = UTCDateTimeField()
    period = EnumField(
        "HistoryPeriod",
        # The all-time rows feed /__metrics__; uptime sums hours or days.
        [str(Period.HOUR), str(Period.DAY)],
        help_text="The aggregate buckets summed.",
    )
    results = HistoryUptimeRowSerializer(many=True)

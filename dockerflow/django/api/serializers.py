"""What the history API returns, and the query parameters it accepts.

The filter serializers validate the query string, so a malformed filter is
a 400 that names the parameter, never a database error.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rest_framework import serializers

from ..models import CheckRun, HeartbeatRun, Status, StatusChange

STATUSES = [choice.value for choice in Status]
#: The ranges the uptime endpoint knows by name.
RANGES = {
    "24h": dt.timedelta(hours=24),
    "7d": dt.timedelta(days=7),
    "30d": dt.timedelta(days=30),
}


class MessageSerializer(serializers.Serializer):
    id = serializers.CharField(allow_null=True, help_text="Check ID, e.g. acme.E001.")
    msg = serializers.CharField()


class CheckRunSerializer(serializers.ModelSerializer):
    messages = MessageSerializer(many=True)

    class Meta:
        model = CheckRun
        fields = ["name", "status", "level", "duration_ms", "messages"]


class RunSerializer(serializers.ModelSerializer):
    failing_checks = serializers.ListField(
        child=serializers.CharField(), help_text="Checks at error or worse."
    )
    checks = CheckRunSerializer(many=True)

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


class StatusChangeSerializer(serializers.ModelSerializer):
    check = serializers.CharField(
        source="check_name", help_text='The check that flipped; "" for the host.'
    )
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


class TimeRangeFilter(serializers.Serializer):
    since = serializers.DateTimeField(
        required=False, help_text="From this time on (ISO 8601), inclusive."
    )
    until = serializers.DateTimeField(
        required=False, help_text="Before this time (ISO 8601), exclusive."
    )
    host = serializers.CharField(
        required=False, allow_blank=True, max_length=255, help_text="Exact host name."
    )
    check = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=255,
        help_text='Exact check name; "" selects whole-host rows where they exist.',
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        since, until = attrs.get("since"), attrs.get("until")
        if since is not None and until is not None and since >= until:
            raise serializers.ValidationError({"until": "Must be after since."})
        return attrs


class HistoryFilter(TimeRangeFilter):
    status = serializers.ListField(
        child=serializers.ChoiceField(choices=STATUSES),
        required=False,
        help_text="Any of these statuses; repeat the parameter for several.",
    )
    version = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="Exact version."
    )


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


class UptimeRowSerializer(serializers.Serializer):
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


class UptimeSerializer(serializers.Serializer):
    since = serializers.DateTimeField(help_text="Start of the first bucket counted.")
    until = serializers.DateTimeField()
    period = serializers.ChoiceField(
        choices=["hour", "day"], help_text="The aggregate buckets summed."
    )
    results = UptimeRowSerializer(many=True)

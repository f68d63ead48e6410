"""The webhook deliveries in the history API: one per status change and
webhook, with its state, attempts, last error and next try, paged newest
first by a cursor on when it was written, like the other lists.
"""

from __future__ import annotations

from rest_framework import serializers

from ..models import Delivery, DeliveryState
from .query import CreatedCursor
from .serializers import EnumField, TimeRangeFilter, UTCDateTimeField, text_filter
from .views import HistoryList, listed


class HistoryDeliverySerializer(serializers.ModelSerializer):
    created = UTCDateTimeField(help_text="When it was written, with its change.")
    check = serializers.CharField(
        source="check_name", help_text='The change\'s check; "" for the host.'
    )
    state = EnumField("HistoryDeliveryState", list(DeliveryState.values))
    next_try = UTCDateTimeField(
        help_text="When a pending delivery is next sent; past, once settled."
    )
    attempts = serializers.IntegerField(min_value=0)
    last_status = serializers.IntegerField(
        allow_null=True, help_text="The receiver's last HTTP status; null: no answer."
    )
    last_error = serializers.CharField(
        allow_blank=True, help_text='Why the last attempt failed; "" if it did not.'
    )
    delivered_at = UTCDateTimeField(allow_null=True)
    body = serializers.CharField(
        help_text="The JSON POSTed, the bytes the signature covers; messages "
        "only for a webhook that allows them."
    )

    class Meta:
        model = Delivery
        fields = [
            "id",
            "change",
            "webhook",
            "host",
            "check",
            "state",
            "created",
            "attempts",
            "next_try",
            "last_status",
            "last_error",
            "delivered_at",
            "body",
        ]


class DeliveryFilter(TimeRangeFilter):
    state = serializers.ListField(
        child=serializers.ChoiceField(choices=list(DeliveryState.values)),
        required=False,
        help_text="Any of these states; repeat the parameter for several.",
    )
    webhook = text_filter(64, "Exact webhook name.")


@listed(
    "dockerflow_history_deliveries",
    "Webhook deliveries, newest first",
    "One per status change and webhook that wants it: "
    "pending (not sent yet, or to be retried at next_try), delivered, or "
    "failed (given up: not delivered within the webhook's max_age). since "
    "and until select by created; state filters the state.",
    DeliveryFilter,
    HistoryDeliverySerializer,
    "A page of deliveries.",
)
class DeliveryList(HistoryList):
    serializer_class = HistoryDeliverySerializer
    model = Delivery
    filter_class = DeliveryFilter
    time_field = "created"
    pagination_class = CreatedCursor
    permission = "dockerflow.view_delivery"
    lookups = {
        "host": "host",
        "state": "state",
        "check": "check_name",
        "webhook": "webhook",
    }

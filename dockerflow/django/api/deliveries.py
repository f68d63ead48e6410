"""The webhook deliveries in the history API: one per status change and
webhook, with its state, attempts, last error and next try, paged newest
first by a cursor on when it was written, like the other lists.
"""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema_view
from rest_framework import generics, serializers

from ..models import Delivery, DeliveryState
from .endpoints import documented
from .query import CreatedCursor
from .serializers import EnumField, TimeRangeFilter, UTCDateTimeField, text_filter
from .views import LIST_RESPONSES, TAG, HistoryView, filtered


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


@extend_schema_view(
    get=documented(
        operation_id="dockerflow_history_deliveries",
        summary="Webhook deliveries, newest first",
        description="One per status change and webhook that wants it: "
        "pending (not sent yet, or to be retried at next_try), delivered, or "
        "failed (given up: not delivered within the webhook's max_age). since "
        "and until select by created; state filters the state.",
        tags=[TAG],
        parameters=[DeliveryFilter],
        responses={
            200: OpenApiResponse(
                HistoryDeliverySerializer(many=True), "A page of deliveries."
            ),
            **LIST_RESPONSES,
        },
    )
)
class DeliveryList(HistoryView, generics.ListAPIView):
    serializer_class = HistoryDeliverySerializer
    pagination_class = CreatedCursor
    permission = "dockerflow.view_delivery"

    def get_queryset(self) -> QuerySet:
        filters = self.filters(DeliveryFilter)
        # Times and host as the other lists read them; the state is its own.
        rows = filtered(Delivery.objects.all(), filters, "state", time="created")
        if filters.get("state"):
            rows = rows.filter(state__in=filters["state"])
        if "check" in filters:
            rows = rows.filter(check_name=filters["check"])
        if "webhook" in filters:
            rows = rows.filter(webhook=filters["webhook"])
        return rows

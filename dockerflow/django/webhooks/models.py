"""The webhooks' outbox: a :class:`Delivery` per status change and webhook,
written in the transaction that writes the change, and each webhook's pace.

:mod:`dockerflow.django.models` re-exports both; docs/notifications.rst
says what each field means to an operator.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..times import stamp

__all__ = ["Delivery", "DeliveryState", "WebhookPace"]


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("pending")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")


class Delivery(models.Model):
    """One status change, to be POSTed to one webhook."""

    change = models.ForeignKey(
        "dockerflow.StatusChange",
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("status change"),
    )
    webhook = models.CharField(_("webhook"), max_length=64)
    #: The change's, so one host's and check's deliveries keep their order
    #: without a join.
    host = models.CharField(_("host"), max_length=255)
    check_name = models.CharField(_("check"), max_length=255, blank=True)
    #: The JSON body, made when the change was written, so every attempt
    #: sends the same bytes under the same idempotency key.
    body = models.TextField(_("body"))
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=DeliveryState.choices,
        default=DeliveryState.PENDING,
    )
    created = models.DateTimeField(_("created"))
    next_try = models.DateTimeField(_("next try"))
    #: A sender holds the row until then; past it, another may send again.
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    #: The receiver's last HTTP status; null when no answer came.
    last_status = models.PositiveSmallIntegerField(
        _("last HTTP status"), null=True, blank=True
    )
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created", "-id"]
        indexes = [
            # What a sender claims: the pending rows of a webhook, oldest first.
            models.Index(
                fields=["webhook", "next_try"],
                name="dockerflow_delivery_due",
                condition=models.Q(state="pending"),
            ),
            # An earlier pending row of the same host and check holds a later one.
            models.Index(
                fields=["webhook", "host", "check_name", "id"],
                name="dockerflow_delivery_order",
                condition=models.Q(state="pending"),
            ),
            models.Index(
                fields=["state", "-created"], name="dockerflow_delivery_state"
            ),
        ]

    def __str__(self) -> str:
        what = f"{self.host} {self.check_name}".strip()
        return f"{what} to {self.webhook}: {self.state} at {stamp(self.created)}"


class WebhookPace(models.Model):
    """When a webhook may next be sent to, shared by every sender (GCRA).

    ``allowed_at`` moves on by ``60 / per_minute`` seconds per send; a sender
    may send while it is at most ``burst`` sends ahead of now.
    """

    webhook = models.CharField(_("webhook"), max_length=64, unique=True)
    allowed_at = models.DateTimeField(_("allowed at"))

    class Meta:
        verbose_name = _("webhook pace")
        verbose_name_plural = _("webhook paces")
        ordering = ["webhook"]

    def __str__(self) -> str:
        return f"{self.webhook} from {stamp(self.allowed_at)}"

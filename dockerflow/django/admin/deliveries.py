"""The read-only admin of webhook deliveries: what each webhook was sent, or
is waiting to be sent, with its attempts, the last error and the next try.

A page costs the same few queries at any size: the change each row belongs
to comes in the page's query, and the webhook filter lists the configured
webhooks without reading the table.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from ..conf import conf
from ..models import Delivery, DeliveryState
from .common import ReadOnlyAdmin, badge, flip, host_and_check, moment
from .lists import CappedPaginator

#: The status colour of each state: a pending row that has failed before is
#: being retried, a warning; one not yet tried is only news.
COLOURS = {DeliveryState.DELIVERED: "ok", DeliveryState.FAILED: "error"}


def state_badge(row: Delivery) -> SafeString:
    colour = COLOURS.get(row.state) or ("warning" if row.attempts else "info")
    return badge(colour, row.get_state_display())


class DeliveryPaginator(CappedPaginator):
    column = "created"


class WebhookFilter(admin.SimpleListFilter):
    """The webhooks of DOCKERFLOW_WEBHOOKS; a name no longer configured still
    filters when the URL names it, and is then listed too."""

    title = _("webhook")
    parameter_name = "webhook"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        names = set(conf.webhooks)
        if self.value():
            names.add(str(self.value()))
        return [(name, name) for name in sorted(names)]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        value = self.value()
        return queryset.filter(webhook=value) if value else None


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    # The state second: on a phone the first columns are the ones in view.
    list_display = (
        "when",
        "state_badge",
        "where",
        "webhook",
        "change_link",
        "attempts",
        "error",
        "next_try_at",
    )
    list_display_links = ("when",)
    list_filter = ("state", WebhookFilter)
    list_select_related = ("change",)
    paginator = DeliveryPaginator
    sortable_by = ("when",)
    search_fields = ("host",)
    search_help_text = _("Finds the deliveries of hosts whose name holds the text.")
    fields = (
        "when",
        "state_badge",
        "webhook",
        "where",
        "change_link",
        "attempts",
        "error",
        "last_status",
        "next_try_at",
        "delivered",
        "payload",
    )
    readonly_fields = fields

    @admin.display(description=_("created"), ordering="created")
    def when(self, row: Delivery) -> SafeString | str:
        return moment(row.created)

    @admin.display(description=_("state"))
    def state_badge(self, row: Delivery) -> SafeString:
        return state_badge(row)

    @admin.display(description=_("host and check"))
    def where(self, row: Delivery) -> SafeString:
        return host_and_check(row.host, row.check_name)

    @admin.display(description=_("status change"))
    def change_link(self, row: Delivery) -> SafeString:
        url = reverse(
            "admin:dockerflow_statuschange_change",
            args=[row.change_id],
            current_app=self.admin_site.name,
        )
        change = row.change  # in the page's query (list_select_related)
        return format_html(
            '<a href="{}">{}</a>', url, flip(change.old_status, change.new_status)
        )

    @admin.display(description=_("last error"))
    def error(self, row: Delivery) -> str:
        # Where the receiver answered, the error says with what status.
        return row.last_error or "-"

    @admin.display(description=_("next try"))
    def next_try_at(self, row: Delivery) -> SafeString | str:
        return moment(row.next_try) if row.state == DeliveryState.PENDING else "-"

    @admin.display(description=_("delivered at"))
    def delivered(self, row: Delivery) -> SafeString | str:
        return moment(row.delivered_at)

    @admin.display(description=_("body"))
    def payload(self, row: Delivery) -> SafeString:
        # The bytes sent, indented to read; messages are in it only for a
        # webhook whose "messages" is True.
        try:
            text = json.dumps(json.loads(row.body), indent=2, ensure_ascii=False)
        except ValueError:
            text = row.body
        return format_html('<pre class="dockerflow-body">{}</pre>', text)

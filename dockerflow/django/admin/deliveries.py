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
from django.utils.translation import ngettext

from ..conf import conf
from ..models import Delivery, DeliveryState
from .common import ReadOnlyAdmin, badge, breakable, flip, host_and_check, moment
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
    # Five columns, each with what belongs with it: beside the filter sidebar
    # and the admin's navigation, a 1280 px screen leaves a list about 630 px.
    # The state second: on a phone the first columns are the ones in view.
    list_display = ("when", "state_badge", "change_link", "hook", "error")
    list_display_links = ("when",)
    list_filter = ("state", WebhookFilter)
    list_select_related = ("change",)
    paginator = DeliveryPaginator
    sortable_by = ("when",)
    search_fields = ("host",)
    search_label = _("Host")
    search_help_text = _("Finds the deliveries of hosts whose name holds the text.")
    fields = (
        "when",
        "state_badge",
        "hook",
        "change_link",
        "error",
        "last_status",
        "delivered",
        "payload",
    )
    readonly_fields = fields

    @admin.display(description=_("created"), ordering="created")
    def when(self, row: Delivery) -> SafeString | str:
        return moment(row.created)

    @admin.display(description=_("state and attempts"))
    def state_badge(self, row: Delivery) -> SafeString:
        attempts = ngettext("%(count)d attempt", "%(count)d attempts", row.attempts)
        return format_html(
            '{}<span class="dockerflow-note">{}</span>',
            state_badge(row),
            attempts % {"count": row.attempts},
        )

    @admin.display(description=_("webhook"))
    def hook(self, row: Delivery) -> SafeString:
        return breakable(row.webhook)

    @admin.display(description=_("status change"))
    def change_link(self, row: Delivery) -> SafeString:
        url = reverse(
            "admin:dockerflow_statuschange_change",
            args=[row.change_id],
            current_app=self.admin_site.name,
        )
        change = row.change  # in the page's query (list_select_related)
        return format_html(
            '<a class="dockerflow-flip" href="{}">{}</a>{}',
            url,
            flip(change.old_status, change.new_status),
            host_and_check(row.host, row.check_name),
        )

    @admin.display(description=_("last error and next try"))
    def error(self, row: Delivery) -> SafeString:
        # Where the receiver answered, the error says with what status.
        if row.state != DeliveryState.PENDING:
            return format_html("{}", row.last_error or "-")
        return format_html(
            '{}<span class="dockerflow-note">{} {}</span>',
            row.last_error or "-",
            _("next try"),
            moment(row.next_try),
        )

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

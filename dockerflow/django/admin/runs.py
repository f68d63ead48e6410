"""The read-only admin of heartbeat runs and status changes, with the picture on top.

Everything is viewable through the view permission and nothing can be added,
changed or deleted; every list costs the same handful of queries at any size.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin import DateFieldListFilter
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from ..models import HeartbeatRun, StatusChange
from . import picture, svg
from .lists import (
    CappedPaginator,
    ChangeStatusFilter,
    CheckFilter,
    FailingCheckFilter,
    HostFilter,
    StatusFilter,
    VersionFilter,
    check_names,
    failed_in,
)

#: The query parameter that switches the heatmap's rows; the list never sees it.
ROWS = "rows"


def badge(status: str) -> SafeString:
    colour = svg.COLOURS.get(status, svg.NO_DATA)
    return format_html(
        '<span class="dockerflow-badge" data-status="{}" style="background:{};'
        'color:#fff;border-radius:8px;padding:1px 7px;font-weight:bold">{}</span>',
        status,
        colour,
        status or "-",
    )


def duration_text(ms: float | None) -> str:
    if ms is None:
        return "-"
    if ms == float("inf"):
        return "> 5 s"
    return f"{ms / 1000:.1f} s" if ms >= 1000 else f"{ms:.0f} ms"


def percent(share: float | None) -> str:
    return "-" if share is None else f"{share:.2%}"


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable with the view permission; nobody adds, changes or deletes history."""

    actions = None
    paginator = CappedPaginator
    show_full_result_count = False
    list_per_page = 50
    # Facets count every choice of every filter over the whole table.
    if hasattr(admin, "ShowFacets"):  # Django 5.0+
        show_facets = admin.ShowFacets.NEVER

    def get_paginator(
        self,
        request: HttpRequest,
        queryset: QuerySet,
        per_page: int,
        *args: Any,
        **kwargs: Any,
    ) -> Paginator:
        # Django's object-history view pages log entries through this hook
        # too: they have no history column to count, and never many rows.
        if queryset.model is not self.model:
            return Paginator(queryset, per_page, *args, **kwargs)
        return super().get_paginator(request, queryset, per_page, *args, **kwargs)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(HeartbeatRun)
class HeartbeatRunAdmin(ReadOnlyAdmin):
    list_display = ("time", "host", "version", "status_badge", "failing", "duration")
    list_filter = (
        StatusFilter,
        HostFilter,
        VersionFilter,
        FailingCheckFilter,
        ("time", DateFieldListFilter),
        "source",
    )
    # Each of these has an index that starts with it and ends with time.
    sortable_by = ("time", "host", "version", "status_badge")
    search_fields = ("failing_checks",)
    search_help_text = _("Finds the runs in which a check of that name failed.")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        term = search_term.strip().lower()
        if not term:
            return queryset, False
        names = [name for name in check_names() if term in name.lower()]
        return failed_in(queryset, names), False

    fields = (
        "time",
        "host",
        "status_badge",
        "level",
        "duration",
        "http_status",
        "source",
        "version",
        "failing",
    )
    readonly_fields = fields
    change_list_template = "admin/dockerflow/heartbeatrun/change_list.html"
    change_form_template = "admin/dockerflow/heartbeatrun/change_form.html"

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, run: HeartbeatRun) -> SafeString:
        return badge(run.status)

    @admin.display(description=_("failing checks"))
    def failing(self, run: HeartbeatRun) -> str:
        return ", ".join(run.failing_checks) or "-"

    @admin.display(description=_("duration"))
    def duration(self, run: HeartbeatRun) -> str:
        return duration_text(run.duration_ms)

    def _list_url(self, params: dict[str, str] | None = None) -> str:
        url = reverse(
            "admin:dockerflow_heartbeatrun_changelist", current_app=self.admin_site.name
        )
        return f"{url}?{urlencode(params)}" if params else url

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        rows = "checks" if request.GET.get(ROWS) == "checks" else "hosts"
        if ROWS in request.GET:
            # The changelist takes every parameter for a filter.
            request.GET = request.GET.copy()
            del request.GET[ROWS]
        context = dict(extra_context or {})
        # Drawn only for those who may see the list; the rest get its 403.
        if self.has_view_or_change_permission(request):
            drawn = picture.build(self._list_url(), rows=rows)
            context["dockerflow_rows"] = rows
            # svg.render escapes every label, version and link it writes.
            context["dockerflow_heatmap"] = mark_safe(svg.render(drawn.heatmap))
            context["dockerflow_checks"] = [
                {
                    "name": f.name,
                    "badge": badge(f.status),
                    "since": f.since,
                    "hosts": f"{f.hosts_failing} of {f.hosts}",
                    "uptime_24h": percent(f.uptime_24h),
                    "uptime_7d": percent(f.uptime_7d),
                    "uptime_30d": percent(f.uptime_30d),
                    "p50_24h": duration_text(f.p50_24h),
                    "p95_24h": duration_text(f.p95_24h),
                    "p95_30d": duration_text(f.p95_30d),
                    "href": self._list_url({"failing_check": f.name}),
                }
                for f in drawn.checks
            ]
        return super().changelist_view(request, extra_context=context)

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: HeartbeatRun | None = None,
    ) -> HttpResponse:
        # Called with the run the admin already fetched, after its permission
        # checks: the checks table costs one query.
        if obj is not None:
            context["dockerflow_checks"] = [
                {
                    "name": check.name,
                    "badge": badge(check.status),
                    "messages": format_html_join(
                        "",
                        "<div><code>{}</code> {}</div>",
                        ((m.get("id") or "", m.get("msg", "")) for m in check.messages),
                    ),
                    "duration": duration_text(check.duration_ms),
                }
                for check in obj.checks.order_by("id")
            ]
            context["dockerflow_host_url"] = self._list_url({"host": obj.host})
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdmin):
    list_display = (
        "time",
        "host",
        "check_label",
        "old",
        "new",
        "lasted",
        "failing",
        "run_link",
    )
    list_filter = (
        ChangeStatusFilter,
        HostFilter,
        CheckFilter,
        ("time", DateFieldListFilter),
    )
    sortable_by = ("time", "host")
    fields = list_display  # the detail page shows what the list does
    readonly_fields = fields

    @admin.display(description=_("check"))
    def check_label(self, change: StatusChange) -> str:
        return change.check_name or _("(the host)")

    @admin.display(description=_("old status"))
    def old(self, change: StatusChange) -> SafeString:
        return badge(change.old_status) if change.old_status else mark_safe("-")

    @admin.display(description=_("new status"))
    def new(self, change: StatusChange) -> SafeString:
        return badge(change.new_status)

    @admin.display(description=_("old status lasted"))
    def lasted(self, change: StatusChange) -> str:
        seconds = change.previous_duration
        if seconds is None:
            return "-"
        minutes, secs = divmod(int(seconds), 60)
        hours, minutes = divmod(minutes, 60)
        days, hours = divmod(hours, 24)
        if days:
            return f"{days} d {hours} h"
        if hours:
            return f"{hours} h {minutes} min"
        return f"{minutes} min {secs} s" if minutes else f"{secs} s"

    @admin.display(description=_("failing checks"))
    def failing(self, change: StatusChange) -> str:
        return ", ".join(change.failing_checks) or "-"

    @admin.display(description=_("run"))
    def run_link(self, change: StatusChange) -> SafeString | str:
        # The id alone makes the link: no query for the run.
        if change.run_id is None:
            return "-"
        url = reverse(
            "admin:dockerflow_heartbeatrun_change",
            args=[change.run_id],
            current_app=self.admin_site.name,
        )
        return format_html('<a href="{}">#{}</a>', url, change.run_id)

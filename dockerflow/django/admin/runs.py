"""The read-only admin of heartbeat runs, with the picture of the last 24 hours on top.

Everything is viewable through the view permission and nothing can be added,
changed or deleted; every list costs the same handful of queries at any size.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin import DateFieldListFilter
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from ..models import HeartbeatRun
from . import heatmap, shared
from .common import (
    ReadOnlyAdmin,
    badge,
    breakable,
    duration_text,
    moment,
    names,
    percent,
)
from .figures import MISSING, CheckFigures
from .lists import (
    FailingCheckFilter,
    HostFilter,
    StatusFilter,
    VersionFilter,
    check_names,
    failed_in,
)

#: The query parameter that switches the heatmap's rows; the list never sees it.
ROWS = "rows"


def _check_line(f: CheckFigures, href: str) -> dict[str, Any]:
    hosts = f"{f.hosts_failing} of {f.hosts}"
    if f.hosts_missing:
        hosts += f" · {f.hosts_missing} missing"
    return {
        "name": f.name,
        "label": breakable(f.name),
        "badge": badge(f.status),
        # What the quiet hosts said last: silence must not hide a failure.
        "last": badge(f.last_status) if f.last_status else "",
        "missing": f.status == MISSING,
        "since": moment(f.since),
        "hosts": hosts,
        "uptime_24h": percent(f.uptime_24h),
        "uptime_7d": percent(f.uptime_7d),
        "uptime_30d": percent(f.uptime_30d),
        "p50_24h": duration_text(f.p50_24h),
        "p95_24h": duration_text(f.p95_24h),
        "p95_30d": duration_text(f.p95_30d),
        "href": href,
    }


@admin.register(HeartbeatRun)
class HeartbeatRunAdmin(ReadOnlyAdmin):
    # The status second: on a phone the first columns are the ones in view.
    list_display = (
        "when",
        "status_badge",
        "host_name",
        "version",
        "failing",
        "duration",
    )
    list_display_links = ("when",)
    list_filter = (
        StatusFilter,
        HostFilter,
        VersionFilter,
        FailingCheckFilter,
        ("time", DateFieldListFilter),
        "source",
    )
    # Each of these has an index that starts with it and ends with time.
    sortable_by = ("when", "host_name", "version", "status_badge")
    search_fields = ("failing_checks",)
    search_label = _("Failing check")
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
        "when",
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

    @admin.display(description=_("time"), ordering="time")
    def when(self, run: HeartbeatRun) -> SafeString | str:
        return moment(run.time)

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, run: HeartbeatRun) -> SafeString:
        return badge(run.status)

    @admin.display(description=_("host"), ordering="host")
    def host_name(self, run: HeartbeatRun) -> SafeString:
        return breakable(run.host)

    @admin.display(description=_("failing checks"))
    def failing(self, run: HeartbeatRun) -> SafeString | str:
        return names(run.failing_checks)

    @admin.display(description=_("duration"))
    def duration(self, run: HeartbeatRun) -> str:
        return duration_text(run.duration_ms)

    def _list_url(self, params: dict[str, str] | None = None) -> str:
        url = reverse(
            "admin:dockerflow_heartbeatrun_changelist", current_app=self.admin_site.name
        )
        return f"{url}?{urlencode(params)}" if params else url

    def _picture(self, rows: str) -> dict[str, Any]:
        # Every filter, page and search of this period shares one picture.
        drawn = shared.pictures.get(self._list_url(), rows)
        return {
            "dockerflow_rows": rows,
            "dockerflow_summary": heatmap.summary(drawn.heatmap),
            "dockerflow_alarm": heatmap.alarming(drawn.heatmap),
            "dockerflow_period": (
                moment(drawn.heatmap.start),
                moment(drawn.heatmap.end),
            ),
            # heatmap.render escapes every label, version and link it writes.
            "dockerflow_heatmap": mark_safe(heatmap.render(drawn.heatmap)),
            "dockerflow_missing": [
                {
                    "host": gone.host,
                    "href": self._list_url({"host": gone.host}),
                    "seen": moment(gone.seen_at),
                    "badge": badge(gone.status),
                    "failing": ", ".join(gone.failing) or "-",
                }
                for gone in drawn.missing
            ],
            "dockerflow_checks": [
                _check_line(f, self._list_url({"failing_check": f.name}))
                for f in drawn.checks
            ],
        }

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
            context.update(self._picture(rows))
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
                    "label": breakable(check.name),
                    "badge": badge(check.status),
                    "messages": format_html_join(
                        "",
                        "<div><code>{}</code> {}</div>",
                        (
                            (breakable(m.get("id") or ""), m.get("msg", ""))
                            for m in check.messages
                        ),
                    ),
                    "duration": duration_text(check.duration_ms),
                }
                for check in obj.checks.order_by("id")
            ]
            context["dockerflow_host_url"] = self._list_url({"host": obj.host})
        return super().render_change_form(request, context, add, change, form_url, obj)

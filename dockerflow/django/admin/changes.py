"""The read-only admin of status changes, with a flapping check folded into one row.

A check that flips every few minutes would fill every page with the same
two statuses; consecutive quick flips of one host and check are shown once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin import DateFieldListFilter
from django.contrib.admin.views.main import ChangeList
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from ..models import StatusChange
from . import heatmap
from .common import (
    ReadOnlyAdmin,
    badge,
    flip,
    host_and_check,
    lasted_text,
    moment,
    names,
)
from .lists import ChangeStatusFilter, CheckFilter, HostFilter

#: A status that lasted less than this before the next change is a flap.
FLAP_WINDOW = timedelta(minutes=15)
#: The fewest consecutive flaps of one host and check that fold into a row.
FOLD_AT = 3


@dataclass(frozen=True)
class Folded:
    """The changes a row stands for: the newest is the row, the rest are hidden."""

    count: int
    first: datetime
    last: datetime
    statuses: tuple[str, ...]
    failing: tuple[str, ...]


def _chains(changes: list[StatusChange]) -> Iterator[list[StatusChange]]:
    """Runs of one host and check's changes, oldest first, each flap quick."""
    by_key: dict[tuple[str, str], list[StatusChange]] = defaultdict(list)
    for change in changes:
        by_key[(change.host, change.check_name)].append(change)
    for rows in by_key.values():
        rows.sort(key=lambda c: (c.time, c.pk or 0))
        chain = [rows[0]]
        for change in rows[1:]:
            # The time between two changes of one host and check is how
            # long the status the first one set lasted.
            if change.time - chain[-1].time < FLAP_WINDOW:
                chain.append(change)
            else:
                yield chain
                chain = [change]
        yield chain


def fold(changes: Iterable[StatusChange]) -> list[StatusChange]:
    """``changes`` with each chain of ``FOLD_AT`` or more quick flips of one
    host and check shown as its newest change, marked ``folded``."""
    changes = list(changes)
    hidden: set[int] = set()
    for chain in _chains(changes):
        if len(chain) < FOLD_AT:
            continue
        newest = chain[-1]
        statuses = {c.new_status for c in chain} | {chain[0].old_status}
        newest.folded = Folded(  # type: ignore[attr-defined]
            count=len(chain),
            first=chain[0].time,
            last=newest.time,
            statuses=tuple(s for s in heatmap.STATUSES if s in statuses),
            failing=tuple(sorted({n for c in chain for n in c.failing_checks})),
        )
        hidden.update(id(c) for c in chain[:-1])
    return [c for c in changes if id(c) not in hidden]


def folded(change: StatusChange) -> Folded | None:
    return getattr(change, "folded", None)


class FlappingFilter(admin.SimpleListFilter):
    """Folded by default; "every change" lists each flip on its own row."""

    title = _("flapping checks")
    parameter_name = "flaps"
    EVERY = "every"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(self.EVERY, _("every change on its own row"))]

    def choices(self, changelist: Any) -> Iterator[dict[str, Any]]:
        for index, choice in enumerate(super().choices(changelist)):
            # The first choice is Django's "All": no parameter, rows folded.
            yield (
                {**choice, "display": _("folded into one row")}
                if index == 0
                else choice
            )

    def queryset(self, request: HttpRequest, queryset: Any) -> None:
        return None  # it changes how rows are shown, not which


class FoldingChangeList(ChangeList):
    result_list: Any

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        if request.GET.get(FlappingFilter.parameter_name) != FlappingFilter.EVERY:
            # One page's rows, already fetched: folding costs no query.
            self.result_list = fold(self.result_list)


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdmin):
    # The change second: on a phone the first columns are the ones in view.
    list_display = (
        "when",
        "change",
        "where",
        "lasted",
        "failing",
        "run_link",
    )
    list_display_links = ("when",)
    list_filter = (
        ChangeStatusFilter,
        HostFilter,
        CheckFilter,
        ("time", DateFieldListFilter),
        FlappingFilter,
    )
    sortable_by = ("when", "where")
    fields = list_display  # the detail page shows what the list does
    readonly_fields = fields

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return FoldingChangeList

    @admin.display(description=_("time"), ordering="time")
    def when(self, change: StatusChange) -> SafeString | str:
        group = folded(change)
        if group is None:
            return moment(change.time)
        return format_html(
            '{}<span class="dockerflow-since">from {}</span>',
            moment(group.last),
            moment(group.first),
        )

    @admin.display(description=_("change"))
    def change(self, change: StatusChange) -> SafeString:
        group = folded(change)
        if group is not None:
            return format_html(
                '{} <a class="dockerflow-flaps" href="{}">{}</a>',
                format_html_join(" ⇄ ", "{}", ((badge(s),) for s in group.statuses)),
                self._every_flip(change, group),
                _("flapped %(count)d times") % {"count": group.count},
            )
        return flip(change.old_status, change.new_status)

    def _every_flip(self, change: StatusChange, group: Folded) -> str:
        url = reverse(
            "admin:dockerflow_statuschange_changelist", current_app=self.admin_site.name
        )
        params = {
            "host": change.host,
            "check": change.check_name or "-",
            "time__gte": group.first.isoformat(),
            "time__lte": group.last.isoformat(),
            FlappingFilter.parameter_name: FlappingFilter.EVERY,
        }
        return f"{url}?{urlencode(params)}"

    @admin.display(description=_("host and check"), ordering="host")
    def where(self, change: StatusChange) -> SafeString:
        return host_and_check(change.host, change.check_name)

    @admin.display(description=_("old status lasted"))
    def lasted(self, change: StatusChange) -> str:
        if folded(change) is not None:
            return _("each under %(minutes)d min") % {
                "minutes": FLAP_WINDOW.total_seconds() // 60
            }
        return lasted_text(change.previous_duration)

    @admin.display(description=_("failing checks"))
    def failing(self, change: StatusChange) -> SafeString | str:
        group = folded(change)
        return names(group.failing if group is not None else change.failing_checks)

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

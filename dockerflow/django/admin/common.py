"""What both history lists share: read-only access, badges, and how values read.

Every figure and time on these pages is written by one function here, so a
page never shows the same kind of value in two formats.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from ..times import stamp
from .lists import CappedPaginator

#: The stylesheet of every history page: colours from the admin's theme.
STYLESHEET = "dockerflow/admin/history.css"


def badge(status: str, word: str | None = None) -> SafeString:
    """A status as a coloured word; history.css colours it, in either theme.
    ``word`` is shown instead of the status (a delivery's state, say)."""
    return format_html(
        '<span class="dockerflow-badge" data-status="{}">{}</span>',
        status or "none",
        word or status or "-",
    )


def flip(old: str, new: str) -> SafeString:
    """A status change as two badges: "-" for the first status seen."""
    return format_html("{} → {}", badge(old) if old else mark_safe("-"), badge(new))


def breakable(text: str) -> SafeString:
    """``text`` that may wrap after ``_ . /`` (browsers already wrap after a
    hyphen): a host or check name is one long word, which would otherwise
    push the columns after it out of view."""
    pieces = re.split(r"(?<=[_./])", text)
    return format_html_join(mark_safe("<wbr>"), "{}", ((p,) for p in pieces))


def names(values: Iterable[str]) -> SafeString | str:
    """A list of check names, each free to wrap."""
    shown = [breakable(value) for value in values]
    return format_html_join(", ", "{}", ((n,) for n in shown)) if shown else "-"


def host_and_check(host: str, check_name: str) -> SafeString:
    """One column for both: beside the filter sidebar and the admin's own
    navigation, a 1280 px screen leaves a list about 630 px."""
    check = breakable(check_name) if check_name else _("the host")
    return format_html(
        '{}<span class="dockerflow-check">{}</span>', breakable(host), check
    )


def moment(when: datetime | None) -> SafeString | str:
    """A time as every history page writes it, machine-readable too."""
    if when is None:
        return "-"
    return format_html('<time datetime="{}">{}</time>', when.isoformat(), stamp(when))


def duration_text(ms: float | None) -> str:
    if ms is None:
        return "-"
    if ms == float("inf"):
        return "> 5 s"
    return f"{ms / 1000:.1f} s" if ms >= 1000 else f"{ms:.0f} ms"


def percent(share: float | None) -> str:
    return "-" if share is None else f"{share:.2%}"


def lasted_text(seconds: float | None) -> str:
    """How long a status lasted, in its two largest units."""
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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable with the view permission; nobody adds, changes or deletes history."""

    actions = None
    paginator = CappedPaginator
    show_full_result_count = False
    list_per_page = 50
    #: The search box's label, read by admin/dockerflow/search_form.html.
    search_label = _("Search")
    # Facets count every choice of every filter over the whole table.
    if hasattr(admin, "ShowFacets"):  # Django 5.0+
        show_facets = admin.ShowFacets.NEVER

    # Django's object-history page includes no model media: its template
    # adds the stylesheet.
    object_history_template = "admin/dockerflow/object_history.html"

    class Media:
        css = {"all": (STYLESHEET,)}

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

"""List filters and a paginator that stay cheap on a million history rows.

Filter choices come from the small state table or a loose index scan, never
from a DISTINCT over the runs, and no page of the list counts every row.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connections, router
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from ..models import FAILING, CheckRun, CheckState, HeartbeatRun, Status

#: The most rows a list ever counts: past it, pages say "more than".
COUNT_CAP = 10_000
#: Every history table's indexes end with it (the deliveries' end with "created").
COUNTED_COLUMN = "time"


class CappedPaginator(Paginator):
    """Counts up to ``COUNT_CAP`` rows, so a filtered list never counts them all."""

    counted = 0
    #: The indexed time column of the rows counted.
    column = COUNTED_COLUMN

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if not rows.query.distinct:
            # Counting an indexed column unordered lets the database answer
            # from the index alone, without visiting the rows.
            rows = rows.order_by().values(self.column)
        # One row past the cap tells "exactly the cap" from "more".
        self.counted = rows[: COUNT_CAP + 1].count()
        return min(self.counted, COUNT_CAP)

    @property
    def capped(self) -> bool:
        return self.count > 0 and self.counted > COUNT_CAP


def distinct_values(model: type[Model], column: str, limit: int = 100) -> list[str]:
    """Distinct non-empty values of an indexed column, one index probe each.

    A recursive query walks the index from value to value (a "loose index
    scan"), so a column with ten values costs ten probes, not a full scan.
    """
    using = router.db_for_read(model)
    connection = connections[using]
    quote = connection.ops.quote_name
    table, col = quote(model._meta.db_table), quote(column)
    sql = (
        f"WITH RECURSIVE walk(value) AS ("
        f"SELECT MIN({col}) FROM {table} WHERE {col} > '' "
        f"UNION ALL "
        f"SELECT (SELECT MIN({col}) FROM {table} WHERE {col} > walk.value) "
        f"FROM walk WHERE walk.value IS NOT NULL"
        f") SELECT value FROM walk WHERE value IS NOT NULL LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [limit])
        return [row[0] for row in cursor.fetchall()]


def failed_in(runs: QuerySet, names: list[str]) -> QuerySet:
    """The runs in which one of the checks ``names`` failed.

    The failing check rows are few, and indexed by status: far cheaper than
    reading every run's list of failing checks.
    """
    failed = CheckRun.objects.filter(name__in=names, status__in=FAILING)
    return runs.filter(pk__in=failed.values("run_id"))


def check_names() -> list[str]:
    names = _states(check=True).values_list("check_name", flat=True).distinct()
    return list(names.order_by("check_name"))


def _states(check: bool) -> QuerySet[CheckState]:
    states = CheckState.objects.order_by()
    return states.exclude(check_name="") if check else states.filter(check_name="")


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"
    field = "status"
    FAILING_CHOICE = "failing"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(self.FAILING_CHOICE, _("failing (error or worse)")), *Status.choices]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        value = self.value()
        if value == self.FAILING_CHOICE:
            return queryset.filter(**{f"{self.field}__in": FAILING})
        if value in Status.values:
            return queryset.filter(**{self.field: value})
        return None


class ChangeStatusFilter(StatusFilter):
    title = _("new status")
    field = "new_status"


class HostFilter(admin.SimpleListFilter):
    title = _("host")
    parameter_name = "host"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        hosts = _states(check=False).values_list("host", flat=True).distinct()
        return [(host, host) for host in hosts.order_by("host")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        # A cell of the heatmap may name a host the states no longer list.
        value = self.value()
        return queryset.filter(host=value) if value else None


class FailingCheckFilter(admin.SimpleListFilter):
    """Runs in which the chosen check failed."""

    title = _("failing check")
    parameter_name = "failing_check"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(name, name) for name in check_names()]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        value = self.value()
        return failed_in(queryset, [value]) if value else None


class CheckFilter(admin.SimpleListFilter):
    title = _("check")
    parameter_name = "check"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("-", _("the host as a whole"))] + [
            (name, name) for name in check_names()
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        value = self.value()
        if not value:
            return None
        return queryset.filter(check_name="" if value == "-" else value)


class VersionFilter(admin.SimpleListFilter):
    title = _("version")
    parameter_name = "version"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        versions = distinct_values(HeartbeatRun, "version")
        # Newest first for date-like and numbered versions.
        return [(v, v) for v in sorted(versions, reverse=True)]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        value = self.value()
        return queryset.filter(version=value) if value else None

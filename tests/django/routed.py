"""A project whose router sends the history to a database of its own.

Run as ``python -m tests.django.routed DIR``: the default database (users,
sessions) and the history's are SQLite files in DIR, each with only its own
tables, so a query sent to the wrong one fails. It records heartbeats,
reads them through the admin and the API, prunes, and prints what it saw
as JSON for ``test_history_router.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import settings as base
from .routers import HISTORY

urlpatterns: list[Any] = []


def configure(folder: Path) -> None:
    names = [n for n in dir(base) if n.isupper()]
    values = {name: getattr(base, name) for name in names}
    values.update(
        ROOT_URLCONF=__name__,
        DATABASES={
            alias: {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(folder / f"{alias}.db"),
            }
            for alias in ("default", HISTORY)
        },
        DATABASE_ROUTERS=["tests.django.routers.HistoryRouter"],
        DOCKERFLOW_HISTORY="all",
        DOCKERFLOW_HISTORY_HOST="routed-1",
    )
    settings.configure(**values)
    django.setup()
    urlpatterns.extend(
        [
            path("admin/", admin.site.urls),
            path("dockerflow/", include("dockerflow.django.api.urls")),
        ]
    )


def main(folder: Path) -> dict[str, Any]:
    configure(folder)
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client
    from django.utils import timezone

    from dockerflow.django import history
    from dockerflow.django.history import pruning
    from dockerflow.django.models import HeartbeatRun, StatusChange

    from . import history_helpers as made

    for alias in ("default", HISTORY):
        call_command("migrate", database=alias, verbosity=0)
    now = (timezone.now() - made.T0).total_seconds()
    history.record(made.run(now - 30), source="http")
    history.record(made.run(now, db="error"), source="http", http_status=500)
    history.recorder.flush()
    client = Client()
    client.force_login(User.objects.create_superuser("admin", password="pw"))
    pages = {
        url: client.get(url)
        for url in (
            "/admin/dockerflow/heartbeatrun/",
            "/admin/dockerflow/heartbeatrun/?failing_check=db",
            "/admin/dockerflow/statuschange/",
            "/dockerflow/history/runs/",
            "/dockerflow/history/changes/",
            "/dockerflow/history/uptime/",
        )
    }
    tables = {
        alias: sorted(
            t
            for t in connections[alias].introspection.table_names()
            if t.startswith("dockerflow")
        )
        for alias in ("default", HISTORY)
    }
    return {
        "tables": tables,
        "runs": HeartbeatRun.objects.count(),
        "changes": StatusChange.objects.count(),
        "statuses": {url: response.status_code for url, response in pages.items()},
        "failing": "1 of 1 hosts failing"
        in pages["/admin/dockerflow/heartbeatrun/"].content.decode(),
        "api_runs": len(pages["/dockerflow/history/runs/"].json()["results"]),
        "uptime_rows": len(pages["/dockerflow/history/uptime/"].json()["results"]),
        "pruned": str(pruning.prune()),
    }


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]))))

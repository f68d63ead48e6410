"""Runs under tests/django/settings_router.py: migrates both databases, records
runs through the writer and directly, reads them back through the API and the
admin, and prints what it found as JSON for test_history_writer_routed.py.
"""

from __future__ import annotations

import json
import os
from typing import Any

os.environ["DJANGO_SETTINGS_MODULE"] = "tests.django.settings_router"


def main() -> dict[str, Any]:
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client

    from dockerflow.django import history
    from dockerflow.django.models import HeartbeatRun, StatusChange
    from dockerflow.django.signals import status_changed

    from .history_helpers import run

    report: dict[str, Any] = {"signals": []}

    def heard(change: StatusChange, using: str, **kwargs: Any) -> None:
        # Sent after the commit on the history's database, not the default's.
        busy = connections[using].in_atomic_block
        report["signals"].append([change.pk, using, busy])

    status_changed.connect(heard, weak=False)
    for alias in ("default", "history"):
        call_command("migrate", database=alias, verbosity=0)
        tables = connections[alias].introspection.table_names()
        report[f"{alias}_tables"] = sorted(
            t for t in tables if t.startswith(("dockerflow_", "auth_user"))
        )
    client = Client()
    # The heartbeat's run goes through the writer thread, then the command's
    # way, which stores before it returns.
    report["heartbeat"] = client.get("/__heartbeat__").status_code
    report["drained"] = history.drain(timeout=10)
    report["written"] = history.writer.written
    stored = history.record(run(0, db="error"), source="command", force=True)
    report["recorded"] = stored is not None
    report["runs_in"] = {
        alias: HeartbeatRun.objects.using(alias).count()
        for alias in ("default", "history")
        if "dockerflow_heartbeatrun" in connections[alias].introspection.table_names()
    }
    report["runs"] = HeartbeatRun.objects.count()
    report["changes"] = StatusChange.objects.count()
    report["change_pks"] = list(StatusChange.objects.values_list("pk", flat=True))
    auth = {"HTTP_AUTHORIZATION": "Bearer router-token"}
    answer = client.get("/dockerflow/history/runs/", **auth)
    report["api"] = [answer.status_code, len(answer.json()["results"])]
    User.objects.create_superuser("admin", "admin@example.com", "pw")
    client.force_login(User.objects.get(username="admin"))
    report["admin_urls"] = [
        client.get(path).status_code
        for path in (
            "/admin/dockerflow/heartbeatrun/",
            "/admin/dockerflow/statuschange/",
        )
    ]
    return report


if __name__ == "__main__":
    print(json.dumps(main()))

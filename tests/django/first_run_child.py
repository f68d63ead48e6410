"""One process of the concurrent first-run test: records a new host's first
run when its parent says so, and prints how many statements that took.

Run as ``python -m tests.django.first_run_child HOST`` with the test
database's URL in DOCKERFLOW_TEST_POSTGRES_URL.
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.django.settings")
os.environ["DOCKERFLOW_TEST_DATABASE"] = "postgres"


def main(host: str) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    from dockerflow.django import history

    from .history_helpers import run

    with override_settings(DOCKERFLOW_HISTORY="changes", DOCKERFLOW_HISTORY_HOST=host):
        connection.ensure_connection()
        print("ready", flush=True)
        sys.stdin.readline()
        with CaptureQueriesContext(connection) as queries:
            stored = history.Recorder().record(run(0, db="error"), source="http")
    print(
        json.dumps({"stored": stored is not None, "sql": [q["sql"] for q in queries]}),
        flush=True,
    )


if __name__ == "__main__":
    main(sys.argv[1])

"""One worker of the two-process flips test: records each run its parent
sends (``STATUS SECONDS`` a line) the heartbeat's way, through its writer
thread, and answers once the writer has stored it.

Run as ``python -m tests.django.flips_child HOST`` with the test database's
URL in DOCKERFLOW_TEST_POSTGRES_URL.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.django.settings")
os.environ["DOCKERFLOW_TEST_DATABASE"] = "postgres"


def main(host: str) -> None:
    import django

    django.setup()
    from django.test.utils import override_settings

    from dockerflow.django import history

    from .history_helpers import run

    with override_settings(
        DOCKERFLOW_HISTORY="changes",
        DOCKERFLOW_HISTORY_HOST=host,
        DOCKERFLOW_HISTORY_QUEUE=10,
    ):
        print("ready", flush=True)
        for line in sys.stdin:
            status, seconds = line.split()
            history.submit(run(float(seconds), db=status), source="http")
            print("stored" if history.drain(timeout=30) else "late", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])

"""One worker of the two-process signal race: records each run its parent
sends (``STATUS SECONDS`` a line) through its writer thread, and answers
with the ids of the changes ``status_changed`` told it of, once stored.

Run as ``python -m tests.django.signal_child HOST`` with the test database's
URL in DOCKERFLOW_TEST_POSTGRES_URL.
"""

from __future__ import annotations

import os
import sys
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.django.settings")
os.environ["DOCKERFLOW_TEST_DATABASE"] = "postgres"


def main(host: str) -> None:
    import django

    django.setup()
    from django.test.utils import override_settings

    from dockerflow.django import history
    from dockerflow.django.signals import status_changed

    from .history_helpers import run

    heard: list[int] = []

    def receiver(sender: Any, change: Any, **kwargs: Any) -> None:
        heard.append(change.pk)

    status_changed.connect(receiver)
    with override_settings(
        DOCKERFLOW_HISTORY="changes",
        DOCKERFLOW_HISTORY_HOST=host,
        DOCKERFLOW_HISTORY_QUEUE=10,
    ):
        print("ready", flush=True)
        for line in sys.stdin:
            status, seconds = line.split()
            history.submit(run(float(seconds), db=status), source="http")
            stored = history.drain(timeout=30)
            ids = ",".join(str(pk) for pk in heard)
            heard.clear()
            print(f"{'stored' if stored else 'late'} {ids}".rstrip(), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])

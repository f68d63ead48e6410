"""The recorder's two decisions, as tables: what a visit does with a run, and
when the database is left alone. Both are made in memory, with no query.
"""

from __future__ import annotations

import pytest

from dockerflow.django.history.recorder import Known, decide, unreachable
from dockerflow.django.history.store import ALWAYS, IF_DUE, NEVER
from dockerflow.django.history.table import read

from .history_helpers import T0, run

NOW = T0.timestamp()
SAME = Known("sig", NOW - 10)


@pytest.mark.parametrize(
    ("mode", "force", "known", "signature", "started", "owed", "expected"),
    [
        # "all" stores every run, and force stores one in any mode.
        ("all", False, SAME, "sig", NOW, False, ALWAYS),
        ("changes", True, SAME, "sig", NOW, False, ALWAYS),
        # Unchanged and sampled lately: only counted.
        ("changes", False, SAME, "sig", NOW, False, NEVER),
        # A change, a sample due, or nothing known: stored if still due.
        ("changes", False, SAME, "other", NOW, False, IF_DUE),
        ("changes", False, SAME, "sig", NOW + 290, False, IF_DUE),
        ("changes", False, None, "sig", NOW, False, IF_DUE),
        ("changes", False, Known("sig", None), "sig", NOW, False, IF_DUE),
        # Flips seen while the database was out of reach are owed to it.
        ("changes", False, SAME, "sig", NOW, True, IF_DUE),
    ],
)
def test_what_a_visit_does_with_a_run(
    mode: str,
    force: bool,
    known: Known | None,
    signature: str,
    started: float,
    owed: bool,
    expected: str,
) -> None:
    settings = read({"DOCKERFLOW_HISTORY": mode})
    assert decide(settings, force, known, signature, started, owed) == expected


DB = "check_database_connected"


@pytest.mark.parametrize(
    ("now", "retry_at", "statuses", "expected"),
    [
        (100.0, 0.0, {}, None),
        (100.0, 100.0, {}, None),
        (100.0, 105.0, {}, "the database failed moments ago"),
        (100.0, 105.0, {"db": "ok"}, "the database failed moments ago"),
        # The run's own database check reached it: the pause ends there.
        (100.0, 105.0, {DB: "ok"}, None),
        (100.0, 105.0, {DB: "warning"}, None),
        (
            100.0,
            105.0,
            {DB: "ok", f"acme.{DB}": "error"},
            "the run found the database failing",
        ),
        (100.0, 0.0, {DB: "error"}, "the run found the database failing"),
        (100.0, 0.0, {DB: "critical"}, "the run found the database failing"),
        (100.0, 0.0, {DB: "warning"}, None),
        (100.0, 0.0, {"db": "error"}, None),  # another check, another database
        (100.0, 0.0, {f"acme.{DB}": "error"}, "the run found the database failing"),
    ],
)
def test_when_the_database_is_left_alone(
    now: float, retry_at: float, statuses: dict[str, str], expected: str | None
) -> None:
    assert unreachable(now, retry_at, run(0, **statuses)) == expected

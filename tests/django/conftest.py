"""Shared fixtures for the Django tests, and the PostgreSQL-only modules.

PostgreSQL-only tests are collected only when DOCKERFLOW_TEST_DATABASE=postgres,
so the SQLite pass neither runs nor skips them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.test import override_settings

from dockerflow.django import heartbeat, history
from dockerflow.django.admin import shared
from dockerflow.logging import request_id_context

from . import checks

collect_ignore = []
if os.environ.get("DOCKERFLOW_TEST_DATABASE") != "postgres":
    collect_ignore += [
        "test_postgres.py",
        "test_history_postgres.py",
        "test_webhooks_postgres.py",
        "test_history_first_run.py",
        "first_run_child.py",
        "flips_child.py",
        "signal_child.py",
    ]


@pytest.fixture(autouse=True)
def fresh_heartbeat() -> Iterator[None]:
    heartbeat.engine.clear_cache()
    history.recorder.reset()
    history.writer.reset()
    shared.pictures.clear()
    checks.calls.clear()
    checks.release.clear()
    yield
    checks.release.set()  # let any hung check thread finish
    # The middleware keeps the request id set until the server closes the
    # response; tests that call it directly and never close one leave it set.
    request_id_context.set(None)
    heartbeat.engine.clear_cache()


@pytest.fixture
def history_on() -> Iterator[None]:
    """The history in its default mode; the test settings turn it off."""
    with override_settings(DOCKERFLOW_HISTORY="changes"):
        yield


def check_paths(*names: str) -> list[str]:
    return [f"tests.django.checks.{name}" for name in names]

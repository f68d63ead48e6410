"""Fixtures every suite shares, and the Hypothesis profile (see tests/profiles.py).

Each suite's own conftest adds what only it needs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from dockerflow.version import clear_cache
from tests import profiles

profiles.load()


@pytest.fixture(autouse=True)
def _fresh_version_cache() -> None:
    """Each test reads version.json afresh: the cache is per process."""
    clear_cache()


@pytest.fixture
def summaries(
    caplog: pytest.LogCaptureFixture,
) -> Callable[[], list[logging.LogRecord]]:
    """Call it to get the request.summary records logged so far."""
    caplog.set_level(logging.DEBUG, logger="request.summary")
    return lambda: [r for r in caplog.records if r.name == "request.summary"]

"""The seed's ``dockerflow.django.checks``: the built-in checks, re-exported.

Seed-era DOCKERFLOW_CHECKS entries such as
``"dockerflow.django.checks.check_database_connected"`` keep working.
"""

from __future__ import annotations

from ..builtin_checks import (
    check_cache,
    check_database_connected,
    check_migrations_applied,
    check_redis_connected,
)
from ..checks import level_to_text

__all__ = [
    "check_cache",
    "check_database_connected",
    "check_migrations_applied",
    "check_redis_connected",
    "level_to_text",
]

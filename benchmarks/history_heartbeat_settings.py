"""The example project's settings for benchmarks/history_heartbeat.py: the
history's mode and host from the environment, no heartbeat cache, and the
checks that need only PostgreSQL."""

from __future__ import annotations

import os

from example_project.settings import *  # noqa: F403

DOCKERFLOW_HISTORY = os.environ["BENCH_HISTORY"]
DOCKERFLOW_HISTORY_HOST = os.environ["BENCH_HOST"]
DOCKERFLOW_HEARTBEAT_CACHE_SECONDS = 0
DOCKERFLOW_CHECKS = [
    "dockerflow.django.checks.check_database_connected",
    "dockerflow.django.checks.check_migrations_applied",
]

"""python-dockerflow's import paths for Sanic still work and name the same objects."""

from __future__ import annotations

import dockerflow_sanic
from dockerflow import checks as core_checks


def test_seed_import_paths() -> None:
    from dockerflow.sanic import Dockerflow, checks
    from dockerflow.sanic.app import Dockerflow as AppDockerflow
    from dockerflow.sanic.checks import check_redis_connected

    assert Dockerflow is AppDockerflow is dockerflow_sanic.Dockerflow
    assert check_redis_connected is dockerflow_sanic.checks.check_redis_connected
    assert checks.check_redis_connected is check_redis_connected


def test_seed_checks_module_reexports_messages_and_levels() -> None:
    from dockerflow.sanic import checks

    for name in [
        "CRITICAL",
        "DEBUG",
        "ERROR",
        "INFO",
        "STATUSES",
        "WARNING",
        "CheckMessage",
        "Critical",
        "Debug",
        "Error",
        "Info",
        "Warning",
        "level_to_text",
    ]:
        assert getattr(checks, name) is getattr(core_checks, name), name
    assert checks.level_to_text(checks.ERROR) == "error"

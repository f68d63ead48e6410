"""The example project's settings, with what the e2e tests vary taken from the environment.

E2E_VERSION_DIR holds the version.json the test writes; E2E_CACHE_SECONDS
turns heartbeat caching on; E2E_HUNG_PORT makes the only check one that hangs;
E2E_ASYNC_MIDDLEWARE keeps only async-capable middleware; E2E_HISTORY_HOST
names the server's runs in the heartbeat history, which its servers share,
E2E_HISTORY sets its mode and E2E_HISTORY_FLUSH_SECONDS how often counters
are written; E2E_REPEATED_CHECK adds a check named as one of Dockerflow's;
E2E_WEBHOOKS (JSON) replaces the example's webhooks and E2E_STATUS_LOG logs
each status_changed signal (tests/e2e/apps/status_log.py).
``/__error__`` is on, for the token and staff only, as a project testing its
error tracker sets it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from example_project.settings import *  # noqa: F403
from example_project.settings import DOCKERFLOW_CHECKS, INSTALLED_APPS, LOGGING

BASE_DIR = Path(os.environ["E2E_VERSION_DIR"])
DOCKERFLOW_HEARTBEAT_CACHE_SECONDS = float(os.environ.get("E2E_CACHE_SECONDS", "0"))
DOCKERFLOW_ERROR_ENDPOINT = True
DOCKERFLOW_HISTORY_HOST = os.environ.get("E2E_HISTORY_HOST") or None
DOCKERFLOW_HISTORY = os.environ.get("E2E_HISTORY", "changes")
DOCKERFLOW_HISTORY_FLUSH_SECONDS = float(
    os.environ.get("E2E_HISTORY_FLUSH_SECONDS", "60")
)
if os.environ.get("E2E_HUNG_PORT"):
    DOCKERFLOW_CHECKS = ["tests.e2e.apps.checks.check_hangs"]
else:
    DOCKERFLOW_CHECKS = [*DOCKERFLOW_CHECKS, "tests.e2e.apps.checks.check_counted"]
if os.environ.get("E2E_REPEATED_CHECK"):
    DOCKERFLOW_CHECKS.append("tests.e2e.apps.more_checks.check_database_connected")
if os.environ.get("E2E_WEBHOOKS"):
    DOCKERFLOW_WEBHOOKS = json.loads(os.environ["E2E_WEBHOOKS"])
if os.environ.get("E2E_STATUS_LOG"):
    INSTALLED_APPS = [*INSTALLED_APPS, "tests.e2e.apps.status_log.StatusLogConfig"]
LOGGING["loggers"]["e2e"] = {  # type: ignore[index]
    "handlers": ["console"],
    "level": "INFO",
    "propagate": False,
}
if os.environ.get("E2E_ASYNC_MIDDLEWARE"):
    # WhiteNoise is sync-only, and one sync-only middleware makes Django run
    # the whole chain, Dockerflow's included, on a worker thread. Without it,
    # requests under uvicorn take the async path an all-async stack takes.
    MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("whitenoise.")]  # noqa: F405

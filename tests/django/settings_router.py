"""The test settings with the history's models routed to a second database.

Both are SQLite files, named by ROUTER_DB_DIR; tests/django/router_child.py
runs under them.
"""

from __future__ import annotations

import os
from pathlib import Path

from .settings import *  # noqa: F403

_dir = Path(os.environ["ROUTER_DB_DIR"])
DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(_dir / "app.db")},
    "history": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(_dir / "history.db"),
    },
}
DATABASE_ROUTERS = ["tests.django.routers.HistoryRouter"]
DOCKERFLOW_HISTORY = "changes"
DOCKERFLOW_HISTORY_HOST = "routed"
DOCKERFLOW_HISTORY_QUEUE = 10
DOCKERFLOW_HEARTBEAT_TOKEN = "router-token"
ROOT_URLCONF = "tests.django.urls_router"
DOCKERFLOW_CHECKS = ["tests.django.checks.passing"]

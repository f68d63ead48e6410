"""An example Sanic app for the end-to-end tests, run under Sanic's own server.

``python -m sanic tests.e2e.apps.sanic_app:app --single-process``. Configured
from the environment: DOCKERFLOW_VERSION_PATH, REDIS_URL, and any config key
through Sanic's SANIC_ prefix (SANIC_DOCKERFLOW_HEARTBEAT_TOKEN, ...).
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from sanic import Request, Sanic, response
from sanic_redis import SanicRedis

from dockerflow_sanic import Dockerflow, checks

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "dockerflow.logging.JsonLogFormatter", "logger_name": "e2e"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
        }
    },
    # Sanic's own loggers propagate here too, so every stdout line is mozlog.
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        name: {"handlers": [], "propagate": True, "level": "INFO"}
        for name in ("sanic.root", "sanic.error", "sanic.server", "sanic.websockets")
    }
    | {"sanic.access": {"handlers": [], "propagate": False}},
}

app = Sanic("dockerflow_e2e", log_config=LOGGING)
app.config.update(MOTD=False, ACCESS_LOG=False)
app.config.REDIS = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
dockerflow = Dockerflow(
    app,
    redis=SanicRedis(app),
    version_path=os.environ.get("DOCKERFLOW_VERSION_PATH", "."),
)


@dockerflow.check
async def always_fine() -> list[checks.CheckMessage]:
    await asyncio.sleep(0)
    return []


@app.get("/")
async def index(request: Request) -> Any:
    return response.text("hello")


@app.get("/boom")
async def boom(request: Request) -> Any:
    raise RuntimeError("the view broke")

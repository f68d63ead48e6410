"""An example Sanic app for the end-to-end tests, run under Sanic's own server.

``sanic tests.e2e.apps.sanic_app:app --single-process``. Configured from the
environment: DOCKERFLOW_VERSION_PATH, REDIS_URL, E2E_HUNG_PORT (the one check
then hangs), and any config key through Sanic's SANIC_ prefix
(SANIC_DOCKERFLOW_HEARTBEAT_TOKEN, ...).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from sanic import Request, Sanic, response
from sanic_redis import SanicRedis

from dockerflow_sanic import Dockerflow
from tests.e2e.apps.checks import check_counted, check_hangs

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "dockerflow.logging.JsonLogFormatter", "logger_name": "e2e"}
    },
    # Every record made while serving a request carries its id.
    "filters": {"request_id": {"()": "dockerflow.logging.RequestIdLogFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
            "filters": ["request_id"],
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
hung = bool(os.environ.get("E2E_HUNG_PORT"))
dockerflow = Dockerflow(
    app,
    redis=None if hung else SanicRedis(app),
    version_path=os.environ.get("DOCKERFLOW_VERSION_PATH", "."),
)
dockerflow.check(check_hangs if hung else check_counted)
logger = logging.getLogger("e2e")


@app.get("/")
async def index(request: Request) -> Any:
    logger.info("Serving the index")
    return response.text("hello")


@app.get("/boom")
async def boom(request: Request) -> Any:
    raise RuntimeError("the e2e view broke")

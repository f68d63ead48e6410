"""An example FastAPI app for the end-to-end tests, set up as docs/fastapi.rst says.

``uvicorn tests.e2e.apps.fastapi_app:app``, or gunicorn with uvicorn workers.
The DOCKERFLOW_* settings come from the environment as they are (the token,
the check timeout); the tests' DOCKERFLOW_VERSION_PATH, E2E_CACHE_SECONDS,
DATABASE_URL, REDIS_URL and E2E_HUNG_PORT (the one check then hangs) are
read here. Logs mozlog JSON to stdout.
"""

from __future__ import annotations

import logging
import logging.config
import os

import redis.asyncio
import sqlalchemy
from fastapi import FastAPI

from dockerflow import checks
from dockerflow.fastapi import checks as fastapi_checks
from dockerflow.fastapi import router
from dockerflow.fastapi.middleware import (
    MozlogRequestSummaryLogger,
    RequestIdMiddleware,
)
from dockerflow.logging import mozlog_config
from tests.e2e.apps.checks import check_counted, check_hangs

logging.config.dictConfig(mozlog_config("e2e"))

app = FastAPI()
app.include_router(router)
app.add_middleware(MozlogRequestSummaryLogger)
app.add_middleware(RequestIdMiddleware)
app.state.APP_DIR = os.environ.get("DOCKERFLOW_VERSION_PATH", ".")
app.state.DOCKERFLOW_HEARTBEAT_CACHE_SECONDS = os.environ.get("E2E_CACHE_SECONDS", "0")

if os.environ.get("E2E_HUNG_PORT"):
    checks.register(check_hangs)
else:
    database_url = os.environ.get("DATABASE_URL", "sqlite://")
    connect_args = (
        {"connect_timeout": 2} if database_url.startswith("postgresql") else {}
    )
    fastapi_checks.register_database(
        sqlalchemy.create_engine(database_url, connect_args=connect_args)
    )
    fastapi_checks.register_redis(
        redis.asyncio.Redis.from_url(
            os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
        )
    )
    checks.register(check_counted)
logger = logging.getLogger("e2e")


@app.get("/")
def index() -> dict[str, str]:
    logger.info("Serving the index")
    return {"hello": "world"}


@app.get("/boom")
async def boom() -> None:
    raise RuntimeError("the e2e view broke")

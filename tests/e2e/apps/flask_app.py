"""An example Flask app for the end-to-end tests: ``gunicorn tests.e2e.apps.flask_app:app``.

Configured from the environment: DOCKERFLOW_VERSION_PATH, REDIS_URL,
DATABASE_URL, DOCKERFLOW_HEARTBEAT_TOKEN, DOCKERFLOW_CHECK_TIMEOUT, and the
tests' E2E_CACHE_SECONDS and E2E_HUNG_PORT. Logs mozlog JSON to stdout.
"""

from __future__ import annotations

import logging
import logging.config
import os

import flask
import redis
from flask_sqlalchemy import SQLAlchemy

from dockerflow_flask import Dockerflow
from tests.e2e.apps.checks import check_counted, check_hangs

logging.config.dictConfig(
    {
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
        # On the root logger, so Flask's own "Exception on ..." record is
        # mozlog too instead of going to its default stderr handler.
        "root": {"handlers": ["console"], "level": "INFO"},
    }
)

app = flask.Flask(__name__)
database_url = os.environ.get("DATABASE_URL", "sqlite://")
app.config.update(
    SQLALCHEMY_DATABASE_URI=database_url,
    # As the Deployment page asks: a connect timeout, so the check's attempts
    # on a hung database end by themselves.
    SQLALCHEMY_ENGINE_OPTIONS=(
        {"connect_args": {"connect_timeout": 2}}
        if database_url.startswith("postgresql")
        else {}
    ),
    DOCKERFLOW_HEARTBEAT_TOKEN=os.environ.get("DOCKERFLOW_HEARTBEAT_TOKEN"),
    DOCKERFLOW_CHECK_TIMEOUT=float(os.environ.get("DOCKERFLOW_CHECK_TIMEOUT", "3")),
    DOCKERFLOW_HEARTBEAT_CACHE_SECONDS=float(os.environ.get("E2E_CACHE_SECONDS", "0")),
)
db = SQLAlchemy(app)
redis_client = redis.Redis.from_url(
    os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
)
# With E2E_HUNG_PORT, the one check is one that hangs.
hung = bool(os.environ.get("E2E_HUNG_PORT"))
dockerflow = Dockerflow(
    app,
    db=None if hung else db,
    redis=None if hung else redis_client,
    version_path=os.environ.get("DOCKERFLOW_VERSION_PATH"),
)
dockerflow.check(check_hangs if hung else check_counted)
logger = logging.getLogger("e2e")


@app.route("/")
def index() -> dict[str, str]:
    logger.info("Serving the index")
    return {"hello": "world"}


@app.route("/boom")
def boom() -> str:
    raise RuntimeError("the e2e view broke")

"""An example Flask app for the end-to-end tests: ``gunicorn tests.e2e.apps.flask_app:app``.

Configured from the environment: DOCKERFLOW_VERSION_PATH, REDIS_URL,
DATABASE_URL and DOCKERFLOW_HEARTBEAT_TOKEN. Logs mozlog JSON to stdout.
"""

from __future__ import annotations

import logging.config
import os

import flask
import redis
from flask_sqlalchemy import SQLAlchemy

from dockerflow_flask import Dockerflow, checks

logging.config.dictConfig(
    {
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
        # On the root logger, so Flask's own "Exception on ..." record is
        # mozlog too instead of going to its default stderr handler.
        "root": {"handlers": ["console"], "level": "INFO"},
    }
)

app = flask.Flask(__name__)
app.config.update(
    SQLALCHEMY_DATABASE_URI=os.environ.get("DATABASE_URL", "sqlite://"),
    DOCKERFLOW_HEARTBEAT_TOKEN=os.environ.get("DOCKERFLOW_HEARTBEAT_TOKEN"),
    DOCKERFLOW_CHECK_TIMEOUT=float(os.environ.get("DOCKERFLOW_CHECK_TIMEOUT", "3")),
)
db = SQLAlchemy(app)
redis_client = redis.Redis.from_url(
    os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
)
dockerflow = Dockerflow(
    app,
    db=db,
    redis=redis_client,
    version_path=os.environ.get("DOCKERFLOW_VERSION_PATH"),
)


@dockerflow.check
def always_fine() -> list[checks.CheckMessage]:
    return []


@app.route("/")
def index() -> dict[str, str]:
    return {"hello": "world"}


@app.route("/boom")
def boom() -> str:
    raise RuntimeError("the e2e view broke")

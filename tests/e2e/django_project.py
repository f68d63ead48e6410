"""The example Django project as the browser and OpenAPI end-to-end tests run it:
a migrated temporary SQLite database, collected static files, a real server.
``manage`` is the contract suite's, re-exported here.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.e2e.server import BIN, Server, serve
from tests.e2e.targets import manage
from tests.services import free_port

__all__ = ["LOGGER_NAME", "TOKEN", "manage", "prepare", "project_env", "running"]

TOKEN = "e2e-heartbeat-token"
#: The mozlog Logger name the example project writes.
LOGGER_NAME = "example_project"


def project_env(tmp: Path, **extra: str) -> dict[str, str]:
    """The example's environment, isolated from this process's own settings."""
    return {
        "DJANGO_SETTINGS_MODULE": "example_project.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "e2e-" + uuid.uuid4().hex,
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "DJANGO_STATIC_ROOT": str(tmp / "static"),
        "REDIS_URL": "",
        "DOCKERFLOW_HEARTBEAT_TOKEN": TOKEN,
        "WEB_CONCURRENCY": "1",
        **extra,
    }


def prepare(env: dict[str, str]) -> None:
    for args in (("migrate", "--noinput"), ("collectstatic", "--noinput", "-v", "0")):
        done = manage(env, *args)
        assert done.returncode == 0, done.stdout + done.stderr


@contextmanager
def running(kind: str, env: dict[str, str]) -> Iterator[Server]:
    """The example under gunicorn (WSGI) or uvicorn (ASGI) on a free port;
    its output goes to files beside the project's SQLite database."""
    port = free_port()
    logs = Path(env["DJANGO_STATIC_ROOT"]).parent / f"logs-{kind}-{port}"
    if kind == "gunicorn":
        # The Makefile's flags, minus the control socket: one fixed path in
        # $HOME that every gunicorn on the machine would otherwise share.
        command = [str(BIN / "gunicorn"), "example_project.wsgi"]
        command += ["--bind", f"127.0.0.1:{port}", "--log-level", "info"]
        command += ["--no-control-socket"]
    else:
        command = [str(BIN / "uvicorn"), "example_project.asgi:application"]
        command += ["--host", "127.0.0.1", "--port", str(port)]
    with serve(command, port, logs, LOGGER_NAME, env=env) as server:
        yield server

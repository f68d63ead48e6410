"""The servers the contract runs against, and the states their backing services can be in.

A ``Fleet`` starts one server per target and state on first use and keeps it
for the session, so every test of that pair shares one process.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.e2e.server import BIN, ROOT, Server, serve
from tests.faultproxy import FaultProxy, fault_proxy
from tests.services import POSTGRES_URL, REDIS_URL, free_port, hung_server, refused_port

TOKEN = "e2e-heartbeat-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
VERSION = {"source": "https://example.com/e2e", "version": "e2e-1", "commit": "abc"}
CACHE_SECONDS = 1.0

#: What the backing services (database, Redis) do in each state.
UP = "up"  # real PostgreSQL and Redis; heartbeat caching on
REFUSED = "refused"  # every service refuses connections
HUNG = "hung"  # every service accepts and never answers
STUCK = "stuck"  # the only check hangs, under a tiny timeout
#: PostgreSQL and Redis reached through fault proxies that the test switches
#: between passing, refusing and hanging (``Fleet.faults``); two workers.
FAULTS = "faults"
TIMEOUTS = {UP: 3.0, REFUSED: 2.0, HUNG: 1.0, STUCK: 0.001, FAULTS: 1.0}


@dataclass(frozen=True)
class Target:
    """One app under one server, and what its test app looks like."""

    name: str
    framework: str
    logger_name: str
    boom_path: str
    boom_text: str
    log_path: str  # a page that logs one record of its own
    log_text: str

    @property
    def is_async(self) -> bool:
        return self.name in ("django-uvicorn", "sanic") or self.framework == "fastapi"

    def command(self, port: int, workers: int = 1) -> list[str]:
        host = ["--host", "127.0.0.1", "--port", str(port)]
        if self.name == "django-gunicorn":
            return _gunicorn(port, "example_project.wsgi", workers)
        if self.name == "django-uvicorn":
            app = "example_project.asgi:application"
            return [str(BIN / "uvicorn"), app, *host, "--no-access-log"]
        if self.name == "fastapi-uvicorn":
            app = "tests.e2e.apps.fastapi_app:app"
            return [str(BIN / "uvicorn"), app, *host, "--no-access-log"]
        if self.name == "fastapi-gunicorn":
            command = _gunicorn(port, "tests.e2e.apps.fastapi_app:app", workers)
            return [*command, "--worker-class", "uvicorn_worker.UvicornWorker"]
        if self.name == "flask-gunicorn":
            return _gunicorn(port, "tests.e2e.apps.flask_app:app", workers)
        # Sanic's own command, which loads tracerite.
        app = "tests.e2e.apps.sanic_app:app"
        return [str(BIN / "sanic"), app, *host, "--single-process"]


def _gunicorn(port: int, app: str, workers: int = 1) -> list[str]:
    # --no-control-socket: gunicorn 27 shares one default socket path in $HOME.
    command = [
        str(BIN / "gunicorn"),
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--no-control-socket",
    ]
    if app.startswith("example_project."):
        command += ["-c", "python:example_project.gunicorn_conf"]  # make run's
    return command


TARGETS = (
    Target(
        "django-gunicorn",
        "django",
        "example_project",
        "/error/",
        "the example's /error/ view always fails",
        "/",
        "Rendering the home page",
    ),
    Target(
        "django-uvicorn",
        "django",
        "example_project",
        "/error/",
        "the example's /error/ view always fails",
        "/",
        "Rendering the home page",
    ),
    Target(
        "flask-gunicorn",
        "flask",
        "e2e",
        "/boom",
        "the e2e view broke",
        "/",
        "Serving the index",
    ),
    Target(
        "sanic", "sanic", "e2e", "/boom", "the e2e view broke", "/", "Serving the index"
    ),
    *(
        Target(
            name,
            "fastapi",
            "e2e",
            "/boom",
            "the e2e view broke",
            "/",
            "Serving the index",
        )
        for name in ("fastapi-uvicorn", "fastapi-gunicorn")
    ),
)
BY_NAME = {t.name: t for t in TARGETS}
DJANGO_TARGETS = [BY_NAME["django-gunicorn"], BY_NAME["django-uvicorn"]]
#: Runs a test on the example project's servers only.
django_targets = pytest.mark.parametrize(
    "target", DJANGO_TARGETS, ids=lambda t: t.name, indirect=True
)


@dataclass
class Fleet:
    """Servers by (target, state), started on first use and stopped at the end."""

    root: Path
    stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    servers: dict[tuple[str, str], Server] = field(default_factory=dict)
    version_dirs: dict[str, Path] = field(default_factory=dict)
    secret_key: str = field(default_factory=lambda: f"e2e-{uuid.uuid4().hex}")
    _hung_port: int | None = None
    _django_db: str | None = None
    _faults: dict[str, Faults] = field(default_factory=dict)

    @property
    def static_root(self) -> Path:
        return self.root / "static"

    @property
    def django_db(self) -> str:
        """The example project's PostgreSQL database, made, migrated and its
        static files collected on first use; dropped at the end."""
        if self._django_db is None:
            self._django_db = self.stack.enter_context(django_database())
            for args in (
                ("migrate", "--noinput"),
                ("collectstatic", "--noinput", "-v", "0"),
            ):
                done = manage(self.manage_env(), *args)
                assert done.returncode == 0, done.stdout + done.stderr
        return self._django_db

    def manage_env(self, **extra: str) -> dict[str, str]:
        """The environment of ``manage.py`` for the example project."""
        base = POSTGRES_URL.rsplit("/", 1)[0]
        return {
            "DJANGO_SETTINGS_MODULE": "tests.e2e.apps.django_settings",
            "E2E_VERSION_DIR": str(self.version_dir(BY_NAME["django-gunicorn"])),
            "DJANGO_STATIC_ROOT": str(self.static_root),
            "DJANGO_SECRET_KEY": self.secret_key,
            "DATABASE_URL": f"{base}/{self.django_db}",
            "REDIS_URL": REDIS_URL,
            **extra,
        }

    def version_dir(self, target: Target) -> Path:
        """Where ``target``'s servers read version.json; tests may change it."""
        if target.name not in self.version_dirs:
            path = self.root / "version" / target.name
            path.mkdir(parents=True)
            write_version(path, VERSION)
            self.version_dirs[target.name] = path
        return self.version_dirs[target.name]

    def server(self, target: Target, state: str = UP) -> Server:
        key = (target.name, state)
        if key not in self.servers:
            port = free_port()
            self.servers[key] = self.stack.enter_context(
                serve(
                    target.command(port, workers=2 if state == FAULTS else 1),
                    port,
                    self.root / "logs" / f"{target.name}-{state}",
                    target.logger_name,
                    env=self.env(target, state),
                )
            )
            self.settle(self.servers[key])
        return self.servers[key]

    @staticmethod
    def settle(server: Server) -> None:
        """Wait until the server has logged its start-up: one request's summary,
        and a moment for anything written after it."""
        rid = f"e2e-settle-{uuid.uuid4()}"
        server.request("/__lbheartbeat__", headers={"X-Request-ID": rid})
        server.summaries(rid)
        time.sleep(0.3)

    def app_name(self, target: Target, state: str = UP) -> str:
        """The PostgreSQL application_name of the server's connections."""
        return f"e2e-{target.name}-{state}-{os.getpid()}"

    @staticmethod
    def history_host(target: Target, state: str) -> str:
        """The host name a Django server's heartbeat runs are stored under."""
        return f"e2e-{target.name}-{state}"

    def env(self, target: Target, state: str) -> dict[str, str | None]:
        timeout, cache = str(TIMEOUTS[state]), str(CACHE_SECONDS if state == UP else 0)
        env: dict[str, str | None] = {
            "DOCKERFLOW_VERSION_PATH": str(self.version_dir(target)),
            "DOCKERFLOW_HEARTBEAT_TOKEN": TOKEN,
            "DOCKERFLOW_CHECK_TIMEOUT": timeout,
            "E2E_CACHE_SECONDS": cache,
            # Sanic reads its config through its own prefix.
            "SANIC_DOCKERFLOW_HEARTBEAT_TOKEN": TOKEN,
            "SANIC_DOCKERFLOW_CHECK_TIMEOUT": timeout,
            "SANIC_DOCKERFLOW_HEARTBEAT_CACHE_SECONDS": cache,
        }
        name = self.app_name(target, state)
        if target.framework == "django":
            database = f"{POSTGRES_URL.rsplit('/', 1)[0]}/{self.django_db}"
        else:
            database = POSTGRES_URL
        database = f"{database}?application_name={name}"
        redis = REDIS_URL
        if state in (REFUSED, HUNG):
            port = refused_port() if state == REFUSED else self.hung_port()
            database = f"postgresql://postgres@127.0.0.1:{port}/down"
            redis = f"redis://127.0.0.1:{port}/0"
        if state == FAULTS:
            faults = self.faults(target)
            database = _via(database, faults.database.port)
            redis = _via(redis, faults.redis.port)
        if state == STUCK:
            env["E2E_HUNG_PORT"] = str(self.hung_port())
            # This state measures memory: coverage keeps data for every thread
            # a server starts (Django under ASGI starts one per request), which
            # would pass for a leak.
            env["COVERAGE_PROCESS_CONFIG"] = None
            env["COVERAGE_RUN"] = None
        if target.framework == "django":
            env.update(
                DJANGO_SETTINGS_MODULE="tests.e2e.apps.django_settings",
                E2E_VERSION_DIR=str(self.version_dir(target)),
                DJANGO_DEBUG="0",
                DJANGO_SECRET_KEY=self.secret_key,
                DJANGO_STATIC_ROOT=str(self.static_root),
                # Persistent connections, so a leaked one stays countable.
                DJANGO_CONN_MAX_AGE="60",
                WEB_CONCURRENCY="1",
                DATABASE_URL=database,
                REDIS_URL="" if state == STUCK else redis,
                E2E_HISTORY_HOST=self.history_host(target, state),
            )
            if target.is_async:
                env["E2E_ASYNC_MIDDLEWARE"] = "1"
        else:
            env["DATABASE_URL"] = database.replace(
                "postgresql://", "postgresql+psycopg://", 1
            )
            env["REDIS_URL"] = redis
        return env

    def faults(self, target: Target) -> Faults:
        """The fault proxies between ``target``'s FAULTS server and its services."""
        if target.name not in self._faults:
            self._faults[target.name] = Faults(
                database=self.stack.enter_context(
                    fault_proxy(*_address(POSTGRES_URL, 5432))
                ),
                redis=self.stack.enter_context(fault_proxy(*_address(REDIS_URL, 6379))),
            )
        return self._faults[target.name]

    def hung_port(self) -> int:
        if self._hung_port is None:
            self._hung_port = self.stack.enter_context(hung_server())
        return self._hung_port


@dataclass(frozen=True)
class Faults:
    """The proxies a FAULTS server reaches PostgreSQL and Redis through."""

    database: FaultProxy
    redis: FaultProxy

    def passing(self) -> None:
        """Both services back, and the connections that hung dropped."""
        for proxy in (self.database, self.redis):
            proxy.passing()
            proxy.reset()


def _address(url: str, default_port: int) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or default_port


def _via(url: str, port: int) -> str:
    """``url`` with its host and port replaced by 127.0.0.1:``port``."""
    parts = urlsplit(url)
    auth = parts.netloc.rpartition("@")[0]
    netloc = f"{auth}@127.0.0.1:{port}" if auth else f"127.0.0.1:{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def write_version(root: Path, data: object | str | bytes) -> None:
    """Replace root/version.json at once, as a deploy would (a new inode)."""
    text = data if isinstance(data, (str, bytes)) else json.dumps(data)
    tmp = root / ".version.json.tmp"
    tmp.write_bytes(text.encode() if isinstance(text, str) else text)
    os.replace(tmp, root / "version.json")


def manage(
    env: dict[str, str], *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@contextlib.contextmanager
def django_database() -> Iterator[str]:
    """A fresh PostgreSQL database for the example project, dropped at the end."""
    import psycopg

    name = f"dockerflow_e2e_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield name
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def connections(application_name: str) -> int:
    """Open PostgreSQL connections of one server, by its application_name."""
    import psycopg

    with psycopg.connect(POSTGRES_URL) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
            (application_name,),
        ).fetchone()
    assert row is not None
    return int(row[0])

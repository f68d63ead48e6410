"""The example project under real gunicorn (WSGI) and uvicorn (ASGI) processes.

Each server gets a migrated temporary SQLite database (or its own PostgreSQL
database) and collected static files; the tests talk HTTP and read its stdout.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.server import BIN, MOZLOG_KEYS, ROOT, Server, serve
from tests.services import (
    POSTGRES_URL,
    REDIS_URL,
    free_port,
    hung_server,
    refused_port,
    require_postgres,
    require_redis,
)

pytestmark = pytest.mark.e2e

TOKEN = "e2e-heartbeat-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
VERSION = json.loads((ROOT / "example_project" / "version.json").read_text())
# What gunicorn and uvicorn write themselves: gunicorn's error log, its
# access log, and uvicorn's "LEVEL:" lines. Anything else must be mozlog.
SERVER_LINE = re.compile(
    r"\[\d{4}-\d\d-\d\d [^]]+\] \[\d+\] \[[A-Z]+\] "
    r"|\S+ - \S+ \[[^]]+\] \""
    r"|(DEBUG|INFO|WARNING|ERROR|CRITICAL): "
)
SERVERS = ("gunicorn", "uvicorn")


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


def manage(
    env: dict[str, str], *args: str, timeout: float = 120
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def prepare(env: dict[str, str]) -> None:
    for args in (("migrate", "--noinput"), ("collectstatic", "--noinput", "-v", "0")):
        done = manage(env, *args)
        assert done.returncode == 0, done.stdout + done.stderr


@contextmanager
def running(kind: str, env: dict[str, str]) -> Iterator[Server]:
    port = free_port()
    if kind == "gunicorn":
        command = [
            str(BIN / "gunicorn"),
            "example_project.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
        ]
        # The Makefile's flags, minus the control socket: one fixed path in
        # $HOME that every gunicorn on the machine would otherwise share.
        command += [
            "--log-level",
            "info",
            "--no-control-socket",
        ]
    else:
        command = [str(BIN / "uvicorn"), "example_project.asgi:application"]
        command += ["--host", "127.0.0.1", "--port", str(port)]
    with serve(command, port, env=env) as server:
        yield server


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = project_env(tmp_path_factory.mktemp("example"))
    prepare(env)
    return env


SESSION_SCRIPT = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore

for name, staff in (("staff", True), ("visitor", False)):
    user = User.objects.create_user(name, password="pw-" + name, is_staff=staff)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    print("SESSION", name, user.pk, session.session_key)
"""


@pytest.fixture(scope="module")
def sessions(project: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Logged-in session cookies, by user name: (user id, Cookie header)."""
    done = manage(project, "shell", "-c", SESSION_SCRIPT)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [
        line.split()[1:]
        for line in done.stdout.splitlines()
        if line.startswith("SESSION ")
    ]
    return {name: (pk, f"sessionid={key}") for name, pk, key in lines}


@pytest.fixture(scope="module", params=SERVERS)
def server(request: pytest.FixtureRequest, project: dict[str, str]) -> Iterator[Server]:
    with running(request.param, project) as server:
        yield server


def mozlog_records(text: str) -> list[dict[str, Any]]:
    """Our records in ``text``, after checking every line is mozlog or the server's."""
    records = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if not line.startswith("{"):
            assert SERVER_LINE.match(line), (
                f"neither mozlog nor the server's own: {line!r}"
            )
            continue
        record = json.loads(line)
        assert set(record) == MOZLOG_KEYS, line
        assert record["Logger"] == "example_project"
        assert record["EnvVersion"] == "2.0"
        assert isinstance(record["Fields"], dict)
        records.append(record)
    return records


def summaries_after(
    server: Server, offset: int, rids: set[str]
) -> list[dict[str, Any]]:
    """request.summary records written after ``offset``, once all ``rids`` are in."""
    deadline = time.monotonic() + 10
    while True:
        records = mozlog_records(server.output()[offset:])
        summaries = [r for r in records if r["Type"] == "request.summary"]
        if (
            rids <= {r["Fields"].get("rid") for r in summaries}
            or time.monotonic() > deadline
        ):
            return summaries
        time.sleep(0.1)


@pytest.mark.parametrize("path", ["/__version__", "/__heartbeat__", "/__lbheartbeat__"])
@pytest.mark.parametrize("slash", ["", "/"])
def test_endpoints_answer_json_for_get_and_head_only(
    server: Server, path: str, slash: str
) -> None:
    got = server.request(path + slash)
    assert got.status == 200, got.body
    assert got.headers["content-type"] == "application/json"
    assert got.headers["cache-control"] == "no-store"
    assert isinstance(json.loads(got.body), dict)

    head = server.request(path + slash, "HEAD")
    assert (head.status, head.body) == (200, b"")
    assert head.headers["content-type"] == "application/json"

    post = server.request(path + slash, "POST")
    assert post.status == 405
    assert post.headers["content-type"] == "application/json"


def test_version_serves_the_example_version_json(server: Server) -> None:
    assert json.loads(server.request("/__version__").body) == VERSION


def test_heartbeat_passes_and_shows_details_only_with_the_token(server: Server) -> None:
    anonymous = server.request("/__heartbeat__")
    assert (anonymous.status, json.loads(anonymous.body)) == (200, {"status": "ok"})

    authorized = json.loads(server.request("/__heartbeat__", headers=AUTH).body)
    assert authorized["status"] == "ok"
    assert authorized["checks"] == {
        "check_database_connected": "ok",
        "check_migrations_applied": "ok",
        "check_static_manifest": "ok",
    }


def test_staff_see_details_and_summaries_carry_their_id(
    server: Server, sessions: dict[str, tuple[str, str]]
) -> None:
    staff_id, staff_cookie = sessions["staff"]
    _, visitor_cookie = sessions["visitor"]
    staff = json.loads(
        server.request("/__heartbeat__", headers={"Cookie": staff_cookie}).body
    )
    assert staff["checks"]["check_database_connected"] == "ok"
    visitor = server.request("/__heartbeat__", headers={"Cookie": visitor_cookie})
    assert json.loads(visitor.body) == {"status": "ok"}

    offset = len(server.output())
    rid = f"e2e-{uuid.uuid4()}"
    admin = server.request(
        "/admin/", headers={"Cookie": staff_cookie, "X-Request-ID": rid}
    )
    assert admin.status == 200
    (summary,) = summaries_after(server, offset, {rid})
    assert summary["Fields"]["uid"] == staff_id


def test_probes_by_ip_bypass_allowed_hosts(server: Server) -> None:
    probe = server.request("/__lbheartbeat__", headers={"Host": "10.0.0.7:8000"})
    assert probe.status == 200
    page = server.request("/", headers={"Host": "10.0.0.7:8000"})
    assert page.status == 400


def test_one_request_summary_per_request_with_the_echoed_id(server: Server) -> None:
    offset = len(server.output())
    expected = {  # path -> errno
        "/": 0,
        "/hello/?name=e2e": 0,
        "/__lbheartbeat__": 0,
        "/__heartbeat__": 0,
        "/static/admin/css/base.css": 0,
        "/no-such-page/": 404,
        "/error/": 500,
    }
    headers = {"User-Agent": "e2e-agent/1.0", "Accept-Language": "fr-CA"}
    rids = {}
    for path in expected:
        rid = f"e2e-{uuid.uuid4()}"
        got = server.request(path, headers={**headers, "x-REQUEST-id": rid})
        assert got.headers["x-request-id"] == rid
        rids[rid] = path
    unsafe = server.request("/", headers={"X-Request-ID": "<script>alert(1)</script>"})
    fresh = unsafe.headers["x-request-id"]
    assert uuid.UUID(fresh).version == 4

    summaries = summaries_after(server, offset, {*rids, fresh})
    counts = Counter(r["Fields"]["rid"] for r in summaries)
    assert counts == Counter({*rids, fresh}), counts
    for record in summaries:
        fields = record["Fields"]
        if fields["rid"] == fresh:
            continue
        path = rids[fields["rid"]]
        assert fields["path"] == path.partition("?")[0]
        assert fields["errno"] == expected[path]
        assert (fields["method"], fields["agent"], fields["lang"]) == (
            "GET",
            *headers.values(),
        )
        assert fields["uid"] == ""
        assert isinstance(fields["t"], int) and fields["t"] >= 0
        assert "querystring" not in fields
        assert record["Severity"] == (3 if expected[path] == 500 else 6)
    # The home page's own log line carries the id of the request it served.
    home = next(rid for rid, path in rids.items() if path == "/")
    later = mozlog_records(server.output()[offset:])
    page_logs = [
        r for r in later if r["Fields"].get("msg") == "Rendering the home page"
    ]
    assert {r["Fields"]["rid"] for r in page_logs} == {home, fresh}


def test_whitenoise_serves_admin_static_files_with_debug_off(server: Server) -> None:
    css = server.request("/static/admin/css/base.css")
    assert css.status == 200
    assert css.headers["content-type"].startswith("text/css")
    assert b"body" in css.body
    gzipped = server.request(
        "/static/admin/css/base.css", headers={"Accept-Encoding": "gzip"}
    )
    assert gzipped.headers.get("content-encoding") == "gzip"

    login = server.request("/admin/login/")
    assert login.status == 200
    hashed = re.search(
        rb'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', login.body
    )
    assert hashed, login.body[:500]
    versioned = server.request(hashed.group(1).decode())
    assert versioned.status == 200
    assert "immutable" in versioned.headers["cache-control"]


@pytest.mark.parametrize("kind", SERVERS)
@pytest.mark.parametrize("redis", ["refused", "hung"])
def test_heartbeat_fails_fast_when_redis_is_down(
    tmp_path: Path, project: dict[str, str], kind: str, redis: str
) -> None:
    timeout = 2.0
    with hung_server() as hung:
        port = hung if redis == "hung" else refused_port()
        env = {
            **project,
            "REDIS_URL": f"redis://127.0.0.1:{port}/0",
            "DOCKERFLOW_CHECK_TIMEOUT": str(timeout),
        }
        with running(kind, env) as server:
            for headers in ({}, AUTH):
                started = time.monotonic()
                got = server.request("/__heartbeat__", headers=headers)
                took = time.monotonic() - started
                assert took < timeout + 3, took
                assert got.status == 500, got.body
                assert got.headers["content-type"] == "application/json"
                body = json.loads(got.body)
                assert body["status"] == "error"
            assert body["checks"]["check_redis_connected"] == "error"
            assert body["checks"]["check_database_connected"] == "ok"
            if redis == "hung":
                messages = body["details"]["check_redis_connected"]["messages"]
                assert "dockerflow.health.E012" in messages, messages
            # A hung backend must not wedge the worker for the next probe.
            assert server.request("/__lbheartbeat__", timeout=5).status == 200
            mozlog_records(server.output())


def test_heartbeat_passes_with_real_redis(project: dict[str, str]) -> None:
    require_redis()
    with running("gunicorn", {**project, "REDIS_URL": REDIS_URL}) as server:
        body = json.loads(server.request("/__heartbeat__", headers=AUTH).body)
    assert body["status"] == "ok"
    assert body["checks"]["check_redis_connected"] == "ok"


def test_check_deploy_tag_dockerflow_runs_the_checks(project: dict[str, str]) -> None:
    args = ("check", "--deploy", "--tag", "dockerflow")
    healthy = manage(project, *args)
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr

    redis_down = manage(
        {**project, "REDIS_URL": f"redis://127.0.0.1:{refused_port()}/0"}, *args
    )
    assert redis_down.returncode != 0
    assert "dockerflow.health.E" in redis_down.stderr, redis_down.stderr

    db_down = manage(
        {
            **project,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{refused_port()}/nope",
        },
        *args,
    )
    assert db_down.returncode != 0
    assert "dockerflow.health.E001" in db_down.stderr, db_down.stderr

    with hung_server() as hung:
        env = {
            **project,
            "REDIS_URL": f"redis://127.0.0.1:{hung}/0",
            "DOCKERFLOW_CHECK_TIMEOUT": "2",
        }
        started = time.monotonic()
        redis_hung = manage(env, *args, timeout=60)
        took = time.monotonic() - started
    assert redis_hung.returncode != 0
    assert "dockerflow.health.E012" in redis_hung.stderr, redis_hung.stderr
    assert took < 2 + 10, took  # the timeout, plus starting Django


def test_migrate_and_plain_check_do_not_touch_redis(project: dict[str, str]) -> None:
    with hung_server() as hung:
        env = {**project, "REDIS_URL": f"redis://127.0.0.1:{hung}/0"}
        for args in (("migrate", "--noinput"), ("check",)):
            done = manage(env, *args, timeout=60)
            assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture
def postgres_project(tmp_path: Path) -> Iterator[dict[str, str]]:
    require_postgres()
    import psycopg

    name = f"dockerflow_e2e_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
        env = project_env(tmp_path, DATABASE_URL=url, PG_DATABASE=name)
        prepare(env)
        yield env
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def connections_to(name: str) -> int:
    import psycopg

    with psycopg.connect(POSTGRES_URL) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (name,)
        ).fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.parametrize("kind", SERVERS)
def test_postgres_heartbeats_do_not_leak_connections(
    postgres_project: dict[str, str], kind: str
) -> None:
    name = postgres_project["PG_DATABASE"]
    with running(kind, postgres_project) as server:
        body = json.loads(server.request("/__heartbeat__", headers=AUTH).body)
        assert body["status"] == "ok", body
        before = connections_to(name)
        for _ in range(300):
            assert server.request("/__heartbeat__").status == 200
        after = connections_to(name)
    # Each check thread's connection is closed when the check ends.
    assert after <= max(before, 2), (before, after)

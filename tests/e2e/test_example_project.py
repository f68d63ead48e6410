"""What only the Django example project has: staff sessions, hosts, static files, manage.py.

Runs against the contract suite's example-project servers, and runs
``manage.py`` against the same migrated database.
"""

from __future__ import annotations

import base64
import re
import time
import uuid
from typing import Any
from urllib.parse import quote, urlencode

import pytest

from tests.e2e.targets import (
    AUTH,
    BY_NAME,
    Fleet,
    Target,
    django_targets,
    manage,
)
from tests.services import hung_server, refused_port

pytestmark = pytest.mark.e2e


@django_targets
def test_staff_see_details_and_summaries_carry_their_id(
    fleet: Fleet, target: Target, sessions: dict[str, tuple[str, str]]
) -> None:
    server = fleet.server(target)
    staff_id, staff_cookie = sessions["staff"]
    _, visitor_cookie = sessions["visitor"]
    staff = server.request("/__heartbeat__", headers={"Cookie": staff_cookie}).json()
    assert staff["checks"]["check_database_connected"] == "ok"
    visitor = server.request("/__heartbeat__", headers={"Cookie": visitor_cookie})
    assert visitor.json() == {"status": "ok"}

    rid, since = f"e2e-{uuid.uuid4()}", server.line_count()
    admin = server.request(
        "/admin/", headers={"Cookie": staff_cookie, "X-Request-ID": rid}
    )
    assert admin.status == 200
    (summary,) = server.summaries(rid, since)
    assert str(summary["Fields"]["uid"]) == staff_id


@django_targets
def test_a_refused_admin_page_is_logged_with_its_status_not_as_an_error(
    fleet: Fleet, target: Target, sessions: dict[str, tuple[str, str]]
) -> None:
    server = fleet.server(target)
    _, staff_cookie = sessions["staff"]
    rid, since = f"e2e-{uuid.uuid4()}", server.line_count()
    # The history is read-only: its add page raises PermissionDenied.
    page = server.request(
        "/admin/dockerflow/heartbeatrun/add/",
        headers={"Cookie": staff_cookie, "X-Request-ID": rid},
    )
    assert page.status == 403
    (summary,) = server.summaries(rid, since)
    fields = summary["Fields"]
    assert (fields["code"], fields["errno"], summary["Severity"]) == (403, 403, 6)
    assert "error" not in fields and "traceback" not in fields


HISTORY_LISTS = ("/dockerflow/history/runs/", "/dockerflow/history/changes/")
TAMPERED_CURSORS = (
    "cD1nYXJiYWdl",  # base64 of "p=garbage"
    "cD0=",  # base64 of "p="
    # A position at +14:00 on the first day: before the first UTC moment.
    base64.b64encode(urlencode({"p": "0001-01-01 00:00:00+14:00"}).encode()).decode(),
)


@django_targets
def test_a_tampered_history_cursor_is_a_json_404(fleet: Fleet, target: Target) -> None:
    server = fleet.server(target)
    for path in HISTORY_LISTS:
        for cursor in TAMPERED_CURSORS:
            got = server.request(f"{path}?cursor={quote(cursor)}", headers=AUTH)
            assert got.status == 404, (path, cursor, got.body[:300])
            assert got.headers["content-type"] == "application/json"
            assert got.json() == {"detail": "Invalid cursor"}


@django_targets
def test_more_query_parameters_than_django_reads_is_a_json_400(
    fleet: Fleet, target: Target
) -> None:
    server = fleet.server(target)
    # 1,001 of them (Django reads 1,000), inside gunicorn's 4 KiB request line.
    query = "&".join(["a"] * 1001)
    for path in (*HISTORY_LISTS, "/dockerflow/history/uptime/"):
        got = server.request(f"{path}?{query}", headers=AUTH)
        assert got.status == 400, (path, got.body[:300])
        assert got.headers["content-type"] == "application/json"
        assert got.json() == {"non_field_errors": ["More than 1000 query parameters."]}


@django_targets
def test_history_answers_are_kept_by_no_cache_and_vary_on_who_asks(
    fleet: Fleet, target: Target, sessions: dict[str, tuple[str, str]]
) -> None:
    server = fleet.server(target)
    _, visitor_cookie = sessions["visitor"]
    for path in (*HISTORY_LISTS, "/dockerflow/history/uptime/"):
        answers = [
            server.request(path, headers=AUTH),
            server.request(path),
            server.request(path, headers={"Cookie": visitor_cookie}),
        ]
        assert [a.status for a in answers] == [200, 401, 403], path
        for got in answers:
            assert got.headers["cache-control"] == "no-store", (path, got.status)
            vary = {v.strip().lower() for v in got.headers["vary"].split(",")}
            assert {"authorization", "cookie"} <= vary, (path, got.status)


@django_targets
def test_probes_by_ip_bypass_allowed_hosts(fleet: Fleet, target: Target) -> None:
    server = fleet.server(target)
    probe = server.request("/__lbheartbeat__", headers={"Host": "10.0.0.7:8000"})
    assert probe.status == 200
    page = server.request("/", headers={"Host": "10.0.0.7:8000"})
    assert page.status == 400


@django_targets
def test_summary_fields(fleet: Fleet, target: Target) -> None:
    server = fleet.server(target)
    rid, since = f"e2e-{uuid.uuid4()}", server.line_count()
    headers = {"User-Agent": "e2e-agent/1.0", "Accept-Language": "fr-CA"}
    got = server.request("/hello/?name=e2e", headers={**headers, "X-Request-ID": rid})
    assert got.status == 200
    (summary,) = server.summaries(rid, since)
    fields: dict[str, Any] = summary["Fields"]
    assert (fields["method"], fields["path"], fields["agent"], fields["lang"]) == (
        "GET",
        "/hello/",
        *headers.values(),
    )
    assert (fields["errno"], fields["uid"], summary["Severity"]) == (0, "", 6)
    assert isinstance(fields["t"], int) and fields["t"] >= 0
    assert "querystring" not in fields


@pytest.mark.parametrize(
    "target", [BY_NAME["django-gunicorn"]], ids=lambda t: t.name, indirect=True
)
def test_whitenoise_serves_admin_static_files_with_debug_off(
    fleet: Fleet, target: Target
) -> None:
    server = fleet.server(target)
    css = server.request("/static/admin/css/base.css")
    assert css.status == 200
    assert css.headers["content-type"].startswith("text/css")
    gzipped = server.request(
        "/static/admin/css/base.css", headers={"Accept-Encoding": "gzip"}
    )
    assert gzipped.headers.get("content-encoding") == "gzip"
    login = server.request("/admin/login/")
    hashed = re.search(
        rb'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', login.body
    )
    assert hashed, login.body[:500]
    versioned = server.request(hashed.group(1).decode())
    assert versioned.status == 200
    assert "immutable" in versioned.headers["cache-control"]


def test_check_deploy_tag_dockerflow_runs_the_checks(fleet: Fleet) -> None:
    args = ("check", "--deploy", "--tag", "dockerflow")
    healthy = manage(fleet.manage_env(), *args)
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr

    refused = f"redis://127.0.0.1:{refused_port()}/0"
    redis_down = manage(fleet.manage_env(REDIS_URL=refused), *args)
    assert redis_down.returncode != 0
    assert "dockerflow.health.E" in redis_down.stderr, redis_down.stderr

    database = f"postgres://postgres@127.0.0.1:{refused_port()}/nope"
    db_down = manage(fleet.manage_env(DATABASE_URL=database), *args)
    assert db_down.returncode != 0
    assert "dockerflow.health.E001" in db_down.stderr, db_down.stderr

    with hung_server() as hung:
        env = fleet.manage_env(
            REDIS_URL=f"redis://127.0.0.1:{hung}/0",
            DOCKERFLOW_CHECK_TIMEOUT="2",
        )
        started = time.monotonic()
        redis_hung = manage(env, *args, timeout=60)
        took = time.monotonic() - started
    assert redis_hung.returncode != 0
    assert "dockerflow.health.E012" in redis_hung.stderr, redis_hung.stderr
    assert took < 2 + 10, took  # the timeout, plus starting Django


def test_migrate_and_plain_check_do_not_touch_redis(fleet: Fleet) -> None:
    with hung_server() as hung:
        env = fleet.manage_env(REDIS_URL=f"redis://127.0.0.1:{hung}/0")
        for args in (("migrate", "--noinput"), ("check",)):
            done = manage(env, *args, timeout=60)
            assert done.returncode == 0, done.stdout + done.stderr


def test_check_reports_an_unservable_version_json(fleet: Fleet, tmp_path: Any) -> None:
    (tmp_path / "version.json").symlink_to("/dev/zero")
    done = manage(fleet.manage_env(E2E_VERSION_DIR=str(tmp_path)), "check")
    assert done.returncode != 0
    assert "dockerflow.E002" in done.stderr, done.stderr
    assert "is not a regular file" in done.stderr

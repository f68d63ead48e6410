"""The Dockerflow contract over HTTP, the same for every framework and server.

Each test runs against the example project under gunicorn and under uvicorn,
the Flask app under gunicorn, the Sanic app under Sanic's ``sanic`` command,
and the FastAPI app under uvicorn and under gunicorn with uvicorn workers.
"""

from __future__ import annotations

import os
import time
import uuid
from typing import Any

import pytest

from tests.e2e.server import Server, is_summary
from tests.e2e.targets import (
    AUTH,
    HUNG,
    REFUSED,
    TIMEOUTS,
    VERSION,
    Fleet,
    Target,
    write_version,
)

pytestmark = pytest.mark.e2e

PATHS = ("/__version__", "/__heartbeat__", "/__lbheartbeat__")
DJANGO = {"django-gunicorn", "django-uvicorn"}
CHECKS = {
    "django": {
        "check_database_connected",
        "check_migrations_applied",
        "check_static_manifest",
        "check_redis_connected",
        "check_counted",
    },
    "flask": {"check_database_connected", "check_redis_connected", "check_counted"},
    "sanic": {"check_redis_connected", "check_counted"},
    "fastapi": {"check_database_connected", "check_redis_connected", "check_counted"},
}


def new_rid() -> str:
    return f"e2e-{uuid.uuid4()}"


def is_fresh(rid: str, *sent: str) -> bool:
    """Whether ``rid`` is a new UUID4, not one of the ids sent."""
    try:
        return uuid.UUID(rid).version == 4 and rid not in sent
    except ValueError:
        return False


def test_endpoints_answer_get_and_head_with_json(fleet: Fleet, target: Target) -> None:
    server = fleet.server(target)
    for path in PATHS:
        for url in (path, path + "/"):
            got = server.request(url)
            assert got.status == 200, (url, got.body)
            assert got.headers["content-type"] == "application/json"
            assert got.headers["cache-control"] == "no-store"
            assert isinstance(got.json(), dict)
            head = server.request(url, "HEAD")
            assert (head.status, head.body) == (200, b""), url
            assert head.headers["content-type"] == "application/json"
    assert server.request("/__heartbeat__").json() == {"status": "ok"}
    detailed = server.request("/__heartbeat__", headers=AUTH).json()
    assert detailed["checks"] == dict.fromkeys(CHECKS[target.framework], "ok")


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_other_methods_get_a_json_405(
    fleet: Fleet, target: Target, method: str
) -> None:
    server = fleet.server(target)
    for path in PATHS:
        got = server.request(path, method)
        assert got.status == 405, (path, got.body)
        assert got.headers["content-type"] == "application/json"
        assert got.headers["allow"] == "GET, HEAD"
        assert "error" in got.json()


def test_version_json_present_missing_invalid_or_not_a_file(
    fleet: Fleet, target: Target
) -> None:
    server = fleet.server(target)
    root = fleet.version_dir(target)
    path = root / "version.json"

    def served() -> tuple[int, dict[str, str]]:
        got = server.request("/__version__", timeout=5)
        assert got.headers["content-type"] == "application/json"
        return got.status, got.json()

    assert served() == (200, VERSION)
    try:
        path.unlink()
        missing = {"error": "version.json not found", "path": str(path)}
        assert served() == (404, missing)
        broken = {
            "{not json": "is not valid JSON",
            '{"version": NaN}': "NaN is not a JSON number",
            '{"version": 1e400}': "1e400 is out of range",
            '["a list"]': "holds a JSON list, not an object",
            '{"v": "' + "x" * 70_000 + '"}': "is larger than 65536 bytes",
        }
        for text, reason in broken.items():
            write_version(root, text)
            status, body = served()
            assert status == 500, text[:40]
            assert body["error"] == "version.json is invalid"
            assert reason in body["detail"], body
        for make in (os.mkfifo, lambda p: p.symlink_to("/dev/zero"), os.mkdir):
            path.unlink(missing_ok=True)
            make(path)
            for _ in range(3):  # would block or fill a worker, one per request
                assert served() == (
                    500,
                    {
                        "error": "version.json is invalid",
                        "detail": "is not a regular file",
                    },
                )
            path.rmdir() if path.is_dir() and not path.is_symlink() else path.unlink()
        assert server.request("/__lbheartbeat__", timeout=5).status == 200
    finally:
        if path.is_dir() and not path.is_symlink():
            path.rmdir()
        write_version(root, VERSION)
    assert served() == (200, VERSION)


@pytest.mark.parametrize("state", [REFUSED, HUNG])
def test_lbheartbeat_answers_while_every_service_is_down(
    fleet: Fleet, target: Target, state: str
) -> None:
    server = fleet.server(target, state)
    got = server.request("/__lbheartbeat__", timeout=5)
    assert (got.status, got.json()) == (200, {})


@pytest.mark.parametrize("state", [REFUSED, HUNG])
def test_heartbeat_fails_within_the_timeout_when_redis_is_down(
    fleet: Fleet, target: Target, state: str
) -> None:
    server = fleet.server(target, state)
    limit = TIMEOUTS[state]
    for headers in ({}, AUTH):
        started = time.monotonic()
        got = server.request("/__heartbeat__", headers=headers)
        took = time.monotonic() - started
        assert 500 <= got.status <= 599, got.body
        assert took < limit + 3, took
        assert got.json()["status"] == "error"
    messages = got.json()["details"]["check_redis_connected"]["messages"]
    if state == REFUSED and "dockerflow.health.E012" in messages:
        # Seen once on a starved 2-core machine (make test's suites side by
        # side): the worker got too little CPU to see the refusal within 2 s.
        # A refusal answers in ~10 ms, so a probe a moment later must report
        # it as itself, not as a timeout.
        time.sleep(1.0)
        got = server.request("/__heartbeat__", headers=AUTH)
        messages = got.json()["details"]["check_redis_connected"]["messages"]
    if state == HUNG:
        assert "dockerflow.health.E012" in messages, messages
    else:
        assert messages and "dockerflow.health.E012" not in messages, messages
    # The hung service must not wedge the worker for the next probe.
    assert server.request("/__lbheartbeat__", timeout=5).status == 200


def test_a_raising_view_gives_one_summary_with_errno_500(
    fleet: Fleet, target: Target
) -> None:
    server = fleet.server(target)
    rid, since = new_rid(), server.line_count()
    got = server.request(target.boom_path, headers={"X-Request-ID": rid})
    assert got.status == 500
    assert got.headers["x-request-id"] == rid
    (summary,) = server.summaries(rid, since)
    fields = summary["Fields"]
    assert (fields["errno"], fields["path"], summary["Severity"]) == (
        500,
        target.boom_path,
        3,
    )
    assert target.boom_text in fields["error"]
    assert "RuntimeError" in fields["traceback"]
    time.sleep(0.3)  # a second summary would be written by now
    assert len([r for r in server.records(since) if is_summary(r, rid)]) == 1


def test_an_unknown_path_gives_errno_404(fleet: Fleet, target: Target) -> None:
    server = fleet.server(target)
    rid, since = new_rid(), server.line_count()
    got = server.request("/no-such-page/", headers={"X-Request-ID": rid})
    assert got.status == 404
    (summary,) = server.summaries(rid, since)
    assert (summary["Fields"]["errno"], summary["Severity"]) == (404, 6)


def test_request_id_echoed_or_replaced_by_one_rule(
    fleet: Fleet, target: Target
) -> None:
    server = fleet.server(target)
    kept, padded = new_rid(), new_rid()
    cases = [
        ([("X-Request-ID", kept)], kept),
        ([("x-request-id", padded.upper())], padded.upper()),
        ([("X-Request-ID", f"  {padded} \t")], padded),
        ([("X-Request-ID", "<script>alert(1)</script>")], None),
        ([("X-Request-ID", "a" * 129)], None),
        ([("X-Request-ID", "")], None),
        ([("X-Request-ID", "first-id"), ("X-Request-ID", "second-id")], None),
        ([("X-Request-ID", "same-id"), ("X-Request-ID", "same-id")], None),
        ([], None),
    ]
    for headers, expected in cases:
        since = server.line_count()
        got = server.request("/__lbheartbeat__", headers=headers)
        echoed = got.headers["x-request-id"]
        if expected is None:
            assert is_fresh(echoed, *(value for _, value in headers)), (
                headers,
                echoed,
            )
        else:
            assert echoed == expected, headers
        assert len(server.summaries(echoed, since)) == 1, headers


def requests_and_their_records(
    server: Server, paths: list[str]
) -> list[tuple[str, list[dict[str, Any]]]]:
    """Each path requested in turn with a new id, and the records written
    from its start to the next one's: everything that request logged."""
    sent = []
    for path in paths:
        rid, since = new_rid(), server.line_count()
        server.request(path, headers={"X-Request-ID": rid})
        server.summaries(rid, since)
        time.sleep(0.2)  # records a server writes after the summary
        sent.append((rid, since, server.line_count()))
    return [(rid, server.records(since)[: end - since]) for rid, since, end in sent]


def without_id(records: list[dict[str, Any]], rid: str) -> list[tuple[Any, ...]]:
    """The records not carrying ``rid``, by logger and message."""
    return [
        (r["Type"], r["Fields"].get("msg"))
        for r in records
        if r["Fields"].get("rid") != rid
    ]


def test_every_record_of_a_request_carries_its_id(
    request: pytest.FixtureRequest, fleet: Fleet, target: Target
) -> None:
    server = fleet.server(target)
    paths = [target.log_path, "/no-such-page/", target.boom_path]
    windows = requests_and_their_records(server, paths)
    page_records = windows[0][1]
    assert any(r["Fields"].get("msg") == target.log_text for r in page_records)
    for rid, records in windows:
        assert records, rid
        assert without_id(records, rid) == []


def test_every_record_of_a_failing_heartbeat_carries_its_id(
    request: pytest.FixtureRequest, fleet: Fleet, target: Target
) -> None:
    server = fleet.server(target, REFUSED)
    ((rid, records),) = requests_and_their_records(server, ["/__heartbeat__"])
    assert any(r["Fields"].get("check") == "check_redis_connected" for r in records)
    # What checks log on their threads has a test of its own, below.
    records = [r for r in records if r["Fields"].get("msg") != "e2e check ran"]
    assert without_id(records, rid) == []


def test_records_logged_inside_checks_carry_the_request_id(
    request: pytest.FixtureRequest, fleet: Fleet, target: Target
) -> None:
    server = fleet.server(target)
    time.sleep(1.2)  # past the cached result, so the checks run again
    rid, since = new_rid(), server.line_count()
    server.request("/__heartbeat__", headers={"X-Request-ID": rid})
    records = server.wait_for(
        lambda r: r["Fields"].get("msg") == "e2e check ran", since
    )
    ran = [r for r in records if r["Fields"].get("msg") == "e2e check ran"]
    assert ran
    assert without_id(ran, rid) == []


def test_every_stdout_line_is_one_strict_json_object(
    fleet: Fleet, target: Target
) -> None:
    server = fleet.server(target)
    server.request(target.boom_path)  # a traceback, where drawing tools step in
    server.request("/__heartbeat__", headers=AUTH)
    time.sleep(0.3)
    started = [s for (name, _), s in fleet.servers.items() if name == target.name]
    for each in started:
        assert "╭" not in each.stdout()
        assert each.records()  # every line parsed as strict mozlog

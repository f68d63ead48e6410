"""The example Sanic app under Sanic's own server: endpoints over HTTP, mozlog on stdout.

Every stdout line must be mozlog JSON, and each request must leave exactly
one request.summary record carrying the request id it was sent with.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.server import BIN, Server, mozlog_records, serve, summaries_for
from tests.services import free_port, hung_server, require_redis

pytestmark = [pytest.mark.e2e, pytest.mark.redis]

TOKEN = "sanic-e2e-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def start(tmp_path: Path, **env: str) -> Any:
    (tmp_path / "version.json").write_text('{"version": "e2e-1", "commit": "abc"}')
    port = free_port()
    command = [
        str(BIN / "python"),
        "-m",
        "sanic",
        "tests.e2e.apps.sanic_app:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--single-process",
    ]
    base = {
        "DOCKERFLOW_VERSION_PATH": str(tmp_path),
        # Through Sanic's own SANIC_ prefix, as a deployment would set them.
        "SANIC_DOCKERFLOW_HEARTBEAT_TOKEN": TOKEN,
        "SANIC_DOCKERFLOW_CHECK_TIMEOUT": "1",
    }
    return serve(command, port, env={**base, **env})


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    require_redis()
    with start(tmp_path) as running:
        yield running


def test_endpoints_over_http(server: Server) -> None:
    version = server.request("/__version__")
    assert (version.status, json.loads(version.body)) == (
        200,
        {"version": "e2e-1", "commit": "abc"},
    )
    assert version.headers["content-type"] == "application/json"
    assert server.request("/__lbheartbeat__/").status == 200
    assert server.request("/__heartbeat__", method="HEAD").body == b""
    assert server.request("/__heartbeat__", method="POST").status == 405
    anonymous = server.request("/__heartbeat__")
    assert (anonymous.status, json.loads(anonymous.body)) == (200, {"status": "ok"})
    detailed = json.loads(server.request("/__heartbeat__", headers=AUTH).body)
    assert detailed["checks"] == {"check_redis_connected": "ok", "always_fine": "ok"}


def test_one_summary_per_request_with_its_id(server: Server) -> None:
    sent = []
    for path in ("/", "/__heartbeat__", "/__version__", "/missing", "/boom"):
        rid = f"e2e-{uuid.uuid4()}"
        response = server.request(
            path, headers={"X-Request-ID": rid, "User-Agent": "e2e/1"}
        )
        assert response.headers["x-request-id"] == rid
        sent.append((path, rid, response.status))
    for path, rid, status in sent:
        [record] = summaries_for(server, rid, "e2e")
        fields = record["Fields"]
        assert (fields["path"], fields["agent"], fields["method"]) == (
            path,
            "e2e/1",
            "GET",
        )
        assert fields["errno"] == (0 if status < 400 else status), (path, fields)
        if path == "/boom":
            assert status == 500
            assert record["Severity"] == 3
            assert "RuntimeError" in fields["traceback"]
        else:
            assert record["Severity"] == 6
    rids = [
        r["Fields"].get("rid")
        for r in mozlog_records(server, "e2e")
        if r["Type"] == "request.summary"
    ]
    assert all(rids.count(rid) == 1 for _, rid, _ in sent)


def test_hung_redis_answers_within_the_timeout(tmp_path: Path) -> None:
    with (
        hung_server() as port,
        start(tmp_path, REDIS_URL=f"redis://127.0.0.1:{port}/0") as server,
    ):
        started = time.monotonic()
        response = server.request("/__heartbeat__", headers=AUTH)
        elapsed = time.monotonic() - started
        body = json.loads(response.body)
        assert response.status == 500
        assert body["checks"]["check_redis_connected"] == "error"
        assert body["checks"]["always_fine"] == "ok"
        assert elapsed < 1 + 3  # the configured timeout plus generous slack

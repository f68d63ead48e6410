"""The framework-neutral endpoint contract and the request.summary fields."""

from __future__ import annotations

import json
import logging
import time
import uuid
from pathlib import Path

import pytest

from dockerflow import endpoints, replies, summary
from dockerflow.checks import Error, HeartbeatEngine, Warning
from dockerflow.version import VersionFileError, load_version

from .conftest import strict_loads


def test_paths() -> None:
    assert endpoints.endpoint_for("/__version__") == "version"
    assert endpoints.endpoint_for("/__heartbeat__/") == "heartbeat"
    assert endpoints.endpoint_for("/__lbheartbeat__") == "lbheartbeat"
    assert endpoints.endpoint_for("/__heartbeat__x") is None
    assert endpoints.endpoint_for("/") is None


@pytest.mark.parametrize("method", ["GET", "HEAD", "get", "head"])
def test_allowed_methods(method: str) -> None:
    assert endpoints.method_not_allowed(method) is None


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "OPTIONS", "PATCH"])
def test_other_methods_get_405(method: str) -> None:
    reply = endpoints.method_not_allowed(method)
    assert reply is not None and reply.status == 405
    assert reply.headers["Allow"] == "GET, HEAD"
    assert reply.headers["Content-Type"] == "application/json"


def test_version_replies() -> None:
    ok = endpoints.version_reply({"version": "1"})
    assert (ok.status, json.loads(ok.content())) == (200, {"version": "1"})
    assert ok.headers == {
        "Content-Type": "application/json",
        "Cache-Control": "no-store",
    }
    assert ok.content("HEAD") == b""
    assert ok.encoded is ok.content()  # encoded once, kept
    missing = endpoints.version_reply(None)
    assert (missing.status, missing.body) == (404, {"error": "version.json not found"})
    named = endpoints.version_reply(None, path="/app/version.json")
    assert named.body == {
        "error": "version.json not found",
        "path": "/app/version.json",
    }
    broken = endpoints.version_reply(
        error=VersionFileError("/app/version.json", "is not valid JSON")
    )
    assert broken.status == 500
    assert broken.body == {
        "error": "version.json is invalid",
        "detail": "is not valid JSON",
    }
    other = endpoints.version_reply(error=RuntimeError("callback failed"))
    assert (other.status, other.body["detail"]) == (500, "callback failed")


def test_lbheartbeat_reply() -> None:
    reply = endpoints.lbheartbeat_reply()
    assert (reply.status, reply.content()) == (200, b"{}")


def test_heartbeat_replies() -> None:
    engine = HeartbeatEngine()
    passed = engine.run([("w", lambda: [Warning("w")])])
    failed = engine.run([("e", lambda: [Error("db at 10.1.2.3 down")])])
    assert endpoints.heartbeat_reply(passed, details=True).status == 200
    reply = endpoints.heartbeat_reply(failed, details=False, failed_status=503)
    assert (reply.status, reply.body) == (503, {"status": "error"})
    assert b"10.1.2.3" not in reply.content()
    full = endpoints.heartbeat_reply(failed, details=True)
    assert (
        full.status == 500 and "10.1.2.3" in full.body["details"]["e"]["messages"][""]
    )


@pytest.mark.parametrize(
    ("header", "token"),
    [("Bearer abc", "abc"), ("bearer   abc  ", "abc"), ("BEARER abc", "abc")],
)
def test_bearer_token_matches(header: str, token: str) -> None:
    assert endpoints.token_matches(header, token)


@pytest.mark.parametrize(
    ("header", "token"),
    [
        (None, "abc"),
        ("", "abc"),
        ("Bearer", "abc"),
        ("Basic abc", "abc"),
        ("Bearer abd", "abc"),
        ("Bearer abc", None),
        ("Bearer abc", ""),
    ],
)
def test_bearer_token_mismatches(header: str | None, token: str | None) -> None:
    assert not endpoints.token_matches(header, token)


def test_detail_policies() -> None:
    see = endpoints.may_see_details
    assert see("always") and not see("never", debug=True, is_staff=True)
    assert not see("authorized")
    assert see("authorized", debug=True)
    assert see("authorized", is_staff=True)
    assert see("authorized", authorization="Bearer t0k", token="t0k")
    assert not see("authorized", authorization="Bearer nope", token="t0k")


@pytest.mark.parametrize(
    ("status", "raised", "errno"),
    [
        (200, False, 0),
        (302, False, 0),
        (404, False, 404),
        (503, False, 503),
        (200, True, 500),
        (None, False, 0),
    ],
)
def test_errno(status: int | None, raised: bool, errno: int) -> None:
    assert summary.errno_for(status, raised) == errno


def test_summary_fields_order_and_types() -> None:
    started = time.perf_counter() - 0.0123
    fields = summary.summary_fields(
        method="GET",
        path="/x",
        agent=None,
        lang="fr",
        uid=42,
        rid="r1",
        started=started,
        status=200,
        querystring="a=1",
    )  # type: ignore[arg-type]
    assert list(fields) == [
        "errno",
        "code",
        "agent",
        "lang",
        "method",
        "path",
        "uid",
        "rid",
        "t",
        "querystring",
    ]
    assert fields["uid"] == 42 and fields["agent"] == ""
    assert fields["code"] == 200
    user = uuid.UUID(int=7)
    assert summary.summary_fields(method="GET", path="/", uid=user)["uid"] == str(user)
    assert isinstance(fields["t"], int) and 12 <= fields["t"] < 1000
    bare = summary.summary_fields(method="HEAD", path="/", uid=None)
    assert bare == {
        "errno": 0,
        "agent": "",
        "lang": "",
        "method": "HEAD",
        "path": "/",
        "uid": "",
    }


@pytest.mark.parametrize(
    ("status", "raised", "code"),
    [(302, False, 302), (None, True, 500), (503, True, 503)],
)
def test_code_is_the_status_sent(status: int | None, raised: bool, code: int) -> None:
    fields = summary.summary_fields(
        method="GET", path="/", status=status, raised=raised
    )
    assert fields["code"] == code


def test_log_summary_info_and_error(caplog: pytest.LogCaptureFixture) -> None:
    fields = summary.summary_fields(method="GET", path="/boom", rid="r2", raised=True)
    with caplog.at_level(logging.INFO, logger="request.summary"):
        summary.log_summary(summary.summary_fields(method="GET", path="/ok"))
        try:
            raise ValueError("boom")
        except ValueError as exc:
            summary.log_summary(fields, exc)
    ok, err = caplog.records
    assert (ok.levelno, ok.getMessage(), ok.path) == (logging.INFO, "", "/ok")  # type: ignore[attr-defined]
    assert (err.levelno, err.getMessage(), err.errno) == (logging.ERROR, "boom", 500)  # type: ignore[attr-defined]
    assert err.exc_info is not None


def test_summary_record_formats_as_mozlog() -> None:
    from dockerflow.logging import JsonLogFormatter

    record = logging.LogRecord(
        "request.summary", logging.INFO, __file__, 1, "", (), None
    )
    record.__dict__.update(summary.summary_fields(method="GET", path="/", rid="r"))
    assert strict_loads(JsonLogFormatter().format(record))["Fields"]["rid"] == "r"


def test_reply_encoding_is_strict() -> None:
    with pytest.raises(ValueError, match="Out of range float"):
        endpoints.Reply(200, {"v": float("nan")}).encoded  # noqa: B018


@pytest.mark.parametrize(
    "data", [{"v": float("nan")}, {"v": float("-inf")}, {"when": object()}]
)
def test_version_callback_data_strict_json_cant_hold(data: dict[str, object]) -> None:
    reply = endpoints.version_reply(data)
    assert reply.status == 500
    body = strict_loads(reply.content().decode())
    assert body["error"] == "version.json is invalid"
    assert body["detail"].startswith("cannot be sent as JSON")


def test_version_file_sent_as_its_cached_body(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "version.json").write_text('{"version": "1"}')
    loaded = load_version(tmp_path)
    assert loaded is not None

    def no_encoding(value: object) -> bytes:
        raise AssertionError("encoded again")

    monkeypatch.setattr(replies, "encode_strict", no_encoding)
    reply = endpoints.version_reply(loaded)
    assert (reply.status, reply.content()) == (200, b'{"version":"1"}')
    assert reply.content() is loaded.body
    assert reply.body == {"version": "1"}

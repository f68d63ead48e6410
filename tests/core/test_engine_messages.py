"""Hostile check messages: text the heartbeat must serve as strict JSON and log
as one line, whatever a check put in it, and objects no one can print."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from dockerflow.checks import CheckMessage, Error, HeartbeatEngine, Warning
from dockerflow.logging import JsonLogFormatter

from .conftest import strict_loads


class Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("no str for you")

    __repr__ = __str__


def nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


HOSTILE_TEXT = {
    "nul": "before\x00after",
    "surrogate": "lone \ud800 half",
    "control": "\x1b[31mred\x07\r\nInjected: yes\x7f",
    "huge": "x" * 1_000_000,
}


def run(*messages: Any, caplog: pytest.LogCaptureFixture) -> tuple[Any, list[str]]:
    """The payload of one run of a check returning ``messages``, and its log
    lines as JsonLogFormatter writes them."""
    with caplog.at_level(logging.DEBUG, logger="dockerflow.checks"):
        result = HeartbeatEngine().run([("hostile", lambda: list(messages))])
    body = json.dumps(result.payload(details=True), allow_nan=False)
    formatter = JsonLogFormatter(logger_name="tests")
    lines = [formatter.format(r) for r in caplog.records]
    return strict_loads(body), lines


@pytest.mark.parametrize("text", HOSTILE_TEXT.values(), ids=HOSTILE_TEXT.keys())
def test_hostile_text_is_served_exactly_and_logged_as_one_json_line(
    text: str, caplog: pytest.LogCaptureFixture
) -> None:
    payload, lines = run(Error(text, id=f"acme.E1{text[:3]}"), caplog=caplog)
    (message_id, served), *_ = payload["details"]["hostile"]["messages"].items()
    assert served == text and message_id == f"acme.E1{text[:3]}"
    (line,) = lines
    assert strict_loads(line)["Fields"]["msg"] == f"{message_id}: {text}"


@pytest.mark.parametrize(
    ("message", "shown_id", "shown_text"),
    [
        (Error(Unprintable(), id="acme.E1"), "acme.E1", "<unprintable Unprintable>"),
        (Error(nested(5000), id="acme.E2"), "acme.E2", "<unprintable list>"),
        (Error("text", id=Unprintable()), "<unprintable Unprintable>", "text"),
        (Error("text", id=["not", "hashable"]), "['not', 'hashable']", "text"),
        (Error("text", id=5), "5", "text"),
        (Error(b"\xff\x00", id="acme.E3"), "acme.E3", "b'\\xff\\x00'"),
        (Error("text", hint=Unprintable(), id="acme.E4"), "acme.E4", "text"),
    ],
    ids=["text", "deep", "id", "unhashable-id", "int-id", "bytes", "hint"],
)
def test_a_message_no_one_can_print_becomes_a_placeholder_not_a_crash(
    message: Any, shown_id: str, shown_text: str, caplog: pytest.LogCaptureFixture
) -> None:
    payload, lines = run(
        message, Warning("the other message", id="acme.W1"), caplog=caplog
    )
    assert payload["details"]["hostile"]["messages"] == {
        shown_id: shown_text,
        "acme.W1": "the other message",
    }
    assert payload["status"] == "error"
    assert [strict_loads(line)["Fields"]["msg"] for line in lines] == [
        f"{shown_id}: {shown_text}",
        "acme.W1: the other message",
    ]


def test_a_message_with_an_unhashable_id_can_still_be_silenced_by_its_text() -> None:
    result = HeartbeatEngine().run(
        [("c", lambda: [Error("x", id=["a"])])], silenced=["['a']"]
    )
    assert result.passed


def test_a_fixed_message_keeps_its_class() -> None:
    from django.core import checks as django_checks

    class Odd(CheckMessage):
        level = 40

    result = HeartbeatEngine().run(
        [
            ("dj", lambda: [django_checks.Error(Unprintable(), id="dj.E1")]),
            ("odd", lambda: [Odd(Unprintable(), id=7)]),
        ]
    )
    (dj,) = result["dj"].messages
    (odd,) = result["odd"].messages
    assert isinstance(dj, django_checks.Error) and dj.msg == "<unprintable Unprintable>"
    assert isinstance(odd, Odd) and odd.id == "7"

"""Checks the e2e apps add from the environment: one that counts its runs, one that hangs.

Written once for all three frameworks: Django passes ``app_configs``, Flask
and Sanic nothing.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from pathlib import Path
from typing import Any

from dockerflow.checks import CheckMessage

logger = logging.getLogger("e2e")


def _nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


def check_counted(*args: Any, **kwargs: Any) -> list[Any]:
    """Logs one record per run, so a test can count how often checks ran.

    Returns the messages a test wrote to ``messages.json`` beside
    version.json, if any: ``[[level, id, text], ...]``, where JSON escapes
    let a text hold NUL or a lone surrogate, and ``{"nest": n}`` stands for
    a text that is a list nested ``n`` deep. None without the file.
    """
    logger.info("e2e check ran")
    path = Path(os.environ.get("DOCKERFLOW_VERSION_PATH", ".")) / "messages.json"
    try:
        wanted = json.loads(path.read_text())
    except FileNotFoundError:
        return []
    return [
        CheckMessage(
            _nested(text["nest"]) if isinstance(text, dict) else text, level, id=id
        )
        for level, id, text in wanted
    ]


def check_hangs(*args: Any, **kwargs: Any) -> list[Any]:
    """Waits for an answer from E2E_HUNG_PORT, a server that never answers.

    Blocks until the test closes that server, like a check stuck on a
    service that accepted the connection and went silent.
    """
    with socket.create_connection(("127.0.0.1", int(os.environ["E2E_HUNG_PORT"]))) as s:
        s.recv(1)
    return []

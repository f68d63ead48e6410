"""Checks the e2e apps add from the environment: one that counts its runs, one that hangs.

Written once for all three frameworks: Django passes ``app_configs``, Flask
and Sanic nothing, and each returns no messages.
"""

from __future__ import annotations

import logging
import os
import socket
from typing import Any

logger = logging.getLogger("e2e")


def check_counted(*args: Any, **kwargs: Any) -> list[Any]:
    """Logs one record per run, so a test can count how often checks ran."""
    logger.info("e2e check ran")
    return []


def check_hangs(*args: Any, **kwargs: Any) -> list[Any]:
    """Waits for an answer from E2E_HUNG_PORT, a server that never answers.

    Blocks until the test closes that server, like a check stuck on a
    service that accepted the connection and went silent.
    """
    with socket.create_connection(("127.0.0.1", int(os.environ["E2E_HUNG_PORT"]))) as s:
        s.recv(1)
    return []

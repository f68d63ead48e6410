"""One POST of one delivery: signed, with its idempotency key, bounded in time,
no redirect followed. Standard library only (urllib), so the webhooks need
no extra package.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from .config import Webhook

__all__ = ["Answer", "post", "signature"]

#: Read at most this much of a receiver's answer; the rest is not ours.
MAX_ANSWER = 64 * 1024
USER_AGENT = "dockerflow-webhook/1"


@dataclass(frozen=True)
class Answer:
    ok: bool
    status: int | None
    error: str


def signature(secret: str, body: bytes) -> str:
    """``sha256=<hex>``: the HMAC-SHA256 of ``body`` with ``secret``, as the
    ``X-Dockerflow-Signature-256`` header carries it."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class _Refuse(urllib.request.HTTPRedirectHandler):
    """A 3xx is the receiver's answer, not a place to send the body next."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_Refuse)


def post(hook: Webhook, body: str, key: str, delivery: int) -> Answer:
    """POST ``body`` to ``hook``; never raises. ``key`` is the idempotency key."""
    data = body.encode()
    request = urllib.request.Request(
        hook.url,
        data=data,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Idempotency-Key": key,
            "X-Dockerflow-Event": "status_changed",
            "X-Dockerflow-Delivery": str(delivery),
            "X-Dockerflow-Signature-256": signature(hook.secret, data),
        },
    )
    deadline = time.monotonic() + hook.timeout
    try:
        with _opener.open(request, timeout=hook.timeout) as response:
            status = response.status
            _drain(response, deadline)
    except urllib.error.HTTPError as exc:
        exc.close()
        return Answer(False, exc.code, f"HTTP {exc.code} {exc.reason}"[:500])
    except (OSError, http.client.HTTPException, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return Answer(False, None, f"{type(exc).__name__}: {reason}"[:500])
    if 200 <= status < 300:
        return Answer(True, status, "")
    return Answer(False, status, f"HTTP {status}")


def _drain(response: Any, deadline: float) -> None:
    """Read a little of the answer, so the connection ends cleanly, and stop
    at the deadline: a receiver that trickles bytes holds nobody."""
    left = MAX_ANSWER
    while left > 0 and time.monotonic() < deadline:
        chunk = response.read(min(left, 8192))
        if not chunk:
            return
        left -= len(chunk)

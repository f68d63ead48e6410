"""What the three Dockerflow endpoints answer, independent of any framework.

Adapters translate their request into these calls and the returned
``Reply`` into their response type, so every framework answers alike.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any

from .checks.results import HeartbeatResult
from .safejson import encode_strict
from .version import VersionFile, VersionFileError

VERSION_PATH = "/__version__"
HEARTBEAT_PATH = "/__heartbeat__"
LBHEARTBEAT_PATH = "/__lbheartbeat__"
#: Every endpoint path, with and without the trailing slash.
PATHS = frozenset(
    p + s for p in (VERSION_PATH, HEARTBEAT_PATH, LBHEARTBEAT_PATH) for s in ("", "/")
)

ALLOWED_METHODS = ("GET", "HEAD")
HEADERS = {"Content-Type": "application/json", "Cache-Control": "no-store"}

#: Who sees heartbeat details (check names and message texts).
DETAILS_NEVER = "never"
DETAILS_AUTHORIZED = "authorized"
DETAILS_ALWAYS = "always"
DETAIL_POLICIES = (DETAILS_NEVER, DETAILS_AUTHORIZED, DETAILS_ALWAYS)

DEFAULT_FAILED_STATUS = 500


@dataclass(frozen=True)
class Reply:
    """A framework-neutral response: status, JSON body and headers.

    ``preencoded`` is the body already encoded, when a cache holds it.
    """

    status: int
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=lambda: dict(HEADERS))
    preencoded: bytes | None = field(default=None, repr=False, compare=False)

    @cached_property
    def encoded(self) -> bytes:
        """The body as GET sends it, strict JSON encoded once.

        Raises ValueError for NaN or Infinity rather than send invalid JSON.
        """
        if self.preencoded is not None:
            return self.preencoded
        return encode_strict(self.body)

    def content(self, method: str = "GET") -> bytes:
        """The encoded body; empty for HEAD, which only gets the status."""
        return b"" if method.upper() == "HEAD" else self.encoded


_ENDPOINTS = {path: path.strip("/").strip("_") for path in PATHS}


def endpoint_for(path: str) -> str | None:
    """``"version"``, ``"heartbeat"`` or ``"lbheartbeat"`` for a Dockerflow path."""
    return _ENDPOINTS.get(path)


def method_not_allowed(method: str) -> Reply | None:
    """A 405 reply for anything but GET and HEAD, else None."""
    if method.upper() in ALLOWED_METHODS:
        return None
    headers = dict(HEADERS, Allow=", ".join(ALLOWED_METHODS))
    return Reply(405, {"error": f"Method {method} not allowed"}, headers)


def version_reply(
    data: Mapping[str, Any] | VersionFile | None = None,
    error: Exception | None = None,
    path: str | None = None,
) -> Reply:
    """The reply to ``/__version__`` for what the version callback gave.

    A :class:`~dockerflow.version.VersionFile` is sent as its cached body;
    a mapping is encoded here, and one strict JSON can't hold (NaN, say)
    gets the JSON 500 too. ``path``, the file the callback read, is named
    in the 404, so that a missing file says where it was looked for.
    """
    if error is not None:
        reason = error.reason if isinstance(error, VersionFileError) else str(error)
        return Reply(500, {"error": "version.json is invalid", "detail": reason})
    if data is None:
        missing = {"error": "version.json not found"}
        return Reply(404, missing if path is None else {**missing, "path": path})
    if isinstance(data, VersionFile):
        return Reply(200, data.data, preencoded=data.body)
    reply = Reply(200, dict(data))
    try:
        reply.encoded  # noqa: B018 - encode now, while a 500 can still be sent
    except (TypeError, ValueError, RecursionError) as exc:
        return version_reply(error=ValueError(f"cannot be sent as JSON ({exc})"))
    return reply


def lbheartbeat_reply() -> Reply:
    return _LBHEARTBEAT


# The same every time, and a load balancer asks several times a second: made,
# and its body encoded, once; its headers cannot be changed in place.
_LBHEARTBEAT = Reply(200, {}, MappingProxyType(dict(HEADERS)))


def heartbeat_reply(
    result: HeartbeatResult,
    *,
    details: bool,
    failed_status: int = DEFAULT_FAILED_STATUS,
) -> Reply:
    status = 200 if result.passed else failed_status
    return Reply(status, result.payload(details=details))


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if any."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def token_matches(authorization: str | None, expected: str | None) -> bool:
    """Whether the request's bearer token equals ``expected``, in constant time."""
    given = bearer_token(authorization)
    if not expected or given is None:
        return False
    return hmac.compare_digest(given.encode(), str(expected).encode())


def may_see_details(
    policy: str,
    *,
    debug: bool = False,
    is_staff: bool = False,
    authorization: str | None = None,
    token: str | None = None,
) -> bool:
    """Whether a caller may see check names and message texts.

    ``always`` shows them to everyone and ``never`` to no one. The default,
    ``authorized``, shows them in debug mode, to staff users, and to callers
    that send ``Authorization: Bearer <token>`` with the configured token.
    """
    if policy == DETAILS_ALWAYS:
        return True
    if policy == DETAILS_NEVER:
        return False
    return debug or is_staff or token_matches(authorization, token)

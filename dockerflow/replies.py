"""What the Dockerflow endpoints answer, independent of any framework.

Adapters translate the returned ``Reply`` into their response type, so every
framework answers alike: the status, the strict JSON body, the headers, the
405 for any method but GET and HEAD, and HEAD's empty body.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any

from .checks.results import HeartbeatResult
from .safejson import encode_strict
from .version import VersionFile, VersionFileError

ALLOWED_METHODS = ("GET", "HEAD")
HEADERS = {"Content-Type": "application/json", "Cache-Control": "no-store"}

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

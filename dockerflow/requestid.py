"""Request ids: the one of the request being served, checked when a client
sends one, and fresh ones, made cheaply, when it does not.

:mod:`dockerflow.logging` exports all of these under python-dockerflow's names.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

__all__ = [
    "REQUEST_ID_MAX_LENGTH",
    "accept_request_id",
    "get_or_generate_request_id",
    "new_request_id",
    "only_value",
    "request_id_context",
    "validate_request_id",
]

#: The request id of the request being served, for log records made during it.
request_id_context: ContextVar[str | None] = ContextVar(
    "dockerflow_request_id", default=None
)

#: Longest request id accepted from a client; longer ones are replaced.
REQUEST_ID_MAX_LENGTH = 128
_REQUEST_ID_RE = re.compile(r"[A-Za-z0-9._:+/=\-]+")
_BYTES_RE = re.compile(_REQUEST_ID_RE.pattern.encode("ascii"))


def validate_request_id(value: Any) -> str | None:
    """``value`` when it is a safe request id, else None.

    Safe means 1 to ``REQUEST_ID_MAX_LENGTH`` characters of letters, digits
    and ``. _ : + / = -``: enough for UUIDs, trace ids and base64 ids, and
    nothing that can break a log line or a header.
    """
    if isinstance(value, bytes):
        try:
            value = value.decode("ascii")
        except UnicodeDecodeError:
            return None
    if not isinstance(value, str) or not 0 < len(value) <= REQUEST_ID_MAX_LENGTH:
        return None
    return value if _REQUEST_ID_RE.fullmatch(value) else None


def accept_request_id(value: Any) -> str | None:
    """The request id a client sent, when it is safe to log and echo, else None.

    The one rule of every adapter: spaces and tabs around the value are
    dropped, as HTTP allows them there, and the rest must pass
    :func:`~dockerflow.logging.validate_request_id`.
    """
    if type(value) is bytes:  # as an ASGI server gives it: no decoding first
        value = value.strip(b" \t")
        if 0 < len(value) <= REQUEST_ID_MAX_LENGTH and _BYTES_RE.fullmatch(value):
            return value.decode("ascii")  # the pattern allows ASCII only
        return None
    if isinstance(value, str):
        value = value.strip(" \t")
    elif isinstance(value, bytes):
        value = value.strip(b" \t")
    return validate_request_id(value)


def _header_values(headers: Mapping[str, Any], name: str) -> list[Any]:
    """Every value of header ``name``: one per field where the mapping keeps
    them apart (Sanic's multidict), else the one value it has."""
    # multidict (Sanic), Werkzeug, email.message: each names it differently.
    for getter in ("getall", "getlist", "get_all"):
        method = getattr(headers, getter, None)
        if callable(method):
            try:
                return list(method(name) or ())
            except KeyError:  # multidict, for a header not sent
                return []
            except Exception:
                continue
    value = headers.get(name)
    if value is None and isinstance(headers, dict):
        # Framework header objects are case-insensitive already; a plain
        # dict is not, so look through it.
        lowered = name.lower()
        value = next((v for k, v in headers.items() if str(k).lower() == lowered), None)
    return [] if value is None else [value]


def only_value(headers: Mapping[str, Any], name: str) -> Any:
    """The value of header ``name`` when it was sent once, else None.

    Matched case-insensitively, even in a plain dict. A header sent more
    than once is ambiguous, whether the server keeps the fields apart or
    joins them with commas (never part of a safe id), so it counts as none:
    every framework and server answers alike.
    """
    values = _header_values(headers, name)
    return values[0] if len(values) == 1 else None


def get_or_generate_request_id(
    headers: Mapping[str, Any], header_name: str | None = None
) -> str:
    """The request id from ``headers`` (see
    :func:`~dockerflow.requestid.accept_request_id`), or a
    fresh UUID4 if it is missing, unsafe or sent more than once."""
    value = only_value(headers, header_name or "X-Request-ID")
    return accept_request_id(value) or new_request_id()


def new_request_id() -> str:
    """A fresh random UUID4, as a string: what ``str(uuid.uuid4())`` gives.

    Written out because most load balancer probes send no request id, and
    building a ``uuid.UUID`` object costs twice as much as the string. The
    random digits come from ``os.urandom`` in batches: one system call per
    batch instead of one per request.
    """
    try:
        h = _random_hex.pop()
    except IndexError:
        h = _refill()
    # Version 4 in the 13th digit, RFC 4122's variant (10xx) in the 17th.
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}
_BATCH = 64
#: 32 random hex digits per id to come; list.pop() hands each to one thread.
_random_hex: list[str] = []


def _refill() -> str:
    digits = os.urandom(16 * _BATCH).hex()
    batch = [digits[i : i + 32] for i in range(0, len(digits), 32)]
    h = batch.pop()
    _random_hex.extend(batch)
    return h


if hasattr(os, "register_at_fork"):
    # A forked worker must not hand out the ids its parent had ready.
    os.register_at_fork(after_in_child=_random_hex.clear)

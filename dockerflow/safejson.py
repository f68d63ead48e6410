"""Strict JSON: stand-ins for what it can't hold, the endpoints' encoding, and
tracebacks whose text an attacker can't use to forge log lines.

The formatter encodes a record as it is first; only when that fails does it
pass the record through ``sanitize``, which never raises.
"""

from __future__ import annotations

import json
import linecache
import math
import traceback
from collections.abc import Mapping
from types import TracebackType
from typing import Any

# Values deeper than this, or containers longer than this, are cut when a
# record has to be sanitised; the first attempt encodes them as they are.
_MAX_DEPTH = 64
_MAX_ITEMS = 10_000
_MAX_REPR = 10_000


def safe_repr(value: object) -> str:
    """``repr(value)``, or a placeholder naming its type when repr fails."""
    try:
        text = repr(value)
        if not isinstance(text, str):  # pragma: no cover - repr() enforces str
            raise TypeError
    except Exception:
        return f"<unrepresentable {type(value).__qualname__} object>"
    return text if len(text) <= _MAX_REPR else text[:_MAX_REPR] + "...<truncated>"


def _float(value: float) -> Any:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return float(value)


def json_key(key: Any) -> str:
    if isinstance(key, str):
        return str(key)
    if key is None or isinstance(key, (bool, int, float)):
        return json.dumps(_float(key) if isinstance(key, float) else key)
    return safe_repr(key)


def sanitize(value: Any, depth: int = 0, seen: frozenset[int] = frozenset()) -> Any:
    """A copy of ``value`` made only of what strict JSON can hold.

    Used when a record failed to encode as it was: cycles, NaN, deep or
    huge values, broken containers and odd keys all get a safe stand-in.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return _float(value)
    if depth >= _MAX_DEPTH:
        return "<too deep>"
    if id(value) in seen:
        return "<cycle>"
    inner = seen | {id(value)}
    try:
        if isinstance(value, Mapping):
            out = {}
            for n, (k, v) in enumerate(value.items()):
                if n >= _MAX_ITEMS:
                    out["..."] = f"<{len(value) - n} more>"
                    break
                out[json_key(k)] = sanitize(v, depth + 1, inner)
            return out
        if isinstance(value, (list, tuple)):
            items = [sanitize(v, depth + 1, inner) for v in value[:_MAX_ITEMS]]
            if len(value) > _MAX_ITEMS:
                items.append(f"<{len(value) - _MAX_ITEMS} more>")
            return items
    except Exception:
        pass
    return safe_repr(value)


def encode_strict(value: Any) -> bytes:
    """``value`` as compact, strict JSON bytes; ValueError on NaN or Infinity.

    The one encoding every endpoint body uses, so a cached body and a fresh
    one are byte for byte the same.
    """
    return json.dumps(value, separators=(",", ":"), allow_nan=False).encode()


class SafeJSONEncoder(json.JSONEncoder):
    """A JSON encoder that writes the repr of anything JSON can't hold."""

    def default(self, o: Any) -> Any:
        return safe_repr(o)


def safer_format_traceback(
    exc_typ: type[BaseException] | None,
    exc_val: BaseException | None,
    exc_tb: TracebackType | None,
) -> str:
    """Format a traceback with the exception's type and value passed through repr.

    An attacker who controls an exception's message cannot inject raw lines
    or control characters into the log this way.
    """
    try:
        frames = "".join(_format_frames(exc_tb))
    except Exception:
        frames = "".join(traceback.format_tb(exc_tb))
    return f"Uncaught exception:\n{frames}{safe_repr(exc_typ)}\n{safe_repr(exc_val)}\n"


def _format_frames(tb: TracebackType | None) -> list[str]:
    """The frames of ``tb`` as ``traceback.format_tb`` writes them, less the
    ``^^^`` markers, which cost more to compute than the rest of a log line."""
    lines = []
    while tb is not None:
        code = tb.tb_frame.f_code
        lineno = tb.tb_lineno
        source = linecache.getline(code.co_filename, lineno).strip()
        entry = f'  File "{code.co_filename}", line {lineno}, in {code.co_name}\n'
        lines.append(f"{entry}    {source}\n" if source else entry)
        tb = tb.tb_next
    return lines


def last_resort_line(
    record: Any, exc: Exception, logger_name: str, hostname: str, version: str
) -> str:
    """A line for a record that even sanitising could not encode."""
    created = getattr(record, "created", None)
    timestamp = (
        int(created * 1e9)
        if isinstance(created, (int, float)) and math.isfinite(created)
        else 0
    )
    process = getattr(record, "process", None)
    return json.dumps(
        {
            "Timestamp": timestamp,
            "Type": safe_repr(getattr(record, "name", None)),
            "Logger": logger_name,
            "Hostname": hostname,
            "EnvVersion": version,
            "Severity": 3,
            "Pid": process if isinstance(process, int) else 0,
            "Fields": {
                "msg": safe_repr(getattr(record, "msg", None)),
                "format_error": f"{type(exc).__name__}: {safe_repr(exc)}",
            },
        },
        ensure_ascii=True,
        allow_nan=False,
        separators=(",", ":"),
    )

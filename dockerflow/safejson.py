"""Strict JSON: stand-ins for what it can't hold, and the endpoints' encoding.

The formatter encodes a record as it is first; only when that fails does it
pass the record through ``sanitize``, which never raises.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
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

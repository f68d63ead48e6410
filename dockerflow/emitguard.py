"""Keeps each mozlog line whole when a tool patches ``logging.StreamHandler.emit``.

tracerite, which Sanic 25's ``sanic`` command loads, replaces that method for
the whole process and draws a box around every record with an exception.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

__all__ = ["guard_stream_emit", "write_line"]

_Emit = Callable[[logging.StreamHandler[Any], logging.LogRecord], None]

# Marks the emit installed here, so it is never wrapped twice.
_MARK = "_dockerflow_whole_lines"
# The emit seen last, so a formatter can tell cheaply that nothing changed.
last_seen: list[Any] = [None]


def write_line(handler: logging.StreamHandler[Any], record: logging.LogRecord) -> None:
    """What ``StreamHandler.emit`` does, written out: the formatted line, the
    terminator, a flush, and ``handleError`` on failure."""
    try:
        handler.stream.write(handler.format(record) + handler.terminator)
        handler.flush()
    except RecursionError:  # pragma: no cover - as logging itself does
        raise
    except Exception:
        handler.handleError(record)


def _is_stdlib(emit: Any) -> bool:
    return (
        getattr(emit, "__module__", None) == "logging"
        and getattr(emit, "__qualname__", None) == "StreamHandler.emit"
    )


def guard_stream_emit(formatter_type: type[logging.Formatter]) -> None:
    """Let stream handlers whose formatter is a ``formatter_type`` write bare lines.

    Does nothing while ``StreamHandler.emit`` is the standard library's. Once
    something else has replaced it, it is wrapped: handlers carrying our
    formatter, whatever their class, write the line themselves, and every
    other handler still goes through the replacement, so tracerite keeps
    drawing for them. Cheap enough to call on every record.
    """
    current = logging.StreamHandler.emit
    if current is last_seen[0]:
        return
    last_seen[0] = current
    if _is_stdlib(current) or getattr(current, _MARK, False):
        return
    patched: _Emit = current

    def emit(self: logging.StreamHandler[Any], record: logging.LogRecord) -> None:
        if isinstance(self.formatter, formatter_type):
            write_line(self, record)
        else:
            patched(self, record)

    setattr(emit, _MARK, True)
    # A new function per wrap, holding what it wraps: a patch that swaps
    # emit back and forth meanwhile (tracerite does, while drawing) can't
    # make an older wrapper call the wrong thing.
    type.__setattr__(logging.StreamHandler, "emit", emit)
    last_seen[0] = emit

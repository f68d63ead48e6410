"""Keeps each mozlog line whole when a tool patches ``logging.StreamHandler.emit``.

tracerite, which Sanic 25's ``sanic`` command loads, replaces that method for
the whole process and draws a box around every record with an exception.
Nothing here runs unless asked: the Sanic extension calls
:func:`install_emit_guard`, and so may any service that loads such a tool.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

__all__ = [
    "STDLIB_EMIT",
    "LineFormatter",
    "guard_stream_emit",
    "install_emit_guard",
    "whole_lines",
    "write_line",
]

_Emit = Callable[[logging.StreamHandler[Any], logging.LogRecord], None]

# Marks the emit installed here, so it is never wrapped twice.
_MARK = "_dockerflow_whole_lines"
# The emit seen last, so a formatter can tell cheaply that nothing changed.
last_seen: list[Any] = [None]
#: Whether install_emit_guard() was called: until then nothing is wrapped.
installed: list[bool] = [False]


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


#: The standard library's StreamHandler.emit, if nothing replaced it before
#: this module was imported.
STDLIB_EMIT = (
    logging.StreamHandler.emit if _is_stdlib(logging.StreamHandler.emit) else None
)


def whole_lines(emit: Any) -> bool:
    """Whether ``emit``, as ``StreamHandler.emit``, writes our formatter's
    line as it is: the standard library's, or the guard's wrapper."""
    return emit is STDLIB_EMIT or _is_stdlib(emit) or getattr(emit, _MARK, False)


class LineFormatter(logging.Formatter):
    """A formatter whose every record is one whole line, which the guard
    keeps bare: dockerflow's JSON formatter is one."""


def install_emit_guard(formatter_type: type[logging.Formatter] = LineFormatter) -> None:
    """Keep stream handlers with dockerflow's JSON formatter writing bare lines,
    now and whenever ``StreamHandler.emit`` is replaced later.

    Called by the Sanic extension; call it once at startup anywhere else a
    tool such as tracerite patches ``emit``. Safe to call more than once.
    """
    installed[0] = True
    last_seen[0] = None
    guard_stream_emit(formatter_type)


def guard_stream_emit(formatter_type: type[logging.Formatter]) -> None:
    """Once :func:`install_emit_guard` was called, let stream handlers whose
    formatter is a ``formatter_type`` write bare lines.

    Does nothing while ``StreamHandler.emit`` is the standard library's. Once
    something else has replaced it, it is wrapped: handlers carrying our
    formatter, whatever their class, write the line themselves, and every
    other handler still goes through the replacement, so tracerite keeps
    drawing for them. Cheap enough to call on every record.
    """
    current = logging.StreamHandler.emit
    if current is last_seen[0] or not installed[0]:
        return
    last_seen[0] = current
    if whole_lines(current):
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

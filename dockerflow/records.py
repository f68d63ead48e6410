"""LogRecords for the records logged on every request, made without the
per-call work of ``LogRecord.__init__`` that gives the same answer each time.

``LogRecord.__init__`` splits the source path into ``filename`` and ``module``,
looks up the level's name and normalises ``args`` on every call: for a record
that always comes from the same place at the same level, that is about half
of the record's cost. :func:`record_maker` does it once and then fills in only
what changes (the time, thread, process and task), exactly as the standard
library would, so handlers, filters and formatters see an ordinary
``logging.LogRecord``. Where the standard record differs from what this module
knows (another Python, a custom record factory, a ``Logger.makeRecord``
override), it makes the record the standard way.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

__all__ = ["RESERVED", "current_pid", "record_maker", "record_time"]

_LogRecord = logging.LogRecord
_makeRecord = logging.Logger.makeRecord
#: What makeRecord refuses to overwrite with an extra.
RESERVED = frozenset(
    [*_LogRecord("", 0, "", 0, "", (), None).__dict__, "message", "asctime"]
)
# The attributes LogRecord.__init__ sets from the clock, the thread and the
# process, in its order; 3.12 added taskName. The time arithmetic below is
# that of Pythons 3.10 to 3.12 (3.13 counts in nanoseconds).
_VARYING = ("created", "msecs", "relativeCreated", "thread", "threadName")
_TIME_AS_FLOAT = sys.version_info < (3, 13)
_get_ident = threading.get_ident
_current_thread = threading.current_thread
_new = object.__new__
_factory = logging.getLogRecordFactory
_modules = sys.modules
#: When logging was imported, which relativeCreated counts from.
_START: float = logging._startTime  # type: ignore[attr-defined]

Maker = Callable[[dict[str, Any]], logging.LogRecord]

#: The clock ``LogRecord.__init__`` reads for ``created``.
record_time: Callable[[], float]
if _TIME_AS_FLOAT:
    record_time = time.time
else:  # pragma: no cover - exercised on Python 3.13+

    def record_time() -> float:
        return time.time_ns() / 1e9


# os.getpid() is a system call, and LogRecord makes it for every record:
# the pid only changes in a forked child, which os.fork() tells.
_pid = [os.getpid()]
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=lambda: _pid.__setitem__(0, os.getpid()))


def current_pid() -> int:
    """``os.getpid()``, kept from the last fork instead of asked each time."""
    return _pid[0]


def _standard(
    logger: logging.Logger, level: int, pathname: str, lineno: int, func: str
) -> Maker:
    """Records made the documented way: through the logger's makeRecord."""

    def make(extra: dict[str, Any]) -> logging.LogRecord:
        return logger.makeRecord(
            logger.name, level, pathname, lineno, "", (), None, func, extra
        )

    return make


def record_maker(
    logger: logging.Logger, level: int, pathname: str, lineno: int, func: str
) -> Maker:
    """A function of ``extra`` that returns what ``logger.makeRecord(logger.name,
    level, pathname, lineno, "", (), None, func, extra)`` would return.

    The fast way is checked against a record the standard library makes, and
    each call checks that the factory and the logging switches are still the
    defaults; if not, that call takes the standard way.
    """
    standard = _standard(logger, level, pathname, lineno, func)
    proto = _LogRecord(logger.name, level, pathname, lineno, "", (), None, func)
    template = dict(proto.__dict__)
    template["processName"] = (
        "MainProcess"  # LogRecord's answer without multiprocessing
    )
    if not _TIME_AS_FLOAT or not _same_shape(template, level):
        return standard
    has_task = "taskName" in template

    def make(extra: dict[str, Any]) -> logging.LogRecord:
        if (
            _factory() is not _LogRecord
            or type(logger).makeRecord is not _makeRecord
            or not (
                logging.logThreads
                and logging.logProcesses
                and logging.logMultiprocessing
            )
            or not RESERVED.isdisjoint(extra)
        ):
            return standard(extra)
        attrs = template.copy()
        ct = record_time()
        attrs["created"] = ct
        attrs["msecs"] = int((ct - int(ct)) * 1000) + 0.0
        attrs["relativeCreated"] = (ct - _START) * 1000
        attrs["thread"] = _get_ident()
        attrs["threadName"] = _current_thread().name
        mp = _modules.get("multiprocessing")
        if mp is not None:
            try:  # noqa: SIM105 (contextlib.suppress costs every record)
                attrs["processName"] = mp.current_process().name
            except Exception:  # still loading: the template's "MainProcess"
                pass
        attrs["process"] = _pid[0]
        if has_task:
            attrs["taskName"] = _task_name()
        attrs.update(extra)
        record: logging.LogRecord = _new(_LogRecord)
        record.__dict__ = attrs
        return record

    return make


def _task_name() -> str | None:
    """The current asyncio task's name, as Python 3.12's LogRecord finds it."""
    if not getattr(logging, "logAsyncioTasks", True):
        return None
    asyncio = sys.modules.get("asyncio")
    if asyncio:
        try:
            return asyncio.current_task().get_name()  # type: ignore[union-attr]
        except Exception:
            return None
    return None


def _same_shape(template: dict[str, Any], level: int) -> bool:
    """Whether the standard record has exactly the attributes filled in above,
    in the same order, and what this module leaves as they were."""
    keys = list(template)
    expected_tail = [*_VARYING, "processName", "process"]
    if "taskName" in keys:
        expected_tail.append("taskName")
    return (
        keys[-len(expected_tail) :] == expected_tail
        and template.get("levelname") == logging.getLevelName(level)
        and template.get("exc_text", 0) is None
    )

"""The Django heartbeat: DOCKERFLOW_CHECKS resolved and run by the shared engine.

Views, the middleware and the ``dockerflow`` system-check tag all come here,
so a check behaves the same on ``/__heartbeat__`` and under ``manage.py check``.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.core import checks as django_checks
from django.db import connections
from django.utils.module_loading import import_string

from dockerflow import health
from dockerflow.checks import HeartbeatEngine, HeartbeatResult, outcomes

from .checks import check_database_connected
from .conf import conf

logger = logging.getLogger("dockerflow.checks")

#: Check threads close the connections they opened, so a thread per check
#: never leaves a database connection behind.
engine = HeartbeatEngine(thread_cleanup=connections.close_all)

Pair = tuple[str, Callable[[], Any]]


def _unimportable(path: str, exc: Exception) -> Callable[[], Any]:
    def check() -> Any:
        return [
            django_checks.Error(
                f"Check {path!r} could not be imported: {type(exc).__name__}: {exc}",
                id=health.ERROR_CHECK_EXCEPTION,
            )
        ]

    check.__name__ = path.rpartition(".")[2] or path
    return check


def _bind(check: Callable[..., Any]) -> Callable[[], Any]:
    return functools.update_wrapper(functools.partial(check, app_configs=None), check)


def _resolve(path: str) -> Callable[[], Any]:
    try:
        return _bind(import_string(path))
    except Exception as exc:
        return _unimportable(path, exc)


def _name(check: Any) -> str:
    return getattr(check, "__name__", None) or type(check).__name__


def _pairs(items: Iterable[tuple[str, Callable[[], Any]]]) -> list[Pair]:
    """Name each check by its function name, or its full path when two clash."""
    items = list(items)
    names = [_name(check) for _, check in items]
    return [
        (name if names.count(name) == 1 else path, check)
        for (path, check), name in zip(items, names, strict=True)
    ]


def _own_check(check: Any) -> bool:
    return getattr(check, "__module__", "").startswith("dockerflow.")


def heartbeat_checks() -> list[Pair]:
    """The (name, callable) pairs the heartbeat runs, read from the settings now."""
    paths = conf.CHECKS
    if not isinstance(paths, (list, tuple)):
        # dockerflow.E003 reports this at startup; the probe fails meanwhile.
        paths = [repr(paths)]
    items = [(str(path), _resolve(str(path))) for path in paths]
    if conf.HEARTBEAT_RUN_SYSTEM_CHECKS:
        # The seed's behaviour: every registered system check as well.
        seen = {
            check.func for _, check in items if isinstance(check, functools.partial)
        }
        registered = django_checks.registry.registry.get_checks(
            include_deployment_checks=not conf.DEBUG
        )
        items += [
            (f"{check.__module__}.{_name(check)}", _bind(check))
            for check in registered
            if check not in seen and not _own_check(check)
        ]
    return _pairs(items)


#: The engine knows each check by this scope and its name.
SCOPE = "dockerflow.django"


def _options(timeout: float | None = None) -> dict[str, Any]:
    options = conf.options
    return {
        "silenced": conf.SILENCED_SYSTEM_CHECKS,
        "timeout": options.timeout if timeout is None else timeout,
        "cache_ttl": options.cache_seconds,
        "scope": SCOPE,
    }


def run(
    checks: list[Pair] | None = None,
    *,
    timeout: float | None = None,
    cached: bool = True,
) -> HeartbeatResult:
    """Run ``checks`` (default: :func:`heartbeat_checks`) with the project's
    options, recording nothing. ``manage.py dockerflow_check`` overrides the
    timeout, always runs afresh, and records only with ``--record``."""
    options = _options(timeout)
    if not cached:
        options["cache_ttl"] = 0.0
    return engine.run(heartbeat_checks() if checks is None else checks, **options)


#: The built-in database check, by the name the heartbeat gives it.
DATABASE_CHECK = "check_database_connected"


def database_answers(result: HeartbeatResult | None = None) -> bool:
    """Whether the database answered ``result``'s database check; with no
    such check in it, no result, or a cached one (which says how the
    database was, not how it is), the check run afresh, under its timeout.

    Asked before a lookup that would fail on a database that refuses, or
    hold the worker on one that hangs.
    """
    fresh = result is not None and not result.cached
    checks = [c for c in result or () if fresh and c.name.endswith(DATABASE_CHECK)]
    if not checks:
        probe = [(DATABASE_CHECK, _bind(check_database_connected))]
        checks = list(run(probe, cached=False))
    return not any(check.failed for check in checks)


def _http_status(result: HeartbeatResult) -> int:
    return 200 if result.passed else conf.options.failed_status


class _Outages:
    """Whether this thread's database connections may predate an outage.

    A connection open while the database hung stays hung after it answers
    again (the check threads recover on fresh ones): a thread that keeps its
    connections (CONN_MAX_AGE) would wait on it forever at its next query.
    So the first heartbeat a thread serves after an outage closes them.
    """

    def __init__(self) -> None:
        self.count = 0  # runs that found the database failing, process-wide
        self.local = threading.local()

    def after(self, result: HeartbeatResult) -> None:
        checks = [c for c in result if c.name.endswith(DATABASE_CHECK)]
        if any(check.failed for check in checks):
            self.count += 1
        elif checks and getattr(self.local, "seen", 0) < self.count:
            self.local.seen = self.count
            for connection in connections.all(initialized_only=True):
                if not connection.in_atomic_block:  # a transaction keeps it
                    connection.close()


outages = _Outages()


def run_heartbeat() -> HeartbeatResult:
    """DOCKERFLOW_CHECKS run once, as ``/__heartbeat__`` runs them, and recorded."""
    from . import history  # its models load after the app registry

    result = run()
    outages.after(result)
    # Stored by the history's writer thread, after this answer.
    history.submit(result, source="http", http_status=_http_status(result))
    return result


async def run_heartbeat_async() -> HeartbeatResult:
    from . import history

    result = await engine.run_async(heartbeat_checks(), **_options())
    # Never waits: the writer thread stores it. With DOCKERFLOW_HISTORY_QUEUE
    # at 0, it is stored now, off the event loop.
    if conf.history.queue:
        history.submit(result, source="http", http_status=_http_status(result))
    else:
        await history.arecord(result, source="http", http_status=_http_status(result))
    return result


@contextlib.contextmanager
def unlogged(enabled: bool = True) -> Iterator[None]:
    """Keep the engine from logging check messages while a command runs the
    checks: the command's report already shows each one, and a project that
    logs to stdout would print each twice (or break a ``--json`` report)."""
    logger = outcomes.logger
    was = logger.disabled
    logger.disabled = was or enabled
    try:
        yield
    finally:
        logger.disabled = was


def dockerflow_checks(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """DOCKERFLOW_CHECKS as one system check, registered under the
    ``dockerflow`` tag as a deployment check (``check --deploy --tag dockerflow``).

    Django applies SILENCED_SYSTEM_CHECKS itself here, so nothing is silenced.
    Only ``check --deploy`` runs it, and its report lists every message.
    """
    options = dict(_options(), silenced=(), cache_ttl=0.0)
    with unlogged():
        result = engine.run(heartbeat_checks(), **options)
    return [_as_django(message) for check in result for message in check.messages]


def _as_django(message: Any) -> Any:
    # The engine's own messages (timeouts, exceptions) use the core classes;
    # Django's check command needs its own, which read SILENCED_SYSTEM_CHECKS.
    if isinstance(message, django_checks.CheckMessage):
        return message
    return django_checks.CheckMessage(
        message.level, message.msg, hint=message.hint, obj=message.obj, id=message.id
    )

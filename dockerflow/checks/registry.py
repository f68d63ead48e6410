"""Registries of named checks, and the default one behind the module-level API.

``register``, ``register_partial``, ``run_checks`` and ``run_checks_async``
match python-dockerflow's newer module-level API; each Flask or Sanic
extension instance can hold its own ``CheckRegistry`` instead.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, overload

from .engine import CheckFn, Checks, HeartbeatEngine
from .limits import valid_timeout
from .results import HeartbeatResult

logger = logging.getLogger("dockerflow.checks")


def check_name(func: Any) -> str:
    """The name a check is registered under when none is given."""
    while isinstance(func, functools.partial) and not hasattr(func, "__name__"):
        func = func.func
    return getattr(func, "__name__", None) or type(func).__name__


class CheckRegistry:
    """An ordered set of named checks, with optional per-check timeouts."""

    def __init__(self) -> None:
        self._checks: dict[str, CheckFn] = {}
        self._timeouts: dict[str, float] = {}
        self._lock = threading.Lock()

    @overload
    def register(
        self, func: CheckFn, *, name: str | None = ..., timeout: float | None = ...
    ) -> CheckFn: ...
    @overload
    def register(
        self, func: None = ..., *, name: str | None = ..., timeout: float | None = ...
    ) -> Callable[[CheckFn], CheckFn]: ...

    def register(
        self,
        func: CheckFn | None = None,
        *,
        name: str | None = None,
        timeout: float | None = None,
    ) -> Any:
        """Register ``func`` as a check; usable bare or as ``@register(name=...)``.

        The function is returned unchanged, so it can still be called directly.
        A ``timeout`` that is not more than 0 and at most ``MAX_TIMEOUT``
        seconds is a ValueError here, not a failure on every probe.
        """
        if func is None:
            return functools.partial(self.register, name=name, timeout=timeout)
        if not callable(func):
            raise TypeError(f"A check must be callable, not {type(func).__name__}")
        name = name or check_name(func)
        seconds = None
        if timeout is not None:
            try:
                seconds = valid_timeout(timeout)
            except ValueError as exc:
                raise ValueError(f"The timeout of check {name!r} {exc}") from None
        with self._lock:
            self._checks[name] = func
            if seconds is None:
                self._timeouts.pop(name, None)
            else:
                self._timeouts[name] = seconds
        logger.debug("Registered Dockerflow check %s", name)
        return func

    def register_partial(
        self,
        func: Callable[..., Any],
        *args: Any,
        name: str | None = None,
        **kwargs: Any,
    ) -> CheckFn:
        """Register ``func`` called with ``args``, e.g. a client to ping."""
        timeout = kwargs.pop("timeout", None)
        partial = functools.update_wrapper(
            functools.partial(func, *args, **kwargs), func
        )
        return self.register(partial, name=name or check_name(func), timeout=timeout)

    def init_check(self, check: Callable[[Any], Any], obj: Any) -> CheckFn:
        """The seed's spelling of ``register_partial(check, obj)``."""
        return self.register_partial(check, obj)

    def unregister(self, name: str) -> None:
        with self._lock:
            self._checks.pop(name, None)
            self._timeouts.pop(name, None)

    def clear(self) -> None:
        """Forget every check (for tests)."""
        with self._lock:
            self._checks.clear()
            self._timeouts.clear()

    reset = clear

    def get_checks(self) -> dict[str, CheckFn]:
        with self._lock:
            return dict(self._checks)

    @property
    def timeouts(self) -> dict[str, float]:
        with self._lock:
            return dict(self._timeouts)

    def __iter__(self) -> Iterator[str]:
        return iter(self.get_checks())

    def __len__(self) -> int:
        return len(self._checks)

    def __contains__(self, name: object) -> bool:
        return name in self._checks


# Named so that neither hides a submodule: ``dockerflow.checks.registry``
# and ``dockerflow.checks.engine`` must stay the modules users import.
#: The registry behind the module-level functions.
default_registry = CheckRegistry()
#: The engine behind ``run_checks`` and ``run_checks_async``.
default_engine = HeartbeatEngine()


def register(
    func: CheckFn | None = None, name: str | None = None, timeout: float | None = None
) -> Any:
    return default_registry.register(func, name=name, timeout=timeout)


def register_partial(
    func: Callable[..., Any], *args: Any, name: str | None = None
) -> CheckFn:
    return default_registry.register_partial(func, *args, name=name)


def init_check(check: Callable[[Any], Any], obj: Any) -> CheckFn:
    return default_registry.init_check(check, obj)


def get_checks() -> dict[str, CheckFn]:
    return default_registry.get_checks()


def clear_checks() -> None:
    default_registry.clear()
    default_engine.clear_cache()


def _plan(checks: Checks | None) -> dict[str, Any]:
    if checks is None:
        return {
            "checks": default_registry.get_checks().items(),
            "timeouts": default_registry.timeouts,
            "scope": default_registry,
        }
    return {"checks": checks}


def run_checks(
    checks: Checks | None = None,
    silenced_check_ids: Iterable[str] | None = None,
    *,
    timeout: float | None = None,
) -> HeartbeatResult:
    """Run ``checks`` (default: the registered ones) concurrently."""
    return default_engine.run(
        **_plan(checks), silenced=silenced_check_ids or (), timeout=timeout
    )


async def run_checks_async(
    checks: Checks | None = None,
    silenced_check_ids: Iterable[str] | None = None,
    *,
    timeout: float | None = None,
) -> HeartbeatResult:
    """Run ``checks`` concurrently from a coroutine."""
    return await default_engine.run_async(
        **_plan(checks), silenced=silenced_check_ids or (), timeout=timeout
    )


# Built-in checks an extension registers here on its app's behalf (as
# python-dockerflow does, so get_checks() lists them), by identity. They run
# through their own extension's registry, never in another app's heartbeat.
_published: dict[int, CheckFn] = {}


def publish(func: Callable[..., Any], *args: Any) -> CheckFn:
    """Register ``func(*args)`` here for an extension that also runs it itself."""
    partial = default_registry.register_partial(func, *args)
    _published[id(partial)] = partial
    return partial


def merged_with(own: CheckRegistry) -> tuple[dict[str, CheckFn], dict[str, float]]:
    """The checks (and timeouts) an extension's heartbeat runs: this module's
    registry, less what extensions published, then ``own``'s, which win."""
    shared = {
        name: fn
        for name, fn in default_registry.get_checks().items()
        if id(fn) not in _published
    }
    return shared | own.get_checks(), default_registry.timeouts | own.timeouts

"""What the Flask and Sanic extensions have in common, written once.

Both keep their own registry of checks (beside the module-level one), an
engine, silenced IDs and a version callback; they differ only in how they
hook into their framework, which each adapter adds on top of this class.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from .checks.engine import CheckFn, HeartbeatEngine
from .checks.registry import CheckRegistry, merged_with, publish
from .endpoints import VERSION
from .options import Options
from .summary import summary_logger
from .version import get_version, loader_for, looked_at


class DockerflowExtension:
    """The framework-free half of a Dockerflow extension object."""

    def __init__(
        self,
        logger: logging.Logger,
        silenced_checks: Iterable[str] | None,
        version_path: Any,
        version_callback: Callable[[Any], Any],
    ) -> None:
        #: This extension's own checks (``@dockerflow.check``).
        self.registry = CheckRegistry()
        self.engine = HeartbeatEngine()
        self.silenced_checks = list(silenced_checks or ())
        self.version_path = version_path
        self.logger = logger
        #: The logger of request.summary records (python-dockerflow's attribute).
        self.summary_logger = summary_logger
        self._version_callback = version_callback

    def add_builtin(self, check: Callable[..., Any], *args: Any) -> None:
        """A built-in check of this extension's app, e.g. ``Dockerflow(app, redis=...)``.

        It is also listed by ``dockerflow.checks.get_checks()``, where
        python-dockerflow puts it, but runs only in this extension's heartbeat.
        """
        self.registry.register_partial(check, *args)
        publish(check, *args)

    @property
    def checks(self) -> dict[str, CheckFn]:
        """The checks the heartbeat runs, by name, in order: the module-level
        registry's, then this extension's own, which win on a name clash."""
        return merged_with(self.registry)[0]

    def check(
        self,
        func: CheckFn | None = None,
        name: str | None = None,
        *,
        timeout: float | None = None,
    ) -> Any:
        """Register a check, sync or async: ``@dockerflow.check`` or
        ``@dockerflow.check(name="storage", timeout=1)``.

        ``timeout`` overrides ``DOCKERFLOW_CHECK_TIMEOUT`` for this check.
        """
        if func is None:
            return functools.partial(self.check, name=name, timeout=timeout)
        return self.registry.register(func, name=name, timeout=timeout)

    def init_check(self, check: Callable[[Any], Any], obj: Any) -> CheckFn:
        """Register ``check(obj)`` under ``check``'s name, e.g. a client to ping."""
        self.logger.debug("Adding extension check %s", getattr(check, "__name__", ""))
        return self.registry.init_check(check, obj)

    def version_callback(self, func: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """Use ``func(version_path)`` to load the version data: a dict, or None
        when there is none (a 404)."""
        self._version_callback = func
        return func

    def version_loader(self) -> Callable[[Any], Any]:
        """What ``/__version__`` calls with the version path: the version
        callback, or for the default one its cached reader."""
        return loader_for(self._version_callback)

    def version_file(self, root: Any) -> str | None:
        """The file ``/__version__`` reads under ``root``, or None for a
        version callback of the app's own."""
        return looked_at(self._version_callback, root)

    def warn_if_no_version_file(self, root: Any) -> None:
        """At startup, say where version.json was looked for when it is not
        there: otherwise the first sign is a 404 on ``/__version__``."""
        callback = self._version_callback
        warn_if_no_version_file(root, self.logger, "pass version_path=", callback)

    def run_options(
        self, options: Options, scope: Hashable, wrap: Callable[[CheckFn], CheckFn]
    ) -> dict[str, Any]:
        """The engine's arguments for one heartbeat, each check passed through
        ``wrap`` (e.g. to run inside an app context)."""
        checks, timeouts = merged_with(self.registry)
        return {
            "checks": [(name, wrap(fn)) for name, fn in checks.items()],
            "silenced": self.silenced_checks,
            "timeout": options.timeout,
            "timeouts": timeouts,
            "cache_ttl": options.cache_seconds,
            "scope": scope,
        }


def warn_if_no_version_file(
    root: Any,
    logger: logging.Logger | str,
    elsewhere: str,
    callback: Callable[[Any], Any] = get_version,
) -> None:
    """Log a warning naming the file ``callback`` reads under ``root`` when it
    is not there (nothing for a callback of the app's own, which may read
    anything); ``elsewhere`` says how to point it elsewhere."""
    path = looked_at(callback, root)
    if path is not None and not os.path.lexists(path):
        log = logging.getLogger(logger) if isinstance(logger, str) else logger
        log.warning(
            "There is no version.json at %s, so %s answers 404: "
            "write it there during the build, or %s.",
            path,
            VERSION.path,
            elsewhere,
        )

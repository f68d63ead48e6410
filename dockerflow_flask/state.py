"""Per-app state of the Flask extension, kept in ``app.extensions["dockerflow"]``.

It binds the extension's checks to one app, so they run in that app's
context on the engine's threads.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import flask

from dockerflow.checks.engine import CheckFn, is_async_check

if TYPE_CHECKING:
    from .app import Dockerflow


def _in_app_context(app: flask.Flask, fn: CheckFn) -> CheckFn:
    """``fn`` wrapped to run inside ``app``'s context on the engine's threads."""
    if is_async_check(fn):

        async def run_async() -> Any:
            with app.app_context():
                return await fn()

        return run_async

    def run() -> Any:
        with app.app_context():
            return fn()

    return run


class DockerflowState:
    """What one app needs from the extension, kept in ``app.extensions["dockerflow"]``.

    Other attributes are looked up on the extension, so code written for
    python-dockerflow, which stored the extension itself there, still works.
    """

    def __init__(self, extension: Dockerflow, version_path: str) -> None:
        self.extension = extension
        self.version_path = version_path
        # The engine recognises a check (hung, running or cached) by the
        # callable's identity, so each check keeps one wrapper per app.
        self._wrapped: dict[str, tuple[CheckFn, CheckFn]] = {}
        self._lock = threading.Lock()

    def checks(self, app: flask.Flask) -> list[tuple[str, CheckFn]]:
        pairs = []
        with self._lock:
            for name, fn in self.extension.registry.get_checks().items():
                entry = self._wrapped.get(name)
                if entry is None or entry[0] is not fn:
                    entry = self._wrapped[name] = (fn, _in_app_context(app, fn))
                pairs.append((name, entry[1]))
        return pairs

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name == "extension":
            raise AttributeError(name)
        return getattr(self.extension, name)

"""Per-app state of the Flask extension, kept in ``app.extensions["dockerflow"]``,
and the per-request lookups that need Flask's globals (the user id).
"""

from __future__ import annotations

import logging
from typing import Any

import flask

import dockerflow.extension
from dockerflow.checks.engine import CheckFn, is_async_check

try:
    from flask_login import current_user
except ImportError:  # pragma: no cover - Flask-Login is optional
    current_user = None


def in_app_context(app: flask.Flask, fn: CheckFn) -> CheckFn:
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

    def __init__(
        self, extension: dockerflow.extension.DockerflowExtension, version_path: str
    ) -> None:
        self.extension = extension
        self.version_path = version_path

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name == "extension":
            raise AttributeError(name)
        return getattr(self.extension, name)


def user_id(logger: logging.Logger) -> str | None:
    """The current Flask-Login user's ID, or None; never raises."""
    if current_user is None or not hasattr(flask.current_app, "login_manager"):
        return None
    try:
        authenticated = current_user.is_authenticated
        if callable(authenticated):  # Flask-Login before 0.3 used methods
            authenticated = authenticated()
        return current_user.get_id() if authenticated else None  # type: ignore[no-any-return]
    except Exception:
        # Loading the user can fail (a broken session or database); the
        # summary must still be logged.
        logger.debug("Could not get the user id", exc_info=True)
        return None

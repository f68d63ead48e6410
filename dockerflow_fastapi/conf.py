"""Where the FastAPI adapter finds an app's DOCKERFLOW_* settings (parsed by
:mod:`dockerflow.options`): ``app.state`` first, then the environment."""

from __future__ import annotations

import contextlib
import os
import time
import weakref
from collections.abc import Iterator, Mapping
from typing import Any

from dockerflow.options import DEFAULTS, Options, read_options_cached

__all__ = ["AppConfig", "options_for", "read", "version_root"]


class AppConfig(Mapping[str, Any]):
    """The DOCKERFLOW_* keys of one app, as :mod:`dockerflow.options` reads them:
    an attribute set on ``app.state`` wins over an environment variable."""

    def __init__(self, state: Any) -> None:
        self.state = state

    def __getitem__(self, key: str) -> Any:
        value = getattr(self.state, key, None)
        value = os.environ.get(key) if value is None else value
        if value is None:
            raise KeyError(key)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(DEFAULTS)

    __len__ = DEFAULTS.__len__


#: Seconds an app's options are kept (18 lookups cost more than the middlewares).
REREAD_SECONDS = 1.0
_kept: weakref.WeakKeyDictionary[Any, tuple[float, Options]]
_kept = weakref.WeakKeyDictionary()


def read(app: Any) -> Options:
    """The app's options now (for a bare ASGI app: the environment's)."""
    return read_options_cached(AppConfig(getattr(app, "state", None)))


def options_for(app: Any) -> Options:
    """:func:`read`, again at most once a second per app."""
    now = time.monotonic()
    try:
        seen, options = _kept[app]
        if now - seen < REREAD_SECONDS:
            return options
    except (KeyError, TypeError):  # not read yet, or None
        pass
    options = read(app)
    with contextlib.suppress(TypeError):
        _kept[app] = (now, options)
    return options


def version_root(app: Any) -> Any:
    """The folder holding version.json: ``app.state.APP_DIR``, ``$APP_DIR``,
    or ``/app``, in that order, as python-dockerflow looks."""
    state = getattr(app, "state", None)
    return getattr(state, "APP_DIR", None) or os.environ.get("APP_DIR") or "/app"

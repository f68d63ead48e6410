"""Where the FastAPI adapter finds an app's DOCKERFLOW_* settings (parsed by
:mod:`dockerflow.options`): ``app.state`` first, then the environment."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import Any

from dockerflow.options import DEFAULTS, Options, read_options_cached

__all__ = ["AppConfig", "options_for", "version_root"]


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

    def __len__(self) -> int:
        return len(DEFAULTS)


def options_for(app: Any) -> Options:
    """The app's options (for a bare ASGI app: the environment's), cached."""
    return read_options_cached(AppConfig(getattr(app, "state", None)))


def version_root(app: Any) -> Any:
    """The folder holding version.json: ``app.state.APP_DIR``, ``$APP_DIR``,
    or ``/app``, in that order, as python-dockerflow looks."""
    state = getattr(app, "state", None)
    return getattr(state, "APP_DIR", None) or os.environ.get("APP_DIR") or "/app"

"""Django-style checks the tests list in DOCKERFLOW_CHECKS by dotted path.

Each one behaves in one clear way: passes, warns, fails, raises, waits or hangs.
"""

from __future__ import annotations

import threading
from typing import Any

from django.core import checks

#: Set by the tests' teardown so hung checks let their threads go.
release = threading.Event()
#: Names of checks that ran, for tests that count calls.
calls: list[str] = []


def passing(app_configs: Any, **kwargs: Any) -> list[Any]:
    calls.append("passing")
    return []


def warning(app_configs: Any, **kwargs: Any) -> list[Any]:
    return [checks.Warning("db.example.internal is slow", id="tests.W001")]


def error(app_configs: Any, **kwargs: Any) -> list[Any]:
    return [checks.Error("cannot reach db.example.internal as admin", id="tests.E001")]


def critical(app_configs: Any, **kwargs: Any) -> list[Any]:
    return [checks.Critical("everything is on fire", id="tests.C001")]


def raising(app_configs: Any, **kwargs: Any) -> list[Any]:
    raise RuntimeError("check exploded")


#: together_a and together_b each wait here until the other has started too.
together = threading.Barrier(2, timeout=10)


def together_a(app_configs: Any, **kwargs: Any) -> list[Any]:
    together.wait()
    return []


def together_b(app_configs: Any, **kwargs: Any) -> list[Any]:
    together.wait()
    return []


def hung(app_configs: Any, **kwargs: Any) -> list[Any]:
    release.wait(60)
    return []


not_callable = 42


class ForgetfulCache:
    """A cache backend that accepts values and never gives them back."""

    def __init__(self, location: str, params: dict[str, Any]) -> None:
        pass

    def set(self, key: str, value: Any, timeout: Any = None) -> None:
        pass

    def get(self, key: str, default: Any = None) -> Any:
        return "something else"

    def delete(self, key: str) -> None:
        pass

    def close(self, **kwargs: Any) -> None:
        pass

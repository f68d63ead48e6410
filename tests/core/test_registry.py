"""Check registries and python-dockerflow's module-level API."""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from dockerflow import checks
from dockerflow.checks import CheckRegistry, Error, Warning


@pytest.fixture(autouse=True)
def _clean_default_registry() -> Iterator[None]:
    checks.clear_checks()
    yield
    checks.clear_checks()


def ping(client: Any, scheme: str = "redis") -> list[Any]:
    return [] if client == "up" else [Error(f"{scheme} down", id="x.E1")]


def test_register_bare_and_named() -> None:
    registry = CheckRegistry()

    @registry.register
    def storage() -> list[Any]:
        return []

    @registry.register(name="acme-queue", timeout=1.5)
    def queue() -> list[Any]:
        return [Warning("slow")]

    assert storage() == []  # the function is returned unchanged
    assert list(registry) == ["storage", "acme-queue"]
    assert registry.get_checks()["acme-queue"] is queue
    assert registry.timeouts == {"acme-queue": 1.5}
    assert "storage" in registry and len(registry) == 2


def test_register_rejects_non_callables() -> None:
    with pytest.raises(TypeError):
        CheckRegistry().register(5)  # type: ignore[arg-type]


def test_reregistering_replaces_and_drops_the_old_timeout() -> None:
    registry = CheckRegistry()
    registry.register(lambda: [], name="c", timeout=1)
    registry.register(lambda: [], name="c")
    assert registry.timeouts == {} and len(registry) == 1


def test_register_partial_and_init_check() -> None:
    registry = CheckRegistry()
    registry.register_partial(ping, "down", scheme="rediss", timeout=2)
    registry.init_check(ping, "up")
    registry.register_partial(ping, "down", name="second")
    found = registry.get_checks()
    assert list(found) == ["ping", "second"]  # init_check replaced the first "ping"
    assert found["ping"]() == []
    assert found["second"]()[0].msg == "redis down"
    assert found["ping"].__name__ == "ping"


def test_check_names_for_odd_callables() -> None:
    class Check:
        def __call__(self) -> list[Any]:
            return []

    registry = CheckRegistry()
    registry.register(Check())
    registry.register(functools.partial(ping, "up"))
    assert list(registry) == ["Check", "ping"]


def test_unregister_and_clear() -> None:
    registry = CheckRegistry()
    registry.register(lambda: [], name="a", timeout=1)
    registry.register(lambda: [], name="b")
    registry.unregister("a")
    assert list(registry) == ["b"] and registry.timeouts == {}
    registry.reset()
    assert len(registry) == 0


def test_registries_are_independent() -> None:
    one, two = CheckRegistry(), CheckRegistry()
    one.register(lambda: [], name="only-in-one")
    assert "only-in-one" not in two


def test_module_level_api_like_python_dockerflow() -> None:
    @checks.register
    def database() -> list[Any]:
        return []

    @checks.register(name="cache")
    def cache_check() -> list[Any]:
        return [Warning("cold", id="c.W1")]

    checks.register_partial(ping, "down", name="redis")
    checks.init_check(ping, "up")
    assert list(checks.get_checks()) == ["database", "cache", "redis", "ping"]

    result = checks.run_checks()
    assert result.statuses == {
        "database": "ok",
        "cache": "warning",
        "redis": "error",
        "ping": "ok",
    }
    assert result.level == checks.ERROR
    assert set(result.details) == {"cache", "redis"}

    silenced = checks.run_checks(
        checks.get_checks().items(), silenced_check_ids=["x.E1"]
    )
    assert silenced.level == checks.WARNING


def test_module_level_run_honours_registered_timeouts() -> None:
    release = threading.Event()
    checks.register(lambda: release.wait(10) and [], name="hangs", timeout=0.1)
    try:
        result = checks.run_checks(timeout=30)
    finally:
        release.set()
    assert result["hangs"].timed_out


def test_run_checks_async() -> None:
    @checks.register
    async def async_check() -> list[Any]:
        await asyncio.sleep(0)
        return [Warning("w")]

    result = asyncio.run(checks.run_checks_async())
    assert result.statuses == {"async_check": "warning"}
    explicit = asyncio.run(
        checks.run_checks_async([("x", lambda: [Error("e")])], ["nope"])
    )
    assert explicit.failed

"""The built-in Django checks for databases, migrations, Redis and caches.

Each takes ``(app_configs, **kwargs)`` and returns ``django.core.checks``
messages with the IDs in :mod:`dockerflow.health`; none of them raises.
DOCKERFLOW_CHECKS names them by this module's path, as python-dockerflow did.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from dockerflow import health
from dockerflow.checks import level_to_text, services

from .conf import conf

__all__ = [
    "check_cache",
    "check_database_connected",
    "check_migrations_applied",
    "check_redis_connected",
    "level_to_text",
]


F = TypeVar("F", bound=Callable[..., Any])


def _tagged(*tags: str) -> Callable[[F], F]:
    """Give a check the ``tags`` Django's check registry would, so
    ``manage.py dockerflow_check --tag database`` can pick it."""

    def mark(func: F) -> F:
        func.__dict__["tags"] = tags
        return func

    return mark


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _aliases(chosen: Any, configured: Any) -> list[str]:
    return list(configured) if chosen is None else [str(a) for a in chosen]


@_tagged("database")
def check_database_connected(app_configs: Any, **kwargs: Any) -> list[Any]:
    """Connect to each database (DOCKERFLOW_DATABASES, default every alias)."""
    from django.db import connections
    from django.db.utils import ConnectionDoesNotExist

    try:
        aliases = _aliases(conf.DATABASES, connections)
    except Exception as exc:  # DATABASES itself is unusable
        return [
            checks.Error(
                f"Databases are misconfigured: {_describe(exc)}",
                id=health.ERROR_MISCONFIGURED_DATABASE,
            )
        ]
    errors: list[Any] = []
    for alias in aliases:
        try:
            connection = connections[alias]
            connection.ensure_connection()
        except (ImproperlyConfigured, ConnectionDoesNotExist) as exc:
            errors.append(
                checks.Error(
                    f"Database {alias!r} is misconfigured: {_describe(exc)}",
                    id=health.ERROR_MISCONFIGURED_DATABASE,
                )
            )
        except Exception as exc:
            errors.append(
                checks.Error(
                    f"Could not connect to database {alias!r}: {_describe(exc)}",
                    id=health.ERROR_CANNOT_CONNECT_DATABASE,
                )
            )
        else:
            if not connection.is_usable():
                errors.append(
                    checks.Error(
                        f"Database {alias!r} connection is not usable",
                        id=health.ERROR_UNUSABLE_DATABASE,
                    )
                )
    return errors


@_tagged("database")
def check_migrations_applied(app_configs: Any, **kwargs: Any) -> list[Any]:
    """A Warning for each migration the default database has not applied.

    A Warning, not an Error, because Django refuses to run ``migrate``
    while an Error-level system check fails.
    """
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.loader import MigrationLoader

    try:
        loader = MigrationLoader(
            connections[DEFAULT_DB_ALIAS], ignore_no_migrations=True
        )
        applied = loader.applied_migrations or {}
        nodes = list(loader.graph.nodes.items())
    except Exception as exc:
        return _as_django([services.cant_check_migrations(_describe(exc))])
    labels = (
        {app.label for app in app_configs} if app_configs else set(loader.migrated_apps)
    )
    return [
        checks.Warning(
            f"Unapplied migration {migration}", id=health.WARNING_UNAPPLIED_MIGRATION
        )
        for node, migration in sorted(nodes)
        if migration.app_label in labels and node not in applied
    ]


@_tagged("caches", "redis")
def check_redis_connected(app_configs: Any, **kwargs: Any) -> list[Any]:
    """PING the django-redis ``default`` connection with the core's probe."""
    # Looked up on every run, as python-dockerflow does, so a test that
    # patches django_redis.get_redis_connection reaches this check.
    try:
        import django_redis
    except ImportError:
        missing = services.missing(
            "django-redis", health.ERROR_MISSING_REDIS_CLIENT, extra="django-redis"
        )
        return _as_django(missing)
    try:
        client = django_redis.get_redis_connection("default")
    except Exception as exc:
        return _lookup_error(exc)
    try:
        messages = services.check_redis_connected(client, conf.options.timeout)
    except Exception as exc:  # not redis-py's; Django's checks never raise
        messages = [services.cannot_connect_redis(_describe(exc))]
    return _as_django(messages)


def _lookup_error(exc: Exception) -> list[Any]:
    """What django-redis raising while finding the connection means."""
    if isinstance(exc, (ImproperlyConfigured, KeyError, ValueError)):
        msg_id, what = health.ERROR_MISCONFIGURED_REDIS, "Redis misconfigured"
    elif isinstance(exc, NotImplementedError):  # not a django-redis cache
        msg_id, what = health.ERROR_MISSING_REDIS_CLIENT, "Redis client not available"
    else:
        return _as_django([services.cannot_connect_redis(_describe(exc))])
    return [checks.Error(f"{what}: {_describe(exc)}", id=msg_id)]


def _as_django(messages: list[Any]) -> list[Any]:
    """The core's messages as ``django.core.checks`` ones, which Django's
    check framework and ``manage.py check`` expect."""
    return [
        checks.CheckMessage(m.level, m.msg, hint=m.hint, obj=m.obj, id=m.id)
        for m in messages
    ]


@_tagged("caches")
def check_cache(app_configs: Any, **kwargs: Any) -> list[Any]:
    """A set/get/delete round-trip on each cache (DOCKERFLOW_CACHES, default all).

    Dummy caches store nothing by design, so they are left out.
    """
    from django.conf import settings
    from django.core.cache import caches
    from django.core.cache.backends.dummy import DummyCache

    errors: list[Any] = []
    for alias in _aliases(conf.CACHES, getattr(settings, "CACHES", {})):
        key, value = f"dockerflow:check_cache:{uuid.uuid4().hex}", uuid.uuid4().hex
        try:
            cache = caches[alias]
            if isinstance(cache, DummyCache):
                continue
            cache.set(key, value, timeout=30)
            got = cache.get(key)
            cache.delete(key)
        except Exception as exc:
            errors.append(
                checks.Error(
                    f"Cache {alias!r} failed a set/get round-trip: {_describe(exc)}",
                    id=health.ERROR_CACHE_EXCEPTION,
                )
            )
            continue
        if got != value:
            errors.append(
                checks.Error(
                    f"Cache {alias!r} returned {got!r} for a value it was just given",
                    id=health.ERROR_CACHE_MISMATCH,
                )
            )
    return errors


def register() -> None:
    """Register each DOCKERFLOW_CHECKS entry with Django's check framework.

    python-dockerflow's way to make ``manage.py check`` run them; this app
    already runs them all as one deployment check under the ``dockerflow``
    tag, so call it only if code of yours relies on the entries themselves.
    """
    from django.core.checks import register as register_check
    from django.utils.module_loading import import_string

    for path in conf.CHECKS:
        register_check(import_string(path), "dockerflow")

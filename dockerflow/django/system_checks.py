"""System checks that validate Dockerflow's settings (``dockerflow.E001``...).

Registered in ``DockerflowConfig.ready()``, so a mistake shows at startup
(``runserver``, ``check``, ``migrate``) rather than on the first probe.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning
from django.utils.module_loading import import_string

from dockerflow.checks.workers import MAX_ATTEMPTS
from dockerflow.endpoints import VERSION
from dockerflow.version import VersionFileError, get_version

from .conf import DEFAULT_VERSION_CALLBACK, conf

__all__ = ["check_settings"]


def _check_version() -> list[Any]:
    callback = conf.VERSION_CALLBACK
    reason = ""
    try:
        func = import_string(callback) if isinstance(callback, str) else callback
    except ImportError as exc:
        func, reason = None, f": {exc}"
    if not callable(func):
        return [
            Error(
                f"DOCKERFLOW_VERSION_CALLBACK {callback!r} is not an importable "
                f"callable{reason}.",
                hint="Give the dotted path of a function that takes BASE_DIR, "
                f"such as {DEFAULT_VERSION_CALLBACK!r}.",
                id="dockerflow.E001",
            )
        ]
    if func is not get_version:
        return []  # A custom callback may not read BASE_DIR at all.
    if conf.BASE_DIR is None:
        return [
            Warning(
                f"The BASE_DIR setting is not set, so {VERSION.path} has no "
                "version.json to serve.",
                hint="Set BASE_DIR to the directory that holds version.json.",
                id="dockerflow.W001",
            )
        ]
    try:
        data = get_version(conf.BASE_DIR)
    except VersionFileError as exc:
        return [
            Error(
                f"version.json is invalid: {exc}",
                hint="Write a JSON object with source, version, commit and build.",
                id="dockerflow.E002",
            )
        ]
    if data is None:
        return [
            Warning(
                f"There is no version.json in BASE_DIR ({conf.BASE_DIR}), so "
                f"{VERSION.path} answers 404.",
                hint="Write version.json during the build; see the Dockerflow "
                "version object spec.",
                id="dockerflow.W002",
            )
        ]
    return []


def _check_checks() -> list[Any]:
    paths = conf.CHECKS
    if not isinstance(paths, (list, tuple)) or not all(
        isinstance(p, str) for p in paths
    ):
        return [
            Error(
                "DOCKERFLOW_CHECKS must be a list of dotted paths.",
                hint="For example ['dockerflow.django.checks.check_database_connected'].",
                id="dockerflow.E003",
            )
        ]
    errors = []
    for path in paths:
        try:
            check = import_string(path)
        except ImportError as exc:
            errors.append(
                Error(
                    f"DOCKERFLOW_CHECKS entry {path!r} cannot be imported: {exc}",
                    hint="Fix the dotted path, or install the package it names.",
                    id="dockerflow.E004",
                )
            )
        else:
            if not callable(check):
                errors.append(
                    Error(
                        f"DOCKERFLOW_CHECKS entry {path!r} is not callable.",
                        hint="Name a function taking (app_configs, **kwargs).",
                        id="dockerflow.E004",
                    )
                )
    return errors


def _check_options() -> list[Any]:
    """The shared option table's values (dockerflow.E005 to E010)."""
    return [
        Error(f"{reason}.", hint=option.hint, id=option.id)
        for option, reason in conf.option_problems()
        if option.id is not None
    ]


def _check_aliases() -> list[Any]:
    errors = []
    for setting, chosen, known in (
        ("DOCKERFLOW_DATABASES", conf.DATABASES, getattr(settings, "DATABASES", {})),
        ("DOCKERFLOW_CACHES", conf.CACHES, getattr(settings, "CACHES", {})),
    ):
        if chosen is None:
            continue
        if isinstance(chosen, (list, tuple)):
            unknown = [a for a in chosen if a not in known]
        else:
            unknown = [chosen]
        if unknown:
            errors.append(
                Error(
                    f"{setting} names aliases that are not configured: {unknown!r}.",
                    hint=f"List aliases from {setting.split('_')[1]}, or None for all.",
                    id="dockerflow.E011",
                )
            )
    return errors


def _check_history() -> list[Any]:
    """The history settings' table (dockerflow.E020 to E023, W020)."""
    from .history.table import problems

    return [
        (Warning if id.startswith("dockerflow.W") else Error)(message, hint=hint, id=id)
        for id, message, hint in problems(conf.history_values())
    ]


def _check_metrics() -> list[Any]:
    """/__metrics__'s two settings, and its library (dockerflow.E050 to E052)."""
    errors = []
    endpoint, token = conf.METRICS_ENDPOINT, conf.METRICS_TOKEN
    if not isinstance(endpoint, bool):
        errors.append(
            Error(
                f"DOCKERFLOW_METRICS_ENDPOINT is {endpoint!r}, not True or False.",
                hint="Set it to True to serve /__metrics__, or leave it unset.",
                id="dockerflow.E050",
            )
        )
    if token is not None and (not isinstance(token, str) or not token):
        errors.append(
            Error(
                "DOCKERFLOW_METRICS_TOKEN is empty or not a string.",
                hint="Set it to the token Prometheus sends as a bearer token, "
                "or to None to let any client scrape.",
                id="dockerflow.E051",
            )
        )
    if endpoint is True and importlib.util.find_spec("prometheus_client") is None:
        errors.append(
            Error(
                "DOCKERFLOW_METRICS_ENDPOINT is on, but prometheus_client is not "
                "installed: /__metrics__ would answer 503.",
                hint="Install dockerflow-kit with its metrics extra "
                "(pip install '<checkout or wheel>[django,metrics]').",
                id="dockerflow.E052",
            )
        )
    return errors


def _check_webhooks() -> list[Any]:
    """DOCKERFLOW_WEBHOOKS, entry by entry (dockerflow.E060)."""
    from .webhooks.config import parse

    return [
        Error(
            f"{problem}.",
            hint="See the Notifications page of the dockerflow docs for the keys "
            "a webhook takes; this one gets no deliveries until it is fixed.",
            id="dockerflow.E060",
        )
        for problem in parse(conf.WEBHOOKS)[1]
    ]


#: Backends by the last part of their ENGINE, for one whose driver is not
#: installed here (Django reports that itself when it connects).
_VENDORS = {"postgresql": "postgresql", "postgis": "postgresql", "mysql": "mysql"}


def _vendor(engine: Any) -> str | None:
    from django.db.utils import load_backend

    try:
        return str(load_backend(engine).DatabaseWrapper.vendor)
    except Exception:
        return _VENDORS.get(str(engine).rpartition(".")[2])


def _has_connect_timeout(vendor: str, options: Any) -> bool:
    value = options.get("connect_timeout") if isinstance(options, Mapping) else None
    if value is None and vendor == "postgresql":
        value = os.environ.get("PGCONNECT_TIMEOUT")  # libpq reads it too
    try:
        return value is not None and float(value) > 0  # libpq: 0 waits forever
    except (TypeError, ValueError):
        return False


def connect_timeout_warnings(databases: Mapping[str, Any]) -> list[Any]:
    """dockerflow.W010 for each PostgreSQL or MySQL database that would wait
    forever on a server that accepts connections and never answers."""
    warnings = []
    for alias, config in databases.items():
        vendor = _vendor(config.get("ENGINE")) if isinstance(config, Mapping) else None
        if vendor not in ("postgresql", "mysql"):
            continue
        if _has_connect_timeout(vendor, config.get("OPTIONS")):
            continue
        warnings.append(
            Warning(
                f"Database {alias!r} ({vendor}) has no connect timeout: while "
                "it accepts connections and never answers, the heartbeat's "
                f"checks of it hold up to {MAX_ATTEMPTS} threads each until the "
                "driver gives up, which may be never, and the heartbeat can "
                "keep failing after the database answers again.",
                hint='Set "OPTIONS": {"connect_timeout": 2} (seconds, shorter '
                "than DOCKERFLOW_CHECK_TIMEOUT) on this database; see the "
                "Deployment page of the dockerflow docs.",
                id="dockerflow.W010",
            )
        )
    return warnings


def check_settings(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """Every Dockerflow setting, validated."""
    return (
        _check_version()
        + _check_checks()
        + _check_options()
        + _check_aliases()
        + _check_history()
        + _check_metrics()
        + _check_webhooks()
        + connect_timeout_warnings(getattr(settings, "DATABASES", {}))
    )

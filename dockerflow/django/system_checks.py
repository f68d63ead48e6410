"""System checks that validate Dockerflow's settings (``dockerflow.E001``...).

Registered in ``DockerflowConfig.ready()``, so a mistake shows at startup
(``runserver``, ``check``, ``migrate``) rather than on the first probe.
"""

from __future__ import annotations

import numbers
from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning
from django.utils.module_loading import import_string

from dockerflow.endpoints import DETAIL_POLICIES
from dockerflow.version import VersionFileError, get_version

from .conf import DEFAULT_VERSION_CALLBACK, conf

__all__ = ["check_settings"]


def _number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


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
                "The BASE_DIR setting is not set, so /__version__ has no "
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
                "/__version__ answers 404.",
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


def _check_heartbeat() -> list[Any]:
    errors = []
    status = conf.HEARTBEAT_FAILED_STATUS_CODE
    if (
        not isinstance(status, int)
        or isinstance(status, bool)
        or not 500 <= status <= 599
    ):
        errors.append(
            Error(
                f"DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE is {status!r}, not a 5xx code.",
                hint="Load balancers take a failing heartbeat to be 5xx; use 500 or 503.",
                id="dockerflow.E005",
            )
        )
    policy = conf.HEARTBEAT_DETAILS
    if policy not in DETAIL_POLICIES:
        errors.append(
            Error(
                f"DOCKERFLOW_HEARTBEAT_DETAILS is {policy!r}.",
                hint=f"Use one of {', '.join(map(repr, DETAIL_POLICIES))}.",
                id="dockerflow.E006",
            )
        )
    token = conf.HEARTBEAT_TOKEN
    if token is not None and (not isinstance(token, str) or not token):
        errors.append(
            Error(
                "DOCKERFLOW_HEARTBEAT_TOKEN must be a non-empty string or None.",
                hint="Read it from the environment, e.g. os.environ.get(...).",
                id="dockerflow.E007",
            )
        )
    timeout = conf.CHECK_TIMEOUT
    if not _number(timeout) or timeout <= 0:
        errors.append(
            Error(
                f"DOCKERFLOW_CHECK_TIMEOUT is {timeout!r}, not a positive number.",
                hint="Seconds a check may take; keep it under the probe's timeout.",
                id="dockerflow.E008",
            )
        )
    ttl = conf.HEARTBEAT_CACHE_SECONDS
    if not _number(ttl) or ttl < 0:
        errors.append(
            Error(
                f"DOCKERFLOW_HEARTBEAT_CACHE_SECONDS is {ttl!r}.",
                hint="Seconds to reuse a heartbeat result; 0 turns caching off.",
                id="dockerflow.E009",
            )
        )
    return errors


def _check_names() -> list[Any]:
    errors = []
    header = conf.REQUEST_ID_HEADER_NAME
    if not isinstance(header, str) or not header.strip():
        errors.append(
            Error(
                "DOCKERFLOW_REQUEST_ID_HEADER_NAME must be a header name.",
                hint="The default is 'X-Request-ID'.",
                id="dockerflow.E010",
            )
        )
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


#: History settings that hold a number of seconds or days, and their floor.
_HISTORY_NUMBERS = (
    ("DOCKERFLOW_HISTORY_SAMPLE_SECONDS", "HISTORY_SAMPLE_SECONDS", 1),
    ("DOCKERFLOW_HISTORY_FLUSH_SECONDS", "HISTORY_FLUSH_SECONDS", 1),
    ("DOCKERFLOW_HISTORY_RETENTION_DAYS", "HISTORY_RETENTION_DAYS", 1),
    ("DOCKERFLOW_HISTORY_CHANGES_RETENTION_DAYS", "HISTORY_CHANGES_RETENTION_DAYS", 1),
    (
        "DOCKERFLOW_HISTORY_AGGREGATE_RETENTION_DAYS",
        "HISTORY_AGGREGATE_RETENTION_DAYS",
        1,
    ),
    ("DOCKERFLOW_HISTORY_PRUNE_SECONDS", "HISTORY_PRUNE_SECONDS", 0),
)


def _check_history() -> list[Any]:
    from .history import MODES

    errors = []
    mode = conf.HISTORY
    if mode not in MODES:
        errors.append(
            Error(
                f"DOCKERFLOW_HISTORY is {mode!r}.",
                hint=f"Use one of {', '.join(map(repr, MODES))}.",
                id="dockerflow.E020",
            )
        )
    for setting, attribute, floor in _HISTORY_NUMBERS:
        value = getattr(conf, attribute)
        if not _number(value) or value < floor:
            errors.append(
                Error(
                    f"{setting} is {value!r}, not a number of at least {floor}.",
                    hint="Seconds or days, as the setting's name says.",
                    id="dockerflow.E021",
                )
            )
    keep = conf.HISTORY_KEEP_FAILED
    if not isinstance(keep, int) or isinstance(keep, bool) or keep < 0:
        errors.append(
            Error(
                f"DOCKERFLOW_HISTORY_KEEP_FAILED is {keep!r}.",
                hint="How many failed runs to keep per host and check; 0 keeps none.",
                id="dockerflow.E021",
            )
        )
    host = conf.HISTORY_HOST
    if host is not None and (not isinstance(host, str) or not host.strip()):
        errors.append(
            Error(
                "DOCKERFLOW_HISTORY_HOST must be a non-empty string or None.",
                hint="None names each replica by socket.gethostname().",
                id="dockerflow.E022",
            )
        )
    days = conf.HISTORY_CHANGES_RETENTION_DAYS
    if _number(days) and 1 <= days < 93:
        errors.append(
            Warning(
                f"Status changes are kept {days} days, less than a quarter.",
                hint="Keep DOCKERFLOW_HISTORY_CHANGES_RETENTION_DAYS at 93 or "
                "more, so each of the last three months' downtime can be told.",
                id="dockerflow.W020",
            )
        )
    return errors


def check_settings(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """Every Dockerflow setting, validated."""
    return (
        _check_version()
        + _check_checks()
        + _check_heartbeat()
        + _check_names()
        + _check_history()
    )

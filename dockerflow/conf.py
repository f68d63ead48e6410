"""Every Django setting Dockerflow reads, with its default, in one lazy object.

Settings are read on first use, never at import time, and kept until Django
says a setting changed (``override_settings`` sends ``setting_changed``).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django.conf import settings
from django.core.signals import setting_changed

from .checks import DEFAULT_TIMEOUT
from .endpoints import DEFAULT_FAILED_STATUS, DETAILS_AUTHORIZED

#: The checks the heartbeat runs when DOCKERFLOW_CHECKS is not set.
DEFAULT_CHECKS = (
    "dockerflow.builtin_checks.check_database_connected",
    "dockerflow.builtin_checks.check_migrations_applied",
)
DEFAULT_VERSION_CALLBACK = "dockerflow.version.get_version"

_UNSET = object()
_PER_REQUEST = "dockerflow.conf.per_request"  # not a setting name: no clash
# Reading a setting a project leaves unset makes Django raise and catch an
# AttributeError; the middleware reads several per request, so keep them.
_values: dict[str, Any] = {}


def _clear(**kwargs: Any) -> None:
    _values.clear()


setting_changed.connect(_clear, dispatch_uid="dockerflow.conf.clear")


def _read(name: str, default: Any) -> Any:
    try:
        value = _values[name]
    except KeyError:
        value = _values[name] = getattr(settings, name, _UNSET)
    return default if value is _UNSET else value


def meta_key(header_name: str) -> str:
    """The ``request.META`` key of a request header, as WSGI and ASGI both file it.

    Reading META spares building ``request.headers``, which parses every
    header of the request.
    """
    key = header_name.replace("-", "_").upper()
    return key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"


def header_store_key(header_name: Any) -> str:
    """The key of a safe header name in Django's response headers, else "".

    Safe is what ``response[name] = value`` would accept without converting
    it: an ASCII string without line breaks.
    """
    if not isinstance(header_name, str) or not header_name.isascii():
        return ""
    if "\n" in header_name or "\r" in header_name:
        return ""
    return header_name.lower()


class RequestSettings(NamedTuple):
    """The settings the middleware reads on every request, read together."""

    request_id_header: str
    request_id_meta_key: str
    request_id_store_key: str
    log_querystring: bool
    skip_probes: bool


class DockerflowSettings:
    """Dockerflow's view of the project settings; see docs/settings.rst."""

    @property
    def per_request(self) -> RequestSettings:
        """What every request needs, in one read (kept like any setting)."""
        try:
            return _values[_PER_REQUEST]  # type: ignore[no-any-return]
        except KeyError:
            header = self.REQUEST_ID_HEADER_NAME
            value = _values[_PER_REQUEST] = RequestSettings(
                header,
                meta_key(header) if isinstance(header, str) else "",
                header_store_key(header),
                self.SUMMARY_LOG_QUERYSTRING,
                self.SUMMARY_SKIP_PROBES,
            )
            return value

    @property
    def BASE_DIR(self) -> Any:
        return _read("BASE_DIR", None)

    @property
    def DEBUG(self) -> bool:
        return bool(_read("DEBUG", False))

    @property
    def SILENCED_SYSTEM_CHECKS(self) -> list[str]:
        return list(_read("SILENCED_SYSTEM_CHECKS", None) or ())

    @property
    def VERSION_CALLBACK(self) -> Any:
        return _read("DOCKERFLOW_VERSION_CALLBACK", DEFAULT_VERSION_CALLBACK)

    @property
    def CHECKS(self) -> Any:
        return _read("DOCKERFLOW_CHECKS", DEFAULT_CHECKS)

    @property
    def CHECK_TIMEOUT(self) -> Any:
        return _read("DOCKERFLOW_CHECK_TIMEOUT", DEFAULT_TIMEOUT)

    @property
    def HEARTBEAT_CACHE_SECONDS(self) -> Any:
        return _read("DOCKERFLOW_HEARTBEAT_CACHE_SECONDS", 0)

    @property
    def HEARTBEAT_FAILED_STATUS_CODE(self) -> Any:
        return _read("DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE", DEFAULT_FAILED_STATUS)

    @property
    def HEARTBEAT_DETAILS(self) -> Any:
        return _read("DOCKERFLOW_HEARTBEAT_DETAILS", DETAILS_AUTHORIZED)

    @property
    def HEARTBEAT_TOKEN(self) -> Any:
        return _read("DOCKERFLOW_HEARTBEAT_TOKEN", None)

    @property
    def HEARTBEAT_RUN_SYSTEM_CHECKS(self) -> bool:
        return bool(_read("DOCKERFLOW_HEARTBEAT_RUN_SYSTEM_CHECKS", False))

    @property
    def REQUEST_ID_HEADER_NAME(self) -> Any:
        return _read("DOCKERFLOW_REQUEST_ID_HEADER_NAME", "X-Request-ID")

    @property
    def SUMMARY_LOG_QUERYSTRING(self) -> bool:
        return bool(_read("DOCKERFLOW_SUMMARY_LOG_QUERYSTRING", False))

    @property
    def SUMMARY_SKIP_PROBES(self) -> bool:
        return bool(_read("DOCKERFLOW_SUMMARY_SKIP_PROBES", False))

    @property
    def DATABASES(self) -> Any:
        return _read("DOCKERFLOW_DATABASES", None)

    @property
    def CACHES(self) -> Any:
        return _read("DOCKERFLOW_CACHES", None)


conf = DockerflowSettings()

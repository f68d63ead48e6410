"""Every Django setting Dockerflow reads, with its default, in one lazy object.

Each property reads ``django.conf.settings`` when it is accessed, never at
import time, so ``override_settings`` in tests and late configuration work.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from .checks import DEFAULT_TIMEOUT
from .endpoints import DEFAULT_FAILED_STATUS, DETAILS_AUTHORIZED

#: The checks the heartbeat runs when DOCKERFLOW_CHECKS is not set.
DEFAULT_CHECKS = (
    "dockerflow.builtin_checks.check_database_connected",
    "dockerflow.builtin_checks.check_migrations_applied",
)
DEFAULT_VERSION_CALLBACK = "dockerflow.version.get_version"


class DockerflowSettings:
    """Dockerflow's view of the project settings; see docs/settings.rst."""

    @property
    def BASE_DIR(self) -> Any:
        return getattr(settings, "BASE_DIR", None)

    @property
    def DEBUG(self) -> bool:
        return bool(getattr(settings, "DEBUG", False))

    @property
    def SILENCED_SYSTEM_CHECKS(self) -> list[str]:
        return list(getattr(settings, "SILENCED_SYSTEM_CHECKS", None) or ())

    @property
    def VERSION_CALLBACK(self) -> Any:
        return getattr(
            settings, "DOCKERFLOW_VERSION_CALLBACK", DEFAULT_VERSION_CALLBACK
        )

    @property
    def CHECKS(self) -> Any:
        return getattr(settings, "DOCKERFLOW_CHECKS", DEFAULT_CHECKS)

    @property
    def CHECK_TIMEOUT(self) -> Any:
        return getattr(settings, "DOCKERFLOW_CHECK_TIMEOUT", DEFAULT_TIMEOUT)

    @property
    def HEARTBEAT_CACHE_SECONDS(self) -> Any:
        return getattr(settings, "DOCKERFLOW_HEARTBEAT_CACHE_SECONDS", 0)

    @property
    def HEARTBEAT_FAILED_STATUS_CODE(self) -> Any:
        return getattr(
            settings, "DOCKERFLOW_HEARTBEAT_FAILED_STATUS_CODE", DEFAULT_FAILED_STATUS
        )

    @property
    def HEARTBEAT_DETAILS(self) -> Any:
        return getattr(settings, "DOCKERFLOW_HEARTBEAT_DETAILS", DETAILS_AUTHORIZED)

    @property
    def HEARTBEAT_TOKEN(self) -> Any:
        return getattr(settings, "DOCKERFLOW_HEARTBEAT_TOKEN", None)

    @property
    def HEARTBEAT_RUN_SYSTEM_CHECKS(self) -> bool:
        return bool(getattr(settings, "DOCKERFLOW_HEARTBEAT_RUN_SYSTEM_CHECKS", False))

    @property
    def REQUEST_ID_HEADER_NAME(self) -> Any:
        return getattr(settings, "DOCKERFLOW_REQUEST_ID_HEADER_NAME", "X-Request-ID")

    @property
    def SUMMARY_LOG_QUERYSTRING(self) -> bool:
        return bool(getattr(settings, "DOCKERFLOW_SUMMARY_LOG_QUERYSTRING", False))

    @property
    def SUMMARY_SKIP_PROBES(self) -> bool:
        return bool(getattr(settings, "DOCKERFLOW_SUMMARY_SKIP_PROBES", False))

    @property
    def DATABASES(self) -> Any:
        return getattr(settings, "DOCKERFLOW_DATABASES", None)

    @property
    def CACHES(self) -> Any:
        return getattr(settings, "DOCKERFLOW_CACHES", None)


conf = DockerflowSettings()

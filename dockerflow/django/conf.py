"""Every Django setting Dockerflow reads, with its default, in one lazy object.

Settings are read on first use, never at import time, and kept until Django
says a setting changed (``override_settings`` sends ``setting_changed``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.signals import setting_changed

from dockerflow.options import TABLE, Options, problems, read_or_default

if TYPE_CHECKING:
    from .history.table import History
    from .webhooks.config import Webhook

#: The checks the heartbeat runs when DOCKERFLOW_CHECKS is not set.
DEFAULT_CHECKS = (
    "dockerflow.django.checks.check_database_connected",
    "dockerflow.django.checks.check_migrations_applied",
)
DEFAULT_VERSION_CALLBACK = "dockerflow.version.get_version"

_UNSET = object()
# Reading a setting a project leaves unset makes Django raise and catch an
# AttributeError; the middleware reads several per request, so keep them.
_values: dict[str, Any] = {}
_parsed: dict[str, Any] = {}


def _clear(**kwargs: Any) -> None:
    _values.clear()
    _parsed.clear()


setting_changed.connect(_clear, dispatch_uid="dockerflow.conf.clear")


def _read(name: str, default: Any) -> Any:
    try:
        value = _values[name]
    except KeyError:
        value = _values[name] = getattr(settings, name, _UNSET)
    return default if value is _UNSET else value


class DockerflowSettings:
    """Dockerflow's view of the project settings; see docs/settings.rst."""

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
    def HEARTBEAT_RUN_SYSTEM_CHECKS(self) -> bool:
        return bool(_read("DOCKERFLOW_HEARTBEAT_RUN_SYSTEM_CHECKS", False))

    def table_values(self) -> dict[str, Any]:
        """The DOCKERFLOW_* settings of the shared option table, as set."""
        return {option.key: _read(option.key, None) for option in TABLE}

    @property
    def options(self) -> Options:
        """The shared options, parsed once; a bad value falls back to its
        default here, and the system checks report it at startup."""
        try:
            return _parsed["options"]
        except KeyError:
            options = _parsed["options"] = read_or_default(self.table_values())
            return options

    def option_problems(self) -> list[Any]:
        return problems(self.table_values())

    @property
    def DATABASES(self) -> Any:
        return _read("DOCKERFLOW_DATABASES", None)

    @property
    def CACHES(self) -> Any:
        return _read("DOCKERFLOW_CACHES", None)

    # /__metrics__ (docs/metrics.rst); the system checks report bad values.

    @property
    def METRICS_ENDPOINT(self) -> Any:
        return _read("DOCKERFLOW_METRICS_ENDPOINT", False)

    @property
    def METRICS_TOKEN(self) -> Any:
        return _read("DOCKERFLOW_METRICS_TOKEN", None)

    # Webhooks (docs/notifications.rst); the system checks report bad entries.

    @property
    def WEBHOOKS(self) -> Any:
        return _read("DOCKERFLOW_WEBHOOKS", None)

    @property
    def WEBHOOKS_SENDER(self) -> bool:
        """False: only ``manage.py dockerflow_deliver`` sends."""
        return _read("DOCKERFLOW_WEBHOOKS_SENDER", True) is not False

    @property
    def webhooks(self) -> dict[str, Webhook]:
        """The webhooks that parse, by name; a broken entry is left out."""
        try:
            return _parsed["webhooks"]
        except KeyError:
            from .webhooks.config import parse

            hooks = _parsed["webhooks"] = parse(self.WEBHOOKS)[0]
            return hooks

    # The heartbeat history; docs/history.rst explains each setting, and
    # history/table.py holds their defaults and parsers.

    def history_values(self) -> dict[str, Any]:
        """The DOCKERFLOW_HISTORY* settings the project sets, as set."""
        from .history.table import TABLE

        values = {s.key: _read(s.key, _UNSET) for s in TABLE}
        return {key: value for key, value in values.items() if value is not _UNSET}

    @property
    def history(self) -> History:
        """The history settings, parsed once; a bad value falls back to its
        default here, and the system checks report it at startup."""
        try:
            return _parsed["history"]
        except KeyError:
            from .history.table import read

            history = _parsed["history"] = read(self.history_values())
            return history


conf = DockerflowSettings()

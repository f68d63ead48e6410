"""The system check that says what to install when the history API is included
but DRF or drf-spectacular is missing (``dockerflow.W030``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.checks import Warning
from django.urls import URLResolver, get_resolver

from . import missing

API_URLCONF = "dockerflow.django.api.urls"


def _includes_api(patterns: Iterable[Any]) -> bool:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            module = pattern.urlconf_module
            if getattr(module, "__name__", module) == API_URLCONF:
                return True
            if _includes_api(pattern.url_patterns):
                return True
    return False


def api_included() -> bool:
    """Whether ROOT_URLCONF includes the history API anywhere."""
    try:
        return _includes_api(get_resolver().url_patterns)
    except Exception:  # a broken URLconf is Django's own check to report
        return False


def check_api_requirements(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    absent = missing()
    if not absent or not api_included():
        return []
    return [
        Warning(
            f"include({API_URLCONF!r}) serves nothing: {' and '.join(absent)} "
            f"{'is' if len(absent) == 1 else 'are'} not installed, so the heartbeat "
            "history API and the OpenAPI schema of the Dockerflow endpoints are "
            "missing.",
            hint="Install dockerflow-kit with its django extra (from your checkout "
            "or wheel: pip install '<checkout or wheel>[django]'), which brings both.",
            id="dockerflow.W030",
        )
    ]

"""A project-specific heartbeat check, written like any Django system check.

Listed in DOCKERFLOW_CHECKS, so it runs on /__heartbeat__ and under
``manage.py check --deploy --tag dockerflow``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks

STATIC_MANIFEST_MISSING = "example_project.W001"


def check_static_manifest(
    app_configs: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Warn when collectstatic has not run, since the admin renders unstyled then.

    With the manifest storage and DEBUG off, a missing manifest makes every
    page that links a static file fail, so a deploy should never lack it.
    """
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.is_file():
        return []
    return [
        checks.Warning(
            f"{manifest} does not exist.",
            hint="Run `python manage.py collectstatic --noinput` before serving.",
            id=STATIC_MANIFEST_MISSING,
        )
    ]

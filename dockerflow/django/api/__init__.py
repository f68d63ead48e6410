"""The DRF side of the Django app: the read-only heartbeat history API and the
OpenAPI schema of the three endpoints. Optional: see :func:`missing`.

Nothing here imports DRF until ``include("dockerflow.django.api.urls")`` runs.
"""

from __future__ import annotations

from importlib.util import find_spec

__all__ = ["REQUIREMENTS", "missing"]

#: What the API and schema need: module name -> what to ``pip install``.
REQUIREMENTS = {
    "rest_framework": "djangorestframework",
    "drf_spectacular": "drf-spectacular",
}


def _installed(module: str) -> bool:
    try:
        return find_spec(module) is not None
    except (ImportError, ValueError):  # a blocked or half-imported module
        return False


def missing() -> list[str]:
    """The pip names of the API's requirements that are not installed."""
    return [name for module, name in REQUIREMENTS.items() if not _installed(module)]

"""URL patterns for the Dockerflow endpoints, with or without a trailing slash.

Include them at the root: ``path("", include("dockerflow.django.urls"))``.
One pattern per row of :data:`dockerflow.endpoints.ENDPOINTS`, and
``/__metrics__``, which only Django serves (it reads the heartbeat history).
"""

from __future__ import annotations

import re

from django.urls import re_path

from dockerflow.endpoints import ENDPOINTS, Endpoint

from . import views

#: Served only when DOCKERFLOW_METRICS_ENDPOINT is True (docs/metrics.rst).
METRICS_PATH = "/__metrics__"

app_name = "dockerflow"


def _pattern(endpoint: Endpoint | str) -> str:
    path = endpoint if isinstance(endpoint, str) else endpoint.path
    # "(?:/)?" rather than "/?": the same match, but OpenAPI schema generators
    # render it as the path Dockerflow documents, without the slash.
    return f"^{re.escape(path.lstrip('/'))}(?:/)?$"


# /__error__ is served through the URLconf only, so the raised error takes
# Django's own path: process_exception, got_request_exception (Sentry), a 500.
urlpatterns = [
    re_path(_pattern(row), views.VIEWS[row.name][0], name=row.name) for row in ENDPOINTS
]
urlpatterns.append(re_path(_pattern(METRICS_PATH), views.metrics, name="metrics"))

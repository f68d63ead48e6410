"""URL patterns for the Dockerflow endpoints, with or without a trailing slash.

Include them at the root: ``path("", include("dockerflow.django.urls"))``.
One pattern per row of :data:`dockerflow.endpoints.ENDPOINTS`.
"""

from __future__ import annotations

import re

from django.urls import re_path

from dockerflow.endpoints import ENDPOINTS, Endpoint

from . import views

app_name = "dockerflow"


def _pattern(endpoint: Endpoint) -> str:
    # "(?:/)?" rather than "/?": the same match, but OpenAPI schema generators
    # render it as the path Dockerflow documents, without the slash.
    return f"^{re.escape(endpoint.path.lstrip('/'))}(?:/)?$"


# /__error__ is served through the URLconf only, so the raised error takes
# Django's own path: process_exception, got_request_exception (Sentry), a 500.
urlpatterns = [
    re_path(_pattern(row), views.VIEWS[row.name][0], name=row.name) for row in ENDPOINTS
]

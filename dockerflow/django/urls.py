"""URL patterns for the three endpoints, with or without a trailing slash.

Include them at the root: ``path("", include("dockerflow.django.urls"))``.
"""

from __future__ import annotations

from django.urls import re_path

from . import views

app_name = "dockerflow"

# "(?:/)?" rather than "/?": the same match, but OpenAPI schema generators
# render it as "/__version__", the path Dockerflow documents.
urlpatterns = [
    re_path(r"^__version__(?:/)?$", views.version, name="version"),
    re_path(r"^__heartbeat__(?:/)?$", views.heartbeat, name="heartbeat"),
    re_path(r"^__lbheartbeat__(?:/)?$", views.lbheartbeat, name="lbheartbeat"),
    # Served through the URLconf only, so the raised error takes Django's own
    # path: process_exception, got_request_exception (Sentry), a 500 page.
    re_path(r"^__error__(?:/)?$", views.error, name="error"),
]

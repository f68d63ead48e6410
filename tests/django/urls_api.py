"""The test project's URLs with the history API, as a project includes it.

Used with ``override_settings(ROOT_URLCONF="tests.django.urls_api")``.
"""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("", include("dockerflow.django.urls")),
    path("dockerflow/", include("dockerflow.django.api.urls")),
]

"""The URLs of tests/django/settings_router.py: the endpoints, the history
API and the admin."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("dockerflow.django.urls")),
    path("dockerflow/", include("dockerflow.django.api.urls")),
    path("admin/", admin.site.urls),
]

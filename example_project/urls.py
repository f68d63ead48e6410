"""URLs of the example project: its own pages, the admin, and Dockerflow's.

The Dockerflow include gives /__version__, /__heartbeat__, /__lbheartbeat__.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.index, name="index"),
    path("hello/", views.hello, name="hello"),
    path("error/", views.error, name="error"),
    path("admin/", admin.site.urls),
    path("", include("dockerflow.django.urls")),
]

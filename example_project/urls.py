"""URLs of the example project: its own pages, the admin, and Dockerflow's.

The Dockerflow include gives /__version__, /__heartbeat__, /__lbheartbeat__;
the API include the heartbeat history under /dockerflow/, and puts all of
them in the OpenAPI schema served at /api/schema/ with Swagger UI and ReDoc.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views

urlpatterns = [
    path("", views.index, name="index"),
    path("hello/", views.hello, name="hello"),
    path("error/", views.error, name="error"),
    path("hooks/receive/", views.receive_webhook, name="receive-webhook"),
    path("admin/", admin.site.urls),
    path("", include("dockerflow.django.urls")),
    path("dockerflow/", include("dockerflow.django.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "api/schema/swagger/",
        SpectacularSwaggerView.as_view(url_name="schema"),
        name="swagger-ui",
    ),
    path(
        "api/schema/redoc/",
        views.RedocView.as_view(url_name="schema"),
        name="redoc",
    ),
]

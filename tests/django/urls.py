"""The test project's URLs: Dockerflow's endpoints and a few plain views.

The seed-era include lives in ``urls_seed``.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", include("dockerflow.django.urls")),
    path("hello", views.hello),
    path("hello-async", views.hello_async),
    path("user", views.touch_user),
    path("missing", views.not_found),
    path("boom", views.boom),
    path("refuse/<str:kind>", views.refuse),
    path("refuse-async/<str:kind>", views.refuse_async),
    path("login", views.log_in),
    path("admin/", admin.site.urls),
]

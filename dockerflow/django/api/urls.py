"""URLs of the heartbeat history API; include them under any prefix, e.g.
``path("dockerflow/", include("dockerflow.django.api.urls"))``.

Including them also puts the three Dockerflow endpoints in the project's
OpenAPI schema. Without DRF or drf-spectacular there are no patterns, and
the system check ``dockerflow.W030`` says what to install.
"""

from __future__ import annotations

from typing import Any

from . import missing

app_name = "dockerflow-api"
urlpatterns: list[Any] = []

if not missing():
    from django.urls import path

    from . import deliveries, root, uptime, views
    from .schema import document_endpoints

    document_endpoints()
    urlpatterns = [
        path("history/", root.HistoryRoot.as_view(), name="history"),
        path("history/runs/", views.RunList.as_view(), name="runs"),
        path("history/runs/<str:pk>/", views.RunDetail.as_view(), name="run"),
        path("history/changes/", views.ChangeList.as_view(), name="changes"),
        path(
            "history/deliveries/", deliveries.DeliveryList.as_view(), name="deliveries"
        ),
        path("history/uptime/", uptime.Uptime.as_view(), name="uptime"),
    ]

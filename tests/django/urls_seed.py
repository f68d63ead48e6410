"""URLs written the way python-dockerflow's docs show them.

Used with ROOT_URLCONF overridden to prove the seed-era include still works.
"""

from __future__ import annotations

from django.urls import include, re_path

urlpatterns = [
    re_path(r"^", include("dockerflow.django.urls", namespace="dockerflow")),
]

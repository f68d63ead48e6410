"""A project that routes nothing to Dockerflow: only the middleware serves it.

As the seed's 2017.1.0 changelog set projects up.
"""

from __future__ import annotations

urlpatterns: list[object] = []

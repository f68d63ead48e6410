"""The seed's ``dockerflow.django.views``: the same view functions.

Projects that route to these views directly keep working.
"""

from __future__ import annotations

from ..views import heartbeat, lbheartbeat, version

__all__ = ["heartbeat", "lbheartbeat", "version"]

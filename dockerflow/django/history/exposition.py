"""/__metrics__'s text, negotiated and written by prometheus_client from one
:class:`~dockerflow.django.history.metrics.Snapshot`, on a registry of its own.
"""

from __future__ import annotations

from prometheus_client.exposition import choose_encoder, generate_latest
from prometheus_client.openmetrics import exposition as openmetrics
from prometheus_client.openmetrics.exposition import ALLOWUTF8
from prometheus_client.registry import CollectorRegistry

from .metrics import HistoryCollector, Snapshot

__all__ = ["OPENMETRICS", "exposition"]

OPENMETRICS = "application/openmetrics-text"


def exposition(found: Snapshot, accept: str | None) -> tuple[bytes, str]:
    """``found`` in the format ``accept`` asks, as prometheus_client
    negotiates it (Prometheus text 0.0.4 when it names none it knows), and
    that format's Content-Type.

    Each of our metric and label names is legacy-safe, so every escaping
    scheme writes the same bytes (a test holds them to the negotiated
    encoder's); the one asked for here checks no name character by
    character, which makes the OpenMetrics text of a fleet a third faster.
    """
    registry = CollectorRegistry(auto_describe=False)
    registry.register(HistoryCollector(found))
    _negotiated, content_type = choose_encoder(accept or "")
    if content_type.startswith(OPENMETRICS):
        return openmetrics.generate_latest(registry, escaping=ALLOWUTF8), content_type
    return generate_latest(registry, escaping=ALLOWUTF8), content_type

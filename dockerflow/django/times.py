"""How a time is written wherever the history is shown: one format, with its zone.

The admin's lists, its heatmap and the models' names all use it, so a page
never mixes "March 5, 2026, 3:15 a.m." with "2026-03-05 03:15".
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def written(when: datetime) -> str:
    """``2026-03-05 03:15 UTC``: ``when`` as it is, to the minute, with its zone."""
    zone = when.tzname()
    return f"{when:%Y-%m-%d %H:%M} {zone}" if zone else f"{when:%Y-%m-%d %H:%M}"


def clock(when: datetime) -> str:
    """``03:15``: the time of day alone, for a line that names the zone once."""
    return f"{when:%H:%M}"


def stamp(when: datetime) -> str:
    """``when`` written in the current time zone (``TIME_ZONE``, or the one
    activated)."""
    return written(timezone.localtime(when) if timezone.is_aware(when) else when)

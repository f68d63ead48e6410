"""What a process saw while the history's database was out of reach: every flip,
at its time, and a sighting at least every half gap, so failing time stays counted.

The recorder notes runs here instead of writing them, and its first visit
after the database is back writes the flips and the failing time they imply.
"""

from __future__ import annotations

from .seen import Sighting

__all__ = ["LIMIT", "Backlog"]

#: Sightings kept per host. Past it, the newest replaces the one before, so
#: the start of an outage and the latest statuses are what is kept.
LIMIT = 500


class Backlog:
    """Sightings by host, oldest first; the recorder's lock guards it."""

    def __init__(self) -> None:
        self._hosts: dict[str, list[Sighting]] = {}

    def holds(self, host: str) -> bool:
        return bool(self._hosts.get(host))

    def note(self, host: str, sighting: Sighting, spacing: float) -> None:
        """Keep ``sighting`` if it changed something, or if the last one is
        ``spacing`` seconds old: failing time is counted between sightings."""
        kept = self._hosts.setdefault(host, [])
        if kept:
            last = kept[-1]
            if sighting.time < last.time:
                return  # a run that started earlier, on another thread
            same = sighting.statuses == last.statuses
            if same and (sighting.time - last.time).total_seconds() < spacing:
                return
        if len(kept) < LIMIT:
            kept.append(sighting)
        else:
            kept[-1] = sighting

    def take(self, host: str) -> list[Sighting]:
        """``host``'s sightings, which are forgotten here."""
        return self._hosts.pop(host, [])

    def give_back(self, host: str, sightings: list[Sighting]) -> None:
        """Sightings taken for a write that failed, before any noted since."""
        if sightings:
            merged = sightings + self._hosts.get(host, [])
            if len(merged) > LIMIT:
                merged = merged[: LIMIT - 1] + merged[-1:]
            self._hosts[host] = merged

"""The picture, computed once per period and shared by every list that shows it.

Filtering, paging or searching the runs list draws the same picture: the
process keeps the last few, keyed by period and by a one-query version of
the states, so a new status change or a new host is drawn at once.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.db.models import Count, Max, Subquery
from django.utils import timezone

from ..models import CheckState, StatusChange
from . import picture

#: How long a picture is shared: its counts and "missing" marks are at most
#: this old. A status change or a new host starts a new one at once.
PERIOD_SECONDS = 60
#: Pictures kept: by host and by check, for a list URL or two.
KEPT = 8


def version() -> tuple[Hashable, ...]:
    """What changes when a host or check flips or a host appears: one query
    over the small state table, with the newest status change's id."""
    newest_change = StatusChange.objects.order_by("-pk").values("pk")[:1]
    found = CheckState.objects.order_by().aggregate(
        states=Count("pk"),
        since=Max("since"),
        # Max of one value: an aggregate may not be a bare subquery. A flip
        # written late (after an outage) is in the past: its id is newer.
        change=Max(Subquery(newest_change)),
    )
    return (found["states"], found["since"], found["change"])


class Pictures:
    """The process's shared pictures; ``clear()`` forgets them (tests)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._kept: OrderedDict[Hashable, picture.Picture] = OrderedDict()
        self.built = 0

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self.built = 0

    def get(self, url: str, rows: str) -> picture.Picture:
        """The picture of ``rows`` whose cells link to ``url``, as of this period."""
        period = int(self._clock() // PERIOD_SECONDS)
        # Its times are local: a user in another zone gets a picture of hers.
        zone = timezone.get_current_timezone_name()
        key = (url, rows, zone, period, version())
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                return found
        # Two requests at once may both draw it: the same picture, kept once.
        drawn = picture.build(url, rows=rows, now=timezone.now())
        with self._lock:
            self.built += 1
            self._kept[key] = drawn
            while len(self._kept) > KEPT:
                self._kept.popitem(last=False)
        return drawn


#: The process's pictures: every admin list of a period reads these.
pictures = Pictures()

"""A host's check states as one visit reads them, and the ones it lacks created
in one INSERT, each worker knowing which rows are its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.db.models import Case, Value, When

from ..models import CheckState
from .seen import Sighting

__all__ = ["create_missing", "states_of"]


def states_of(host: str, using: str) -> dict[str, CheckState]:
    return {s.check_name: s for s in CheckState.objects.using(using).filter(host=host)}


def _first_seen(
    moments: Sequence[Sighting], states: dict[str, CheckState]
) -> dict[str, Sighting]:
    """The first moment that names each state ``states`` lacks."""
    first: dict[str, Sighting] = {}
    for moment in moments:
        for name in moment.statuses:
            if name not in states:
                first.setdefault(name, moment)
    return first


def create_missing(
    host: str,
    moments: Sequence[Sighting],
    states: dict[str, CheckState],
    using: str,
    stamp: str | None,
) -> dict[str, Sighting]:
    """Create the states of ``host`` that ``moments`` name and ``states``
    lacks, in one INSERT. ``stamp``: the signature of the last moment's run
    when it is stored, which a host first seen in it is stamped with.

    Returns the moment each state this worker created was created at;
    ``states`` gets every row of the host. A new host's first run costs an
    INSERT, a SELECT and an UPDATE here, not a savepoint and an INSERT per
    check. Rows another worker inserted first are skipped by the INSERT;
    this worker's carry a token of its own in ``signature`` until it reads them back, which is how it
    tells them apart, whatever the database.
    """
    first = _first_seen(moments, states)
    if not first:
        return {}
    token = f"new:{uuid.uuid4().hex}"
    now = moments[-1]
    stamped = stamp is not None and first.get("") is now
    CheckState.objects.using(using).bulk_create(
        [
            CheckState(
                host=host,
                check_name=name,
                status=moment.statuses[name],
                since=moment.time,
                seen_at=moment.time,
                counted_until=moment.time,
                stored_at=now.time if stamped and not name else None,
                signature=token,
            )
            for name, moment in sorted(first.items())
        ],
        ignore_conflicts=True,
    )
    states.update(states_of(host, using))
    signature = stamp if stamped and stamp is not None else ""
    created = {}
    for name in first:
        state = states.get(name)
        if state is not None and state.signature == token:
            state.signature = "" if name else signature
            created[name] = first[name]
    if created:
        CheckState.objects.using(using).filter(host=host, signature=token).update(
            signature=Case(
                When(check_name="", then=Value(signature)), default=Value("")
            )
        )
    return created

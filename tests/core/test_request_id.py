"""Fresh request ids: random UUID4 strings, as uuid.uuid4() would give them."""

from __future__ import annotations

import uuid

from dockerflow.logging import get_or_generate_request_id, new_request_id


def test_new_ids_are_uuid4_strings() -> None:
    for _ in range(2000):
        rid = new_request_id()
        parsed = uuid.UUID(rid)
        assert (parsed.version, parsed.variant) == (4, uuid.RFC_4122)
        assert str(parsed) == rid


def test_new_ids_use_every_random_digit() -> None:
    ids = [new_request_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    # Every position that uuid4 leaves random takes several values.
    fixed = {14: {"4"}, 19: set("89ab")}
    for position in range(36):
        seen = {rid[position] for rid in ids}
        if rid_dash(position):
            assert seen == {"-"}
        elif position in fixed:
            assert seen == fixed[position]
        else:
            assert len(seen) == 16, position


def rid_dash(position: int) -> bool:
    return position in (8, 13, 18, 23)


def test_missing_or_unsafe_header_gets_a_new_id() -> None:
    for headers in ({}, {"X-Request-ID": "not safe!"}):
        parsed = uuid.UUID(get_or_generate_request_id(headers))
        assert parsed.version == 4

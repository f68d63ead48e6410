"""Fresh request ids: random UUID4 strings, as uuid.uuid4() would give them."""

from __future__ import annotations

import os
import threading
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


def test_threads_never_share_an_id() -> None:
    """Ids come from batches; each id goes to one caller only."""
    found: list[list[str]] = [[] for _ in range(8)]

    def make(into: list[str]) -> None:
        into.extend(new_request_id() for _ in range(3000))

    threads = [threading.Thread(target=make, args=(ids,)) for ids in found]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [rid for ids in found for rid in ids]
    assert len(set(every)) == len(every) == 24000


def test_a_forked_child_never_repeats_its_parents_ids() -> None:
    """A worker forked from a parent that has ids ready (gunicorn forks its
    workers) draws its own."""
    new_request_id()  # the parent now holds a batch
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its ids and leave at once
        try:
            os.write(write, " ".join(new_request_id() for _ in range(5)).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child = pipe.read().split()
    os.waitpid(pid, 0)
    parent = [new_request_id() for _ in range(200)]
    assert len(child) == 5
    assert not set(child) & set(parent)


def rid_dash(position: int) -> bool:
    return position in (8, 13, 18, 23)


def test_missing_or_unsafe_header_gets_a_new_id() -> None:
    for headers in ({}, {"X-Request-ID": "not safe!"}):
        parsed = uuid.UUID(get_or_generate_request_id(headers))
        assert parsed.version == 4

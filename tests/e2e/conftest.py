"""Session fixtures of the contract suite: one fleet of servers, and the target under test.

Each server starts on first use and serves every test that asks for it; the
example project's database is made and migrated once, if a Django server runs.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.targets import TARGETS, Faults, Fleet, Target
from tests.services import require_postgres, require_redis


@pytest.fixture(scope="session")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    require_postgres()
    require_redis()
    fleet = Fleet(root=tmp_path_factory.mktemp("e2e"))
    with fleet.stack:
        yield fleet


@pytest.fixture(params=TARGETS, ids=[t.name for t in TARGETS])
def target(request: pytest.FixtureRequest) -> Target:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def faults(fleet: Fleet, target: Target) -> Iterator[Faults]:
    """The fault proxies of ``target``'s FAULTS server, passing again afterwards."""
    proxies = fleet.faults(target)
    proxies.passing()
    yield proxies
    proxies.passing()

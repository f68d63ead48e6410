"""Servers whose PostgreSQL and Redis sit behind switchable fault proxies."""

from __future__ import annotations

import pytest

from tests.e2e.targets import AUTH, FAULTS, Faults, Fleet, Target

pytestmark = pytest.mark.e2e


def test_a_refused_database_fails_the_heartbeat_and_passing_again_heals_it(
    fleet: Fleet, target: Target, faults: Faults
) -> None:
    server = fleet.server(target, FAULTS)
    assert server.request("/__heartbeat__", headers=AUTH).status == 200
    faults.database.refusing()
    faults.redis.refusing()
    down = server.request("/__heartbeat__", headers=AUTH)
    assert down.status == 500, down.body
    faults.passing()
    assert server.request("/__heartbeat__", headers=AUTH).status == 200

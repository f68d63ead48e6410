"""Session fixtures of the contract suite: one fleet of servers, and the target under test.

The example project's PostgreSQL database is made and migrated once; each
server starts on first use and serves every test that asks for it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.targets import TARGETS, Fleet, Target, django_database, manage
from tests.services import POSTGRES_URL, REDIS_URL, require_postgres, require_redis


@pytest.fixture(scope="session")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    require_postgres()
    require_redis()
    root = tmp_path_factory.mktemp("e2e")
    with django_database() as name:
        fleet = Fleet(root=root, django_db=name, static_root=root / "static")
        env = {
            "DJANGO_SETTINGS_MODULE": "tests.e2e.apps.django_settings",
            "E2E_VERSION_DIR": str(root),
            "DJANGO_STATIC_ROOT": str(fleet.static_root),
            "DATABASE_URL": f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}",
            "REDIS_URL": REDIS_URL,
        }
        for args in (
            ("migrate", "--noinput"),
            ("collectstatic", "--noinput", "-v", "0"),
        ):
            done = manage(env, *args)
            assert done.returncode == 0, done.stdout + done.stderr
        with fleet.stack:
            yield fleet


@pytest.fixture(params=TARGETS, ids=[t.name for t in TARGETS])
def target(request: pytest.FixtureRequest) -> Target:
    return request.param  # type: ignore[no-any-return]

"""Session fixtures of the contract suite: one fleet of servers, and the target under test.

Each server starts on first use and serves every test that asks for it; the
example project's database is made and migrated once, if a Django server runs.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.targets import TARGETS, Faults, Fleet, Target, manage
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


SESSION_SCRIPT = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore

for name, staff in (("staff", True), ("visitor", False)):
    user, _ = User.objects.get_or_create(username=name, defaults={"is_staff": staff})
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    print("SESSION", name, user.pk, session.session_key)
"""


@pytest.fixture(scope="session")
def sessions(fleet: Fleet) -> dict[str, tuple[str, str]]:
    """Logged-in session cookies in the example project's database, by user
    name: (user id, Cookie header)."""
    done = manage(fleet.manage_env(), "shell", "-c", SESSION_SCRIPT)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [
        line.split()[1:]
        for line in done.stdout.splitlines()
        if line.startswith("SESSION ")
    ]
    return {name: (pk, f"sessionid={key}") for name, pk, key in lines}

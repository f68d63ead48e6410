"""The history's models behind a DATABASE_ROUTERS router that sends them to a
second database: migrations, the writer, record(), the API and the admin.

A process of its own (tests/django/router_child.py), since the databases
and routers of this one are set for the whole test session.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_writer_and_migrations_use_the_database_the_router_names(
    tmp_path: Path,
) -> None:
    env = dict(os.environ, ROUTER_DB_DIR=str(tmp_path))
    env.pop("DOCKERFLOW_TEST_DATABASE", None)
    done = subprocess.run(
        [sys.executable, "-m", "tests.django.router_child"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    history_tables = [
        "dockerflow_checkrun",
        "dockerflow_checkstate",
        "dockerflow_delivery",
        "dockerflow_heartbeataggregate",
        "dockerflow_heartbeatrun",
        "dockerflow_statuschange",
        "dockerflow_webhookpace",
    ]
    # allow_migrate: each database got only its own tables.
    assert report["history_tables"] == history_tables
    assert report["default_tables"] == [
        "auth_user",
        "auth_user_groups",
        "auth_user_user_permissions",
    ]
    # Writes: the writer thread's run, and the command's, in the second one.
    assert report["heartbeat"] == 200
    assert report["drained"] is True
    assert report["written"] == 1
    assert report["recorded"] is True
    assert report["runs_in"] == {"history": 2}
    # Reads: the models, the API and the admin find them there.
    assert report["runs"] == 2
    assert report["changes"] == 1  # the db check, failing when first seen
    # Its signal, sent once the history's database committed it.
    assert report["signals"] == [[report["change_pks"][0], "history", False]]
    assert report["api"] == [200, 2]
    assert report["admin_urls"] == [200, 200]

"""The history works behind DATABASE_ROUTERS that send its models elsewhere.

``routed.py`` is a project of its own (a router is read once, at startup):
the history's tables exist only in its second database, so any query that
went to the default one would fail there.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_history_lives_in_the_database_its_router_names(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.django.routed", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["tables"]["default"] == []
    assert "dockerflow_heartbeatrun" in found["tables"]["history"]
    assert found["runs"] == 2 and found["changes"] == 2  # db, and the host
    assert set(found["statuses"].values()) == {200}, found["statuses"]
    assert found["failing"]
    assert found["api_runs"] == 2
    assert found["uptime_rows"] == 3  # the host, cache and db

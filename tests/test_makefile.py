"""What the Makefile promises, read from ``make -n`` (which prints a target's
commands without running them): ``make run`` binds loopback unless told, CI
runs Hypothesis's full budget, ``make quick`` the fast loop."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def planned(*arguments: str) -> str:
    done = subprocess.run(
        ["make", "--no-print-directory", "-n", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def gunicorn_bind(*arguments: str) -> str:
    [line] = [line for line in planned(*arguments).splitlines() if "gunicorn" in line]
    return line.split("--bind ")[1].split()[0]


def test_make_run_serves_loopback_only_by_default() -> None:
    assert gunicorn_bind("run") == "127.0.0.1:8000"


def test_host_and_port_open_it_up() -> None:
    assert gunicorn_bind("run", "HOST=0.0.0.0", "PORT=9000") == "0.0.0.0:9000"


def test_ci_runs_hypothesis_with_the_full_budget() -> None:
    plan = planned(
        "pytest", "pytest-unit", "pytest-e2e", "pytest-postgres", "compat"
    ).splitlines()
    runs = [line for line in plan if " -m pytest" in line]
    assert runs and all("HYPOTHESIS_PROFILE=ci" in line for line in runs), runs


def test_make_quick_is_the_fast_loop_without_servers() -> None:
    [line] = [line for line in planned("quick").splitlines() if "pytest" in line]
    assert (
        "HYPOTHESIS_PROFILE=fast" in line and "DOCKERFLOW_TEST_DATABASE=sqlite" in line
    )
    assert line.split("pytest", 1)[1].split() == [
        "-x",
        "-q",
        "tests/core",
        "tests/flask",
        "tests/django",
    ]

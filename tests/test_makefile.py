"""What the Makefile promises, read from ``make -n`` (which prints a target's
commands without running them): ``make run`` binds loopback unless told."""

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

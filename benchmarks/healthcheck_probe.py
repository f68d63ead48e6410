"""Wall time of a Docker HEALTHCHECK on the example project: the command against HTTP.

Each probe runs as a fresh process, as Docker runs it, on a migrated SQLite
project. Run: python benchmarks/healthcheck_probe.py [runs]
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PY = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wall(command: list[str], env: dict[str, str], runs: int) -> list[float]:
    """Seconds each run took, after one warm-up run; every run must exit 0."""
    times = []
    for i in range(runs + 1):
        began = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True)
        elapsed = time.perf_counter() - began
        if done.returncode != 0:
            raise SystemExit(f"{command} exited {done.returncode}:\n{done.stderr!r}")
        if i:
            times.append(elapsed)
    return times


def wait_until_up(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited early")
        try:
            urllib.request.urlopen(
                f"http://127.0.0.1:{port}/__lbheartbeat__", timeout=2
            )
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn never answered")


def main(runs: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="healthcheck-bench-"))
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="example_project.settings",
        DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
        DJANGO_STATIC_ROOT=str(tmp / "static"),
        REDIS_URL="",
    )
    # An image compiles its bytecode at build time; without it every probe
    # would compile the project again.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for args in (
        ["migrate", "--noinput", "-v", "0"],
        ["collectstatic", "--noinput", "-v", "0"],
    ):
        subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True)
    port = free_port()
    gunicorn = [str(BIN / "gunicorn"), "example_project.wsgi"]
    server = subprocess.Popen(
        [*gunicorn, "--bind", f"127.0.0.1:{port}", "--no-control-socket"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/__heartbeat__"
    probes = {
        "python -c pass (interpreter alone)": [PY, "-c", "pass"],
        "django.setup() alone": [PY, "-c", "import django; django.setup()"],
        "manage.py dockerflow_check": [PY, "manage.py", "dockerflow_check"],
        "python urllib GET /__heartbeat__": [
            PY,
            "-c",
            f"import urllib.request; urllib.request.urlopen({url!r}, timeout=5)",
        ],
    }
    if shutil.which("curl"):
        probes["curl -fsS /__heartbeat__"] = ["curl", "-fsS", "-o", "/dev/null", url]
    try:
        wait_until_up(port, server)
        print(f"Wall time per probe process, {runs} runs after a warm-up (ms)")
        print(f"{'probe':<38}{'min':>8}{'median':>8}{'max':>8}")
        for label, command in probes.items():
            times = [t * 1000 for t in wall(command, env, runs)]
            print(
                f"{label:<38}{min(times):>8.0f}{statistics.median(times):>8.0f}"
                f"{max(times):>8.0f}"
            )
    finally:
        server.terminate()
        server.wait(timeout=15)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)

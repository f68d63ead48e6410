"""Run one WSGI benchmark in two virtualenvs, ours and python-dockerflow's, interleaved.

A script's ``--worker`` side builds its apps and times them on request; this
side builds the seed's venv, alternates rounds between the two, and prints.
"""

from __future__ import annotations

import io
import json
import logging
import math
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED = "python-dockerflow"
SEED_VERSION = "2026.3.4"
#: Requests per scenario before the next scenario takes its turn.
BATCH = 100
#: Worker processes per side (see compare()).
PROCESSES = 3
#: Reused across runs; DOCKERFLOW_BENCH_SEED_VENV puts it elsewhere.
SEED_VENV = Path(os.environ.get("DOCKERFLOW_BENCH_SEED_VENV", ROOT / ".venv-seed"))

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
#: label -> (app, path, whether request.summary is logged)
Scenarios = dict[str, tuple[WSGIApp, str, bool]]


def seed_python(frameworks: Iterable[str]) -> Path:
    """The seed venv's python, built or brought to the versions installed here.

    The frameworks get the versions this interpreter has, so the two sides
    differ only in the dockerflow package.
    """
    wanted = [f"dockerflow=={SEED_VERSION}"]
    wanted += [f"{name}=={metadata.version(name)}" for name in frameworks]
    python = SEED_VENV / "bin" / "python"
    stamp = SEED_VENV / ".installed"
    installed = set(stamp.read_text().split()) if stamp.exists() else set()
    if set(wanted) <= installed:
        return python
    print(f"installing {' '.join(wanted)} into {SEED_VENV}", file=sys.stderr)
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(SEED_VENV)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", *wanted],
        check=True,
        stdout=sys.stderr,
    )
    # Each benchmark adds its framework; a version that changed replaces the old.
    names = {line.split("==")[0] for line in wanted}
    kept = {line for line in installed if line.split("==")[0] not in names}
    stamp.write_text("\n".join(sorted(kept | set(wanted))))
    return python


# --- the worker side, run inside each venv -------------------------------------


def environ(path: str) -> dict[str, Any]:
    """A browser's GET with a request id to validate; for a Dockerflow path,
    a load balancer's probe: by IP address, with no request id."""
    if path.startswith("/__"):
        headers = {
            "HTTP_HOST": "10.0.0.12:8000",
            "HTTP_USER_AGENT": "ELB-HealthChecker/2.0",
            "HTTP_CONNECTION": "close",
        }
    else:
        headers = {
            "HTTP_HOST": "testserver",
            "HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Firefox/131.0",
            "HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8",
            "HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.5",
            "HTTP_ACCEPT_ENCODING": "gzip, deflate, br",
            "HTTP_CONNECTION": "keep-alive",
            "HTTP_X_REQUEST_ID": "4bd4c6a1-8d8a-4b9a-9d5e-3c8a3f7f2a11",
        }
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SCRIPT_NAME": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        **headers,
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }


def _start_response(status: str, headers: Any, exc_info: Any = None) -> None:
    _start_response.status = status  # type: ignore[attr-defined]


def per_request_us(app: WSGIApp, path: str, number: int) -> float:
    """CPU µs per request: a machine shared with other work takes turns on the
    cores, and the time spent waiting for one is not this code's cost."""
    started = time.process_time()
    for _ in range(number):
        response = app(environ(path), _start_response)
        b"".join(response)
        close = getattr(response, "close", None)
        if close is not None:
            close()
    return (time.process_time() - started) / number * 1e6


def serve(scenarios: Scenarios, framework: str) -> None:
    """Answer the orchestrator: one line of µs per scenario for each request."""
    import dockerflow

    summary = logging.getLogger("request.summary")
    for app, path, _log in scenarios.values():  # warm up, and prove each answers
        per_request_us(app, path, 200)
        status = _start_response.status  # type: ignore[attr-defined]
        assert status.startswith("200"), (path, status)
    where = Path(dockerflow.__file__).resolve()
    ours = where.parent.parent == ROOT  # the seed's is in its venv's site-packages
    info = {
        "package": "dockerflow" if ours else f"{SEED} {SEED_VERSION}",
        "where": str(where.parent),
        "framework": f"{framework} {metadata.version(framework)}",
        "python": sys.version.split()[0],
    }
    print(json.dumps(info), flush=True)
    for line in sys.stdin:
        number = int(line)
        # Scenarios take turns in short batches, and each keeps its fastest
        # batch: on a shared virtual machine, time stolen by other guests is
        # billed to whatever runs, and only ever adds.
        batches = max(1, number // BATCH)
        figures = dict.fromkeys(scenarios, math.inf)
        for _ in range(batches):
            for label, (app, path, log) in scenarios.items():
                summary.disabled = not log
                took = per_request_us(app, path, number // batches)
                figures[label] = min(figures[label], took)
        print(json.dumps(figures), flush=True)


# --- the orchestrator side ------------------------------------------------------


class Worker:
    def __init__(self, python: Path | str, script: Path, ours: bool) -> None:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        if ours:  # the seed's venv must not see this checkout
            env["PYTHONPATH"] = str(ROOT)
        self.process = subprocess.Popen(
            [str(python), str(script), "--worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=str(Path(script).parent),
        )
        self.info = self._read()

    def _read(self) -> Any:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"worker exited with {self.process.wait()}")
        return json.loads(line)

    def round(self, number: int) -> dict[str, float]:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{number}\n")
        self.process.stdin.flush()
        return self._read()

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def compare(
    script: Path,
    frameworks: list[str],
    number: int,
    rounds: int,
    processes: int = PROCESSES,
) -> tuple[list[dict[str, Any]], list[dict[str, list[float]]]]:
    """µs per request of every scenario in every round, ours and the seed's.

    Each side runs in ``processes`` worker processes, and the rounds go
    round-robin through all of them, alternating sides: one process's
    memory layout (hash seeds, allocation addresses) can make all its
    figures a little faster or slower, and a median over several processes
    does not hang on one. A first round warms each worker up and is not
    counted.
    """
    seed = seed_python(frameworks)
    pairs = [
        (Worker(sys.executable, script, ours=True), Worker(seed, script, ours=False))
        for _ in range(processes)
    ]
    try:
        times: list[dict[str, list[float]]] = [{}, {}]
        for pair in pairs:
            for worker in pair:
                worker.round(number)  # warm-up
        for n in range(rounds):
            pair = pairs[n % processes]
            # Swap who goes first each round, so drift favours neither.
            order = (0, 1) if (n // processes) % 2 == 0 else (1, 0)
            for side in order:
                for label, value in pair[side].round(number).items():
                    times[side].setdefault(label, []).append(value)
    finally:
        for pair in pairs:
            for worker in pair:
                worker.close()
    return [w.info for w in pairs[0]], times


def median_of(times: dict[str, list[float]], label: str, minus: str = "") -> float:
    """The median over rounds of ``label``, less ``minus`` of the same round.

    Pairing within a round keeps a busy moment of a shared machine from
    landing in one figure of a difference and not the other.
    """
    if not minus:
        return statistics.median(times[label])
    return statistics.median(
        a - b for a, b in zip(times[label], times[minus], strict=True)
    )


def print_table(
    infos: list[dict[str, Any]], times: list[dict[str, list[float]]], rows: list[str]
) -> None:
    ours, seed = infos
    print(f"{ours['framework']}, Python {ours['python']}; median µs per request")
    print(f"{'':<36}{'dockerflow':>12}{seed['package']:>28}")
    for label in rows:
        print(
            f"{label:<36}{median_of(times[0], label):>12.1f}"
            f"{median_of(times[1], label):>28.1f}"
        )


def report(
    infos: list[dict[str, Any]],
    times: list[dict[str, list[float]]],
    rows: tuple[str, str, str, str, str],
    what: str,
    without: str,
    goals: bool = False,
) -> list[dict[str, float]]:
    """Print the table and the overheads, ours beside the seed's, from
    ``rows``: the plain view, with the package, the same with the summary
    not logged, the probe, and the probe with the summary not logged."""
    plain, logged, quiet, probe, probe_quiet = rows
    print_table(infos, times, list(rows))
    ours, seed = (
        {
            "logged": median_of(t, logged, plain),
            "quiet": median_of(t, quiet, plain),
            "probe": median_of(t, probe),
            "plain": median_of(t, plain),
            "probe-plain": median_of(t, probe, plain),
            "probe-quiet": median_of(t, probe_quiet),
            "probe-quiet-plain": median_of(t, probe_quiet, plain),
        }
        for t in times
    )
    goal, probe_goal = (" (goal <= 0.40)", "; goal <= 1.20x") if goals else ("", "")
    print(
        f"{what} overhead: ours {ours['logged']:.1f} µs, seed {seed['logged']:.1f} µs,"
        f" ratio {ours['logged'] / seed['logged']:.2f}{goal}"
    )
    print(
        f"  summary not logged: ours {ours['quiet']:.1f} µs, seed {seed['quiet']:.1f} µs,"
        f" ratio {ours['quiet'] / seed['quiet']:.2f}"
    )
    print(
        f"/__lbheartbeat__: ours {ours['probe']:.1f} µs beside the plain view's"
        f" {ours['plain']:.1f} µs without {without}"
        f" ({ours['probe'] / ours['plain']:.2f}x{probe_goal}); seed {seed['probe']:.1f} µs"
        f" ({seed['probe'] / seed['plain']:.2f}x)"
    )
    print(
        f"  summary not logged: ours {ours['probe-quiet']:.1f} µs"
        f" ({ours['probe-quiet-plain']:+.1f} µs); seed {seed['probe-quiet']:.1f} µs"
    )
    return [ours, seed]
